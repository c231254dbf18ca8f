DROP TABLE proposal_events;
DROP SEQUENCE proposal_event_position;
DROP TABLE messages;
DROP TABLE hearings;
DROP TABLE proposals;
DROP TABLE reference_counters;
