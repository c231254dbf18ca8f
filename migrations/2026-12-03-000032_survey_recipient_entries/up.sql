-- A prospective survey recipient becomes a directory entry in one step
-- (issue 19): the feed's new kind, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['survey_recipient_entered'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
