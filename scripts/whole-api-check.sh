#!/usr/bin/env bash
# The whole published API: copy the workspace, `cargo xtask regen --from` a whole-API
# file of tests/data/whole-api/ (no hand edits; regen itself checks that the result builds
# with every feature before writing anything), then require:
#   - `cargo clippy -p asteroid-sdk --all-features -- -D warnings` passes on the result;
#   - `asteroid_sdk::ErrorBody` still exists (api.txt) and no line of the report calls a
#     change to ExecutionGet's error type breaking;
#   - the copy's `regen --check` is clean (the outputs are what the spec gives);
#   - every operation, called through the SDK with values built from its schemas
#     (`cargo xtask conformance-test`, tests/data/whole-api/conformance.rs), succeeds
#     against Prism driven by the same spec;
#   - the programs of tests/data/whole-api/programs.rs (multipart upload and read back
#     through a 303 to a second origin that never sees the key, a three-page list async
#     and blocking) pass on the result.
# Usage: scripts/whole-api-check.sh [SPEC] (default: the latest release in tests/data/whole-api/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
spec="${1:-$root/tests/data/whole-api/asteroid-v2-1.8.201.yaml}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

copy="$work/whole"
mkdir -p "$copy"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents {} "$copy/")

echo "== cargo xtask regen --from $(basename "$spec")"
start=$(date +%s)
if ! (cd "$copy" && cargo xtask regen --from "$spec") >"$work/report.txt" 2>&1; then
    # The error (and what regen says of it) comes before the report.
    grep -v "^    compatible\|^    breaking\|^  [A-Z]" "$work/report.txt" | head -n 80
    echo "whole-api-check: regen failed" >&2
    exit 1
fi
echo "regen (build check included): $(( $(date +%s) - start )) s"
grep -E "^[0-9]+ changes|^API change" "$work/report.txt"
ops=$(grep -c "new operation" "$work/report.txt" || true)
echo "operations added by the report: $ops"

echo "== the merged error type keeps its name"
grep -q "^pub struct asteroid_sdk::ErrorBody\|asteroid_sdk::ErrorBody" "$copy/asteroid-sdk/api.txt" || {
    echo "whole-api-check: asteroid_sdk::ErrorBody is gone" >&2; exit 1; }
if awk '/^  ExecutionGet:/ {on=1; next} /^  [A-Za-z]/ {on=0} on && /breaking/' "$work/report.txt" | grep -q .; then
    awk '/^  ExecutionGet:/ {on=1; next} /^  [A-Za-z]/ {on=0} on' "$work/report.txt"
    echo "whole-api-check: the report calls a change to ExecutionGet breaking" >&2
    exit 1
fi

echo "== cargo clippy -p asteroid-sdk --all-features -- -D warnings"
start=$(date +%s)
(cd "$copy" && cargo clippy -p asteroid-sdk --all-features -- -D warnings)
echo "clippy: $(( $(date +%s) - start )) s"

echo "== cargo xtask regen --check on the copy"
(cd "$copy" && cargo xtask regen --check >/dev/null)
echo "== every operation against Prism driven by the spec (cargo xtask conformance-test)"
# Prism from the workspace's own install (.ci/run's `npm ci`).
[ -e "$root/node_modules" ] && ln -s "$root/node_modules" "$copy/node_modules"
mkdir -p "$copy/tests/it/whole_api_conformance"
cp "$root/tests/data/whole-api/conformance.rs" "$copy/tests/it/whole_api_conformance.rs"
(cd "$copy" && cargo xtask conformance-test --out tests/it/whole_api_conformance/calls.rs)
echo "mod whole_api_conformance;" >>"$copy/tests/it/main.rs"
start=$(date +%s)
if ! (cd "$copy" && cargo test -p asteroid-sdk-tests --test it whole_api_conformance -- --nocapture) >"$work/conformance.txt" 2>&1; then
    grep -E "^error|operations fail|^[A-Za-z]+: " -A3 "$work/conformance.txt" | grep -v "^\[" | head -n 80
    echo "whole-api-check: operations fail against Prism" >&2
    exit 1
fi
grep -A12 "^whole-API conformance:" "$work/conformance.txt" | grep -v "^test \|^$"
grep -q "^test whole_api_conformance::.* ok" "$work/conformance.txt" || {
    echo "whole-api-check: the conformance test did not run" >&2; exit 1; }
echo "conformance (build included): $(( $(date +%s) - start )) s"

echo "== a user's programs on the whole API (tests/data/whole-api/programs.rs)"
# They call operations by their names of 1.8 on; an older release lacks some of them.
for op in ExecutionContextFilesUpload ExecutionContextFilesGet ExecutionContextFileDownloadRedirect WorkflowList; do
    grep -q "operationId: $op\$" "$spec" || {
        echo "whole-api-check: $(basename "$spec") regenerates into a crate that builds and passes clippy (programs skipped: no $op)"
        exit 0; }
done
cp "$root/tests/data/whole-api/programs.rs" "$copy/tests/it/whole_api_programs.rs"
echo "mod whole_api_programs;" >>"$copy/tests/it/main.rs"
start=$(date +%s)
if ! (cd "$copy" && cargo test -p asteroid-sdk-tests --test it whole_api_programs) >"$work/programs.txt" 2>&1; then
    grep -E "^error|^test .*FAILED|panicked" -A8 "$work/programs.txt" | head -n 80
    echo "whole-api-check: the programs fail on the whole API" >&2
    exit 1
fi
grep -E "^test whole_api_programs::|^test result" "$work/programs.txt"
grep -q "^test whole_api_programs::.* ok" "$work/programs.txt" || {
    echo "whole-api-check: the programs did not run" >&2; exit 1; }
echo "programs (build included): $(( $(date +%s) - start )) s"
echo "whole-api-check: $(basename "$spec") regenerates into a crate that builds and passes clippy"
