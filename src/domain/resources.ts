import { wireShape, type CatalogInstitution as Institution } from '../connectors/catalog.ts'
import type { ConnectorContext, ConnectorResource, FetchParams, InstitutionConnector, InstitutionRecord } from '../connectors/types.ts'
import { PonteError } from '../lib/errors.ts'
import { createHash } from 'node:crypto'
import { isUuid, uuidv5, uuidv7 } from '../lib/ids.ts'
import type { Queryable } from '../store/db.ts'
import type { Condition, FilterField } from '../lib/list-query.ts'
import type { PageRequest } from '../lib/list-query.ts'
import { updateLink, type LinkRow } from '../store/links.ts'
import { QUEUES } from '../jobs/queue.ts'
import * as store from '../store/resources.ts'
import type { Actor, DomainContext } from './context.ts'
import { ACCOUNTS_RESOURCE, existsAt } from './registry.ts'
import { labelUncategorized } from './enrichment/categorize.ts'
import { enqueueForLink, type AsyncRequestJob } from './schedule.ts'
import { assertCanLogIn, getLinkRow, openInstitutionSession, takeSession, type ResumeInput } from './sessions.ts'
import {
  checkPeriod,
  withoutFields,
  type AccountIndex,
  type ChildResource,
  type DeriveRequest,
  type EmbeddedRecord,
  type FetchRequest,
  type ResourceSpec,
} from './resource-spec.ts'

/**
 * The engine behind every "retrieve, store, list, detail, delete" resource of Belvo. A resource
 * declares where it lives, how its records become rows, and how it asks the institution for
 * them; this module does the rest the same way for all: link checks, the MFA 428/PATCH flow,
 * upserts on the institution's own ids, save_data, organization scoping, rate-limited deletes.
 */

/**
 * The id a new record gets: derived from its link and the institution's id, so that records
 * embedding it can name it first (EmbeddedRecord).
 */
export function recordId(linkId: string, recordKey: string, internalId: string): string {
  return uuidv5(linkId, `${recordKey}/${internalId}`)
}

/** `records` with the ids of the records they embed filled in. */
async function withEmbeddedIds(ctx: DomainContext, link: LinkRow, embeds: EmbeddedRecord, records: InstitutionRecord[]): Promise<InstitutionRecord[]> {
  const internalIds = new Set<string>()
  for (const record of records) {
    const internalId = embeds.internalId(record)
    if (internalId) internalIds.add(internalId)
  }
  if (internalIds.size === 0) return records
  const stored = await store.existingRows(ctx.db, 'records', link.id, [...internalIds], embeds.recordKey)
  return records.map((record) => {
    const internalId = embeds.internalId(record)
    return internalId ? embeds.withId(record, stored.get(internalId)?.id ?? recordId(link.id, embeds.recordKey, internalId)) : record
  })
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex')
const ANALYZE_AFTER_ROWS = 5000
const YIELD_EVERY_ROWS = 500

async function loadAccounts(db: Queryable, linkId: string): Promise<AccountIndex> {
  const rows = await store.accountsOfLink(db, linkId)
  return new Map(rows.map((r) => [r.internal_identification, { id: r.id, wire: JSON.parse(r.body) }]))
}

/** Keys the server owns on the wire (it adds them), never taken from a record. */
const SERVER_OWNED = ['id', 'link', 'collected_at', 'created_at', 'account']
const omittedBySpec = new WeakMap<ResourceSpec, ReadonlySet<string>>()

/** What a spec's wire bodies leave out of its records: the server-owned keys and its linking fields. */
function omittedKeys(spec: ResourceSpec): ReadonlySet<string> {
  let omitted = omittedBySpec.get(spec)
  if (!omitted) omittedBySpec.set(spec, (omitted = new Set([...SERVER_OWNED, ...spec.linkingFields])))
  return omitted
}

/** The record without the `omitted` keys, after `first` (a plain loop into one object: this runs per row on ingest). */
function strip(record: InstitutionRecord, omitted: ReadonlySet<string>, first: Record<string, unknown> = {}): Record<string, unknown> {
  const out = first
  for (const key in record) if (!omitted.has(key)) out[key] = record[key]
  return out
}

/**
 * `value` with Belvo's timestamps of the access, rather than of the institution's data, set to
 * `at`: `last_accessed_at` ("Belvo's most recent successful access to the institution for the
 * given link": this one) and every nested `collected_at` ("when the data point was collected":
 * credit_data, loan_data, funds_data, a card transaction's credit_card_data, a statement's
 * transactions), so they agree with the record's own collected_at. The server stamps them for
 * every connector over whatever it reported; only keys the record has are set, so each shape
 * keeps its fields. Objects it goes through are copied, never changed.
 */
function stampAccess<T>(value: T, at: string): T {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => stampAccess(item, at)) as T
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) out[key] = key === 'collected_at' || key === 'last_accessed_at' ? at : stampAccess(item, at)
  return out as T
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}
function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

