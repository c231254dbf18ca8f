#!/usr/bin/env bash
# Benchmark (issue 6 follow-up): write throughput of case creation
# (POST /v1/proposals as a partner) with the KPI counters, which every new
# case of the same month increments in the writing transaction (so
# concurrent writes queue on the same counter rows until commit). The same
# load with the counting trigger disabled, and `pgbench -N` (a write
# transaction) on the same database, in the same run.
#
#   bash bench/proposal_writes.sh [seconds]
source "$(dirname "$0")/common.sh"
SECONDS_PER_RUN=${1:-10}
start_api 18188 LIVING_GATE_DB_POOL_SIZE=32
PARTNER=$(login partner)
LUA=$(mktemp /tmp/lg-post.XXXXXX.lua)
{
  echo 'wrk.method = "POST"'
  echo 'wrk.headers["content-type"] = "application/json"'
  echo "wrk.headers[\"authorization\"] = \"Bearer $PARTNER\""
  echo "wrk.body = '{\"kind\": \"proposal\", \"title\": \"ベンチマーク用の提案\", \"summary\": \"概要\", \"themes\": [\"other\"], \"channel\": \"web\"}'"
  cat bench/percentiles.lua
} > "$LUA"
"$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -i -q -s 10 living_gate > /dev/null 2>&1
sql() { "$PSQL" "$URL" -qAt -c "$1"; }

echo "== $(date -u +%FT%TZ) $(nproc) cores, ${SECONDS_PER_RUN}s per run"
for TRIGGER in on off; do
  if [ "$TRIGGER" = off ]; then sql "ALTER TABLE proposals DISABLE TRIGGER proposals_kpi_facts"; fi
  for CONNECTIONS in 1 4 16; do
    BEFORE=$(sql "SELECT count(*) FROM proposals")
    echo "== POST /v1/proposals, KPI counting $TRIGGER, $CONNECTIONS connections"
    wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s "$LUA" "http://127.0.0.1:$PORT/v1/proposals" | tail -1
    echo "   cases written: $(( $(sql "SELECT count(*) FROM proposals") - BEFORE ))"
  done
done
sql "ALTER TABLE proposals ENABLE TRIGGER proposals_kpi_facts"
sql "SELECT kpi_rebuild_facts()" > /dev/null
rm -f "$LUA"
for CONNECTIONS in 4 16; do
  echo "== pgbench -N (a write transaction), $CONNECTIONS clients"
  "$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -n -N -M prepared -c "$CONNECTIONS" -j 2 -T "$SECONDS_PER_RUN" living_gate \
    | grep -E 'tps|latency average'
done
