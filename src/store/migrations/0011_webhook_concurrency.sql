-- Per-endpoint concurrency (issue 11, item 4): a claim must know how many attempts at an endpoint
-- are in flight, across every dispatcher process. `next_attempt_at` alone cannot tell an attempt
-- in flight from a retry waiting out its backoff, so a claim also sets `claimed_until` (the lease's
-- end) and recording the outcome clears it. A dispatcher that dies leaves it in the past, where it
-- no longer counts.
ALTER TABLE webhook_deliveries ADD COLUMN claimed_until timestamptz;

-- The claim reads an endpoint's pending deliveries in due order, and counts the ones in flight.
CREATE INDEX webhook_deliveries_endpoint_due_idx ON webhook_deliveries (endpoint_id, next_attempt_at, id) WHERE status = 'pending';
