-- The transactional outbox (issue 15): a message to send is a row written in
-- the transaction of the write that causes it, so the two commit together or
-- not at all. A worker inside `living-gate serve` claims due rows with
-- `FOR UPDATE SKIP LOCKED` (several instances at once are safe), sends them,
-- and records every attempt; after the last try a message is `dead`.
--
-- A message belongs to the city whose desk may read its delivery log
-- (NULL: the platform's, e.g. a password reset of an account of no city);
-- row-level security keys it like a case.
CREATE TABLE outbox_messages (
  id uuid PRIMARY KEY,
  municipality_id uuid REFERENCES municipalities (id),
  -- What the message tells (domain `notify::MailKind`).
  kind text NOT NULL CHECK (kind IN (
    'status_changed', 'message_shared', 'hearing_requested', 'match_proposed', 'decision_awaited',
    'intake_confirmed', 'hearing_answered', 'match_accepted', 'match_declined', 'decided',
    'attachment_quarantined', 'delivery_failed', 'intake_code', 'intake_received',
    'partner_invitation', 'password_reset')),
  -- The account it goes to, when it goes to one (preferences are theirs);
  -- the address is copied at enqueue time: the message goes where the
  -- account's address was when the event happened.
  recipient_user_id uuid REFERENCES users (id),
  recipient_address text NOT NULL CHECK (length(recipient_address) BETWEEN 3 AND 254),
  language text NOT NULL CHECK (language IN ('ja', 'en')),
  subject text NOT NULL,
  body_text text NOT NULL,
  -- RFC 5322 Message-ID, without angle brackets: the same on every attempt,
  -- so a receiver can drop a duplicate after a crash between send and commit.
  message_id text NOT NULL UNIQUE,
  -- What caused it: the feed event and the case, when there is one.
  event_position bigint,
  proposal_id uuid,
  -- A body holding a secret (a one-time code, a reset link) is blanked
  -- once the message is sent or dead.
  secret boolean NOT NULL DEFAULT false,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX outbox_messages_due ON outbox_messages (next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_messages_city ON outbox_messages (municipality_id, created_at DESC);
CREATE INDEX outbox_messages_event ON outbox_messages (event_position);
CREATE INDEX outbox_messages_recipient ON outbox_messages (recipient_user_id);

-- Every delivery attempt: the delivery log the desk reads.
CREATE TABLE outbox_attempts (
  id uuid PRIMARY KEY,
  message_id uuid NOT NULL REFERENCES outbox_messages (id) ON DELETE CASCADE,
  municipality_id uuid REFERENCES municipalities (id),
  attempt integer NOT NULL CHECK (attempt >= 1),
  started_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  outcome text NOT NULL CHECK (outcome IN ('sent', 'failed', 'dead')),
  -- The server's reply or the error, cut to a short excerpt.
  detail text NOT NULL DEFAULT '' CHECK (length(detail) <= 500)
);
CREATE INDEX outbox_attempts_message ON outbox_attempts (message_id, attempt);
CREATE INDEX outbox_attempts_city ON outbox_attempts (municipality_id);

-- Each user may turn kinds of mail off; no row: on.
CREATE TABLE notification_preferences (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN (
    'status_changed', 'message_shared', 'hearing_requested', 'match_proposed', 'decision_awaited',
    'intake_confirmed', 'hearing_answered', 'match_accepted', 'match_declined', 'decided',
    'attachment_quarantined', 'delivery_failed', 'intake_code', 'intake_received',
    'partner_invitation', 'password_reset')),
  enabled boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, kind)
);

-- The delivery log is history: written once.
REVOKE UPDATE, DELETE, TRUNCATE ON outbox_attempts FROM living_gate_app;

ALTER TABLE outbox_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON outbox_messages
  USING (municipality_id IS NULL OR living_gate_in_scope(municipality_id))
  WITH CHECK (municipality_id IS NULL OR living_gate_in_scope(municipality_id));
ALTER TABLE outbox_attempts ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON outbox_attempts
  USING (municipality_id IS NULL OR living_gate_in_scope(municipality_id))
  WITH CHECK (municipality_id IS NULL OR living_gate_in_scope(municipality_id));

-- The feed's new kinds (attachments, issue 15), added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['attachment_added', 'attachment_quarantined'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