export interface RetrieveResult {
  /** The wire objects, as the POST returns them (empty when not collected). */
  items: Record<string, unknown>[]
  /** How many records the institution returned. */
  total: number
  saved: boolean
  /** For transactions: what this retrieval got, as a historical_update webhook describes it. */
  transactions?: TransactionTally
}

/** Transactions retrieved, by direction, and the span of their value dates. */
export interface TransactionTally {
  inflow: number
  outflow: number
  first: string | null
  last: string | null
}

function tallyTransactions(tally: TransactionTally, rows: { type: string | null; value_date: string | null }[]): void {
  for (const row of rows) {
    if (row.type === 'INFLOW') tally.inflow++
    else if (row.type === 'OUTFLOW') tally.outflow++
    const day = row.value_date?.slice(0, 10) ?? null
    if (day === null) continue
    if (tally.first === null || day < tally.first) tally.first = day
    if (tally.last === null || day > tally.last) tally.last = day
  }
}

/**
 * POST /api/<resource>/: logs in for the link, fetches from the institution, stores (unless
 * `save_data` is false) and returns the wire objects. Accounts are fetched and stored first when
 * a resource hangs off them and the link has none yet.
 */
export async function retrieve(
  ctx: DomainContext,
  actor: Actor,
  spec: ResourceSpec,
  request: Record<string, unknown>,
  options: RetrieveOptions = {},
): Promise<RetrieveResult> {
  const link = await getLinkRow(ctx, actor, String(request.link), { field: 'link' })
  return retrieveForLink(ctx, actor, spec, link, request, options)
}

export interface RetrieveOptions {
  /** Keep the wire objects to return them (HTTP); background fetches only count them. */
  collect?: boolean
  /** Filled with what changed in the store (recurrent updates report it by webhook). */
  changes?: Changes
  /** The historical update that follows the link's creation (openInstitutionSession). */
  firstFetch?: boolean
  /** Called with the row count of each batch once it is written (`ponte seed`'s progress). */
  onBatch?: (rows: number) => void
}

export interface Changes {
  /** Ids of rows that did not exist before. */
  inserted: string[]
  /** Ids of rows whose content changed. */
  updated: string[]
  /** Internal ids the institution reported. */
  seen: Set<string>
}

export function newChanges(): Changes {
  return { inserted: [], updated: [], seen: new Set() }
}

/**
 * POST with `X-Belvo-Request-Mode: async`: the link and the period are checked now (a 400 is
 * still immediate), the retrieval runs as a job and its webhook carries `requestId`.
 */
