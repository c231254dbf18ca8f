-- Step 2 (内容整理) made structured: the desk's assessment of a case (fit
-- with the city's priorities, feasibility, cost-effectiveness), and the
-- ざま未来プラン policy areas as a managed vocabulary of the taxonomy.

ALTER TABLE taxonomy_terms DROP CONSTRAINT taxonomy_terms_vocabulary_check;
ALTER TABLE taxonomy_terms ADD CONSTRAINT taxonomy_terms_vocabulary_check
  CHECK (vocabulary IN ('topic', 'form', 'policy_area'));

-- ざま未来プラン: the three aims of 目指すまちの姿 and the basic stances of
-- 実現に向けた基本姿勢 named in seed 000. The desk adds more through
-- POST /v1/taxonomy-terms (vocabulary policy_area).
INSERT INTO taxonomy_terms (id, vocabulary, code, parent_id, label_ja, label_en) VALUES
  ('01900000-0000-7000-8000-000000000301', 'policy_area', 'hito', NULL, '“ひと”が輝く', 'People shine'),
  ('01900000-0000-7000-8000-000000000302', 'policy_area', 'machi', NULL, '“まち”が輝く', 'The town shines'),
  ('01900000-0000-7000-8000-000000000303', 'policy_area', 'mirai', NULL, '“未来へつなぐ”', 'Passing it on to the future'),
  ('01900000-0000-7000-8000-000000000304', 'policy_area', 'kyoso', NULL, '多様な主体と共に創る「共創」のまちづくり', 'Co-creation with diverse actors'),
  ('01900000-0000-7000-8000-000000000305', 'policy_area', 'mokuhyo', NULL, '目標を意識したまちづくり', 'Goal-oriented town planning');

-- One assessment per case, replaced under If-Match (version).
CREATE TABLE assessments (
  municipality_id            uuid NOT NULL,
  proposal_id                uuid NOT NULL,
  policy_fit_rating          smallint NOT NULL CHECK (policy_fit_rating BETWEEN 1 AND 5),
  policy_fit_note            text NOT NULL CHECK (char_length(policy_fit_note) <= 2000),
  policy_areas               text[] NOT NULL DEFAULT '{}' CHECK (array_position(policy_areas, NULL) IS NULL),
  feasibility_rating         smallint NOT NULL CHECK (feasibility_rating BETWEEN 1 AND 5),
  feasibility_note           text NOT NULL CHECK (char_length(feasibility_note) <= 2000),
  cost_effectiveness_rating  smallint NOT NULL CHECK (cost_effectiveness_rating BETWEEN 1 AND 5),
  cost_effectiveness_note    text NOT NULL CHECK (char_length(cost_effectiveness_note) <= 2000),
  assessed_by                uuid NOT NULL REFERENCES users (id),
  version                    bigint NOT NULL DEFAULT 1,
  created_at                 timestamptz NOT NULL DEFAULT now(),
  updated_at                 timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, proposal_id),
  FOREIGN KEY (municipality_id, proposal_id) REFERENCES proposals (municipality_id, id)
);
CREATE UNIQUE INDEX assessments_proposal_id_idx ON assessments (proposal_id);
CREATE INDEX assessments_assessed_by_idx ON assessments (assessed_by);
CREATE TRIGGER assessments_municipality BEFORE INSERT ON assessments FOR EACH ROW
  EXECUTE FUNCTION living_gate_case_municipality();
CREATE TRIGGER assessments_touch BEFORE UPDATE ON assessments FOR EACH ROW
  EXECUTE FUNCTION living_gate_touch_updated_at();
ALTER TABLE assessments ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON assessments USING (living_gate_in_scope(municipality_id))
  WITH CHECK (living_gate_in_scope(municipality_id));
REVOKE DELETE, TRUNCATE ON assessments FROM living_gate_app;

-- The feed's new kind, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['assessment_recorded'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
