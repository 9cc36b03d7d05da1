-- The sandbox bank's page of a payment authorization (issue 16): its authorization_url is
-- /sandbox/openfinance/payment-authorizations/<bank_token>/ on Ponte, where the payer logs in with
-- their CPF and approves or rejects the Pix Automático authorization. The token is the page's only
-- credential (the payer's browser has no secret key): 32 random hex characters, unique.
ALTER TABLE payment_authorizations ADD COLUMN bank_token text;
UPDATE payment_authorizations SET bank_token = replace(gen_random_uuid()::text, '-', '') WHERE bank_token IS NULL;
ALTER TABLE payment_authorizations ALTER COLUMN bank_token SET NOT NULL;
CREATE UNIQUE INDEX payment_authorizations_bank_token_idx ON payment_authorizations (bank_token);
