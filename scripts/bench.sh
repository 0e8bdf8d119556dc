#!/usr/bin/env bash
# Regenerates every figure of BENCHMARKS.md, printed to stdout (about 7 minutes once the
# release build exists, 15 from scratch, about 12 more for the instruction counts; 2 cores):
#   1. the machine;
#   2. criterion: SDK vs raw reqwest GET, decode throughput (`cargo bench --bench sdk`),
#      with a table of medians and ratios read from target/criterion;
#   3. the same comparison paired, with CPU time per request (`cargo bench --bench overhead`);
#   4. wait_for_execution's polls and lateness (`cargo bench --bench wait`);
#   5. the time of `cargo xtask regen --check` once built (hyperfine if installed);
#   6. the clean-build cost of the SDK against a bare crate (`cargo xtask build-cost`);
#   7. instruction counts per request and per decode (`scripts/instructions.sh`, valgrind).
# Run it on an idle machine: the figures are only as quiet as the machine is.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"

echo "## Machine"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cores (nproc): $(nproc)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "toolchain: $(rustc --version); $(cargo --version)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "## cargo bench -p asteroid-sdk-tests --bench sdk"
started=$(date +%s)
cargo bench -p asteroid-sdk-tests --bench sdk
# The medians of this run only (criterion keeps older benchmarks' results too).
python3 - "$target_dir/criterion" "$started" <<'PY'
import json, os, sys
root, started = sys.argv[1], float(sys.argv[2])
rows = {}
for dirpath, _, files in os.walk(root):
    if (os.path.basename(dirpath) == "new" and "estimates.json" in files
            and os.path.getmtime(os.path.join(dirpath, "estimates.json")) >= started):
        bench = json.load(open(os.path.join(dirpath, "benchmark.json")))
        est = json.load(open(os.path.join(dirpath, "estimates.json")))
        rows[bench["full_id"]] = (est["median"]["point_estimate"], bench.get("throughput") or {})
def fmt(ns):
    for unit, div in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= div:
            return f"{ns / div:.2f} {unit}"
    return f"{ns:.0f} ns"
print("\n| benchmark | median | throughput at the median |\n|---|---|---|")
for name in sorted(rows):
    ns, tp = rows[name]
    if "Bytes" in tp:
        rate = f"{tp['Bytes'] / (ns / 1e9) / 2**20:.0f} MiB/s ({tp['Bytes']} B bodies)"
    elif "Elements" in tp:
        rate = f"{tp['Elements'] / (ns / 1e9):.0f} requests/s"
    else:
        rate = ""
    print(f"| {name} | {fmt(ns)} | {rate} |")
print("\n| ratio of medians | value |\n|---|---|")
pairs = [("sdk", "raw_reqwest"), ("sdk_decode_json", "serde_json_value"),
         ("serde_json_typed", "serde_json_value"), ("sdk_decode_json", "serde_json_typed")]
for group in sorted({name.rpartition("/")[0] for name in rows}):
    for a, b in pairs:
        if f"{group}/{a}" in rows and f"{group}/{b}" in rows:
            print(f"| {group}: {a} / {b} | {rows[f'{group}/{a}'][0] / rows[f'{group}/{b}'][0]:.3f} |")
PY

echo
echo "## cargo bench -p asteroid-sdk-tests --bench overhead"
cargo bench -p asteroid-sdk-tests --bench overhead

echo
echo "## cargo bench -p asteroid-sdk-tests --bench wait"
cargo bench -p asteroid-sdk-tests --bench wait

echo
echo "## cargo xtask regen --check (once built)"
cargo build -q -p xtask
if command -v hyperfine >/dev/null; then
    hyperfine --warmup 2 --runs 20 --style basic \
        "$target_dir/debug/xtask regen --check" "cargo xtask regen --check"
else
    for cmd in "$target_dir/debug/xtask regen --check" "cargo xtask regen --check"; do
        start=$(date +%s%N)
        for _ in $(seq 20); do $cmd >/dev/null 2>&1; done
        echo "$cmd: mean of 20 runs $(( ($(date +%s%N) - start) / 20000000 )) ms"
    done
fi

echo
echo "## cargo xtask build-cost"
cargo xtask build-cost

echo
echo "## instruction counts (scripts/instructions.sh)"
if command -v valgrind >/dev/null; then
    bash scripts/instructions.sh
else
    echo "valgrind is not installed: skipped"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
