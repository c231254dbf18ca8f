-- Back to one city: keys without the municipality. Refuses (unique
-- violations) when two cities' cases share a reference or counter.
DROP VIEW kpi.targets;
CREATE VIEW kpi.targets AS SELECT fiscal_year, trips_started, community_supports, proposals_received FROM kpi_targets;
DROP VIEW kpi.matches;
CREATE VIEW kpi.matches AS
SELECT m.id, m.proposal_id, m.department_id, m.role, m.status, m.created_at, m.decided_at,
       kpi.fiscal_year(m.created_at) AS fiscal_year
FROM matches m;
DROP VIEW kpi.hearings;
CREATE VIEW kpi.hearings AS
SELECT h.id, h.proposal_id, h.department_id, h.status, h.interest, h.held_on,
       kpi.fiscal_year(h.held_on) AS fiscal_year
FROM hearings h;
DROP VIEW kpi.trips;
CREATE VIEW kpi.trips AS
SELECT t.id, t.proposal_id, t.title, t.status, t.supports_community_activity,
       t.lead_department_id, d.name AS lead_department,
       COALESCE(t.starts_on, (t.created_at AT TIME ZONE 'Asia/Tokyo')::date) AS started_on,
       kpi.fiscal_year(COALESCE(t.starts_on, (t.created_at AT TIME ZONE 'Asia/Tokyo')::date)) AS fiscal_year,
       t.ends_on
FROM trips t JOIN departments d ON d.id = t.lead_department_id;
DROP VIEW kpi.step_durations;
DROP VIEW kpi.funnel;
DROP VIEW kpi.cases;
CREATE VIEW kpi.cases AS
SELECT p.id, p.reference, p.fiscal_year,
       kpi.month_of(p.received_at) AS received_month,
       p.kind, p.channel, p.themes, p.sdg_goals, p.status,
       p.status IN ('adopted', 'not_adopted', 'declined') AS decided,
       p.status = 'adopted' AS adopted,
       p.status NOT IN ('adopted', 'not_adopted', 'declined', 'withdrawn') AS open,
       p.lead_department_id,
       p.first_contact_at, p.received_at, p.coordination_started_at, p.organizing_at, p.hearing_at,
       p.matching_at, p.logic_model_at, p.awaiting_decision_at, p.closed_at,
       kpi.days_between(p.first_contact_at, p.coordination_started_at) AS days_to_coordination,
       kpi.days_between(p.received_at, p.organizing_at) AS days_in_received,
       kpi.days_between(p.organizing_at, p.hearing_at) AS days_in_organizing,
       kpi.days_between(p.hearing_at, p.matching_at) AS days_in_hearing,
       kpi.days_between(p.matching_at, p.logic_model_at) AS days_in_matching,
       kpi.days_between(p.logic_model_at, p.awaiting_decision_at) AS days_in_logic_model,
       CASE WHEN p.status IN ('adopted', 'not_adopted') THEN kpi.days_between(p.awaiting_decision_at, p.closed_at) END
         AS days_in_awaiting_decision,
       CASE WHEN p.status IN ('adopted', 'not_adopted', 'declined') THEN kpi.days_between(p.received_at, p.closed_at) END
         AS days_to_decision
FROM proposals p;
CREATE VIEW kpi.funnel AS
SELECT c.fiscal_year, s.step_order, s.step,
       count(*) FILTER (WHERE CASE s.step
         WHEN 'received' THEN true
         WHEN 'organizing' THEN c.organizing_at IS NOT NULL
         WHEN 'hearing' THEN c.hearing_at IS NOT NULL
         WHEN 'matching' THEN c.matching_at IS NOT NULL
         WHEN 'logic_model' THEN c.logic_model_at IS NOT NULL
         WHEN 'awaiting_decision' THEN c.awaiting_decision_at IS NOT NULL
         WHEN 'adopted' THEN c.status = 'adopted' END) AS cases_reached
FROM kpi.cases c
CROSS JOIN (VALUES (1, 'received'), (2, 'organizing'), (3, 'hearing'), (4, 'matching'), (5, 'logic_model'),
                   (6, 'awaiting_decision'), (7, 'adopted')) AS s (step_order, step)
