-- Fills the database with :count synthetic cases (default 1,000,000)
-- received over the ten fiscal years FY2017 to FY2026 (up to now), with
-- realistic step times (each step takes a random, skewed time; a case
-- only shows what has happened by now), Japanese text, and the hearings,
-- matches and TRIPs those cases imply. Run on a migrated, seeded database
-- as a superuser:
--   psql "$URL" -v count=1000000 -f bench/generate_proposals.sql
-- Needs at least one organization, one department and one desk user (the
-- demo data has them). Triggers are off during the load (that is what
-- session_replication_role = replica does); the KPI facts are recounted
-- at the end with kpi_rebuild_facts().
\if :{?count}
\else
  \set count 1000000
\endif

\ir uuid_v7.sql

BEGIN;
SET LOCAL session_replication_role = replica;

-- Every case is the first desk account's city's (Zama's in the demo data),
-- handled by that city's departments: the triggers that would fill in the
-- city are off during the load.
CREATE TEMP TABLE bench_city ON COMMIT DROP AS
  SELECT id AS desk_id, municipality_id FROM users WHERE role = 'desk' ORDER BY id LIMIT 1;
CREATE TEMP TABLE bench_departments ON COMMIT DROP AS
  SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM departments
  WHERE municipality_id = (SELECT municipality_id FROM bench_city);

CREATE TEMP TABLE generated ON COMMIT DROP AS
WITH gen AS (
  SELECT n,
         timestamptz '2017-04-01 00:00:00+09' + random() * (now() - timestamptz '2017-04-01 00:00:00+09') AS received_at,
         random() AS r_status, random() AS r_theme, random() AS r_channel, random() AS r_kind, random() AS r_depth,
         -- Skewed step times: most are quick, a few take long.
         interval '1 hour' + random() ^ 3 * interval '10 days' AS before_receipt,
         interval '1 hour' + random() ^ 2 * interval '5 days' AS g_organizing,
         interval '2 days' + random() ^ 2 * interval '20 days' AS g_hearing,
         interval '3 days' + random() ^ 2 * interval '30 days' AS g_matching,
         interval '5 days' + random() ^ 2 * interval '40 days' AS g_logic_model,
         interval '3 days' + random() ^ 2 * interval '25 days' AS g_awaiting,
         interval '5 days' + random() ^ 2 * interval '45 days' AS g_close,
         random() AS r_coordination
  FROM generate_series(1, :count) AS n
),
planned AS (
  -- Where the case is meant to end, and how many steps it passes on the way.
  SELECT g.*,
         -- Every case ends somewhere; those received lately are still on their way.
         CASE WHEN r_status < 0.24 THEN 'adopted' WHEN r_status < 0.44 THEN 'not_adopted'
              WHEN r_status < 0.76 THEN 'declined' WHEN r_status < 0.98 THEN 'withdrawn'
              ELSE 'on_hold' END AS outcome
  FROM gen g
),
timed AS (
  SELECT p.*,
         CASE outcome WHEN 'adopted' THEN 5 WHEN 'not_adopted' THEN 5 WHEN 'declined' THEN 1 + floor(r_depth * 4)::int
                      WHEN 'withdrawn' THEN floor(r_depth * 6)::int ELSE 1 END AS planned_depth,
         received_at + g_organizing AS t1,
         received_at + g_organizing + g_hearing AS t2,
         received_at + g_organizing + g_hearing + g_matching AS t3,
         received_at + g_organizing + g_hearing + g_matching + g_logic_model AS t4,
         received_at + g_organizing + g_hearing + g_matching + g_logic_model + g_awaiting AS t5
  FROM planned p
),
reached AS (
  -- A step counts only once its time has come.
  SELECT t.*,
         (CASE WHEN planned_depth >= 1 AND t1 <= now() THEN 1 ELSE 0 END
          + CASE WHEN planned_depth >= 2 AND t2 <= now() THEN 1 ELSE 0 END
          + CASE WHEN planned_depth >= 3 AND t3 <= now() THEN 1 ELSE 0 END
          + CASE WHEN planned_depth >= 4 AND t4 <= now() THEN 1 ELSE 0 END
          + CASE WHEN planned_depth >= 5 AND t5 <= now() THEN 1 ELSE 0 END) AS depth,
         (ARRAY[received_at, t1, t2, t3, t4, t5])[1 + planned_depth] + g_close AS closing
  FROM timed t
)
SELECT r.*,
       CASE WHEN outcome IN ('adopted', 'not_adopted', 'declined', 'withdrawn') AND depth = planned_depth AND closing <= now()
              THEN outcome
            WHEN outcome = 'on_hold' AND depth = 1 THEN 'on_hold'
            ELSE (ARRAY['received', 'organizing', 'hearing', 'matching', 'logic_model', 'awaiting_decision'])[1 + depth]
       END AS status,
       (extract(year FROM (r.received_at AT TIME ZONE 'Asia/Tokyo') - interval '3 months'))::int AS fiscal_year,
       pg_temp.uuid_v7_at(r.received_at) AS id
FROM reached r;

WITH orgs AS (SELECT array_agg(id ORDER BY id) AS ids FROM organizations),
     depts AS (SELECT ids FROM bench_departments),
     desk AS (SELECT desk_id AS id FROM bench_city),
     numbered AS (
       -- Numbers continue after the cases already there (the demo data has some).
       SELECT g.*, row_number() OVER (PARTITION BY g.fiscal_year ORDER BY received_at) + COALESCE(rc.last_value, 0) AS seq
       FROM generated g LEFT JOIN reference_counters rc ON rc.fiscal_year = g.fiscal_year
         AND rc.municipality_id = (SELECT municipality_id FROM bench_city)
     )
INSERT INTO proposals (municipality_id, id, reference, fiscal_year, kind, title, summary, body, themes, sdg_goals, policy_areas,
                       desired_support, channel, organization_id, created_by, status, held_from, lead_department_id,
                       first_contact_at, received_at, coordination_started_at,
                       organizing_at, hearing_at, matching_at, logic_model_at, awaiting_decision_at, closed_at)
SELECT (SELECT municipality_id FROM bench_city), id,
       'ZLG-' || fiscal_year || '-' || CASE WHEN seq < 10000 THEN lpad(seq::text, 4, '0') ELSE seq::text END,
       fiscal_year,
       CASE WHEN r_kind < 0.7 THEN 'proposal' ELSE 'consultation' END,
       (ARRAY['空き店舗を活用した多世代の居場所づくり', '就労支援と企業インターンの連携', '子ども食堂への食材提供',
              '高齢者の見守りとデジタル活用', '地域の強みを生かした観光ルート', 'ひきこもり支援のオンライン相談',
              '公園でのプレーパーク運営', 'ヤングケアラー支援の啓発'])[1 + (n % 8)] || ' 第' || n || '号',
       '座間市内で企業と地域団体が連携して取り組む提案。' || (ARRAY['孤独・孤立', '子育て', '高齢', '生活困窮'])[1 + (n % 4)],
       '',
       CASE WHEN r_theme < 0.45 THEN ARRAY['local_strengths'] WHEN r_theme < 0.85 THEN ARRAY['community_support']
            WHEN r_theme < 0.95 THEN ARRAY['local_strengths', 'community_support'] ELSE ARRAY['other'] END,
       ARRAY[(1 + (n % 17))::smallint],
       ARRAY['地域共生'],
       '',
       (ARRAY['web', 'phone', 'visit', 'email', 'referral'])[1 + floor(r_channel * 5)::int],
       (SELECT ids FROM orgs)[1 + (n % array_length((SELECT ids FROM orgs), 1))],
       (SELECT id FROM desk),
       status,
       CASE WHEN status = 'on_hold' THEN 'organizing' END,
       CASE WHEN depth >= 4 THEN (SELECT ids FROM depts)[1 + (n % array_length((SELECT ids FROM depts), 1))] END,
       received_at - before_receipt,
       received_at,
       -- Coordination starts with the first hearing request, before or at the move to `hearing`.
       CASE WHEN depth >= 2 THEN t2 - r_coordination * g_hearing / 2 END,
       CASE WHEN depth >= 1 THEN t1 END,
       CASE WHEN depth >= 2 THEN t2 END,
       CASE WHEN depth >= 3 THEN t3 END,
       CASE WHEN depth >= 4 THEN t4 END,
       CASE WHEN depth >= 5 THEN t5 END,
       CASE WHEN status IN ('adopted', 'not_adopted', 'declined', 'withdrawn') THEN closing END
FROM numbered;

-- One hearing per case that reached `hearing`, held a few days later (if that day has come).
INSERT INTO hearings (municipality_id, id, proposal_id, department_id, requested_by, agenda, status, held_on, interest, created_at)
SELECT (SELECT municipality_id FROM bench_city), pg_temp.uuid_v7_at(g.t2), g.id,
       (SELECT ids FROM bench_departments)[1 + (g.n % (SELECT n FROM bench_departments))::int],
       (SELECT desk_id FROM bench_city),
       '提案内容の確認と所管の検討',
       CASE WHEN g.t2 + interval '5 days' <= now() THEN 'answered' ELSE 'requested' END,
       CASE WHEN g.t2 + interval '5 days' <= now() THEN ((g.t2 + interval '5 days') AT TIME ZONE 'Asia/Tokyo')::date END,
       CASE WHEN g.t2 + interval '5 days' <= now() THEN 'interested' END,
       g.t2
FROM generated g WHERE g.depth >= 2;

-- A lead match per case that reached `matching`: accepted once the case moved on.
INSERT INTO matches (municipality_id, id, proposal_id, department_id, role, status, proposed_by, decided_at, created_at)
SELECT (SELECT municipality_id FROM bench_city), pg_temp.uuid_v7_at(g.t3), g.id,
       (SELECT ids FROM bench_departments)[1 + (g.n % (SELECT n FROM bench_departments))::int],
       'lead', CASE WHEN g.depth >= 4 THEN 'accepted' ELSE 'proposed' END,
       (SELECT desk_id FROM bench_city),
       CASE WHEN g.depth >= 4 THEN g.t3 + interval '2 days' END,
       g.t3
FROM generated g WHERE g.depth >= 3;

-- A TRIP per adopted case, starting two to eight weeks after the decision.
INSERT INTO trips (municipality_id, id, proposal_id, title, lead_department_id, supports_community_activity, status, starts_on, created_at)
SELECT p.municipality_id, pg_temp.uuid_v7_at(g.closing), p.id, p.title, p.lead_department_id, 'community_support' = ANY (p.themes),
       CASE WHEN g.closing + interval '1 year' < now() THEN 'completed' ELSE 'active' END,
       ((g.closing + interval '14 days' + random() * interval '42 days') AT TIME ZONE 'Asia/Tokyo')::date,
       g.closing
FROM generated g JOIN proposals p ON p.id = g.id
WHERE p.status = 'adopted';

-- Keep the reference counters ahead of the generated numbers.
INSERT INTO reference_counters (municipality_id, fiscal_year, last_value)
SELECT municipality_id, fiscal_year, count(*) FROM proposals GROUP BY municipality_id, fiscal_year
ON CONFLICT (municipality_id, fiscal_year) DO UPDATE SET last_value = GREATEST(reference_counters.last_value, EXCLUDED.last_value);

SET LOCAL session_replication_role = origin;
SELECT kpi_rebuild_facts();
COMMIT;
VACUUM (ANALYZE) proposals;
VACUUM (ANALYZE) hearings;
VACUUM (ANALYZE) matches;
VACUUM (ANALYZE) trips;
VACUUM (ANALYZE) kpi_facts;
