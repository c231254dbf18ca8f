-- Issue 14, part A: a case belongs to a municipality (the tenant key), and
-- so does everything the case owns. Every existing case becomes Zama's.
-- Keys of the case tables lead with municipality_id, and a child points at
-- its case through (municipality_id, proposal_id), so a child can never sit
-- in another city than its case and the schema can be distributed by
-- municipality (Citus-style co-location). No RLS policies here (a later
-- change adds them on these columns).

-- Reference numbers: each city its own prefix (Zama keeps ZLG).
ALTER TABLE municipalities ADD COLUMN reference_prefix text;
UPDATE municipalities SET reference_prefix = CASE code
  WHEN '142166' THEN 'ZLG' WHEN '142182' THEN 'AYS' WHEN '142131' THEN 'YMT' WHEN '142158' THEN 'EBN'
  ELSE 'M' || code END;
ALTER TABLE municipalities ALTER COLUMN reference_prefix SET NOT NULL;
ALTER TABLE municipalities ADD CONSTRAINT municipalities_reference_prefix_format
  CHECK (reference_prefix ~ '^[A-Z][A-Z0-9]{1,7}$');
ALTER TABLE municipalities ADD CONSTRAINT municipalities_reference_prefix_key UNIQUE (reference_prefix);

-- Existing cases, admins and targets are Zama's: Zama must exist for them.
INSERT INTO municipalities (id, code, name, name_kana, name_en, reference_prefix)
SELECT gen_random_uuid(), '142166', '座間市', 'ざまし', 'Zama', 'ZLG'
WHERE NOT EXISTS (SELECT 1 FROM municipalities WHERE code = '142166')
  AND (EXISTS (SELECT 1 FROM proposals) OR EXISTS (SELECT 1 FROM users WHERE role = 'admin')
       OR EXISTS (SELECT 1 FROM reference_counters));

CREATE FUNCTION living_gate_zama() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT id FROM municipalities WHERE code = '142166'
$$;

-- Admins: a municipal admin belongs to a city; the platform admin is a role of its own.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('desk', 'department', 'partner', 'analyst', 'admin', 'platform_admin'));
UPDATE users SET municipality_id = living_gate_zama() WHERE role = 'admin' AND municipality_id IS NULL;
ALTER TABLE users DROP CONSTRAINT users_staff_have_municipality;
ALTER TABLE users ADD CONSTRAINT users_staff_have_municipality
  CHECK (role NOT IN ('desk', 'department', 'admin') OR municipality_id IS NOT NULL);

-- The composite foreign keys below need the parents' keys first: drop the old ones.
ALTER TABLE hearings DROP CONSTRAINT hearings_proposal_id_fkey;
ALTER TABLE messages DROP CONSTRAINT messages_proposal_id_fkey;
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_proposal_id_fkey;
ALTER TABLE matches DROP CONSTRAINT matches_proposal_id_fkey;
ALTER TABLE logic_models DROP CONSTRAINT logic_models_proposal_id_fkey;
ALTER TABLE trips DROP CONSTRAINT trips_proposal_id_fkey;
ALTER TABLE trip_partners DROP CONSTRAINT trip_partners_trip_id_fkey;
ALTER TABLE trip_measurements DROP CONSTRAINT trip_measurements_trip_id_fkey;
ALTER TABLE trip_supported_resources DROP CONSTRAINT trip_supported_resources_trip_id_fkey;

-- Cases.
ALTER TABLE proposals ADD COLUMN municipality_id uuid REFERENCES municipalities (id);
UPDATE proposals SET municipality_id = living_gate_zama();
ALTER TABLE proposals ALTER COLUMN municipality_id SET NOT NULL;
ALTER TABLE proposals DROP CONSTRAINT proposals_pkey;
ALTER TABLE proposals ADD PRIMARY KEY (municipality_id, id);
CREATE INDEX proposals_id_idx ON proposals (id);
ALTER TABLE proposals DROP CONSTRAINT proposals_reference_key;
ALTER TABLE proposals ADD CONSTRAINT proposals_reference_key UNIQUE (municipality_id, reference);

-- A child's city is its case's: filled in on insert from the case, checked by the foreign key.
CREATE FUNCTION living_gate_case_municipality() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.municipality_id IS NULL AND NEW.proposal_id IS NOT NULL THEN
    SELECT p.municipality_id INTO NEW.municipality_id FROM proposals p WHERE p.id = NEW.proposal_id;
  END IF;
  RETURN NEW;
