-- Residents introduced across city borders (issue 19, seed 002): the
-- introduction, never the resident. No column can hold a name or free text.
CREATE TABLE referrals (
  id uuid PRIMARY KEY,
  -- The worker's city (the from-city): whose record it is.
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  -- The worker's department, when a department's staff recorded it.
  department_id uuid REFERENCES departments (id),
  recorded_by uuid NOT NULL REFERENCES users (id),
  resource_id uuid NOT NULL REFERENCES resources (id),
  -- The entry's city when the introduction was recorded (the to-city).
  to_municipality_id uuid NOT NULL REFERENCES municipalities (id),
  referred_on date NOT NULL CHECK (referred_on >= DATE '2000-01-01'),
  -- Topic codes (vocabulary `topic`), each once.
  topics text[] NOT NULL CHECK (cardinality(topics) BETWEEN 1 AND 10),
  -- Domain `platform::referral::ReferralChannel`.
  channel text NOT NULL CHECK (channel IN ('accompanied', 'in_person', 'phone', 'email', 'online', 'other')),
  -- Domain `platform::referral::ReferralOutcome`.
  outcome text NOT NULL DEFAULT 'unknown' CHECK (outcome IN ('unknown', 'contacted', 'using', 'not_used')),
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER referrals_touch BEFORE UPDATE ON referrals FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();
CREATE INDEX referrals_municipality_idx ON referrals (municipality_id, id);
CREATE INDEX referrals_to_municipality_idx ON referrals (to_municipality_id, id);
CREATE INDEX referrals_resource_idx ON referrals (resource_id);
CREATE INDEX referrals_department_idx ON referrals (department_id);
CREATE INDEX referrals_recorded_by_idx ON referrals (recorded_by);

-- Both cities see the record: the worker's city wrote it, the entry's city
-- learns who it receives. Only the worker's city writes.
ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON referrals
  USING (living_gate_in_scope(municipality_id) OR living_gate_in_scope(to_municipality_id))
  WITH CHECK (living_gate_in_scope(municipality_id));
REVOKE DELETE, TRUNCATE ON referrals FROM living_gate_app;

-- The platform's figures, kept in the writing transaction (as kpi_facts
-- are): introductions per fiscal year (of the day introduced, Japan's
-- April–March) × from-city × to-city × topic. `topic = ''` counts each
-- introduction once, whatever its topics (the topic rows overlap: one
-- introduction on two topics is in both). Counts only, of every city: the
-- platform's figures are shared, like the directory.
CREATE TABLE referral_counts (
  fiscal_year integer NOT NULL,
  from_municipality_id uuid NOT NULL REFERENCES municipalities (id),
  to_municipality_id uuid NOT NULL REFERENCES municipalities (id),
  topic text NOT NULL,
  outcome text NOT NULL,
  referrals bigint NOT NULL CHECK (referrals >= 0),
  PRIMARY KEY (fiscal_year, from_municipality_id, to_municipality_id, topic, outcome)
);
CREATE INDEX referral_counts_from_idx ON referral_counts (from_municipality_id);
CREATE INDEX referral_counts_to_idx ON referral_counts (to_municipality_id);
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON referral_counts FROM living_gate_app;

CREATE FUNCTION referral_count(r referrals, delta integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  t text;
BEGIN
  -- In a fixed order (the key's), so concurrent writers wait, never deadlock.
  FOR t IN SELECT DISTINCT x FROM unnest(array_append(r.topics, '')) x ORDER BY x LOOP
    IF delta < 0 THEN
      -- The row was counted when the introduction was written: it exists.
      UPDATE referral_counts SET referrals = referrals + delta
      WHERE fiscal_year = kpi.fiscal_year(r.referred_on) AND from_municipality_id = r.municipality_id
        AND to_municipality_id = r.to_municipality_id AND topic = t AND outcome = r.outcome;
    ELSE
      INSERT INTO referral_counts AS c
        (fiscal_year, from_municipality_id, to_municipality_id, topic, outcome, referrals)
      VALUES (kpi.fiscal_year(r.referred_on), r.municipality_id, r.to_municipality_id, t, r.outcome, delta)
      ON CONFLICT (fiscal_year, from_municipality_id, to_municipality_id, topic, outcome)
      DO UPDATE SET referrals = c.referrals + EXCLUDED.referrals;
    END IF;
  END LOOP;
END $$;

CREATE FUNCTION referrals_count_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM referral_count(OLD, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM referral_count(NEW, 1);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER referrals_count AFTER INSERT OR UPDATE OR DELETE ON referrals
  FOR EACH ROW EXECUTE FUNCTION referrals_count_trigger();

-- For BI tools: the figures with the cities' codes and names.
CREATE VIEW kpi.referrals AS
SELECT c.fiscal_year,
       f.code AS from_municipality_code, f.name AS from_municipality,
       t.code AS to_municipality_code, t.name AS to_municipality,
       nullif(c.topic, '') AS topic, c.outcome, c.referrals,
       c.from_municipality_id AS municipality_id, c.to_municipality_id
FROM referral_counts c
JOIN municipalities f ON f.id = c.from_municipality_id
JOIN municipalities t ON t.id = c.to_municipality_id
WHERE c.referrals > 0;
GRANT SELECT ON kpi.referrals TO living_gate_app, living_gate_bi;

-- The feed's new kinds, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['referral_recorded', 'referral_updated'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
