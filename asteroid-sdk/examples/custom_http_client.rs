//! Your own `reqwest::Client` (a proxy, other TLS roots, a shared pool): start from
//! `asteroid_sdk::config::http_client_builder()`, which installs the SDK's TLS provider
//! and keeps redirects within the API's origin. The SDK still adds the key, the
//! timeout, retries and tracing to every request.
//!
//! ```sh
//! cargo run -p asteroid-sdk --example custom_http_client
//! ```

use std::time::Duration;

use asteroid_sdk::mock::MockServer;
use asteroid_sdk::{Client, ExecutionStatus, RetryPolicy, Uuid};

#[path = "common/mod.rs"]
mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let http = asteroid_sdk::config::http_client_builder()
        .pool_idle_timeout(Duration::from_secs(30))
        .tcp_keepalive(Duration::from_secs(60))
        // .proxy(reqwest::Proxy::https("http://proxy.internal:3128")?)
        .build()?;

    let id = Uuid::new_v4();
    let server = MockServer::start_async().await;
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.ok(&common::execution(id, ExecutionStatus::Running));
    });

    let client = Client::builder()
        .api_key("mock-api-key")
        .base_url(server.base_url())
        .http_client(http)
        .timeout(Duration::from_secs(20))
        .attempt_timeout(Duration::from_secs(5))
        .retry_policy(
            RetryPolicy::default()
                .with_max_retries(4)
                .with_backoff(Duration::from_millis(250), Duration::from_secs(4)),
        )
        .build()?;
    let execution = client.execution_get().execution_id(id).send().await?;
    println!("{} is {}", execution.id, execution.status);
    Ok(())
}
