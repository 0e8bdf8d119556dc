//! Following an execution: every status change as it happens, then the outcome.
//!
//! Runs offline against a mock server that plays `starting` -> `running` ->
//! `awaiting_confirmation` -> `running` -> `completed`:
//!
//! ```sh
//! cargo run -p asteroid-sdk --example watching
//! ```

use std::time::Duration;

use asteroid_sdk::mock::MockServer;
use asteroid_sdk::{ExecutionOutcome, ExecutionStatus, Uuid, WaitOptions};

#[path = "common/mod.rs"]
mod common;

#[tokio::main]
async fn main() -> asteroid_sdk::Result<()> {
    let id = Uuid::new_v4();
    let server = MockServer::start_async().await;
    let life: Vec<_> = [
        ExecutionStatus::Starting,
        ExecutionStatus::Running,
        ExecutionStatus::AwaitingConfirmation,
        ExecutionStatus::Running,
        ExecutionStatus::Completed,
    ]
    .into_iter()
    .map(|s| common::execution(id, s))
    .collect();
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.ok_sequence(&life);
    });
    let client = server.client();

    // Poll every 50 ms (the default, for the real API, is 2 s growing to 30 s), for at
    // most 10 s; a status change is yielded once.
    let options = WaitOptions::default()
        .with_delays(Duration::from_millis(50), Duration::from_millis(50))
        .with_timeout(Some(Duration::from_secs(10)));
    let mut watch = client.watch_execution_with(id, options);
    while let Some(change) = watch.next().await {
        let execution = change?;
        let note = if execution.status.needs_attention() {
            " (waiting for a human)"
        } else {
            ""
        };
        println!("{}{note}", execution.status);
    }

    // The same with only the end: `stop_on_attention` returns at the first status that
    // needs a human instead of waiting through it.
    server.reset();
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.ok_sequence(&life);
    });
    let outcome = client
        .wait_for_execution(id)
        .options(options)
        .stop_on_attention(true)
        .await?;
    match outcome {
        ExecutionOutcome::NeedsAttention(e) => println!("stopped at {}", e.status),
        other => println!("ended as {}", other.status()),
    }
    Ok(())
}
