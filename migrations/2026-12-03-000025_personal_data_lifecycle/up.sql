-- The personal-data lifecycle, second half (issue 21): anonymization of
-- closed cases past their city's retention period, per-municipality
-- overrides of the rules, and the anonymization of one person. The figures
-- the KPIs read (statuses, dates, departments, counts, fiscal years) and
-- the audit trail's facts (who acted, when, what kind) stay; the personal
-- values go.

-- A new rule: the personal data of closed cases, counted from the case's
-- final status time (`proposals.closed_at`).
ALTER TABLE retention_rules DROP CONSTRAINT retention_rules_kind_check;
ALTER TABLE retention_rules ADD CONSTRAINT retention_rules_kind_check CHECK (kind IN (
  'unconfirmed_intake', 'invitation', 'password_reset_token', 'outbox_body',
  'closed_case_personal_data'));
-- The platform default's version, for If-Match on its edit.
ALTER TABLE retention_rules ADD COLUMN version bigint NOT NULL DEFAULT 1;
INSERT INTO retention_rules (kind, days) VALUES ('closed_case_personal_data', 1825);

-- A city's own age for a rule (its document rules), in place of the default.
CREATE TABLE retention_rule_overrides (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  kind text NOT NULL REFERENCES retention_rules (kind),
  days integer NOT NULL CHECK (days BETWEEN 0 AND 36500),
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, kind)
);
CREATE INDEX retention_rule_overrides_kind_idx ON retention_rule_overrides (kind);
REVOKE TRUNCATE ON retention_rule_overrides FROM living_gate_app;

-- When a case's personal data was replaced (a table of its own: proposals
-- has the 32 columns a table may have).
CREATE TABLE case_anonymizations (
  proposal_id uuid PRIMARY KEY,
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  anonymized_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (municipality_id, proposal_id) REFERENCES proposals (municipality_id, id)
);
CREATE INDEX case_anonymizations_municipality_id_idx ON case_anonymizations (municipality_id);
ALTER TABLE case_anonymizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON case_anonymizations USING (living_gate_in_scope(municipality_id))
  WITH CHECK (living_gate_in_scope(municipality_id));
REVOKE UPDATE, DELETE, TRUNCATE ON case_anonymizations FROM living_gate_app;
-- When a person's personal data was replaced.
ALTER TABLE users ADD COLUMN anonymized_at timestamptz;

-- The age in days of `kind` for a record of `municipality` (NULL: a record
-- of no city, the default).
CREATE FUNCTION living_gate_retention_days(rule text, municipality uuid) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT coalesce(
    (SELECT o.days FROM retention_rule_overrides o WHERE o.kind = rule AND o.municipality_id = municipality),
    (SELECT r.days FROM retention_rules r WHERE r.kind = rule),
    0)
$$;

