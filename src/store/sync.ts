import type { JsonText } from '../lib/json-text.ts'
import type { Queryable } from './db.ts'
import { accountsOfLinkAt, toWire, type WireQuery } from './resources.ts'

/**
 * Incremental sync (docs/sync.md, migration 0022): a link's rows of one resource and its
 * tombstones, in the order of the change sequence, after a cursor and up to a horizon.
 */

/** Where a sync page may read up to, and the link's accounts version; undefined: not the organization's link. */
export async function syncHorizon(db: Queryable, organizationId: string, linkId: string): Promise<{ horizon: string; accountsVersion: string } | undefined> {
  const [row] = await db.query<{ horizon: string; accounts_version: string }>(
    'SELECT horizon::text AS horizon, accounts_version FROM sync_horizon($1::uuid, $2::uuid)',
    [organizationId, linkId],
    { prepared: true },
  )
  return row ? { horizon: row.horizon, accountsVersion: row.accounts_version } : undefined
}

export interface SyncChange {
  /** The change's value of the sequence. */
  seq: string
  /** Present for a deletion. */
  removed?: string
  /** Whether the row was created after the cursor (else it was changed after it). */
  added?: boolean
  json?: JsonText
}

/**
 * Up to `limit` changes of the resource in (after, upTo], rows and tombstones merged in change
 * order. `resource` is the tombstones' name for it (the table, or the records key).
 */
export async function syncChanges(
  db: Queryable,
  wire: WireQuery,
  resource: string,
  link: { id: string; accountsVersion: string },
  after: string,
  upTo: string,
  limit: number,
): Promise<SyncChange[]> {
  const a = wire.alias
  const where = [`${a}.link_id = $1`, `${a}.change_seq > $2::bigint`, `${a}.change_seq <= $3::bigint`, ...(wire.where ?? [])].join(' AND ')
  // A tombstone row carries the wire columns as NULLs (a join on false): one statement, one
  // column list, whatever the resource's wire columns are.
  const rows = await db.query<Record<string, string | null> & { seq: string; removed_id: string | null; created_seq: string | null }>(
    `(SELECT ${a}.change_seq AS n, ${a}.change_seq::text AS seq, NULL::text AS removed_id, coalesce(${a}.created_seq, ${a}.change_seq)::text AS created_seq, ${wire.columns}
       FROM ${wire.table} WHERE ${where} ORDER BY ${a}.change_seq LIMIT $5)
     UNION ALL
     (SELECT x.change_seq, x.change_seq::text, x.id::text, NULL, ${wire.columns}
       FROM sync_tombstones x LEFT JOIN ${wire.table} ON false
       WHERE x.link_id = $1 AND x.resource = $4 AND x.change_seq > $2::bigint AND x.change_seq <= $3::bigint ORDER BY x.change_seq LIMIT $5)
     ORDER BY n LIMIT $5`,
    [link.id, after, upTo, resource, limit],
    { prepared: true },
  )
  const present = rows.filter((row) => row.removed_id === null)
  const accounts = wire.embedsAccount && present.length > 0 ? await accountsOfLinkAt(db, link.id, link.accountsVersion) : undefined
  const wired = await toWire(db, wire, present, accounts)
  let next = 0
  return rows.map((row) =>
    row.removed_id !== null
      ? { seq: row.seq, removed: row.removed_id }
      : { seq: row.seq, added: compareSeq(row.created_seq!, after) > 0, json: wired[next++].json },
  )
}

/** Compares two non-negative integers written in decimal. */
export function compareSeq(x: string, y: string): number {
  return x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0
}
