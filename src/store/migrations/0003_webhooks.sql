-- Webhook endpoints: where an organization wants its events POSTed. Belvo configures these in its
-- dashboard; Ponte offers /api/webhooks/. The Authorization header value and the signing secret
-- are AES-256-GCM ciphertext (lib/crypto.ts); `authorization_hint` is the masked form the API
-- shows ("Bearer ***c123"), kept so that reads never decrypt. `event_types` NULL = every type,
-- including types added later.
CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  url text NOT NULL,
  description text,
  event_types text[],
  authorization_sealed text,
  authorization_hint text,
  secret_sealed text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_organization_created_idx ON webhook_endpoints (organization_id, created_at, id);

-- One row per emitted event, whether or not any endpoint wanted it. `id` is Belvo's `webhook_id`
-- (32 hex) and the X-Ponte-Event-Id header. `payload` is the exact JSON body: every attempt sends
-- and signs these bytes, so retries and redeliveries are identical. No foreign key to links: a
-- `link_deleted` event outlives its link. `event_key` is the emitter's idempotency key: a retried
-- job that emits the same event again finds it here instead of sending a second one.
CREATE TABLE webhook_events (
  id text PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  event_key text,
  link_id uuid,
  webhook_type text NOT NULL,
  webhook_code text NOT NULL,
  payload text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX webhook_events_organization_created_idx ON webhook_events (organization_id, created_at);
CREATE UNIQUE INDEX webhook_events_organization_key_idx ON webhook_events (organization_id, event_key);

-- One delivery per (event, endpoint). `status` is pending until an attempt succeeds or the retry
-- schedule runs out (failed). A dispatcher claims a due row by pushing `next_attempt_at` forward
-- (the lease) and bumping `lease`; its outcome is recorded only while `lease` still matches, so a
-- dispatcher that lost its lease (crash, redelivery) cannot overwrite newer state.
-- `webhook_type`/`webhook_code` are copied from the event for filtering.
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id text NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
  webhook_type text NOT NULL,
  webhook_code text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  lease integer NOT NULL DEFAULT 0,
  last_status_code integer,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_endpoint_created_idx ON webhook_deliveries (endpoint_id, created_at, id);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);
-- The dispatcher's claim scans only pending rows, in due order.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

-- Every HTTP attempt, kept across redeliveries. `status_code` is NULL when no response came
-- (timeout, connection refused); `response_snippet` is the first 500 characters of the body.
CREATE TABLE webhook_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempted_at timestamptz NOT NULL,
  status_code integer,
  latency_ms integer NOT NULL,
  error text,
  response_snippet text
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
