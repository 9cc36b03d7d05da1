import type { Condition } from '../lib/list-query.ts'
import type { Queryable } from './db.ts'
import { isoUtc } from './sql.ts'
import { filteredPage, type PageRequest } from './pagination.ts'

export interface LinkRow {
  id: string
  organization_id: string
  institution_id: number
  institution: string
  access_mode: 'single' | 'recurrent'
  status: 'valid' | 'invalid' | 'unconfirmed' | 'token_required'
  external_id: string | null
  institution_user_id: string | null
  credentials_storage: string
  credentials: string | null
  credentials_expire_at: string | null
  stale_in: string
  fetch_resources: string[]
  refresh_rate: string | null
  created_by: string
  profile: string | null
  created_at: string
  last_accessed_at: string | null
  refresh_requested_at: string | null
  data_updated_at: string | null
  next_refresh_at?: string | null
  sandbox_next_login?: string | null
}

const ISO = isoUtc
/** Timestamps leave the database already in Belvo's ISO-8601 UTC form. */
const LINK_COLUMNS = `l.id, l.organization_id, l.institution_id, l.institution, l.access_mode, l.status, l.external_id,
  l.institution_user_id, l.credentials_storage, l.credentials, ${ISO('l.credentials_expire_at')} AS credentials_expire_at,
  l.stale_in, l.fetch_resources, l.refresh_rate, l.created_by, l.profile, ${ISO('l.created_at')} AS created_at,
  ${ISO('l.last_accessed_at')} AS last_accessed_at, ${ISO('l.refresh_requested_at')} AS refresh_requested_at,
  ${ISO('l.data_updated_at')} AS data_updated_at, ${ISO('l.next_refresh_at')} AS next_refresh_at, l.sandbox_next_login`

export async function insertLink(
  db: Queryable,
  link: Omit<LinkRow, 'last_accessed_at' | 'refresh_requested_at' | 'data_updated_at'> & { last_accessed_at?: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO links (id, organization_id, institution_id, institution, access_mode, status, external_id, institution_user_id,
       credentials_storage, credentials, credentials_expire_at, stale_in, fetch_resources, refresh_rate, created_by, profile, created_at, last_accessed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::text[], $14, $15, $16, $17, $18)`,
    [
      link.id,
      link.organization_id,
      link.institution_id,
      link.institution,
      link.access_mode,
      link.status,
      link.external_id,
      link.institution_user_id,
      link.credentials_storage,
      link.credentials,
      link.credentials_expire_at,
      link.stale_in,
      link.fetch_resources,
      link.refresh_rate,
      link.created_by,
      link.profile,
      link.created_at,
      link.last_accessed_at ?? null,
    ],
  )
}

const UPDATABLE = [
  'access_mode',
  'status',
  'institution_user_id',
  'credentials_storage',
  'credentials',
  'credentials_expire_at',
  'stale_in',
  'fetch_resources',
  'refresh_rate',
  'profile',
  'last_accessed_at',
  'refresh_requested_at',
  'data_updated_at',
  'next_refresh_at',
  'sandbox_next_login',
] as const
type Updatable = Partial<Pick<LinkRow, (typeof UPDATABLE)[number]>>

export async function updateLink(db: Queryable, organizationId: string, id: string, changes: Updatable): Promise<void> {
  const keys = UPDATABLE.filter((k) => k in changes)
  if (keys.length === 0) return
  const sets = keys.map((k, i) => `${k} = $${i + 3}${k === 'fetch_resources' ? '::text[]' : ''}`)
  await db.query(`UPDATE links SET ${sets.join(', ')} WHERE organization_id = $1 AND id = $2`, [organizationId, id, ...keys.map((k) => changes[k])])
}

export async function findLink(db: Queryable, organizationId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<LinkRow | undefined> {
  const rows = await db.query<LinkRow>(
    `SELECT ${LINK_COLUMNS} FROM links l WHERE l.organization_id = $1 AND l.id = $2${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [organizationId, id],
  )
  return rows[0]
}

export async function listLinks(db: Queryable, organizationId: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<LinkRow>(
    db,
    { from: 'links l', alias: 'l', select: LINK_COLUMNS, orderBy: 'l.created_at DESC, l.id DESC', where: ['l.organization_id = $1'], params: [organizationId] },
    conditions,
    page,
  )
}

/**
 * Deletes the link with all its data: transactions explicitly (that table has no foreign keys,
 * see migration 0002), accounts, records and MFA sessions by ON DELETE CASCADE. Run it in a
 * transaction so a failure leaves everything in place.
 */
export async function deleteLink(db: Queryable, organizationId: string, id: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM links WHERE organization_id = $1 AND id = $2 RETURNING id', [organizationId, id])
  if (rows.length === 0) return false
  await db.query('DELETE FROM transactions WHERE link_id = $1', [id])
  return true
}

export interface MfaSessionRow {
  id: string
  link_id: string
  operation: string
  request: Record<string, unknown>
  expired: boolean
}

export async function insertMfaSession(
  db: Queryable,
  session: { id: string; organizationId: string; linkId: string; operation: string; request: unknown; expiresAt: string; createdAt: string },
): Promise<void> {
  await db.query(
    'INSERT INTO mfa_sessions (id, organization_id, link_id, operation, request, expires_at, created_at) VALUES ($1, $2, $3, $4, $5::json, $6, $7)',
    [session.id, session.organizationId, session.linkId, session.operation, JSON.stringify(session.request), session.expiresAt, session.createdAt],
  )
}

/** Reads the session without taking it; `expired` is judged against `now`. */
export async function findMfaSession(db: Queryable, organizationId: string, id: string, now: string): Promise<MfaSessionRow | undefined> {
  const rows = await db.query<MfaSessionRow>(
    `SELECT id, link_id, operation, request, expires_at <= $3::timestamptz AS expired
     FROM mfa_sessions WHERE organization_id = $1 AND id = $2`,
    [organizationId, id, now],
  )
  return rows[0]
}

/** Takes the session out (a session resumes once); `expired` is judged against `now`. */
export async function takeMfaSession(db: Queryable, organizationId: string, id: string, now: string): Promise<MfaSessionRow | undefined> {
  const rows = await db.query<MfaSessionRow>(
    `DELETE FROM mfa_sessions WHERE organization_id = $1 AND id = $2
     RETURNING id, link_id, operation, request, expires_at <= $3::timestamptz AS expired`,
    [organizationId, id, now],
  )
  return rows[0]
}

/**
 * Records a successful login: `valid` only if the status is still the one the caller saw, so a
 * concurrent job that just marked the link invalid or token_required is not overwritten.
 */
export async function markLoggedIn(db: Queryable, organizationId: string, id: string, seenStatus: string, at: string): Promise<void> {
  await db.query(`UPDATE links SET last_accessed_at = $4, status = CASE WHEN status = $3 THEN 'valid' ELSE status END WHERE organization_id = $1 AND id = $2`, [
    organizationId,
    id,
    seenStatus,
    at,
  ])
}

/** Sandbox: takes the pending simulated login outcome, once (concurrent jobs cannot both get it). */
export async function takeSandboxLogin(db: Queryable, organizationId: string, id: string): Promise<string | null> {
  const rows = await db.query<{ taken: string | null }>(
    `UPDATE links l SET sandbox_next_login = NULL FROM (SELECT id, sandbox_next_login AS taken FROM links WHERE organization_id = $1 AND id = $2 FOR UPDATE) s
     WHERE l.id = s.id AND s.taken IS NOT NULL RETURNING s.taken`,
    [organizationId, id],
  )
  return rows[0]?.taken ?? null
}
