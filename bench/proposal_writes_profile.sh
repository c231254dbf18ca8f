#!/usr/bin/env bash
# Profile (issue 20) of case creation (POST /v1/proposals as a partner) at
# 16 connections, without and with an Idempotency-Key: where the time of a
# creation goes, measured from inside PostgreSQL and beside it.
#
# - per statement: pg_stat_statements (track = all, so the statements the
#   KPI trigger runs are listed too, beside the INSERT that fires them);
#   the embedded database is restarted once to load it;
# - where the queue forms: pg_stat_activity sampled every 100 ms (state,
#   wait event, the statement running or, when idle in a transaction, the
#   last one sent), averaged over the samples: how many of the 16 backends
#   are in each state at a given moment;
# - the CPU split: ticks of the API process and of the embedded PostgreSQL
#   (postmaster, backends, and the exited ones it reaped) against the
#   machine's busy ticks; the rest is wrk and whatever else runs.
# The token is made once (Argon2 and the JWT signature are outside the loop).
#
#   bash bench/proposal_writes_profile.sh [seconds]
source "$(dirname "$0")/common.sh"
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=16
API_ENV=(LIVING_GATE_DB_POOL_SIZE=32)
start_api 18189 "${API_ENV[@]}"
sql() { "$PSQL" "$URL" -qAt -c "$1"; }

# Load pg_stat_statements: a restart of the API (and so of its database)
# on the same data directory.
sql "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true
while [ -e "$DATA/postgres/data/postmaster.pid" ]; do sleep 0.1; done
env "${API_ENV[@]}" LIVING_GATE_DATA_DIR="$DATA" LIVING_GATE_BIND=127.0.0.1:$PORT LIVING_GATE_LOG=warn \
  target/release/living-gate serve >> "$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done
PGPORT=$(sed -n 4p "$DATA/postgres/data/postmaster.pid")
URL="postgres://postgres:$PGPASSWORD@127.0.0.1:$PGPORT/living_gate"
sql "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
sql "ALTER SYSTEM SET pg_stat_statements.track = 'all'"
sql "SELECT pg_reload_conf()" > /dev/null

PARTNER=$(login partner)
CITY=$(sql "SELECT id FROM municipalities WHERE reference_prefix = 'ZLG'")
HZ=$(getconf CLK_TCK)
# ticks <pid>: user + system ticks of a process (+ its reaped children's).
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13 + $14 + $15}'; }
pg_ticks() {
  local postmaster total=0 child
  postmaster=$(head -1 "$DATA/postgres/data/postmaster.pid")
  total=$(ticks "$postmaster")
  for child in $(pgrep -P "$postmaster"); do
    total=$(( total + $(ticks "$child" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
SAMPLER_SQL="SELECT '#' UNION ALL SELECT state || ' | ' || coalesce(wait_event_type, 'on CPU') || ' ' || coalesce(wait_event, '')
  || ' | ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 60)
  FROM pg_stat_activity WHERE datname = 'living_gate' AND backend_type = 'client backend'
  AND pid <> pg_backend_pid() AND state <> 'idle';"

echo "== $(date -u +%FT%TZ) $(nproc) cores, ${SECONDS_PER_RUN}s per run, $CONNECTIONS connections"
for MODE in plain idempotent; do
  LUA=$(proposal_lua "$PARTNER" "$CITY" "$MODE")
  sql "SELECT pg_stat_statements_reset()" > /dev/null
  BEFORE=$(sql "SELECT count(*) FROM proposals")
  SAMPLES=$(mktemp /tmp/lg-waits.XXXXXX)
  (while :; do echo "$SAMPLER_SQL"; sleep 0.1; done | "$PSQL" "$URL" -qAt > "$SAMPLES" 2>/dev/null) &
  SAMPLER=$!
  API0=$(ticks "$SERVER"); PG0=$(pg_ticks); ALL0=$(busy_ticks)
  echo "== POST /v1/proposals ($MODE), $CONNECTIONS connections; $(uptime | sed 's/.*load/load/')"
  wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s "$LUA" "http://127.0.0.1:$PORT/v1/proposals" | tail -1
  API1=$(ticks "$SERVER"); PG1=$(pg_ticks); ALL1=$(busy_ticks)
  kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true
  CASES=$(( $(sql "SELECT count(*) FROM proposals") - BEFORE ))
  echo "   cases written: $CASES"
  awk -v n="$CASES" -v hz="$HZ" -v api=$(( API1 - API0 )) -v pg=$(( PG1 - PG0 )) -v all=$(( ALL1 - ALL0 )) 'BEGIN {
    printf "   CPU per case: API %.3f ms, PostgreSQL %.3f ms, machine (all processes) %.3f ms; of the machine busy time: API %d%%, PostgreSQL %d%%\n",
      api * 1000 / hz / n, pg * 1000 / hz / n, all * 1000 / hz / n, 100 * api / all, 100 * pg / all }'
  echo "   statements per case (pg_stat_statements; nested = run by the trigger):"
  sql "SELECT format('   %6s/case %8s ms mean %7s ms/case %s %s', round(calls::numeric / $CASES, 2),
         round(mean_exec_time::numeric, 3), round((total_exec_time / $CASES)::numeric, 3),
         CASE WHEN toplevel THEN '' ELSE '(nested)' END, left(regexp_replace(query, '\\s+', ' ', 'g'), 110))
       FROM pg_stat_statements
       WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'living_gate') AND calls >= $CASES / 2
       ORDER BY toplevel DESC, total_exec_time DESC"
  sql "SELECT format('   top-level statements per case: %s, their time per case: %s ms', round(sum(calls)::numeric / $CASES, 1),
         round((sum(total_exec_time) / $CASES)::numeric, 3))
       FROM pg_stat_statements
       WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'living_gate') AND toplevel"
  TAKEN=$(grep -c '^#$' "$SAMPLES" || true)
  echo "   backends (of $CONNECTIONS) in each state, average of $TAKEN samples (idle ones left out):"
  grep -v '^#$' "$SAMPLES" | sort | uniq -c | sort -rn | head -20 \
    | awk -v n="$TAKEN" '{c = $1; $1 = ""; printf "   %5.2f %s\n", c / n, $0}'
  rm -f "$LUA" "$SAMPLES"
done
echo "== pgbench -N (a write transaction), $CONNECTIONS clients; $(uptime | sed 's/.*load/load/')"
"$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -i -q -s 10 living_gate > /dev/null 2>&1
"$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -n -N -M prepared -c "$CONNECTIONS" -j 2 -T "$SECONDS_PER_RUN" living_gate \
  | grep -E 'tps|latency average'