export async function retrieveAsync(ctx: DomainContext, actor: Actor, spec: ResourceSpec, request: Record<string, unknown>, requestId: string): Promise<void> {
  const link = await getLinkRow(ctx, actor, String(request.link), { field: 'link' })
  await assertCanLogIn(ctx, link)
  if ('date_from' in request || 'date_to' in request) checkPeriod(ctx.clock.now().toISOString().slice(0, 10), request, { required: false })
  const { token, ...rest } = request
  await ctx.db.tx((tx) =>
    enqueueForLink(ctx, tx, QUEUES.asyncRequest, link.id, {
      organizationId: actor.organizationId,
      requestId,
      kind: 'retrieve',
      resource: spec.name,
      request: rest,
      ...(typeof token === 'string' ? { sealedToken: ctx.cipher.encrypt(token) } : {}),
    } satisfies AsyncRequestJob),
  )
}

/** PATCH /api/<resource>/: finishes a retrieval that answered 428. */
export async function resume(ctx: DomainContext, actor: Actor, spec: ResourceSpec, input: ResumeInput): Promise<RetrieveResult> {
  const { link, request } = await takeSession(ctx, actor, input, [`retrieve:${spec.name}`])
  const saveData = input.save_data ?? (request.save_data as boolean | undefined)
  return retrieveForLink(ctx, actor, spec, link, { ...request, save_data: saveData, token: input.token ?? undefined })
}

/**
 * Whether the institution's connector fetches this resource (and the accounts it hangs off): a
 * real connector implements what its institution offers, the rest is Belvo's unsupported_operation.
 */
export function connectorSupports(ctx: DomainContext, institution: Institution, spec: ResourceSpec): boolean {
  const connector = ctx.connectors.connectorFor(institution)
  return connector.supports(spec.connectorResource) && (!spec.needsAccounts || connector.supports(ACCOUNTS_RESOURCE.connectorResource))
}

/** A connector's answer as batches, whether it streams them or answers at once. */
function batchesOf(
  connector: InstitutionConnector,
  resource: ConnectorResource,
  session: ConnectorContext,
  params: FetchParams,
): AsyncIterable<InstitutionRecord[]> {
  const fetched = connector.fetch(resource, session, params)
  return Symbol.asyncIterator in fetched ? fetched : once(fetched)
}

async function fetchAll(
  connector: InstitutionConnector,
  resource: ConnectorResource,
  session: ConnectorContext,
  params: FetchParams,
): Promise<InstitutionRecord[]> {
  const records: InstitutionRecord[] = []
  for await (const batch of batchesOf(connector, resource, session, params)) for (const record of batch) records.push(record)
  return records
}

