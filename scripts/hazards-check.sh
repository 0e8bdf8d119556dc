#!/usr/bin/env bash
# Identifiers a spec can choose must never break the generated crate: copy the workspace,
# `cargo xtask regen --from tests/data/openapi.hazards.yaml` (property, parameter, schema
# and operation names such as `key`, `value`, `map`, `self`, `Option`, `Result`, `Client`,
# `builder`, `send`, names that differ only in case or separators, an enum value
# `Unknown`, a query parameter named like a path parameter), then require that the crate
#   - builds with every feature (`mock` and `blocking` included): `cargo check`,
#   - passes `cargo clippy --all-features -- -D warnings`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Share the build directory: only the copy's own crates are compiled again.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

copy="$work/hazards"
mkdir -p "$copy"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents {} "$copy/")

echo "== regenerate from tests/data/openapi.hazards.yaml"
(cd "$copy" && cargo xtask regen --from tests/data/openapi.hazards.yaml) >"$work/report.txt" || {
    cat "$work/report.txt"; echo "hazards-check: generation failed" >&2; exit 1; }
tail -n 1 "$work/report.txt"
echo "== cargo check -p asteroid-sdk --all-features"
(cd "$copy" && cargo check -p asteroid-sdk --all-features)
echo "== cargo clippy -p asteroid-sdk --all-features -- -D warnings"
(cd "$copy" && cargo clippy -p asteroid-sdk --all-features -- -D warnings)
echo "hazards-check: the crate generated from the hazards spec builds and passes clippy"
