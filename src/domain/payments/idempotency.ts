import { createHash } from 'node:crypto'
import { PonteError } from '../../lib/errors.ts'
import { isUuid } from '../../lib/ids.ts'
import type { Db, Queryable } from '../../store/db.ts'
import { findIdempotencyKey, takeOverStaleIdempotencyKey } from '../../store/payments.ts'
import { claimIdempotencyKeyIn, completeIdempotencyKeyIn, type StoredAnswer } from '../../store/payment-idempotency.ts'
import type { Clock } from '../../lib/clock.ts'
import type { PaymentsCaller } from './audit.ts'

/**
 * Belvo-Idempotency-Key on the payments POSTs that create something (INVENTORY 2.6):
 * - the first request with a key runs and its answer is stored with the objects it created, in
 *   the same transaction;
 * - a replay (same key, same method, path and body) answers that stored response again, with
 *   `Belvo-Idempotency-Status: REPLAYED`, and creates nothing;
 * - the same key while the first request still runs: 409 `idempotency_key_conflict`;
 * - the same key with another body: 422 `idempotency_payload_mismatch`;
 * - a key that is not a UUID: 400 `idempotency_key_invalid`.
 * The claim is the first statement of the creating transaction (store/payment-idempotency.ts):
 * a transaction-scoped advisory lock on the key, taken without waiting, and a row insert under the
 * (organization, key) primary key. Of two concurrent identical requests, on any number of API
 * processes, exactly one holds the lock and creates; the other finds the lock taken (409) or, once
 * the first committed, its answer (replay). A request that fails rolls its claim back with the
 * rest: nothing was created, so there is nothing to replay and the key is free. One commit per
 * request instead of two (the claim used to be committed on its own first; bench/payments.ts).
 */
export const IDEMPOTENCY_HEADER = 'belvo-idempotency-key'

/** A claim older than this whose request never finished (a crashed process) may be taken over. */
export const STALE_CLAIM_MS = 5 * 60_000

export type IdempotencyStatus = 'AVAILABLE' | 'REPLAYED'

export interface Created {
  status: number
  body: unknown
  /** true: `create` stored this answer with the key itself, in its own last statement (see `KeyScope`). */
  stored?: boolean
}

/**
 * The request's key, handed to `create`: a create may store its answer with the key in the
 * statement that writes its objects (one statement less; payment intents do), and says so with
 * `stored`. Otherwise `idempotent` stores it after `create`.
 */
export interface KeyScope {
  organizationId: string
  key: string
}

export interface IdempotentResult extends Created {
  /** The key and what happened with it; absent when the request had no key. */
  idempotency?: { key: string; status: IdempotencyStatus }
}

/** Sorted keys at every level: the same JSON body hashes the same however its keys were ordered. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

export function requestHash(method: string, path: string, body: unknown, version = 'V1'): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path} ${version}\n${canonical(body)}`)
    .digest('hex')
}

export interface IdempotentRequest {
  key: string | undefined
  method: string
  /** The path without its query string. */
  path: string
  /** The resource version asked for (X-Belvo-API-Resource-Version): V1 unless said. */
  version?: string
  body: unknown
}

/** The answer `create` stores itself with `key` (`Created.stored`), as `idempotent` would store it. */
export function storedAnswer(key: KeyScope, clock: Clock, status: number, body: unknown): StoredAnswer {
  return { ...key, status, body: JSON.stringify(body), at: clock.now().toISOString() }
}

/** Runs `create` in one transaction, at most once per idempotency key (see the module comment). */
export async function idempotent(
  ctx: { db: Db; clock: Clock },
  caller: PaymentsCaller,
  request: IdempotentRequest,
  create: (tx: Queryable, key?: KeyScope) => Promise<Created>,
): Promise<IdempotentResult> {
  if (request.key === undefined) return ctx.db.tx(create)
  const key = request.key.trim()
  if (!isUuid(key)) throw new PonteError('idempotency_key_invalid', { field: 'Belvo-Idempotency-Key' })
  const hash = requestHash(request.method, request.path, request.body, request.version)
  const org = caller.organizationId
  const now = () => ctx.clock.now().toISOString()

  const conflict = () => new PonteError('idempotency_key_conflict', { headers: { 'Belvo-Idempotency-Key': key, 'Belvo-Idempotency-Status': 'PROCESSING' } })

  // One transaction claims the key, creates, and stores the answer: a request that fails (a 400)
  // rolls its claim back with everything else, so the corrected request can use the same key.
  const result = await ctx.db.tx(async (tx): Promise<IdempotentResult> => {
    const claim = await claimIdempotencyKeyIn(tx, org, key, hash, now())
    if (!claim.free) throw conflict()
    if (!claim.claimed) {
      // Read in a statement of its own: its snapshot, taken after the lock, sees the row of a
      // request that committed just before.
      const existing = await findIdempotencyKey(tx, org, key)
      if (!existing) throw conflict()
      if (existing.request_hash !== hash) throw new PonteError('idempotency_payload_mismatch')
      if (existing.state === 'completed') {
        return { status: existing.response_status!, body: JSON.parse(existing.response_body!), idempotency: { key, status: 'REPLAYED' } }
      }
      // A committed `processing` claim: written by a process of an earlier version that died
      // before finishing. Taken over once it is old enough.
      const staleBefore = new Date(ctx.clock.now().getTime() - STALE_CLAIM_MS).toISOString()
      if (!(await takeOverStaleIdempotencyKey(tx, org, key, hash, staleBefore, now()))) throw conflict()
    }
    const { stored, ...created } = await create(tx, { organizationId: org, key })
    if (!stored) await completeIdempotencyKeyIn(tx, org, key, created.status, JSON.stringify(created.body), now())
    return { ...created, idempotency: { key, status: 'AVAILABLE' } }
  })
  return result
}
