DELETE FROM proposal_events WHERE kind IN ('resource_suggested', 'resource_suggestion_accepted',
  'resource_suggestion_rejected', 'confidential_access_granted', 'confidential_access_revoked');
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
  ) s
  WHERE k NOT IN ('resource_suggested', 'resource_suggestion_accepted',
    'resource_suggestion_rejected', 'confidential_access_granted', 'confidential_access_revoked');
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
-- The positions hidden with their addresses stay hidden: un-hiding a DV
-- shelter's coordinates on a rollback would be the wrong default.
DROP TABLE resource_coarse_positions;
DROP TABLE resource_suggestions;
DROP TABLE confidential_access_grants;
