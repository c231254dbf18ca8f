#!/usr/bin/env bash
# Benchmark (issue 4): authenticated GET /v1/proposals/{id} with wrk, beside
# `pgbench -S` on the same PostgreSQL in the same run, at 16 and 64
# connections; also the API's resident memory under that load.
#
#   bash bench/proposal_get.sh [seconds]
#
# Needs wrk (apt-get install wrk) and pgbench (PostgreSQL's client tools).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
PORT=18182
command -v wrk >/dev/null || { echo "install wrk: apt-get install wrk" >&2; exit 1; }
PGBENCH=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -1)

cargo build -q --release -p living-gate-api --bin living-gate
DATA=$(mktemp -d /tmp/lg-bench.XXXXXX)
chmod 755 "$DATA"
LIVING_GATE_DATA_DIR="$DATA" LIVING_GATE_BIND=127.0.0.1:$PORT LIVING_GATE_LOG=warn LIVING_GATE_DB_POOL_SIZE=32 \
  target/release/living-gate serve > "$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done

login() {
  local password
  password=$(awk -v r="$1" '$1 == r {print $3}' "$DATA/demo-credentials.txt" | head -1)
  local email
  email=$(awk -v r="$1" '$1 == r {print $2}' "$DATA/demo-credentials.txt" | head -1)
  curl -s "http://127.0.0.1:$PORT/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\": \"$email\", \"password\": \"$password\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}
PARTNER=$(login partner)
DESK=$(login desk)
ID=$(curl -s "http://127.0.0.1:$PORT/v1/proposals" -H "authorization: Bearer $PARTNER" -H 'content-type: application/json' \
  -d '{"kind": "proposal", "title": "ベンチマーク用の提案", "summary": "概要", "themes": ["other"], "channel": "web"}' \
  | sed -E 's/.*"id":"([^"]+)".*/\1/')

PGPORT=$(sed -n 4p "$DATA/postgres/data/postmaster.pid")
export PGPASSWORD
PGPASSWORD=$(cat "$DATA/postgres/superuser-password")
"$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -i -q -s 10 living_gate > /dev/null 2>&1

echo "== $(date -u +%FT%TZ) $(nproc) cores, ${SECONDS_PER_RUN}s per run"
for CONNECTIONS in 16 64; do
  echo "== wrk GET /v1/proposals/{id} as the desk, $CONNECTIONS connections"
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "authorization: Bearer $DESK" \
    "http://127.0.0.1:$PORT/v1/proposals/$ID" | grep -E 'Requests/sec|50%|90%|99%|Non-2xx'
  echo "   API resident memory: $(awk '/VmRSS/ {print $2, $3}' /proc/$SERVER/status)"
  echo "== pgbench -S, $CONNECTIONS clients"
  "$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -n -S -M prepared -c "$CONNECTIONS" -j 2 -T "$SECONDS_PER_RUN" living_gate \
    | grep -E 'tps|latency average'
done
