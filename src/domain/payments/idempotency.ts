import { createHash } from 'node:crypto'
import { PonteError } from '../../lib/errors.ts'
import { isUuid } from '../../lib/ids.ts'
import type { Db, Queryable } from '../../store/db.ts'
import { claimIdempotencyKey, completeIdempotencyKey, findIdempotencyKey, releaseIdempotencyKey, takeOverStaleIdempotencyKey } from '../../store/payments.ts'
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
 * The claim is a row insert under the (organization, key) primary key, committed before the work
 * starts: of two concurrent identical requests, on any number of API processes, exactly one
 * inserts it and creates; the other sees the claim (409) or, once committed, the answer (replay).
 * A request that fails releases its key: nothing was created, so there is nothing to replay.
 */
export const IDEMPOTENCY_HEADER = 'belvo-idempotency-key'

/** A claim older than this whose request never finished (a crashed process) may be taken over. */
export const STALE_CLAIM_MS = 5 * 60_000

export type IdempotencyStatus = 'AVAILABLE' | 'REPLAYED'

export interface Created {
  status: number
  body: unknown
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

/** Runs `create` in one transaction, at most once per idempotency key (see the module comment). */
export async function idempotent(
  ctx: { db: Db; clock: Clock },
  caller: PaymentsCaller,
  request: IdempotentRequest,
  create: (tx: Queryable) => Promise<Created>,
): Promise<IdempotentResult> {
  if (request.key === undefined) return ctx.db.tx(create)
  const key = request.key.trim()
  if (!isUuid(key)) throw new PonteError('idempotency_key_invalid', { field: 'Belvo-Idempotency-Key' })
  const hash = requestHash(request.method, request.path, request.body, request.version)
  const org = caller.organizationId
  const now = () => ctx.clock.now().toISOString()

  let claimed = await claimIdempotencyKey(ctx.db, org, key, hash, now())
  if (!claimed) {
    const existing = await findIdempotencyKey(ctx.db, org, key)
    // Released between our insert and our read (the first request failed): claim it again.
    if (!existing) claimed = await claimIdempotencyKey(ctx.db, org, key, hash, now())
    else if (existing.request_hash !== hash) throw new PonteError('idempotency_payload_mismatch')
    else if (existing.state === 'completed') {
      return { status: existing.response_status!, body: JSON.parse(existing.response_body!), idempotency: { key, status: 'REPLAYED' } }
    } else {
      const staleBefore = new Date(ctx.clock.now().getTime() - STALE_CLAIM_MS).toISOString()
      claimed = await takeOverStaleIdempotencyKey(ctx.db, org, key, hash, staleBefore, now())
    }
    if (!claimed) throw new PonteError('idempotency_key_conflict', { headers: { 'Belvo-Idempotency-Key': key, 'Belvo-Idempotency-Status': 'PROCESSING' } })
  }
  try {
    const result = await ctx.db.tx(async (tx) => {
      const created = await create(tx)
      await completeIdempotencyKey(tx, org, key, created.status, JSON.stringify(created.body), now())
      return created
    })
    return { ...result, idempotency: { key, status: 'AVAILABLE' } }
  } catch (error) {
    await releaseIdempotencyKey(ctx.db, org, key)
    throw error
  }
}
