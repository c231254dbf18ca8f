# Shared by the benchmark scripts: build the release binary, start it on a
# fresh embedded database in a temporary directory, and log in.
#   source bench/common.sh; start_api <port> [extra env assignments...]
# LIVING_GATE_BENCH_BIN=<path> runs that binary instead (no build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v wrk >/dev/null || { echo "install wrk: apt-get install wrk" >&2; exit 1; }
PGBENCH=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -1)
PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | tail -1)

start_api() {
  PORT=$1
  shift
  BIN=${LIVING_GATE_BENCH_BIN:-target/release/living-gate}
  [ -n "${LIVING_GATE_BENCH_BIN:-}" ] || cargo build -q --release -p living-gate-api --bin living-gate
  DATA=$(mktemp -d /tmp/lg-bench.XXXXXX)
  chmod 755 "$DATA"
  launch "$@"
  trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
  export PGPASSWORD
  PGPASSWORD=$(cat "$DATA/postgres/superuser-password")
  URL="postgres://postgres:$PGPASSWORD@127.0.0.1:$PGPORT/living_gate"
}

# restart_api [extra env assignments...]: the same server again, on the same
# data and port (its embedded PostgreSQL stops and starts with it).
restart_api() {
  kill "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  launch "$@"
  URL="postgres://postgres:$PGPASSWORD@127.0.0.1:$PGPORT/living_gate"
}

# launch [extra env assignments...]: serves $DATA on $PORT, waits until it
# is ready, and reads its embedded PostgreSQL's port.
launch() {
  env "$@" LIVING_GATE_DATA_DIR="$DATA" LIVING_GATE_BIND=127.0.0.1:$PORT LIVING_GATE_LOG=warn \
    "$BIN" serve >> "$DATA/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
    sleep 0.1
  done
  PGPORT=$(sed -n 4p "$DATA/postgres/data/postmaster.pid")
}

# login <role>: an access token of the first demo account of that role.
login() {
  local email password
  email=$(awk -v r="$1" '$1 == r {print $2}' "$DATA/demo-credentials.txt" | head -1)
  password=$(awk -v r="$1" '$1 == r {print $3}' "$DATA/demo-credentials.txt" | head -1)
  curl -s "http://127.0.0.1:$PORT/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\": \"$email\", \"password\": \"$password\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}

# proposal_lua <token> <municipality ids> [idempotent]: a wrk script that
# creates a case (POST /v1/proposals) as the token's partner; with several
# (space-separated) cities, each request names the next one in turn; with
# "idempotent", every request carries a fresh Idempotency-Key.
proposal_lua() {
  local lua city
  lua=$(mktemp /tmp/lg-post.XXXXXX.lua)
  {
    echo 'wrk.method = "POST"'
    echo 'wrk.headers["content-type"] = "application/json"'
    echo "wrk.headers[\"authorization\"] = \"Bearer $1\""
    echo 'local bodies = {}'
    for city in $2; do
      echo "table.insert(bodies, '{\"kind\": \"proposal\", \"municipality_id\": \"$city\", \"title\": \"ベンチマーク用の提案\", \"summary\": \"概要\", \"themes\": [\"other\"], \"channel\": \"web\"}')"
    done
    echo 'wrk.body = bodies[1]'
    echo "local idempotent = $([ "${3:-}" = idempotent ] && echo true || echo false)"
    cat <<'LUA'
if idempotent or #bodies > 1 then
  local sent = 0
  local run = string.format("%d-%d", os.time(), math.floor(os.clock() * 1e6))
  request = function()
    sent = sent + 1
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    if idempotent then headers["idempotency-key"] = run .. "-" .. sent end
    return wrk.format(nil, nil, headers, bodies[(sent % #bodies) + 1])
  end
end
LUA
    cat bench/percentiles.lua
  } > "$lua"
  echo "$lua"
}
