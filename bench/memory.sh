#!/usr/bin/env bash
# Benchmark (issue 20): the API's resident memory right after start-up,
# after eight logins (Argon2id, m = 19 MiB each) and under 10 s of load at
# 64 connections (wrk on GET /v1/proposals/{id}), with the peak (VmHWM).
#   bash bench/memory.sh [extra env assignments for the server...]
source "$(dirname "$0")/common.sh"
start_api 18198 "$@"
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' /proc/$SERVER/status; }
echo "idle after start: $(rss)"
DESK=$(login desk)
for i in 1 2 3 4 5 6 7; do login desk > /dev/null; done
echo "after 8 logins: $(rss)"
ID=$("$PSQL" "$URL" -qAt -c "SELECT id FROM proposals ORDER BY id LIMIT 1")
wrk -t2 -c64 -d10s -H "authorization: Bearer $DESK" "http://127.0.0.1:$PORT/v1/proposals/$ID" | grep -E "Requests/sec|Non-2xx"
echo "after 10 s at 64 connections: $(rss), peak $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$SERVER/status)"
sleep 3
echo "3 s later: $(rss)"
