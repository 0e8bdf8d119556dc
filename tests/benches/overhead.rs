//! The SDK's overhead over raw reqwest, measured paired: in every round each variant runs
//! a block of requests right next to a block of raw reqwest (the order alternating), so
//! that a change in the machine's load falls on both alike; the ratio of each pair is
//! taken, and the median of those ratios reported (criterion measures one benchmark
//! after the other, and on a shared 2-core machine that drift exceeds the 5% being
//! looked for).
//!
//! A block is sequential requests, then batches of 64 requests in flight, with the
//! process's CPU time (client and server: they share the process). Printed: per variant,
//! the median per-request times and the median ratios to raw reqwest. Run with
//! `cargo bench -p asteroid-sdk-tests --bench overhead` (about a minute); under
//! `cargo test --benches` it makes one short round.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use asteroid_sdk::Client;
use common::{Fetcher, IN_FLIGHT, execution_id, execution_server, runtime};

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// One block of one variant: `sequential` requests one after the other, then `batches`
/// batches of [`IN_FLIGHT`] at once.
fn run_block(
    rt: &tokio::runtime::Runtime,
    f: &Fetcher,
    id: asteroid_sdk::Uuid,
    sequential: usize,
    batches: usize,
) {
    rt.block_on(async {
        for _ in 0..sequential {
            std::hint::black_box(f.get(id).await);
        }
        for _ in 0..batches {
            f.get_many(id).await;
        }
    });
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not (as criterion reads
    // it). `--rounds N` changes the number of rounds; other arguments name the variants to
    // pair with raw reqwest (default: all). With `--alone`, the named variants run alone,
    // in blocks of 300 sequential and 8 x 64 in flight a round, for instruction counts:
    // `valgrind --tool=callgrind ... --bench --alone --rounds R sdk`.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");
    let mut rounds = if bench { 40 } else { 1 };
    let mut only = Vec::new();
    let mut alone = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--rounds" => rounds = it.next().and_then(|n| n.parse().ok()).expect("--rounds N"),
            "--alone" => alone = true,
            a if !a.starts_with('-') => only.push(a.to_string()),
            _ => {}
        }
    }

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
    // Raw reqwest with the SDK's default timeout, on its own client: what a timeout costs
    // anyone (a tokio timer per request).
    fetchers.push((
        "raw_reqwest_timeout",
        Fetcher::Raw {
            http: reqwest::Client::builder()
                .timeout(asteroid_sdk::config::DEFAULT_TIMEOUT)
                .build()
                .expect("build the raw client"),
            base: server.base_url().into(),
            sdk_decode: false,
        },
    ));
    fetchers.push(("sdk_no_retries", sdk_with(|b| b.max_retries(0))));
    fetchers.push(("sdk_no_timeout", sdk_with(|b| b.no_timeout())));
    fetchers.push((
        "sdk_no_retries_no_timeout",
        sdk_with(|b| b.max_retries(0).no_timeout()),
    ));
    // Open the pooled connections and warm up.
    for (_, f) in &fetchers {
        rt.block_on(f.get_many(id));
    }

    if alone {
        // Each named variant alone, for instruction counts.
        fetchers.retain(|(name, _)| only.iter().any(|o| o == name));
        for _ in 0..rounds {
            for (_, f) in &fetchers {
                run_block(&rt, f, id, 300, 8);
            }
        }
        println!("overhead: {rounds} rounds of {:?}", only);
        return;
    }

    let (sequential, batches) = if bench { (200, 8) } else { (5, 1) };
    let raw_index = fetchers
        .iter()
        .position(|(name, _)| *name == "raw_reqwest")
        .expect("the raw variant");
    // Every other variant is paired with raw reqwest request by request: one request of
    // each, the order alternating, each timed, so that both see the same load from one
    // tenth of a millisecond to the next; likewise batches of 64 in flight, batch by
    // batch. A round gives one ratio per variant (its total time over raw's); the median
    // over the rounds is reported.
    let others: Vec<usize> = (0..fetchers.len())
        .filter(|&i| i != raw_index)
        .filter(|&i| only.is_empty() || only.iter().any(|o| o == fetchers[i].0))
        .collect();
    let mut ratios: Vec<[Vec<f64>; 2]> = others.iter().map(|_| Default::default()).collect();
    let mut absolute: Vec<[Vec<f64>; 2]> =
        (0..fetchers.len()).map(|_| Default::default()).collect();
    for round in 0..rounds {
        for (k, &v) in others.iter().enumerate() {
            let pair = [raw_index, v];
            let mut seq = [Duration::ZERO; 2];
            let mut many = [Duration::ZERO; 2];
            rt.block_on(async {
                for n in 0..sequential {
                    for j in [(n + round + k) % 2, (n + round + k + 1) % 2] {
                        let started = Instant::now();
                        std::hint::black_box(fetchers[pair[j]].1.get(id).await);
                        seq[j] += started.elapsed();
                    }
                }
                for n in 0..batches {
                    for j in [(n + round + k) % 2, (n + round + k + 1) % 2] {
                        let started = Instant::now();
                        fetchers[pair[j]].1.get_many(id).await;
                        many[j] += started.elapsed();
                    }
                }
            });
            let per = |d: Duration, n: usize| d.as_secs_f64() * 1e6 / n as f64;
            ratios[k][0].push(seq[1].as_secs_f64() / seq[0].as_secs_f64());
            ratios[k][1].push(many[1].as_secs_f64() / many[0].as_secs_f64());
            for j in 0..2 {
                absolute[pair[j]][0].push(per(seq[j], sequential));
                absolute[pair[j]][1].push(per(many[j], batches * IN_FLIGHT));
            }
        }
    }

    if !bench {
        println!(
            "overhead: ok ({} variants, one short round)",
            fetchers.len()
        );
        return;
    }
    println!(
        "{rounds} rounds; each variant paired with raw reqwest request by request ({sequential} \
         sequential pairs a round) and batch by batch ({batches} pairs of {IN_FLIGHT} in \
         flight), the order alternating; ratios are medians of the per-round ratios"
    );
    println!(
        "| variant | sequential µs/request | vs raw | {IN_FLIGHT} in flight µs/request | vs raw |"
    );
    println!("|---|---|---|---|---|");
    let row = |name: &str, abs: &mut [Vec<f64>; 2], r: Option<&mut [Vec<f64>; 2]>| {
        let (a, b) = (median(&mut abs[0]), median(&mut abs[1]));
        let (x, y) = match r {
            Some(r) => (
                format!("**{:.3}**", median(&mut r[0])),
                format!("**{:.3}**", median(&mut r[1])),
            ),
            None => ("1".into(), "1".into()),
        };
        println!("| {name} | {a:.1} | {x} | {b:.1} | {y} |");
    };
    row("raw_reqwest", &mut absolute[raw_index], None);
    for (k, &v) in others.iter().enumerate() {
        let name = fetchers[v].0;
        let mut abs = std::mem::take(&mut absolute[v]);
        row(name, &mut abs, Some(&mut ratios[k]));
    }
    // What each request in flight keeps in memory: the state of its future.
    if let Some((_, Fetcher::Sdk(client))) = fetchers.iter().find(|(n, _)| *n == "sdk") {
        let call = client.execution_get().execution_id(id).send();
        let http = reqwest::Client::new();
        let raw = async {
            let response = http.get(server.base_url()).send().await?;
            let bytes = response.bytes().await?;
            Ok::<_, reqwest::Error>(serde_json::from_slice::<asteroid_sdk::Execution>(&bytes))
        };
        println!(
            "future of one call: sdk {} bytes, raw reqwest {} bytes",
            std::mem::size_of_val(&call),
            std::mem::size_of_val(&raw)
        );
    }
}
