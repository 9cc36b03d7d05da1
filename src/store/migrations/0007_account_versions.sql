-- `links.accounts_version` changes with every statement that inserts, updates or deletes any of a
-- link's accounts. A page of the link's transactions embeds their accounts from a per-process copy
-- (store/resources.ts), checked against this version in the statement that reads the page: no
-- second query for the accounts, and never a stale one, however many processes write.
ALTER TABLE links ADD COLUMN accounts_version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION accounts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE links l SET accounts_version = l.accounts_version + 1
  WHERE l.id IN (SELECT DISTINCT link_id FROM changed_accounts);
  RETURN NULL;
END
$$;

-- A transition table belongs to one event, so one trigger per event, all naming it alike.
CREATE TRIGGER accounts_versioned_on_insert AFTER INSERT ON accounts
  REFERENCING NEW TABLE AS changed_accounts FOR EACH STATEMENT EXECUTE FUNCTION accounts_changed();
CREATE TRIGGER accounts_versioned_on_update AFTER UPDATE ON accounts
  REFERENCING NEW TABLE AS changed_accounts FOR EACH STATEMENT EXECUTE FUNCTION accounts_changed();
CREATE TRIGGER accounts_versioned_on_delete AFTER DELETE ON accounts
  REFERENCING OLD TABLE AS changed_accounts FOR EACH STATEMENT EXECUTE FUNCTION accounts_changed();
