-- Identity and access: municipalities, departments, partner organizations,
-- users, tokens, invitations, service accounts, login throttling, idempotency
-- keys and the append-only audit log.

CREATE FUNCTION living_gate_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;

CREATE TABLE municipalities (
  id          uuid PRIMARY KEY,
  -- 全国地方公共団体コード: six digits including the check digit (座間市 = 142166).
  code        text NOT NULL UNIQUE CHECK (code ~ '^[0-9]{6}$'),
  name        text NOT NULL,
  name_kana   text NOT NULL,
  name_en     text NOT NULL,
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  version     bigint NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE departments (
  id               uuid PRIMARY KEY,
  municipality_id  uuid NOT NULL REFERENCES municipalities (id),
  code             text NOT NULL CHECK (code ~ '^[a-z0-9_-]{2,40}$'),
  name             text NOT NULL,
  name_en          text NOT NULL,
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  version          bigint NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (municipality_id, code)
);
CREATE INDEX departments_municipality_id_idx ON departments (municipality_id);

CREATE TABLE organizations (
  id                uuid PRIMARY KEY,
  name              text NOT NULL,
  name_kana         text,
  kind              text NOT NULL CHECK (kind IN ('company', 'university', 'npo', 'cooperative', 'public_interest', 'other')),
  -- 法人番号: 13 digits, the first one a check digit.
  corporate_number  text UNIQUE CHECK (corporate_number ~ '^[0-9]{13}$'),
  postal_code       text CHECK (postal_code ~ '^[0-9]{3}-[0-9]{4}$'),
  address           text,
  website           text,
  status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  version           bigint NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organizations_name_idx ON organizations (name, id);

CREATE TABLE users (
  id               uuid PRIMARY KEY,
  email            text NOT NULL CHECK (email = lower(email)),
  display_name     text NOT NULL,
  role             text NOT NULL CHECK (role IN ('desk', 'department', 'partner', 'analyst', 'admin')),
  municipality_id  uuid REFERENCES municipalities (id),
  department_id    uuid REFERENCES departments (id),
  organization_id  uuid REFERENCES organizations (id),
  status           text NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
  -- Argon2id PHC string; NULL until an invitation is accepted.
  password_hash    text,
  last_login_at    timestamptz,
  version          bigint NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_department_matches_role CHECK ((role = 'department') = (department_id IS NOT NULL)),
  CONSTRAINT users_organization_matches_role CHECK ((role = 'partner') = (organization_id IS NOT NULL)),
  CONSTRAINT users_staff_have_municipality CHECK (role NOT IN ('desk', 'department') OR municipality_id IS NOT NULL),
  CONSTRAINT users_active_have_password CHECK (status <> 'active' OR password_hash IS NOT NULL)
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_municipality_id_idx ON users (municipality_id);
CREATE INDEX users_department_id_idx ON users (department_id);
CREATE INDEX users_organization_id_idx ON users (organization_id);

CREATE TABLE refresh_tokens (
  id          uuid PRIMARY KEY,
  -- All tokens descending from one login share a family; reusing a spent
  -- token revokes the whole family.
  family_id   uuid NOT NULL,
  user_id     uuid NOT NULL REFERENCES users (id),
  token_hash  bytea NOT NULL UNIQUE,
  expires_at  timestamptz NOT NULL,
  spent_at    timestamptz,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);

-- Access tokens revoked by logout before they expire (by jti).
CREATE TABLE revoked_access_tokens (
  jti         uuid PRIMARY KEY,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE invitations (
  id           uuid PRIMARY KEY,
  token_hash   bytea NOT NULL UNIQUE,
  user_id      uuid NOT NULL REFERENCES users (id),
  invited_by   uuid REFERENCES users (id),
  expires_at   timestamptz NOT NULL,
  accepted_at  timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitations_user_id_idx ON invitations (user_id);
CREATE INDEX invitations_invited_by_idx ON invitations (invited_by);

CREATE TABLE service_accounts (
  id            uuid PRIMARY KEY,
  client_id     text NOT NULL UNIQUE,
  -- Argon2id PHC string of the client secret.
  secret_hash   text NOT NULL,
  name          text NOT NULL,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_by    uuid REFERENCES users (id),
  last_used_at  timestamptz,
  version       bigint NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_accounts_created_by_idx ON service_accounts (created_by);

-- Fixed-window login counters, shared by every API instance.
CREATE TABLE login_throttle (
  bucket             text PRIMARY KEY,
  window_started_at  timestamptz NOT NULL,
  attempts           integer NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now()
);

-- Idempotency-Key replay store for creating POSTs.
CREATE TABLE idempotency_keys (
  principal      text NOT NULL,
  key            text NOT NULL,
  request_hash   bytea NOT NULL,
  status_code    integer,
  response_body  bytea,
  response_headers jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, key)
);

CREATE TABLE audit_log (
  id           uuid PRIMARY KEY,
  occurred_at  timestamptz NOT NULL DEFAULT now(),
  actor_id     uuid,
  actor_role   text,
  action       text NOT NULL,
  target_type  text,
  target_id    text,
  request_id   text,
  client_addr  text,
  -- {"field": {"before": ..., "after": ...}} for changes; other detail for events.
  changes      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at DESC, id DESC);
CREATE INDEX audit_log_actor_id_idx ON audit_log (actor_id);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id);
CREATE INDEX audit_log_action_idx ON audit_log (action);

CREATE FUNCTION living_gate_audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION living_gate_audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION living_gate_audit_log_is_append_only();

CREATE TRIGGER municipalities_touch BEFORE UPDATE ON municipalities FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();
CREATE TRIGGER departments_touch BEFORE UPDATE ON departments FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();
CREATE TRIGGER organizations_touch BEFORE UPDATE ON organizations FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();
CREATE TRIGGER service_accounts_touch BEFORE UPDATE ON service_accounts FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();
