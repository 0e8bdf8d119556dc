//! What the SDK costs on top of raw `reqwest` + `serde_json`, and how fast it decodes.
//!
//! - `get/*`: `ExecutionGet` against a local `TestServer` (HTTP/1.1, keep-alive), through
//!   the SDK (`client.execution_get().execution_id(id).send()`) and through raw reqwest +
//!   `serde_json::from_slice::<Execution>`, one request at a time (`sequential`) and 64 in
//!   flight (`in_flight_64`), over pooled connections, on a 2-thread Tokio runtime; plus
//!   raw reqwest with the SDK's decoding, which tells the decoding's share.
//! - `decode/*`: execution bodies of about 2 KiB (the fixture), 100 KiB and 5 MiB (a grown
//!   `executionResult.result`, which is untyped JSON), and 100 KiB grown in the typed
//!   `comments` instead, and executions as the live API sends them (members the spec does
//!   not list, which the typed model keeps) of 3 KiB and 100 KiB: the SDK's
//!   `decode_json::<Execution>` (with serde_path_to_error),
//!   plain `serde_json::from_slice::<Execution>`, and the untyped
//!   `serde_json::from_slice::<serde_json::Value>`.
//!
//! Run with `cargo bench -p asteroid-sdk-tests --bench sdk`; `cargo test -p
//! asteroid-sdk-tests --benches` runs each benchmark once as a test. Results are in
//! BENCHMARKS.md at the workspace root.

mod common;

use std::hint::black_box;
use std::time::Duration;

use asteroid_sdk::__private::decode_json;
use asteroid_sdk::Execution;
use asteroid_sdk_tests::fixtures;
use common::{Fetcher, IN_FLIGHT, execution_id, execution_server, runtime};
use criterion::{Criterion, Throughput, criterion_group};
use serde_json::{Value, json};

fn get(c: &mut Criterion) {
    let rt = runtime();
    let _guard = rt.enter();
    let server = execution_server();
    let id = execution_id();
    let fetchers = Fetcher::all(&server);

    // Open the pooled connections before measuring.
    for (_, f) in &fetchers {
        rt.block_on(f.get_many(id));
    }

    let mut group = c.benchmark_group("get/sequential");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(5));
    for (name, f) in &fetchers {
        group.bench_function(*name, |b| b.to_async(&rt).iter(|| f.get(id)));
    }
    group.finish();

    let mut group = c.benchmark_group("get/in_flight_64");
    group.throughput(Throughput::Elements(IN_FLIGHT as u64));
    group.measurement_time(Duration::from_secs(5));
    for (name, f) in &fetchers {
        group.bench_function(*name, |b| b.to_async(&rt).iter(|| f.get_many(id)));
    }
    group.finish();
}

/// A completed execution of at least `target` bytes (the fixture as is when `target` is
/// small), grown with invoice-like rows in the untyped `executionResult.result`, or, with
/// `typed_rows`, with comments in the typed `comments` array.
fn execution_body(target: usize, typed_rows: bool) -> Vec<u8> {
    let mut value = fixtures::execution("completed");
    let base = serde_json::to_vec(&value).expect("serialize").len();
    if target <= base {
        return serde_json::to_vec(&value).expect("serialize");
    }
    let row = |i: usize| {
        if typed_rows {
            let mut comment = value["comments"][0].clone();
            comment["content"] = json!(format!("Checked invoice INV-{i:07} against the ledger."));
            comment
        } else {
            json!({
                "number": format!("INV-{i:07}"),
                "vendor": "ACME Corporation",
                "total": 120.5 + i as f64,
                "currency": "EUR",
                "paid": i.is_multiple_of(3),
                "lines": [{"sku": "A-1", "qty": 2, "price": 10.25}, {"sku": "B-7", "qty": 1, "price": 99.0}],
            })
        }
    };
    let row_len = serde_json::to_vec(&row(0)).expect("serialize").len() + 1;
    let rows: Vec<Value> = (0..(target - base).div_ceil(row_len)).map(row).collect();
    if typed_rows {
        value["comments"] = json!(rows);
    } else {
        value["executionResult"]["result"] = json!({"invoices": rows, "count": rows.len()});
    }
    serde_json::to_vec(&value).expect("serialize")
}

/// An execution as the live API sends it, with members the spec does not list (kept by
/// the typed model), of at least `target` bytes: grown with copies of its comment (which
/// has an unlisted member of its own) in the typed `comments` array.
fn live_body(target: usize) -> Vec<u8> {
    let mut value = fixtures::fixture("execution_live_unknown_members.json");
    let comment = value["comments"][0].clone();
    let mut comments = vec![comment.clone()];
    while serde_json::to_vec(&value).expect("serialize").len() < target {
        for _ in 0..16 {
            comments.push(comment.clone());
        }
        value["comments"] = json!(comments);
    }
    serde_json::to_vec(&value).expect("serialize")
}

