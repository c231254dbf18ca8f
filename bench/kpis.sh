#!/usr/bin/env bash
# Benchmark (issue 6): GET /v1/kpis and time series at 1,000,000 cases.
# Starts the API on a fresh embedded database, fills it with
# bench/generate_proposals.sql (ten fiscal years, with hearings, matches
# and TRIPs), then measures p50/p95/p99 with wrk, and the raw database
# reading the same facts with pgbench in the same run.
#
#   bash bench/kpis.sh [count] [seconds] [connections]
source "$(dirname "$0")/common.sh"
COUNT=${1:-1000000}
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${3:-8}
start_api 18186
START=$(date +%s)
# The embedded database archives its WAL (point-in-time recovery) into
# $DATA/backups/wal: during the bulk load those copies are deleted as they
# come, or ten million cases would also leave their whole WAL there (more
# than the 57 GB this machine had free).
( while sleep 5 && [ -d "$DATA" ]; do find "$DATA/backups/wal" -type f ! -name "*.part" -delete 2>/dev/null || true; done ) &
PRUNE=$!
"$PSQL" "$URL" -q -v ON_ERROR_STOP=1 -v count="$COUNT" -f bench/generate_proposals.sql >/dev/null
kill $PRUNE
"$PSQL" "$URL" -qAt -c "CHECKPOINT" >/dev/null
echo "== generated $COUNT cases in $(( $(date +%s) - START )) s:" \
  "$("$PSQL" "$URL" -Atc "SELECT count(*) FROM hearings") hearings," \
  "$("$PSQL" "$URL" -Atc "SELECT count(*) FROM matches") matches," \
  "$("$PSQL" "$URL" -Atc "SELECT count(*) FROM trips") TRIPs," \
  "$("$PSQL" "$URL" -Atc "SELECT count(*) FROM kpi_facts") counted facts"

ANALYST=$(login analyst)
run() {  # run <label> <path>
  echo "== $1: GET $2"
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s bench/percentiles.lua -H "authorization: Bearer $ANALYST" \
    "http://127.0.0.1:$PORT$2" | tail -1
}
echo "== $(date -u +%FT%TZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), ${SECONDS_PER_RUN}s per run, $CONNECTIONS connections, database $(du -sh "$DATA/postgres" | cut -f1)"
run "a past fiscal year" "/v1/kpis?fiscal_year=2025"
run "the current fiscal year (cases still open)" "/v1/kpis"
run "a past fiscal year as CSV" "/v1/kpis?fiscal_year=2024&format=csv"
run "received per month, ten years (120 points)" "/v1/kpis/timeseries?metric=proposals_received&from=2017-04&to=2027-03"
run "coordination median per month, ten years" "/v1/kpis/timeseries?metric=coordination_median_days&from=2017-04&to=2027-03"
run "adoption rate per fiscal year, ten years" "/v1/kpis/timeseries?metric=adoption_rate_of_decided&from=2017-04&to=2027-03&bucket=fiscal_year"

# The raw database: the statement that reads a fiscal year's facts.
cat > "$DATA/facts.sql" <<'SQL'
SELECT month, metric, key, n FROM kpi_facts WHERE fiscal_year BETWEEN 2025 AND 2025 AND n <> 0;
SQL
echo "== pgbench: the facts of one fiscal year, $CONNECTIONS clients, prepared"
"$PGBENCH" -n -M prepared -c "$CONNECTIONS" -j 2 -T "$SECONDS_PER_RUN" -f "$DATA/facts.sql" "$URL" 2>/dev/null \
  | grep -E "latency average|tps ="
# The ten-year monthly coordination histograms, as the API reads them (one row
# per city, merged in Rust) and as it read them before (summed slot by slot in SQL).
cat > "$DATA/histograms.sql" <<'SQL'
SELECT month, measure, counts FROM kpi_histograms
WHERE fiscal_year BETWEEN 2017 AND 2026 AND measure = ANY('{first_contact_to_coordination}'::text[]);
SQL
cat > "$DATA/histograms_summed.sql" <<'SQL'
SELECT month, measure, array_agg(c ORDER BY i) AS counts FROM (
  SELECT h.month, h.measure, u.i, sum(COALESCE(u.c, 0))::int4 AS c
  FROM kpi_histograms h, unnest(h.counts) WITH ORDINALITY AS u (c, i)
  WHERE h.fiscal_year BETWEEN 2017 AND 2026 AND h.measure = ANY('{first_contact_to_coordination}'::text[])
  GROUP BY h.month, h.measure, u.i) s
GROUP BY month, measure;
SQL
for f in histograms histograms_summed; do
  echo "== pgbench: ten years of monthly coordination histograms ($f), $CONNECTIONS clients"
  "$PGBENCH" -n -M prepared -c "$CONNECTIONS" -j 2 -T "$SECONDS_PER_RUN" -f "$DATA/$f.sql" "$URL" 2>/dev/null \
    | grep -E "latency average|tps ="
done
# What computing the same figures from the cases themselves costs (no pre-aggregation).
cat > "$DATA/scan.sql" <<'SQL'
SELECT count(*), percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY days_to_coordination),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY days_to_decision)
FROM kpi.cases WHERE fiscal_year = 2025;
SQL
echo "== pgbench: two percentiles computed from the cases of one fiscal year, 1 client"
"$PGBENCH" -n -M prepared -c 1 -T "$SECONDS_PER_RUN" -f "$DATA/scan.sql" "$URL" 2>/dev/null \
  | grep -E "latency average|tps ="
echo "   API resident memory: $(awk '/VmRSS/ {print $2, $3}' /proc/$SERVER/status)"