async function retrieveForLink(
  ctx: DomainContext,
  actor: Actor,
  spec: ResourceSpec,
  link: LinkRow,
  request: Record<string, unknown>,
  options: RetrieveOptions = {},
): Promise<RetrieveResult> {
  const institution = ctx.connectors.institution(link.institution)!
  if (!institution.resources.includes(spec.institutionResource)) throw new PonteError('unsupported_operation')
  if (!existsAt(spec, { country: institution.country, shape: wireShape(institution) })) throw new PonteError('unsupported_operation')
  if (!connectorSupports(ctx, institution, spec)) throw new PonteError('unsupported_operation')
  // Computed from stored data: nothing stored, nothing to compute (Belvo's 404), and no login for it.
  const basedOn = spec.computedFrom ? await store.recordBodies(ctx.db, link.id, spec.computedFrom) : undefined
  if (basedOn && basedOn.length === 0) throw new PonteError('not_found')
  const session = await openInstitutionSession(ctx, actor, link, `retrieve:${spec.name}`, request as { token?: string | null }, {
    firstFetch: options.firstFetch,
    resource: spec.institutionResource,
  })
  const connector = ctx.connectors.connectorFor(institution)
  const saveData = request.save_data !== false
  // One instant per access: the link's last_accessed_at, and every collected_at and
  // last_accessed_at of what this access collects (stampAccess).
  const now = session.accessedAt

  let accounts = await loadAccounts(ctx.db, link.id)
  if (spec.needsAccounts && accounts.size === 0) {
    const records = await fetchAll(connector, ACCOUNTS_RESOURCE.connectorResource, session, {})
    const built = buildAccounts(link, institution, records, new Map(), now)
    accounts = new Map()
    indexAccounts(built, accounts)
    if (saveData) await storeAccounts(ctx, actor, link, built, accounts)
  }

  // A link's first transactions need no lookup of existing rows: there are none to update.
  const fresh = spec.storage === 'transactions' && (await store.linkTransactionCount(ctx.db, actor.organizationId, link.id)) === 0
  const params = { ...spec.fetchParams?.({ request, accounts, today: session.today }), ...(basedOn ? { basedOn } : {}) }
  const fetched = batchesOf(connector, spec.connectorResource, session, params)
  const batches = spec.derive
    ? once(derived(spec, fetched, { request, accounts, today: session.today, shape: wireShape(institution), country: institution.country }))
    : fetched
  const items: Record<string, unknown>[] = []
  let total = 0
  const tally: TransactionTally | undefined = spec.storage === 'transactions' ? { inflow: 0, outflow: 0, first: null, last: null } : undefined
  // A two-stage pipeline: while one batch is written, the next is fetched and prepared (PostgreSQL
  // works in its own process meanwhile). At most two batches are in memory.
  const batchOptions: BatchOptions = { saveData, fresh, collect: options.collect !== false, changes: options.changes, institution: { connector, session } }
  let writing: Promise<void> = Promise.resolve()
  try {
    for await (const records of batches) {
      const batch = await prepareBatch(ctx, actor, spec, link, institution, records, accounts, now, batchOptions)
      await writing
      total += batch.count
      if (tally && batch.transactions) tallyTransactions(tally, batch.transactions)
      for (const wire of batch.wires) items.push(wire)
      writing = options.onBatch ? batch.write().then(() => options.onBatch!(batch.count)) : batch.write()
      // Awaited on the next turn; until then a failure must not count as unhandled.
      writing.catch(() => {})
    }
    await writing
  } finally {
    // Whatever failed, no write outlives the request.
    await writing.catch(() => {})
  }
  // Fresh data restarts the link's data-retention clock (stale_in).
  if (saveData) await updateLink(ctx.db, actor.organizationId, link.id, { data_updated_at: now })
  // A large ingest changes the table's statistics; without fresh ones the planner sorts a whole
  // link instead of walking the list index.
  if (saveData && total >= ANALYZE_AFTER_ROWS) await store.refreshStatistics(ctx.db, spec.storage)
  return { items, total, saved: saveData, ...(tally ? { transactions: tally } : {}) }
}

/** An enrichment's records (ResourceSpec.derive): computed once the connector's answer is whole. */
async function derived(spec: ResourceSpec, fetched: AsyncIterable<InstitutionRecord[]>, request: DeriveRequest): Promise<InstitutionRecord[]> {
  const records: InstitutionRecord[] = []
  for await (const batch of fetched) for (const record of batch) records.push(record)
  return spec.derive!(records, request)
}

async function* once<T>(promise: Promise<T>): AsyncIterable<T> {
  yield await promise
}

type BuiltAccounts = ReturnType<typeof buildAccounts>

function indexAccounts(built: BuiltAccounts, accounts: AccountIndex): void {
  built.rows.forEach((row, i) => accounts.set(row.internal_identification, { id: row.id, wire: built.wires[i] }))
}

/** Stores accounts and adopts the ids the store kept (a concurrent fetch may have stored them first). */
async function storeAccounts(ctx: DomainContext, actor: Actor, link: LinkRow, built: BuiltAccounts, accounts: AccountIndex): Promise<void> {
  const stored = await writeLocked(ctx, link, [], (tx) => store.upsertAccounts(tx, actor.organizationId, link.id, built.rows))
  built.rows.forEach((row, i) => {
    const id = stored.get(row.internal_identification) ?? row.id
    row.id = id
    built.wires[i].id = id
  })
  indexAccounts(built, accounts)
}

