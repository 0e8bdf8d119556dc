//! Errors: one `match` covering what a program handles, asked in the user's words.
//!
//! Runs offline against a mock server that answers 404, then 429, then slowly:
//!
//! ```sh
//! cargo run -p asteroid-sdk --example errors
//! ```

use std::time::Duration;

use asteroid_sdk::mock::MockServer;
use asteroid_sdk::{Client, Error, ErrorBody, ExecutionStatus, Uuid};

#[path = "common/mod.rs"]
mod common;

/// What this program does with each outcome of a fetch.
async fn describe(client: &Client, id: Uuid) -> String {
    match client.execution_get().execution_id(id).send().await {
        Ok(execution) => format!("{} is {}", execution.id, execution.status),
        Err(e) if e.is_not_found() => format!("no execution {id}"),
        Err(e) if e.is_unauthorized() => "the API key is wrong: check ASTEROID_API_KEY".into(),
        // Any 429, whether the spec lists it for the operation or not.
        Err(e) if e.is_rate_limited() => format!("rate limited; retry after {:?}", e.retry_after()),
        // A request timeout (all attempts) or a waiter's deadline.
        Err(e) if e.is_timeout() => "timed out".into(),
        // Another documented error status, with its typed body.
        Err(Error::Api { code, message, .. }) => format!("API error {code:?}: {message:?}"),
        // Anything else: one readable line, with the request id when the server sent one.
        Err(e) => format!("failed (request id {:?}): {e}", e.request_id()),
    }
}

#[tokio::main]
async fn main() {
    let server = MockServer::start_async().await;
    let missing = Uuid::new_v4();
    let busy = Uuid::new_v4();
    let slow = Uuid::new_v4();
    let not_found = ErrorBody::builder()
        .code(404)
        .message("Execution not found")
        .build()
        .expect("code and message are set");
    server.execution_get(|when, then| {
        when.execution_id(&missing);
        then.not_found(&not_found);
    });
    server.execution_get(|when, then| {
        when.execution_id(&busy);
        then.rate_limited(Duration::from_secs(90));
    });
    server.execution_get(|when, then| {
        when.execution_id(&slow);
        then.delayed(Duration::from_secs(5))
            .ok(&common::execution(slow, ExecutionStatus::Running));
    });
    let client = server
        .client_builder()
        .timeout(Duration::from_millis(500))
        .max_retries(0)
        .build()
        .expect("a valid configuration");
    for id in [missing, busy, slow] {
        println!("{}", describe(&client, id).await);
    }
}
