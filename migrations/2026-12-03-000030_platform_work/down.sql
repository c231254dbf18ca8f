ALTER TABLE survey_recipients DROP COLUMN activities, DROP COLUMN works_on, DROP COLUMN ideas,
  DROP COLUMN introduced_names, DROP COLUMN participation_intent;
DROP VIEW kpi.event_reach;
DROP TABLE platform_events;
DROP TABLE meeting_follow_ups;
DROP TABLE liaison_meetings;
DELETE FROM proposal_events WHERE kind IN ('meeting_recorded', 'follow_up_added', 'follow_up_done',
  'platform_event_recorded', 'platform_event_updated');
