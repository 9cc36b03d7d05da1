-- Sandbox fault rules (issue 18, POST /sandbox/faults/): an organization's standing instructions to
-- fail or slow some of its own requests, or its links' logins at sandbox institutions, so a client
-- can test its retry policy for real.
--   method, path_prefix, link_id, institution: what a rule matches (NULL = anything). A request
--     rule (latency_ms, status) matches the API request's method, path and link; an institution
--     rule (institution_error) matches the login's link and institution, in a request or in the
--     background (a historical update, a scheduled refresh).
--   webhook_type, webhook_delay_ms, webhook_duplicates, webhook_lost_answers: a webhook rule, taken
--     by each matching event (webhook_type and link_id match it) when it is emitted: its deliveries
--     are due later (delayed, so a later event may overtake it), reach the receiver more than once
--     (duplicates, the same X-Ponte-Event-Id), or have their first answers "lost" (the receiver
--     gets them, Ponte counts the attempts failed and retries on its schedule).
--   remaining: how many more times it applies (NULL = until deleted); each match takes one, in the
--     statement that decides the match, so concurrent requests never overspend it.
--   probability: the chance that a matching request or login is affected (1 = always).
--   matched: how many times it applied.
CREATE TABLE sandbox_fault_rules (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  method text,
  path_prefix text,
  link_id uuid,
  institution text,
  latency_ms integer CHECK (latency_ms IS NULL OR latency_ms BETWEEN 0 AND 10000),
  status integer CHECK (status IS NULL OR status IN (408, 429, 500, 503)),
  institution_error text,
  webhook_type text,
  webhook_delay_ms integer CHECK (webhook_delay_ms IS NULL OR webhook_delay_ms BETWEEN 1 AND 600000),
  webhook_duplicates integer CHECK (webhook_duplicates IS NULL OR webhook_duplicates BETWEEN 1 AND 5),
  webhook_lost_answers integer CHECK (webhook_lost_answers IS NULL OR webhook_lost_answers BETWEEN 1 AND 5),
  remaining integer CHECK (remaining IS NULL OR remaining >= 0),
  probability numeric(4, 3) NOT NULL DEFAULT 1 CHECK (probability > 0 AND probability <= 1),
  matched integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  -- One kind of rule: a request's (latency, status), a login's (institution_error) or a webhook's.
  CHECK (
    (latency_ms IS NOT NULL OR status IS NOT NULL)::int + (institution_error IS NOT NULL)::int
      + (webhook_delay_ms IS NOT NULL OR webhook_duplicates IS NOT NULL OR webhook_lost_answers IS NOT NULL)::int = 1
  )
);
CREATE INDEX sandbox_fault_rules_organization ON sandbox_fault_rules (organization_id, created_at);

-- What a webhook rule gave a delivery, spent by the dispatcher (jobs/dispatcher.ts).
ALTER TABLE webhook_deliveries ADD COLUMN sandbox_duplicates integer NOT NULL DEFAULT 0;
ALTER TABLE webhook_deliveries ADD COLUMN sandbox_lost_answers integer NOT NULL DEFAULT 0;
