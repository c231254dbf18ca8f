-- Fills the directory with :count synthetic entries (default 100,000) in
-- :cities municipalities (default 4: the four real cities; more adds
-- synthetic municipalities, codes 9xxxxx, with centres spread over Japan):
-- Japanese names built from place names, activities and legal forms,
-- addresses and positions inside a 5 x 5 km box around each city's centre,
-- a mix of 1-3 topics and 1-2 forms, 10% staff-only, 15% with a hidden
-- position. Entry n is in city 1 + n % :cities (the four real ones first).
-- Run on a migrated, seeded database:
--   psql "$URL" -v count=100000 -f bench/generate_resources.sql
--   psql "$URL" -v count=1000000 -v cities=100 -f bench/generate_resources.sql
-- Set-based and in one pass: the entries are written with their position
-- tokens and points (the locations' trigger would update every entry once
-- more), the search index is built after the rows, and the figures are
-- recounted once at the end (their triggers count per statement).
\if :{?count}
\else
  \set count 100000
\endif
\if :{?cities}
\else
  \set cities 4
\endif

\ir uuid_v7.sql

SELECT pg_get_indexdef('resources_search_idx'::regclass) AS search_index \gset
SET maintenance_work_mem = '512MB';
BEGIN;
SELECT setseed(0.20);
CREATE TEMP TABLE bench_cities (ord int PRIMARY KEY, id uuid, name text, lat float8, lng float8, places text[]) ON COMMIT DROP;
INSERT INTO bench_cities
SELECT c.ord, m.id, m.name, c.lat, c.lng, c.places
FROM municipalities m
JOIN (VALUES
  ('142166', 35.4887, 139.4077, ARRAY['相武台', '緑ケ丘', 'ひばりが丘', '栗原', '相模が丘', '入谷', '小松原', '立野台'], 1),
  ('142182', 35.4375, 139.4266, ARRAY['深谷', '寺尾', '大上', '早川', '小園', '落合', '蓼川', '吉岡'], 2),
  ('142131', 35.4874, 139.4581, ARRAY['中央林間', '南林間', '鶴間', '桜ケ丘', '高座渋谷', '上草柳', '深見', '下和田'], 3),
  ('142158', 35.4464, 139.3908, ARRAY['中新田', '上今泉', '国分寺台', '杉久保', '門沢橋', '柏ケ谷', '大谷', '社家'], 4)
) AS c(code, lat, lng, places, ord) ON c.code = m.code;
-- Synthetic municipalities, centres at random over 31-42° N, 130-141° E
-- (moved a degree north if near the four cities).
WITH shaped AS (
  SELECT i, 4 + i AS ord, 31 + random() * 11 AS lat, 130 + random() * 11 AS lng,
         (ARRAY['北', '南', '東', '西', '新', '大', '上', '中'])[1 + i % 8]
           || (ARRAY['山', '川', '田', '野', '原', '島', '浜', '沢', '森', '岡'])[1 + (i / 8) % 10]
           || (ARRAY['', '見', '台', '里'])[1 + (i / 80) % 4] || '市' AS name
  FROM generate_series(1, greatest(:cities - 4, 0)) AS i
),
inserted AS (
  INSERT INTO municipalities (id, code, name, name_kana, name_en, reference_prefix)
  SELECT gen_random_uuid(), '9' || lpad(i::text, 5, '0'), name, 'ごうせいし', 'Synthetic ' || i, 'N' || lpad(i::text, 5, '0')
  FROM shaped
  RETURNING id, code
)
INSERT INTO bench_cities
SELECT s.ord, ins.id, s.name,
       CASE WHEN abs(s.lat - 35.47) < 0.3 AND abs(s.lng - 139.42) < 0.3 THEN s.lat + 1 ELSE s.lat END, s.lng,
       ARRAY['本町', '栄町', '緑町', '旭町', '若葉', '桜台', '松原', '富士見']
FROM shaped s JOIN inserted ins ON ins.code = '9' || lpad(s.i::text, 5, '0');

CREATE TEMP TABLE gen ON COMMIT DROP AS
WITH shaped AS (
  SELECT n,
         1 + (n % :cities) AS city_ord,
         random() AS r_form, random() AS r_vis, random() AS r_pos, random() AS r_intent,
         (random() * 0.045 - 0.0225) AS dlat, (random() * 0.05 - 0.025) AS dlng,
         1 + floor(random() * 8)::int AS place_i,
         1 + floor(random() * 16)::int AS activity_i,
         1 + floor(random() * 11)::int AS legal_i,
         1 + floor(random() * 14)::int AS t1, 1 + floor(random() * 14)::int AS t2, random() AS r_t,
         1 + floor(random() * 9)::int AS f1, 1 + floor(random() * 9)::int AS f2
  FROM generate_series(1, :count) AS n
)
-- Entries added one after another over three years, as the API numbers them.
SELECT n, pg_temp.uuid_v7_at(timestamptz '2024-01-01' + n * (interval '3 years' / :count)) AS id, c.id AS municipality_id,
       c.ord AS city_ord, c.name AS city_name,
       c.places[s.place_i] AS place,
       (ARRAY['子ども食堂', '居場所カフェ', '就労支援センター', '見守りネット', '傾聴の会', 'ひきこもり家族会',
              'フードバンク', 'ふれあいサロン', '相談室', '子育てひろば', '学習支援教室', 'ボランティアの会',
              'DV相談窓口', '障害者作業所', '里山クラブ', 'ヤングケアラー支援ネット'])[s.activity_i] AS activity,
       (ARRAY['npo', 'social_welfare_corporation', 'general_incorporated_association', 'public_interest_incorporated',
              'stock_company', 'cooperative', 'voluntary_group', 'community_general_support_center',
              'childrens_cafeteria', 'public_agency', 'other'])[s.legal_i] AS legal_form,
       (ARRAY['NPO法人', '社会福祉法人', '一般社団法人', '公益社団法人', '株式会社', '協同組合', '', '', '', '', ''])[s.legal_i] AS legal_prefix,
       ARRAY(SELECT DISTINCT x FROM unnest(CASE WHEN s.r_t < 0.4 THEN ARRAY[s.t1] WHEN s.r_t < 0.8 THEN ARRAY[s.t1, s.t2]
                                               ELSE ARRAY[s.t1, s.t2, 1 + (s.t1 + s.t2) % 14] END) AS x) AS topic_is,
       ARRAY(SELECT DISTINCT x FROM unnest(CASE WHEN s.r_form < 0.5 THEN ARRAY[s.f1] ELSE ARRAY[s.f1, s.f2] END) AS x) AS form_is,
       c.lat + s.dlat AS latitude, c.lng + s.dlng AS longitude,
       s.r_vis < 0.10 AS staff_only, s.r_pos < 0.15 AS hide_position,
       CASE WHEN s.r_intent < 0.3 THEN 'yes' WHEN s.r_intent < 0.5 THEN 'maybe' WHEN s.r_intent < 0.6 THEN 'no' ELSE 'unknown' END AS intent,
       s.place_i, s.activity_i
