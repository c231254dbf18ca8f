-- KPIs (seed 000, 主なKPI): targets per fiscal year, an index that lets one
-- fiscal year's figures be read from the index alone, and the `kpi` schema
-- of read-only views for BI tools with the `living_gate_bi` role.

CREATE TABLE kpi_targets (
  fiscal_year         integer PRIMARY KEY CHECK (fiscal_year BETWEEN 2000 AND 2200),
  -- KPI 4: co-creation projects (TRIPs) started in the fiscal year.
  trips_started       integer NOT NULL CHECK (trips_started >= 0),
  -- KPI 5: TRIPs supporting community activity; KPI 1: proposals received.
  community_supports  integer CHECK (community_supports >= 0),
  proposals_received  integer CHECK (proposals_received >= 0),
  updated_by          uuid REFERENCES users (id),
  version             bigint NOT NULL DEFAULT 1,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kpi_targets_updated_by_idx ON kpi_targets (updated_by);
CREATE TRIGGER kpi_targets_touch BEFORE UPDATE ON kpi_targets FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();
-- Seed 000: at least one co-creation project in FY2026 (令和8年度).
INSERT INTO kpi_targets (fiscal_year, trips_started) VALUES (2026, 1);

-- Exact pre-aggregation: each case, hearing, match and TRIP contributes
-- facts (fiscal year, month, metric, key), counted by triggers in the
-- writing transaction, so a figure read after a commit includes it.
CREATE TABLE kpi_facts (
  fiscal_year  integer NOT NULL,
  month        date NOT NULL,
  metric       text NOT NULL,
  key          text NOT NULL,
  n            bigint NOT NULL,
  PRIMARY KEY (fiscal_year, metric, month, key)
);
-- Durations, counted in whole hours: counts[h + 1] is how many took h
-- hours (NULL is 0), per fiscal year and month of the case's receipt.
CREATE TABLE kpi_histograms (
  fiscal_year  integer NOT NULL,
  month        date NOT NULL,
  measure      text NOT NULL,
  counts       integer[] NOT NULL,
  PRIMARY KEY (fiscal_year, measure, month)
);
-- The same for the whole fiscal year, so that a year's report reads one
-- array per measure instead of twelve.
CREATE TABLE kpi_year_histograms (
  fiscal_year  integer NOT NULL,
  measure      text NOT NULL,
  counts       integer[] NOT NULL,
  PRIMARY KEY (fiscal_year, measure)
);

-- Open cases whose internal coordination has not started (KPI 2).
CREATE INDEX proposals_waiting_idx ON proposals (fiscal_year, first_contact_at)
  WHERE coordination_started_at IS NULL AND status NOT IN ('adopted', 'not_adopted', 'declined', 'withdrawn');

CREATE SCHEMA kpi;
COMMENT ON SCHEMA kpi IS 'Read-only views of the desk''s figures for BI tools: no personal data (no names, e-mail addresses, free text or user ids).';

-- Japan-time fiscal year (April–March) of an instant.
CREATE FUNCTION kpi.fiscal_year(at timestamptz) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT extract(year FROM (at AT TIME ZONE 'Asia/Tokyo') - interval '3 months')::integer
$$;
CREATE FUNCTION kpi.fiscal_year(on_date date) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT extract(year FROM on_date - interval '3 months')::integer
$$;
-- Durations are counted in whole hours (rounded down), reported in days.
CREATE FUNCTION kpi.hours_between(from_at timestamptz, to_at timestamptz) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT floor(extract(epoch FROM to_at - from_at) / 3600)::integer
$$;
CREATE FUNCTION kpi.days_between(from_at timestamptz, to_at timestamptz) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT kpi.hours_between(from_at, to_at)::double precision / 24
$$;
CREATE FUNCTION kpi.month_of(at timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT date_trunc('month', at AT TIME ZONE 'Asia/Tokyo')::date
$$;

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
COMMENT ON VIEW kpi.cases IS 'One row per case: fiscal year and month of receipt (Asia/Tokyo), classification, status, the first time it entered each step, and the days spent in each step (NULL until the case left it). decided = adopted, not_adopted or declined; open = not final.';

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
COMMENT ON VIEW kpi.funnel IS 'Per fiscal year of receipt, how many cases reached each of the six steps (and adoption).';

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
COMMENT ON VIEW kpi.step_durations IS 'Per fiscal year of receipt, the days cases spent in each step (from entering it to entering the next), from first contact to coordination, and from receipt to decision: count, mean, median, p90 (linear interpolation) and max.';

CREATE VIEW kpi.trips AS
SELECT t.id, t.proposal_id, t.title, t.status, t.supports_community_activity,
       t.lead_department_id, d.name AS lead_department,
       COALESCE(t.starts_on, (t.created_at AT TIME ZONE 'Asia/Tokyo')::date) AS started_on,
       kpi.fiscal_year(COALESCE(t.starts_on, (t.created_at AT TIME ZONE 'Asia/Tokyo')::date)) AS fiscal_year,
       t.ends_on
FROM trips t JOIN departments d ON d.id = t.lead_department_id;
COMMENT ON VIEW kpi.trips IS 'Co-creation projects (TRIPs): started_on is the planned start date, or the day of adoption when none is set; fiscal_year is that of started_on.';

CREATE VIEW kpi.trip_supported_resources AS
SELECT s.trip_id, s.resource_id, r.legal_form, r.municipality_id
FROM trip_supported_resources s JOIN resources r ON r.id = s.resource_id;
COMMENT ON VIEW kpi.trip_supported_resources IS 'KPI 5: the directory organizations (resources) each TRIP supports, with their legal form and municipality.';

CREATE VIEW kpi.measurements AS
SELECT m.trip_id, m.indicator_id, i.name AS indicator, i.unit, i.baseline, i.target, m.value, m.measured_on
FROM trip_measurements m
JOIN trips t ON t.id = m.trip_id
LEFT JOIN LATERAL (
  SELECT ind->>'name' AS name, ind->>'unit' AS unit, (ind->>'baseline')::double precision AS baseline,
         (ind->>'target')::double precision AS target
  FROM logic_models lm, jsonb_array_elements(lm.content->'indicators') AS ind
  WHERE lm.proposal_id = t.proposal_id AND lm.status = 'shared' AND (ind->>'id')::uuid = m.indicator_id
  ORDER BY lm.version DESC LIMIT 1
) i ON true;
COMMENT ON VIEW kpi.measurements IS 'Every measurement of a TRIP indicator, with the indicator as defined in the latest shared logic model of the case.';

CREATE VIEW kpi.hearings AS
SELECT h.id, h.proposal_id, h.department_id, h.status, h.interest, h.held_on,
       kpi.fiscal_year(h.held_on) AS fiscal_year
FROM hearings h;
COMMENT ON VIEW kpi.hearings IS 'Hearings with departments; held_on is set once a hearing was held and answered.';

CREATE VIEW kpi.matches AS
SELECT m.id, m.proposal_id, m.department_id, m.role, m.status, m.created_at, m.decided_at,
       kpi.fiscal_year(m.created_at) AS fiscal_year
FROM matches m;
COMMENT ON VIEW kpi.matches IS 'Matches of cases with departments (proposed, accepted, declined); fiscal_year is that of the day the match was made.';

CREATE VIEW kpi.targets AS
SELECT fiscal_year, trips_started, community_supports, proposals_received FROM kpi_targets;
COMMENT ON VIEW kpi.targets IS 'Targets per fiscal year set by the desk (seed 000: at least one TRIP in FY2026).';

-- The facts each row contributes to kpi_facts.
-- (PL/pgSQL: PostgreSQL 15's planner fails to inline this one as SQL.)
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
CREATE FUNCTION kpi_count_facts() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER proposals_kpi_facts AFTER INSERT OR UPDATE OR DELETE ON proposals
  FOR EACH ROW EXECUTE FUNCTION kpi_count_facts('kpi_case_facts');
CREATE TRIGGER hearings_kpi_facts AFTER INSERT OR UPDATE OR DELETE ON hearings
  FOR EACH ROW EXECUTE FUNCTION kpi_count_facts('kpi_hearing_facts');
CREATE TRIGGER matches_kpi_facts AFTER INSERT OR UPDATE OR DELETE ON matches
  FOR EACH ROW EXECUTE FUNCTION kpi_count_facts('kpi_match_facts');
CREATE TRIGGER trips_kpi_facts AFTER INSERT OR UPDATE OR DELETE ON trips
  FOR EACH ROW EXECUTE FUNCTION kpi_count_facts('kpi_trip_facts');

-- Recounts everything, e.g. after a bulk load with the triggers disabled.
CREATE FUNCTION kpi_rebuild_facts() RETURNS void LANGUAGE plpgsql AS $$
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

-- The role BI tools log in through (a login role is granted this one; see
-- the README). Roles belong to the cluster, not to one database: created
-- once, never dropped by a migration.
DO $$
BEGIN
  CREATE ROLE living_gate_bi NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
GRANT USAGE ON SCHEMA kpi TO living_gate_bi;
GRANT SELECT ON ALL TABLES IN SCHEMA kpi TO living_gate_bi;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA kpi TO living_gate_bi;
