-- Fills the proposals table with :count synthetic cases (default 1,000,000)
-- spread over the ten fiscal years up to FY2026, with realistic step times
-- and Japanese text. Run on a migrated, seeded database:
--   psql "$URL" -v count=1000000 -f bench/generate_proposals.sql
-- Needs at least one organization and one desk user (the demo data has them).
\if :{?count}
\else
  \set count 1000000
\endif

-- A time-ordered UUID (v7 layout) for a timestamp, so ids sort like receipts.
CREATE OR REPLACE FUNCTION pg_temp.uuid_v7_at(at timestamptz) RETURNS uuid LANGUAGE sql AS $$
  SELECT (lpad(to_hex(floor(extract(epoch FROM at) * 1000)::bigint), 12, '0')
          || '7' || substr(md5(random()::text), 1, 3)
          || '8' || substr(md5(random()::text), 1, 15))::uuid
$$;

BEGIN;
WITH orgs AS (SELECT array_agg(id ORDER BY id) AS ids FROM organizations),
     desk AS (SELECT id FROM users WHERE role = 'desk' ORDER BY id LIMIT 1),
     gen AS (
       SELECT n,
              -- Ten fiscal years ending with FY2026 (JST April start), receipts spread evenly.
              timestamptz '2017-04-01 00:00:00+09' + (random() * interval '3650 days') AS received_at,
              random() AS r_status, random() AS r_theme, random() AS r_channel, random() AS r_kind
       FROM generate_series(1, :count) AS n
     ),
     shaped AS (
       SELECT g.*,
              CASE WHEN r_status < 0.08 THEN 'received' WHEN r_status < 0.16 THEN 'organizing'
                   WHEN r_status < 0.24 THEN 'hearing' WHEN r_status < 0.32 THEN 'matching'
                   WHEN r_status < 0.38 THEN 'logic_model' WHEN r_status < 0.44 THEN 'awaiting_decision'
                   WHEN r_status < 0.62 THEN 'adopted' WHEN r_status < 0.74 THEN 'not_adopted'
                   WHEN r_status < 0.90 THEN 'declined' WHEN r_status < 0.97 THEN 'withdrawn' ELSE 'on_hold' END AS status,
              (extract(year FROM (g.received_at AT TIME ZONE 'Asia/Tokyo') - interval '3 months'))::int AS fiscal_year
       FROM gen g
     ),
     numbered AS (
       -- Numbers continue after the cases already there (the demo data has some).
       SELECT s.*, row_number() OVER (PARTITION BY s.fiscal_year ORDER BY received_at) + COALESCE(rc.last_value, 0) AS seq
       FROM shaped s LEFT JOIN reference_counters rc ON rc.fiscal_year = s.fiscal_year
     )
INSERT INTO proposals (id, reference, fiscal_year, kind, title, summary, body, themes, sdg_goals, policy_areas,
                       desired_support, channel, organization_id, created_by, status, held_from,
                       first_contact_at, received_at, coordination_started_at,
                       organizing_at, hearing_at, matching_at, logic_model_at, awaiting_decision_at, closed_at)
SELECT pg_temp.uuid_v7_at(received_at),
       'ZLG-' || fiscal_year || '-' || CASE WHEN seq < 10000 THEN lpad(seq::text, 4, '0') ELSE seq::text END,
       fiscal_year,
       CASE WHEN r_kind < 0.7 THEN 'proposal' ELSE 'consultation' END,
       (ARRAY['空き店舗を活用した多世代の居場所づくり', '就労支援と企業インターンの連携', '子ども食堂への食材提供',
              '高齢者の見守りとデジタル活用', '地域の強みを生かした観光ルート', 'ひきこもり支援のオンライン相談',
              '公園でのプレーパーク運営', 'ヤングケアラー支援の啓発'])[1 + (n % 8)] || ' 第' || n || '号',
       '座間市内で企業と地域団体が連携して取り組む提案。' || (ARRAY['孤独・孤立', '子育て', '高齢', '生活困窮'])[1 + (n % 4)],
       '',
       CASE WHEN r_theme < 0.45 THEN ARRAY['local_strengths'] WHEN r_theme < 0.9 THEN ARRAY['community_support']
            ELSE ARRAY['other'] END,
       ARRAY[(1 + (n % 17))::smallint],
       ARRAY['地域共生'],
       '',
       (ARRAY['web', 'phone', 'visit', 'email', 'referral'])[1 + floor(r_channel * 5)::int],
       (SELECT ids FROM orgs)[1 + (n % array_length((SELECT ids FROM orgs), 1))],
       (SELECT id FROM desk),
       status,
       CASE WHEN status = 'on_hold' THEN 'organizing' END,
       received_at - (random() * interval '10 days'),
       received_at,
       CASE WHEN status NOT IN ('received', 'organizing') THEN received_at + interval '2 days' + random() * interval '5 days' END,
       CASE WHEN status <> 'received' THEN received_at + interval '1 day' END,
       CASE WHEN status IN ('hearing', 'matching', 'logic_model', 'awaiting_decision', 'adopted', 'not_adopted') THEN received_at + interval '7 days' END,
       CASE WHEN status IN ('matching', 'logic_model', 'awaiting_decision', 'adopted', 'not_adopted') THEN received_at + interval '21 days' END,
       CASE WHEN status IN ('logic_model', 'awaiting_decision', 'adopted', 'not_adopted') THEN received_at + interval '35 days' END,
       CASE WHEN status IN ('awaiting_decision', 'adopted', 'not_adopted') THEN received_at + interval '49 days' END,
       CASE WHEN status IN ('adopted', 'not_adopted', 'declined', 'withdrawn') THEN received_at + interval '60 days' END
FROM numbered;

-- Keep the reference counters ahead of the generated numbers.
INSERT INTO reference_counters (fiscal_year, last_value)
SELECT fiscal_year, count(*) FROM proposals GROUP BY fiscal_year
ON CONFLICT (fiscal_year) DO UPDATE SET last_value = GREATEST(reference_counters.last_value, EXCLUDED.last_value);
COMMIT;
VACUUM (ANALYZE) proposals;
