import { isCalendarDay, utcTimestamp } from './dates.ts'
import { isUuid } from './ids.ts'
import { PonteError } from './errors.ts'

/**
 * What a list request asks for: a page, and Django-filter style lookups as Belvo's lists accept
 * them (`field`, `field__in`, `field__gte`, `field__range`, `account__balance__current__lt` ...).
 * Each list declares its filterable fields once, naming where each value lives symbolically
 * (`source`); this module turns a query string into typed conditions (400 with `field` on a
 * malformed value), and store/filters.ts turns those into parameterised SQL over the list's
 * tables. Here so that http, domain and store share it without http reaching into store.
 */

/** Belvo's `page` (from 1) and `page_size`, as http/plugins/pagination.ts reads them. */
export interface PageRequest {
  page: number
  pageSize: number
}

export type Lookup = 'exact' | 'in' | 'not_in' | 'gt' | 'gte' | 'lt' | 'lte' | 'range' | 'icontains' | 'allin'
export type FilterType = 'text' | 'uuid' | 'integer' | 'number' | 'date' | 'datetime' | 'boolean'

/**
 * Where a filter's value lives, relative to the row being listed. Names only: the store knows the
 * tables, their aliases and how to reach a row's account or link.
 */
export type FilterSource =
  /** A column of the list's own table, e.g. `balance_current`. */
  | { column: string }
  /** A field of the row's JSON `body` (a dotted name for a nested one), read as text and cast to the filter's type. */
  | { body: string }
  /** A column of the row's account (by its `account_id`), e.g. `currency`. */
  | { account: string }
  /** A column of the row's link (by its `link_id`), e.g. `institution`. */
  | { link: string }
  /** A column of the row's payments customer (by its `customer_id`), e.g. `identifier`. */
  | { customer: string }

export interface FilterField {
  /** The query parameter name before any `__lookup` suffix, e.g. `balance__current`. */
  param: string
  /** Where the value lives; without it, the column of the list's table named like `param`. */
  source?: FilterSource
  type: FilterType
  lookups: readonly Lookup[]
  /** Allowed values (enums); anything else is a 400 `invalid_choice`. */
  choices?: readonly string[]
  /** The value is a text[]: exact = contains the value, `in` = overlaps, `allin` = contains all. */
  array?: boolean
  /** Belvo's "partially matches" filters (institution display_name): exact behaves as icontains. */
  partial?: boolean
  /** Shown in the OpenAPI description of the parameter. */
  description?: string
  /** What every value must look like (the spec's `pattern` or `format`), with how to say it. */
  format?: { pattern: RegExp; detail: string }
  /** Fewest characters an `icontains` search takes. */
  minLength?: number
}

export interface Condition {
  field: FilterField
  lookup: Lookup
  values: (string | number | boolean)[]
  /** The query parameter as the client sent it, for error messages. */
  param: string
}

/** What a list asks of its domain and store: the client's filters and page. */
export interface ListRequest {
  conditions: Condition[]
  page: PageRequest
}

const SUFFIXES: Record<string, Lookup> = {
  in: 'in',
  not_in: 'not_in',
  gt: 'gt',
  gte: 'gte',
  lt: 'lt',
  lte: 'lte',
  range: 'range',
  icontains: 'icontains',
  allin: 'allin',
}
const MULTI_VALUE: ReadonlySet<Lookup> = new Set(['in', 'not_in', 'allin', 'range'])

/** Query parameters that are never filters. */
export const RESERVED_PARAMS: ReadonlySet<string> = new Set(['page', 'page_size', 'fields', 'omit', 'format'])

/** Formats the specs give list parameters. */
export const CURRENCY_FORMAT = { pattern: /^[A-Z]{3}$/, detail: 'Enter a three-letter ISO 4217 currency code.' }
export const INSTITUTION_FORMAT = { pattern: /^[a-z_]{1,40}$/, detail: 'Enter an institution name (lowercase letters and underscores).' }
export const EMAIL_FORMAT = { pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, detail: 'Enter a valid email address.' }

type Query = Record<string, unknown>

