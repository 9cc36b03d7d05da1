-- Payment authorizations (issue 16): Belvo's Payments-BR.V2 "Pix Automático" payment
-- authorizations (PaymentAuthorization) and the charges made under them (ChargeV2). The payer
-- authorizes once at their bank; each charge then moves money on its date. Statuses follow
-- domain/payments/machines.ts (PAYMENT_AUTHORIZATION_MACHINE, AUTHORIZATION_CHARGE_MACHINE); every
-- change is a payment_ledger row (0014).

-- `payment_method` is Belvo's PIX_OF_IMMEDIATE (one charge on authorization) or PIX_OF_SCHEDULED
-- (one charge on `dates[1]`). The payer's institution may be chosen at the bank: it is NULL until
-- then. `amount` and `statement_description` are payment_method_configuration's.
CREATE TABLE payment_authorizations (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES payment_customers (id),
  payer_institution_id uuid REFERENCES payment_institutions (id),
  representative_identifier text,
  beneficiary_bank_account_id uuid NOT NULL REFERENCES payment_bank_accounts (id),
  payment_method text NOT NULL CHECK (payment_method IN ('PIX_OF_IMMEDIATE', 'PIX_OF_SCHEDULED')),
  status text NOT NULL CHECK (status IN ('AWAITING_AUTHORIZATION', 'PARTIALLY_ACCEPTED', 'AUTHORIZED', 'FAILED', 'CONSUMED', 'REVOKED')),
  status_reason_code text,
  status_reason_message text,
  status_updated_at timestamptz NOT NULL,
  authorized_at timestamptz,
  amount numeric(15, 2) NOT NULL CHECK (amount > 0),
  statement_description text NOT NULL,
  dates date[] NOT NULL DEFAULT '{}',
  description text NOT NULL,
  return_url text NOT NULL,
  external_id uuid,
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX payment_authorizations_organization_created_idx ON payment_authorizations (organization_id, created_at, id);

-- The charges of an authorization (ChargeV2). A retry is a new charge whose `previous_id` is the
-- failed one: unique, so a charge is retried at most once (its `next` is the row pointing at it).
CREATE TABLE payment_authorization_charges (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  payment_authorization_id uuid NOT NULL REFERENCES payment_authorizations (id),
  status text NOT NULL CHECK (status IN ('PENDING', 'SCHEDULED', 'SETTLED', 'CANCELED', 'FAILED')),
  amount numeric(15, 2) NOT NULL CHECK (amount > 0),
  date date NOT NULL,
  end_to_end_id text UNIQUE,
  status_reason_code text,
  status_reason_message text,
  previous_id uuid UNIQUE REFERENCES payment_authorization_charges (id),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX payment_authorization_charges_authorization_idx ON payment_authorization_charges (payment_authorization_id, created_at, id);
-- The scheduler's scan for scheduled charges that are due.
CREATE INDEX payment_authorization_charges_due_idx ON payment_authorization_charges (date) WHERE status = 'SCHEDULED';

-- A settled authorization charge is a payment transaction like an intent's: it has no intent and
-- no payment_charges row, but its own charge (unique: the last guard against settling twice).
-- Exactly one of the two charge columns is set.
ALTER TABLE payment_transactions ALTER COLUMN payment_intent_id DROP NOT NULL;
ALTER TABLE payment_transactions ALTER COLUMN charge_id DROP NOT NULL;
ALTER TABLE payment_transactions ADD COLUMN payment_authorization_id uuid REFERENCES payment_authorizations (id);
ALTER TABLE payment_transactions ADD COLUMN authorization_charge_id uuid UNIQUE REFERENCES payment_authorization_charges (id);
ALTER TABLE payment_transactions ADD CONSTRAINT payment_transactions_one_charge CHECK (num_nonnulls(charge_id, authorization_charge_id) = 1);
