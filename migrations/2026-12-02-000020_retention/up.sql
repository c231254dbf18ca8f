-- The personal-data lifecycle (issue 21): retention rules as data, and the
-- runs that apply them. Platform-wide (no per-municipality override yet).
CREATE TABLE retention_rules (
  -- What kind of record the rule purges (domain `retention::RuleKind`).
  kind text PRIMARY KEY CHECK (kind IN (
    'unconfirmed_intake', 'invitation', 'password_reset_token', 'outbox_body')),
  -- Age in days past which the rule applies; 0 turns the rule off.
  days integer NOT NULL CHECK (days BETWEEN 0 AND 36500),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO retention_rules (kind, days) VALUES
  ('unconfirmed_intake', 3),
  ('invitation', 30),
  ('password_reset_token', 7),
  ('outbox_body', 90);

-- One run of the rules: by the server's schedule, the CLI, or dry.
CREATE TABLE retention_runs (
  id uuid PRIMARY KEY,
  dry_run boolean NOT NULL,
  -- Rows purged (or, dry, that would be) per rule kind.
  counts jsonb NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX retention_runs_created_at_idx ON retention_runs (created_at DESC);
REVOKE UPDATE, DELETE, TRUNCATE ON retention_runs FROM living_gate_app;
REVOKE INSERT, DELETE, TRUNCATE ON retention_rules FROM living_gate_app;

-- Applies the rules (or, dry, counts what they would purge) and returns the
-- counts per rule kind. SECURITY DEFINER: the service's role may not
-- delete intakes or reset tokens (000014), and a run is of every city
-- (row-level security would hide the other cities' rows); this function is
-- the only way it purges them, and only past the rules' ages.
CREATE FUNCTION living_gate_retention_apply(dry boolean) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  r record;
  cutoff timestamptz;
  n bigint;
  counts jsonb := '{}';
BEGIN
  FOR r IN SELECT kind, days FROM retention_rules ORDER BY kind LOOP
    n := 0;
    IF r.days > 0 THEN
      cutoff := now() - make_interval(days => r.days);
      IF r.kind = 'unconfirmed_intake' THEN
        IF dry THEN
          SELECT count(*) INTO n FROM intake_submissions WHERE status <> 'confirmed' AND created_at < cutoff;
        ELSE
          DELETE FROM intake_submissions WHERE status <> 'confirmed' AND created_at < cutoff;
          GET DIAGNOSTICS n = ROW_COUNT;
        END IF;
      ELSIF r.kind = 'invitation' THEN
        IF dry THEN
          SELECT count(*) INTO n FROM invitations WHERE coalesce(accepted_at, expires_at) < cutoff;
        ELSE
          DELETE FROM invitations WHERE coalesce(accepted_at, expires_at) < cutoff;
          GET DIAGNOSTICS n = ROW_COUNT;
        END IF;
      ELSIF r.kind = 'password_reset_token' THEN
        IF dry THEN
          SELECT count(*) INTO n FROM password_reset_tokens WHERE coalesce(used_at, expires_at) < cutoff;
        ELSE
          DELETE FROM password_reset_tokens WHERE coalesce(used_at, expires_at) < cutoff;
          GET DIAGNOSTICS n = ROW_COUNT;
        END IF;
      ELSIF r.kind = 'outbox_body' THEN
        IF dry THEN
          SELECT count(*) INTO n FROM outbox_messages
            WHERE state IN ('sent', 'dead') AND coalesce(sent_at, created_at) < cutoff AND body_text <> '';
        ELSE
          UPDATE outbox_messages SET body_text = ''
            WHERE state IN ('sent', 'dead') AND coalesce(sent_at, created_at) < cutoff AND body_text <> '';
          GET DIAGNOSTICS n = ROW_COUNT;
        END IF;
      END IF;
    END IF;
    counts := counts || jsonb_build_object(r.kind, n);
  END LOOP;
  RETURN counts;
END $$;
REVOKE EXECUTE ON FUNCTION living_gate_retention_apply(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION living_gate_retention_apply(boolean) TO living_gate_app;

-- The feed's new kind, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['retention_run'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
