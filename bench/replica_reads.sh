#!/usr/bin/env bash
# Benchmark (issue 20): anonymous directory reads (search, figures) served
# by the primary, then by a streaming replica (LIVING_GATE_READ_DATABASE_URL)
# of the same database, the same instance restarted in between; and
# `pgbench -S` on each server as the reference, all in one run. The replica
# is a `pg_basebackup -R` of the embedded server on this machine, so both
# compete for the same cores: this measures what routing a read costs, not
# what a replica on its own host adds.
#
#   bash bench/replica_reads.sh [seconds] [connections]
source "$(dirname "$0")/common.sh"
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-16}
start_api 18201
PGBIN=$(dirname "$(readlink -f "$(ls /usr/lib/postgresql/*/bin/pg_basebackup | tail -1)")")
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
REPLICA=$DATA/replica
RPORT=18202
mkdir -m 700 "$REPLICA"
[ "$(id -u)" != 0 ] || chown postgres:postgres "$REPLICA"
"$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -i -q -s 10 living_gate > /dev/null 2>&1
as_postgres env PGPASSWORD="$PGPASSWORD" "$PGBIN/pg_basebackup" -R -X stream -c fast \
  -h 127.0.0.1 -p "$PGPORT" -U postgres -D "$REPLICA"
as_postgres "$PGBIN/pg_ctl" -D "$REPLICA" -w -t 60 -l "$REPLICA/replica.log" \
  -o "-p $RPORT -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c hot_standby=on" start > /dev/null
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; as_postgres "$PGBIN/pg_ctl" -D "$REPLICA" -m fast stop >/dev/null 2>&1; rm -rf "$DATA"' EXIT
RURL="postgres://postgres:$PGPASSWORD@127.0.0.1:$RPORT/living_gate"

paths=("/v1/resources?q=%E5%B1%85%E5%A0%B4%E6%89%80" "/v1/resources?limit=50" "/v1/resources/stats")
run_all() {  # run_all <label>
  for path in "${paths[@]}"; do
    echo "== $1: GET $path, $CONNECTIONS connections"
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s bench/percentiles.lua "http://127.0.0.1:$PORT$path" | tail -1
  done
}
reference() {  # reference <label> <url>
  echo "== pgbench -S on $1, $CONNECTIONS clients: $("$PGBENCH" -n -S -M prepared -c "$CONNECTIONS" -j 2 -T "$SECONDS_PER_RUN" "$2" 2>/dev/null | grep -E '^tps' | cut -d' ' -f1-3)"
}
replica_reads() { "$PSQL" "$RURL" -qAt -c "SELECT sum(xact_commit) FROM pg_stat_database"; }

echo "== $(date -u +%FT%TZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), ${SECONDS_PER_RUN}s per run"
run_all "primary only"
reference "the primary" "$URL"
restart_api LIVING_GATE_READ_DATABASE_URL="$RURL"
before=$(replica_reads)
run_all "reads routed to the replica"
echo "   transactions on the replica during those runs: $(( $(replica_reads) - before ))"
reference "the replica" "$RURL"
