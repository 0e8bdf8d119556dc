//! The SDK's overhead over raw reqwest, measured paired: blocks of requests through each
//! variant, in rotating order, round after round, so that a change in the machine's load
//! falls on all variants alike (criterion measures one benchmark after the other, and on
//! a shared 2-core machine that drift can exceed the 5% being looked for).
//!
//! Each round times, per variant, a block of sequential requests and a block of batches
//! of 64 requests in flight, and the process's CPU time (client and server: they share
//! the process) during both. Printed: the medians over the rounds, per request, and their
//! ratios to raw reqwest. Run with `cargo bench -p asteroid-sdk-tests --bench overhead`
//! (about 20 s); under `cargo test --benches` it makes one short round.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use asteroid_sdk::Client;
use common::{Fetcher, IN_FLIGHT, execution_id, execution_server, runtime};

/// Time and CPU spent by one variant over all rounds.
#[derive(Default)]
struct Tally {
    /// Per-request wall time of each sequential block, in µs.
    sequential: Vec<f64>,
    /// Per-request wall time of each in-flight block, in µs.
    in_flight: Vec<f64>,
    /// CPU time of the process during this variant's blocks.
    cpu: Duration,
    /// Requests made in those blocks.
    requests: u64,
}

/// The process's CPU time (user + system), from `/proc/self/stat` (in clock ticks, which
/// are 10 ms on Linux).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    // After the command name: state is field 3, utime 14, stime 15 (1-based).
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not (as criterion reads
    // it). `--rounds N` changes the number of rounds; other arguments name the variants to
    // run (default: all).
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");
    let mut rounds = if bench { 30 } else { 1 };
    let mut only = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--rounds" => rounds = it.next().and_then(|n| n.parse().ok()).expect("--rounds N"),
            a if !a.starts_with('-') => only.push(a.to_string()),
            _ => {}
        }
    }
    let (sequential, batches) = if bench { (300, 8) } else { (5, 1) };

    let rt = runtime();
    let _guard = rt.enter();
    let server = execution_server();
    let id = execution_id();
    let mut fetchers = Fetcher::all(&server);
    let sdk_with = |f: fn(asteroid_sdk::ClientBuilder) -> asteroid_sdk::ClientBuilder| {
        let client: Client = f(Client::builder().api_key("k").base_url(server.base_url()))
            .build()
            .expect("build the SDK client");
        Fetcher::Sdk(Arc::new(client))
    };
    fetchers.push(("sdk_no_retries", sdk_with(|b| b.max_retries(0))));
    fetchers.push(("sdk_no_timeout", sdk_with(|b| b.no_timeout())));
    fetchers.push((
        "sdk_no_retries_no_timeout",
        sdk_with(|b| b.max_retries(0).no_timeout()),
    ));
    fetchers.retain(|(name, _)| only.is_empty() || only.iter().any(|o| o == name));
    let mut tallies: Vec<Tally> = fetchers.iter().map(|_| Tally::default()).collect();

    // Open the pooled connections and warm up.
    for (_, f) in &fetchers {
        rt.block_on(f.get_many(id));
    }

    for round in 0..rounds {
        for k in 0..fetchers.len() {
            let i = (round + k) % fetchers.len();
            let (_, f) = &fetchers[i];
            let tally = &mut tallies[i];
            let cpu = cpu_time();
            let started = Instant::now();
            rt.block_on(async {
                for _ in 0..sequential {
                    std::hint::black_box(f.get(id).await);
                }
            });
            let per = started.elapsed().as_secs_f64() * 1e6 / sequential as f64;
            tally.sequential.push(per);
            let started = Instant::now();
            rt.block_on(async {
                for _ in 0..batches {
                    f.get_many(id).await;
                }
            });
            let per = started.elapsed().as_secs_f64() * 1e6 / (batches * IN_FLIGHT) as f64;
            tally.in_flight.push(per);
            tally.cpu += cpu_time().saturating_sub(cpu);
            tally.requests += (sequential + batches * IN_FLIGHT) as u64;
        }
    }

    if !bench {
        println!(
            "overhead: ok ({} variants, one short round)",
            fetchers.len()
        );
        return;
    }
    let rows: Vec<(&str, f64, f64, f64)> = fetchers
        .iter()
        .zip(&mut tallies)
        .map(|((name, _), t)| {
            let cpu = t.cpu.as_secs_f64() * 1e6 / t.requests as f64;
            (
                *name,
                median(&mut t.sequential),
                median(&mut t.in_flight),
                cpu,
            )
        })
        .collect();
    let raw = rows
        .iter()
        .find(|r| r.0 == "raw_reqwest")
        .copied()
        .unwrap_or(("", f64::NAN, f64::NAN, f64::NAN));
    println!(
        "{rounds} rounds; per variant and round: {sequential} sequential requests, then {batches} x {IN_FLIGHT} in flight"
    );
    println!(
        "| variant | sequential, µs/request (median) | vs raw | {IN_FLIGHT} in flight, µs/request (median) | vs raw | CPU µs/request (all rounds) | vs raw |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, seq, many, cpu) in &rows {
        println!(
            "| {name} | {seq:.1} | {:.3} | {many:.1} | {:.3} | {cpu:.1} | {:.3} |",
            seq / raw.1,
            many / raw.2,
            cpu / raw.3
        );
    }
}
