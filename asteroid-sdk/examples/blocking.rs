//! The blocking client (feature `blocking`): no async runtime in the program.
//!
//! ```sh
//! cargo run -p asteroid-sdk --example blocking --features blocking
//! ```
//!
//! With `ASTEROID_API_KEY` set it fetches the execution named by the first argument from
//! the real API; without, it plays one on a mock server (started on a small runtime of
//! its own, since httpmock is async).

use std::time::Duration;

use asteroid_sdk::blocking::Client;
use asteroid_sdk::{ExecutionStatus, Uuid, WaitOptions};

#[path = "common/mod.rs"]
mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, id, _server) = match std::env::args().nth(1) {
        Some(id) if std::env::var_os("ASTEROID_API_KEY").is_some() => {
            (Client::from_env()?, id.parse::<Uuid>()?, None)
        }
        _ => {
            let id = Uuid::new_v4();
            let server = asteroid_sdk::mock::MockServer::start();
            server.execution_get(|when, then| {
                when.execution_id(&id);
                then.ok_sequence(&[
                    common::execution(id, ExecutionStatus::Running),
                    common::execution(id, ExecutionStatus::Running),
                    common::execution(id, ExecutionStatus::Completed),
                ]);
            });
            let client = Client::builder()
                .api_key("mock-api-key")
                .base_url(server.base_url())
                .build()?;
            (client, id, Some(server))
        }
    };

    let execution = client.execution_get().execution_id(id).send()?;
    println!("{} is {}", execution.id, execution.status);

    let options = WaitOptions::default()
        .with_delays(Duration::from_millis(50), Duration::from_millis(200))
        .with_timeout(Some(Duration::from_secs(30)));
    for change in client.watch_execution_with(id, options) {
        println!("now {}", change?.status);
    }
    let outcome = client.wait_for_execution(id).options(options).wait()?;
    println!("ended as {}", outcome.status());
    Ok(())
}
