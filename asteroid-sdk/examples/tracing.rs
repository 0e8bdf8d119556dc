//! Tracing: each call is one `asteroid_sdk.request` span (operation, method, path
//! template, attempts, status, latency, request id); retries log at `warn`. Any
//! `tracing` subscriber shows them; this one prints to stderr.
//!
//! ```sh
//! cargo run -p asteroid-sdk --example tracing
//! ```

use std::time::Duration;

use asteroid_sdk::mock::{MockServer, Reply};
use asteroid_sdk::{ExecutionStatus, RetryPolicy, Uuid};
use tracing_subscriber::fmt::format::FmtSpan;

#[path = "common/mod.rs"]
mod common;

#[tokio::main]
async fn main() -> asteroid_sdk::Result<()> {
    tracing_subscriber::fmt()
        .with_span_events(FmtSpan::CLOSE)
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .init();

    let id = Uuid::new_v4();
    let server = MockServer::start_async().await;
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.sequence([
            Reply::status(503).with_header("x-request-id", "req-1"),
            Reply::json(200, &common::execution(id, ExecutionStatus::Running))
                .with_header("x-request-id", "req-2"),
        ]);
    });
    let client = server
        .client_builder()
        .retry_policy(
            RetryPolicy::default()
                .with_backoff(Duration::from_millis(50), Duration::from_millis(50)),
        )
        .build()?;
    let execution = client.execution_get().execution_id(id).send().await?;
    println!(
        "{} (request id {:?})",
        execution.status,
        execution.request_id()
    );
    Ok(())
}
