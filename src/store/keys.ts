import type { Queryable } from './db.ts'

export interface SecretKeyRow {
  id: string
  organization_id: string
  password_hash: string
  name: string | null
  created_at: string
  revoked_at: string | null
}

export async function insertOrganization(db: Queryable, id: string, name: string): Promise<void> {
  await db.query('INSERT INTO organizations (id, name) VALUES ($1, $2)', [id, name])
}

/** The organization `id`, created with `name` unless it exists. */
export async function ensureOrganization(db: Queryable, id: string, name: string): Promise<string> {
  await db.query('INSERT INTO organizations (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, name])
  return id
}

export async function firstOrganizationId(db: Queryable): Promise<string | undefined> {
  const rows = await db.query<{ id: string }>('SELECT id FROM organizations ORDER BY created_at, id LIMIT 1')
  return rows[0]?.id
}

export async function insertSecretKey(db: Queryable, key: { id: string; organizationId: string; passwordHash: string; name?: string }): Promise<void> {
  await db.query('INSERT INTO secret_keys (id, organization_id, password_hash, name) VALUES ($1, $2, $3, $4)', [
    key.id,
    key.organizationId,
    key.passwordHash,
    key.name ?? null,
  ])
}

export async function updateSecretKeyPassword(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db.query('UPDATE secret_keys SET password_hash = $2, revoked_at = NULL WHERE id = $1', [id, passwordHash])
}

export async function findSecretKey(db: Queryable, id: string): Promise<SecretKeyRow | undefined> {
  const rows = await db.query<SecretKeyRow>('SELECT * FROM secret_keys WHERE id = $1', [id])
  return rows[0]
}

export async function listSecretKeys(db: Queryable): Promise<SecretKeyRow[]> {
  return db.query<SecretKeyRow>('SELECT * FROM secret_keys ORDER BY created_at, id')
}

export async function countSecretKeys(db: Queryable): Promise<number> {
  const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM secret_keys')
  return rows[0].n
}

export async function revokeSecretKey(db: Queryable, id: string): Promise<boolean> {
  const rows = await db.query('UPDATE secret_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id', [id])
  return rows.length > 0
}

/** The organization's display name, carried in the token as Belvo's `organization_name` claim. */
export async function organizationName(db: Queryable, organizationId: string): Promise<string | undefined> {
  const rows = await db.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [organizationId])
  return rows[0]?.name
}
