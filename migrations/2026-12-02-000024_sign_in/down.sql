DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    EXCEPT SELECT unnest(ARRAY['identity_provider_created', 'identity_provider_updated', 'identity_linked', 'user_provisioned'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
DROP TABLE totp_credentials;
DROP TABLE oidc_authorizations;
DROP TABLE identity_links;
DROP TABLE identity_providers;
ALTER TABLE users ADD CONSTRAINT users_active_have_password
  CHECK (status <> 'active' OR password_hash IS NOT NULL) NOT VALID;