-- True when `rule` applies to a record of `municipality` dated `at`.
CREATE FUNCTION living_gate_retention_due(rule text, municipality uuid, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT d > 0 AND at < now() - make_interval(days => d)
  FROM (SELECT living_gate_retention_days(rule, municipality) AS d) s
$$;

-- Replaces the values of the personal keys of `doc`, at any depth, by
-- "[anonymized]" (the keys stay: what changed is a fact, its value was not).
CREATE FUNCTION living_gate_redact(doc jsonb, keys text[]) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  k text;
  v jsonb;
  out jsonb;
BEGIN
  IF jsonb_typeof(doc) = 'object' THEN
    out := '{}';
    FOR k, v IN SELECT * FROM jsonb_each(doc) LOOP
      IF k = ANY (keys) AND v <> 'null'::jsonb THEN
        out := out || jsonb_build_object(k, '[anonymized]');
      ELSE
        out := out || jsonb_build_object(k, living_gate_redact(v, keys));
      END IF;
    END LOOP;
    RETURN out;
  ELSIF jsonb_typeof(doc) = 'array' THEN
    SELECT coalesce(jsonb_agg(living_gate_redact(e, keys) ORDER BY i), '[]') INTO out
      FROM jsonb_array_elements(doc) WITH ORDINALITY AS a(e, i);
    RETURN out;
  END IF;
  RETURN doc;
END $$;

-- The audit log stays append-only, but for one exception: the owner's
-- anonymization functions may replace the personal values of `changes`
-- (every other column as it was), with the transaction-local setting
-- `living_gate.audit_redaction` on. The service's role has no UPDATE on
-- the table at all (000011).
CREATE OR REPLACE FUNCTION living_gate_audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('living_gate.audit_redaction', true) = 'on'
     AND (to_jsonb(NEW) - 'changes') = (to_jsonb(OLD) - 'changes') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

-- The keys of audit details that hold a case's personal values.
CREATE FUNCTION living_gate_case_personal_keys() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['summary', 'body', 'desired_support', 'agenda', 'notes', 'participants', 'note',
    'reason', 'note_for_proposer', 'policy_fit_note', 'feasibility_note', 'cost_effectiveness_note',
    'email', 'form', 'client_addr', 'display_name', 'recipient_address', 'body_text', 'answer_note']
$$;

-- Replaces the personal data of one case (docs/personal-data.md lists the
-- columns) and marks it anonymized. Statuses, dates, departments, ratings,
-- interests, themes, SDG goals, counts stay: the KPIs read them.
CREATE FUNCTION living_gate_anonymize_case(p uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE proposals SET summary = '', body = '', desired_support = '' WHERE id = p;
  INSERT INTO case_anonymizations (proposal_id, municipality_id)
    SELECT id, municipality_id FROM proposals WHERE id = p;
  UPDATE messages SET body = '[anonymized]' WHERE proposal_id = p;
  UPDATE hearings SET agenda = '', notes = '', participants = '{}' WHERE proposal_id = p;
  UPDATE matches SET note = '', reason = CASE WHEN reason IS NULL THEN NULL ELSE '[anonymized]' END
    WHERE proposal_id = p;
  UPDATE assessments SET policy_fit_note = '', feasibility_note = '', cost_effectiveness_note = ''
    WHERE proposal_id = p;
  UPDATE trip_measurements SET note = '' WHERE trip_id IN (SELECT id FROM trips WHERE proposal_id = p);
  UPDATE intake_submissions SET email = 'anonymized@invalid', form = '{}', client_addr = NULL
    WHERE proposal_id = p;
  -- A mail not sent yet is not sent any more: dropped, or given up if tried.
  DELETE FROM outbox_messages m WHERE m.proposal_id = p AND m.state = 'pending'
    AND NOT EXISTS (SELECT 1 FROM outbox_attempts a WHERE a.message_id = m.id);
  UPDATE outbox_messages SET body_text = '', recipient_address = 'anonymized@invalid',
      state = CASE WHEN state = 'pending' THEN 'dead' ELSE state END
    WHERE proposal_id = p;
  UPDATE proposal_events SET
      reason = CASE WHEN reason IS NULL THEN NULL ELSE '[anonymized]' END,
      note_for_proposer = CASE WHEN note_for_proposer IS NULL THEN NULL ELSE '[anonymized]' END
    WHERE proposal_id = p AND (reason IS NOT NULL OR note_for_proposer IS NOT NULL);
  PERFORM set_config('living_gate.audit_redaction', 'on', true);
  UPDATE audit_log SET changes = living_gate_redact(changes, living_gate_case_personal_keys())
    WHERE proposal_id = p;
  PERFORM set_config('living_gate.audit_redaction', 'off', true);
END $$;
REVOKE EXECUTE ON FUNCTION living_gate_anonymize_case(uuid) FROM PUBLIC;

-- Replaces one person's personal data and returns the counts per table.
-- The account stays (its id is in the audit trail and the cases): its
-- e-mail becomes `anonymized-<id>@invalid`, its name `[anonymized]`, it is
-- disabled, its password, sign-in identities, second factor, tokens,
-- invitations and preferences go, its webhook subscriptions are paused. Whether the person may be anonymized
-- (no open case names them) is the caller's check, in the same transaction.
CREATE FUNCTION living_gate_anonymize_person(person uuid) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  old_email text;
  n bigint;
  c bigint;
  counts jsonb := '{}';
BEGIN
  SELECT email INTO old_email FROM users WHERE id = person FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  UPDATE users SET email = 'anonymized-' || id::text || '@invalid', display_name = '[anonymized]',
      status = 'disabled', password_hash = NULL, anonymized_at = now(), version = version + 1
    WHERE id = person;
  DELETE FROM identity_links WHERE user_id = person;
  GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('identity_links', n);
  DELETE FROM totp_credentials WHERE user_id = person;
  GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('totp_credentials', n);
  UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = person AND revoked_at IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('refresh_tokens', n);
  DELETE FROM invitations WHERE user_id = person;
  GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('invitations', n);
  DELETE FROM password_reset_tokens WHERE user_id = person;
  GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('password_reset_tokens', n);
  DELETE FROM notification_preferences WHERE user_id = person;
  GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('notification_preferences', n);
  -- Their webhook subscriptions stop delivering (kept: the desk sees them).
  UPDATE webhook_subscriptions SET state = 'paused', version = version + 1
    WHERE owner_id = person AND state <> 'paused';
  GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('webhook_subscriptions', n);
  UPDATE intake_submissions SET email = 'anonymized@invalid', form = '{}', client_addr = NULL
    WHERE contact_user_id = person OR email = old_email;
  GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('intake_submissions', n);
  -- A mail not sent yet is not sent any more: dropped, or given up if tried.
  DELETE FROM outbox_messages m WHERE (m.recipient_user_id = person OR m.recipient_address = old_email)
    AND m.state = 'pending' AND NOT EXISTS (SELECT 1 FROM outbox_attempts a WHERE a.message_id = m.id);
  GET DIAGNOSTICS n = ROW_COUNT;
  UPDATE outbox_messages SET body_text = '', recipient_address = 'anonymized@invalid',
      state = CASE WHEN state = 'pending' THEN 'dead' ELSE state END
    WHERE recipient_user_id = person OR recipient_address = old_email;
  GET DIAGNOSTICS c = ROW_COUNT; counts := counts || jsonb_build_object('outbox_messages', n + c);
  PERFORM set_config('living_gate.audit_redaction', 'on', true);
  UPDATE audit_log SET changes = living_gate_redact(changes, ARRAY['email', 'display_name', 'recipient_address', 'password_hash'])
    WHERE (target_type = 'user' AND target_id = person::text) OR strpos(changes::text, old_email) > 0;
  GET DIAGNOSTICS n = ROW_COUNT; counts := counts || jsonb_build_object('audit_log', n);
  PERFORM set_config('living_gate.audit_redaction', 'off', true);
  RETURN counts;
END $$;
REVOKE EXECUTE ON FUNCTION living_gate_anonymize_person(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION living_gate_anonymize_person(uuid) TO living_gate_app;

-- The rules applied with each city's own ages where it set them.
CREATE OR REPLACE FUNCTION living_gate_retention_apply(dry boolean) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  r record;
  c record;
  n bigint;
  counts jsonb := '{}';
BEGIN
  FOR r IN SELECT kind FROM retention_rules ORDER BY kind LOOP
    n := 0;
    IF r.kind = 'unconfirmed_intake' THEN
      IF dry THEN
        SELECT count(*) INTO n FROM intake_submissions
          WHERE status <> 'confirmed' AND living_gate_retention_due(r.kind, municipality_id, created_at);
      ELSE
        DELETE FROM intake_submissions
          WHERE status <> 'confirmed' AND living_gate_retention_due(r.kind, municipality_id, created_at);
        GET DIAGNOSTICS n = ROW_COUNT;
      END IF;
    ELSIF r.kind = 'invitation' THEN
      IF dry THEN
        SELECT count(*) INTO n FROM invitations i JOIN users u ON u.id = i.user_id
          WHERE living_gate_retention_due(r.kind, u.municipality_id, coalesce(i.accepted_at, i.expires_at));
      ELSE
        DELETE FROM invitations i USING users u WHERE u.id = i.user_id
          AND living_gate_retention_due(r.kind, u.municipality_id, coalesce(i.accepted_at, i.expires_at));
        GET DIAGNOSTICS n = ROW_COUNT;
      END IF;
    ELSIF r.kind = 'password_reset_token' THEN
      IF dry THEN
        SELECT count(*) INTO n FROM password_reset_tokens t JOIN users u ON u.id = t.user_id
          WHERE living_gate_retention_due(r.kind, u.municipality_id, coalesce(t.used_at, t.expires_at));
      ELSE
        DELETE FROM password_reset_tokens t USING users u WHERE u.id = t.user_id
          AND living_gate_retention_due(r.kind, u.municipality_id, coalesce(t.used_at, t.expires_at));
        GET DIAGNOSTICS n = ROW_COUNT;
      END IF;
    ELSIF r.kind = 'outbox_body' THEN
      IF dry THEN
        SELECT count(*) INTO n FROM outbox_messages
          WHERE state IN ('sent', 'dead') AND body_text <> ''
            AND living_gate_retention_due(r.kind, municipality_id, coalesce(sent_at, created_at));
      ELSE
        UPDATE outbox_messages SET body_text = ''
          WHERE state IN ('sent', 'dead') AND body_text <> ''
            AND living_gate_retention_due(r.kind, municipality_id, coalesce(sent_at, created_at));
        GET DIAGNOSTICS n = ROW_COUNT;
      END IF;
    ELSIF r.kind = 'closed_case_personal_data' THEN
      -- A closed case (a final status) whose TRIP, if any, is over.
      FOR c IN SELECT p.id FROM proposals p
          WHERE p.closed_at IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM case_anonymizations a WHERE a.proposal_id = p.id)
            AND p.status IN ('adopted', 'not_adopted', 'open_procurement', 'declined', 'withdrawn')
            AND NOT EXISTS (SELECT 1 FROM trips t WHERE t.proposal_id = p.id
                            AND t.status IN ('planning', 'active'))
            AND living_gate_retention_due(r.kind, p.municipality_id, p.closed_at)
          ORDER BY p.id LOOP
        IF NOT dry THEN
          PERFORM living_gate_anonymize_case(c.id);
        END IF;
        n := n + 1;
      END LOOP;
    END IF;
    counts := counts || jsonb_build_object(r.kind, n);
  END LOOP;
  RETURN counts;
END $$;

-- The feed's new kinds, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['retention_rule_updated', 'personal_data_disclosed', 'user_anonymized'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
