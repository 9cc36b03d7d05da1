import type { Queryable } from './db.ts'
import { isoUtc } from './sql.ts'

/** A key's row: its request's hash and, once the request finished, the answer to replay. */
export interface IdempotencyRow {
  request_hash: string
  /** `processing`: a claim committed by a Ponte before 2026-12-07, whose request never finished (see `lockIdempotencyKeyIn`). */
  state: 'processing' | 'completed'
  response_status: number | null
  response_body: string | null
  created_at: string
}

export interface IdempotencyLock {
  /** false: another transaction holds this key right now (a concurrent request with it). */
  free: boolean
  /** The key's row, when one was committed before this statement began (read only when `free`). */
  existing?: IdempotencyRow
}

/** The transaction-scoped advisory lock on an (organization, key) pair, taken without waiting: true when taken. */
export const keyLock = (organization: string, key: string): string =>
  `pg_try_advisory_xact_lock(hashtextextended('payment_idempotency_keys/' || ${organization}::uuid::text || '/' || ${key}::text, 0))`

/** A key's row as `rowOf` reads it, every value as text, from the table under `alias`. */
export const keyColumns = (alias: string): string =>
  `${alias}.request_hash, ${alias}.state, ${alias}.response_status::text AS response_status, ${alias}.response_body, ${isoUtc(`${alias}.created_at`)} AS created_at`

export type KeyColumns = { [K in keyof IdempotencyRow]: string | null }

/**
 * The first statement of a creating transaction with an idempotency key: the advisory lock on the
 * (organization, key) pair (`keyLock`), and the key's row. A concurrent request with the same key
 * finds the lock taken and answers 409 at once instead of waiting for the first. No row is written
 * here: the answer goes in with the created objects (`answerInsert`), so a key costs one row
 * written once, not a claim and its update.
 *
 * The row is read with the statement's snapshot, which is taken before the lock: a request that
 * committed in between is not seen here, but its row is, by the answer's `ON CONFLICT`, and the
 * caller rolls back and replays it.
 */
export async function lockIdempotencyKeyIn(tx: Queryable, organizationId: string, key: string): Promise<IdempotencyLock> {
  // Prepared (one engine call on PGlite): every value comes back as text on every backend.
  const [row] = await tx.query<{ free: string } & KeyColumns>(
    `SELECT lock.free::text AS free, ${keyColumns('k')}
     FROM (SELECT ${keyLock('$1', '$2')} AS free) lock
     LEFT JOIN payment_idempotency_keys k ON lock.free AND k.organization_id = $1::uuid AND k.key = $2::text`,
    [organizationId, key],
    { prepared: true },
  )
  return { free: row.free === 'true', existing: rowOf(row) }
}

/** The key's row as committed now (a statement of its own, so its snapshot is fresh). */
export async function findIdempotencyKey(db: Queryable, organizationId: string, key: string): Promise<IdempotencyRow | undefined> {
  const [row] = await db.query<KeyColumns>(
    `SELECT ${keyColumns('k')} FROM payment_idempotency_keys k WHERE k.organization_id = $1::uuid AND k.key = $2::text`,
    [organizationId, key],
    { prepared: true },
  )
  return row && rowOf(row)
}

/** The row `keyColumns` read; undefined when there was none (a LEFT JOIN's NULLs). */
export function rowOf(row: KeyColumns): IdempotencyRow | undefined {
  if (row.request_hash === null) return undefined
  return {
    request_hash: row.request_hash!,
    state: row.state as IdempotencyRow['state'],
    response_status: row.response_status === null ? null : Number(row.response_status),
    response_body: row.response_body,
    created_at: row.created_at!,
  }
}

/** The first answer of a key's request, stored with the key in the transaction that created its objects. */
export interface StoredAnswer {
  organizationId: string
  key: string
  requestHash: string
  status: number
  body: string
  at: string
  /** A `processing` claim of the same request made before this is taken over (a Ponte before 2026-12-07 died with it). */
  staleBefore: string
}

/**
 * What became of an answer a create stored with its objects: `stored`; `exists`, the key's row was
 * there first (nothing was written); `busy`, another transaction held the key (nothing was written).
 */
export type AnswerOutcome = 'stored' | 'exists' | 'busy'

/** The answer's values, in the order of `answerInsert`'s parameters. */
export const answerValues = (a: StoredAnswer): unknown[] => [a.organizationId, a.key, a.requestHash, a.status, a.body, a.at, a.staleBefore]

/**
 * The INSERT of a key's answer, its parameters numbered from `first` (in `answerValues`' order),
 * made only `when` that condition holds (SQL). It writes nothing when the key's row exists, which
 * only a request that committed after this transaction's lock statement began can have written
 * (see `lockIdempotencyKeyIn`), unless that row is a stale `processing` claim of the same request:
 * that one it takes over.
 */
export const answerInsert = (first: number, when = 'true'): string => {
  const [org, key, hash, status, body, at, staleBefore] = [0, 1, 2, 3, 4, 5, 6].map((i) => `$${first + i}`)
  return `INSERT INTO payment_idempotency_keys AS k (organization_id, key, request_hash, state, response_status, response_body, created_at, completed_at)
       SELECT ${org}::uuid, ${key}::text, ${hash}::text, 'completed', ${status}::integer, ${body}::text, ${at}::timestamptz, ${at}::timestamptz WHERE ${when}
       ON CONFLICT (organization_id, key) DO UPDATE SET state = 'completed', response_status = EXCLUDED.response_status,
         response_body = EXCLUDED.response_body, created_at = EXCLUDED.created_at, completed_at = EXCLUDED.completed_at
       WHERE k.state = 'processing' AND k.request_hash = EXCLUDED.request_hash AND k.created_at < ${staleBefore}::timestamptz
       RETURNING k.key`
}

/** Stores the answer after the objects were written: true, or false when the key's row was there first. */
export async function storeIdempotencyAnswerIn(tx: Queryable, answer: StoredAnswer): Promise<boolean> {
  return (await tx.query(answerInsert(1), answerValues(answer), { prepared: true })).length === 1
}
