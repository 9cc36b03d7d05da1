-- A link's transaction count (links.transaction_count, read by every "transactions of a link"
-- list instead of counting) is kept by the database: each statement that inserts or deletes
-- transactions, COPY included, adjusts it in its own transaction. No code path can forget it, and
-- a bulk COPY needs no second statement (or transaction) to stay consistent.
-- `transactions_version` changes with every such statement (and every upsert, store/resources.ts):
-- remembered page boundaries of the link's list are only used while it is unchanged.
ALTER TABLE links ADD COLUMN transactions_version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION transactions_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE links l SET transaction_count = l.transaction_count + n.added, transactions_version = l.transactions_version + 1
  FROM (SELECT link_id, count(*) AS added FROM inserted_transactions GROUP BY link_id) n
  WHERE l.id = n.link_id;
  RETURN NULL;
END
$$;

CREATE FUNCTION transactions_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE links l SET transaction_count = l.transaction_count - n.removed, transactions_version = l.transactions_version + 1
  FROM (SELECT link_id, count(*) AS removed FROM deleted_transactions GROUP BY link_id) n
  WHERE l.id = n.link_id;
  RETURN NULL;
END
$$;

-- With ON CONFLICT DO UPDATE, the insert trigger's transition table holds the inserted rows only.
CREATE TRIGGER transactions_counted_on_insert AFTER INSERT ON transactions
  REFERENCING NEW TABLE AS inserted_transactions FOR EACH STATEMENT EXECUTE FUNCTION transactions_count_inserted();

CREATE TRIGGER transactions_counted_on_delete AFTER DELETE ON transactions
  REFERENCING OLD TABLE AS deleted_transactions FOR EACH STATEMENT EXECUTE FUNCTION transactions_count_deleted();

-- Start from the truth.
UPDATE links l SET transaction_count = (SELECT count(*) FROM transactions t WHERE t.link_id = l.id);
