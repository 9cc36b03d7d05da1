import type { Queryable } from './db.ts'
import { isoUtc } from './sql.ts'

/** One issuance of widget tokens and the widget configuration it carries (0005_widget_tokens.sql). */
export interface WidgetTokenRow {
  jti: string
  refresh_jti: string
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
}

const COLUMNS = `jti, refresh_jti, organization_id, secret_key_id, link_id, scopes, fetch_resources, stale_in, credentials_storage,
  widget, ${isoUtc('expires_at')} AS expires_at, ${isoUtc('refresh_expires_at')} AS refresh_expires_at, ${isoUtc('created_at')} AS created_at,
  ${isoUtc('used_at')} AS used_at`

export async function insertWidgetToken(db: Queryable, row: WidgetTokenRow): Promise<void> {
  await db.query(
    `INSERT INTO widget_tokens (jti, refresh_jti, organization_id, secret_key_id, link_id, scopes, fetch_resources, stale_in,
       credentials_storage, widget, expires_at, refresh_expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6::text[], $7::text[], $8, $9, $10::jsonb, $11, $12, $13)`,
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

/** The issuance an access token (`jti`) or a refresh token (`refresh_jti`) belongs to. */
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
 * Spends the token: true for the one caller that spent it, false when it already was (two
 * connections racing with the same token: only the first one counts).
 */
export async function markWidgetTokenUsed(db: Queryable, organizationId: string, jti: string, now: string): Promise<boolean> {
  const rows = await db.query('UPDATE widget_tokens SET used_at = $3 WHERE organization_id = $1 AND jti = $2 AND used_at IS NULL RETURNING 1', [
    organizationId,
    jti,
    now,
  ])
  return rows.length === 1
}

/** Retention: issuances whose refresh token has expired can never be used again. */
export async function deleteExpiredWidgetTokens(db: Queryable, now: string): Promise<number> {
  return (await db.query('DELETE FROM widget_tokens WHERE refresh_expires_at <= $1::timestamptz RETURNING 1', [now])).length
}
