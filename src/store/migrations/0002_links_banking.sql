-- Links: a customer's end user connected to an institution. Credentials are AES-256-GCM
-- ciphertext (lib/crypto.ts), never plaintext; `credentials_expire_at` implements
-- credentials_storage durations, `data_updated_at` + `stale_in` data retention.
CREATE TABLE links (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  institution_id integer NOT NULL REFERENCES institutions (id),
  institution text NOT NULL,
  access_mode text NOT NULL,
  status text NOT NULL,
  external_id text,
  institution_user_id text,
  credentials_storage text NOT NULL,
  credentials text,
  credentials_expire_at timestamptz,
  stale_in text NOT NULL,
  fetch_resources text[] NOT NULL,
  refresh_rate text,
  created_by uuid NOT NULL,
  profile text,
  created_at timestamptz NOT NULL,
  last_accessed_at timestamptz,
  refresh_requested_at timestamptz,
  data_updated_at timestamptz
);
CREATE INDEX links_organization_created_idx ON links (organization_id, created_at, id);
CREATE INDEX links_organization_external_idx ON links (organization_id, external_id);
CREATE INDEX links_organization_user_idx ON links (organization_id, institution_user_id);

-- MFA sessions: a 428 token_required answer remembers what was being done, so that
-- PATCH {session, token, link} can finish it.
CREATE TABLE mfa_sessions (
  id text PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  link_id uuid NOT NULL REFERENCES links (id) ON DELETE CASCADE,
  operation text NOT NULL,
  request json NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX mfa_sessions_link_idx ON mfa_sessions (link_id);

-- Accounts and transactions get their own tables: they are the largest and most filtered.
-- `body` is wire JSON written by Ponte itself, kept as text: lists stream it out without
-- re-encoding, and inserts skip the json type's validation (measured: the bulk of ingest time).
-- Typed columns carry every filterable field.
CREATE TABLE accounts (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  link_id uuid NOT NULL REFERENCES links (id) ON DELETE CASCADE,
  internal_identification text NOT NULL,
  category text,
  type text,
  name text,
  number text,
  currency text,
  balance_current numeric,
  balance_available numeric,
  public_identification_name text,
  public_identification_value text,
  collected_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  body text NOT NULL,
  UNIQUE (link_id, internal_identification)
);
CREATE INDEX accounts_organization_created_idx ON accounts (organization_id, created_at, id);

-- No foreign keys here on purpose: two referential checks per row were a third of bulk-ingest
-- time. store/links.ts and store/resources.ts delete a link's or an account's transactions
-- explicitly, in the same transaction as the link or account.
CREATE TABLE transactions (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  link_id uuid NOT NULL,
  account_id uuid NOT NULL,
  internal_identification text NOT NULL,
  value_date date,
  accounting_date timestamptz,
  amount numeric,
  currency text,
  type text,
  status text,
  category text,
  reference text,
  bill_name text,
  collected_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  body text NOT NULL,
  UNIQUE (link_id, internal_identification)
);
-- The list order (value_date DESC, id) per link: first pages are an index range scan. Lists
-- always name the link (Belvo requires it), so an account filter rides on this index too.
-- organization_id is included so paging (OFFSET over ids) can be an index-only scan.
CREATE INDEX transactions_link_date_idx ON transactions (link_id, value_date DESC, id) INCLUDE (organization_id);

-- Every other per-link resource (balances, owners, bills, investments, exchanges, statements,
-- portfolios, and later fiscal, employment and enrichment data): one table, keyed by resource.
-- `record_date` and `kind` carry each resource's main date and type filters.
CREATE TABLE records (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  link_id uuid NOT NULL REFERENCES links (id) ON DELETE CASCADE,
  resource text NOT NULL,
  account_id uuid REFERENCES accounts (id) ON DELETE CASCADE,
  internal_identification text NOT NULL,
  record_date date,
  kind text,
  collected_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  body text NOT NULL,
  UNIQUE (link_id, resource, internal_identification)
);
CREATE INDEX records_link_resource_idx ON records (link_id, resource, created_at, id);
CREATE INDEX records_organization_resource_idx ON records (organization_id, resource, created_at, id);

-- Fixed-window counters for the documented rate limits (DELETE: 5 per minute), shared by every
-- process through the database.
CREATE TABLE rate_limits (
  organization_id uuid NOT NULL,
  bucket text NOT NULL,
  window_start timestamptz NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (organization_id, bucket)
);

-- Belvo lists carry `count`; counting a million rows per request would cost more than the page
-- itself, so each link keeps its transaction count, maintained on insert and delete.
ALTER TABLE links ADD COLUMN transaction_count bigint NOT NULL DEFAULT 0;
