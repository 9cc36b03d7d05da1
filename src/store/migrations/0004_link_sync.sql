-- Recurrent links are refreshed when next_refresh_at passes (claimed with UPDATE ... RETURNING,
-- so one process schedules each refresh).
ALTER TABLE links ADD COLUMN next_refresh_at timestamptz;
-- Sandbox only: what the next background login of this link answers, to reproduce
-- invalid_credentials and token_required on demand (POST /sandbox/links/{id}/simulate/).
ALTER TABLE links ADD COLUMN sandbox_next_login text;
CREATE INDEX links_next_refresh_idx ON links (next_refresh_at) WHERE access_mode = 'recurrent';