function buildAccounts(link: LinkRow, institution: Institution, records: InstitutionRecord[], existing: Map<string, store.StoredRow>, now: string) {
  const omitted = omittedKeys(ACCOUNTS_RESOURCE)
  const rows: store.AccountInsert[] = []
  const wires: Record<string, unknown>[] = []
  for (const record of records) {
    const previous = existing.get(record.internal_identification)
    const id = previous?.id ?? uuidv7()
    const wire = {
      id,
      link: link.id,
      institution: { name: institution.name, type: institution.type },
      collected_at: now,
      created_at: previous?.created_at ?? now,
      ...stampAccess(strip(record, omitted), now),
      internal_identification: record.internal_identification,
    }
    const balance = (record.balance ?? {}) as Record<string, unknown>
    rows.push({
      id,
      internal_identification: record.internal_identification,
      category: str(record.category),
      type: str(record.type),
      name: str(record.name),
      number: str(record.number),
      currency: str(record.currency),
      balance_current: num(balance.current),
      balance_available: num(balance.available),
      public_identification_name: str(record.public_identification_name),
      public_identification_value: str(record.public_identification_value),
      collected_at: now,
      created_at: wire.created_at,
      body: JSON.stringify(wire),
    })
    wires.push(wire)
  }
  return { rows, wires }
}

interface BatchOptions {
  saveData: boolean
  /**
   * The link has no rows of this kind yet: skip looking up existing ones and COPY them in. Turns
   * false for the batches that follow if another fetch of the link turns out to be writing too.
   */
  fresh: boolean
  /** Build the wire objects to return (HTTP); background fetches only count. */
  collect: boolean
  changes?: Changes
  /** The retrieval's connector and institution session (children are fetched with them). */
  institution: { connector: InstitutionConnector; session: ConnectorContext }
}

interface PreparedBatch {
  count: number
  /** The batch's transactions (type and value date), for the retrieval's tally. */
  transactions?: { type: string | null; value_date: string | null }[]
  /** The wire objects (when collected); `write` corrects their ids to the stored ones. */
  wires: Record<string, unknown>[]
  write(): Promise<void>
}

const NOTHING_TO_WRITE = async () => {}

/** What a retrieval answers when its link or one of its accounts was deleted while it wrote. */
function ownerGone(link: LinkRow, what: 'link' | 'account'): PonteError {
  if (what === 'account') return new PonteError('not_found')
  return new PonteError('does_not_exist', { field: 'link', variant: 'id', params: { value: link.id } })
}

const FOREIGN_KEY_VIOLATION = '23503'

/**
 * Runs one batch write in a transaction that first locks the link and the batch's accounts
 * (store.lockBatchOwners): nothing of a link or an account deleted meanwhile is left behind, and
 * the retrieval ends with a 4xx. A foreign-key violation (records) is mapped the same way.
 */
async function writeLocked<T>(ctx: DomainContext, link: LinkRow, accountIds: Iterable<string | null>, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const ids = [...new Set([...accountIds].filter((id): id is string => id !== null))]
  try {
    return await ctx.db.tx(async (tx) => {
      const gone = await store.lockBatchOwners(tx, link.id, ids)
      if (gone) throw ownerGone(link, gone)
      return fn(tx)
    })
  } catch (error) {
    const { code, constraint, message } = error as { code?: string; constraint?: string; message?: string }
    if (code === FOREIGN_KEY_VIOLATION) throw ownerGone(link, /account/.test(constraint ?? message ?? '') ? 'account' : 'link')
    throw error
  }
}

/** Thrown inside a COPY batch's transaction when another fetch stored some of its rows first. */
const COPY_RACED = new Error('transactions stored meanwhile')

