-- Widget access tokens (POST /api/token/). Each issuance signs two JWTs, an access and a refresh
-- token, and keeps here the widget configuration they were issued with, so the hosted connect
-- widget can load it by the token's `jti` instead of trusting a large, client-visible token
-- body. `jti` is the access token's id, `refresh_jti` the refresh token's (both 32 hex).
-- `link_id` is set for tokens that update an existing link; deleting the link deletes its
-- sessions. `secret_key_id` records which key asked (no foreign key: keys are revoked, not
-- deleted, and the row is an audit trail). Never holds a secret: tokens are not stored.
CREATE TABLE widget_tokens (
  jti text PRIMARY KEY,
  refresh_jti text NOT NULL UNIQUE,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  secret_key_id text NOT NULL,
  link_id uuid REFERENCES links (id) ON DELETE CASCADE,
  scopes text[] NOT NULL,
  fetch_resources text[],
  stale_in text,
  credentials_storage text,
  widget jsonb,
  expires_at timestamptz NOT NULL,
  refresh_expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX widget_tokens_organization_created_idx ON widget_tokens (organization_id, created_at);
CREATE INDEX widget_tokens_link_idx ON widget_tokens (link_id) WHERE link_id IS NOT NULL;
-- Retention (domain/sync.ts applyRetention) deletes issuances once their refresh token expired.
CREATE INDEX widget_tokens_refresh_expires_idx ON widget_tokens (refresh_expires_at);
