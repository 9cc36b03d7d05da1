import { createHash } from 'node:crypto'
import { fakerES, fakerES_MX, fakerPT_BR, type Faker } from '@faker-js/faker'

/**
 * Seeded randomness for the sandbox. Everything the sandbox produces is a pure function of its
 * inputs (institution, persona, link seed, sandbox "today" and the call's arguments), so nothing
 * here reads Math.random or the clock: a generator is always built from a string key.
 *
 * Only integer and IEEE basic arithmetic is used on the hot paths (no Math.exp/log/pow), so the
 * same key gives the same numbers on any machine and any Node version.
 */

/** Joins the parts of a seed key; '|' never occurs in the parts we use. */
export function seedKey(...parts: (string | number)[]): string {
  return parts.join('|')
}

export function sha256Bytes(key: string): Buffer {
  return createHash('sha256').update(key).digest()
}

/** An unsigned 32-bit integer derived from a key (used for faker.seed). */
export function hashInt(key: string): number {
  return sha256Bytes(key).readUInt32LE(0)
}

/** A lowercase hex digest prefix of a key, `length` <= 64. */
export function hashHex(key: string, length = 16): string {
  return sha256Bytes(key).toString('hex').slice(0, length)
}

/** `length` decimal digits derived from a key (any length; leading zeros kept). */
export function hashDigits(key: string, length: number): string {
  let out = ''
  for (let block = 0; out.length < length; block++) {
    const bytes = sha256Bytes(`${key}#${block}`)
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      // 250 = 25 * 10: rejecting the top 6 byte values keeps digits uniform.
      if (bytes[i] < 250) out += String(bytes[i] % 10)
    }
  }
  return out
}

/** A stable UUID-shaped string (version nibble 4) for nested ids that the sandbox must invent. */
export function hashUuid(key: string): string {
  const b = Buffer.from(sha256Bytes(key).subarray(0, 16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** A weighted table prepared once (cumulative weights) so picking is a short scan. */
export interface Weighted<T> {
  readonly items: readonly T[]
  readonly cumulative: Float64Array
  readonly total: number
}

export function weighted<T>(entries: readonly (readonly [T, number])[]): Weighted<T> {
  const cumulative = new Float64Array(entries.length)
  let total = 0
  entries.forEach(([, w], i) => {
    total += w
    cumulative[i] = total
  })
  return { items: entries.map(([item]) => item), cumulative, total }
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of state, passes
 * PractRand, and is only additions, shifts and xors, so it is fast and portable.
 */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(key: string) {
    const h = sha256Bytes(key)
    this.a = h.readUInt32LE(0)
    this.b = h.readUInt32LE(4)
    this.c = h.readUInt32LE(8)
    this.d = h.readUInt32LE(12)
    // Discard the first outputs: the state needs a few rounds to mix a structured seed.
    for (let i = 0; i < 12; i++) this.nextUint32()
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(probability: number): boolean {
    return this.next() < probability
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }

  pickWeighted<T>(table: Weighted<T>): T {
    const target = this.next() * table.total
    const c = table.cumulative
    for (let i = 0; i < c.length; i++) if (target < c[i]) return table.items[i]
    return table.items[table.items.length - 1]
  }

  /** Approximately standard normal (Irwin-Hall with 4 uniforms: mean 0, sd 1, bounded at +-3.46). */
  normal(): number {
    return (this.next() + this.next() + this.next() + this.next() - 2) * 1.7320508075688772
  }

  /**
   * A right-skewed amount in [min, max] cents, rounded to `step` cents: most purchases are small,
   * a few are large (u^3: mean at a quarter of the range, median at an eighth).
   */
  skewedCents(min: number, max: number, step = 1): number {
    const u = this.next()
    const raw = min + (max - min) * u * u * u
    return Math.max(step, Math.round(raw / step) * step)
  }

  /** `value` scaled by a factor in [1 - spread, 1 + spread], rounded to `step` cents. */
  jitterCents(value: number, spread: number, step = 1): number {
    const factor = 1 + spread * (2 * this.next() - 1)
    return Math.max(step, Math.round((value * factor) / step) * step)
  }

  /** Shuffles a copy (Fisher-Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const out = items.slice()
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      const tmp = out[i]
      out[i] = out[j]
      out[j] = tmp
    }
    return out
  }
}

export type SandboxCountry = 'MX' | 'CO' | 'BR'

/**
 * A faker instance for a country, seeded from `key`. faker has no es_CO locale (v10 ships es and
 * es_MX only), so Colombia uses the generic Spanish one for names; Colombian places come from our
 * own tables. The instances are shared, so callers must finish using one before anything else
 * seeds it: `withFaker` runs the callback synchronously right after seeding.
 */
export function withFaker<T>(country: SandboxCountry, key: string, use: (faker: Faker) => T): T {
  const faker = country === 'BR' ? fakerPT_BR : country === 'MX' ? fakerES_MX : fakerES
  faker.seed(hashInt(key))
  return use(faker)
}
