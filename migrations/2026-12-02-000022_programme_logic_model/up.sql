-- The desk's own logic model (issue 18): seed 000's programme model
-- (inputs → activities → outputs → outcomes → impact, and the causal chain)
-- as a city's data per fiscal year. Each output and outcome may name a
-- figure the system computes or carry one the desk records; the API serves
-- seed 000's model for a year nobody has saved yet.
CREATE TABLE programme_logic_models (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  fiscal_year integer NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2200),
  -- domain `kpi::programme::ProgrammeModel`, as JSON.
  content jsonb NOT NULL CHECK (jsonb_typeof(content) = 'object'),
  version bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
  updated_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, fiscal_year)
);
CREATE INDEX programme_logic_models_updated_by ON programme_logic_models (updated_by);
CREATE TRIGGER programme_logic_models_touch BEFORE UPDATE ON programme_logic_models
  FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

-- The feed's new kind, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['programme_logic_model_saved'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
