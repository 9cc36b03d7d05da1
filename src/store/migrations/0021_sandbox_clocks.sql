-- Sandbox clocks (issue 18, /sandbox/clock/): an organization with a row lives at `now`, frozen
-- until it is advanced (POST /sandbox/clock/advance/, which runs what fell due in between), pinned
-- later, or reset (the row goes: the organization follows the server's clock again). The
-- scheduler's passes skip organizations with a row.
CREATE TABLE sandbox_clocks (
  organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  now timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
