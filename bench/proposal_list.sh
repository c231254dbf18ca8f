#!/usr/bin/env bash
# Benchmark (issue 4): filtered lists of proposals at 1,000,000 cases.
# Starts the API on a fresh embedded database, fills it with
# bench/generate_proposals.sql, then measures p50/p95/p99 of list queries
# with wrk (16 connections) for the desk, a partner and a department.
#
#   bash bench/proposal_list.sh [count] [seconds]
source "$(dirname "$0")/common.sh"
COUNT=${1:-1000000}
SECONDS_PER_RUN=${2:-10}
start_api 18184
START=$(date +%s)
"$PSQL" "$URL" -q -v ON_ERROR_STOP=1 -v count="$COUNT" -f bench/generate_proposals.sql
echo "== generated $COUNT proposals in $(( $(date +%s) - START )) s"

DESK=$(login desk)
PARTNER=$(login partner)
DEPARTMENT=$(login department)
Q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("居場所"))')

run() {  # run <label> <token> <path>
  echo "== $1: GET $3"
  wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" -s bench/percentiles.lua -H "authorization: Bearer $2" \
    "http://127.0.0.1:$PORT$3" | tail -1
}
echo "== $(date -u +%FT%TZ) $(nproc) cores, ${SECONDS_PER_RUN}s per run, 16 connections"
run "desk, first page" "$DESK" "/v1/proposals?limit=50"
run "desk, status + theme + fiscal year" "$DESK" "/v1/proposals?status=matching&theme=community_support&fiscal_year=2024&limit=50"
run "desk, SDG goal + received range" "$DESK" "/v1/proposals?sdg_goal=11&received_from=2025-04-01T00:00:00%2B09:00&received_to=2025-10-01T00:00:00%2B09:00&limit=50"
run "desk, Japanese text search" "$DESK" "/v1/proposals?q=$Q&limit=50"
run "partner, own organization, adopted" "$PARTNER" "/v1/proposals?status=adopted&limit=50"
run "department, its cases (none in the generated set)" "$DEPARTMENT" "/v1/proposals?limit=50"
echo "   API resident memory: $(awk '/VmRSS/ {print $2, $3}' /proc/$SERVER/status)"
