import type { WireShape } from '../connectors/types.ts'
import { BANKING_RESOURCES } from './banking.ts'
import { FISCAL_CHILE_RESOURCES } from './fiscal-chile.ts'
import { FISCAL_MEXICO_RESOURCES } from './fiscal-mexico.ts'
import { EMPLOYMENT_RESOURCES } from './employment.ts'
import { ENRICHMENT_RESOURCES } from './enrichment.ts'
import type { ResourceSpec } from './resource-spec.ts'

/**
 * The registry of resources: every resource family's specs, checked once when the process loads
 * this module. Routes (app.ts), the OpenAPI document, async requests (worker.ts) and historical
 * updates (sync.ts) are all generated from RESOURCES, so a family is declared in one place (its
 * family file, listed in FAMILIES below) and a spec with a missing or contradictory part stops
 * the server at start-up instead of failing quietly on some request later.
 */

export type {
  AccountIndex,
  BackgroundFetch,
  ChildResource,
  EmbeddedRecord,
  FetchRequest,
  ItemSchemas,
  OperationIds,
  ResourceSpec,
  RowParts,
  WireShape,
} from './resource-spec.ts'

/** The resource families, in the order their resources are listed (and fetched by historical updates). */
const FAMILIES: readonly (readonly ResourceSpec[])[] = [
  BANKING_RESOURCES,
  FISCAL_MEXICO_RESOURCES,
  FISCAL_CHILE_RESOURCES,
  EMPLOYMENT_RESOURCES,
  ENRICHMENT_RESOURCES,
]

const SHAPES: readonly WireShape[] = ['ofda', 'multiregion']

