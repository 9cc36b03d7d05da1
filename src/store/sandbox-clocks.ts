import { createHash } from 'node:crypto'
import type { Db, Queryable } from './db.ts'

/** Sandbox clocks (0021, domain/sandbox-clock.ts): the instant an organization's time is pinned at. */

export async function findSandboxClock(db: Queryable, organizationId: string): Promise<string | undefined> {
  const rows = await db.query<{ now: Date | string }>('SELECT now FROM sandbox_clocks WHERE organization_id = $1', [organizationId])
  return rows[0] ? new Date(rows[0].now).toISOString() : undefined
}

/** Pins the organization's time at `now`, unless it is already pinned later; answers the pinned instant. */
export async function pinSandboxClock(db: Queryable, organizationId: string, now: string, at: string): Promise<string> {
  const rows = await db.query<{ now: Date | string }>(
    `INSERT INTO sandbox_clocks (organization_id, now, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (organization_id) DO UPDATE SET now = GREATEST(sandbox_clocks.now, EXCLUDED.now), updated_at = EXCLUDED.updated_at
     RETURNING now`,
    [organizationId, now, at],
  )
  return new Date(rows[0]!.now).toISOString()
}

export async function deleteSandboxClock(db: Queryable, organizationId: string): Promise<boolean> {
  return (await db.query('DELETE FROM sandbox_clocks WHERE organization_id = $1 RETURNING 1', [organizationId])).length === 1
}

/**
 * The SQL condition the scheduler's queries put on their organization column: with
 * `organizationId` (an advance of that organization's clock), its rows only; without (the global
 * pass, on the server's clock), only organizations with no sandbox clock. Pushes its parameter.
 */
export function clockScope(column: string, organizationId: string | undefined, params: unknown[]): string {
  // NOT IN, not a correlated NOT EXISTS: inside `(SELECT ... FROM sandbox_clocks sc WHERE sc.organization_id
  // = organization_id)` an unqualified column names sandbox_clocks' own, and one pinned organization
  // stopped the scheduler for all. The left operand here is resolved in the caller's query; the
  // subquery's column is never null (the primary key).
  if (organizationId === undefined) return `${column} NOT IN (SELECT sc.organization_id FROM sandbox_clocks sc)`
  params.push(organizationId)
  return `${column} = $${params.length}`
}

/**
 * The first instant after `after` and at most `until` when something of the organization's falls
 * due on its own time: a recurrent refresh, credentials forgotten, data gone stale, a consent
 * expiring or announced, a payment authorization expiring. Payment dates are UTC days: the advance stops at each midnight anyway.
 */
export async function nextDueInstant(db: Queryable, organizationId: string, after: string, until: string): Promise<string | undefined> {
  const rows = await db.query<{ at: Date | string | null }>(
    `SELECT min(at) AS at FROM (
       SELECT next_refresh_at AS at FROM links
         WHERE organization_id = $1 AND access_mode = 'recurrent' AND status = 'valid' AND next_refresh_at > $2::timestamptz AND next_refresh_at <= $3::timestamptz
       UNION ALL SELECT credentials_expire_at FROM links
         WHERE organization_id = $1 AND credentials IS NOT NULL AND credentials_expire_at > $2::timestamptz AND credentials_expire_at <= $3::timestamptz
       UNION ALL SELECT data_updated_at + make_interval(days => substring(stale_in FROM '^(\\d+)d$')::int) FROM links
         WHERE organization_id = $1 AND data_updated_at IS NOT NULL
       UNION ALL SELECT expired_at FROM consents WHERE organization_id = $1 AND status = 'AUTHORISED' AND expired_at > $2::timestamptz AND expired_at <= $3::timestamptz
       UNION ALL SELECT expires_at FROM payment_authorizations WHERE organization_id = $1 AND status IN ('AWAITING_AUTHORIZATION', 'PARTIALLY_ACCEPTED')
         AND expires_at > $2::timestamptz AND expires_at <= $3::timestamptz
     ) due WHERE at > $2::timestamptz AND at <= $3::timestamptz`,
    [organizationId, after, until],
  )
  return rows[0]?.at ? new Date(rows[0].at).toISOString() : undefined
}

/** The institutions of the organization's links (a clock is refused where a real connector serves one). */
export async function linkInstitutions(db: Queryable, organizationId: string): Promise<string[]> {
  return (await db.query<{ institution: string }>('SELECT DISTINCT institution FROM links WHERE organization_id = $1', [organizationId])).map(
    (r) => r.institution,
  )
}

/** The organizations whose clock this process is moving: the tail of each one's line of moves. */
const moving = new Map<string, Promise<void>>()

/** The cluster-wide lock of an organization's clock: 48 bits of a hash, an exact JavaScript number. */
const clockLockKey = (organizationId: string): number => createHash('sha256').update(`sandbox_clock/${organizationId}`).digest().readUIntBE(0, 6)

/**
 * Runs `fn` as the only move of the organization's clock at a time, so that two advances at once
 * run one after the other (the second from where the first ended) instead of both from the same
 * instant (one advance lost, or what fell due run twice). In this process: a line of moves per
 * organization, so that one connection at most waits for the organization's lock. Across
 * processes (PostgreSQL): the Db seam's `exclusively`, an advisory lock on the organization held on
 * a connection of its own, outside the pool that `fn` uses (a transaction of the pool holding it
 * would starve a pool of one), released by the server if the process dies. PGlite's database
 * belongs to one process (data-dir-lock.ts): its line is the lock.
 */
export async function exclusivelyForClock<T>(db: Db, organizationId: string, fn: () => Promise<T>): Promise<T> {
  const previous = moving.get(organizationId) ?? Promise.resolve()
  let release!: () => void
  const mine = new Promise<void>((resolve) => (release = resolve))
  const tail = previous.then(() => mine)
  moving.set(organizationId, tail)
  await previous
  try {
    return await db.exclusively(clockLockKey(organizationId), fn)
  } finally {
    release()
    if (moving.get(organizationId) === tail) moving.delete(organizationId)
  }
}

/** What a page reached without a key serves, by the key in its URL or form (http/plugins/sandbox-clock.ts pageOrganizationTime). */
export type PageObject = 'consent' | 'enrollment_state' | 'payment_redirect_token' | 'payment_link_token'

const PAGE_OBJECT_SQL: Record<PageObject, string> = {
  consent: 'SELECT organization_id FROM consents WHERE id = $1',
  enrollment_state: 'SELECT organization_id FROM payment_enrollments WHERE state = $1',
  payment_redirect_token: 'SELECT organization_id FROM payment_intents WHERE redirect_token = $1',
  payment_link_token: 'SELECT organization_id FROM payment_links WHERE access_token = $1',
}

/** The organization of the object a page serves (its key already checked for shape), if it exists. */
export async function organizationOfPageObject(db: Queryable, kind: PageObject, key: string): Promise<string | undefined> {
  return (await db.query<{ organization_id: string }>(PAGE_OBJECT_SQL[kind], [key]))[0]?.organization_id
}
