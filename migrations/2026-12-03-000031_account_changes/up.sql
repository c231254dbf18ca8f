-- Issue 20: every API instance caches the accounts behind the tokens it
-- accepts (crates/api/src/auth/account_cache.rs) and forgets one when it
-- changes. These triggers tell every instance, on the channel
-- `living_gate_accounts`, at the commit of the writing transaction
-- (pg_notify is transactional: a rolled-back change notifies nobody).
-- Payloads: `user:<id>`, `service_account:<id>`, `token:<jti>` (an access
-- token revoked), `all` (a table truncated: forget everything).
CREATE FUNCTION living_gate_notify_account_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('living_gate_accounts', 'all');
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'revoked_access_tokens' THEN
    PERFORM pg_notify('living_gate_accounts', 'token:' || NEW.jti::text);
  ELSIF TG_TABLE_NAME = 'users' THEN
    PERFORM pg_notify('living_gate_accounts', 'user:' || OLD.id::text);
  ELSE
    PERFORM pg_notify('living_gate_accounts', 'service_account:' || OLD.id::text);
  END IF;
  RETURN NULL;
END;
$$;

-- What the bearer check reads of an account: its status, role and tenancy
-- (a login's `last_login_at` or a new display name notifies nobody).
CREATE TRIGGER users_notify_change AFTER UPDATE ON users FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status
        OR OLD.role IS DISTINCT FROM NEW.role
        OR OLD.municipality_id IS DISTINCT FROM NEW.municipality_id
        OR OLD.department_id IS DISTINCT FROM NEW.department_id
        OR OLD.organization_id IS DISTINCT FROM NEW.organization_id
        OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION living_gate_notify_account_change();
CREATE TRIGGER users_notify_delete AFTER DELETE ON users FOR EACH ROW
  EXECUTE FUNCTION living_gate_notify_account_change();
CREATE TRIGGER users_notify_truncate AFTER TRUNCATE ON users FOR EACH STATEMENT
  EXECUTE FUNCTION living_gate_notify_account_change();

CREATE TRIGGER service_accounts_notify_change AFTER UPDATE ON service_accounts FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION living_gate_notify_account_change();
CREATE TRIGGER service_accounts_notify_delete AFTER DELETE ON service_accounts FOR EACH ROW
  EXECUTE FUNCTION living_gate_notify_account_change();
CREATE TRIGGER service_accounts_notify_truncate AFTER TRUNCATE ON service_accounts FOR EACH STATEMENT
  EXECUTE FUNCTION living_gate_notify_account_change();

CREATE TRIGGER revoked_access_tokens_notify AFTER INSERT ON revoked_access_tokens FOR EACH ROW
  EXECUTE FUNCTION living_gate_notify_account_change();
CREATE TRIGGER revoked_access_tokens_notify_truncate AFTER TRUNCATE ON revoked_access_tokens FOR EACH STATEMENT
  EXECUTE FUNCTION living_gate_notify_account_change();
