//! Quickstart: fetch an execution, then follow it until it finishes.
//!
//! Offline, with no `ASTEROID_API_KEY` set, against an in-process mock server that plays
//! an execution going `starting` -> `running` -> `completed`:
//!
//! ```sh
//! cargo run -p asteroid-sdk --example quickstart
//! ```
//!
//! Against the real API (the execution id from the first argument, or from
//! `ASTEROID_EXECUTION_ID`; `ASTEROID_BASE_URL` overrides the server):
//!
//! ```sh
//! ASTEROID_API_KEY=sk-... cargo run -p asteroid-sdk --example quickstart -- <execution-id>
//! ```
//!
//! Errors are printed on one line and the exit code is 1.

use std::process::ExitCode;
use std::time::Duration;

use asteroid_sdk::mock::MockServer;
use asteroid_sdk::{Client, Execution, ExecutionStatus, Uuid, WaitOptions};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    let result = match std::env::var_os(asteroid_sdk::config::API_KEY_ENV) {
        Some(_) => real_api().await,
        None => offline().await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The real API: `Client::from_env()` and the execution named on the command line.
async fn real_api() -> Result<(), BoxError> {
    let raw = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("ASTEROID_EXECUTION_ID").ok())
        .ok_or("no execution id: pass it as the first argument or set ASTEROID_EXECUTION_ID")?;
    let id: Uuid = raw
        .trim()
        .parse()
        .map_err(|e| format!("execution id {raw:?} is not a UUID: {e}"))?;
    let client = Client::from_env()?;
    // The default schedule (2 s growing to 30 s) is polite to the real API.
    fetch_and_follow(&client, id, WaitOptions::default()).await
}

/// No API key: an in-process mock server plays the execution's life, one phase a poll.
async fn offline() -> Result<(), BoxError> {
    println!(
        "{} is not set: running against an in-process mock server.\n",
        asteroid_sdk::config::API_KEY_ENV
    );
    let completed: Execution = asteroid_sdk::serde_json::from_str(SAMPLE_EXECUTION)?;
    let id = completed.id;
    // The earlier phases: no result, end time, duration or recording yet.
    let phase = |status: ExecutionStatus| {
        let mut e = completed.clone();
        e.status = status;
        e.execution_result = None;
        e.terminal_at = None;
        e.duration = None;
        e.recording_url = None;
        e
    };
    let phases = [
        phase(ExecutionStatus::Starting),
        phase(ExecutionStatus::Starting),
        phase(ExecutionStatus::Running),
        phase(ExecutionStatus::Running),
        completed.clone(),
    ];
    let server = MockServer::start_async().await;
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.ok_sequence(&phases);
    });
    let client = server.client();
    let options = WaitOptions::default()
        .with_delays(Duration::from_millis(200), Duration::from_millis(500))
        .with_timeout(Some(Duration::from_secs(30)));
    fetch_and_follow(&client, id, options).await
}

/// Fetch the execution once, print a summary, then follow it to the end.
async fn fetch_and_follow(client: &Client, id: Uuid, options: WaitOptions) -> Result<(), BoxError> {
    let execution = client.execution_get().execution_id(id).send().await?;
    println!("execution  {}", execution.id);
    println!("agent      {}", execution.agent_name);
    println!("status     {}", execution.status);
    println!(
        "trigger    {}",
        execution
            .trigger_context
            .as_ref()
            .and_then(|t| t.source())
            .unwrap_or("unknown")
    );
    println!("\nfollowing its status...");

    let mut watch = client.watch_execution_with(id, options);
    let mut last = None;
    while let Some(change) = watch.next().await {
        let execution = change?;
        println!("  -> {}", execution.status);
        last = Some(execution);
    }
    let last = last.ok_or("the watch ended without a status")?;

    println!("\nfinal status: {}", last.status);
    match last.result() {
        Some(result) => println!(
            "result:\n{}",
            asteroid_sdk::serde_json::to_string_pretty(result)?
        ),
        None => println!("no result"),
    }
    if let Some(reasoning) = last.reasoning() {
        println!("reasoning: {reasoning}");
    }
    Ok(())
}

/// A completed execution as the API returns it; the mock plays its earlier phases too.
const SAMPLE_EXECUTION: &str = r#"{
  "id": "0b7c2f3e-5d1a-4c7e-9f1e-2a3b4c5d6e7f",
  "agentId": "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f",
  "agentName": "Invoice downloader",
  "workflowId": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
  "organizationId": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
  "status": "completed",
  "createdAt": "2025-06-02T09:15:04Z",
  "terminalAt": "2025-06-02T09:16:51Z",
  "duration": 107.4,
  "hasBeenRerun": false,
  "comments": [],
  "humanLabels": [],
  "inputs": {"month": "2025-05"},
  "metadata": {"team": "finance"},
  "triggerContext": {
    "source": "api",
    "runner": {"userId": "7ce390a5-ce81-43e5-a08f-91a2b3c4d5e6", "email": "ops@example.com"},
    "apiKey": {"id": "af16c3d8-f1b4-4618-93bc-c4d5e6f70819", "name": "ci-key"}
  },
  "executionResult": {
    "id": "3670d6b2-07e4-4547-917b-05350c4edf56",
    "executionId": "0b7c2f3e-5d1a-4c7e-9f1e-2a3b4c5d6e7f",
    "outcome": "success",
    "reasoning": "Downloaded both invoices from the billing page.",
    "result": {"invoices": [{"number": "INV-0042", "total": 1280.5}, {"number": "INV-0043", "total": 96.0}]},
    "createdAt": "2025-06-02T09:16:51Z"
  }
}"#;
