import { Type, type TObject, type TProperties, type TSchema } from 'typebox'
import type { Country } from '../connectors/catalog.ts'
import type { ConnectorResource, FetchParams, InstitutionRecord, Period, ResourceName, WireShape } from '../connectors/types.ts'
import { isCalendarDay } from '../lib/dates.ts'
import { PonteError } from '../lib/errors.ts'
import type { FilterField } from '../lib/list-query.ts'
import { recordWire, type WireQuery } from '../store/resources.ts'

/**
 * What a resource family declares about each of its resources (`ResourceSpec`), and the small
 * helpers its declarations share. A family file (banking.ts) declares its specs with these; the
 * registry (registry.ts) checks and lists them; the engine (resources.ts), the routes, the worker
 * and the historical updates read them. Kept apart from registry.ts so that a family file and the
 * registry that lists it do not import each other.
 */

export type { WireShape }

/** The stored accounts of the link, by internal id, with their wire objects. */
export type AccountIndex = Map<string, { id: string; wire: Record<string, unknown> }>

/** What a resource's fetch params are taken from. */
export interface FetchRequest {
  /** The retrieve's body (or the request a background update makes up). */
  request: Record<string, unknown>
  /** The link's stored accounts: request bodies name Ponte's account ids, connectors their own. */
  accounts: AccountIndex
  /** "Today" at the institution (YYYY-MM-DD): periods default to, and may not pass, it. */
  today: string
}

/** What an enrichment computes from besides the records (ResourceSpec.derive): the institution's wire shape and country. */
export interface DeriveRequest extends FetchRequest {
  shape: WireShape
  country: string
}

/**
 * Belvo's component schema names of one item, by the wire shape of the institution that answers:
 * 'ofda' names are in BelvoOpenApiSpec-1.223.0, 'multiregion' ones in 1.59.0-multiregion (legacy
 * paths served by no current spec, such as statements, name their legacy schema).
 */
export type ItemSchemas = Partial<Record<WireShape, readonly string[]>>

/** Belvo's operationId of each route of the resource (`delete` exactly when it is deletable). */
export interface OperationIds {
  retrieve: string
  resume: string
  list: string
  detail: string
  delete?: string
}

/** A resource that historical updates fetch when the link's `fetch_resources` names it. */
export interface BackgroundFetch {
  /** The `fetch_resources` name that selects it (for each shape, at most one resource per name). */
  fetchResource: ResourceName
  /** How many days back the update asks for. */
  historyDays: number
  /**
   * What its historical_update webhook reports: `count` is `{total_<resource>: n}`, the stored
   * count; `transactions` adds the inflow/outflow counts and the span of value dates.
   */
  summary: 'count' | 'transactions'
}

/** A records-stored row: its server fields and the wire body (without `id`, `link`, timestamps). */
export interface RowParts {
  accountId: string | null
  recordDate: string | null
  kind: string | null
  /** Wire fields the body is preceded by (an embedded `account`). */
  prefix: Record<string, unknown>
  body: Record<string, unknown>
}

export interface EmbeddedRecord {
  /** `records.resource` of the embedded record. */
  recordKey: string
  /** The institution's id of the record embedded in `record`, if it embeds one. */
  internalId(record: InstitutionRecord): string | undefined
  /** `record` with the embedded object carrying `id`. */
  withId(record: InstitutionRecord, id: string): InstitutionRecord
}

export interface ResourceSpec {
  /** URL name, e.g. `accounts`, `br/balances`, `investments/portfolios`. */
  name: string
  /** The collection's full path, e.g. `/api/accounts/`, `/investments/portfolios/`. */
  path: string
  /** The POST answers an array, or one object (legacy portfolios). */
  answer: 'list' | 'single'
  /** OpenAPI tag of its routes. */
  tag: string
  /** The catalog resource the link's institution must offer. */
  institutionResource: ResourceName
  /** Belvo's shape family the resource exists for, when it is not both (`br/*` are 'ofda'). */
  shape?: WireShape
  /**
   * The one country whose institutions have it, when the catalog name is shared across countries
   * (Chile's `/api/cl/invoices/` and Mexico's `/api/invoices/` are both `INVOICES`).
   */
  country?: Country
  /** The retrieve request (POST body). */
  body: TObject
  items: ItemSchemas
  operationIds: OperationIds
  /** Belvo accepts `X-Belvo-Request-Mode: async` on this POST. */
  async: boolean
  /** GET list needs `?link=` (Belvo marks it required on transactions, bills, br/* ...). */
  listNeedsLink: boolean
  /** DELETE exists. */
  deletable: boolean
  /** DELETE is limited to 5 per minute per organization (accounts and transactions). */
  rateLimitedDelete: boolean
  /** Needs the link's accounts stored first (transactions, balances, bills, statements). */
  needsAccounts: boolean
  /**
   * Keys of the institution's records that only tie them to other records there (the account or
   * investment they belong to, and `internal_identification` where the wire schema has no such
   * field): stored rows keep them apart, wire bodies never carry them (`Exchange`, for one,
   * allows no other keys).
   */
  linkingFields: readonly string[]
  background?: BackgroundFetch
  /**
   * The `recordKey` of the link's stored records this resource is computed from (employment
   * metrics from employment records): they reach the connector as `FetchParams.basedOn`, and
   * without any Belvo answers 404 (it asks for them to be retrieved first).
   */
  computedFrom?: string
  /** Records that belong to each record of this one (an exchange's history), stored with it. */
  children?: ChildResource

