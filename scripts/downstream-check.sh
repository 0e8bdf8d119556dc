#!/usr/bin/env bash
# The packaged SDK works for a user: `cargo package` the SDK, unpack the `.crate`, and
# build and test two crates outside the workspace against it (tests/downstream/async: a
# program and its tests with the `mock` feature; tests/downstream/sync: the blocking
# client, no tokio), as a user who read only the README would write them. It guards
# against packaging mistakes (a file the package lacks) and re-export regressions.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
version="$(cd "$root" && cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="asteroid-sdk"))')"
crate="$CARGO_TARGET_DIR/package/asteroid-sdk-$version.crate"
[ -f "$crate" ] || (cd "$root" && cargo package -p asteroid-sdk --allow-dirty --no-verify)
mkdir -p "$work/sdk"
tar -xzf "$crate" -C "$work/sdk"
sdk="$work/sdk/asteroid-sdk-$version"

for kind in async sync; do
    cp -r "$root/tests/downstream/$kind" "$work/$kind"
    # The versions the workspace builds and tests with.
    cp "$root/Cargo.lock" "$work/$kind/Cargo.lock"
    printf '\n[patch.crates-io]\nasteroid-sdk = { path = "%s" }\n' "$sdk" >>"$work/$kind/Cargo.toml"
done

echo "== downstream (async): build and test with the packaged SDK"
(cd "$work/async" && cargo test)

echo "== downstream (sync): the blocking client against a local server"
cat >"$work/server.py" <<'PY'
import http.server, json, sys
seq = ["running", "running", "completed"]
count = {"n": 0}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        i = min(count["n"], len(seq) - 1); count["n"] += 1
        body = json.dumps({"id": self.path.rsplit("/", 1)[-1], "agentId": "1c8d3a4f-6e2b-4d8f-a02f-3b4c5d6e7f80",
            "workflowId": "2d9e4b50-7f3c-4e90-b13a-4c5d6e7f8091", "organizationId": "3eaf5c61-8a4d-4fa1-8c4b-5d6e7f8091a2",
            "agentName": "sync", "status": seq[i], "createdAt": "2026-11-20T09:15:02Z", "hasBeenRerun": False,
            "humanLabels": [], "comments": []}).encode()
        self.send_response(200); self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$work/server.py" >"$work/port" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port="$(cat "$work/port")"
out="$(cd "$work/sync" && ASTEROID_API_KEY=k ASTEROID_BASE_URL="http://127.0.0.1:$port" \
    cargo run -q -- 0b7c2f3e-5d1a-4c7e-9f1e-2a3b4c5d6e7f)"
echo "$out"
grep -q "^ended completed$" <<<"$out"
! grep -q '^tokio' <(cd "$work/sync" && cargo tree -e normal --depth 1 --prefix none | tail -n +2)
echo "downstream-check: the packaged SDK builds, tests and runs as the README says"
