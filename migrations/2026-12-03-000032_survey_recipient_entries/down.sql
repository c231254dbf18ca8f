DELETE FROM proposal_events WHERE kind IN ('survey_recipient_entered');
