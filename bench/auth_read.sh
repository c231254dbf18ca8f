#!/usr/bin/env bash
# Benchmark (issue 20): authenticated GET /v1/proposals/{id} against the
# stack's floor (bench/floor: actix-web + diesel-async + deadpool, one
# primary-key SELECT as JSON behind a bearer compare) on the same embedded
# database, the same case and the same token, at 16 and 64 connections,
# each pair back to back, repeated; req/s, p99 and the ratios, and the API's
# resident memory idle and under load (VmRSS / VmHWM).
#
#   bash bench/auth_read.sh [seconds per run] [repeats]
#
# Needs wrk (apt-get install wrk). Goal: API ≥ 0.8 × the floor's req/s and
# API p99 ≤ 1.5 × the floor's, at 16 and 64 connections.
source "$(dirname "$0")/common.sh"
SECONDS_PER_RUN=${1:-10}
REPEATS=${2:-3}
cargo build -q --release -p living-gate-floor
start_api 18183 LIVING_GATE_DB_POOL_SIZE=32
DESK=$(login desk)
# A demo case of Zama (the desk's city).
ID=$("$PSQL" "$URL" -qAt -c "SELECT id FROM proposals ORDER BY id LIMIT 1")
FLOOR_PORT=18190
FLOOR_DATABASE_URL=$URL FLOOR_TOKEN=$DESK FLOOR_BIND=127.0.0.1:$FLOOR_PORT FLOOR_POOL_SIZE=32 \
  target/release/living-gate-floor > "$DATA/floor.log" 2>&1 &
FLOOR=$!
trap 'kill $SERVER $FLOOR 2>/dev/null; wait $SERVER $FLOOR 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do
  curl -sf -o /dev/null -H "authorization: Bearer $DESK" "http://127.0.0.1:$FLOOR_PORT/v1/proposals/$ID" && break
  sleep 0.1
done
API_URL="http://127.0.0.1:$PORT/v1/proposals/$ID"
FLOOR_URL="http://127.0.0.1:$FLOOR_PORT/v1/proposals/$ID"
for url in "$API_URL" "$FLOOR_URL"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $DESK" "$url")
  [ "$code" = 200 ] || { echo "$url answered $code" >&2; exit 1; }
done

rss() { awk -v k="$2:" '$1 == k {printf "%.0f MiB", $2 / 1024}' "/proc/$1/status"; }
# measure <url> <connections>: "req/s p99_ms non2xx"
measure() {
  wrk -t2 -c"$2" -d"${SECONDS_PER_RUN}s" --latency -H "authorization: Bearer $DESK" "$1" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.2f %d\n", rps, p99, bad }'
}

echo "== $(date -u +%FT%TZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), ${SECONDS_PER_RUN}s per run"
echo "   API resident memory idle: $(rss $SERVER VmRSS); floor: $(rss $FLOOR VmRSS)"
# Warm both (pools filled, caches primed).
wrk -t2 -c64 -d2s -H "authorization: Bearer $DESK" "$API_URL" > /dev/null
wrk -t2 -c64 -d2s -H "authorization: Bearer $DESK" "$FLOOR_URL" > /dev/null
printf '%-4s %-5s %10s %9s %10s %9s %7s %7s\n' run conns api_rps api_p99 floor_rps floor_p99 ratio p99x
for RUN in $(seq 1 "$REPEATS"); do
  for CONNECTIONS in 16 64; do
    read -r A_RPS A_P99 A_BAD < <(measure "$API_URL" "$CONNECTIONS")
    read -r F_RPS F_P99 F_BAD < <(measure "$FLOOR_URL" "$CONNECTIONS")
    [ "$A_BAD$F_BAD" = 00 ] || echo "   non-2xx answers: API $A_BAD, floor $F_BAD"
    awk -v r="$RUN" -v c="$CONNECTIONS" -v ar="$A_RPS" -v ap="$A_P99" -v fr="$F_RPS" -v fp="$F_P99" \
      'BEGIN { printf "%-4s %-5s %10d %7.2fms %10d %7.2fms %7.2f %7.2f\n", r, c, ar, ap, fr, fp, ar / fr, ap / fp }'
  done
done
echo "   API resident memory after load: $(rss $SERVER VmRSS), peak $(rss $SERVER VmHWM); floor peak $(rss $FLOOR VmHWM)"
