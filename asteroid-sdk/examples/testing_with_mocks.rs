//! Testing code that uses the SDK, with the typed mocks of feature `mock`.
//!
//! `report` is the code under test; `main` runs the checks a test suite would (in your
//! crate they are `#[tokio::test]` functions):
//!
//! ```sh
//! cargo run -p asteroid-sdk --example testing_with_mocks
//! ```

use std::time::Duration;

use asteroid_sdk::mock::{MockServer, Reply};
use asteroid_sdk::{Client, ExecutionOutcome, ExecutionStatus, Uuid};

#[path = "common/mod.rs"]
mod common;

/// The code under test: wait for an execution and say how it went.
async fn report(client: &Client, id: Uuid) -> String {
    let wait = client
        .wait_for_execution(id)
        .delays(Duration::from_millis(10), Duration::from_millis(20))
        .timeout(Duration::from_secs(5));
    match wait.await {
        Ok(ExecutionOutcome::Completed(_)) => "done".into(),
        Ok(other) => format!("ended as {}", other.status()),
        Err(e) if e.is_not_found() => "unknown execution".into(),
        Err(e) => format!("error: {e}"),
    }
}

#[tokio::main]
async fn main() {
    // A test: the execution runs, then completes.
    let id = Uuid::new_v4();
    let server = MockServer::start_async().await;
    let mock = server.execution_get(|when, then| {
        when.execution_id(&id);
        then.ok_sequence(&[
            common::execution(id, ExecutionStatus::Running),
            common::execution(id, ExecutionStatus::Completed),
        ]);
    });
    assert_eq!(report(&server.client(), id).await, "done");
    mock.assert_calls(2);
    println!("completes: ok");

    // A test: the server is busy first (a 503, then a 429); the client's retries absorb
    // both.
    let server = MockServer::start_async().await;
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.sequence([
            Reply::status(503),
            Reply::rate_limited(Duration::ZERO),
            Reply::json(200, &common::execution(id, ExecutionStatus::Failed)),
        ]);
    });
    assert_eq!(report(&server.client(), id).await, "ended as failed");
    println!("retries: ok");

    // A test: a request the mocks do not expect answers 404.
    let server = MockServer::start_async().await;
    assert_eq!(report(&server.client(), id).await, "unknown execution");
    println!("not found: ok");
}
