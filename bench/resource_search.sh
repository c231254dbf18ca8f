#!/usr/bin/env bash
# Benchmark (issue 7): the resource directory at 100,000 entries; with a
# count and a spread, the nationwide directory (issue 20), e.g.
#   bash bench/resource_search.sh 1000000 10 4 100
# for 1,000,000 entries over 100 municipalities (the four real cities and
# 96 synthetic ones spread over Japan).
# Starts the API on a fresh embedded database, fills it with
# bench/generate_resources.sql, then measures with wrk: combined searches
# (text + topic + radius), a two-character text search, the GeoJSON map of
# one city; times a 10,000-row CSV import (dry run and real run); and runs
# pgbench -S on the same database for a reference figure.
#
#   bash bench/resource_search.sh [count] [seconds] [connections] [cities]
source "$(dirname "$0")/common.sh"
COUNT=${1:-100000}
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${3:-4}
CITIES=${4:-4}
start_api 18187
START=$(date +%s)
"$PSQL" "$URL" -q -v ON_ERROR_STOP=1 -v count="$COUNT" -v cities="$CITIES" -f bench/generate_resources.sql
echo "== generated $COUNT entries in $CITIES municipalities in $(( $(date +%s) - START )) s"

DESK=$(login desk)
q() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
ZAMA=$("$PSQL" "$URL" -At -c "SELECT id FROM municipalities WHERE code = '142166'")
EBINA=$("$PSQL" "$URL" -At -c "SELECT id FROM municipalities WHERE code = '142158'")

run() {  # run <label> <path> [token]
  echo "== $1: GET $2"
  local auth=()
  [ -n "${3:-}" ] && auth=(-H "authorization: Bearer $3")
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s bench/percentiles.lua "${auth[@]}" \
    "http://127.0.0.1:$PORT$2" | tail -1
}
echo "   entries in Ebina: $("$PSQL" "$URL" -At -c "SELECT count(*) FROM resources WHERE municipality_id = '$EBINA'"), \
public ones within 2 km of Zama station: $("$PSQL" "$URL" -At -c "SELECT count(*) FROM resources r, unnest(r.search_points) p
  WHERE r.visibility = 'public' AND (p <@> point(139.4077, 35.4887)) * 1609.344 <= 2000"), \
matching DV: $("$PSQL" "$URL" -At -c "SELECT count(*) FROM resources WHERE strpos(search_text, 'dv') > 0")"
echo "== $(date -u +%FT%TZ) $(nproc) cores, ${SECONDS_PER_RUN}s per run, $CONNECTIONS connections, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run "anonymous, text 就労 + topic dv + 2 km around Zama station" "/v1/resources?q=$(q 就労)&topic=dv&near=35.4887,139.4077&radius_km=2"
run "anonymous, text 就労 + topic family (8 terms) + 1 km" "/v1/resources?q=$(q 就労)&topic=family&near=35.4887,139.4077&radius_km=1"
run "desk, text 居場所 + form place_to_belong + 3 km around Ebina" "/v1/resources?q=$(q 居場所)&form=place_to_belong&near=35.4464,139.3908&radius_km=3" "$DESK"
run "anonymous, two-character text DV" "/v1/resources?q=DV"
run "anonymous, kana text ふれあい + serves Ebina" "/v1/resources?q=$(q ふれあい)&serves=$EBINA"
run "anonymous, map of Zama (first 2,000 points)" "/v1/resources/map?municipality_id=$ZAMA"
run "anonymous, map of Zama, topic dv (all points)" "/v1/resources/map?municipality_id=$ZAMA&topic=dv&limit=10000"
run "anonymous, figures of Ebina" "/v1/resources/stats?municipality_id=$EBINA"
run "desk, figures of Ebina" "/v1/resources/stats?municipality_id=$EBINA" "$DESK"
echo "   API resident memory: $(awk '/VmRSS/ {print $2, $3}' /proc/$SERVER/status)"

# A 10,000-row CSV as a municipality would send it (Shift_JIS).
CSV=$(mktemp /tmp/lg-import.XXXXXX.csv)
python3 - "$CSV" <<'EOF'
import random, sys
random.seed(7)
places = ['相武台', '緑ケ丘', 'ひばりが丘', '栗原', '深谷', '寺尾', '中央林間', '鶴間', '中新田', '上今泉']
cities = ['座間市', '綾瀬市', '大和市', '海老名市']
acts = ['子ども食堂', '居場所カフェ', '就労支援センター', '見守りネット', '傾聴の会', 'フードバンク']
topics = ['子育て', 'ひとり親', '高齢', '障害', '生活困窮', '孤独・孤立', 'ひきこもり', 'DV']
forms = ['就労支援', '生活サポート', '居場所づくり', 'アウトリーチ', '相談窓口']
rows = ['外部キー,名称,法人格,所在市,対象地域,テーマ,活動形態,活動内容,郵便番号,都道府県,市区町村,町名番地,緯度,経度,電話番号,参画意向']
for n in range(10000):
    # Zama's entries (Zama's desk imports only its own city's), serving the four cities.
    city = '座間市'
    rows.append(','.join([f'import-{n}', f'{random.choice(places)}{random.choice(acts)}{n}', 'NPO法人', city, cities[n % 4],
        ';'.join(random.sample(topics, 2)), random.choice(forms), f'{random.choice(acts)}を運営しています',
        f'252-{n % 10000:04d}', '神奈川県', city, f'{random.choice(places)}{1 + n % 9}丁目{1 + n % 30}番',
        f'{35.44 + random.random() * 0.06:.5f}', f'{139.38 + random.random() * 0.08:.5f}',
        f'046-{n % 1000:03d}-{n:04d}', random.choice(['あり', '検討中', 'なし', ''])]))
open(sys.argv[1], 'wb').write(('\r\n'.join(rows) + '\r\n').encode('cp932'))
EOF
import_csv() {  # import_csv <query>
  curl -s -o /dev/null -w "%{http_code} in %{time_total} s" "http://127.0.0.1:$PORT/v1/resources/import$1" \
    -H "authorization: Bearer $DESK" -H 'content-type: text/csv' --data-binary @"$CSV"
}
echo "== import 10,000 rows (Shift_JIS), dry run: $(import_csv '?dry_run=true')"
echo "== import 10,000 rows (Shift_JIS), real run: $(import_csv '')"
echo "== import the same 10,000 rows again (all unchanged): $(import_csv '')"
rm -f "$CSV"
run "right after the import (10,000 more entries): 就労 + topic dv + 2 km" "/v1/resources?q=$(q 就労)&topic=dv&near=35.4887,139.4077&radius_km=2"
run "right after the import: desk, 居場所 + form place_to_belong + 3 km" "/v1/resources?q=$(q 居場所)&form=place_to_belong&near=35.4464,139.3908&radius_km=3" "$DESK"
run "right after the import: anonymous, figures of Ebina" "/v1/resources/stats?municipality_id=$EBINA"

"$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -i -q -s 10 living_gate > /dev/null 2>&1
echo "== pgbench -S, $CONNECTIONS clients, same database and machine"
"$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -n -S -M prepared -c "$CONNECTIONS" -j 2 -T "$SECONDS_PER_RUN" living_gate \
  | grep -E 'tps|latency average'
echo "== done $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
