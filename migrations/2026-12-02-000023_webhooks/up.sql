-- Webhooks (issue 16): thin, signed CloudEvents pushed to the systems around
-- the desk, read from the one change feed with the subscription's owner's
-- eyes. A subscription is a cursor into the feed: the worker in
-- `living-gate serve` delivers the owner's visible events after `cursor`,
-- in feed order, and moves the cursor only past an event the receiver
-- acknowledged (2xx) or that the filters skip; so a receiver that was down
-- catches up from where it stopped, and nothing is lost.
CREATE TABLE webhook_subscriptions (
  id uuid PRIMARY KEY,
  -- The owner's city (NULL for a partner: partners propose to any city);
  -- row-level security keys it like a case.
  municipality_id uuid REFERENCES municipalities (id),
  -- Whose eyes the subscription reads the feed with.
  owner_id uuid NOT NULL REFERENCES users (id),
  callback_url text NOT NULL CHECK (length(callback_url) BETWEEN 8 AND 2000),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  -- Event kinds (domain `desk::feed::EventKind`); empty: every kind.
  kinds text[] NOT NULL DEFAULT '{}',
  -- Filters; NULL: any. A case is keyed by its city and id (000009): the
  -- API checks that the owner sees the case named.
  department_id uuid REFERENCES departments (id),
  proposal_id uuid,
  resource_id uuid REFERENCES resources (id),
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'failing')),
  -- The signing secret sealed with the server's key (never in clear here or
  -- in a backup); the previous one signs too until it expires (rotation).
  secret_sealed bytea NOT NULL,
  previous_secret_sealed bytea,
  previous_secret_expires_at timestamptz,
  CHECK ((previous_secret_sealed IS NULL) = (previous_secret_expires_at IS NULL)),
  -- The last feed position delivered or skipped.
  cursor bigint NOT NULL CHECK (cursor >= 0),
  -- Failed attempts at the head event, and since when it fails.
  failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  failing_since timestamptz,
  -- When the worker may take it next; a worker that takes it sets this to
  -- the end of its lease, so several instances never deliver it at once.
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_delivered_at timestamptz,
  version bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_due ON webhook_subscriptions (next_attempt_at) WHERE state = 'active';
CREATE INDEX webhook_subscriptions_city ON webhook_subscriptions (municipality_id, id);
CREATE INDEX webhook_subscriptions_owner ON webhook_subscriptions (owner_id);
CREATE INDEX webhook_subscriptions_department ON webhook_subscriptions (department_id);
CREATE INDEX webhook_subscriptions_proposal ON webhook_subscriptions (proposal_id);
CREATE INDEX webhook_subscriptions_resource ON webhook_subscriptions (resource_id);
CREATE TRIGGER webhook_subscriptions_touch BEFORE UPDATE ON webhook_subscriptions
  FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

-- Every attempt: the delivery log of a subscription.
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  municipality_id uuid REFERENCES municipalities (id),
  -- The CloudEvent's id (= the webhook-id header): the feed event's id, or
  -- a ping's own.
  message_id uuid NOT NULL,
  -- NULL for a ping.
  event_position bigint,
  event_type text NOT NULL,
  attempt integer NOT NULL CHECK (attempt >= 1),
  started_at timestamptz NOT NULL,
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  -- The receiver's status, NULL when none came (refused, timed out).
  status_code integer CHECK (status_code BETWEEN 100 AND 599),
  outcome text NOT NULL CHECK (outcome IN ('delivered', 'failed')),
  -- The error, or the start of the receiver's body: a short excerpt only.
  detail text NOT NULL DEFAULT '' CHECK (length(detail) <= 300),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id DESC);
CREATE INDEX webhook_deliveries_city ON webhook_deliveries (municipality_id);

-- The delivery log is history: written once.
REVOKE UPDATE, TRUNCATE ON webhook_deliveries FROM living_gate_app;

ALTER TABLE webhook_subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON webhook_subscriptions
  USING (municipality_id IS NULL OR living_gate_in_scope(municipality_id))
  WITH CHECK (municipality_id IS NULL OR living_gate_in_scope(municipality_id));
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON webhook_deliveries
  USING (municipality_id IS NULL OR living_gate_in_scope(municipality_id))
  WITH CHECK (municipality_id IS NULL OR living_gate_in_scope(municipality_id));

-- The feed's new kinds, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['webhook_subscription_created', 'webhook_subscription_updated',
      'webhook_subscription_deleted', 'webhook_secret_rotated', 'webhook_replay_requested',
      'webhook_pinged', 'webhook_subscription_failing'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;

-- The desk's mail when a subscription stops (domain `notify::MailKind`).
DO $$
DECLARE
  t text;
  c text;
  kinds text;
BEGIN
  FOREACH t IN ARRAY ARRAY['outbox_messages', 'notification_preferences'] LOOP
    SELECT conname INTO c FROM pg_constraint
    WHERE conrelid = t::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%password_reset%';
    SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
      SELECT DISTINCT m[1] AS k
      FROM pg_constraint, regexp_matches(pg_get_constraintdef(oid), '''([a-z_]+)''', 'g') m
      WHERE conrelid = t::regclass AND conname = c
      UNION SELECT 'webhook_failing'
    ) s;
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t, c);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (kind IN (%s))', t, c, kinds);
  END LOOP;
END $$;
