-- A record that belongs to another record of the same link (an exchange's history events, Belvo's
-- `ExchangeHistory`) names it here: deleting the parent deletes its children with it (the link
-- and the retention purge delete them through `link_id` as before), and a parent's children are
-- listed by this column. Only children have it, so the index stays small.
ALTER TABLE records ADD COLUMN parent_id uuid REFERENCES records (id) ON DELETE CASCADE;
CREATE INDEX records_parent_idx ON records (parent_id) WHERE parent_id IS NOT NULL;