END $$;
CREATE FUNCTION living_gate_trip_municipality() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.municipality_id IS NULL THEN
    SELECT t.municipality_id INTO NEW.municipality_id FROM trips t WHERE t.id = NEW.trip_id;
  END IF;
  RETURN NEW;
END $$;

-- Tables with an id of their own: key (municipality_id, id).
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['hearings', 'messages', 'matches', 'trips'] LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN municipality_id uuid', t);
    EXECUTE format('UPDATE %I c SET municipality_id = p.municipality_id FROM proposals p WHERE p.id = c.proposal_id', t);
    EXECUTE format('ALTER TABLE %I ALTER COLUMN municipality_id SET NOT NULL', t);
    EXECUTE format('ALTER TABLE %1$I DROP CONSTRAINT %1$s_pkey', t);
    EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (municipality_id, id)', t);
    EXECUTE format('CREATE INDEX %1$s_id_idx ON %1$I (id)', t);
    EXECUTE format('ALTER TABLE %1$I ADD CONSTRAINT %1$s_proposal_fkey FOREIGN KEY (municipality_id, proposal_id) '
                   'REFERENCES proposals (municipality_id, id)', t);
    EXECUTE format('CREATE TRIGGER %1$s_municipality BEFORE INSERT ON %1$I FOR EACH ROW '
                   'EXECUTE FUNCTION living_gate_case_municipality()', t);
  END LOOP;
END $$;
ALTER TABLE trips DROP CONSTRAINT trips_proposal_id_key;
ALTER TABLE trips ADD CONSTRAINT trips_proposal_id_key UNIQUE (municipality_id, proposal_id);
DROP INDEX matches_one_accepted_lead;
CREATE UNIQUE INDEX matches_one_accepted_lead ON matches (municipality_id, proposal_id)
  WHERE role = 'lead' AND status = 'accepted';
DROP INDEX matches_one_open_per_department;
CREATE UNIQUE INDEX matches_one_open_per_department ON matches (municipality_id, proposal_id, department_id)
  WHERE status <> 'declined';

ALTER TABLE logic_models ADD COLUMN municipality_id uuid;
UPDATE logic_models c SET municipality_id = p.municipality_id FROM proposals p WHERE p.id = c.proposal_id;
ALTER TABLE logic_models ALTER COLUMN municipality_id SET NOT NULL;
ALTER TABLE logic_models DROP CONSTRAINT logic_models_pkey;
ALTER TABLE logic_models ADD PRIMARY KEY (municipality_id, proposal_id, version);
CREATE INDEX logic_models_proposal_id_idx ON logic_models (proposal_id, version);
ALTER TABLE logic_models ADD CONSTRAINT logic_models_proposal_fkey FOREIGN KEY (municipality_id, proposal_id)
  REFERENCES proposals (municipality_id, id);
CREATE TRIGGER logic_models_municipality BEFORE INSERT ON logic_models FOR EACH ROW
  EXECUTE FUNCTION living_gate_case_municipality();

-- A TRIP's children.
ALTER TABLE trip_measurements ADD COLUMN municipality_id uuid;
ALTER TABLE trip_partners ADD COLUMN municipality_id uuid;
ALTER TABLE trip_supported_resources ADD COLUMN municipality_id uuid;
UPDATE trip_measurements c SET municipality_id = t.municipality_id FROM trips t WHERE t.id = c.trip_id;
UPDATE trip_partners c SET municipality_id = t.municipality_id FROM trips t WHERE t.id = c.trip_id;
UPDATE trip_supported_resources c SET municipality_id = t.municipality_id FROM trips t WHERE t.id = c.trip_id;
ALTER TABLE trip_measurements ALTER COLUMN municipality_id SET NOT NULL;
ALTER TABLE trip_partners ALTER COLUMN municipality_id SET NOT NULL;
ALTER TABLE trip_supported_resources ALTER COLUMN municipality_id SET NOT NULL;
ALTER TABLE trip_measurements DROP CONSTRAINT trip_measurements_pkey;
ALTER TABLE trip_measurements ADD PRIMARY KEY (municipality_id, id);
CREATE INDEX trip_measurements_id_idx ON trip_measurements (id);
ALTER TABLE trip_partners DROP CONSTRAINT trip_partners_pkey;
ALTER TABLE trip_partners ADD PRIMARY KEY (municipality_id, trip_id, organization_id);
CREATE INDEX trip_partners_trip_id_idx ON trip_partners (trip_id);
ALTER TABLE trip_supported_resources DROP CONSTRAINT trip_supported_resources_pkey;
ALTER TABLE trip_supported_resources ADD PRIMARY KEY (municipality_id, trip_id, resource_id);
CREATE INDEX trip_supported_resources_trip_id_idx ON trip_supported_resources (trip_id);
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['trip_measurements', 'trip_partners', 'trip_supported_resources'] LOOP
    EXECUTE format('ALTER TABLE %1$I ADD CONSTRAINT %1$s_trip_fkey FOREIGN KEY (municipality_id, trip_id) '
                   'REFERENCES trips (municipality_id, id)', t);
    EXECUTE format('CREATE TRIGGER %1$s_municipality BEFORE INSERT ON %1$I FOR EACH ROW '
                   'EXECUTE FUNCTION living_gate_trip_municipality()', t);
  END LOOP;
