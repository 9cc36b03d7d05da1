-- The sandbox's webhook inbox (issue 18): a receiver URL served by Ponte itself
-- (/sandbox/inbox/{token}/, token = organization id + its MAC, so it needs no table of its own)
-- keeps what it receives here, so a developer sees webhooks without running a tunnel.
--   headers: the request's headers as received, Authorization masked.
--   body: the raw body, as text (the signature covers exactly these bytes).
--   signature: 'valid' (X-Ponte-Signature matches the secret of one of the organization's
--     endpoints that point at this inbox), 'invalid', or 'missing' (no signature header).
--   endpoint_id: the endpoint whose secret matched (no foreign key: deleting an endpoint keeps
--     what its inbox received).
-- Each organization keeps its newest 500 messages; older ones are deleted as new ones arrive.
CREATE TABLE webhook_inbox_messages (
  id uuid PRIMARY KEY,
  -- Arrival order: received_at follows the sandbox clock, which may stand still or move back.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  received_at timestamptz NOT NULL,
  event_id text,
  webhook_type text,
  webhook_code text,
  signature text NOT NULL CHECK (signature IN ('valid', 'invalid', 'missing')),
  endpoint_id uuid,
  headers jsonb NOT NULL,
  body text NOT NULL
);

CREATE INDEX webhook_inbox_messages_organization ON webhook_inbox_messages (organization_id, seq DESC);
