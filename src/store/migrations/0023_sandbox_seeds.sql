-- Sandbox seeds (issue 18, /sandbox/seed/, docs/determinism.md): an organization with a row draws
-- its ids from HMAC-SHA256(seed, ...) instead of randomness. `slot` tells apart organizations that
-- chose the same seed (the first to claim a seed has slot 1, the next 2, ...): slots stay claimed
-- in sandbox_seed_slots after a DELETE, so a seed set again never repeats ids already handed out.
CREATE TABLE sandbox_seeds (
  organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  seed text NOT NULL,
  slot integer NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE sandbox_seed_slots (
  seed text NOT NULL,
  slot integer NOT NULL,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  PRIMARY KEY (seed, slot),
  UNIQUE (seed, organization_id)
);

-- One counter per organization and stream (`request`, `job/...`): each unit of work (a request,
-- a job run) takes the next number with an upsert, so draws survive restarts and never repeat
-- across processes.
CREATE TABLE sandbox_seed_counters (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  stream text NOT NULL,
  counter bigint NOT NULL,
  PRIMARY KEY (organization_id, stream)
);
