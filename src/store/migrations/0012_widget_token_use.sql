-- The connect widget's JSON API (/widget/api/*, issue 15): what happens to an issuance of widget
-- tokens once the widget uses it. Never holds a secret.
--
-- Belvo: the widget access token "is invalidated as soon as a user connects an account
-- successfully". `used_at` records when that happened; the widget API refuses the token (and its
-- refresh token) from then on, with a message of its own. Null while the token is unused.
ALTER TABLE widget_tokens ADD COLUMN used_at timestamptz;
-- A connection attempt in progress with this token (POST /widget/api/links, resume, PUT): the
-- attempt claims the row with a conditional UPDATE (claim IS NULL) before it talks to the
-- institution, and either spends the token (used_at) or releases the claim when the institution
-- refuses the credentials or asks for an MFA token. Two attempts with one token, in one process
-- or in several, cannot both connect. `claimed_at` lets a claim left by a crashed process be
-- taken over once it is older than any request can last.
ALTER TABLE widget_tokens ADD COLUMN claim text;
ALTER TABLE widget_tokens ADD COLUMN claimed_at timestamptz;
-- The link this token's own registration created (create mode): the only link a resume with
-- this token may answer the MFA request of. Cleared if the link is deleted.
ALTER TABLE widget_tokens ADD COLUMN created_link_id uuid REFERENCES links (id) ON DELETE SET NULL;
-- POST /widget/api/session/refresh exchanges the refresh token for a new pair on the same row:
-- `jti` (the primary key, the first access token's id) stays the row's id, carried by every
-- token of the row as the `sid` claim; `access_jti` is the id of the one access token valid now
-- and `refresh_jti` (0005) that of the one refresh token valid now. Older tokens of the row are
-- found by `sid` and refused as replaced or already used.
ALTER TABLE widget_tokens ADD COLUMN access_jti text;
UPDATE widget_tokens SET access_jti = jti;
ALTER TABLE widget_tokens ALTER COLUMN access_jti SET NOT NULL;
