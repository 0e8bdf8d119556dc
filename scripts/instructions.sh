#!/usr/bin/env bash
# Instruction counts (valgrind's callgrind) for BENCHMARKS.md: steadier than wall-clock
# time on a shared machine. Each figure is the difference between two runs of different
# lengths, divided by the work in between, so that start-up (runtime, server, connection
# pool, fixture bodies) cancels out.
#   - per request: the overhead bench's `--alone` mode at 2 and 6 rounds (a round is 300
#     sequential requests and 8 x 64 in flight: 4 x 812 requests in between);
#   - per decode: the sdk bench's `--count` mode at 10 and 110 decodes; and the same
#     bodies decoded by a throwaway crate outside the workspace, built as a user's crate
#     builds the SDK (in the workspace, the xtask's dependencies unify serde_json's
#     `preserve_order` in, which makes `serde_json::Value` an IndexMap and slower).
# Usage: bash scripts/instructions.sh  (builds the benches in the bench profile first).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 1; }
bench_bin() {
    cargo bench -p asteroid-sdk-tests --bench "$1" --no-run --message-format=json 2>/dev/null |
        python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == sys.argv[1] and m.get("executable"):
        print(m["executable"])' "$1"
}
collected() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
overhead=$(bench_bin overhead)
sdk=$(bench_bin sdk)

echo "| variant | instructions/request | vs raw_reqwest |"
echo "|---|---|---|"
raw=""
for variant in raw_reqwest sdk raw_reqwest_timeout sdk_no_timeout sdk_no_retries_no_timeout; do
    a=$(collected "$overhead" --bench --alone --rounds 2 "$variant")
    b=$(collected "$overhead" --bench --alone --rounds 6 "$variant")
    per=$(( (b - a) / 3248 ))
    raw=${raw:-$per}
    echo "| $variant | $per | $(python3 -c "print(f'{$per / $raw:.3f}')") |"
done

echo
echo "| body | decoder | instructions/decode | vs serde_json_value |"
echo "|---|---|---|---|"
for label in 2KiB 2KiB_live_unknown_members 100KiB_live_unknown_members 100KiB_typed_comments; do
    value=""
    for kind in serde_json_value serde_json_typed sdk_decode_json; do
        a=$(collected "$sdk" --count "$kind" "$label" 10)
        b=$(collected "$sdk" --count "$kind" "$label" 110)
        per=$(( (b - a) / 100 ))
        value=${value:-$per}
        echo "| $label | $kind | $per | $(python3 -c "print(f'{$per / $value:.3f}')") |"
    done
done

# The same decodes in a crate of a user's: a throwaway crate depending on the SDK by path,
# with the workspace's Cargo.lock, built in the release profile in its own target dir.
root=$(pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/src"
cat > "$scratch/Cargo.toml" <<TOML
[package]
name = "decode-count"
version = "0.0.0"
edition = "2024"
publish = false
[workspace]
[dependencies]
asteroid-sdk = { path = "$root/asteroid-sdk" }
TOML
cat > "$scratch/src/main.rs" <<'RS'
use asteroid_sdk::{Execution, serde_json};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let body = std::fs::read(&args[1]).expect("body");
    let n: usize = args[3].parse().expect("N");
    for _ in 0..n {
        match args[2].as_str() {
            "serde_json_typed" => drop(std::hint::black_box(
                serde_json::from_slice::<Execution>(std::hint::black_box(&body)).expect("typed"),
            )),
            "serde_json_value" => drop(std::hint::black_box(
                serde_json::from_slice::<serde_json::Value>(std::hint::black_box(&body))
                    .expect("untyped"),
            )),
            other => panic!("no decoder named {other}"),
        }
    }
}
RS
cp Cargo.lock "$scratch/Cargo.lock"
cargo build -q --release --offline --manifest-path "$scratch/Cargo.toml" --target-dir "$scratch/target"
user_bin="$scratch/target/release/decode-count"

echo
echo "| body (a user's build) | decoder | instructions/decode | vs serde_json_value |"
echo "|---|---|---|---|"
for label in 2KiB 2KiB_live_unknown_members 100KiB_live_unknown_members 100KiB_typed_comments; do
    "$sdk" --count dump "$label" > "$scratch/$label.json"
    value=""
    for kind in serde_json_value serde_json_typed; do
        a=$(collected "$user_bin" "$scratch/$label.json" "$kind" 10)
        b=$(collected "$user_bin" "$scratch/$label.json" "$kind" 110)
        per=$(( (b - a) / 100 ))
        value=${value:-$per}
        echo "| $label | $kind | $per | $(python3 -c "print(f'{$per / $value:.3f}')") |"
    done
done