GROUP BY c.fiscal_year, s.step_order, s.step;
CREATE VIEW kpi.step_durations AS
SELECT c.fiscal_year, d.step_order, d.step, count(d.days) AS cases,
       avg(d.days) AS mean_days,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY d.days) AS median_days,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY d.days) AS p90_days,
       max(d.days) AS max_days
FROM kpi.cases c
CROSS JOIN LATERAL (VALUES (0, 'first_contact_to_coordination', c.days_to_coordination),
                           (1, 'received', c.days_in_received), (2, 'organizing', c.days_in_organizing),
                           (3, 'hearing', c.days_in_hearing), (4, 'matching', c.days_in_matching),
                           (5, 'logic_model', c.days_in_logic_model), (6, 'awaiting_decision', c.days_in_awaiting_decision),
                           (7, 'receipt_to_decision', c.days_to_decision)) AS d (step_order, step, days)
WHERE d.days IS NOT NULL
GROUP BY c.fiscal_year, d.step_order, d.step;


-- The fact functions of migration 000006.
DROP FUNCTION kpi_case_facts(proposals);
DROP FUNCTION kpi_hearing_facts(hearings);
DROP FUNCTION kpi_match_facts(matches);
DROP FUNCTION kpi_trip_facts(trips);

-- Counters and targets without the city (summed over cities; recounted below).
ALTER TABLE kpi_facts DROP CONSTRAINT kpi_facts_pkey;
ALTER TABLE kpi_histograms DROP CONSTRAINT kpi_histograms_pkey;
ALTER TABLE kpi_year_histograms DROP CONSTRAINT kpi_year_histograms_pkey;
DROP INDEX kpi_facts_year_idx;
ALTER TABLE kpi_facts DROP COLUMN municipality_id;
ALTER TABLE kpi_histograms DROP COLUMN municipality_id;
ALTER TABLE kpi_year_histograms DROP COLUMN municipality_id;
DELETE FROM kpi_facts;
DELETE FROM kpi_histograms;
DELETE FROM kpi_year_histograms;
ALTER TABLE kpi_facts ADD PRIMARY KEY (fiscal_year, metric, month, key);
ALTER TABLE kpi_histograms ADD PRIMARY KEY (fiscal_year, measure, month);
ALTER TABLE kpi_year_histograms ADD PRIMARY KEY (fiscal_year, measure);
DELETE FROM kpi_targets t USING municipalities m
  WHERE m.id = t.municipality_id AND m.code <> '142166';
ALTER TABLE kpi_targets DROP CONSTRAINT kpi_targets_pkey;
ALTER TABLE kpi_targets DROP COLUMN municipality_id;
ALTER TABLE kpi_targets ADD PRIMARY KEY (fiscal_year);

ALTER TABLE reference_counters DROP CONSTRAINT reference_counters_pkey;
DELETE FROM reference_counters r USING municipalities m
  WHERE m.id = r.municipality_id AND m.code <> '142166';
ALTER TABLE reference_counters DROP COLUMN municipality_id;
ALTER TABLE reference_counters ADD PRIMARY KEY (fiscal_year);

DROP TRIGGER audit_log_municipality ON audit_log;
ALTER TABLE audit_log DROP COLUMN proposal_id;
ALTER TABLE audit_log DROP COLUMN municipality_id;

