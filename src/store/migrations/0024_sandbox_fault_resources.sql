-- Sandbox fault rules by resource (issue 18): an institution rule may name the resource it applies
-- to (`ACCOUNTS`, `TRANSACTIONS`, `OWNERS`, ..., the names of fetch_resources and of the
-- historical_update webhooks). It then meets only the logins that fetch that resource, in a
-- request (POST /api/<resource>/) or in the background (the historical update after a link's
-- creation or refresh, a scheduled refresh, an async request): `token_required` stops a historical
-- update at that resource, any other error fails that resource only (partial success).
ALTER TABLE sandbox_fault_rules ADD COLUMN resource text;
