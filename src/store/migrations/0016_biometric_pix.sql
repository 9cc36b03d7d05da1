-- Biometric Pix (issue 16): the enrollment's sandbox bank page and the payments widget token.
-- Never holds a secret: the code the bank page hands back is kept as its SHA-256 only.

-- The sandbox bank page's answer to an enrollment (GET/POST /sandbox/openfinance/enrollments/):
-- `bank_decision` is 'approved' or 'refused', `bank_code_sha256` the hash of the authorization
-- code the page sent back to the enrollment's callback_url with the state. complete-redirection
-- then accepts that code only (and no code once the person refused). Both null until the person
-- answers at the page: an enrollment completed by API alone (the sandbox's shortcut) accepts any code.
ALTER TABLE payment_enrollments ADD COLUMN bank_decision text CHECK (bank_decision IN ('approved', 'refused'));
ALTER TABLE payment_enrollments ADD COLUMN bank_code_sha256 text;
ALTER TABLE payment_enrollments ADD COLUMN bank_decided_at timestamptz;

-- A payments widget token (POST /payments/br/token/) acts on the enrollment and the payment
-- intent it creates, and on no other: they are recorded on its row by a conditional UPDATE, so
-- one token creates one payment intent even when the widget asks twice.
ALTER TABLE widget_tokens ADD COLUMN payment_enrollment_id uuid REFERENCES payment_enrollments (id) ON DELETE SET NULL;
ALTER TABLE widget_tokens ADD COLUMN payment_intent_id uuid REFERENCES payment_intents (id) ON DELETE SET NULL;

-- Biometric payment intents name the enrollment they are paid with (payment_method_details).
ALTER TABLE payment_intents ADD COLUMN enrollment_id uuid REFERENCES payment_enrollments (id);
