-- Sandbox webhook reordering (issue 18): a webhook rule with `webhook_reorder` N holds the
-- deliveries of the next matching events and, once it holds N events (or has no use left, or is
-- deleted), releases them newest first, one after the other, so a receiver sees them in reverse.
--   webhook_deliveries.sandbox_held_by: the rule holding the delivery (its next_attempt_at is far
--     ahead until then); released deliveries get an order key and new `seq` values in reverse order
--     (migration 0017), so the dispatcher sends each only once the one before it has gone.
ALTER TABLE sandbox_fault_rules ADD COLUMN webhook_reorder integer CHECK (webhook_reorder IS NULL OR webhook_reorder BETWEEN 2 AND 10);
ALTER TABLE sandbox_fault_rules DROP CONSTRAINT sandbox_fault_rules_check;
ALTER TABLE sandbox_fault_rules ADD CONSTRAINT sandbox_fault_rules_one_kind CHECK (
  (latency_ms IS NOT NULL OR status IS NOT NULL)::int + (institution_error IS NOT NULL)::int
    + (webhook_delay_ms IS NOT NULL OR webhook_duplicates IS NOT NULL OR webhook_lost_answers IS NOT NULL OR webhook_reorder IS NOT NULL)::int = 1
);
ALTER TABLE webhook_deliveries ADD COLUMN sandbox_held_by uuid;
CREATE INDEX webhook_deliveries_sandbox_held ON webhook_deliveries (sandbox_held_by) WHERE sandbox_held_by IS NOT NULL;
