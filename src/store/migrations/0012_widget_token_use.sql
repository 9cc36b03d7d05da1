-- The connect widget's JSON API (/widget/api/*, issue 15). Belvo: the widget access token "is
-- invalidated as soon as a user connects an account successfully". `used_at` records when that
-- happened; the widget API refuses the token (and its refresh token) from then on, with a message
-- of its own, so the widget can tell the user the connection is already done rather than that the
-- token is wrong. Null while the token is unused.
ALTER TABLE widget_tokens ADD COLUMN used_at timestamptz;
