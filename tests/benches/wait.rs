//! How `wait_for_execution` behaves on an execution that completes after a set time: how
//! many `ExecutionGet` requests it makes and how late it notices the completion.
//!
//! Not a speed benchmark, so no criterion: a [`TestServer`] answers `running` until `T`
//! has passed since its first request, then `completed`, and a table is printed. Run with
//! `cargo bench -p asteroid-sdk-tests --bench wait` (about 35 s: the default schedule for
//! T = 1, 3 and 10 s once each, then a schedule ten times faster, five runs each, to show
//! the spread the jitter gives). Under `cargo test --benches` it makes one short wait.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use asteroid_sdk::{Client, Uuid, WaitOptions};
use asteroid_sdk_tests::fixtures;
use asteroid_sdk_tests::server::{Reply, TestServer};

/// What one wait did.
struct Run {
    /// `ExecutionGet` requests the server received.
    requests: usize,
    /// When each poll arrived, from the first one.
    polls: Vec<Duration>,
    /// From the moment the execution completed to the moment the wait returned.
    late: Duration,
}

/// Wait for an execution that completes `done_after` after the first poll.
async fn run(done_after: Duration, options: WaitOptions) -> Run {
    let first: Arc<OnceLock<Instant>> = Arc::default();
    let running = Reply::json(200, &fixtures::execution("running"));
    let completed = Reply::json(200, &fixtures::execution("completed"));
    let seen = Arc::clone(&first);
    let server = TestServer::start(move |_req| {
        let t0 = *seen.get_or_init(Instant::now);
        if t0.elapsed() >= done_after {
            completed.clone()
        } else {
            running.clone()
        }
    });
    let client = Client::builder()
        .api_key("k")
        .base_url(server.base_url())
        .build()
        .expect("build the SDK client");
    let id: Uuid = fixtures::EXECUTION_ID.parse().expect("fixture id");
    let outcome = client
        .wait_for_execution(id)
        .options(options)
        .await
        .expect("wait");
    let returned = Instant::now();
    assert!(outcome.is_completed(), "ended with {}", outcome.status());
    let t0 = *first.get().expect("at least one poll");
    Run {
        requests: server.request_count(),
        polls: server
            .requests()
            .iter()
            .map(|r| r.received_at.saturating_duration_since(t0))
            .collect(),
        late: returned.saturating_duration_since(t0 + done_after),
    }
}

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not (as criterion reads it).
    let args: Vec<String> = std::env::args().collect();
    let bench = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");
    if !bench {
        let fast = WaitOptions::default()
            .with_delays(Duration::from_millis(20), Duration::from_millis(50));
        let r = run(Duration::from_millis(50), fast).await;
        assert!(r.requests >= 2, "{} requests", r.requests);
        println!(
            "wait: ok ({} requests, {} s late)",
            r.requests,
            secs(r.late)
        );
        return;
    }

    println!(
        "wait_for_execution, default WaitOptions (2 s growing x1.5 to 30 s, jitter 0.75-1.0):"
    );
    println!("| completes after | requests | polls at (s after the first) | noticed late by |");
    println!("|---|---|---|---|");
    for t in [1, 3, 10] {
        let r = run(Duration::from_secs(t), WaitOptions::default()).await;
        let polls: Vec<String> = r.polls.iter().map(|&d| secs(d)).collect();
        println!(
            "| {t} s | {} | {} | {} s |",
            r.requests,
            polls.join(", "),
            secs(r.late)
        );
    }

    let scaled =
        WaitOptions::default().with_delays(Duration::from_millis(200), Duration::from_secs(3));
    const RUNS: usize = 5;
    println!();
    println!("scaled-down schedule (200 ms growing x1.5 to 3 s, jitter on), {RUNS} runs each:");
    println!("| completes after | requests (min-max) | late min | late median | late max |");
    println!("|---|---|---|---|---|");
    for ms in [100, 300, 1000] {
        let mut runs = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            runs.push(run(Duration::from_millis(ms), scaled).await);
        }
        let min_req = runs.iter().map(|r| r.requests).min().unwrap_or(0);
        let max_req = runs.iter().map(|r| r.requests).max().unwrap_or(0);
        let mut late: Vec<Duration> = runs.iter().map(|r| r.late).collect();
        late.sort();
        println!(
            "| {ms} ms | {min_req}-{max_req} | {} s | {} s | {} s |",
            secs(late[0]),
            secs(late[RUNS / 2]),
            secs(late[RUNS - 1])
        );
    }
}
