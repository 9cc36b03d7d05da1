import { createHash, randomFillSync, randomUUID } from 'node:crypto'

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
 * Time-ordered UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Belvo's ids are
 * UUIDs, and time order keeps primary-key inserts at the right edge of the index.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = Buffer.from(randomChunk())
  bytes.writeUIntBE(now, 0, 6)
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
 * Belvo's request ids, MFA sessions and webhook ids: 32 lowercase hex characters. A v4 UUID
 * without dashes (122 random bits): randomUUID draws from a cached entropy pool, which makes it
 * several times cheaper than randomBytes on the per-request path.
 */
export function hex32(): string {
  const u = randomUUID()
  return u.slice(0, 8) + u.slice(9, 13) + u.slice(14, 18) + u.slice(19, 23) + u.slice(24)
}

export const uuidv4 = randomUUID

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value)
}
