-- Sandbox seeds (issue 18, /sandbox/seed/, docs/determinism.md): an organization with a row draws
-- its ids from HMAC-SHA256(seed, organization id, stream, counter, draw) instead of randomness.
CREATE TABLE sandbox_seeds (
  organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  seed text NOT NULL,
  updated_at timestamptz NOT NULL
);

-- One counter per organization and stream (`request`, `job/...`): each unit of work (a request,
-- a job run) takes the next number with an upsert, so draws survive restarts, never repeat across
-- processes, and go on where they stopped when a seed is cleared and set again.
CREATE TABLE sandbox_seed_counters (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  stream text NOT NULL,
  counter bigint NOT NULL,
  PRIMARY KEY (organization_id, stream)
);
