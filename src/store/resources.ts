import { jsonString, type JsonText } from '../lib/json-text.ts'
import type { Db, Queryable } from './db.ts'
import { copyValue } from './copy.ts'
import { isoTimestamp, isoUtc } from './sql.ts'
import type { Condition } from '../lib/list-query.ts'
import { readsAccount } from './filters.ts'
import { filteredPage, type PageRequest } from './pagination.ts'

/**
 * Storage of the data a link fetches: accounts, transactions, and every other resource in
 * `records`. Rows keep the wire body as JSON text without the fields that identify the row
 * (`id`, `link`, the embedded `account`); reads splice those in with string concatenation, so a
 * list page goes from the database to the socket without being parsed and re-encoded.
 */

export interface StoredRow {
  id: string
  internal_identification: string
  created_at: string
  /** When it was last collected (ISO-8601 UTC): the timestamps its body was stamped with. */
  collected_at: string
  /** md5 of the stored body: tells an updated record from an unchanged one. */
  body_md5: string
}

/** The stored bodies of one records resource of a link, in a stable order: what a resource computed from them reads. */
export async function recordBodies(db: Queryable, linkId: string, resource: string): Promise<Record<string, unknown>[]> {
  const rows = await db.query<{ body: string }>(
    'SELECT body FROM records WHERE link_id = $1 AND resource = $2 AND parent_id IS NULL ORDER BY internal_identification',
    [linkId, resource],
  )
  return rows.map((row) => JSON.parse(row.body) as Record<string, unknown>)
}

/** Existing ids, creation times and body hashes of these internal ids: a re-fetch updates rows in place. */
export async function existingRows(
  db: Queryable,
  table: 'accounts' | 'transactions' | 'records',
  linkId: string,
  internalIds: string[],
  resource?: string,
): Promise<Map<string, StoredRow>> {
  if (internalIds.length === 0) return new Map()
  const rows = await db.query<StoredRow>(
    `SELECT id, internal_identification, ${isoUtc('created_at')} AS created_at, ${isoUtc('collected_at')} AS collected_at, md5(body) AS body_md5
     FROM ${table} WHERE link_id = $1 AND internal_identification = ANY($2::text[])${resource ? ' AND resource = $3' : ''}`,
    resource ? [linkId, internalIds, resource] : [linkId, internalIds],
  )
  return new Map(rows.map((r) => [r.internal_identification, r]))
}

/**
 * An upsert's SET of the change columns (migration 0022, docs/sync.md): a row whose wire parts
 * really changed takes the insert's fresh change_seq and keeps its creation's; an unchanged
 * re-fetch leaves both, so a sync does not report it.
 */
