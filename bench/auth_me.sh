#!/usr/bin/env bash
# Benchmark: an authenticated read (GET /v1/me: JWT verification, revocation
# check and account lookup in the extractor, the profile read in the handler)
# against the raw database doing the same three statements
# (pgbench), in the same run, on the embedded PostgreSQL. Also /healthz
# (no database) for the framework's own cost.
#
#   bash bench/auth_me.sh [seconds] [connections]
#
# Needs wrk (apt-get install wrk) and pgbench (PostgreSQL's client tools).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-16}
PORT=18181
command -v wrk >/dev/null || { echo "install wrk: apt-get install wrk" >&2; exit 1; }
PGBENCH=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -1)

cargo build -q --release -p living-gate-api --bin living-gate
DATA=$(mktemp -d /tmp/lg-bench.XXXXXX)
chmod 755 "$DATA"
LIVING_GATE_DATA_DIR="$DATA" LIVING_GATE_BIND=127.0.0.1:$PORT LIVING_GATE_LOG=warn \
  LIVING_GATE_LOGIN_MAX_ATTEMPTS_PER_ADDRESS=100000 \
  target/release/living-gate serve > "$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done

PASSWORD=$(awk '$1 == "desk" {print $3}' "$DATA/demo-credentials.txt")
TOKEN=$(curl -s "http://127.0.0.1:$PORT/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\": \"desk@living-gate.example.jp\", \"password\": \"$PASSWORD\"}" \
  | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
DESK_ID=$(curl -s "http://127.0.0.1:$PORT/v1/me" -H "authorization: Bearer $TOKEN" | sed -E 's/.*"id":"([^"]+)".*/\1/')

PGPORT=$(sed -n 4p "$DATA/postgres/data/postmaster.pid")
export PGPASSWORD=$(cat "$DATA/postgres/superuser-password")
cat > "$DATA/me.sql" <<SQL
SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = '$(cat /proc/sys/kernel/random/uuid)');
SELECT * FROM users WHERE id = '$DESK_ID';
SELECT * FROM users WHERE id = '$DESK_ID';
SQL

echo "== $(date -u +%FT%TZ) $(nproc) cores, ${SECONDS_PER_RUN}s per run, $CONNECTIONS connections"
echo "== wrk GET /healthz (no database)"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:$PORT/healthz" | grep -E 'Requests/sec|50%|90%|99%'
echo "== wrk GET /v1/me (JWT + 3 queries)"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/me" | grep -E 'Requests/sec|50%|90%|99%'
echo "== pgbench: the same 3 statements per transaction, prepared, $CONNECTIONS clients"
"$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -n -M prepared -c "$CONNECTIONS" -j 2 -T "$SECONDS_PER_RUN" \
  -f "$DATA/me.sql" living_gate | grep -E 'tps|latency average'
