-- Sign-in with an identity provider (issue 17): OpenID Connect providers as
-- data (a city's IdP for staff, a GビズID-like provider for partners), the
-- links of accounts to a provider's subjects, the pending authorizations of
-- the code flow (state, nonce, PKCE verifier), and TOTP second factors.

-- An account that signs in only through its city's IdP or GビズID has no
-- password: an active account no longer needs one (a password login of an
-- account without a password fails like a wrong password).
ALTER TABLE users DROP CONSTRAINT users_active_have_password;

CREATE TABLE identity_providers (
  id uuid PRIMARY KEY,
  -- The path segment of /v1/auth/oidc/{provider}/…
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  -- staff: a city's IdP (accounts of that city); partner: GビズID-like.
  audience text NOT NULL CHECK (audience IN ('staff', 'partner')),
  issuer text NOT NULL,
  client_id text NOT NULL,
  -- Sealed with auth::sealing, context `idp-client-secret:<id>`.
  client_secret_sealed bytea,
  scopes text NOT NULL DEFAULT 'openid',
  redirect_uri text NOT NULL,
  -- The city whose staff sign in here (required for `staff`).
  municipality_id uuid REFERENCES municipalities (id),
  -- domain `identity::signin::ClaimMapping`, as JSON.
  claim_mapping jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(claim_mapping) = 'object'),
  -- domain `identity::signin::GroupMapping` list, as JSON.
  group_mappings jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(group_mappings) = 'array'),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  version bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (audience <> 'staff' OR municipality_id IS NOT NULL)
);
CREATE INDEX identity_providers_municipality_id_idx ON identity_providers (municipality_id);
CREATE TRIGGER identity_providers_touch BEFORE UPDATE ON identity_providers
  FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();
REVOKE DELETE, TRUNCATE ON identity_providers FROM living_gate_app;

-- An account is linked by (provider, subject), never by e-mail.
CREATE TABLE identity_links (
  id uuid PRIMARY KEY,
  provider_id uuid NOT NULL REFERENCES identity_providers (id),
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
  user_id uuid NOT NULL REFERENCES users (id),
  last_used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider_id, subject)
);
CREATE INDEX identity_links_user_id_idx ON identity_links (user_id);
REVOKE TRUNCATE ON identity_links FROM living_gate_app;

-- A started code flow: the state (hashed), the nonce and the PKCE verifier
-- (sealed, context `oidc-verifier:<id>`), single use and short-lived.
CREATE TABLE oidc_authorizations (
  id uuid PRIMARY KEY,
  provider_id uuid NOT NULL REFERENCES identity_providers (id),
  state_hash bytea NOT NULL UNIQUE,
  nonce text NOT NULL,
  code_verifier_sealed bytea NOT NULL,
  redirect_uri text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oidc_authorizations_provider_id_idx ON oidc_authorizations (provider_id);

-- TOTP (RFC 6238) of a local account: the seed sealed with auth::sealing
-- (context `totp-seed:<user id>`), confirmed once a code was shown, and the
-- last time step used (a code is not accepted twice).
CREATE TABLE totp_credentials (
  user_id uuid PRIMARY KEY REFERENCES users (id),
  seed_sealed bytea NOT NULL,
  confirmed_at timestamptz,
  last_used_step bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER totp_credentials_touch BEFORE UPDATE ON totp_credentials
  FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

-- The feed's new kinds, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['identity_provider_created', 'identity_provider_updated', 'identity_linked', 'user_provisioned'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