const CHANGED = (stored: string, fetched: string) => {
  const changed = `${stored} IS DISTINCT FROM ${fetched}`
  const table = stored.replace(/^\(?(\w+)\..*$/, '$1')
  return `created_seq = CASE WHEN ${changed} THEN coalesce(${table}.created_seq, ${table}.change_seq) ELSE ${table}.created_seq END,
       change_seq = CASE WHEN ${changed} THEN EXCLUDED.change_seq ELSE ${table}.change_seq END`
}

export interface AccountInsert {
  id: string
  internal_identification: string
  category: string | null
  type: string | null
  name: string | null
  number: string | null
  currency: string | null
  balance_current: number | null
  balance_available: number | null
  public_identification_name: string | null
  public_identification_value: string | null
  collected_at: string
  created_at: string
  /** The complete account wire object. */
  body: string
}

/**
 * Upserts on the institution's id and answers the ids actually stored: when two fetches of a new
 * link race, the second keeps the first one's ids (and its body is rewritten to say so).
 */
export async function upsertAccounts(db: Queryable, organizationId: string, linkId: string, rows: AccountInsert[]): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map()
  const stored = await db.query<{ id: string; internal_identification: string }>(
    `INSERT INTO accounts AS existing (id, organization_id, link_id, internal_identification, category, type, name, number, currency,
       balance_current, balance_available, public_identification_name, public_identification_value, collected_at, created_at, body)
     SELECT u.id, $1, $2, u.internal_identification, u.category, u.type, u.name, u.number, u.currency, u.balance_current,
       u.balance_available, u.public_identification_name, u.public_identification_value, u.collected_at, u.created_at, u.body
     FROM json_to_recordset($3::json) AS u(id uuid, internal_identification text, category text, type text, name text, number text,
       currency text, balance_current numeric, balance_available numeric, public_identification_name text,
       public_identification_value text, collected_at timestamptz, created_at timestamptz, body text)
     ON CONFLICT (link_id, internal_identification) DO UPDATE SET category = EXCLUDED.category, type = EXCLUDED.type,
       name = EXCLUDED.name, number = EXCLUDED.number, currency = EXCLUDED.currency, balance_current = EXCLUDED.balance_current,
       balance_available = EXCLUDED.balance_available, public_identification_name = EXCLUDED.public_identification_name,
       public_identification_value = EXCLUDED.public_identification_value, collected_at = EXCLUDED.collected_at,
       ${CHANGED('existing.body', 'replace(EXCLUDED.body, \'"id":"\' || EXCLUDED.id || \'"\', \'"id":"\' || existing.id || \'"\')')},
       body = replace(EXCLUDED.body, '"id":"' || EXCLUDED.id || '"', '"id":"' || existing.id || '"')
     RETURNING id, internal_identification`,
    [organizationId, linkId, JSON.stringify(rows)],
  )
  return new Map(stored.map((r) => [r.internal_identification, r.id]))
}

export interface TransactionInsert {
  id: string
  account_id: string
  internal_identification: string
  value_date: string | null
  accounting_date: string | null
  amount: number | null
  currency: string | null
  type: string | null
  status: string | null
  category: string | null
  reference: string | null
  bill_name: string | null
  collected_at: string
  created_at: string
  /** The wire object without `id`, `account` and `collected_at` (which changes on every fetch). */
  body: string
}

/**
 * The columns a transaction row is written with, and their types: the one list of them (inserts,
 * upserts, COPY, the sandbox's copies). transactionsCopyData writes its fields in this order.
 */
const TRANSACTION_COLUMN_TYPES = [
  ['id', 'uuid'],
  ['organization_id', 'uuid'],
  ['link_id', 'uuid'],
  ['account_id', 'uuid'],
  ['internal_identification', 'text'],
  ['value_date', 'date'],
  ['accounting_date', 'timestamptz'],
  ['amount', 'numeric'],
  ['currency', 'text'],
  ['type', 'text'],
  ['status', 'text'],
  ['category', 'text'],
  ['reference', 'text'],
  ['bill_name', 'text'],
  ['collected_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['body', 'text'],
] as const
export const TRANSACTION_COLUMNS: readonly string[] = TRANSACTION_COLUMN_TYPES.map(([column]) => column)
/** What an upsert keeps of the row it meets: its identity and creation time. */
const KEPT_ON_UPDATE = new Set(['id', 'organization_id', 'link_id', 'internal_identification', 'created_at'])

const UPSERT_TRANSACTIONS = `WITH upserted AS (INSERT INTO transactions (${TRANSACTION_COLUMNS.join(', ')})
     SELECT ${TRANSACTION_COLUMNS.map((column) => (column === 'organization_id' ? '$1' : column === 'link_id' ? '$2' : `u.${column}`)).join(', ')}
     FROM json_to_recordset($3::json)
       AS u(${TRANSACTION_COLUMN_TYPES.filter(([column]) => column !== 'organization_id' && column !== 'link_id')
         .map(([column, type]) => `${column} ${type}`)
         .join(', ')})
     ON CONFLICT (link_id, internal_identification) DO UPDATE SET
       ${CHANGED('(transactions.body, transactions.account_id)', '(EXCLUDED.body, EXCLUDED.account_id)')},
       ${TRANSACTION_COLUMNS.filter((column) => !KEPT_ON_UPDATE.has(column))
         .map((column) => `${column} = EXCLUDED.${column}`)
         .join(', ')}
     RETURNING id, internal_identification),
     -- An update may move a transaction in the list order: remembered page boundaries must go.
     bumped AS (UPDATE links SET transactions_version = transactions_version + 1 WHERE id = $2)
     SELECT id, internal_identification FROM upserted`

/**
 * One statement per batch (a JSON document read with json_to_recordset: no parameter limit, no
 * per-element escaping in the driver), upserting on the institution's id. The link's transaction
 * count follows by trigger (migration 0006), as for every insert and delete of transactions.
 */
export async function upsertTransactions(db: Queryable, organizationId: string, linkId: string, rows: TransactionInsert[]): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map()
  // The batch travels as one JSON document: the driver would otherwise escape every element of
  // 15 array parameters (the bodies included), which measured as the costliest part of ingest.
  const stored = await db.query<{ id: string; internal_identification: string }>(UPSERT_TRANSACTIONS, [organizationId, linkId, JSON.stringify(rows)])
  // The ids actually stored: a row another request inserted first keeps that request's id.
  return new Map(stored.map((r) => [r.internal_identification, r.id]))
}

