-- Issue 18, part 1: matching a case with the city's network (directory
-- entries: NPOs, social welfare corporations, citizen groups) beside the
-- departments, and the model case (a TRIP's lessons, the template of a new
-- case's logic model).

-- Step 4 with the network: the desk proposes a directory entry as a partner
-- of a case and records the organization's answer (its contact is not a
-- user): the day it agreed or declined and how (phone, meeting, e-mail…).
CREATE TABLE network_matches (
  municipality_id  uuid NOT NULL,
  id               uuid NOT NULL,
  proposal_id      uuid NOT NULL,
  resource_id      uuid NOT NULL REFERENCES resources (id),
  status           text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'accepted', 'declined')),
  note             text NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
  proposed_by      uuid NOT NULL REFERENCES users (id),
  -- The organization's answer, as the desk recorded it.
  answered_on      date,
  answered_via     text CHECK (answered_via IN ('phone', 'meeting', 'email', 'letter', 'visit', 'other')),
  answer_note      text CHECK (char_length(answer_note) <= 2000),
  recorded_by      uuid REFERENCES users (id),
  recorded_at      timestamptz,
  version          bigint NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  FOREIGN KEY (municipality_id, proposal_id) REFERENCES proposals (municipality_id, id),
  CONSTRAINT network_matches_answer_complete CHECK (
    (status = 'proposed') = (answered_on IS NULL AND answered_via IS NULL AND recorded_by IS NULL AND recorded_at IS NULL))
);
CREATE INDEX network_matches_proposal_id_idx ON network_matches (proposal_id);
CREATE INDEX network_matches_resource_id_idx ON network_matches (resource_id);
CREATE INDEX network_matches_proposed_by_idx ON network_matches (proposed_by);
CREATE INDEX network_matches_recorded_by_idx ON network_matches (recorded_by);
-- One open (proposed or accepted) match per entry and case.
CREATE UNIQUE INDEX network_matches_one_open_per_resource ON network_matches (municipality_id, proposal_id, resource_id)
  WHERE status <> 'declined';
CREATE TRIGGER network_matches_municipality BEFORE INSERT ON network_matches FOR EACH ROW
  EXECUTE FUNCTION living_gate_case_municipality();
CREATE TRIGGER network_matches_touch BEFORE UPDATE ON network_matches FOR EACH ROW
  EXECUTE FUNCTION living_gate_touch_updated_at();
ALTER TABLE network_matches ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON network_matches USING (living_gate_in_scope(municipality_id))
  WITH CHECK (living_gate_in_scope(municipality_id));
REVOKE DELETE, TRUNCATE ON network_matches FROM living_gate_app;

-- A TRIP marked as a model case (モデル事例), with its lessons; one per TRIP,
-- revised under If-Match (version).
CREATE TABLE trip_model_cases (
  municipality_id  uuid NOT NULL,
  trip_id          uuid NOT NULL,
  what_worked      text NOT NULL CHECK (char_length(what_worked) <= 4000),
  what_to_repeat   text NOT NULL CHECK (char_length(what_to_repeat) <= 4000),
  what_to_avoid    text NOT NULL CHECK (char_length(what_to_avoid) <= 4000),
  marked_by        uuid NOT NULL REFERENCES users (id),
  version          bigint NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, trip_id),
  FOREIGN KEY (municipality_id, trip_id) REFERENCES trips (municipality_id, id)
);
CREATE UNIQUE INDEX trip_model_cases_trip_id_idx ON trip_model_cases (trip_id);
CREATE INDEX trip_model_cases_marked_by_idx ON trip_model_cases (marked_by);
CREATE TRIGGER trip_model_cases_municipality BEFORE INSERT ON trip_model_cases FOR EACH ROW
  EXECUTE FUNCTION living_gate_trip_municipality();
CREATE TRIGGER trip_model_cases_touch BEFORE UPDATE ON trip_model_cases FOR EACH ROW
  EXECUTE FUNCTION living_gate_touch_updated_at();
ALTER TABLE trip_model_cases ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON trip_model_cases USING (living_gate_in_scope(municipality_id))
  WITH CHECK (living_gate_in_scope(municipality_id));
REVOKE DELETE, TRUNCATE ON trip_model_cases FROM living_gate_app;

