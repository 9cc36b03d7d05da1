-- Organizations own everything; secret keys authenticate API calls as an organization.
CREATE TABLE organizations (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The password is stored as an scrypt hash only (see lib/crypto.ts).
CREATE TABLE secret_keys (
  id text PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  password_hash text NOT NULL,
  name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX secret_keys_organization_idx ON secret_keys (organization_id);

-- The institution catalog, synced from connectors/catalog.ts at start-up. Typed columns for every
-- filter of GET /api/institutions/; `body` is the rest of the wire object.
CREATE TABLE institutions (
  id integer PRIMARY KEY,
  name text NOT NULL UNIQUE,
  type text NOT NULL,
  display_name text NOT NULL,
  website text,
  country_codes text[] NOT NULL,
  resources text[] NOT NULL,
  integration_type text NOT NULL,
  status text NOT NULL,
  body jsonb NOT NULL
);
