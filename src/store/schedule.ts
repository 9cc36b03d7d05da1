import type { Queryable } from './db.ts'
import { clockScope } from './sandbox-clocks.ts'

/**
 * The scheduler's and data retention's queries on links (domain/sync.ts runScheduler and
 * applyRetention): recurrent links due for a refresh, links whose data went stale, credentials
 * whose storage period ended.
 */

export interface DueRefresh {
  id: string
  organization_id: string
  refresh_rate: string
}

/**
 * Claims up to `limit` valid recurrent links due at `now` by moving their next refresh one
 * refresh_rate on, and answers them. Row-locked with SKIP LOCKED: every worker runs the scheduler,
 * and each due link is claimed by one of them. `organizationId`: that organization's links only (an
 * advance of its sandbox clock); without, the links of organizations on the server's clock.
 */
export async function claimDueRefreshes(tx: Queryable, now: string, limit = 500, organizationId?: string): Promise<DueRefresh[]> {
  const params: unknown[] = [now, limit]
  const scope = clockScope('organization_id', organizationId, params)
  return tx.query<DueRefresh>(
    `UPDATE links SET next_refresh_at = $1::timestamptz + CASE refresh_rate
       WHEN '6h' THEN interval '6 hours' WHEN '12h' THEN interval '12 hours' WHEN '24h' THEN interval '24 hours'
       WHEN '30d' THEN interval '30 days' ELSE interval '7 days' END
     WHERE id IN (SELECT id FROM links WHERE access_mode = 'recurrent' AND status = 'valid'
       AND next_refresh_at <= $1::timestamptz AND ${scope} ORDER BY next_refresh_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING id, organization_id, refresh_rate`,
    params,
  )
}

/** Links whose data was last updated `stale_in` (a number of days) or longer before `now`. */
export async function staleLinkIds(db: Queryable, now: string, organizationId?: string): Promise<string[]> {
  const params: unknown[] = [now]
  const scope = clockScope('organization_id', organizationId, params)
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM links WHERE data_updated_at IS NOT NULL
       AND data_updated_at + make_interval(days => substring(stale_in FROM '^(\\d+)d$')::int) <= $1::timestamptz AND ${scope}`,
    params,
  )
  return rows.map((row) => row.id)
}

/** The link holds no data any more (its retention clock stops until the next fetch). */
export async function markDataPurged(tx: Queryable, linkId: string): Promise<void> {
  await tx.query('UPDATE links SET data_updated_at = NULL WHERE id = $1', [linkId])
}

/** Forgets the credentials whose storage period ended by `now`; answers how many links it changed. */
export async function forgetExpiredCredentials(db: Queryable, now: string, organizationId?: string): Promise<number> {
  const params: unknown[] = [now]
  const scope = clockScope('organization_id', organizationId, params)
  const rows = await db.query(
    `UPDATE links SET credentials = NULL WHERE credentials IS NOT NULL AND credentials_expire_at <= $1::timestamptz AND ${scope} RETURNING id`,
    params,
  )
  return rows.length
}
