#!/usr/bin/env bash
# Sourced by the contract suites (tests/client-ts, tests/schemathesis): starts the
# real `living-gate` binary on a fresh database with the demo data and exports
#   LG_BASE_URL          http://127.0.0.1:<port>
#   LG_CREDENTIALS_FILE  the demo accounts (role, e-mail, password per line)
# The database and the server are removed when the sourcing shell exits.
# Needs the PostgreSQL server of the test suite (TEST_DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/postgres).

set -euo pipefail
LG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
admin_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db_name="lg_contract_$$_$RANDOM"
base="${admin_url%/*}"
LG_WORK="$(mktemp -d /tmp/lg-contract.XXXXXX)"

lg_stop() {
  if [ -n "${LG_SERVER_PID:-}" ]; then
    kill "$LG_SERVER_PID" 2>/dev/null || true
    wait "$LG_SERVER_PID" 2>/dev/null || true
  fi
  psql -q "$admin_url" -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$LG_WORK"
}
trap lg_stop EXIT

(cd "$LG_ROOT" && cargo build --quiet -p living-gate-api --bin living-gate)
binary="$LG_ROOT/target/debug/living-gate"

psql -q "$admin_url" -c "CREATE DATABASE \"$db_name\"" >/dev/null
export DATABASE_URL="$base/$db_name"
export LIVING_GATE_DATA_DIR="$LG_WORK/data"
export LIVING_GATE_LOG="${LIVING_GATE_LOG:-warn}"
# The suites log in as every role many times from one address.
export LIVING_GATE_LOGIN_MAX_ATTEMPTS_PER_ADDRESS=100000
export LIVING_GATE_LOGIN_MAX_FAILURES_PER_EMAIL=1000

"$binary" seed-demo >/dev/null
LG_CREDENTIALS_FILE="$LIVING_GATE_DATA_DIR/demo-credentials.txt"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LIVING_GATE_BIND="127.0.0.1:$port" "$binary" serve >"$LG_WORK/server.log" 2>&1 &
LG_SERVER_PID=$!
LG_BASE_URL="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -sf "$LG_BASE_URL/readyz" >/dev/null 2>&1 && break
  kill -0 "$LG_SERVER_PID" 2>/dev/null || { cat "$LG_WORK/server.log" >&2; exit 1; }
  sleep 0.2
done
curl -sf "$LG_BASE_URL/readyz" >/dev/null || { cat "$LG_WORK/server.log" >&2; exit 1; }
export LG_BASE_URL LG_CREDENTIALS_FILE LG_SERVER_PID
LG_SERVER_LOG="$LG_WORK/server.log"
export LG_SERVER_LOG

# A bearer token for a demo role: lg_token desk
lg_token() {
  local role="$1" email password
  read -r email password < <(awk -v r="$role" '$1 == r {print $2, $3; exit}' "$LG_CREDENTIALS_FILE")
  curl -sf "$LG_BASE_URL/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\": \"$email\", \"password\": \"$password\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