/** Reads the conditions that `fields` declares out of a parsed query string. Unknown keys are ignored, as Django-filter does. */
export function parseFilters(query: Query, fields: readonly FilterField[]): Condition[] {
  const byParam = new Map(fields.map((f) => [f.param, f]))
  const conditions: Condition[] = []
  for (const [rawKey, rawValue] of Object.entries(query)) {
    if (rawValue === undefined) continue
    // axios 0.27 (the official SDK) sends arrays as `k[]=a&k[]=b`.
    const key = rawKey.endsWith('[]') ? rawKey.slice(0, -2) : rawKey
    if (RESERVED_PARAMS.has(key)) continue
    const match = resolve(key, byParam)
    if (!match) continue
    const [field, lookup] = match
    const raw = (Array.isArray(rawValue) ? rawValue : [rawValue]).map(String)
    const values = MULTI_VALUE.has(lookup)
      ? raw
          .flatMap((v) => v.split(','))
          .map((v) => v.trim())
          .filter((v) => v !== '')
      : [raw[raw.length - 1]]
    if (lookup === 'range' && values.length !== 2) {
      throw new PonteError('invalid', { field: key, params: { detail: 'a range needs two comma-separated values' } })
    }
    if (values.length === 0) continue
    conditions.push({ field, lookup, param: key, values: values.map((v) => coerce(v, field, key, lookup)) })
  }
  return conditions
}

function resolve(key: string, byParam: Map<string, FilterField>): [FilterField, Lookup] | undefined {
  const exact = byParam.get(key)
  if (exact?.lookups.includes('exact')) return [exact, exact.partial ? 'icontains' : 'exact']
  const cut = key.lastIndexOf('__')
  if (cut <= 0) return undefined
  const lookup = SUFFIXES[key.slice(cut + 2)]
  const field = byParam.get(key.slice(0, cut))
  if (!lookup || !field || !field.lookups.includes(lookup)) return undefined
  return [field, lookup]
}

function coerce(value: string, field: FilterField, param: string, lookup: Lookup): string | number | boolean {
  const bad = (detail: string) => new PonteError('invalid', { field: param, params: { detail } })
  if (field.choices && lookup !== 'icontains' && !field.choices.includes(value)) {
    throw new PonteError('invalid_choice', { field: param, params: { value } })
  }
  if (lookup === 'icontains' && field.minLength && value.length < field.minLength) throw bad(`Ensure this value has at least ${field.minLength} characters.`)
  if (field.format && lookup !== 'icontains' && !field.format.pattern.test(value)) throw bad(`"${value}": ${field.format.detail}`)
  switch (field.type) {
    case 'uuid':
      if (!isUuid(value)) throw bad(`"${value}" is not a valid UUID.`)
      return value.toLowerCase()
    case 'integer':
      if (!/^-?\d{1,15}$/.test(value)) throw bad(`"${value}" is not a valid integer.`)
      return Number(value)
    case 'number':
      if (!/^-?\d+(\.\d+)?$/.test(value)) throw bad(`"${value}" is not a valid number.`)
      return Number(value)
    case 'date':
      if (!isCalendarDay(value)) throw bad(`"${value}" is not a valid date (YYYY-MM-DD).`)
      return value
    case 'datetime': {
      const timestamp = utcTimestamp(value)
      if (timestamp === undefined) throw bad(`"${value}" is not a valid date or date-time.`)
      return timestamp
    }
    case 'boolean':
      if (['true', '1', 'True'].includes(value)) return true
      if (['false', '0', 'False'].includes(value)) return false
      throw bad(`"${value}" is not a valid boolean.`)
    default:
      return value
  }
}

/** Every query parameter name a list accepts, for OpenAPI documentation. */
export function filterParamNames(fields: readonly FilterField[]): { name: string; field: FilterField; lookup: Lookup }[] {
  return fields.flatMap((field) =>
    field.lookups.map((lookup) => ({
      name: lookup === 'exact' ? field.param : `${field.param}__${lookup}`,
      field,
      lookup,
    })),
  )
}