/** A batch of new transactions in COPY's text format (built while the previous batch is written). */
export function transactionsCopyData(organizationId: string, linkId: string, rows: TransactionInsert[]): { data: string; count: number } {
  const owner = `${organizationId}\t${linkId}\t`
  let data = ''
  for (const r of rows) {
    // ids, dates, timestamps and numbers never hold a character COPY would need escaped.
    data += `${r.id}\t${owner}${r.account_id}\t${copyValue(r.internal_identification)}\t${r.value_date ?? NULL}\t${r.accounting_date ?? NULL}\t${r.amount ?? NULL}\t${copyValue(r.currency)}\t${copyValue(r.type)}\t${copyValue(r.status)}\t${copyValue(r.category)}\t${copyValue(r.reference)}\t${copyValue(r.bill_name)}\t${r.collected_at}\t${r.created_at}\t${copyValue(r.body)}\n`
  }
  return { data, count: rows.length }
}
const NULL = '\\N'

/**
 * A link's first transactions, written with COPY: about twice as fast as any INSERT here, and a
 * single statement (the link's count follows by trigger), so a batch costs one round trip to the
 * database. Returns false, having written nothing, when one of them exists already (another fetch
 * of the same link got there first): the caller upserts then.
 */
export async function insertNewTransactions(db: Queryable, batch: { data: string; count: number }): Promise<boolean> {
  if (batch.count === 0) return true
  try {
    await db.copyIn(`transactions (${TRANSACTION_COLUMNS.join(', ')})`, batch.data)
    return true
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false
    throw error
  }
}
const UNIQUE_VIOLATION = '23505'

export interface RecordInsert {
  id: string
  account_id: string | null
  internal_identification: string
  record_date: string | null
  kind: string | null
  /** The record this one belongs to (an exchange history event's exchange; migration 0008). */
  parent_id?: string | null
  collected_at: string
  created_at: string
  /** The wire object without `id`, `link` and an embedded `account`. */
  body: string
}

/** Upserts on the institution's id; answers the ids actually stored (see upsertAccounts). */
export async function upsertRecords(
  db: Queryable,
  organizationId: string,
  linkId: string,
  resource: string,
  rows: RecordInsert[],
): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map()
  const stored = await db.query<{ id: string; internal_identification: string }>(
    `INSERT INTO records (id, organization_id, link_id, resource, account_id, internal_identification, record_date, kind, parent_id, collected_at, created_at, body)
     SELECT u.id, $1, $2, $3, u.account_id, u.internal_identification, u.record_date, u.kind, u.parent_id, u.collected_at, u.created_at, u.body
     FROM json_to_recordset($4::json) AS u(id uuid, account_id uuid, internal_identification text, record_date date, kind text,
       parent_id uuid, collected_at timestamptz, created_at timestamptz, body text)
     ON CONFLICT (link_id, resource, internal_identification) DO UPDATE SET
       ${CHANGED('(records.body, records.account_id, records.parent_id)', '(EXCLUDED.body, EXCLUDED.account_id, EXCLUDED.parent_id)')}, account_id = EXCLUDED.account_id,
       record_date = EXCLUDED.record_date, kind = EXCLUDED.kind, parent_id = EXCLUDED.parent_id, collected_at = EXCLUDED.collected_at, body = EXCLUDED.body
     RETURNING id, internal_identification`,
    [organizationId, linkId, resource, JSON.stringify(rows)],
  )
  return new Map(stored.map((r) => [r.internal_identification, r.id]))
}