function fail(spec: { name?: string }, problem: string): never {
  throw new Error(`Resource spec '${spec.name || '(unnamed)'}': ${problem}`)
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0

/** The problems of one spec on its own: each part present, and the parts that depend on each other agreeing. */
function checkSpec(spec: ResourceSpec): void {
  if (!isNonEmptyString(spec.name)) fail(spec, 'has no name')
  if (!isNonEmptyString(spec.path) || !spec.path.startsWith('/') || !spec.path.endsWith(`/${spec.name}/`)) {
    fail(spec, `its path '${spec.path}' must be absolute and end with '/${spec.name}/'`)
  }
  if (!isNonEmptyString(spec.tag)) fail(spec, 'has no OpenAPI tag')
  if (spec.answer !== 'list' && spec.answer !== 'single') fail(spec, `answer must be 'list' or 'single', not '${spec.answer}'`)
  if (!isNonEmptyString(spec.institutionResource)) fail(spec, 'names no institutionResource')
  if (spec.shape !== undefined && !SHAPES.includes(spec.shape)) fail(spec, `unknown shape '${spec.shape}'`)
  // A POST without a body schema would take any body and fail inside with a 500.
  if (spec.body?.type !== 'object' || !spec.body.properties?.link) fail(spec, 'needs a retrieve body schema (a TypeBox object) with `link`')
  checkItems(spec, spec.items, 'items')
  for (const route of ['retrieve', 'resume', 'list', 'detail'] as const) {
    if (!isNonEmptyString(spec.operationIds?.[route])) fail(spec, `has no operationIds.${route}`)
  }
  if (spec.deletable !== (spec.operationIds.delete !== undefined)) {
    fail(spec, spec.deletable ? 'is deletable but has no operationIds.delete' : 'has operationIds.delete but is not deletable')
  }
  if (spec.rateLimitedDelete && !spec.deletable) fail(spec, 'rate-limits a DELETE it does not have')
  if (spec.async && spec.answer !== 'list') fail(spec, 'an async retrieve answers by webhook, so it must be a list resource')
  if (!Array.isArray(spec.filters)) fail(spec, 'has no filters (an empty list when none)')
  if (spec.listNeedsLink && !spec.filters.some((f) => f.param === 'link')) fail(spec, 'requires ?link= on its list but has no `link` filter')
  if (!Array.isArray(spec.linkingFields)) fail(spec, 'must declare its linkingFields (an empty list when none)')
  if (!isNonEmptyString(spec.connectorResource)) fail(spec, 'names no connectorResource to fetch')
  if (spec.derive !== undefined && typeof spec.derive !== 'function') fail(spec, 'derive must be a function of the fetched records')
  if (spec.derive && spec.storage !== 'records') fail(spec, 'derives its records from others: it is stored in records')
  if (spec.storage === 'records' && (!isNonEmptyString(spec.recordKey) || typeof spec.toRow !== 'function' || !spec.wireFields)) {
    fail(spec, 'is stored in records: it needs a recordKey, wireFields and toRow')
  }
  if (spec.storage !== 'records' && spec.toRow) fail(spec, `is stored in ${spec.storage}: toRow is for records storage only`)
  const background = spec.background
  if (background) {
    // fetch_resources is checked against the institution's resources: the two must be the same name.
    if (background.fetchResource !== spec.institutionResource) {
      fail(spec, `background.fetchResource '${background.fetchResource}' must be its institutionResource '${spec.institutionResource}'`)
    }
    if (!Number.isInteger(background.historyDays) || background.historyDays < 1) fail(spec, 'background.historyDays must be a positive number of days')
    if (background.summary === 'transactions' && spec.storage !== 'transactions') fail(spec, "background.summary 'transactions' needs transactions storage")
    if (background.summary !== 'count' && background.summary !== 'transactions') fail(spec, `unknown background.summary '${background.summary}'`)
  }
  const child = spec.children
  if (child) {
    if (spec.storage !== 'records') fail(spec, 'has children, which hang off records storage (parent_id)')
    if (!isNonEmptyString(child.path) || child.path.includes('/')) fail(spec, 'children.path must be one URL segment')
    if (!isNonEmptyString(child.operationId)) fail(spec, 'has no children.operationId')
    if (!isNonEmptyString(child.recordKey)) fail(spec, 'has no children.recordKey')
    if (!isNonEmptyString(child.connectorResource)) fail(spec, 'names no children.connectorResource to fetch')
    if (!Array.isArray(child.linkingFields)) fail(spec, 'must declare its children.linkingFields')
    checkItems(spec, child.items, 'children.items')
  }
}

function checkItems(spec: ResourceSpec, items: ResourceSpec['items'] | undefined, part: string): void {
  const shapes = Object.keys(items ?? {}) as WireShape[]
  if (shapes.length === 0 || shapes.some((shape) => !items![shape]?.length)) fail(spec, `${part} must name Belvo's item schema(s) for each shape it answers`)
  if (shapes.some((shape) => !SHAPES.includes(shape))) fail(spec, `${part} names an unknown shape`)
  if (spec.shape && shapes.some((shape) => shape !== spec.shape)) fail(spec, `${part} names schemas for a shape other than its own '${spec.shape}'`)
}

function operationIdsOf(spec: ResourceSpec): string[] {
  const { retrieve, resume, list, detail, delete: destroy } = spec.operationIds
  return [retrieve, resume, list, detail, ...(destroy ? [destroy] : []), ...(spec.children ? [spec.children.operationId] : [])]
}

function recordKeysOf(spec: ResourceSpec): string[] {
  return [...(spec.storage === 'records' ? [spec.recordKey!] : []), ...(spec.children ? [spec.children.recordKey] : [])]
}

/** Two specs that can exist at one institution: their shapes and countries (none: every one) meet. */
const shapesOverlap = (a: ResourceSpec, b: ResourceSpec) =>
  (a.shape === undefined || b.shape === undefined || a.shape === b.shape) && (a.country === undefined || b.country === undefined || a.country === b.country)

/**
 * Checks `spec` on its own and against the `registered` ones, then appends it: throws an Error
 * naming the resource and what is missing or clashes (a name, path, operationId or records key
 * taken twice; two resources a historical update would fetch for the same fetch_resources name).
 */
export function registerResource(spec: ResourceSpec, registered: ResourceSpec[]): void {
  checkSpec(spec)
  for (const other of registered) {
    if (other.name === spec.name) fail(spec, 'is registered twice')
    if (other.path === spec.path) fail(spec, `its path ${spec.path} is also '${other.name}'s`)
    const taken = operationIdsOf(spec).filter((id) => operationIdsOf(other).includes(id))
    if (taken.length > 0) fail(spec, `operationId ${taken.join(', ')} is also '${other.name}'s`)
    const shared = recordKeysOf(spec).filter((key) => recordKeysOf(other).includes(key))
    if (shared.length > 0) fail(spec, `records key ${shared.join(', ')} is also '${other.name}'s: their rows would mix`)
    if (spec.background && other.background?.fetchResource === spec.background.fetchResource && shapesOverlap(spec, other)) {
      fail(spec, `historical updates would fetch both it and '${other.name}' for ${spec.background.fetchResource}`)
    }
  }
  // Historical updates fetch in registry order: what a resource is computed from is stored first.
  if (spec.computedFrom !== undefined && !registered.some((other) => recordKeysOf(other).includes(spec.computedFrom!))) {
    fail(spec, `is computed from the records '${spec.computedFrom}', which no resource registered before it stores`)
  }
  const own = operationIdsOf(spec)
  if (new Set(own).size !== own.length) fail(spec, 'uses one operationId for two routes')
  registered.push(spec)
}

function registerAll(families: readonly (readonly ResourceSpec[])[]): readonly ResourceSpec[] {
  const registered: ResourceSpec[] = []
  for (const family of families) for (const spec of family) registerResource(spec, registered)
  // The engine fetches and stores a link's accounts itself before the resources that hang off
  // them: with the one spec kept in the accounts table.
  const accounts = registered.filter((spec) => spec.storage === 'accounts')
  if (accounts.length !== 1) throw new Error(`Resource registry: one resource must be stored in accounts, not ${accounts.length}`)
  return Object.freeze(registered)
}

/** Every registered resource, in the order of FAMILIES and of each family's list. */
export const RESOURCES: readonly ResourceSpec[] = registerAll(FAMILIES)

/** The link's accounts (the one resource stored in the accounts table). */
export const ACCOUNTS_RESOURCE: ResourceSpec = RESOURCES.find((spec) => spec.storage === 'accounts')!

const BY_NAME = new Map(RESOURCES.map((spec) => [spec.name, spec]))

/** The resource with this URL name (`accounts`, `br/balances`, ...). */
export function resourceNamed(name: string): ResourceSpec | undefined {
  return BY_NAME.get(name)
}

/** Whether the resource exists at this institution: its shape and country, where the spec names them. */
export function existsAt(spec: Pick<ResourceSpec, 'shape' | 'country'>, institution: { country: string; shape: WireShape }): boolean {
  return (spec.shape === undefined || spec.shape === institution.shape) && (spec.country === undefined || spec.country === institution.country)
}

/** What a historical update fetches for a `fetch_resources` name at this institution. */
export function backgroundResource(fetchResource: string, institution: { country: string; shape: WireShape }): ResourceSpec | undefined {
  return RESOURCES.find((spec) => spec.background?.fetchResource === fetchResource && existsAt(spec, institution))
}