/** Builds a batch's rows and wire objects; the returned `write` stores them. */
async function prepareBatch(
  ctx: DomainContext,
  actor: Actor,
  spec: ResourceSpec,
  link: LinkRow,
  institution: Institution,
  records: InstitutionRecord[],
  accounts: AccountIndex,
  now: string,
  options: BatchOptions,
): Promise<PreparedBatch> {
  const { saveData, fresh, collect, changes } = options
  if (records.length === 0) return { count: 0, wires: [], write: NOTHING_TO_WRITE }
  if (spec.embeds) records = await withEmbeddedIds(ctx, link, spec.embeds, records)
  const existing = fresh
    ? new Map<string, store.StoredRow>()
    : await store.existingRows(
        ctx.db,
        spec.storage,
        link.id,
        records.map((r) => r.internal_identification),
        spec.recordKey,
      )
  const track = (internalId: string, id: string, body: string) => {
    if (!changes) return
    changes.seen.add(internalId)
    const previous = existing.get(internalId)
    if (!previous) changes.inserted.push(id)
    // A body carries the time it was collected (stampAccess): compared as of the previous
    // collection, a record the institution reports unchanged is not an update.
    else if (previous.body_md5 !== md5(body.replaceAll(`"${now}"`, `"${previous.collected_at}"`))) changes.updated.push(id)
  }
  const { organizationId } = actor
  if (spec.storage === 'accounts') {
    const built = buildAccounts(link, institution, records, existing, now)
    indexAccounts(built, accounts)
    for (const row of built.rows) track(row.internal_identification, row.id, row.body)
    return {
      count: built.wires.length,
      wires: collect ? built.wires : [],
      write: saveData ? () => storeAccounts(ctx, actor, link, built, accounts) : NOTHING_TO_WRITE,
    }
  }
  if (spec.storage === 'transactions') {
    const rows: store.TransactionInsert[] = []
    const wires: Record<string, unknown>[] = []
    const omitted = omittedKeys(spec)
    let built = 0
    const shape = wireShape(institution)
    for (const fetched of records) {
      // The previous batch is being written meanwhile, and its bytes only reach PostgreSQL when the
      // event loop is free: yielding every few hundred rows keeps both sides busy (ingest +30%).
      if (++built % YIELD_EVERY_ROWS === 0) await new Promise(setImmediate)
      const account = accounts.get(String(fetched.account_internal_identification))
      if (!account) continue
      // A transaction the institution left uncategorized gets the categorizer's labels (docs/enrichment.md).
      const record = labelUncategorized(fetched, shape, { country: institution.country, accountCategory: str(account.wire.category) })
      const previous = existing.get(record.internal_identification)
      const id = previous?.id ?? uuidv7()
      const createdAt = previous?.created_at ?? now
      const body = strip(record, omitted, { created_at: createdAt })
      // The one nested object of both transaction shapes with a collected_at.
      if (body.credit_card_data) body.credit_card_data = stampAccess(body.credit_card_data, now)
      const text = JSON.stringify(body)
      const card = record.credit_card_data as Record<string, unknown> | null | undefined
      rows.push({
        id,
        account_id: account.id,
        internal_identification: record.internal_identification,
        value_date: str(record.value_date),
        accounting_date: str(record.accounting_date),
        amount: num(record.amount),
        currency: str(record.currency),
        type: str(record.type),
        status: str(record.status),
        category: str(record.category),
        reference: str(record.reference),
        bill_name: str(card?.bill_name),
        collected_at: now,
        created_at: createdAt,
        body: text,
      })
      track(record.internal_identification, id, text)
      if (collect) wires.push({ id, account: account.wire, collected_at: now, ...body })
    }
    const accountIds = new Set(rows.map((row) => row.account_id))
    const upsert = async () => {
      const storedIds = await writeLocked(ctx, link, accountIds, (tx) => store.upsertTransactions(tx, organizationId, link.id, rows))
      for (const wire of wires) wire.id = storedIds.get(wire.internal_identification as string) ?? wire.id
    }
    const copy = fresh && saveData ? store.transactionsCopyData(organizationId, link.id, rows) : undefined
    const write = async () => {
      if (!copy || !options.fresh) return upsert()
      try {
        return await writeLocked(ctx, link, accountIds, async (tx) => {
          if (!(await store.insertNewTransactions(tx, copy))) throw COPY_RACED
        })
      } catch (error) {
        if (error !== COPY_RACED) throw error
      }
      // Another fetch of this link stored some of these meanwhile: upsert from now on.
      options.fresh = false
      return upsert()
    }
    return { count: rows.length, transactions: rows, wires, write: saveData ? write : NOTHING_TO_WRITE }
  }
  const rows: store.RecordInsert[] = []
  const wires: Record<string, unknown>[] = []
  for (const record of records) {
    const parts = spec.toRow!(record, accounts, withoutFields(record, spec.linkingFields))
    const { row, body } = recordInsert(link.id, spec.recordKey!, record, parts, existing.get(record.internal_identification), now, {
      account_id: parts.accountId,
    })
    rows.push(row)
    wires.push({ id: row.id, ...(spec.wireFields?.link ? { link: link.id } : {}), ...parts.prefix, ...body })
  }
  const write = async () => {
    // Children (an exchange's history) are asked for before anything is written, then stored in
    // their parents' transaction: a failed call, or a parent deleted meanwhile, leaves neither.
    const children = spec.children
      ? await prepareChildren(
          ctx,
          link,
          spec.children,
          options.institution,
          rows.map((row) => row.internal_identification),
          now,
        )
      : undefined
    const storedIds = await writeLocked(
      ctx,
      link,
      rows.map((row) => row.account_id),
      async (tx) => {
        const ids = await store.upsertRecords(tx, organizationId, link.id, spec.recordKey!, rows)
        await children?.(tx, organizationId, new Map(rows.map((row) => [row.internal_identification, ids.get(row.internal_identification) ?? row.id])))
        return ids
      },
    )
    rows.forEach((row, i) => {
      wires[i].id = storedIds.get(row.internal_identification) ?? row.id
    })
  }
  return { count: rows.length, wires: collect ? wires : [], write: saveData ? write : NOTHING_TO_WRITE }
}