/**
 * In a batch write's transaction, before writing: takes a key-share lock on the link and on the
 * batch's accounts, and answers what is gone (transactions have no foreign keys, migration 0002).
 * Deleting a link or an account locks its row first (a conflicting lock), so it either waits for
 * the batch to commit and deletes its rows too, or has committed and the batch sees the row gone.
 * One indexed lookup per table per batch.
 */
export async function lockBatchOwners(tx: Queryable, linkId: string, accountIds: string[]): Promise<'link' | 'account' | undefined> {
  const [row] = await tx.query<{ links: number; accounts: number }>(
    `WITH l AS (SELECT id FROM links WHERE id = $1 FOR KEY SHARE),
       a AS (SELECT id FROM accounts WHERE id = ANY($2::uuid[]) AND link_id = $1 FOR KEY SHARE)
     SELECT (SELECT count(*) FROM l)::int AS links, (SELECT count(*) FROM a)::int AS accounts`,
    [linkId, accountIds],
  )
  if (Number(row.links) === 0) return 'link'
  if (Number(row.accounts) !== accountIds.length) return 'account'
  return undefined
}

/** Whether the organization has this record of this resource (a parent whose children are listed). */
export async function recordExists(db: Queryable, organizationId: string, id: string, resource: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM records WHERE organization_id = $1 AND id = $2 AND resource = $3', [organizationId, id, resource], {
    prepared: true,
  })
  return rows.length > 0
}

/** The accounts of a link by internal id (to attach transactions, balances, bills to them). */
export async function accountsOfLink(db: Queryable, linkId: string): Promise<{ id: string; internal_identification: string; body: string }[]> {
  return db.query('SELECT id, internal_identification, body FROM accounts WHERE link_id = $1', [linkId])
}

/**
 * How a table's rows become wire JSON text. The database returns the stored pieces as they are
 * (the body, the ids, an embedded account's body) and `toJson` splices them together: string
 * concatenation in Node is nearly free, while doing it (and formatting timestamps) in SQL was the
 * largest part of a list query. The pieces stay apart until the page is encoded, so an embedded
 * account goes out as bytes encoded once rather than once per row.
 */
export interface WireQuery {
  /** The table and its alias, e.g. `transactions t`. */
  table: string
  alias: string
  /** Joins some filters need (e.g. on a transaction's account); the JSON itself needs none. */
  joins?: string
  /** The joins' aliases: a filter on one of them needs the joins. */
  joinAliases?: string[]
  /** The select list `toJson` reads. */
  columns: string
  /**
   * The column naming an account whose wire object is embedded: the page's accounts are read
   * once, in a second query, rather than once per row (a 1000-row page would carry the same
   * few account bodies a thousand times out of the database).
   */
  embedsAccount?: string
  /** `account` is the embedded account's body as UTF-8 bytes (lib/json-text). */
  toJson(row: Record<string, string | null>, account: Buffer | null): JsonText
  orderBy: string
  /** Always-on conditions besides the organization (e.g. the resource of `records`). */
  where?: string[]
}

const ACCOUNT_ALIAS = 'a'
const ACCOUNT_JOIN = { joins: `JOIN accounts ${ACCOUNT_ALIAS} ON ${ACCOUNT_ALIAS}.id = {alias}.account_id`, joinAliases: [ACCOUNT_ALIAS] }

export const ACCOUNT_WIRE: WireQuery = {
  table: 'accounts a',
  alias: 'a',
  columns: 'a.body',
  orderBy: 'a.created_at, a.id',
  toJson: (row) => row.body!,
}

