-- Row-level security: a case and everything that hangs off it is visible
-- and writable only in its municipality's scope, which the service sets on
-- each connection it takes from the caller (crates/db/src/pool.rs,
-- RowScope): `living_gate.municipality` is a municipality id, 'all'
-- (partners, analysts, the platform admin, the command line) or 'none'.
-- Unset, nothing is visible: a connection that never set it fails closed.
-- So a handler that forgot a filter still cannot read another city's rows.
--
-- The schema's owner (migrations, the BI views in schema kpi) is not
-- subject to these policies; the service's role (living_gate_app) is.
CREATE FUNCTION living_gate_in_scope(municipality uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(current_setting('living_gate.municipality', true), '') IN ('all', municipality::text)
$$;
GRANT EXECUTE ON FUNCTION living_gate_in_scope(uuid) TO living_gate_app;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'proposals', 'hearings', 'matches', 'messages', 'logic_models', 'trips',
    'trip_measurements', 'trip_partners', 'trip_supported_resources', 'reference_counters'
  ] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY municipality_scope ON %I USING (living_gate_in_scope(municipality_id)) '
      'WITH CHECK (living_gate_in_scope(municipality_id))', t);
  END LOOP;
END
$$;

-- The change feed also carries events of no city (the directory, reference
-- data, accounts): those are everybody's business; the policy of the API
-- decides who reads which.
ALTER TABLE proposal_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON proposal_events
  USING (municipality_id IS NULL OR living_gate_in_scope(municipality_id))
  WITH CHECK (municipality_id IS NULL OR living_gate_in_scope(municipality_id));
