import { hashSecret, randomSecret, sha256, verifySecret } from '../lib/crypto.ts'
import { uuidv4, uuidv7 } from '../lib/ids.ts'
import type { Db, Queryable } from '../store/db.ts'
import * as store from '../store/keys.ts'

export interface SecretKey {
  id: string
  password: string
  organizationId: string
}

export interface Principal {
  organizationId: string
  keyId: string
}

/**
 * Creates a key in `organizationId`, in a new organization (`newOrganization`), or by default in
 * the first organization (created when there is none). `newOrganizationId` chooses the new
 * organization's id (the same on every fresh database: docs/determinism.md), or names an existing
 * one. The password is returned once and stored only hashed.
 */
export async function createSecretKey(
  db: Db,
  options: { organizationId?: string; newOrganization?: string; newOrganizationId?: string; name?: string } = {},
): Promise<SecretKey> {
  const id = uuidv4()
  const password = randomSecret(36)
  const passwordHash = await hashSecret(password)
  const organizationId = await db.tx(async (tx) => {
    const orgId =
      options.organizationId ??
      (options.newOrganizationId === undefined
        ? await resolveOrganization(tx, options.newOrganization)
        : await store.ensureOrganization(tx, options.newOrganizationId, options.newOrganization ?? 'default'))
    await store.insertSecretKey(tx, { id, organizationId: orgId, passwordHash, name: options.name })
    return orgId
  })
  return { id, password, organizationId }
}

async function resolveOrganization(tx: Queryable, newOrganizationName?: string): Promise<string> {
  const existing = newOrganizationName === undefined ? await store.firstOrganizationId(tx) : undefined
  if (existing) return existing
  const id = uuidv7()
  await store.insertOrganization(tx, id, newOrganizationName ?? 'default')
  return id
}

/**
 * Makes sure the key named by PONTE_SECRET_KEY_ID/PASSWORD exists and accepts that password
 * (re-hashing it when the configured password changed), in the first organization.
 */
export async function ensureSecretKey(db: Db, id: string, password: string): Promise<void> {
  const existing = await store.findSecretKey(db, id)
  if (existing && !existing.revoked_at && (await verifySecret(password, existing.password_hash))) return
  const passwordHash = await hashSecret(password)
  await db.tx(async (tx) => {
    if (existing) return store.updateSecretKeyPassword(tx, id, passwordHash)
    const organizationId = await resolveOrganization(tx)
    await store.insertSecretKey(tx, { id, organizationId, passwordHash, name: 'configured' })
  })
}

export async function hasAnySecretKey(db: Db): Promise<boolean> {
  return (await store.countSecretKeys(db)) > 0
}

export const listSecretKeys = store.listSecretKeys

export async function revokeSecretKey(db: Db, id: string): Promise<boolean> {
  return store.revokeSecretKey(db, id)
}

interface CacheEntry {
  principal: Principal | null
  expiresAt: number
}

/**
 * Checks Basic-auth secret keys. scrypt is deliberately slow, so a verified (id, password) pair is
 * remembered for `ttlMs`: a request then costs one SHA-256 and a map lookup. A revocation made in
 * this process applies at once; one made elsewhere (CLI, another process) within `ttlMs`.
 * Failures are remembered briefly too, so a client retrying a wrong password cannot make every
 * request pay for scrypt.
 */
export class SecretKeyVerifier {
  private readonly cache = new Map<string, CacheEntry>()
  private readonly inflight = new Map<string, Promise<Principal | null>>()

  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached verdict, or undefined when the database must be asked (verify). */
  cached(id: string, password: string): Principal | null | undefined {
    const hit = this.cache.get(`${id}\u0000${sha256(password)}`)
    return hit && hit.expiresAt > this.now() ? hit.principal : undefined
  }

  async verify(id: string, password: string): Promise<Principal | null> {
    const cacheKey = `${id}\u0000${sha256(password)}`
    const hit = this.cache.get(cacheKey)
    if (hit && hit.expiresAt > this.now()) return hit.principal
    let pending = this.inflight.get(cacheKey)
    if (!pending) {
      pending = this.check(id, password).finally(() => this.inflight.delete(cacheKey))
      this.inflight.set(cacheKey, pending)
    }
    const principal = await pending
    const ttl = principal ? this.ttlMs : Math.min(this.ttlMs, 5000)
    if (ttl > 0) {
      if (this.cache.size > 10_000) this.cache.clear()
      this.cache.set(cacheKey, { principal, expiresAt: this.now() + ttl })
    }
    return principal
  }

  /** Forgets every cached result for a key id (after a revocation in this process). */
  forget(id: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${id}\u0000`)) this.cache.delete(key)
  }

  private async check(id: string, password: string): Promise<Principal | null> {
    const row = await store.findSecretKey(this.db, id)
    if (!row || row.revoked_at) return null
    if (!(await verifySecret(password, row.password_hash))) return null
    return { organizationId: row.organization_id, keyId: row.id }
  }
}
