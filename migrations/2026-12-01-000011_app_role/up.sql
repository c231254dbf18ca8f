-- The role the service runs as: data, not structure. It may read and write
-- rows, nothing else: no DDL (it owns nothing, and PostgreSQL 15 gives
-- PUBLIC no CREATE on schema public), no TRUNCATE, and, owning no table, it
-- cannot disable triggers or row-level security. The case history and the
-- audit log are append-only for it. Migrations run as the owner.
--
-- A login role is made a member of this one (the embedded default and the
-- test suite do it themselves; see docs/operations.md for a server of your
-- own). Roles belong to the cluster: created once, never dropped here.
DO $$
BEGIN
  CREATE ROLE living_gate_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

GRANT USAGE ON SCHEMA public, kpi TO living_gate_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO living_gate_app;
GRANT SELECT ON ALL TABLES IN SCHEMA kpi TO living_gate_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO living_gate_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public, kpi TO living_gate_app;

-- History is written once.
REVOKE UPDATE, DELETE, TRUNCATE ON proposal_events, audit_log FROM living_gate_app;

-- Tables later migrations create (as the same owner) get the same rights;
-- a migration that adds a history table revokes UPDATE and DELETE itself.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO living_gate_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO living_gate_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA kpi
  GRANT SELECT ON TABLES TO living_gate_app;

-- Which migrations ran is the owner's business.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON __diesel_schema_migrations FROM living_gate_app;
