DELETE FROM proposal_events WHERE resource_id IS NOT NULL;
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (
  'created', 'status_changed', 'hearing_requested', 'hearing_answered', 'message_posted',
  'match_proposed', 'match_accepted', 'match_declined', 'logic_model_saved'));
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_subject_check;
ALTER TABLE proposal_events DROP COLUMN resource_id;
ALTER TABLE proposal_events ALTER COLUMN proposal_id SET NOT NULL;
DROP TABLE survey_recipients;
DROP TABLE survey_campaigns;
DROP TABLE trip_supported_resources;
DROP TABLE resource_referrals;
DROP TABLE resource_locations;
DROP TABLE resources;
DROP FUNCTION living_gate_resources_search();
DROP TABLE taxonomy_terms;
DROP FUNCTION living_gate_bigrams(text);
DROP FUNCTION living_gate_search_normalize(text);
DROP EXTENSION IF EXISTS earthdistance;
DROP EXTENSION IF EXISTS cube;