/**
 * A stored record: its id (the one stored before, or one derived from the institution's id), its
 * body stamped with the access time, and its creation time kept across re-fetches.
 */
function recordInsert(
  linkId: string,
  recordKey: string,
  record: InstitutionRecord,
  parts: { recordDate: string | null; kind: string | null; body: Record<string, unknown> },
  previous: store.StoredRow | undefined,
  now: string,
  owners: { account_id: string | null; parent_id?: string },
) {
  const body = { ...stampAccess(parts.body, now), collected_at: now, created_at: previous?.created_at ?? now }
  const row: store.RecordInsert = {
    id: previous?.id ?? recordId(linkId, recordKey, record.internal_identification),
    ...owners,
    internal_identification: record.internal_identification,
    record_date: parts.recordDate,
    kind: parts.kind,
    collected_at: now,
    created_at: body.created_at,
    body: JSON.stringify(body),
  }
  return { row, body }
}

/**
 * Asks the institution (when its connector has them) for the children of these parents and
 * returns how to store them, in the
 * parents' transaction, under the parents' stored ids (by internal id); upserted on the
 * institution's ids as for any record, so a re-fetch updates them in place.
 */
async function prepareChildren(
  ctx: DomainContext,
  link: LinkRow,
  child: ChildResource,
  institution: BatchOptions['institution'],
  parentInternalIds: string[],
  now: string,
) {
  // An institution without the children's data stores the parents alone (their lists answer empty).
  const { connector, session } = institution
  const records = connector.supports(child.connectorResource) ? await fetchAll(connector, child.connectorResource, session, { parentInternalIds }) : []
  const existing =
    records.length === 0
      ? new Map<string, store.StoredRow>()
      : await store.existingRows(
          ctx.db,
          'records',
          link.id,
          records.map((r) => r.internal_identification),
          child.recordKey,
        )
  return async (tx: Queryable, organizationId: string, parents: Map<string, string>) => {
    const rows: store.RecordInsert[] = []
    for (const record of records) {
      const parentId = parents.get(child.parentOf(record))
      if (!parentId) continue
      const parts = child.toRow(record, parentId, withoutFields(record, child.linkingFields))
      rows.push(
        recordInsert(link.id, child.recordKey, record, parts, existing.get(record.internal_identification), now, { account_id: null, parent_id: parentId }).row,
      )
    }
    if (rows.length > 0) await store.upsertRecords(tx, organizationId, link.id, child.recordKey, rows)
  }
}