export const TRANSACTION_WIRE: WireQuery = {
  table: 'transactions t',
  alias: 't',
  joins: ACCOUNT_JOIN.joins.replace('{alias}', 't'),
  joinAliases: ACCOUNT_JOIN.joinAliases,
  columns: 't.id, t.account_id, t.collected_at, t.body',
  embedsAccount: 'account_id',
  toJson: (row, account) => [`{"id":"${row.id}","account":`, account ?? 'null', `,"collected_at":"${isoTimestamp(row.collected_at!)}",${row.body!.slice(1)}`],
  orderBy: 't.value_date DESC, t.id',
}

/**
 * `records` of one resource; `link` and `account` are spliced in when the wire shape has them.
 * Listed oldest first, or by a field of the body (`orderByBodyField`, then id).
 */
export function recordWire(resource: string, options: { link: boolean; account: 'object' | 'none'; orderByBodyField?: string }): WireQuery {
  const account = options.account === 'object'
  return {
    table: 'records r',
    alias: 'r',
    ...(account ? { joins: `LEFT ${ACCOUNT_JOIN.joins.replace('{alias}', 'r')}`, joinAliases: ACCOUNT_JOIN.joinAliases, embedsAccount: 'account_id' } : {}),
    columns: 'r.id, r.link_id, r.account_id, r.body',
    toJson: (row, embedded) => {
      const head = `{"id":"${row.id}",${options.link ? `"link":"${row.link_id}",` : ''}`
      return account ? [`${head}"account":`, embedded ?? 'null', `,${row.body!.slice(1)}`] : `${head}${row.body!.slice(1)}`
    },
    orderBy: options.orderByBodyField ? `(r.body::json->>'${options.orderByBodyField.replace(/'/g, '')}'), r.id` : 'r.created_at, r.id',
    where: [`r.resource = '${resource.replace(/'/g, '')}'`],
  }
}

/**
 * Rows to wire JSON texts, with their embedded accounts read in one query (or given, by id, when
 * the caller knows them already).
 */
export async function toWire(
  db: Queryable,
  wire: WireQuery,
  rows: Record<string, string | null>[],
  known?: Map<string, Buffer>,
): Promise<{ json: JsonText }[]> {
  const key = wire.embedsAccount
  if (!key) return rows.map((row) => ({ json: wire.toJson(row, null) }))
  let bodies = known
  if (!bodies) {
    const ids = [...new Set(rows.map((row) => row[key]).filter((id): id is string => id !== null))]
    const accounts =
      ids.length === 0
        ? []
        : await db.query<{ id: string; body: string }>('SELECT id, body FROM accounts WHERE id = ANY($1::uuid[])', [ids], { prepared: true })
    bodies = new Map(accounts.map((a) => [a.id, Buffer.from(a.body)]))
  }
  return rows.map((row) => ({ json: wire.toJson(row, bodies.get(row[key] ?? '') ?? null) }))
}

/**
 * A link's account bodies by id as of its `accounts_version` (migration 0007), per process. A page
 * of the link's transactions reads the version in its own statement and takes the bodies from here
 * while it matches: one query per page instead of two, and a round trip cost more than the page.
 */
interface LinkAccounts {
  version: string
  bodies: Map<string, Buffer>
}
const linkAccounts = new Map<string, LinkAccounts>()
const MAX_LINK_ACCOUNTS = 1000

/** Only once the organization-scoped page read has found rows of the link. */
export async function accountsOfLinkAt(db: Queryable, linkId: string, version: string): Promise<Map<string, Buffer>> {
  const cached = linkAccounts.get(linkId)
  if (cached?.version === version) return cached.bodies
  const rows = await db.query<{ id: string; body: string; version: string }>(
    `SELECT a.id, a.body, (SELECT accounts_version FROM links WHERE id = $1)::text AS version FROM accounts a WHERE a.link_id = $1`,
    [linkId],
    { prepared: true },
  )
  const bodies = new Map(rows.map((r) => [r.id, Buffer.from(r.body)]))
  // Kept under the version read with the bodies, which may already be newer than `version`.
  if (rows.length > 0) {
    if (linkAccounts.size >= MAX_LINK_ACCOUNTS) linkAccounts.delete(linkAccounts.keys().next().value!)
    linkAccounts.set(linkId, { version: rows[0].version, bodies })
  }
  return bodies
}

