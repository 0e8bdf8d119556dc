#!/usr/bin/env bash
# A later spec regenerates with no hand edits and builds: copy the workspace, drop in
# tests/data/openapi.evolved.yaml (a new status value, a new optional nullable property,
# a second operation with a body, an inline enum and its own error schemas), run
# `cargo xtask regen`, and build and run an example that calls the new operation.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
git ls-files -z | xargs -0 -I{} cp --parents {} "$work/"
cp tests/data/openapi.evolved.yaml "$work/openapi.yaml"
mkdir -p "$work/asteroid-sdk/examples"
cp tests/data/evolved_example.rs "$work/asteroid-sdk/examples/evolved.rs"
# Share the build directory: only the copy's own crates are compiled again.
export CARGO_TARGET_DIR="$root/target"
cd "$work"
cargo xtask regen
grep -q "fn execution_cancel" asteroid-sdk/src/generated/client.rs
out="$(cargo run -q -p asteroid-sdk --example evolved)"
echo "$out"
grep -q "retryable=true" <<<"$out"
grep -q "^Queued$" <<<"$out"
echo "evolve-check: the later spec regenerated and built with no hand edits"