DROP TRIGGER proposal_events_municipality ON proposal_events;
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_proposal_fkey;
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_case_has_municipality;
ALTER TABLE proposal_events DROP COLUMN municipality_id;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['trip_measurements', 'trip_partners', 'trip_supported_resources'] LOOP
    EXECUTE format('DROP TRIGGER %1$s_municipality ON %1$I', t);
    EXECUTE format('ALTER TABLE %1$I DROP CONSTRAINT %1$s_trip_fkey', t);
    EXECUTE format('ALTER TABLE %1$I DROP CONSTRAINT %1$s_pkey', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['hearings', 'messages', 'matches', 'trips', 'logic_models'] LOOP
    EXECUTE format('DROP TRIGGER %1$s_municipality ON %1$I', t);
    EXECUTE format('ALTER TABLE %1$I DROP CONSTRAINT %1$s_proposal_fkey', t);
    EXECUTE format('ALTER TABLE %1$I DROP CONSTRAINT %1$s_pkey', t);
  END LOOP;
END $$;
DROP INDEX trip_measurements_id_idx;
DROP INDEX trip_partners_trip_id_idx;
DROP INDEX trip_supported_resources_trip_id_idx;
ALTER TABLE trip_measurements DROP COLUMN municipality_id;
ALTER TABLE trip_partners DROP COLUMN municipality_id;
ALTER TABLE trip_supported_resources DROP COLUMN municipality_id;
ALTER TABLE trip_measurements ADD PRIMARY KEY (id);
ALTER TABLE trip_partners ADD PRIMARY KEY (trip_id, organization_id);
ALTER TABLE trip_supported_resources ADD PRIMARY KEY (trip_id, resource_id);

DROP INDEX logic_models_proposal_id_idx;
ALTER TABLE logic_models DROP COLUMN municipality_id;
ALTER TABLE logic_models ADD PRIMARY KEY (proposal_id, version);

DROP INDEX matches_one_accepted_lead;
DROP INDEX matches_one_open_per_department;
ALTER TABLE trips DROP CONSTRAINT trips_proposal_id_key;
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['hearings', 'messages', 'matches', 'trips'] LOOP
    EXECUTE format('DROP INDEX %s_id_idx', t);
    EXECUTE format('ALTER TABLE %I DROP COLUMN municipality_id', t);
    EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (id)', t);
  END LOOP;
END $$;
ALTER TABLE trips ADD CONSTRAINT trips_proposal_id_key UNIQUE (proposal_id);
CREATE UNIQUE INDEX matches_one_accepted_lead ON matches (proposal_id) WHERE role = 'lead' AND status = 'accepted';
CREATE UNIQUE INDEX matches_one_open_per_department ON matches (proposal_id, department_id) WHERE status <> 'declined';
DROP FUNCTION living_gate_case_municipality();
DROP FUNCTION living_gate_trip_municipality();

ALTER TABLE proposals DROP CONSTRAINT proposals_reference_key;
ALTER TABLE proposals DROP CONSTRAINT proposals_pkey;
DROP INDEX proposals_id_idx;
ALTER TABLE proposals DROP COLUMN municipality_id;
ALTER TABLE proposals ADD PRIMARY KEY (id);
ALTER TABLE proposals ADD CONSTRAINT proposals_reference_key UNIQUE (reference);

ALTER TABLE hearings ADD CONSTRAINT hearings_proposal_id_fkey FOREIGN KEY (proposal_id) REFERENCES proposals (id);
ALTER TABLE messages ADD CONSTRAINT messages_proposal_id_fkey FOREIGN KEY (proposal_id) REFERENCES proposals (id);
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_proposal_id_fkey FOREIGN KEY (proposal_id) REFERENCES proposals (id);
ALTER TABLE matches ADD CONSTRAINT matches_proposal_id_fkey FOREIGN KEY (proposal_id) REFERENCES proposals (id);
ALTER TABLE logic_models ADD CONSTRAINT logic_models_proposal_id_fkey FOREIGN KEY (proposal_id) REFERENCES proposals (id);
ALTER TABLE trips ADD CONSTRAINT trips_proposal_id_fkey FOREIGN KEY (proposal_id) REFERENCES proposals (id);
ALTER TABLE trip_partners ADD CONSTRAINT trip_partners_trip_id_fkey FOREIGN KEY (trip_id) REFERENCES trips (id);
ALTER TABLE trip_measurements ADD CONSTRAINT trip_measurements_trip_id_fkey FOREIGN KEY (trip_id) REFERENCES trips (id);
ALTER TABLE trip_supported_resources ADD CONSTRAINT trip_supported_resources_trip_id_fkey FOREIGN KEY (trip_id) REFERENCES trips (id);

UPDATE users SET role = 'admin' WHERE role = 'platform_admin';
ALTER TABLE users DROP CONSTRAINT users_staff_have_municipality;
ALTER TABLE users ADD CONSTRAINT users_staff_have_municipality
  CHECK (role NOT IN ('desk', 'department') OR municipality_id IS NOT NULL);
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('desk', 'department', 'partner', 'analyst', 'admin'));

ALTER TABLE municipalities DROP COLUMN reference_prefix;