END $$;

-- The change feed is one ordered log of every city (its position is the
-- global order); an event about a case carries the case's city, other
-- events the city they concern (NULL: the platform's).
ALTER TABLE proposal_events ADD COLUMN municipality_id uuid REFERENCES municipalities (id);
UPDATE proposal_events e SET municipality_id = p.municipality_id FROM proposals p WHERE p.id = e.proposal_id;
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_proposal_fkey FOREIGN KEY (municipality_id, proposal_id)
  REFERENCES proposals (municipality_id, id);
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_case_has_municipality
  CHECK (proposal_id IS NULL OR municipality_id IS NOT NULL);
CREATE INDEX proposal_events_municipality_id_idx ON proposal_events (municipality_id, position);
CREATE TRIGGER proposal_events_municipality BEFORE INSERT ON proposal_events FOR EACH ROW
  EXECUTE FUNCTION living_gate_case_municipality();

-- The audit log: the city of the target (NULL: the platform's) and, for a
-- case's records, the case, whose content admins never read.
ALTER TABLE audit_log ADD COLUMN municipality_id uuid REFERENCES municipalities (id);
ALTER TABLE audit_log ADD COLUMN proposal_id uuid;
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
UPDATE audit_log SET municipality_id = living_gate_zama()
  WHERE target_type IS DISTINCT FROM 'municipality' AND target_type IS DISTINCT FROM 'service_account';
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
CREATE INDEX audit_log_municipality_id_idx ON audit_log (municipality_id, id DESC);
CREATE TRIGGER audit_log_municipality BEFORE INSERT ON audit_log FOR EACH ROW
  EXECUTE FUNCTION living_gate_case_municipality();

-- Gap-free references per (municipality, fiscal year).
ALTER TABLE reference_counters ADD COLUMN municipality_id uuid REFERENCES municipalities (id);
UPDATE reference_counters SET municipality_id = living_gate_zama();
ALTER TABLE reference_counters ALTER COLUMN municipality_id SET NOT NULL;
ALTER TABLE reference_counters DROP CONSTRAINT reference_counters_pkey;
ALTER TABLE reference_counters ADD PRIMARY KEY (municipality_id, fiscal_year);

-- KPI targets are a city's. Without Zama (a fresh database) the seeded
-- FY2026 target goes: `living-gate init` sets it again for Zama.
ALTER TABLE kpi_targets ADD COLUMN municipality_id uuid REFERENCES municipalities (id);
DELETE FROM kpi_targets WHERE living_gate_zama() IS NULL;
UPDATE kpi_targets SET municipality_id = living_gate_zama();
ALTER TABLE kpi_targets ALTER COLUMN municipality_id SET NOT NULL;
ALTER TABLE kpi_targets DROP CONSTRAINT kpi_targets_pkey;
ALTER TABLE kpi_targets ADD PRIMARY KEY (municipality_id, fiscal_year);

-- KPI counters keyed by city.
ALTER TABLE kpi_facts ADD COLUMN municipality_id uuid;
ALTER TABLE kpi_histograms ADD COLUMN municipality_id uuid;
ALTER TABLE kpi_year_histograms ADD COLUMN municipality_id uuid;
DELETE FROM kpi_facts WHERE living_gate_zama() IS NULL;
DELETE FROM kpi_histograms WHERE living_gate_zama() IS NULL;
DELETE FROM kpi_year_histograms WHERE living_gate_zama() IS NULL;
UPDATE kpi_facts SET municipality_id = living_gate_zama();
UPDATE kpi_histograms SET municipality_id = living_gate_zama();
UPDATE kpi_year_histograms SET municipality_id = living_gate_zama();
ALTER TABLE kpi_facts ALTER COLUMN municipality_id SET NOT NULL;
ALTER TABLE kpi_histograms ALTER COLUMN municipality_id SET NOT NULL;
ALTER TABLE kpi_year_histograms ALTER COLUMN municipality_id SET NOT NULL;
ALTER TABLE kpi_facts DROP CONSTRAINT kpi_facts_pkey;
ALTER TABLE kpi_facts ADD PRIMARY KEY (municipality_id, fiscal_year, metric, month, key);
ALTER TABLE kpi_histograms DROP CONSTRAINT kpi_histograms_pkey;
ALTER TABLE kpi_histograms ADD PRIMARY KEY (municipality_id, fiscal_year, measure, month);
ALTER TABLE kpi_year_histograms DROP CONSTRAINT kpi_year_histograms_pkey;
ALTER TABLE kpi_year_histograms ADD PRIMARY KEY (municipality_id, fiscal_year, measure);
-- The four-city figures read every city's rows of a year.
CREATE INDEX kpi_facts_year_idx ON kpi_facts (fiscal_year, metric);

DROP FUNCTION living_gate_zama();

-- The fact functions: the same facts, with the case's city first.
DROP FUNCTION kpi_case_facts(proposals);
DROP FUNCTION kpi_hearing_facts(hearings);
DROP FUNCTION kpi_match_facts(matches);
DROP FUNCTION kpi_trip_facts(trips);

CREATE FUNCTION kpi_case_facts(p proposals)
  RETURNS TABLE (municipality_id uuid, fiscal_year integer, month date, metric text, key text)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN QUERY SELECT p.municipality_id, p.fiscal_year, kpi.month_of(p.received_at), f.metric, f.key
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

CREATE FUNCTION kpi_hearing_facts(h hearings)
  RETURNS TABLE (municipality_id uuid, fiscal_year integer, month date, metric text, key text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT h.municipality_id, kpi.fiscal_year(h.held_on), date_trunc('month', h.held_on)::date, 'hearings_held', 'all'
  WHERE h.held_on IS NOT NULL AND h.status = 'answered'
$$;

CREATE FUNCTION kpi_match_facts(m matches)
  RETURNS TABLE (municipality_id uuid, fiscal_year integer, month date, metric text, key text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT m.municipality_id, kpi.fiscal_year(m.created_at), kpi.month_of(m.created_at), f.metric, 'all'
  FROM (VALUES ('matches_made'), (CASE WHEN m.status = 'accepted' THEN 'matches_accepted' END)) AS f (metric)
  WHERE f.metric IS NOT NULL
$$;

CREATE FUNCTION kpi_trip_facts(t trips)
  RETURNS TABLE (municipality_id uuid, fiscal_year integer, month date, metric text, key text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT t.municipality_id, kpi.fiscal_year(s.started_on), date_trunc('month', s.started_on)::date, f.metric, 'all'
  FROM (SELECT COALESCE(t.starts_on, (t.created_at AT TIME ZONE 'Asia/Tokyo')::date) AS started_on) AS s,
       (VALUES ('trips_started'), (CASE WHEN t.supports_community_activity THEN 'community_supports' END)) AS f (metric)
  WHERE f.metric IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION kpi_count_facts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d record;
  slot integer;
BEGIN
  FOR d IN EXECUTE format($q$
    SELECT municipality_id, fiscal_year, month, metric, key, sum(delta)::integer AS delta FROM (
      SELECT f.*, -1 AS delta FROM %1$s($1) f WHERE $3 IN ('UPDATE', 'DELETE')
      UNION ALL
      SELECT f.*, 1 AS delta FROM %1$s($2) f WHERE $3 IN ('INSERT', 'UPDATE')
    ) d
    GROUP BY municipality_id, fiscal_year, metric, month, key
    HAVING sum(delta) <> 0
    ORDER BY municipality_id, fiscal_year, metric, month, key
  $q$, TG_ARGV[0]) USING OLD, NEW, TG_OP
  LOOP
    IF d.metric LIKE 'hours:%' THEN
      -- A negative duration (a corrected timestamp) counts as 0 hours.
      slot := GREATEST(d.key::integer, 0) + 1;
      INSERT INTO kpi_histograms (municipality_id, fiscal_year, month, measure, counts)
      VALUES (d.municipality_id, d.fiscal_year, d.month, substr(d.metric, 7), '{0}')
      ON CONFLICT DO NOTHING;
      UPDATE kpi_histograms SET counts[slot] = COALESCE(counts[slot], 0) + d.delta
      WHERE municipality_id = d.municipality_id AND fiscal_year = d.fiscal_year
        AND measure = substr(d.metric, 7) AND month = d.month;
      INSERT INTO kpi_year_histograms (municipality_id, fiscal_year, measure, counts)
      VALUES (d.municipality_id, d.fiscal_year, substr(d.metric, 7), '{0}')
      ON CONFLICT DO NOTHING;
      UPDATE kpi_year_histograms SET counts[slot] = COALESCE(counts[slot], 0) + d.delta
      WHERE municipality_id = d.municipality_id AND fiscal_year = d.fiscal_year AND measure = substr(d.metric, 7);
    ELSE
      INSERT INTO kpi_facts AS k (municipality_id, fiscal_year, month, metric, key, n)
      VALUES (d.municipality_id, d.fiscal_year, d.month, d.metric, d.key, d.delta)
      ON CONFLICT (municipality_id, fiscal_year, metric, month, key) DO UPDATE SET n = k.n + EXCLUDED.n;
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
  SELECT f.municipality_id, f.fiscal_year, f.month, f.metric, f.key, count(*) AS n
  FROM (SELECT f.* FROM proposals p, kpi_case_facts(p) f
        UNION ALL SELECT f.* FROM hearings h, kpi_hearing_facts(h) f
        UNION ALL SELECT f.* FROM matches m, kpi_match_facts(m) f
        UNION ALL SELECT f.* FROM trips t, kpi_trip_facts(t) f) AS f
  GROUP BY f.municipality_id, f.fiscal_year, f.metric, f.month, f.key;
  ANALYZE kpi_all_facts;
  INSERT INTO kpi_facts (municipality_id, fiscal_year, month, metric, key, n)
  SELECT municipality_id, fiscal_year, month, metric, key, n FROM kpi_all_facts WHERE metric NOT LIKE 'hours:%';
  INSERT INTO kpi_histograms (municipality_id, fiscal_year, month, measure, counts)
  SELECT municipality_id, fiscal_year, month, substr(metric, 7),
         ARRAY(SELECT COALESCE(x.n, 0)::integer FROM generate_series(0, top) AS s
               LEFT JOIN unnest(hours, ns) AS x (hour, n) ON x.hour = s ORDER BY s)
  FROM (SELECT municipality_id, fiscal_year, month, metric, array_agg(hour) AS hours, array_agg(n) AS ns, max(hour) AS top
        FROM (SELECT municipality_id, fiscal_year, month, metric, GREATEST(key::integer, 0) AS hour, sum(n) AS n
              FROM kpi_all_facts WHERE metric LIKE 'hours:%'
              GROUP BY municipality_id, fiscal_year, month, metric, hour) AS per_hour
        GROUP BY municipality_id, fiscal_year, month, metric) AS g;
  INSERT INTO kpi_year_histograms (municipality_id, fiscal_year, measure, counts)
  SELECT municipality_id, fiscal_year, substr(metric, 7),
         ARRAY(SELECT COALESCE(x.n, 0)::integer FROM generate_series(0, top) AS s
               LEFT JOIN unnest(hours, ns) AS x (hour, n) ON x.hour = s ORDER BY s)
  FROM (SELECT municipality_id, fiscal_year, metric, array_agg(hour) AS hours, array_agg(n) AS ns, max(hour) AS top
        FROM (SELECT municipality_id, fiscal_year, metric, GREATEST(key::integer, 0) AS hour, sum(n) AS n
              FROM kpi_all_facts WHERE metric LIKE 'hours:%'
              GROUP BY municipality_id, fiscal_year, metric, hour) AS per_hour
        GROUP BY municipality_id, fiscal_year, metric) AS g;
  DROP TABLE kpi_all_facts;
END
$$;
SELECT kpi_rebuild_facts();

-- The BI views carry the city (new columns last, as CREATE OR REPLACE needs).
CREATE OR REPLACE VIEW kpi.cases AS
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
         AS days_to_decision,
       p.municipality_id
FROM proposals p;

CREATE OR REPLACE VIEW kpi.funnel AS
SELECT c.fiscal_year, s.step_order, s.step,
       count(*) FILTER (WHERE CASE s.step
         WHEN 'received' THEN true
         WHEN 'organizing' THEN c.organizing_at IS NOT NULL
         WHEN 'hearing' THEN c.hearing_at IS NOT NULL
         WHEN 'matching' THEN c.matching_at IS NOT NULL
         WHEN 'logic_model' THEN c.logic_model_at IS NOT NULL
         WHEN 'awaiting_decision' THEN c.awaiting_decision_at IS NOT NULL
         WHEN 'adopted' THEN c.status = 'adopted' END) AS cases_reached,
       c.municipality_id
FROM kpi.cases c
CROSS JOIN (VALUES (1, 'received'), (2, 'organizing'), (3, 'hearing'), (4, 'matching'), (5, 'logic_model'),
                   (6, 'awaiting_decision'), (7, 'adopted')) AS s (step_order, step)
GROUP BY c.municipality_id, c.fiscal_year, s.step_order, s.step;
COMMENT ON VIEW kpi.funnel IS 'Per municipality and fiscal year of receipt, how many cases reached each of the six steps (and adoption).';

CREATE OR REPLACE VIEW kpi.step_durations AS
SELECT c.fiscal_year, d.step_order, d.step, count(d.days) AS cases,
       avg(d.days) AS mean_days,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY d.days) AS median_days,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY d.days) AS p90_days,
       max(d.days) AS max_days,
       c.municipality_id
FROM kpi.cases c
CROSS JOIN LATERAL (VALUES (0, 'first_contact_to_coordination', c.days_to_coordination),
                           (1, 'received', c.days_in_received), (2, 'organizing', c.days_in_organizing),
                           (3, 'hearing', c.days_in_hearing), (4, 'matching', c.days_in_matching),
                           (5, 'logic_model', c.days_in_logic_model), (6, 'awaiting_decision', c.days_in_awaiting_decision),
                           (7, 'receipt_to_decision', c.days_to_decision)) AS d (step_order, step, days)
WHERE d.days IS NOT NULL
GROUP BY c.municipality_id, c.fiscal_year, d.step_order, d.step;
COMMENT ON VIEW kpi.step_durations IS 'Per municipality and fiscal year of receipt, the days cases spent in each step (from entering it to entering the next), from first contact to coordination, and from receipt to decision: count, mean, median, p90 (linear interpolation) and max.';

CREATE OR REPLACE VIEW kpi.trips AS
SELECT t.id, t.proposal_id, t.title, t.status, t.supports_community_activity,
       t.lead_department_id, d.name AS lead_department,
       COALESCE(t.starts_on, (t.created_at AT TIME ZONE 'Asia/Tokyo')::date) AS started_on,
       kpi.fiscal_year(COALESCE(t.starts_on, (t.created_at AT TIME ZONE 'Asia/Tokyo')::date)) AS fiscal_year,
       t.ends_on,
       t.municipality_id
FROM trips t JOIN departments d ON d.id = t.lead_department_id;

CREATE OR REPLACE VIEW kpi.hearings AS
SELECT h.id, h.proposal_id, h.department_id, h.status, h.interest, h.held_on,
       kpi.fiscal_year(h.held_on) AS fiscal_year,
       h.municipality_id
FROM hearings h;

CREATE OR REPLACE VIEW kpi.matches AS
SELECT m.id, m.proposal_id, m.department_id, m.role, m.status, m.created_at, m.decided_at,
       kpi.fiscal_year(m.created_at) AS fiscal_year,
       m.municipality_id
FROM matches m;

CREATE OR REPLACE VIEW kpi.targets AS
SELECT fiscal_year, trips_started, community_supports, proposals_received, municipality_id FROM kpi_targets;
COMMENT ON VIEW kpi.targets IS 'Targets per municipality and fiscal year set by its desk (seed 000: at least one TRIP in FY2026 for Zama).';

GRANT SELECT ON ALL TABLES IN SCHEMA kpi TO living_gate_bi;
