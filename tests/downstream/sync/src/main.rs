//! Fetch, watch and wait with the blocking client, against the server named by
//! `ASTEROID_BASE_URL` (CI starts a tiny one on loopback for it).

use std::time::Duration;

use asteroid_sdk::WaitOptions;
use asteroid_sdk::blocking::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let id: asteroid_sdk::Uuid = std::env::args().nth(1).ok_or("an execution id")?.parse()?;
    let execution = client.execution_get().execution_id(id).send()?;
    println!("fetched {}", execution.status);
    let options = WaitOptions::default()
        .with_delays(Duration::from_millis(20), Duration::from_millis(50))
        .with_timeout(Some(Duration::from_secs(20)));
    for change in client.watch_execution_with(id, options) {
        println!("watched {}", change?.status);
    }
    let outcome = client.wait_for_execution(id).options(options).wait()?;
    println!("ended {}", outcome.status());
    Ok(())
}
