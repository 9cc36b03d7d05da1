-- Belvo's earlier payments API (issue 17; spec 1.35.0, INVENTORY 3.3: `/payments/...` without
-- `br/`): Colombia's PSE, Brazil's OFPI and hosted payment links, on the tables of Payments
-- Brazil (0014). The objects are the same objects: a column says which country (or family) a
-- row belongs to, and `/payments/br/` reads only Brazil's rows.

-- Institutions: Colombian PSE banks next to Brazil's OFPI institutions. `code` stays 8 digits:
-- for a Colombian bank it is 57 and its PSE code (ACH Colombia's bank code), zero-padded.
ALTER TABLE payment_institutions ADD COLUMN country text NOT NULL DEFAULT 'BRA' CHECK (country IN ('BRA', 'COL'));
INSERT INTO payment_institutions (id, code, name, display_name, institution_type, active, sort_priority, body) VALUES
  ('0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a2001', '57001007', 'ponte_mockbank_co_pse', 'Banco Ponte Colombia', 'INDIVIDUAL', true, 101,
   '{"legal_entity_name": "Banco Ponte Colombia S.A.", "website": "https://mockbank.ponte.dev/co", "primary_color": "#0B6E4F", "description": "Sandbox PSE bank: payments follow the amount rules of the README."}'),
  ('0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a2002', '57001051', 'guayacan_co_pse', 'Banco Guayacán', 'INDIVIDUAL', true, 102,
   '{"legal_entity_name": "Banco Guayacán S.A.", "website": "https://guayacan.ponte.dev", "primary_color": "#D4A017", "description": "Sandbox PSE bank."}'),
  ('0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a2003', '57001013', 'ceiba_co_pse', 'Banco Ceiba', 'BUSINESS', false, 103,
   '{"legal_entity_name": "Banco Ceiba S.A.", "website": "https://ceiba.ponte.dev", "primary_color": "#2E7D32", "description": "Sandbox PSE bank, inactive: payments through it are refused."}');
UPDATE payment_institutions SET country = 'COL' WHERE code LIKE '57%';

-- Customers: Colombian documents (CC cédula de ciudadanía, CE cédula de extranjería, NIT, PP
-- pasaporte, TI tarjeta de identidad) next to CPF and CNPJ.
ALTER TABLE payment_customers DROP CONSTRAINT payment_customers_identifier_type_check;
ALTER TABLE payment_customers ADD CONSTRAINT payment_customers_identifier_type_check
  CHECK (identifier_type IN ('CPF', 'CNPJ', 'CC', 'CE', 'NIT', 'PP', 'TI'));
ALTER TABLE payment_customers ADD COLUMN country text NOT NULL DEFAULT 'BRA' CHECK (country IN ('BRA', 'COL'));

-- Bank accounts: a PSE account is the organization's collection account at its PSE provider
-- (`providers`: payments_way terminal_id and form_id): no institution, agency nor number.
ALTER TABLE payment_bank_accounts ADD COLUMN country text NOT NULL DEFAULT 'BRA' CHECK (country IN ('BRA', 'COL'));
ALTER TABLE payment_bank_accounts ADD COLUMN providers jsonb;
-- What the `providers` list filter matches: the provider a PSE account is registered with.
ALTER TABLE payment_bank_accounts ADD COLUMN provider text GENERATED ALWAYS AS (
  CASE WHEN providers ? 'payments_way' THEN 'payments_way' END) STORED;
ALTER TABLE payment_bank_accounts ALTER COLUMN institution_id DROP NOT NULL;
ALTER TABLE payment_bank_accounts ALTER COLUMN holder_identifier DROP NOT NULL;
ALTER TABLE payment_bank_accounts ALTER COLUMN account_type DROP NOT NULL;
ALTER TABLE payment_bank_accounts ALTER COLUMN agency DROP NOT NULL;
ALTER TABLE payment_bank_accounts ALTER COLUMN number DROP NOT NULL;
ALTER TABLE payment_bank_accounts ADD CONSTRAINT payment_bank_accounts_brazil_details_check
  CHECK (country <> 'BRA' OR (institution_id IS NOT NULL AND holder_identifier IS NOT NULL AND account_type IS NOT NULL AND agency IS NOT NULL AND number IS NOT NULL));

-- Payment intents: `pse` intents (currency COP). `provider` is Belvo's (belvo, payments_way);
-- `redirect_token` names the intent on the sandbox PSE bank page (32 hex), set once confirmed.
ALTER TABLE payment_intents DROP CONSTRAINT payment_intents_kind_check;
ALTER TABLE payment_intents ADD CONSTRAINT payment_intents_kind_check CHECK (kind IN ('bank_account', 'pix_key', 'pse'));
-- `provider` (migration 0017, Belvo's `belvo` only until now) also takes PSE's `payments_way`.
ALTER TABLE payment_intents DROP CONSTRAINT payment_intents_provider_check;
ALTER TABLE payment_intents ADD CONSTRAINT payment_intents_provider_check CHECK (provider IN ('belvo', 'payments_way'));
ALTER TABLE payment_intents ADD COLUMN redirect_token text UNIQUE;

-- Hosted payment links: one payment intent each (OFPI or PSE), paid on Ponte's payment page at
-- /payments/pay/{access_token}. ACTIVE until paid or expired (expires_at), then INACTIVE.
CREATE TABLE payment_links (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  access_token text NOT NULL UNIQUE,
  payment_intent_id uuid NOT NULL REFERENCES payment_intents (id),
  payment_method_type text NOT NULL CHECK (payment_method_type IN ('open_finance', 'pse')),
  description text NOT NULL,
  callback_urls jsonb NOT NULL DEFAULT '{}',
  expires_in text NOT NULL,
  expires_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE')),
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX payment_links_organization_created_idx ON payment_links (organization_id, created_at, id);

-- A transaction is in its payment intent's currency (BRL for Brazil, COP for PSE): set here so
-- that the one settlement path (domain/payments/intents.ts settle) serves both.
CREATE FUNCTION payment_transactions_currency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A payment authorization's transaction (no intent, migration 0015) keeps its default, BRL.
  NEW.currency := COALESCE((SELECT p.currency FROM payment_intents p WHERE p.id = NEW.payment_intent_id), NEW.currency);
  RETURN NEW;
END;
$$;
CREATE TRIGGER payment_transactions_currency BEFORE INSERT ON payment_transactions
  FOR EACH ROW EXECUTE FUNCTION payment_transactions_currency();
