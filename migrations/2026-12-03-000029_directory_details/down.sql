DELETE FROM proposal_events WHERE kind IN ('resource_verified');
DROP TRIGGER resources_consent ON resources;
DROP FUNCTION living_gate_resource_consent();
DROP TABLE resource_details;
