DELETE FROM proposal_events WHERE kind NOT IN (
  'created', 'status_changed', 'hearing_requested', 'hearing_answered', 'message_posted',
  'match_proposed', 'match_accepted', 'match_declined', 'logic_model_saved',
  'resource_created', 'resource_updated', 'resource_imported', 'survey_answered')
  OR (proposal_id IS NULL AND resource_id IS NULL);
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_subject_check;
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_subject_check
  CHECK ((proposal_id IS NULL) <> (resource_id IS NULL));
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (
  'created', 'status_changed', 'hearing_requested', 'hearing_answered', 'message_posted',
  'match_proposed', 'match_accepted', 'match_declined', 'logic_model_saved',
  'resource_created', 'resource_updated', 'resource_imported', 'survey_answered'));