/** From this OFFSET on, a page first pages over ids alone (a deferred join). */
const DEFERRED_JOIN_FROM_OFFSET = 1000

/**
 * Where deep pages of a link's transaction list start: (value_date, id) of a page's first row,
 * valid while the link's `transactions_version` (bumped by every insert, delete and upsert of its
 * transactions) is the one recorded. Serving page N records where page N + 1 starts, so a client
 * walking `next` links reads each deep page by a bounded index range instead of skipping all the
 * rows before it. Per process, and checked against the version in the same statement that reads
 * the page, so a stale boundary is never used.
 */
interface PageBoundary {
  valueDate: string
  id: string
  version: string
}
const boundaries = new Map<string, PageBoundary>()
const MAX_BOUNDARIES = 10_000

const boundaryKey = (organizationId: string, linkId: string, page: PageRequest) => `${organizationId}|${linkId}|${page.pageSize}|${page.page}`

function rememberBoundary(key: string, boundary: PageBoundary): void {
  if (boundaries.size >= MAX_BOUNDARIES) boundaries.delete(boundaries.keys().next().value!)
  boundaries.set(key, boundary)
}

type TransactionRow = Record<string, string | null> & { total: string; version: string; accounts_version: string }

/**
 * GET /api/transactions/?link=... with no other filter, the common list: one statement per page,
 * the count kept on the link, deep pages by a remembered boundary or a deferred join.
 */
export async function listLinkTransactions(db: Queryable, organizationId: string, linkId: string, page: PageRequest) {
  const wire = TRANSACTION_WIRE
  const offset = (page.page - 1) * page.pageSize
  const key = boundaryKey(organizationId, linkId, page)
  // The wire pieces, the list position, and the link's kept count and version.
  const select = `${wire.columns}, t.value_date::text AS value_date,
    (SELECT transaction_count FROM links WHERE organization_id = $1 AND id = $2) AS total,
    (SELECT transactions_version FROM links WHERE organization_id = $1 AND id = $2)::text AS version,
    (SELECT accounts_version FROM links WHERE organization_id = $1 AND id = $2)::text AS accounts_version`
  const scope = 't.organization_id = $1 AND t.link_id = $2'
  // One row past the page tells where the next page starts.
  const limit = page.pageSize + 1
  let rows: TransactionRow[] | undefined
  const known = offset >= DEFERRED_JOIN_FROM_OFFSET ? boundaries.get(key) : undefined
  if (known) {
    // (value_date DESC, id ASC) from the boundary on; the redundant `value_date <=` bound lets
    // the index range start there.
    const found = await db.query<TransactionRow>(
      `SELECT ${select} FROM transactions t
       WHERE ${scope} AND t.value_date <= $3::date AND (t.value_date < $3::date OR (t.value_date = $3::date AND t.id >= $4::uuid))
       ORDER BY ${wire.orderBy} LIMIT $5`,
      [organizationId, linkId, known.valueDate, known.id, limit],
      { prepared: true },
    )
    if (found.length > 0 && found[0].version === known.version && found[0].id === known.id) rows = found
    else boundaries.delete(key)
  }
  rows ??= await db.query<TransactionRow>(
    offset < DEFERRED_JOIN_FROM_OFFSET
      ? `SELECT ${select} FROM transactions t WHERE ${scope} ORDER BY ${wire.orderBy} LIMIT $3 OFFSET $4`
      : // Deep pages skip rows on the list index alone (index-only once vacuumed), then read the
        // page's rows: with a plain OFFSET every skipped row would be fetched.
        `SELECT ${select}
         FROM (SELECT t.id AS page_id FROM transactions t WHERE ${scope} ORDER BY ${wire.orderBy} LIMIT $3 OFFSET $4) page
         JOIN transactions t ON t.id = page.page_id ORDER BY ${wire.orderBy}`,
    [organizationId, linkId, limit, offset],
    { prepared: true },
  )
  if (rows.length > page.pageSize) {
    const next = rows.pop()!
    if (next.value_date !== null && offset + page.pageSize >= DEFERRED_JOIN_FROM_OFFSET) {
      rememberBoundary(boundaryKey(organizationId, linkId, { ...page, page: page.page + 1 }), {
        valueDate: next.value_date,
        id: next.id!,
        version: next.version,
      })
    }
  }
  if (rows.length > 0 && offset >= DEFERRED_JOIN_FROM_OFFSET && rows[0].value_date !== null) {
    rememberBoundary(key, { valueDate: rows[0].value_date, id: rows[0].id!, version: rows[0].version })
  }
  // No rows: either an empty list (page 1, count 0) or a page past the end (404 upstream).
  const count = rows.length > 0 ? Number(rows[0].total) : page.page === 1 ? 0 : offset
  const accounts = rows.length > 0 ? await accountsOfLinkAt(db, linkId, rows[0].accounts_version) : undefined
  return { count, rows: await toWire(db, wire, rows, accounts) }
}

