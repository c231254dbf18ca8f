-- The directory's need-to-know (issue 14, part B): confidential-access
-- grants of an owning city, correction suggestions from other cities, and
-- the published position of entries that hide their address.
--
-- Independent of the case-tenancy migration (000009): the feed's kind list is
-- widened from whatever it is now, never rewritten from a copy.

-- Hidden fields of an entry are seen by its owning city's desk and by the
-- departments and users that city granted confidential access to.
CREATE TABLE confidential_access_grants (
  id              uuid PRIMARY KEY,
  -- The owning city whose entries' hidden fields the grantee may read.
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  department_id   uuid REFERENCES departments (id),
  user_id         uuid REFERENCES users (id),
  note            text,
  granted_by      uuid NOT NULL REFERENCES users (id),
  granted_at      timestamptz NOT NULL DEFAULT now(),
  revoked_by      uuid REFERENCES users (id),
  revoked_at      timestamptz,
  version         bigint NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((department_id IS NULL) <> (user_id IS NULL)),
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX confidential_access_grants_municipality_id_idx ON confidential_access_grants (municipality_id, id);
CREATE INDEX confidential_access_grants_department_id_idx ON confidential_access_grants (department_id) WHERE revoked_at IS NULL;
CREATE INDEX confidential_access_grants_user_id_idx ON confidential_access_grants (user_id) WHERE revoked_at IS NULL;
CREATE INDEX confidential_access_grants_granted_by_idx ON confidential_access_grants (granted_by);
CREATE INDEX confidential_access_grants_revoked_by_idx ON confidential_access_grants (revoked_by);
-- One active grant per grantee and city.
CREATE UNIQUE INDEX confidential_access_grants_active_department
  ON confidential_access_grants (municipality_id, department_id) WHERE revoked_at IS NULL AND department_id IS NOT NULL;
CREATE UNIQUE INDEX confidential_access_grants_active_user
  ON confidential_access_grants (municipality_id, user_id) WHERE revoked_at IS NULL AND user_id IS NOT NULL;
CREATE TRIGGER confidential_access_grants_touch BEFORE UPDATE ON confidential_access_grants
  FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

-- A correction another city's staff (or anyone on staff) suggests to the
-- owning city's desk: a PATCH body kept until the desk accepts or rejects it.
CREATE TABLE resource_suggestions (
  id                 uuid PRIMARY KEY,
  resource_id        uuid NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  suggested_by       uuid NOT NULL REFERENCES users (id),
  changes            jsonb NOT NULL,
  note               text NOT NULL,
  status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
  decided_by         uuid REFERENCES users (id),
  decided_at         timestamptz,
  decision_note      text,
  version            bigint NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX resource_suggestions_resource_id_idx ON resource_suggestions (resource_id, id);
CREATE INDEX resource_suggestions_suggested_by_idx ON resource_suggestions (suggested_by);
CREATE INDEX resource_suggestions_decided_by_idx ON resource_suggestions (decided_by);
CREATE TRIGGER resource_suggestions_touch BEFORE UPDATE ON resource_suggestions
  FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

-- Entries that publish their hidden position coarsened (a 0.01° cell). An
-- entry hides its position when `hidden_fields` names it; it is `coarse`
-- when it is also listed here, `hidden` otherwise. (`resources` has the
-- 32 columns a table may have, so the choice lives beside it.)
CREATE TABLE resource_coarse_positions (
  resource_id uuid PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Coordinates give the street away: every entry that hides its address now
-- hides its position too.
UPDATE resources SET hidden_fields = array_append(hidden_fields, 'position')
WHERE hidden_fields @> ARRAY['address'] AND NOT hidden_fields @> ARRAY['position'];

-- The feed's new kinds, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['resource_suggested', 'resource_suggestion_accepted',
      'resource_suggestion_rejected', 'confidential_access_granted', 'confidential_access_revoked'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
