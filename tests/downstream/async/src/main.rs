//! Fetch an execution, follow it with a deadline, and say how it ended.

use std::time::Duration;

use asteroid_sdk::{Client, Error, ExecutionOutcome, Uuid, WaitOptions};

/// How a run of this program ends, in words.
pub async fn follow(client: &Client, id: Uuid, deadline: Duration) -> String {
    let execution = match client.execution_get().execution_id(id).send().await {
        Ok(e) => e,
        Err(e) if e.is_not_found() => return format!("no execution {id}"),
        Err(e) if e.is_unauthorized() => return "check ASTEROID_API_KEY".to_string(),
        Err(e) => return format!("error: {e}"),
    };
    let mut lines = vec![format!("{} ({})", execution.agent_name, execution.status)];
    let options = WaitOptions::default()
        .with_delays(Duration::from_millis(20), Duration::from_millis(50))
        .with_timeout(Some(deadline));
    let mut watch = client.watch_execution_with(id, options);
    while let Some(change) = watch.next().await {
        match change {
            Ok(e) => lines.push(format!("-> {}", e.status)),
            Err(e) if e.is_timeout() => {
                lines.push("gave up waiting".to_string());
                return lines.join("\n");
            }
            Err(e) if e.is_rate_limited() => {
                lines.push(format!("rate limited, retry after {:?}", e.retry_after()));
                return lines.join("\n");
            }
            Err(Error::Api { message, .. }) => {
                lines.push(format!("API error: {message:?}"));
                return lines.join("\n");
            }
            Err(e) => {
                lines.push(format!("error: {e}"));
                return lines.join("\n");
            }
        }
    }
    match client.wait_for_execution(id).timeout(deadline).await {
        Ok(ExecutionOutcome::Completed(e)) => {
            let result = e.result().cloned().unwrap_or(asteroid_sdk::serde_json::json!(null));
            lines.push(format!("result {result}"));
        }
        Ok(other) => lines.push(format!("ended as {}", other.status())),
        Err(e) => lines.push(format!("error: {e}")),
    }
    lines.join("\n")
}

#[tokio::main]
async fn main() -> asteroid_sdk::Result<()> {
    let client = Client::from_env()?;
    let id: Uuid = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(Uuid::new_v4);
    println!("{}", follow(&client, id, Duration::from_secs(600)).await);
    let _now = asteroid_sdk::chrono::Utc::now();
    Ok(())
}
