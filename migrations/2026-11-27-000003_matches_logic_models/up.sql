-- The desk workflow, part 2 (steps 4-5): matches with departments and the
-- versioned logic models of a case.

CREATE TABLE matches (
  id             uuid PRIMARY KEY,
  proposal_id    uuid NOT NULL REFERENCES proposals (id),
  department_id  uuid NOT NULL REFERENCES departments (id),
  role           text NOT NULL CHECK (role IN ('lead', 'support')),
  status         text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'accepted', 'declined')),
  note           text NOT NULL DEFAULT '',
  -- The department's reason when it accepts or declines.
  reason         text,
  proposed_by    uuid NOT NULL REFERENCES users (id),
  decided_by     uuid REFERENCES users (id),
  decided_at     timestamptz,
  version        bigint NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX matches_proposal_id_idx ON matches (proposal_id);
CREATE INDEX matches_department_id_idx ON matches (department_id, proposal_id);
CREATE INDEX matches_proposed_by_idx ON matches (proposed_by);
CREATE INDEX matches_decided_by_idx ON matches (decided_by);
-- At most one accepted lead per case: two racing acceptances, one wins.
CREATE UNIQUE INDEX matches_one_accepted_lead ON matches (proposal_id) WHERE role = 'lead' AND status = 'accepted';
-- One open match per department and case.
CREATE UNIQUE INDEX matches_one_open_per_department ON matches (proposal_id, department_id) WHERE status <> 'declined';
CREATE TRIGGER matches_touch BEFORE UPDATE ON matches FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

-- Every revision of a case's logic model is kept; a new one never overwrites.
CREATE TABLE logic_models (
  proposal_id  uuid NOT NULL REFERENCES proposals (id),
  version      integer NOT NULL CHECK (version >= 1),
  status       text NOT NULL CHECK (status IN ('draft', 'shared')),
  -- {inputs, activities, outputs, short_term_outcomes, mid_term_outcomes, impact: [text]}
  -- and indicators [{id, name, unit, baseline, target, target_date, applies_to}].
  content      jsonb NOT NULL,
  created_by   uuid NOT NULL REFERENCES users (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (proposal_id, version)
);
CREATE INDEX logic_models_created_by_idx ON logic_models (created_by);

ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (
  'created', 'status_changed', 'hearing_requested', 'hearing_answered', 'message_posted',
  'match_proposed', 'match_accepted', 'match_declined', 'logic_model_saved'));
