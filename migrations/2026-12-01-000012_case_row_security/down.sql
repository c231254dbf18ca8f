DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'proposals', 'hearings', 'matches', 'messages', 'logic_models', 'trips',
    'trip_measurements', 'trip_partners', 'trip_supported_resources', 'reference_counters',
    'proposal_events'
  ] LOOP
    EXECUTE format('DROP POLICY IF EXISTS municipality_scope ON %I', t);
    EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
  END LOOP;
END
$$;
DROP FUNCTION living_gate_in_scope(uuid);
