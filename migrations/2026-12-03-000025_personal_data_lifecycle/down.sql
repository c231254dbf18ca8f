DELETE FROM proposal_events WHERE kind IN ('retention_rule_updated', 'personal_data_disclosed', 'user_anonymized');
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    EXCEPT SELECT unnest(ARRAY['retention_rule_updated', 'personal_data_disclosed', 'user_anonymized'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
CREATE OR REPLACE FUNCTION living_gate_retention_apply(dry boolean) RETURNS jsonb
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
DROP FUNCTION living_gate_anonymize_person(uuid);
DROP FUNCTION living_gate_anonymize_case(uuid);
DROP FUNCTION living_gate_case_personal_keys();
CREATE OR REPLACE FUNCTION living_gate_audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
DROP FUNCTION living_gate_redact(jsonb, text[]);
DROP FUNCTION living_gate_retention_due(text, uuid, timestamptz);
DROP FUNCTION living_gate_retention_days(text, uuid);
ALTER TABLE users DROP COLUMN anonymized_at;
DROP TABLE case_anonymizations;
DROP TABLE retention_rule_overrides;
DELETE FROM retention_rules WHERE kind = 'closed_case_personal_data';
ALTER TABLE retention_rules DROP COLUMN version;
ALTER TABLE retention_rules DROP CONSTRAINT retention_rules_kind_check;
ALTER TABLE retention_rules ADD CONSTRAINT retention_rules_kind_check CHECK (kind IN (
  'unconfirmed_intake', 'invitation', 'password_reset_token', 'outbox_body'));
