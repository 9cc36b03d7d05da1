import { hash } from 'node:crypto'
import { PonteError } from '../../lib/errors.ts'
import { isUuid } from '../../lib/ids.ts'
import type { Db, Queryable } from '../../store/db.ts'
import {
  findIdempotencyKey,
  lockIdempotencyKeyIn,
  storeIdempotencyAnswerIn,
  type AnswerOutcome,
  type IdempotencyRow,
  type StoredAnswer,
} from '../../store/payment-idempotency.ts'
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
 * The creating transaction's first statement takes a transaction-scoped advisory lock on the key
 * without waiting and reads the key's row (store/payment-idempotency.ts); its last write inserts
 * the key's row with the answer. A create that writes everything in one statement (a payment
 * intent naming its parties by id) needs no transaction: that statement takes the lock and inserts
 * the answer (`idempotentOneWrite`). Of two concurrent identical requests, on any number of API
 * processes, one holds the lock and creates; the other finds the lock taken (409) or, once the
 * first committed, its answer (replay). A request that fails rolls back with everything it wrote:
 * nothing was created, so there is nothing to replay and the key is free. The key is one row
 * written once (it used to be a claimed row, updated with the answer: bench/payments.ts).
 */
export const IDEMPOTENCY_HEADER = 'belvo-idempotency-key'

/** A committed claim (a Ponte before 2026-12-07) older than this, whose request never finished, may be taken over. */
export const STALE_CLAIM_MS = 5 * 60_000

export type IdempotencyStatus = 'AVAILABLE' | 'REPLAYED'

export interface Created {
  status: number
  body: unknown
  /** `body` as JSON text, when it was already made (to be stored with the key): sent as it is. */
  json?: string
  /** Set when `create` stored its answer with the key itself, in the statement that wrote its objects (see `KeyScope`). */
  stored?: AnswerOutcome
}

/**
 * The request's key, handed to `create`: a create may store its answer with the key in the
 * statement that writes its objects (one statement less; payment intents do), and says how it
 * went with `stored`. Otherwise `idempotent` stores it after `create`.
 */
export interface KeyScope {
  organizationId: string
  key: string
  requestHash: string
}

/**
 * The key of a create that writes everything in one statement (`idempotentOneWrite`): its first
 * read returns the key's row too, and hands it to `seen` before anything else is checked.
 */
export interface OneWriteKey extends KeyScope {
  /** Throws the request's answer when the key has a row: a replay, 422 or 409 (a stale claim of this request excepted). */
  seen(existing: IdempotencyRow | undefined): void
}

export interface IdempotentResult extends Created {
  /** The key and what happened with it; absent when the request had no key. */
  idempotency?: { key: string; status: IdempotencyStatus }
}

/**
 * Sorted keys at every level (by UTF-16 code units): the same JSON body hashes the same however
 * its keys were ordered. Written as plain loops: it runs on every request with a key.
 */