-- A TRIP continues into the next journey (次の旅へ): the cases that followed
-- from it (and, once adopted, their TRIPs).
CREATE TABLE trip_follow_ons (
  municipality_id  uuid NOT NULL,
  trip_id          uuid NOT NULL,
  proposal_id      uuid NOT NULL,
  note             text NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
  linked_by        uuid NOT NULL REFERENCES users (id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, trip_id, proposal_id),
  FOREIGN KEY (municipality_id, trip_id) REFERENCES trips (municipality_id, id),
  FOREIGN KEY (municipality_id, proposal_id) REFERENCES proposals (municipality_id, id)
);
CREATE INDEX trip_follow_ons_trip_id_idx ON trip_follow_ons (trip_id);
CREATE INDEX trip_follow_ons_proposal_id_idx ON trip_follow_ons (proposal_id);
CREATE INDEX trip_follow_ons_linked_by_idx ON trip_follow_ons (linked_by);
CREATE TRIGGER trip_follow_ons_municipality BEFORE INSERT ON trip_follow_ons FOR EACH ROW
  EXECUTE FUNCTION living_gate_trip_municipality();
ALTER TABLE trip_follow_ons ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON trip_follow_ons USING (living_gate_in_scope(municipality_id))
  WITH CHECK (living_gate_in_scope(municipality_id));
REVOKE UPDATE, DELETE, TRUNCATE ON trip_follow_ons FROM living_gate_app;

-- Existing city programmes (既存施策との連携・補完): a small list per city that
-- its desk manages, and the links of cases to them.
CREATE TABLE city_programmes (
  municipality_id  uuid NOT NULL REFERENCES municipalities (id),
  id               uuid NOT NULL,
  name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  description      text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
  -- The department that runs it, if the desk names one.
  department_id    uuid REFERENCES departments (id),
  created_by       uuid NOT NULL REFERENCES users (id),
  version          bigint NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  UNIQUE (municipality_id, name)
);
CREATE INDEX city_programmes_department_id_idx ON city_programmes (department_id);
CREATE INDEX city_programmes_created_by_idx ON city_programmes (created_by);
CREATE TRIGGER city_programmes_touch BEFORE UPDATE ON city_programmes FOR EACH ROW
  EXECUTE FUNCTION living_gate_touch_updated_at();
ALTER TABLE city_programmes ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON city_programmes USING (living_gate_in_scope(municipality_id))
  WITH CHECK (living_gate_in_scope(municipality_id));
REVOKE DELETE, TRUNCATE ON city_programmes FROM living_gate_app;

CREATE TABLE proposal_programmes (
  municipality_id  uuid NOT NULL,
  proposal_id      uuid NOT NULL,
  programme_id     uuid NOT NULL,
  linked_by        uuid NOT NULL REFERENCES users (id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, proposal_id, programme_id),
  FOREIGN KEY (municipality_id, proposal_id) REFERENCES proposals (municipality_id, id),
  FOREIGN KEY (municipality_id, programme_id) REFERENCES city_programmes (municipality_id, id)
);
CREATE INDEX proposal_programmes_proposal_id_idx ON proposal_programmes (proposal_id);
CREATE INDEX proposal_programmes_programme_id_idx ON proposal_programmes (programme_id);
CREATE INDEX proposal_programmes_linked_by_idx ON proposal_programmes (linked_by);
CREATE TRIGGER proposal_programmes_municipality BEFORE INSERT ON proposal_programmes FOR EACH ROW
  EXECUTE FUNCTION living_gate_case_municipality();
ALTER TABLE proposal_programmes ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON proposal_programmes USING (living_gate_in_scope(municipality_id))
  WITH CHECK (living_gate_in_scope(municipality_id));
REVOKE UPDATE, TRUNCATE ON proposal_programmes FROM living_gate_app;

-- The feed's new kinds, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['network_match_proposed', 'network_match_accepted', 'network_match_declined',
                              'model_case_recorded', 'follow_on_linked', 'city_programme_created',
                              'proposal_programmes_replaced'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;

-- A closed case anonymized past its city's retention age (000025) loses the
-- free text of its network partners and follow-on links too: notes may
-- quote an organization's contact person. Kept here, with the tables.
CREATE FUNCTION living_gate_anonymize_network_notes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE network_matches SET note = '',
      answer_note = CASE WHEN answer_note IS NULL THEN NULL ELSE '[anonymized]' END
    WHERE proposal_id = NEW.proposal_id;
  UPDATE trip_follow_ons SET note = ''
    WHERE proposal_id = NEW.proposal_id
       OR trip_id IN (SELECT id FROM trips WHERE proposal_id = NEW.proposal_id);
  RETURN NULL;
END $$;
CREATE TRIGGER case_anonymizations_network AFTER INSERT ON case_anonymizations
  FOR EACH ROW EXECUTE FUNCTION living_gate_anonymize_network_notes();
