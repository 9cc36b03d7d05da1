-- Payments Brazil (issue 16): Belvo's /payments/br/ objects, an idempotency record per
-- Belvo-Idempotency-Key, and an append-only ledger of every status change. Amounts are
-- numeric(15,2): Belvo's amounts are strings with two decimals, and arithmetic never uses floats.
-- Every row carries its organization; every query filters by it (DESIGN.md, Data).

-- The payer and beneficiary institutions of Brazil's Open Finance payment initiation (Belvo's
-- paymentInstitutionBR). The sandbox catalog is seeded here; ids are fixed so that tests and
-- integrators can write them down. `code` is the institution's ISPB (8 digits), which also makes
-- up the Pix end_to_end_id of transactions settled through it.
CREATE TABLE payment_institutions (
  id uuid PRIMARY KEY,
  code text NOT NULL UNIQUE CHECK (code ~ '^[0-9]{8}$'),
  name text NOT NULL UNIQUE,
  display_name text NOT NULL,
  institution_type text NOT NULL CHECK (institution_type IN ('INDIVIDUAL', 'BUSINESS')),
  active boolean NOT NULL,
  sort_priority integer NOT NULL,
  body jsonb NOT NULL
);
INSERT INTO payment_institutions (id, code, name, display_name, institution_type, active, sort_priority, body) VALUES
  ('0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001', '99990001', 'ponte_mockbank_br_retail', 'Ponte Mock Bank', 'INDIVIDUAL', true, 1,
   '{"legal_entity_name": "Ponte Mock Bank S.A.", "website": "https://mockbank.ponte.dev", "primary_color": "#0B6E4F", "description": "Sandbox bank: payments follow the amount rules of docs/payments.md."}'),
  ('0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1002', '99990002', 'ponte_mockbank_br_business', 'Ponte Mock Bank Empresas', 'BUSINESS', true, 2,
   '{"legal_entity_name": "Ponte Mock Bank S.A.", "website": "https://mockbank.ponte.dev/empresas", "primary_color": "#0B6E4F", "description": "Sandbox bank for business payers."}'),
  ('0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1003', '99990003', 'ipe_br_retail', 'Banco Ipê', 'INDIVIDUAL', true, 3,
   '{"legal_entity_name": "Banco Ipê S.A.", "website": "https://ipe.ponte.dev", "primary_color": "#F2B705", "description": "Sandbox bank."}'),
  ('0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1004', '99990004', 'jacaranda_br_retail', 'Banco Jacarandá', 'INDIVIDUAL', false, 4,
   '{"legal_entity_name": "Banco Jacarandá S.A.", "website": "https://jacaranda.ponte.dev", "primary_color": "#7A4FBF", "description": "Sandbox bank, inactive: payments through it are refused."}');

-- Customers (payers). `version` records the shape the customer was created in (V1 CustomerOfpi,
-- V2 CustomerV2, chosen by X-Belvo-API-Resource-Version). One customer per document and
-- organization: Belvo answers `already_registered` for a second.
CREATE TABLE payment_customers (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  customer_type text NOT NULL CHECK (customer_type IN ('INDIVIDUAL', 'BUSINESS')),
  identifier_type text NOT NULL CHECK (identifier_type IN ('CPF', 'CNPJ')),
  identifier text NOT NULL,
  name text,
  email text,
  phone text,
  address text,
  external_id uuid,
  version text NOT NULL CHECK (version IN ('V1', 'V2')),
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- What `search` matches: the name and the document.
  search_text text GENERATED ALWAYS AS (coalesce(name, '') || ' ' || identifier) STORED,
  UNIQUE (organization_id, identifier)
);
CREATE INDEX payment_customers_organization_created_idx ON payment_customers (organization_id, created_at, id);

