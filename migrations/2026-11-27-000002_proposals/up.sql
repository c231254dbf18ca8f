-- The desk workflow, part 1: proposals with their reference numbers and the
-- time they entered each step, the event log that is both each case's
-- timeline and the ordered change feed, hearings and messages.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Gap-free reference numbers per fiscal year: the row is locked by the
-- increment until the creating transaction ends, and a rollback undoes it.
CREATE TABLE reference_counters (
  fiscal_year  integer PRIMARY KEY,
  last_value   integer NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE proposals (
  id                       uuid PRIMARY KEY,
  reference                text NOT NULL UNIQUE,
  fiscal_year              integer NOT NULL,
  kind                     text NOT NULL CHECK (kind IN ('proposal', 'consultation')),
  title                    text NOT NULL,
  summary                  text NOT NULL,
  body                     text NOT NULL DEFAULT '',
  themes                   text[] NOT NULL DEFAULT '{}',
  sdg_goals                smallint[] NOT NULL DEFAULT '{}',
  policy_areas             text[] NOT NULL DEFAULT '{}',
  desired_support          text NOT NULL DEFAULT '',
  channel                  text NOT NULL CHECK (channel IN ('web', 'phone', 'visit', 'email', 'referral')),
  organization_id          uuid NOT NULL REFERENCES organizations (id),
  contact_user_id          uuid REFERENCES users (id),
  created_by               uuid NOT NULL REFERENCES users (id),
  status                   text NOT NULL CHECK (status IN ('received', 'organizing', 'hearing', 'matching', 'logic_model',
                             'awaiting_decision', 'adopted', 'not_adopted', 'declined', 'withdrawn', 'on_hold')),
  held_from                text CHECK (held_from IN ('received', 'organizing', 'hearing', 'matching', 'logic_model', 'awaiting_decision')),
  -- Maintained by matching and logic models (part 2); read by the decision rule.
  lead_department_id       uuid REFERENCES departments (id),
  has_shared_logic_model   boolean NOT NULL DEFAULT false,
  -- When the proposer first got in touch (may precede registration) and when the desk registered it.
  first_contact_at         timestamptz NOT NULL,
  received_at              timestamptz NOT NULL,
  -- KPI 2: the first hearing request or the move to `hearing`, whichever came first.
  coordination_started_at  timestamptz,
  -- The first time the case entered each later step, and a final state.
  organizing_at            timestamptz,
  hearing_at               timestamptz,
  matching_at              timestamptz,
  logic_model_at           timestamptz,
  awaiting_decision_at     timestamptz,
  closed_at                timestamptz,
  version                  bigint NOT NULL DEFAULT 1,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT proposals_first_contact_before_receipt CHECK (first_contact_at <= received_at),
  CONSTRAINT proposals_sdg_goals_range CHECK (sdg_goals <@ ARRAY[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]::smallint[]),
  CONSTRAINT proposals_held_only_on_hold CHECK ((status = 'on_hold') = (held_from IS NOT NULL)),
  CONSTRAINT proposals_arrays_without_nulls CHECK (array_position(themes, NULL) IS NULL
    AND array_position(sdg_goals, NULL) IS NULL AND array_position(policy_areas, NULL) IS NULL)
);
CREATE INDEX proposals_organization_id_idx ON proposals (organization_id);
CREATE INDEX proposals_contact_user_id_idx ON proposals (contact_user_id);
CREATE INDEX proposals_created_by_idx ON proposals (created_by);
CREATE INDEX proposals_lead_department_id_idx ON proposals (lead_department_id);
CREATE INDEX proposals_status_idx ON proposals (status, id);
CREATE INDEX proposals_fiscal_year_idx ON proposals (fiscal_year, id);
-- No index on themes or SDG goals: with 3 and 17 values none is selective,
-- and the ordered scan by id with a filter is the faster plan (measured).
-- Substring search that works on Japanese text (no word boundaries needed).
CREATE INDEX proposals_text_trgm_idx ON proposals USING gin ((title || ' ' || summary || ' ' || body) gin_trgm_ops);
CREATE TRIGGER proposals_touch BEFORE UPDATE ON proposals FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

CREATE TABLE hearings (
  id              uuid PRIMARY KEY,
  proposal_id     uuid NOT NULL REFERENCES proposals (id),
  department_id   uuid NOT NULL REFERENCES departments (id),
  requested_by    uuid NOT NULL REFERENCES users (id),
  proposed_dates  date[] NOT NULL DEFAULT '{}',
  agenda          text NOT NULL,
  status          text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'answered')),
  held_on         date,
  participants    text[] NOT NULL DEFAULT '{}',
  interest        text CHECK (interest IN ('interested', 'not_interested', 'needs_information')),
  -- Internal: the desk and this department only, never the proposer.
  notes           text NOT NULL DEFAULT '',
  answered_by     uuid REFERENCES users (id),
  version         bigint NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT hearings_arrays_without_nulls CHECK (array_position(proposed_dates, NULL) IS NULL
    AND array_position(participants, NULL) IS NULL)
);
CREATE INDEX hearings_proposal_id_idx ON hearings (proposal_id);
CREATE INDEX hearings_department_id_idx ON hearings (department_id, proposal_id);
CREATE INDEX hearings_requested_by_idx ON hearings (requested_by);
CREATE INDEX hearings_answered_by_idx ON hearings (answered_by);
CREATE TRIGGER hearings_touch BEFORE UPDATE ON hearings FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

CREATE TABLE messages (
  id           uuid PRIMARY KEY,
  proposal_id  uuid NOT NULL REFERENCES proposals (id),
  author_id    uuid NOT NULL REFERENCES users (id),
  -- internal: the desk and the departments involved; shared: also the proposer.
  visibility   text NOT NULL CHECK (visibility IN ('internal', 'shared')),
  body         text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_proposal_id_idx ON messages (proposal_id, id);
CREATE INDEX messages_author_id_idx ON messages (author_id);

-- Every change of a case, in feed order. `position` comes from a sequence
-- drawn while holding a transaction-scoped advisory lock that is released at
-- commit, so positions become visible in increasing order: a reader that
-- has seen position p never later finds a new event below p.
CREATE SEQUENCE proposal_event_position;
CREATE TABLE proposal_events (
  position           bigint PRIMARY KEY,
  id                 uuid NOT NULL UNIQUE,
  proposal_id        uuid NOT NULL REFERENCES proposals (id),
  kind               text NOT NULL CHECK (kind IN ('created', 'status_changed', 'hearing_requested', 'hearing_answered', 'message_posted')),
  actor_id           uuid,
  actor_role         text,
  from_status        text,
  to_status          text,
  -- Internal reason of a move: never shown to the proposer.
  reason             text,
  -- What the proposer is told about a move.
  note_for_proposer  text,
  -- shared: the proposer sees the event; internal: staff only.
  visibility         text NOT NULL CHECK (visibility IN ('internal', 'shared')),
  -- For hearing events: the department concerned.
  department_id      uuid REFERENCES departments (id),
  -- The hearing or message the event is about.
  subject_id         uuid,
  occurred_at        timestamptz NOT NULL DEFAULT now(),
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX proposal_events_proposal_id_idx ON proposal_events (proposal_id, position);
CREATE INDEX proposal_events_department_id_idx ON proposal_events (department_id);
