-- Open Finance Brasil consents (Belvo's `Consents`, GET /api/consents/). The widget creates one
-- for an `openfinance` institution (POST /widget/api/consents); the person approves or rejects it
-- on the institution's authorization page (the sandbox's mock bank, /sandbox/openfinance/authorize),
-- and an AUTHORISED consent becomes a link (link_id). Renewing a link's consent (the widget's
-- update mode) adds a new row with the same link_id: the link may fetch while one of its consents
-- is AUTHORISED and not past expired_at.
--   consent_duration: days, NULL = indefinite (then expired_at is NULL too).
--   expired_at: when an AUTHORISED consent expires (counted from the authorisation; while
--     AWAITING_AUTHORISATION, from the creation, as the bank would show it).
--   about_to_expire_sent_at: the openfinance_consent_about_to_expire webhook went out (once).
--   widget_token_jti: the access token that started the flow (no foreign key: token issuances
--     are deleted by retention an hour later, the consent stays); only that token makes its link.
--   nonce: the authorization page's per-consent form nonce (CSRF-style); cleared when decided,
--     so a replayed form finds none.
--   redirect_hosts: the hosts of the token's callback_urls, where the page may send the person back.
CREATE TABLE consents (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  link_id uuid REFERENCES links (id) ON DELETE SET NULL,
  widget_token_jti text,
  institution text NOT NULL,
  document_type text NOT NULL CHECK (document_type IN ('CPF', 'CNPJ')),
  document_number text NOT NULL,
  user_name text,
  display_name text,
  business_document_number text,
  permissions jsonb NOT NULL,
  purpose text,
  status text NOT NULL CHECK (status IN ('AWAITING_AUTHORISATION', 'AUTHORISED', 'REJECTED', 'EXPIRED')),
  consent_duration integer CHECK (consent_duration IS NULL OR consent_duration > 0),
  expired_at timestamptz,
  about_to_expire_sent_at timestamptz,
  nonce text,
  redirect_uri text,
  redirect_hosts text[] NOT NULL DEFAULT '{}',
  authorised_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
-- GET /api/consents/?user_document=: the organization's consents of one document, newest first.
CREATE INDEX consents_document_idx ON consents (organization_id, document_number, created_at DESC);
CREATE INDEX consents_link_idx ON consents (link_id) WHERE link_id IS NOT NULL;
-- The scheduler's expiry pass (domain/consents.ts): authorised consents by expiry.
CREATE INDEX consents_expiry_idx ON consents (expired_at) WHERE status = 'AUTHORISED';
-- The scheduler rejects consents left awaiting authorisation for 60 minutes (domain/consents.ts).
CREATE INDEX consents_awaiting_idx ON consents (created_at) WHERE status = 'AWAITING_AUTHORISATION';
