-- Sandbox fault rules (issue 18, POST /sandbox/faults/): an organization's standing instructions to
-- fail or slow some of its own requests, or its links' logins at sandbox institutions, so a client
-- can test its retry policy for real.
--   method, path_prefix, link_id, institution: what a rule matches (NULL = anything). A request
--     rule (latency_ms, status) matches the API request's method, path and link; an institution
--     rule (institution_error) matches the login's link and institution, in a request or in the
--     background (a historical update, a scheduled refresh).
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
  remaining integer CHECK (remaining IS NULL OR remaining >= 0),
  probability numeric(4, 3) NOT NULL DEFAULT 1 CHECK (probability > 0 AND probability <= 1),
  matched integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  CHECK ((latency_ms IS NOT NULL OR status IS NOT NULL) <> (institution_error IS NOT NULL))
);
CREATE INDEX sandbox_fault_rules_organization ON sandbox_fault_rules (organization_id, created_at);