FROM shaped s JOIN bench_cities c ON c.ord = s.city_ord;

-- Bulk load: the search index is built after the rows, the locations'
-- trigger (position tokens) is done here in the entries' insert, the
-- figures are recounted at the end.
DROP INDEX resources_search_idx;
ALTER TABLE resources DISABLE TRIGGER resources_figures_inserted;
ALTER TABLE resource_locations DISABLE TRIGGER resource_locations_inserted;

INSERT INTO resources (id, external_key, name, name_kana, legal_form, description, municipality_id,
                       serves_municipality_ids, topics, forms, phone, contact_person, opening_hours,
                       languages, participation_intent, visibility, hidden_fields, position_tokens, search_points)
SELECT g.id, 'bench-' || g.n,
       trim(g.legal_prefix || ' ' || replace(g.city_name, '市', '') || g.place || g.activity || ' ' || (g.n / :cities)),
       NULL,
       g.legal_form,
       g.place || '地区で' || g.activity || 'を運営。'
         || (ARRAY['就労支援と職場体験', '子育て中の親子の交流', '高齢者の見守りと配食', 'DV・虐待の相談',
                   'ひきこもりの若者の居場所', '生活困窮世帯への食料支援', '障害のある方の日中活動',
                   '外国人住民の日本語と生活相談'])[1 + g.n % 8] || 'に取り組んでいます。',
       g.municipality_id,
       -- Every fifth entry serves its neighbours too: the four real cities
       -- each other, a synthetic one the next.
       CASE WHEN g.n % 5 <> 0 THEN ARRAY[g.municipality_id]
            WHEN g.city_ord <= 4 THEN (SELECT array_agg(id ORDER BY ord) FROM bench_cities WHERE ord <= 4)
            ELSE ARRAY[g.municipality_id, coalesce((SELECT id FROM bench_cities WHERE ord = g.city_ord + 1), g.municipality_id)] END,
       ARRAY(SELECT (ARRAY['family', 'single_parent', 'child_rearing', 'abuse', 'dv', 'hikikomori', 'no_kin', 'young_carer',
                           'elderly', 'disability', 'poverty', 'loneliness', 'children', 'foreign_residents'])[i] FROM unnest(g.topic_is) AS i),
       ARRAY(SELECT (ARRAY['employment_support', 'daily_life_support', 'place_to_belong', 'outreach', 'consultation',
                           'volunteer_roles', 'nature_and_people', 'safe_place', 'food_support'])[i] FROM unnest(g.form_is) AS i),
       '046-' || lpad((g.n % 1000)::text, 3, '0') || '-' || lpad((g.n % 10000)::text, 4, '0'),
       '担当者' || g.n,
       '平日 10:00-17:00',
       ARRAY['ja'],
       g.intent,
       CASE WHEN g.staff_only THEN 'staff_only' ELSE 'public' END,
       CASE WHEN g.hide_position THEN ARRAY['address', 'position'] ELSE ARRAY['contact_person'] END,
       living_gate_grid_cells(g.latitude, g.longitude),
       ARRAY[point(g.longitude, g.latitude)]
FROM gen g
ORDER BY g.n;

INSERT INTO resource_locations (id, resource_id, ordinal, postal_code, prefecture, city, street, latitude, longitude)
SELECT gen_random_uuid(), g.id, 0, '252-' || lpad((g.n % 10000)::text, 4, '0'),
       CASE WHEN g.city_ord <= 4 THEN '神奈川県' ELSE '合成県' END, g.city_name,
       g.place || (1 + g.n % 9) || '丁目' || (1 + g.n % 30) || '番' || (1 + g.n % 20) || '号',
       g.latitude, g.longitude
FROM gen g
ORDER BY g.n;

ALTER TABLE resource_locations ENABLE TRIGGER resource_locations_inserted;
ALTER TABLE resources ENABLE TRIGGER resources_figures_inserted;
SELECT living_gate_rebuild_resource_figures();
:search_index;
COMMIT;
VACUUM ANALYZE resources;
VACUUM ANALYZE resource_locations;
VACUUM ANALYZE resource_figures;
