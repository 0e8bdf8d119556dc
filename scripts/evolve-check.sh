#!/usr/bin/env bash
# A later spec that only adds things is a compatible release: copy the workspace, drop in
# tests/data/openapi.evolved.yaml, `cargo xtask regen` it (no hand edits), then
#   - the change report must end `API change: compatible (next version 0.1.1)`,
#   - `regen --check` and `public-api --check` are clean on the copy (regen wrote the
#     public-API listing with the code),
#   - the crate builds with every feature (`mock` and `blocking` included),
#   - the whole test suite passes on it, with the wire tests of the new operations
#     (tests/data/evolved/: wire.rs, styles on the wire, retries by method, body rules,
#     typed mocks, blocking calls; lists.rs, paginated lists walked to their last page;
#     downloads.rs, a 303 to a second origin that never sees the key) added,
#   - cargo-semver-checks, the committed crate as baseline, finds nothing that needs a
#     major version, and agrees with the report's verdict.
# Then the same for tests/data/openapi.breaking.yaml, where the report must say
# `breaking (next version 0.2.0)` and cargo-semver-checks must require a major version.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Share the build directory: only the copy's own crates are compiled again.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

copy_workspace() { # $1: destination
    mkdir -p "$1"
    (cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents {} "$1/")
    # Prism, installed once by `npm ci` in the checkout, serves the copy's spec.
    ln -s "$root/node_modules" "$1/node_modules"
}

regen_with() { # $1: copy, $2: spec, $3...: regen flags; prints the report, returns its last line in $verdict
    cp "$2" "$1/openapi.yaml"
    local copy="$1"
    shift 2
    (cd "$copy" && cargo xtask regen "$@") | tee "$copy/report.txt"
    verdict="$(tail -n 1 "$copy/report.txt")"
}

semver_check() { # $1: copy; prints cargo-semver-checks' output, sets $semver_major
    set +e
    out="$(cd "$1" && cargo semver-checks --manifest-path asteroid-sdk/Cargo.toml \
        --baseline-root "$root/asteroid-sdk" --all-features 2>&1)"
    status=$?
    set -e
    echo "$out" | tail -n 40
    if grep -q "requires new major version" <<<"$out"; then
        semver_major=yes
    elif [ $status -eq 0 ]; then
        semver_major=no
    else
        echo "evolve-check: cargo-semver-checks failed to run" >&2
        exit 1
    fi
}

echo "== later additive spec"
additive="$work/additive"
copy_workspace "$additive"
regen_with "$additive" "$root/tests/data/openapi.evolved.yaml"
[ "$verdict" = "API change: compatible (next version 0.1.1)" ] || {
    echo "evolve-check: the report says '$verdict' for an additive spec" >&2; exit 1; }
# Every test file of tests/data/evolved/ (wire.rs, lists.rs, downloads.rs) joins the suite.
evolved_mods=()
for f in "$root"/tests/data/evolved/*.rs; do
    m="evolved_$(basename "$f" .rs)"
    cp "$f" "$additive/tests/it/$m.rs"
    echo "mod $m;" >>"$additive/tests/it/main.rs"
    evolved_mods+=("$m")
done
(cd "$additive" && cargo xtask regen --check >/dev/null)
# regen refreshed the public-API listing with the code: the new surface is in the diff.
(cd "$additive" && cargo xtask public-api --check >/dev/null)
(cd "$additive" && cargo build -p asteroid-sdk --all-features)
if ! (cd "$additive" && cargo test --workspace) >"$work/additive-tests.txt" 2>&1; then
    grep -E "^test .*FAILED|panicked|^error" -A5 "$work/additive-tests.txt" | head -n 80
    echo "evolve-check: tests fail on the additive spec" >&2
    exit 1
fi
grep -E "^test result" "$work/additive-tests.txt"
for m in "${evolved_mods[@]}"; do
    grep -q "$m::.* ok" "$work/additive-tests.txt" || {
        echo "evolve-check: the tests of $m did not run" >&2; exit 1; }
done
semver_check "$additive"
[ "$semver_major" = no ] || { echo "evolve-check: cargo-semver-checks requires a major version for an additive spec" >&2; exit 1; }

echo "== later breaking spec"
breaking="$work/breaking"
copy_workspace "$breaking"
# The breaking spec removes a field the hand-written examples set: regen's build check
# refuses it, names the example, and writes nothing; the maintainer then regenerates with
# --no-build-check and mends the examples. The semver verdict is taken on that crate.
cp "$root/tests/data/openapi.breaking.yaml" "$breaking/openapi.yaml"
if (cd "$breaking" && cargo xtask regen) >"$work/breaking-refused.txt" 2>&1; then
    echo "evolve-check: regen wrote a breaking spec whose examples do not build" >&2; exit 1
fi
grep -q "examples/common/mod.rs.*(hand-written code)" "$work/breaking-refused.txt" || {
    cat "$work/breaking-refused.txt"; echo "evolve-check: regen's refusal does not name the example" >&2; exit 1; }
cmp -s "$breaking/asteroid-sdk/src/generated/client.rs" "$root/asteroid-sdk/src/generated/client.rs" || {
    echo "evolve-check: the refused regen changed the generated client" >&2; exit 1; }
regen_with "$breaking" "$root/tests/data/openapi.breaking.yaml" --no-build-check
[ "$verdict" = "API change: breaking (next version 0.2.0)" ] || {
    echo "evolve-check: the report says '$verdict' for a breaking spec" >&2; exit 1; }
semver_check "$breaking"
[ "$semver_major" = yes ] || { echo "evolve-check: cargo-semver-checks finds no major change in a breaking spec" >&2; exit 1; }

echo "evolve-check: additive spec = compatible release (report and cargo-semver-checks agree), breaking spec = major (both agree)"