CREATE FUNCTION kpi_case_facts(p proposals) RETURNS TABLE (fiscal_year integer, month date, metric text, key text)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN QUERY SELECT p.fiscal_year, kpi.month_of(p.received_at), f.metric, f.key
  FROM (
    SELECT * FROM (VALUES ('received', 'all'), ('received', 'kind:' || p.kind), ('received', 'channel:' || p.channel),
           ('status', p.status),
           ('reached', CASE WHEN p.organizing_at IS NOT NULL THEN 'organizing' END),
           ('reached', CASE WHEN p.hearing_at IS NOT NULL THEN 'hearing' END),
           ('reached', CASE WHEN p.matching_at IS NOT NULL THEN 'matching' END),
           ('reached', CASE WHEN p.logic_model_at IS NOT NULL THEN 'logic_model' END),
           ('reached', CASE WHEN p.awaiting_decision_at IS NOT NULL THEN 'awaiting_decision' END),
           ('waiting', CASE WHEN p.coordination_started_at IS NULL
                             AND p.status NOT IN ('adopted', 'not_adopted', 'declined', 'withdrawn') THEN 'all' END),
           ('hours:first_contact_to_coordination', kpi.hours_between(p.first_contact_at, p.coordination_started_at)::text),
           ('hours:received', kpi.hours_between(p.received_at, p.organizing_at)::text),
           ('hours:organizing', kpi.hours_between(p.organizing_at, p.hearing_at)::text),
           ('hours:hearing', kpi.hours_between(p.hearing_at, p.matching_at)::text),
           ('hours:matching', kpi.hours_between(p.matching_at, p.logic_model_at)::text),
           ('hours:logic_model', kpi.hours_between(p.logic_model_at, p.awaiting_decision_at)::text),
           ('hours:awaiting_decision', CASE WHEN p.status IN ('adopted', 'not_adopted')
                                            THEN kpi.hours_between(p.awaiting_decision_at, p.closed_at)::text END),
           ('hours:receipt_to_decision', CASE WHEN p.status IN ('adopted', 'not_adopted', 'declined')
                                              THEN kpi.hours_between(p.received_at, p.closed_at)::text END)
    ) AS v
    UNION ALL
    SELECT 'received', 'theme:' || theme FROM unnest(p.themes) AS theme
  ) AS f (metric, key)
  WHERE f.key IS NOT NULL;
END
$$;

