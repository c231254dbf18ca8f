DROP TRIGGER IF EXISTS case_anonymizations_network ON case_anonymizations;
DROP FUNCTION IF EXISTS living_gate_anonymize_network_notes();
DELETE FROM proposal_events WHERE kind IN ('network_match_proposed', 'network_match_accepted', 'network_match_declined',
                                           'model_case_recorded', 'follow_on_linked', 'city_programme_created',
                                           'proposal_programmes_replaced');
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    EXCEPT SELECT unnest(ARRAY['network_match_proposed', 'network_match_accepted', 'network_match_declined',
                               'model_case_recorded', 'follow_on_linked', 'city_programme_created',
                               'proposal_programmes_replaced'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
DROP TABLE proposal_programmes;
DROP TABLE city_programmes;
DROP TABLE trip_follow_ons;
DROP TABLE trip_model_cases;
DROP TABLE network_matches;