  // The engine's parts.
  storage: 'accounts' | 'transactions' | 'records'
  /** `records.resource` for records-stored resources. */
  recordKey?: string
  wire: WireQuery
  filters: readonly FilterField[]
  /** What the connector is asked for (InstitutionConnector.fetch); an institution whose connector does not support it answers unsupported_operation. */
  connectorResource: ConnectorResource
  /** The fetch's params from the request, validated (400s with Belvo's field); none when absent. */
  fetchParams?(request: FetchRequest): FetchParams
  /**
   * Enrichment: the resource is not the institution's but Ponte's own, computed from all that the
   * connector answers for `connectorResource` (the link's transactions, for incomes, recurring
   * expenses and risk insights). The engine fetches those records whole, hands them over with the
   * request, and stores and answers what this returns like any fetched records.
   */
  derive?(records: InstitutionRecord[], request: DeriveRequest): InstitutionRecord[]
  /** For `records` storage: which server fields the wire object has besides `id`. */
  wireFields?: { link: boolean; account: 'object' | 'none' }
  /**
   * Splits a record into its server fields and wire body (records storage); `plain` is the record
   * without its linking fields.
   */
  toRow?(record: InstitutionRecord, accounts: AccountIndex, plain: Record<string, unknown>): RowParts
  /**
   * A record of another resource that this one's records embed (a card transaction's bill, an
   * investment transaction's investment). Belvo's embedded object carries that record's id even
   * before the other resource is retrieved: the id stored for it, or the one it will be stored
   * under (`recordId`).
   */
  embeds?: EmbeddedRecord
}

/**
 * Records that belong to one record of a resource (an exchange's history events): fetched and
 * stored when their parents are (not with save_data false), in `records` under their own key with
 * `parent_id` set (migration 0008), so they go when the parent or the link goes, and listed at
 * `<resource path>{id}/<path>/`.
 */
export interface ChildResource {
  /** The URL segment after the parent's id, e.g. `history`. */
  path: string
  items: ItemSchemas
  /** Belvo's operationId of the list. */
  operationId: string
  recordKey: string
  wire: WireQuery
  /** As ResourceSpec.linkingFields (the parent's id at the institution, for one). */
  linkingFields: readonly string[]
  /**
   * What the connector is asked for, with the parents' internal ids (`parentInternalIds`); when it
   * does not support it, the parents are stored without children.
   */
  connectorResource: ConnectorResource
  /** The institution's id of a child's parent. */
  parentOf(record: InstitutionRecord): string
  /** A child's server fields and wire body, given its parent's id; `plain` as for ResourceSpec.toRow. */
  toRow(
    record: InstitutionRecord,
    parentId: string,
    plain: Record<string, unknown>,
  ): { recordDate: string | null; kind: string | null; body: Record<string, unknown> }
}

/** The record without `fields` (its linking fields): what its wire body starts from. */
export function withoutFields(record: InstitutionRecord, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key in record) if (!fields.includes(key)) out[key] = record[key]
  return out
}

/** A resource kept in `records`: its wire query follows from its key and wire fields. */
export function recordResource(
  spec: Omit<ResourceSpec, 'storage' | 'wire'> & { recordKey: string; wireFields: { link: boolean; account: 'object' | 'none' } },
): ResourceSpec {
  return { ...spec, storage: 'records', wire: recordWire(spec.recordKey, spec.wireFields) }
}

/** `date_from`/`date_to` as Belvo validates them: both dates, in order, not in the future. */
export function checkPeriod(today: string, request: Record<string, unknown>, options: { required: boolean; defaultDays?: number }): Period {
  let dateFrom = request.date_from as string | undefined
  let dateTo = request.date_to as string | undefined
  if (options.required) {
    if (!dateFrom) throw new PonteError('required', { field: 'date_from' })
    if (!dateTo) throw new PonteError('required', { field: 'date_to' })
  }
  // The given dates first: a default date_from is counted back from date_to.
  for (const [field, value] of [
    ['date_from', dateFrom],
    ['date_to', dateTo],
  ] as const) {
    if (value !== undefined && !isCalendarDay(value))
      throw new PonteError('invalid', { field, params: { detail: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.' } })
  }
  dateTo ??= today
  dateFrom ??= new Date(Date.parse(dateTo) - (options.defaultDays ?? 365) * 86_400_000).toISOString().slice(0, 10)
  if (dateTo > today) throw new PonteError('invalid', { field: 'date_to', variant: 'future_date' })
  if (dateFrom > dateTo) throw new PonteError('invalid', { field: 'date_from', variant: 'date_order' })
  return { dateFrom, dateTo }
}

// Parts of retrieve bodies (Belvo 1.223.0, and 1.35.0 for the legacy paths).
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
/** An optional field that may also be sent as `null`. */
export const optionalField = <T extends TSchema>(schema: T) => Type.Optional(Nullable(schema))
export const bodyDate = (description: string) => Type.String({ description: `${description} (YYYY-MM-DD).` })
export const bodyId = (description: string) => Type.String({ minLength: 1, description })
export const MfaToken = optionalField(Type.String({ description: 'The MFA token, when the institution asks for one.' }))

/**
 * A retrieve body: the link first, the resource's own `fields`, and `save_data` (not nullable:
 * Belvo answers `null` "This field may not be null.").
 */
export function retrieveBody<T extends TProperties>(fields: T) {
  return Type.Object({
    link: Type.String({ minLength: 1, description: 'The link.id you want to retrieve data for.' }),
    ...fields,
    save_data: Type.Optional(Type.Boolean({ default: true, description: 'Store the data (201) or only return it (200).' })),
  })
}