-- Bank accounts: the organization's receiving accounts (BUSINESS holders, customer NULL) and
-- customers' accounts. `holder` is the holder as V1 shows it ({type, information}); `balance` is
-- the sandbox's running balance of a receiving account, moved only by settled transactions.
CREATE TABLE payment_bank_accounts (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  customer_id uuid REFERENCES payment_customers (id),
  institution_id uuid NOT NULL REFERENCES payment_institutions (id),
  holder_type text NOT NULL CHECK (holder_type IN ('INDIVIDUAL', 'BUSINESS')),
  holder_name text NOT NULL,
  holder_identifier text NOT NULL,
  holder jsonb NOT NULL,
  account_type text NOT NULL CHECK (account_type IN ('CHECKINGS', 'SAVINGS', 'SALARY', 'PAYMENTS')),
  agency text NOT NULL,
  number text NOT NULL,
  external_id uuid,
  metadata jsonb NOT NULL DEFAULT '{}',
  version text NOT NULL CHECK (version IN ('V1', 'V2')),
  active boolean NOT NULL DEFAULT true,
  balance numeric(15, 2) NOT NULL DEFAULT 0,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (organization_id, institution_id, agency, number)
);
CREATE INDEX payment_bank_accounts_organization_created_idx ON payment_bank_accounts (organization_id, created_at, id);

