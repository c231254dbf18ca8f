#!/usr/bin/env bash
# Benchmark (issue 6 follow-up, issue 20): write throughput of case creation
# (POST /v1/proposals as a partner) with the KPI counters, which every new
# case of the same month increments in the writing transaction. At 1, 4
# and 16 connections with the counting trigger, the same with it disabled,
# then at 16 connections with a fresh Idempotency-Key on every request, and
# `pgbench -N` (a write transaction) on the same database in the same run;
# the ratios to pgbench at 16 connections close the run (issue 20's goal:
# case creation >= 0.2 x pgbench -N). All in Zama, whose creations wait for
# each other (gap-free reference numbers per city), then at 16 connections
# spread over the four demo cities, which wait only for the feed's lock.
#
#   bash bench/proposal_writes.sh [seconds]
source "$(dirname "$0")/common.sh"
SECONDS_PER_RUN=${1:-10}
start_api 18188 LIVING_GATE_DB_POOL_SIZE=32
PARTNER=$(login partner)
sql() { "$PSQL" "$URL" -qAt -c "$1"; }
CITY=$(sql "SELECT id FROM municipalities WHERE reference_prefix = 'ZLG'")
CITIES=$(sql "SELECT string_agg(id::text, ' ') FROM municipalities WHERE status = 'active'")
"$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -i -q -s 10 living_gate > /dev/null 2>&1

# post <label> <connections> [idempotent] [cities]: prints wrk's line; RATE is its req/s.
post() {
  local lua before line
  lua=$(proposal_lua "$PARTNER" "${4:-$CITY}" "${3:-}")
  before=$(sql "SELECT count(*) FROM proposals")
  echo "== POST /v1/proposals, $1, $2 connections; $(uptime | sed 's/.*load/load/')"
  line=$(wrk -t1 -c"$2" -d"${SECONDS_PER_RUN}s" -s "$lua" "http://127.0.0.1:$PORT/v1/proposals" | tail -1)
  echo "$line"
  echo "   cases written: $(( $(sql "SELECT count(*) FROM proposals") - before ))"
  RATE=$(echo "$line" | sed -E 's/.* ([0-9]+) req\/s/\1/')
  rm -f "$lua"
}

echo "== $(date -u +%FT%TZ) $(nproc) cores, ${SECONDS_PER_RUN}s per run"
for TRIGGER in on off; do
  if [ "$TRIGGER" = off ]; then sql "ALTER TABLE proposals DISABLE TRIGGER proposals_kpi_facts"; fi
  for CONNECTIONS in 1 4 16; do
    post "KPI counting $TRIGGER" "$CONNECTIONS"
    if [ "$TRIGGER" = on ] && [ "$CONNECTIONS" = 16 ]; then PLAIN=$RATE; fi
  done
done
sql "ALTER TABLE proposals ENABLE TRIGGER proposals_kpi_facts"
sql "SELECT kpi_rebuild_facts()" > /dev/null
post "KPI counting on, a fresh Idempotency-Key per request" 16 idempotent
IDEMPOTENT=$RATE
post "KPI counting on, the four cities in turn" 16 "" "$CITIES"
SPREAD=$RATE
for CONNECTIONS in 4 16; do
  echo "== pgbench -N (a write transaction), $CONNECTIONS clients; $(uptime | sed 's/.*load/load/')"
  OUT=$("$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -n -N -M prepared -c "$CONNECTIONS" -j 2 -T "$SECONDS_PER_RUN" living_gate \
    | grep -E 'tps|latency average')
  echo "$OUT"
  TPS=$(echo "$OUT" | sed -nE 's/^tps = ([0-9.]+).*/\1/p' | head -1)
done
awk -v p="$PLAIN" -v i="$IDEMPOTENT" -v s="$SPREAD" -v t="$TPS" 'BEGIN {
  printf "== at 16 connections: creation %d req/s = %.3f x pgbench -N (%.0f tps); with Idempotency-Key %d req/s = %.3f x; over four cities %d req/s = %.3f x (goal: 0.2)\n",
    p, p / t, t, i, i / t, s, s / t }'