function canonical(value: unknown): string {
  if (value === null || value === undefined || typeof value !== 'object') return JSON.stringify(value ?? null)
  if (Array.isArray(value)) {
    let text = '['
    for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + canonical(value[i])
    return `${text}]`
  }
  const object = value as Record<string, unknown>
  let text = '{'
  for (const key of Object.keys(object).sort()) {
    if (object[key] === undefined) continue
    text += (text.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonical(object[key])
  }
  return `${text}}`
}

export function requestHash(method: string, path: string, body: unknown, version = 'V1'): string {
  return hash('sha256', `${method.toUpperCase()} ${path} ${version}\n${canonical(body)}`)
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
  const now = clock.now()
  return { ...key, status, body: JSON.stringify(body), at: now.toISOString(), staleBefore: new Date(now.getTime() - STALE_CLAIM_MS).toISOString() }
}

/** The key's row that answers the request, thrown out of `create` (`OneWriteKey.seen`) or the transaction. */
class Answered extends Error {
  constructor(readonly existing: IdempotencyRow) {
    super('answered from the idempotency key')
  }
}

/** The request's key checked, and how each state of its row is answered. */
function keyOf(ctx: { clock: Clock }, caller: PaymentsCaller, request: IdempotentRequest & { key: string }) {
  const key = request.key.trim()
  if (!isUuid(key)) throw new PonteError('idempotency_key_invalid', { field: 'Belvo-Idempotency-Key' })
  const scope: KeyScope = { organizationId: caller.organizationId, key, requestHash: requestHash(request.method, request.path, request.body, request.version) }
  const conflict = () => new PonteError('idempotency_key_conflict', { headers: { 'Belvo-Idempotency-Key': key, 'Belvo-Idempotency-Status': 'PROCESSING' } })
  /** The answer to a request whose key has a row: the stored answer, a mismatch, or a conflict. */
  const answerOf = (existing: IdempotencyRow | undefined): IdempotentResult => {
    if (!existing) throw conflict()
    if (existing.request_hash !== scope.requestHash) throw new PonteError('idempotency_payload_mismatch')
    if (existing.state !== 'completed') throw conflict()
    const json = existing.response_body!
    return { status: existing.response_status!, body: JSON.parse(json), json, idempotency: { key, status: 'REPLAYED' } }
  }
  /** Whether the key's row answers the request: every row but a stale claim of this very request (taken over by `answerInsert`). */
  const answers = (existing: IdempotencyRow | undefined): existing is IdempotencyRow => {
    if (!existing) return false
    const stale = existing.state === 'processing' && Date.parse(existing.created_at) < ctx.clock.now().getTime() - STALE_CLAIM_MS
    return !stale || existing.request_hash !== scope.requestHash
  }
  const seen = (existing: IdempotencyRow | undefined): void => {
    if (answers(existing)) throw new Answered(existing)
  }
  /** The answer once the create stored its own: created, or as the key's row says when it was there first. */
  const outcome = async (db: Queryable, stored: AnswerOutcome, created: Created): Promise<IdempotentResult> => {
    if (stored === 'busy') throw conflict()
    if (stored === 'exists') return answerOf(await findIdempotencyKey(db, scope.organizationId, key))
    return { ...created, idempotency: { key, status: 'AVAILABLE' } }
  }
  /** `run`, or the answer of the key's row that stopped it (`seen`). */
  const answeredOr = async (run: () => Promise<IdempotentResult>): Promise<IdempotentResult> => {
    try {
      return await run()
    } catch (err) {
      if (err instanceof Answered) return answerOf(err.existing)
      throw err
    }
  }
  return { scope, conflict, seen, answers, answerOf, outcome, answeredOr }
}

/**
 * The key's row was written by a request that committed after this transaction's lock statement
 * began (store/payment-idempotency.ts): this transaction rolls back and answers as that row says.
 */
class KeyStoredMeanwhile extends Error {
  constructor(readonly outcome: Exclude<AnswerOutcome, 'stored'>) {
    super('the idempotency key was taken meanwhile')
  }
}

/** Runs `create` in one transaction, at most once per idempotency key (see the module comment). */
export async function idempotent(
  ctx: { db: Db; clock: Clock },
  caller: PaymentsCaller,
  request: IdempotentRequest,
  create: (tx: Queryable, key?: KeyScope) => Promise<Created>,
): Promise<IdempotentResult> {
  if (request.key === undefined) return ctx.db.tx(create)
  const { scope, conflict, seen, outcome, answeredOr } = keyOf(ctx, caller, { ...request, key: request.key })
  return answeredOr(async () => {
    try {
      return await ctx.db.tx(async (tx): Promise<IdempotentResult> => {
        const lock = await lockIdempotencyKeyIn(tx, scope.organizationId, scope.key)
        if (!lock.free) throw conflict()
        seen(lock.existing)
        const { stored, ...created } = await create(tx, scope)
        const answer = stored === undefined ? storedAnswer(scope, ctx.clock, created.status, created.body) : undefined
        if (answer) created.json = answer.body
        const kept = stored ?? ((await storeIdempotencyAnswerIn(tx, answer!)) ? 'stored' : 'exists')
        // Rolled back: what this transaction wrote must not stay beside the other request's objects.
        if (kept !== 'stored') throw new KeyStoredMeanwhile(kept)
        return outcome(tx, kept, created)
      })
    } catch (err) {
      if (!(err instanceof KeyStoredMeanwhile)) throw err
      return outcome(ctx.db, err.outcome, { status: 0, body: null })
    }
  })
}

/**
 * `idempotent` for a create that writes everything, its answer with the key included, in one
 * statement (a payment intent that names its customer and beneficiary by id): no transaction. The
 * write takes the key's lock (409 when another transaction holds it) and stores the answer only
 * when the key has no row, the objects only when the answer went in; a key that had a row is
 * answered as the row says. A create that reads before it writes hands the key's row, read with
 * its own, to `key.seen`. A request that fails (a 400) while its key has a row is answered as the
 * row says, as the transaction, which reads the key first, answers it. On PGlite an intent is one
 * call into the engine where the transaction takes four (bench/payments.ts).
 */
export async function idempotentOneWrite(
  ctx: { db: Db; clock: Clock },
  caller: PaymentsCaller,
  request: IdempotentRequest,
  create: (db: Queryable, key?: OneWriteKey) => Promise<Created>,
): Promise<IdempotentResult> {
  if (request.key === undefined) return create(ctx.db)
  const { scope, seen, answers, answerOf, outcome, answeredOr } = keyOf(ctx, caller, { ...request, key: request.key })
  return answeredOr(async () => {
    try {
      const { stored, ...created } = await create(ctx.db, { ...scope, seen })
      if (stored === undefined) throw new Error('a one-write create must store its answer with its objects')
      return await outcome(ctx.db, stored, created)
    } catch (err) {
      if (!(err instanceof PonteError)) throw err
      const existing = await findIdempotencyKey(ctx.db, scope.organizationId, scope.key)
      if (answers(existing)) return answerOf(existing)
      throw err
    }
  })
}