/** One page of wire JSON texts, filtered and scoped to the organization (`alias.organization_id`). */
export async function listWire(db: Queryable, wire: WireQuery, organizationId: string, conditions: Condition[], page: PageRequest) {
  const scope = { where: [`${wire.alias}.organization_id = $1`, ...(wire.where ?? [])], params: [organizationId] as unknown[] }
  const needsJoins = wire.joins !== undefined && wire.joinAliases?.includes(ACCOUNT_ALIAS) === true && conditions.some((c) => readsAccount(c.field))
  // Without a kept count: count(*) and the page's ids side by side, then the page's rows (a
  // deferred join at every depth, which also keeps a filtered count and page on one plan shape).
  const result = await filteredPage<{ id: string }>(
    db,
    {
      from: `${wire.table}${needsJoins ? ` ${wire.joins}` : ''}`,
      alias: wire.alias,
      accountAlias: needsJoins ? ACCOUNT_ALIAS : undefined,
      select: `${wire.alias}.id`,
      orderBy: wire.orderBy,
      ...scope,
    },
    conditions,
    page,
  )
  if (result.rows.length === 0) return { count: result.count, rows: [] as { json: JsonText }[] }
  const rows = await db.query<Record<string, string | null>>(
    `SELECT ${wire.columns} FROM ${wire.table} WHERE ${wire.alias}.id = ANY($1::uuid[]) ORDER BY ${wire.orderBy}`,
    [result.rows.map((r) => r.id)],
    { prepared: true },
  )
  return { count: result.count, rows: await toWire(db, wire, rows) }
}

export async function findWire(db: Queryable, wire: WireQuery, organizationId: string, id: string): Promise<string | undefined> {
  const rows = await db.query<Record<string, string | null>>(
    `SELECT ${wire.columns} FROM ${wire.table}
     WHERE ${[`${wire.alias}.organization_id = $1`, `${wire.alias}.id = $2`, ...(wire.where ?? [])].join(' AND ')}`,
    [organizationId, id],
    { prepared: true },
  )
  return rows[0] ? jsonString((await toWire(db, wire, rows))[0].json) : undefined
}

/** Deletes one row (in a transaction: an account takes its transactions and records with it). */
export async function deleteRow(
  db: Queryable,
  table: 'accounts' | 'transactions' | 'records',
  organizationId: string,
  id: string,
  resource?: string,
): Promise<boolean> {
  const rows = await db.query(
    `DELETE FROM ${table} WHERE organization_id = $1 AND id = $2${resource ? ' AND resource = $3' : ''} RETURNING 1`,
    resource ? [organizationId, id, resource] : [organizationId, id],
  )
  if (rows.length === 0) return false
  if (table === 'accounts') await db.query('DELETE FROM transactions WHERE account_id = $1', [id])
  return true
}

/** The link's kept transaction count (0 for a link of another organization). */
export async function linkTransactionCount(db: Queryable, organizationId: string, linkId: string): Promise<number> {
  const rows = await db.query<{ n: string }>('SELECT transaction_count AS n FROM links WHERE organization_id = $1 AND id = $2', [organizationId, linkId])
  return Number(rows[0]?.n ?? 0)
}

