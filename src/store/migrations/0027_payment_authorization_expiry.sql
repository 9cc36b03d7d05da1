-- Payment authorizations expire (issue 16): one the payer never acts on becomes FAILED with
-- AUTHORIZATION_EXPIRED 60 minutes after its creation (domain/payments/authorizations.ts
-- expireAuthorizations, run by the scheduler and by the organization's sandbox clock).
ALTER TABLE payment_authorizations ADD COLUMN expires_at timestamptz;
UPDATE payment_authorizations SET expires_at = created_at + interval '60 minutes' WHERE expires_at IS NULL;
ALTER TABLE payment_authorizations ALTER COLUMN expires_at SET NOT NULL;
-- The scheduler's scan for authorizations still waiting for the payer past their deadline.
CREATE INDEX payment_authorizations_expiry_idx ON payment_authorizations (expires_at)
  WHERE status IN ('AWAITING_AUTHORIZATION', 'PARTIALLY_ACCEPTED');
