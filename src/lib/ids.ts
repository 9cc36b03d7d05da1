import { AsyncLocalStorage } from 'node:async_hooks'
import { createHash, createHmac, randomFillSync, randomUUID } from 'node:crypto'

/**
 * Where ids come from while work for an organization with a sandbox seed runs (issue 18,
 * domain/sandbox-seed.ts, docs/determinism.md): its request or job runs under `withIdSource`, and
 * every uuidv7, hex32 and idBytes in between draws from the source instead of randomness. Anything
 * else (no seed, the scheduler, the CLI) draws random bytes as before, at the cost of one
 * AsyncLocalStorage read. Secrets never come from here (lib/crypto.ts randomSecret, secretHex32).
 */
export interface IdSource {
  /** `n` (at most 32) bytes, the next draw of the source. */
  bytes(n: number): Buffer
  /** Milliseconds for the time part of uuidv7 when the caller gives none (the organization's clock). */
  now(): number
}

const sources = new AsyncLocalStorage<IdSource>()

/** Runs `fn` with every id drawn from `source`. */
export function withIdSource<T>(source: IdSource, fn: () => T): T {
  return sources.run(source, fn)
}

/**
 * The draws of one unit of work (a request, a job run) of a seeded organization:
 * HMAC-SHA256(seed, organization id, stream, counter, draw number). The organization id keeps two
 * organizations with the same seed apart; `counter` numbers the unit in its stream (persisted,
 * store/sandbox-seeds.ts); draws within the unit are numbered in the order they are made.
 */
export function seededIdSource(unit: { seed: string; organizationId: string; stream: string; counter: number | string; now: () => number }): IdSource {
  const prefix = `${unit.organizationId}\n${unit.stream}\n${unit.counter}\n`
  let draws = 0
  return {
    bytes: (n) =>
      createHmac('sha256', unit.seed)
        .update(prefix + draws++)
        .digest()
        .subarray(0, n),
    now: unit.now,
  }
}

// Random bytes are drawn 4 KiB at a time: one call per id cost more than the rest of the id
// (bulk ingest makes millions of them).
const POOL = Buffer.alloc(4096)
let poolOffset = POOL.length

function randomChunk(): Buffer {
  if (poolOffset + 16 > POOL.length) {
    randomFillSync(POOL)
    poolOffset = 0
  }
  poolOffset += 16
  return POOL.subarray(poolOffset - 16, poolOffset)
}

/**
 * Where each recent millisecond's ids stand: the millisecond the next id carries (the asked one,
 * or later once its counter ran out) and the counter of the last. Kept per millisecond, not for
 * the last one only: an organization whose sandbox clock is pinned makes its ids at one instant
 * while the rest of the process makes ids at the real time, and each of those would otherwise
 * restart the pinned instant's count at random.
 */
const counters = new Map<number, { ms: number; counter: number }>()
/** Milliseconds remembered; the least recently used goes first (a pinned instant in use stays). */
const COUNTED_MILLISECONDS = 1024
let lastMs = -1
let lastState: { ms: number; counter: number } | undefined

/**
 * Time-ordered UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Belvo's ids are
 * UUIDs, and time order keeps primary-key inserts at the right edge of the index.
 * Ids this process makes for one millisecond also sort in the order they were made (RFC 9562,
 * 6.2, method 1): the 12 bits after the time are a counter, started at random in its lower half
 * and counted up for as long as the millisecond is used; past its end the ids carry the next
 * millisecond (RFC 9562's overflow rule). Lists ordered by creation time then id keep the order of
 * creation when many records share an instant, as every record made while an organization's
 * sandbox clock is pinned does. Ids drawn from a seed (withIdSource) stay as the seed draws them:
 * a counter shared with other organizations' work would make them depend on it.
 */
export function uuidv7(now?: number): string {
  const source = sources.getStore()
  const bytes = source ? source.bytes(16) : Buffer.from(randomChunk())
  const ms = now ?? (source ? source.now() : Date.now())
  if (source) {
    bytes.writeUIntBE(ms, 0, 6)
    return formatUuid(bytes, 0x70)
  }
  // The same millisecond as the last id (a bulk ingest makes millions so): no map work.
  let state = ms === lastMs ? lastState : counters.get(ms)
  if (state) {
    if (state.counter < 0xfff) state.counter++
    else {
      state.ms++
      state.counter = 0
    }
    if (ms !== lastMs) {
      // Most recently used last, so the least recently used is the first to go.
      counters.delete(ms)
      counters.set(ms, state)
    }
  } else {
    state = { ms, counter: ((bytes[6] & 0x07) << 8) | bytes[7] }
    if (counters.size >= COUNTED_MILLISECONDS) counters.delete(counters.keys().next().value!)
    counters.set(ms, state)
  }
  lastMs = ms
  lastState = state
  bytes.writeUIntBE(state.ms, 0, 6)
  bytes[6] = state.counter >> 8
  bytes[7] = state.counter & 0xff
  return formatUuid(bytes, 0x70)
}

/**
 * Name-based UUIDv5 (RFC 9562, SHA-1): the same namespace and name always give the same id.
 * Records that others embed (a card transaction's bill) get theirs this way, so the reference
 * can carry the id before the referenced record is retrieved.
 */
export function uuidv5(namespace: string, name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name)
    .digest()
  return formatUuid(hash.subarray(0, 16), 0x50)
}

function formatUuid(bytes: Buffer, version: number): string {
  bytes[6] = (bytes[6] & 0x0f) | version
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * Belvo's request ids, MFA sessions and webhook ids: 32 lowercase hex characters, from the
 * organization's seed when it has one (withIdSource), else random (secretHex32).
 */
export function hex32(): string {
  const source = sources.getStore()
  return source ? source.bytes(16).toString('hex') : secretHex32()
}

/**
 * 32 lowercase hex characters, always random, seed or not: tokens, codes, nonces
 * (docs/determinism.md). A v4 UUID without dashes (122 random bits): randomUUID draws from a cached
 * entropy pool, which makes it several times cheaper than randomBytes on the per-request path.
 */
export function secretHex32(): string {
  const u = randomUUID()
  return u.slice(0, 8) + u.slice(9, 13) + u.slice(14, 18) + u.slice(19, 23) + u.slice(24)
}

export const uuidv4 = randomUUID

/** `n` (at most 32) bytes for an id that is not a UUID (a Pix end-to-end id's tail): random, or the seed's. */
export function idBytes(n: number): Buffer {
  const source = sources.getStore()
  if (source) return source.bytes(n)
  const bytes = Buffer.alloc(n)
  randomFillSync(bytes)
  return bytes
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value)
}
