DELETE FROM proposal_events WHERE kind IN ('resource_verified');
DROP TRIGGER resources_touch ON resources;
CREATE TRIGGER resources_touch BEFORE UPDATE ON resources FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();
DROP FUNCTION living_gate_resource_touch();
DROP TRIGGER resources_consent ON resources;
DROP FUNCTION living_gate_resource_consent();
DROP TABLE resource_details;
