ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (
  'created', 'status_changed', 'hearing_requested', 'hearing_answered', 'message_posted'));
DROP TABLE logic_models;
DROP TABLE matches;