CREATE FUNCTION kpi_hearing_facts(h hearings) RETURNS TABLE (fiscal_year integer, month date, metric text, key text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT kpi.fiscal_year(h.held_on), date_trunc('month', h.held_on)::date, 'hearings_held', 'all'
  WHERE h.held_on IS NOT NULL AND h.status = 'answered'
$$;

CREATE FUNCTION kpi_match_facts(m matches) RETURNS TABLE (fiscal_year integer, month date, metric text, key text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT kpi.fiscal_year(m.created_at), kpi.month_of(m.created_at), f.metric, 'all'
  FROM (VALUES ('matches_made'), (CASE WHEN m.status = 'accepted' THEN 'matches_accepted' END)) AS f (metric)
  WHERE f.metric IS NOT NULL
$$;

CREATE FUNCTION kpi_trip_facts(t trips) RETURNS TABLE (fiscal_year integer, month date, metric text, key text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT kpi.fiscal_year(s.started_on), date_trunc('month', s.started_on)::date, f.metric, 'all'
  FROM (SELECT COALESCE(t.starts_on, (t.created_at AT TIME ZONE 'Asia/Tokyo')::date) AS started_on) AS s,
       (VALUES ('trips_started'), (CASE WHEN t.supports_community_activity THEN 'community_supports' END)) AS f (metric)
  WHERE f.metric IS NOT NULL
$$;

-- Adds the difference between the facts of the old and the new row, in a
-- fixed order of keys so that concurrent writers never deadlock.
CREATE OR REPLACE FUNCTION kpi_count_facts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d record;
  slot integer;
BEGIN
  FOR d IN EXECUTE format($q$
    SELECT fiscal_year, month, metric, key, sum(delta)::integer AS delta FROM (
      SELECT f.*, -1 AS delta FROM %1$s($1) f WHERE $3 IN ('UPDATE', 'DELETE')
      UNION ALL
      SELECT f.*, 1 AS delta FROM %1$s($2) f WHERE $3 IN ('INSERT', 'UPDATE')
    ) d
    GROUP BY fiscal_year, metric, month, key
    HAVING sum(delta) <> 0
    ORDER BY fiscal_year, metric, month, key
  $q$, TG_ARGV[0]) USING OLD, NEW, TG_OP
  LOOP
    IF d.metric LIKE 'hours:%' THEN
      -- A negative duration (a corrected timestamp) counts as 0 hours.
      slot := GREATEST(d.key::integer, 0) + 1;
      INSERT INTO kpi_histograms (fiscal_year, month, measure, counts)
      VALUES (d.fiscal_year, d.month, substr(d.metric, 7), '{0}')
      ON CONFLICT DO NOTHING;
      UPDATE kpi_histograms SET counts[slot] = COALESCE(counts[slot], 0) + d.delta
      WHERE fiscal_year = d.fiscal_year AND measure = substr(d.metric, 7) AND month = d.month;
      INSERT INTO kpi_year_histograms (fiscal_year, measure, counts)
      VALUES (d.fiscal_year, substr(d.metric, 7), '{0}')
      ON CONFLICT DO NOTHING;
      UPDATE kpi_year_histograms SET counts[slot] = COALESCE(counts[slot], 0) + d.delta
      WHERE fiscal_year = d.fiscal_year AND measure = substr(d.metric, 7);
    ELSE
      INSERT INTO kpi_facts AS k (fiscal_year, month, metric, key, n)
      VALUES (d.fiscal_year, d.month, d.metric, d.key, d.delta)
      ON CONFLICT (fiscal_year, metric, month, key) DO UPDATE SET n = k.n + EXCLUDED.n;
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION kpi_rebuild_facts() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE kpi_facts, kpi_histograms, kpi_year_histograms IN ACCESS EXCLUSIVE MODE;
  DELETE FROM kpi_facts;
  DELETE FROM kpi_histograms;
  DELETE FROM kpi_year_histograms;
  CREATE TEMP TABLE kpi_all_facts ON COMMIT DROP AS
  SELECT f.fiscal_year, f.month, f.metric, f.key, count(*) AS n
  FROM (SELECT f.* FROM proposals p, kpi_case_facts(p) f
        UNION ALL SELECT f.* FROM hearings h, kpi_hearing_facts(h) f
        UNION ALL SELECT f.* FROM matches m, kpi_match_facts(m) f
        UNION ALL SELECT f.* FROM trips t, kpi_trip_facts(t) f) AS f
  GROUP BY f.fiscal_year, f.metric, f.month, f.key;
  ANALYZE kpi_all_facts;
  INSERT INTO kpi_facts (fiscal_year, month, metric, key, n)
  SELECT fiscal_year, month, metric, key, n FROM kpi_all_facts WHERE metric NOT LIKE 'hours:%';
  INSERT INTO kpi_histograms (fiscal_year, month, measure, counts)
  SELECT fiscal_year, month, substr(metric, 7),
         ARRAY(SELECT COALESCE(x.n, 0)::integer FROM generate_series(0, top) AS s
               LEFT JOIN unnest(hours, ns) AS x (hour, n) ON x.hour = s ORDER BY s)
  FROM (SELECT fiscal_year, month, metric, array_agg(hour) AS hours, array_agg(n) AS ns, max(hour) AS top
        FROM (SELECT fiscal_year, month, metric, GREATEST(key::integer, 0) AS hour, sum(n) AS n
              FROM kpi_all_facts WHERE metric LIKE 'hours:%' GROUP BY fiscal_year, month, metric, hour) AS per_hour
        GROUP BY fiscal_year, month, metric) AS g;
  INSERT INTO kpi_year_histograms (fiscal_year, measure, counts)
  SELECT fiscal_year, substr(metric, 7),
         ARRAY(SELECT COALESCE(x.n, 0)::integer FROM generate_series(0, top) AS s
               LEFT JOIN unnest(hours, ns) AS x (hour, n) ON x.hour = s ORDER BY s)
  FROM (SELECT fiscal_year, metric, array_agg(hour) AS hours, array_agg(n) AS ns, max(hour) AS top
        FROM (SELECT fiscal_year, metric, GREATEST(key::integer, 0) AS hour, sum(n) AS n
              FROM kpi_all_facts WHERE metric LIKE 'hours:%' GROUP BY fiscal_year, metric, hour) AS per_hour
        GROUP BY fiscal_year, metric) AS g;
  DROP TABLE kpi_all_facts;
END
$$;
SELECT kpi_rebuild_facts();
GRANT SELECT ON ALL TABLES IN SCHEMA kpi TO living_gate_bi;
