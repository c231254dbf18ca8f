DROP TRIGGER revoked_access_tokens_notify_truncate ON revoked_access_tokens;
DROP TRIGGER revoked_access_tokens_notify ON revoked_access_tokens;
DROP TRIGGER service_accounts_notify_truncate ON service_accounts;
DROP TRIGGER service_accounts_notify_delete ON service_accounts;
DROP TRIGGER service_accounts_notify_change ON service_accounts;
DROP TRIGGER users_notify_truncate ON users;
DROP TRIGGER users_notify_delete ON users;
DROP TRIGGER users_notify_change ON users;
DROP FUNCTION living_gate_notify_account_change();
