-- Case management basics (issue 18): the desk user coordinating a case
-- (担当者) and the day its decision is due, beside the case (the proposals
-- table is at diesel's 32 columns); a change bumps the case's version, so
-- it is written under the case's If-Match. And the due date of a
-- hearing's answer; each remembers the due date its reminder was sent for.
CREATE TABLE case_management (
  municipality_id uuid NOT NULL,
  proposal_id uuid NOT NULL,
  coordinator_id uuid REFERENCES users (id),
  -- The lead department's decision is due on this day (Japan's calendar).
  decision_due_on date,
  -- The due date the reminder was sent for: a new due date re-arms it.
  decision_reminded_for date,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, proposal_id),
  FOREIGN KEY (municipality_id, proposal_id) REFERENCES proposals (municipality_id, id)
);
CREATE UNIQUE INDEX case_management_proposal_id_idx ON case_management (proposal_id);
CREATE INDEX case_management_coordinator_id_idx ON case_management (coordinator_id);
CREATE INDEX case_management_decision_due_idx ON case_management (decision_due_on)
  WHERE decision_due_on IS NOT NULL;
CREATE TRIGGER case_management_municipality BEFORE INSERT ON case_management FOR EACH ROW
  EXECUTE FUNCTION living_gate_case_municipality();
CREATE TRIGGER case_management_touch BEFORE UPDATE ON case_management FOR EACH ROW
  EXECUTE FUNCTION living_gate_touch_updated_at();
ALTER TABLE case_management ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON case_management USING (living_gate_in_scope(municipality_id))
  WITH CHECK (living_gate_in_scope(municipality_id));
REVOKE DELETE, TRUNCATE ON case_management FROM living_gate_app;

ALTER TABLE hearings
  -- The department's answer is due on this day (Japan's calendar).
  ADD COLUMN answer_due_on date,
  ADD COLUMN reminded_for date;
CREATE INDEX hearings_answer_due_idx ON hearings (answer_due_on)
  WHERE answer_due_on IS NOT NULL AND status = 'requested';

-- Showing the results (issue 18): a TRIP is published, with its partner's
-- consent, for the anonymous list of published TRIPs. The partner gives
-- (or withdraws) consent on its TRIP; the desk publishes with a public
-- summary of its own (the case's text may hold personal data and is
-- never shown). Withdrawing consent unpublishes.
CREATE TABLE trip_publications (
  municipality_id uuid NOT NULL,
  trip_id uuid NOT NULL,
  consented_by uuid REFERENCES users (id),
  consented_at timestamptz,
  summary text NOT NULL DEFAULT '' CHECK (char_length(summary) <= 2000),
  published_by uuid REFERENCES users (id),
  published_at timestamptz,
  version bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, trip_id),
  FOREIGN KEY (municipality_id, trip_id) REFERENCES trips (municipality_id, id),
  CHECK ((consented_by IS NULL) = (consented_at IS NULL)),
  CHECK ((published_by IS NULL) = (published_at IS NULL)),
  -- Published only with consent.
  CHECK (published_at IS NULL OR consented_at IS NOT NULL)
);
CREATE UNIQUE INDEX trip_publications_trip_id_idx ON trip_publications (trip_id);
CREATE INDEX trip_publications_consented_by_idx ON trip_publications (consented_by);
CREATE INDEX trip_publications_published_by_idx ON trip_publications (published_by);
CREATE INDEX trip_publications_published_idx ON trip_publications (trip_id)
  WHERE published_at IS NOT NULL;
CREATE TRIGGER trip_publications_municipality BEFORE INSERT ON trip_publications FOR EACH ROW
  EXECUTE FUNCTION living_gate_trip_municipality();
CREATE TRIGGER trip_publications_touch BEFORE UPDATE ON trip_publications FOR EACH ROW
  EXECUTE FUNCTION living_gate_touch_updated_at();
ALTER TABLE trip_publications ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON trip_publications USING (living_gate_in_scope(municipality_id))
  WITH CHECK (living_gate_in_scope(municipality_id));
REVOKE DELETE, TRUNCATE ON trip_publications FROM living_gate_app;

-- The feed's new kinds, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['coordinator_changed', 'due_date_changed',
      'trip_publication_consent_changed', 'trip_publication_changed'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;

-- The new mail kinds (domain `notify::MailKind`).
DO $$
DECLARE
  t text;
  c text;
  kinds text;
BEGIN
  FOREACH t IN ARRAY ARRAY['outbox_messages', 'notification_preferences'] LOOP
    SELECT conname INTO c FROM pg_constraint
    WHERE conrelid = t::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%password_reset%';
    SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
      SELECT DISTINCT m[1] AS k
      FROM pg_constraint, regexp_matches(pg_get_constraintdef(oid), '''([a-z_]+)''', 'g') m
      WHERE conrelid = t::regclass AND conname = c
      UNION SELECT unnest(ARRAY['coordinator_assigned', 'due_date_passed'])
    ) s;
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t, c);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (kind IN (%s))', t, c, kinds);
  END LOOP;
END $$;
