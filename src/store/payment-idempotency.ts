import type { Queryable } from './db.ts'

export interface IdempotencyClaim {
  /** false: another transaction holds this key right now (a concurrent request with it). */
  free: boolean
  /** true: this transaction inserted the key's row (`processing`); it commits with the objects. */
  claimed: boolean
}

/**
 * Claims an idempotency key inside the transaction that creates the request's objects, in one
 * statement: a transaction-scoped advisory lock on the (organization, key) pair, taken without
 * waiting, then the key's row, unless it exists. A concurrent request with the same key finds the
 * lock taken (`free: false`) and answers 409 at once instead of waiting for the first; once the
 * first commits, its row is there (a replay), and if it rolls back, the lock and the row go with
 * it (the key is free again). The primary key stays the last guard: of any number of requests, on
 * any number of processes, one inserts the row.
 */
export async function claimIdempotencyKeyIn(tx: Queryable, organizationId: string, key: string, requestHash: string, now: string): Promise<IdempotencyClaim> {
  // Prepared (one engine call on PGlite): the two flags come back as text on every backend.
  const [row] = await tx.query<{ free: string; claimed: string }>(
    `WITH lock AS (SELECT pg_try_advisory_xact_lock(hashtextextended('payment_idempotency_keys/' || $1::uuid::text || '/' || $2::text, 0)) AS free),
     claim AS (
       INSERT INTO payment_idempotency_keys (organization_id, key, request_hash, state, created_at)
       SELECT $1::uuid, $2::text, $3::text, 'processing', $4::timestamptz FROM lock WHERE lock.free
       ON CONFLICT (organization_id, key) DO NOTHING RETURNING key)
     SELECT lock.free::text AS free, EXISTS (SELECT 1 FROM claim)::text AS claimed FROM lock`,
    [organizationId, key, requestHash, now],
    { prepared: true },
  )
  return { free: row.free === 'true', claimed: row.claimed === 'true' }
}

/** The first answer of a key's request, stored with the key (by completeIdempotencyKeyIn, or by a creating statement). */
export interface StoredAnswer {
  organizationId: string
  key: string
  status: number
  body: string
  at: string
}

/** Records the first answer, in the creation's transaction: the objects and their replay commit together. */
export async function completeIdempotencyKeyIn(tx: Queryable, organizationId: string, key: string, status: number, body: string, now: string): Promise<void> {
  await tx.query(
    `UPDATE payment_idempotency_keys SET state = 'completed', response_status = $3::integer, response_body = $4::text, completed_at = $5::timestamptz
     WHERE organization_id = $1::uuid AND key = $2::text`,
    [organizationId, key, status, body, now],
    { prepared: true },
  )
}
