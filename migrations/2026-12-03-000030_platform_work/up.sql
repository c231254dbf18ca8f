-- The platform's own work (issue 19, seed 002): liaison meetings with their
-- follow-ups, and the events that raise awareness with their reach.

-- 支援調整会議 (monthly) and 担当者レベルの連携会議: the four cities meet
-- together. A meeting is the business of the cities that took part.
CREATE TABLE liaison_meetings (
  id uuid PRIMARY KEY,
  -- Domain `platform::meeting::MeetingKind`.
  kind text NOT NULL CHECK (kind IN ('support_coordination', 'staff_liaison', 'other')),
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  held_on date NOT NULL CHECK (held_on >= DATE '2000-01-01'),
  -- The cities that took part (at least one): who reads the record.
  municipality_ids uuid[] NOT NULL CHECK (cardinality(municipality_ids) BETWEEN 1 AND 50),
  -- Directory entries that took part, and other organizations by name.
  resource_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(resource_ids) <= 50),
  organizations text[] NOT NULL DEFAULT '{}' CHECK (cardinality(organizations) <= 50),
  agenda text NOT NULL DEFAULT '' CHECK (char_length(agenda) <= 4000),
  decisions text[] NOT NULL DEFAULT '{}' CHECK (cardinality(decisions) <= 50),
  recorded_by uuid NOT NULL REFERENCES users (id),
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER liaison_meetings_touch BEFORE UPDATE ON liaison_meetings FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();
CREATE INDEX liaison_meetings_recorded_by_idx ON liaison_meetings (recorded_by);
CREATE INDEX liaison_meetings_municipalities_idx ON liaison_meetings USING gin (municipality_ids);
ALTER TABLE liaison_meetings ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON liaison_meetings
  USING (EXISTS (SELECT 1 FROM unnest(municipality_ids) m WHERE living_gate_in_scope(m)))
  WITH CHECK (EXISTS (SELECT 1 FROM unnest(municipality_ids) m WHERE living_gate_in_scope(m)));
REVOKE DELETE, TRUNCATE ON liaison_meetings FROM living_gate_app;

-- What a meeting decided someone does, by when.
CREATE TABLE meeting_follow_ups (
  id uuid PRIMARY KEY,
  meeting_id uuid NOT NULL REFERENCES liaison_meetings (id),
  description text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 1000),
  -- A member of staff of a city that took part.
  owner_id uuid NOT NULL REFERENCES users (id),
  due_on date NOT NULL CHECK (due_on >= DATE '2000-01-01'),
  -- Domain `platform::meeting::FollowUpStatus`.
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  done_at timestamptz,
  done_by uuid REFERENCES users (id),
  CHECK ((status = 'done') = (done_at IS NOT NULL)),
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER meeting_follow_ups_touch BEFORE UPDATE ON meeting_follow_ups FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();
CREATE INDEX meeting_follow_ups_meeting_idx ON meeting_follow_ups (meeting_id);
CREATE INDEX meeting_follow_ups_owner_idx ON meeting_follow_ups (owner_id, id);
CREATE INDEX meeting_follow_ups_done_by_idx ON meeting_follow_ups (done_by);
-- A follow-up is seen where its meeting is (the subquery is itself under
-- the meetings' policy).
ALTER TABLE meeting_follow_ups ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON meeting_follow_ups
  USING (EXISTS (SELECT 1 FROM liaison_meetings m WHERE m.id = meeting_id))
  WITH CHECK (EXISTS (SELECT 1 FROM liaison_meetings m WHERE m.id = meeting_id));
REVOKE DELETE, TRUNCATE ON meeting_follow_ups FROM living_gate_app;

-- Events of the platform (FY2024: an exhibition with 3,198 visitors, a
-- symposium with 126, workshops with about 60). Shared like the directory:
-- counts of people, never a person.
CREATE TABLE platform_events (
  id uuid PRIMARY KEY,
  -- Domain `platform::event::EventKind`.
  kind text NOT NULL CHECK (kind IN ('exhibition', 'workshop', 'symposium', 'study_session')),
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  starts_on date NOT NULL CHECK (starts_on >= DATE '2000-01-01'),
  ends_on date NOT NULL CHECK (ends_on >= starts_on),
  venue_municipality_id uuid NOT NULL REFERENCES municipalities (id),
  organizer_municipality_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(organizer_municipality_ids) <= 50),
  organizer_resource_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(organizer_resource_ids) <= 50),
  other_organizers text[] NOT NULL DEFAULT '{}' CHECK (cardinality(other_organizers) <= 50),
  attendance integer NOT NULL DEFAULT 0 CHECK (attendance BETWEEN 0 AND 1000000),
  clients_of_support integer NOT NULL DEFAULT 0 CHECK (clients_of_support >= 0 AND clients_of_support <= attendance),
  questionnaire_responses integer NOT NULL DEFAULT 0 CHECK (questionnaire_responses >= 0 AND questionnaire_responses <= attendance),
  felt_it integer NOT NULL DEFAULT 0 CHECK (felt_it >= 0 AND felt_it <= questionnaire_responses),
  recorded_by uuid NOT NULL REFERENCES users (id),
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER platform_events_touch BEFORE UPDATE ON platform_events FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();
CREATE INDEX platform_events_venue_idx ON platform_events (venue_municipality_id);
CREATE INDEX platform_events_recorded_by_idx ON platform_events (recorded_by);
CREATE INDEX platform_events_starts_on_idx ON platform_events (starts_on);
REVOKE DELETE, TRUNCATE ON platform_events FROM living_gate_app;

-- For BI tools: the events' reach per fiscal year (of the first day) × kind.
CREATE VIEW kpi.event_reach AS
SELECT kpi.fiscal_year(starts_on) AS fiscal_year, kind,
       count(*) AS events, sum(attendance) AS attendance,
       sum(clients_of_support) AS clients_of_support,
       sum(questionnaire_responses) AS questionnaire_responses, sum(felt_it) AS felt_it
FROM platform_events
GROUP BY 1, 2;
GRANT SELECT ON kpi.event_reach TO living_gate_app, living_gate_bi;

-- The survey's content (seed 002): what an answering organization does
-- (forms of activity), whether it works on つながり / 孤独・孤立, its ideas,
-- the organizations it introduced that are not in the directory (by name)
-- and its participation intent (kept here too: a prospective organization
-- has no entry to hold it).
ALTER TABLE survey_recipients
  ADD COLUMN activities text[] NOT NULL DEFAULT '{}' CHECK (cardinality(activities) <= 20),
  -- Domain `platform::survey::WorksOn`.
  ADD COLUMN works_on text CHECK (works_on IN ('tsunagari', 'kodoku_koritsu', 'both', 'neither')),
  ADD COLUMN ideas text[] NOT NULL DEFAULT '{}' CHECK (cardinality(ideas) <= 20),
  ADD COLUMN introduced_names text[] NOT NULL DEFAULT '{}' CHECK (cardinality(introduced_names) <= 50),
  -- Domain `directory::ParticipationIntent`.
  ADD COLUMN participation_intent text CHECK (participation_intent IN ('yes', 'maybe', 'no', 'unknown'));

-- The feed's new kinds, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['meeting_recorded', 'follow_up_added', 'follow_up_done',
                              'platform_event_recorded', 'platform_event_updated'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
