-- Every write records a change-feed event (issue 12): the new kinds, and
-- events about neither a case nor an entry (reference data, accounts,
-- taxonomy, surveys, KPI targets), which only the desk's feed shows.
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (
  'created', 'status_changed', 'proposal_updated', 'hearing_requested', 'hearing_answered',
  'message_posted', 'match_proposed', 'match_accepted', 'match_declined', 'logic_model_saved',
  'trip_created', 'trip_updated', 'measurement_recorded', 'trip_supported_resources_replaced',
  'resource_created', 'resource_updated', 'resource_imported', 'survey_answered',
  'municipality_created', 'municipality_updated', 'department_created', 'department_updated',
  'organization_created', 'organization_updated', 'user_invited', 'invitation_accepted',
  'user_updated', 'service_account_created', 'service_account_updated',
  'taxonomy_term_created', 'survey_created', 'survey_recipient_added',
  'survey_recipient_answered', 'kpi_targets_set'));
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_subject_check;
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_subject_check
  CHECK (proposal_id IS NULL OR resource_id IS NULL);