/// The bodies the decode benchmarks read, by label.
fn bodies() -> [(&'static str, Vec<u8>); 6] {
    [
        ("2KiB", execution_body(0, false)),
        ("100KiB", execution_body(100 * 1024, false)),
        ("5MiB", execution_body(5 * 1024 * 1024, false)),
        // The same size, grown in a typed field instead of the untyped result.
        ("100KiB_typed_comments", execution_body(100 * 1024, true)),
        // As the live API sends them: members the spec does not list, kept.
        ("2KiB_live_unknown_members", live_body(0)),
        ("100KiB_live_unknown_members", live_body(100 * 1024)),
    ]
}

/// The decoders compared, by name.
fn decode_with(kind: &str, body: &[u8]) {
    match kind {
        "sdk_decode_json" => drop(black_box(
            decode_json::<Execution>(black_box(body)).expect("typed decode"),
        )),
        "serde_json_typed" => drop(black_box(
            serde_json::from_slice::<Execution>(black_box(body)).expect("typed decode"),
        )),
        "serde_json_value" => drop(black_box(
            serde_json::from_slice::<Value>(black_box(body)).expect("untyped decode"),
        )),
        other => panic!("no decoder named {other}"),
    }
}

const DECODERS: [&str; 3] = ["sdk_decode_json", "serde_json_typed", "serde_json_value"];

fn decode(c: &mut Criterion) {
    for (label, body) in bodies() {
        let mut group = c.benchmark_group(format!("decode/{label}"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        if body.len() > 1024 * 1024 {
            group.sample_size(20);
        }
        for kind in DECODERS {
            group.bench_function(kind, |b| b.iter(|| decode_with(kind, &body)));
        }
        group.finish();
    }
}

/// Short runs: the whole `cargo bench --bench sdk` takes two to three minutes. Command-line
/// options (`--measurement-time`, `--warm-up-time`, ...) override these.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = get, decode
}
/// `--count DECODER LABEL N`: decode one body N times and exit, for instruction counts
/// (`scripts/instructions.sh` runs it under callgrind at two N and takes the difference);
/// `--count dump LABEL` writes the body to stdout.
fn count(args: &[String]) {
    if let [dump, label, ..] = args
        && dump == "dump"
    {
        // `--count dump LABEL`: the body itself, for a decoder outside this build.
        std::io::Write::write_all(&mut std::io::stdout(), &body(label)).expect("stdout");
        return;
    }
    let [kind, label, n, ..] = args else {
        panic!("usage: --count DECODER LABEL N");
    };
    let n: usize = n.parse().expect("N is a number");
    let body = body(label);
    for _ in 0..n {
        decode_with(kind, &body);
    }
}

fn body(label: &str) -> Vec<u8> {
    bodies()
        .into_iter()
        .find(|(l, _)| *l == label)
        .map(|(_, body)| body)
        .unwrap_or_else(|| panic!("no body labelled {label}"))
}

/// `--paired`: decode time of each decoder against `serde_json::Value`, paired as the
/// overhead bench pairs requests: in each of 41 rounds, blocks of decodes of the two
/// alternate (the order alternating too), and the median of the per-round ratios is
/// printed, so that the machine's drift falls on both alike.
fn paired() {
    println!(
        "| body | decoder | median µs/decode | vs serde_json_value (median of 41 paired rounds) |"
    );
    println!("|---|---|---|---|");
    for (label, body) in bodies() {
        // About 20 ms of decoding a block.
        let started = std::time::Instant::now();
        decode_with("serde_json_value", &body);
        let one = started.elapsed().max(Duration::from_nanos(100));
        let block =
            (Duration::from_millis(20).as_nanos() / one.as_nanos()).clamp(1, 10_000) as usize;
        let time = |kind: &str| {
            let started = std::time::Instant::now();
            for _ in 0..block {
                decode_with(kind, &body);
            }
            started.elapsed().as_secs_f64() / block as f64
        };
        for kind in ["serde_json_typed", "sdk_decode_json"] {
            let mut ratios = Vec::new();
            let mut times = Vec::new();
            for round in 0..41 {
                let (t, v) = if round % 2 == 0 {
                    let t = time(kind);
                    (t, time("serde_json_value"))
                } else {
                    let v = time("serde_json_value");
                    (time(kind), v)
                };
                ratios.push(t / v);
                times.push(t);
            }
            ratios.sort_by(f64::total_cmp);
            times.sort_by(f64::total_cmp);
            println!(
                "| {label} ({} B) | {kind} | {:.1} | **{:.3}** |",
                body.len(),
                times[20] * 1e6,
                ratios[20]
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--count") {
        count(&args[at + 1..]);
        return;
    }
    if args.iter().any(|a| a == "--paired") {
        paired();
        return;
    }
    // What `criterion_main!(benches)` expands to.
    benches();
    Criterion::default().configure_from_args().final_summary();
}
