-- Incremental sync (issue 18, docs/sync.md): every stored row carries the change sequence value of
-- its last change, and every deletion of a row leaves a tombstone numbered from the same sequence,
-- so GET /api/<resource>/sync/ answers what changed after a cursor (a value of the sequence).
-- NO CYCLE, CACHE 1: the values are handed out in order across sessions (a cache would let one
-- session's later value be smaller than another's earlier one).
CREATE SEQUENCE change_seq AS bigint NO CYCLE CACHE 1;

-- change_seq: the value of the row's last change (its insert, by default, COPY included; the
-- upserts set it again only when the body really changed). created_seq: the value of its insert,
-- written at its first change (NULL: never changed, created at change_seq).
ALTER TABLE accounts ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('change_seq'), ADD COLUMN created_seq bigint;
ALTER TABLE transactions ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('change_seq'), ADD COLUMN created_seq bigint;
ALTER TABLE records ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('change_seq'), ADD COLUMN created_seq bigint;
CREATE INDEX accounts_link_change_idx ON accounts (link_id, change_seq);
CREATE INDEX transactions_link_change_idx ON transactions (link_id, change_seq);
CREATE INDEX records_link_change_idx ON records (link_id, resource, change_seq);

-- Kept as long as the link: deleting the link deletes them.
CREATE TABLE sync_tombstones (
  link_id uuid NOT NULL REFERENCES links (id) ON DELETE CASCADE,
  resource text NOT NULL,
  id uuid NOT NULL,
  change_seq bigint NOT NULL
);
CREATE INDEX sync_tombstones_link_idx ON sync_tombstones (link_id, resource, change_seq);

-- One statement-level trigger per table (one call per DELETE statement, however many rows). It
-- first takes the key-share lock a batch write takes (store/resources.ts lockBatchOwners), so the
-- tombstones' values are handed out under it as an insert's are; a sync page reads up to the
-- horizon sync_horizon() returns. Rows of a link being deleted leave none.
CREATE FUNCTION sync_tombstones_of_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM links l WHERE l.id IN (SELECT DISTINCT g.link_id FROM gone g) ORDER BY l.id FOR KEY SHARE OF l;
  IF TG_TABLE_NAME = 'records' THEN
    INSERT INTO sync_tombstones (link_id, resource, id, change_seq)
    SELECT g.link_id, g.resource, g.id, nextval('change_seq') FROM gone g JOIN links l ON l.id = g.link_id;
  ELSE
    INSERT INTO sync_tombstones (link_id, resource, id, change_seq)
    SELECT g.link_id, TG_TABLE_NAME, g.id, nextval('change_seq') FROM gone g JOIN links l ON l.id = g.link_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER accounts_tombstones AFTER DELETE ON accounts
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION sync_tombstones_of_deleted();
CREATE TRIGGER transactions_tombstones AFTER DELETE ON transactions
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION sync_tombstones_of_deleted();
CREATE TRIGGER records_tombstones AFTER DELETE ON records
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION sync_tombstones_of_deleted();

-- The horizon of a sync page of the organization's link (NULL: no such link), with the link's
-- accounts_version (embedded account bodies). It waits for the writes to the link in flight
-- (they hold a key-share lock on it from before their first value of the sequence until they
-- commit), then reads the sequence: every value up to it that a write of this link took is
-- committed, so a page read in a later statement sees all of them, and a cursor never passes one
-- that becomes visible later. The lock lasts until this statement's end.
CREATE FUNCTION sync_horizon(org uuid, link uuid) RETURNS TABLE (horizon bigint, accounts_version text) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  version text;
BEGIN
  SELECT l.accounts_version::text INTO version FROM links l WHERE l.organization_id = org AND l.id = link FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT CASE WHEN s.is_called THEN s.last_value ELSE s.last_value - 1 END, version FROM change_seq s;
END
$$;
