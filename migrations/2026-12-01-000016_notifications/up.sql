-- Notifications (issue 15, engineer notify): the language each account
-- reads its mail in, and the feed kind of a desk retrying a dead message.
ALTER TABLE users
  ADD COLUMN mail_language text NOT NULL DEFAULT 'ja' CHECK (mail_language IN ('ja', 'en'));

-- The feed's new kind, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['outbox_message_retried'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
