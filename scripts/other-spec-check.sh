#!/usr/bin/env bash
# The hand-written layer depends on no name a spec may not have: for each spec given
# (default: tests/data/petstore-expanded.yaml, which has no execution API and one error
# schema named `Error`), copy the workspace, drop the spec in, `cargo xtask regen` it,
# then require that
#   - the crate builds with every feature (`cargo check -p asteroid-sdk --all-features`),
#   - its unit tests build and pass (`cargo test -p asteroid-sdk --all-features --lib`),
#   - `asteroid_sdk::ErrorBody` and `asteroid_sdk::Error` (its default) exist,
#   - the waiters are there exactly when the generator found the execution API
#     (`if_execution_api!` in the generated client keeps or drops them).
# Usage: scripts/other-spec-check.sh [SPEC...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Share the build directory: only the copy's own crates are compiled again.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
[ $# -gt 0 ] || set -- "$root/tests/data/petstore-expanded.yaml"

n=0
for spec in "$@"; do
    n=$((n + 1))
    copy="$work/copy$n"
    echo "== $spec"
    mkdir -p "$copy"
    (cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents {} "$copy/")
    cp "$spec" "$copy/openapi.yaml"
    # The examples are written for the execution API; what this checks is the library
    # (regen's own build check also builds the examples, so it is skipped here).
    (cd "$copy" && cargo xtask regen --no-build-check) | tail -n 3
    (cd "$copy" && cargo check -p asteroid-sdk --all-features)
    (cd "$copy" && cargo test -p asteroid-sdk --all-features --lib) 2>&1 | grep -E "^test result|FAILED|panicked" || true
    (cd "$copy" && cargo test -p asteroid-sdk --all-features --lib >/dev/null 2>&1) || {
        echo "other-spec-check: the unit tests fail on $spec" >&2; exit 1; }
    client="$copy/asteroid-sdk/src/generated/client.rs"
    grep -q "pub struct ErrorBody\b\|pub struct ErrorBody(" "$client" || {
        echo "other-spec-check: no ErrorBody generated from $spec" >&2; exit 1; }
    if grep -q "The spec has the execution API" "$client"; then
        echo "execution API: yes (waiters kept)"
    else
        echo "execution API: no (waiters dropped)"
    fi
done
echo "other-spec-check: ok"
