DELETE FROM outbox_messages WHERE kind IN ('coordinator_assigned', 'due_date_passed');
DELETE FROM notification_preferences WHERE kind IN ('coordinator_assigned', 'due_date_passed');
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
      EXCEPT SELECT unnest(ARRAY['coordinator_assigned', 'due_date_passed'])
    ) s;
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t, c);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (kind IN (%s))', t, c, kinds);
  END LOOP;
END $$;
DELETE FROM proposal_events WHERE kind IN ('coordinator_changed', 'due_date_changed',
  'trip_publication_consent_changed', 'trip_publication_changed');
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    EXCEPT SELECT unnest(ARRAY['coordinator_changed', 'due_date_changed',
      'trip_publication_consent_changed', 'trip_publication_changed'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
ALTER TABLE hearings DROP COLUMN reminded_for, DROP COLUMN answer_due_on;
DROP TABLE trip_publications;
DROP TABLE case_management;