-- Payment intents. `kind` tells Belvo's two families apart: `bank_account` (the beneficiary is one
-- of the organization's bank accounts: PaymentIntentOfpi) and `pix_key` (the beneficiary is a Pix
-- key: PaymentIntentPixKeys). `details` is payment_method_details.open_finance as stored (the
-- CPF masked on the way out); `schedule_date` is the date of a single scheduled payment.
CREATE TABLE payment_intents (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES payment_customers (id),
  kind text NOT NULL CHECK (kind IN ('bank_account', 'pix_key')),
  status text NOT NULL CHECK (status IN ('REQUIRES_PAYMENT_METHOD', 'REQUIRES_ACTION', 'PROCESSING', 'SUCCEEDED', 'FAILED')),
  confirmed boolean NOT NULL,
  amount numeric(15, 2) NOT NULL CHECK (amount > 0),
  currency text NOT NULL DEFAULT 'BRL',
  description text NOT NULL,
  statement_description text,
  allowed_payment_method_types text[] NOT NULL,
  selected_payment_method_type text NOT NULL,
  beneficiary_bank_account_id uuid REFERENCES payment_bank_accounts (id),
  payer_institution_id uuid REFERENCES payment_institutions (id),
  pix_key text,
  pix_key_type text,
  details jsonb NOT NULL,
  schedule_date date,
  external_id uuid,
  metadata jsonb NOT NULL DEFAULT '{}',
  failure_code text,
  failure_message text,
  end_to_end_id text,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX payment_intents_organization_created_idx ON payment_intents (organization_id, created_at, id);
CREATE INDEX payment_intents_customer_idx ON payment_intents (customer_id);

-- Charges: each attempt to move a payment intent's money (one per intent for immediate and
-- single scheduled payments).
CREATE TABLE payment_charges (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  payment_intent_id uuid NOT NULL REFERENCES payment_intents (id),
  customer_id uuid NOT NULL REFERENCES payment_customers (id),
  status text NOT NULL CHECK (status IN ('PENDING', 'SCHEDULED', 'SUCCEEDED', 'FAILED', 'CANCELED')),
  amount numeric(15, 2) NOT NULL CHECK (amount > 0),
  beneficiary_bank_account_id uuid REFERENCES payment_bank_accounts (id),
  payer_institution_id uuid REFERENCES payment_institutions (id),
  settlement_date date,
  end_to_end_id text UNIQUE,
  failure_code text,
  failure_message text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX payment_charges_organization_created_idx ON payment_charges (organization_id, created_at, id);
CREATE INDEX payment_charges_intent_idx ON payment_charges (payment_intent_id);
-- The scheduler's scan for scheduled charges that are due.
CREATE INDEX payment_charges_due_idx ON payment_charges (settlement_date) WHERE status = 'SCHEDULED';

-- Payment transactions: money that moved (one INFLOW per settled charge into a bank account).
-- At most one per charge: the unique constraint is the last guard against settling twice.
CREATE TABLE payment_transactions (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  payment_intent_id uuid NOT NULL REFERENCES payment_intents (id),
  charge_id uuid NOT NULL UNIQUE REFERENCES payment_charges (id),
  customer_id uuid NOT NULL REFERENCES payment_customers (id),
  beneficiary_bank_account_id uuid NOT NULL REFERENCES payment_bank_accounts (id),
  amount numeric(15, 2) NOT NULL CHECK (amount > 0),
  currency text NOT NULL DEFAULT 'BRL',
  description text NOT NULL,
  transaction_type text NOT NULL CHECK (transaction_type IN ('INFLOW', 'OUTFLOW')),
  end_to_end_id text NOT NULL UNIQUE,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX payment_transactions_organization_created_idx ON payment_transactions (organization_id, created_at, id);

-- One row per Belvo-Idempotency-Key and organization. The first request inserts it as
-- `processing` in a statement of its own (committed at once, so every other process sees it);
-- the creation's transaction stores the answer and marks it `completed`. The primary key is what
-- makes two concurrent identical requests create one object: exactly one INSERT wins. A request
-- whose creation failed deletes its row, so nothing is replayed that never happened.
-- `request_hash` is a SHA-256 of the method, path and canonical JSON body.
CREATE TABLE payment_idempotency_keys (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  key text NOT NULL,
  request_hash text NOT NULL,
  state text NOT NULL CHECK (state IN ('processing', 'completed')),
  response_status integer,
  response_body text,
  created_at timestamptz NOT NULL,
  completed_at timestamptz,
  PRIMARY KEY (organization_id, key)
);

-- The audit trail: every status change of every payments object, in the transaction that made
-- it. Append-only: the trigger below refuses UPDATE and DELETE, and the table has no foreign key
-- that could cascade a deletion into it. `seq` orders the changes; `from_status` is NULL for
-- creations. `actor` names who caused the change (`key:<secret key id>`, `sandbox`).
CREATE TABLE payment_ledger (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id uuid NOT NULL,
  object_type text NOT NULL,
  object_id uuid NOT NULL,
  from_status text,
  to_status text NOT NULL,
  amount numeric(15, 2),
  actor text NOT NULL,
  reason text,
  request_id text,
  at timestamptz NOT NULL
);
CREATE INDEX payment_ledger_object_idx ON payment_ledger (object_id, seq);
CREATE INDEX payment_ledger_organization_idx ON payment_ledger (organization_id, seq);

CREATE FUNCTION payment_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'payment_ledger is append-only';
END;
$$;
CREATE TRIGGER payment_ledger_no_change BEFORE UPDATE OR DELETE ON payment_ledger
  FOR EACH ROW EXECUTE FUNCTION payment_ledger_append_only();

-- Biometric Pix enrollments of a customer's device at an institution (EnrollmentBiometricPix).
-- `status` follows domain/payments/machines.ts ENROLLMENT_MACHINE; `details_status` is Belvo's
-- details.status. `state` is the OAuth-style value the institution's redirection sends back to
-- complete-redirection (32 hex, unique). Risk signals are not kept: Belvo shows them masked.
CREATE TABLE payment_enrollments (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES payment_customers (id),
  institution_id uuid NOT NULL REFERENCES payment_institutions (id),
  status text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'CANCELED', 'FAILED')),
  details_status text NOT NULL,
  platform text NOT NULL CHECK (platform IN ('ANDROID', 'BROWSER', 'CROSS_PLATFORM', 'IOS')),
  name text,
  callback_url text,
  state text NOT NULL UNIQUE,
  external_id uuid,
  metadata jsonb NOT NULL DEFAULT '{}',
  status_reason_code text,
  status_reason_message text,
  expires_at timestamptz NOT NULL,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX payment_enrollments_organization_created_idx ON payment_enrollments (organization_id, created_at, id);