/** GET /api/<resource>/: one page of stored wire JSON texts. */
export async function list(ctx: DomainContext, actor: Actor, spec: ResourceSpec, conditions: Condition[], page: PageRequest) {
  if (spec.listNeedsLink && !conditions.some((c) => c.field.param === 'link')) throw new PonteError('required', { field: 'link' })
  // The common "all transactions of a link" list takes its count from the link (kept on write).
  const byLinkOnly = spec.storage === 'transactions' && conditions.length === 1 && conditions[0].field.param === 'link' && conditions[0].lookup === 'exact'
  if (byLinkOnly) return store.listLinkTransactions(ctx.db, actor.organizationId, String(conditions[0].values[0]), page)
  return store.listWire(ctx.db, spec.wire, actor.organizationId, conditions, page)
}

const PARENT: FilterField = { param: 'parent', source: { column: 'parent_id' }, type: 'uuid', lookups: ['exact'] }

/** GET /api/<resource>/{id}/<children>/: a page of one record's children; 404 for a record the organization does not have. */
export async function listChildren(ctx: DomainContext, actor: Actor, spec: ResourceSpec, id: string, page: PageRequest) {
  const child = spec.children
  const found = child && isUuid(id) && (await store.recordExists(ctx.db, actor.organizationId, id, spec.recordKey!))
  if (!found) throw new PonteError('not_found')
  return store.listWire(ctx.db, child.wire, actor.organizationId, [{ field: PARENT, lookup: 'exact', values: [id], param: PARENT.param }], page)
}

export async function detail(ctx: DomainContext, actor: Actor, spec: ResourceSpec, id: string): Promise<string> {
  const json = isUuid(id) ? await store.findWire(ctx.db, spec.wire, actor.organizationId, id) : undefined
  if (!json) throw new PonteError('not_found')
  return json
}

/** DELETE /api/<resource>/{id}/: 5 per minute per organization where Belvo limits it (429 beyond). */
export async function remove(ctx: DomainContext, actor: Actor, spec: ResourceSpec, id: string): Promise<void> {
  if (spec.rateLimitedDelete) await enforceDeleteLimit(ctx, actor, spec.name)
  const deleted = isUuid(id) && (await ctx.db.tx((tx) => store.deleteRow(tx, spec.storage, actor.organizationId, id, spec.recordKey)))
  if (!deleted) throw new PonteError('not_found')
}

export const DELETES_PER_MINUTE = 5

export async function enforceDeleteLimit(ctx: DomainContext, actor: Actor, bucket: string): Promise<void> {
  const { count, resetsInSeconds } = await store.hitRateLimit(ctx.db, actor.organizationId, `delete:${bucket}`, ctx.clock.now().toISOString(), 60)
  if (count > DELETES_PER_MINUTE) {
    throw new PonteError('too_many_requests', { params: { seconds: resetsInSeconds }, headers: { 'Retry-After': String(resetsInSeconds) } })
  }
}
