#!/usr/bin/env bash
# Benchmark (issue 4): authenticated GET /v1/proposals/{id} with wrk, beside
# `pgbench -S` on the same PostgreSQL in the same run, at 16 and 64
# connections; also the API's resident memory under that load.
#
#   bash bench/proposal_get.sh [seconds]
#
# Needs wrk (apt-get install wrk) and pgbench (PostgreSQL's client tools).
source "$(dirname "$0")/common.sh"
SECONDS_PER_RUN=${1:-10}
start_api 18182 LIVING_GATE_DB_POOL_SIZE=32
DESK=$(login desk)
# A demo case of Zama (the desk's city).
ID=$("$PSQL" "$URL" -qAt -c "SELECT id FROM proposals ORDER BY id LIMIT 1")

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