/** Counts a request against a fixed one-minute window; returns the count including this one. */
export async function hitRateLimit(
  db: Queryable,
  organizationId: string,
  bucket: string,
  now: string,
  windowSeconds: number,
): Promise<{ count: number; resetsInSeconds: number }> {
  const rows = await db.query<{ count: number; resets: number }>(
    `INSERT INTO rate_limits AS r (organization_id, bucket, window_start, count) VALUES ($1, $2, $3::timestamptz, 1)
     ON CONFLICT (organization_id, bucket) DO UPDATE SET
       count = CASE WHEN r.window_start <= $3::timestamptz - make_interval(secs => $4) THEN 1 ELSE r.count + 1 END,
       window_start = CASE WHEN r.window_start <= $3::timestamptz - make_interval(secs => $4) THEN $3::timestamptz ELSE r.window_start END
     RETURNING count, ceil(extract(epoch FROM (window_start + make_interval(secs => $4) - $3::timestamptz)))::int AS resets`,
    [organizationId, bucket, now, windowSeconds],
  )
  return { count: rows[0].count, resetsInSeconds: Math.max(1, rows[0].resets) }
}

/** The internal ids of a link's stored transactions in a period (to find what the institution no longer reports). */
export async function transactionsInPeriod(
  db: Queryable,
  linkId: string,
  dateFrom: string,
  dateTo: string,
): Promise<{ id: string; internal_identification: string }[]> {
  return db.query('SELECT id, internal_identification FROM transactions WHERE link_id = $1 AND value_date BETWEEN $2::date AND $3::date', [
    linkId,
    dateFrom,
    dateTo,
  ])
}

export async function deleteTransactions(db: Queryable, linkId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return
  await db.query('DELETE FROM transactions WHERE link_id = $1 AND id = ANY($2::uuid[])', [linkId, ids])
}

/**
 * Fresh planner statistics for a table after a large ingest (PGlite has no autovacuum); VACUUM
 * also marks pages all-visible, which lets deep list pages skip rows on the index alone.
 */
export async function refreshStatistics(db: Db, table: 'accounts' | 'transactions' | 'records'): Promise<void> {
  await db.exec(`VACUUM ANALYZE ${table}`)
}

/** Summary of a link's stored transactions, for the TRANSACTIONS historical_update webhook. */
export async function transactionSummary(db: Queryable, linkId: string) {
  const rows = await db.query<{ total: string; inflow: string; outflow: string; first: string | null; last: string | null }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE type = 'INFLOW') AS inflow, count(*) FILTER (WHERE type = 'OUTFLOW') AS outflow,
       min(value_date)::text AS first, max(value_date)::text AS last FROM transactions WHERE link_id = $1`,
    [linkId],
  )
  const r = rows[0]
  return {
    total_transactions: Number(r.total),
    total_inflow_transactions: Number(r.inflow),
    total_outflow_transactions: Number(r.outflow),
    first_transaction_date: r.first,
    last_transaction_date: r.last,
  }
}

export async function countStored(db: Queryable, table: 'accounts' | 'records', linkId: string, resource?: string): Promise<number> {
  const rows = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${table} WHERE link_id = $1${resource ? ' AND resource = $2' : ''}`,
    resource ? [linkId, resource] : [linkId],
  )
  return Number(rows[0].n)
}

/** Data retention: removes everything a link fetched (the link itself stays). */
export async function purgeLinkData(db: Queryable, linkId: string): Promise<void> {
  // First, as a deletion does: a batch being written commits before this goes on (lockBatchOwners).
  await db.query('SELECT 1 FROM links WHERE id = $1 FOR UPDATE', [linkId])
  await db.query('DELETE FROM transactions WHERE link_id = $1', [linkId])
  await db.query('DELETE FROM records WHERE link_id = $1', [linkId])
  await db.query('DELETE FROM accounts WHERE link_id = $1', [linkId])
}
