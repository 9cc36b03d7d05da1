import type { Queryable } from './db.ts'
import { clockScope } from './sandbox-clocks.ts'
import { isoUtc } from './sql.ts'

/** One issuance of widget tokens and the widget configuration it carries (0005_widget_tokens.sql). */
export interface WidgetTokenRow {
  /** The row's id: the first access token's id, the `sid` claim of every token of the row. */
  jti: string
  /** The refresh token valid now (a refresh replaces it, 0012). */
  refresh_jti: string
  /** The access token valid now (0012): `jti` until a refresh replaces it. */
  access_jti?: string
  organization_id: string
  secret_key_id: string
  link_id: string | null
  scopes: string[]
  fetch_resources: string[] | null
  stale_in: string | null
  credentials_storage: string | null
  /** The request's `widget` object as sent (branding, callback_urls, theme, consent, ...). */
  widget: Record<string, unknown> | null
  expires_at: string
  refresh_expires_at: string
  created_at: string
  /** When a connection made with this token succeeded (0012): the token is spent from then on. */
  used_at?: string | null
  /** The link this token's registration created (0012), for its resume. */
  created_link_id?: string | null
}

const COLUMNS = `jti, refresh_jti, organization_id, secret_key_id, link_id, scopes, fetch_resources, stale_in, credentials_storage,
  widget, ${isoUtc('expires_at')} AS expires_at, ${isoUtc('refresh_expires_at')} AS refresh_expires_at, ${isoUtc('created_at')} AS created_at,
  ${isoUtc('used_at')} AS used_at, access_jti, created_link_id`

export async function insertWidgetToken(db: Queryable, row: WidgetTokenRow): Promise<void> {
  await db.query(
    `INSERT INTO widget_tokens (jti, refresh_jti, organization_id, secret_key_id, link_id, scopes, fetch_resources, stale_in,
       credentials_storage, widget, expires_at, refresh_expires_at, created_at, access_jti)
     VALUES ($1, $2, $3, $4, $5, $6::text[], $7::text[], $8, $9, $10::jsonb, $11, $12, $13, $1)`,
    [
      row.jti,
      row.refresh_jti,
      row.organization_id,
      row.secret_key_id,
      row.link_id,
      row.scopes,
      row.fetch_resources,
      row.stale_in,
      row.credentials_storage,
      row.widget === null ? null : JSON.stringify(row.widget),
      row.expires_at,
      row.refresh_expires_at,
      row.created_at,
    ],
  )
}

/** The issuance by its id (`jti`, the tokens' `sid`) or, for tokens older than `sid`, by the refresh token's id. */
export async function findWidgetToken(
  db: Queryable,
  organizationId: string,
  by: { jti: string } | { refreshJti: string },
): Promise<WidgetTokenRow | undefined> {
  const [column, value] = 'jti' in by ? ['jti', by.jti] : ['refresh_jti', by.refreshJti]
  const rows = await db.query<WidgetTokenRow>(`SELECT ${COLUMNS} FROM widget_tokens WHERE organization_id = $1 AND ${column} = $2`, [organizationId, value])
  return rows[0]
}

/**
 * Claims the row for one connection attempt: true for the one caller whose conditional UPDATE
 * took it. Refused while the token is spent, while another attempt holds a claim newer than
 * `staleBefore`, and for an access token the row no longer accepts (refreshed since).
 */
export async function claimWidgetToken(
  db: Queryable,
  organizationId: string,
  jti: string,
  accessJti: string,
  claim: string,
  now: string,
  staleBefore: string,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE widget_tokens SET claim = $4, claimed_at = $5
     WHERE organization_id = $1 AND jti = $2 AND access_jti = $3 AND used_at IS NULL AND (claim IS NULL OR claimed_at < $6::timestamptz)
     RETURNING 1`,
    [organizationId, jti, accessJti, claim, now, staleBefore],
  )
  return rows.length === 1
}

/**
 * Ends an attempt that did not connect: releases its claim (only its own: a stale claim taken over
 * since is the other attempt's), and records the link it left waiting for an MFA token, if any.
 */
export async function releaseWidgetToken(db: Queryable, organizationId: string, jti: string, claim: string, createdLinkId?: string): Promise<void> {
  await db.query(
    `UPDATE widget_tokens SET claim = NULL, claimed_at = NULL, created_link_id = COALESCE($4::uuid, created_link_id)
     WHERE organization_id = $1 AND jti = $2 AND claim = $3`,
    [organizationId, jti, claim, createdLinkId ?? null],
  )
}

/**
 * Spends the token on a successful connection to `linkId`: true for the one caller that spent
 * it, false when it already was.
 */
export async function markWidgetTokenUsed(db: Queryable, organizationId: string, jti: string, now: string, linkId?: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE widget_tokens SET used_at = $3, claim = NULL, claimed_at = NULL, created_link_id = COALESCE($4::uuid, created_link_id)
     WHERE organization_id = $1 AND jti = $2 AND used_at IS NULL RETURNING 1`,
    [organizationId, jti, now, linkId ?? null],
  )
  return rows.length === 1
}

/**
 * Replaces the row's token pair (refresh): true for the one caller presenting the refresh token
 * valid now on an unspent row; two refreshes with one refresh token get one new pair.
 */
export async function rotateWidgetToken(
  db: Queryable,
  organizationId: string,
  jti: string,
  refreshJti: string,
  next: { access_jti: string; refresh_jti: string; expires_at: string },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE widget_tokens SET access_jti = $4, refresh_jti = $5, expires_at = $6
     WHERE organization_id = $1 AND jti = $2 AND refresh_jti = $3 AND used_at IS NULL RETURNING 1`,
    [organizationId, jti, refreshJti, next.access_jti, next.refresh_jti, next.expires_at],
  )
  return rows.length === 1
}

/** Retention: issuances whose refresh token has expired can never be used again. */
export async function deleteExpiredWidgetTokens(db: Queryable, now: string, organizationId?: string): Promise<number> {
  const params: unknown[] = [now]
  const scope = clockScope('organization_id', organizationId, params)
  return (await db.query(`DELETE FROM widget_tokens WHERE refresh_expires_at <= $1::timestamptz AND ${scope} RETURNING 1`, params)).length
}
