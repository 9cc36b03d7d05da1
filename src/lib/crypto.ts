import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>

// N=2^15 costs ~50 ms on this machine: fine once per key and process (verified keys are cached),
// and expensive enough to make offline guessing of a leaked hash slow.
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }
const KEY_LENGTH = 32

/** Hashes a secret-key password as `scrypt$N$r$p$salt$hash` (base64 parts). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await scryptAsync(secret, salt, KEY_LENGTH, SCRYPT)
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$')
}

/** Constant-time check of a password against a `hashSecret` result. */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, hashB64] = encoded.split('$')
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return false
  const expected = Buffer.from(hashB64, 'base64')
  const actual = await scryptAsync(secret, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/**
 * AES-256-GCM for institution credentials at rest. The output is `v1.<iv>.<tag>.<ciphertext>`
 * (base64url) so the format can evolve and a tampered value fails to decrypt.
 */
export class Cipher {
  private readonly key: Buffer
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('The encryption key must be 32 bytes')
    this.key = key
  }
  encrypt(plaintext: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.')
  }
  decrypt(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.')
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('Unknown ciphertext format')
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  }
  /**
   * A key for another purpose (signing widget tokens, ...), derived with HKDF-SHA256 so that one
   * configured secret serves every use while the encryption key itself never leaves this class.
   * Each use passes its own `purpose`: keys for different purposes are unrelated.
   */
  deriveKey(purpose: string, length = 32): Uint8Array {
    return new Uint8Array(hkdfSync('sha256', this.key, 'ponte', purpose, length))
  }
}

/** HMAC-SHA256 hex signature, used to sign webhook deliveries. */
export function hmacSha256(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex')
}
