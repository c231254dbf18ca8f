#!/usr/bin/env bash
# Benchmark: an authenticated read (GET /v1/me: the token and the account in
# the extractor, the profile in the handler) against the raw database doing
# the same statements (pgbench), in the same run. Also /healthz (no database)
# for the framework's own cost.
#
#   bash bench/auth_me.sh [seconds] [connections]
source "$(dirname "$0")/common.sh"
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-16}
start_api 18181 LIVING_GATE_LOGIN_MAX_ATTEMPTS_PER_ADDRESS=100000
TOKEN=$(login desk)
DESK_ID=$(curl -s "http://127.0.0.1:$PORT/v1/me" -H "authorization: Bearer $TOKEN" | sed -E 's/.*"id":"([^"]+)".*/\1/')
cat > "$DATA/me.sql" <<SQL
SELECT u.*, EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = '$(cat /proc/sys/kernel/random/uuid)') FROM users u WHERE id = '$DESK_ID';
SELECT * FROM users WHERE id = '$DESK_ID';
SQL

echo "== $(date -u +%FT%TZ) $(nproc) cores, ${SECONDS_PER_RUN}s per run, $CONNECTIONS connections"
echo "== wrk GET /healthz (no database)"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:$PORT/healthz" | grep -E 'Requests/sec|50%|90%|99%'
echo "== wrk GET /v1/me (token + 2 queries)"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/me" | grep -E 'Requests/sec|50%|90%|99%'
echo "== pgbench: the same 2 statements per transaction, prepared, $CONNECTIONS clients"
"$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -n -M prepared -c "$CONNECTIONS" -j 2 -T "$SECONDS_PER_RUN" \
  -f "$DATA/me.sql" living_gate | grep -E 'tps|latency average'
