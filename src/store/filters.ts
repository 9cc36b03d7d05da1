import { isCalendarDay } from '../lib/dates.ts'
import type { Condition, FilterField, FilterType } from '../lib/list-query.ts'

/**
 * The SQL of a list's filters. Declarations (lib/list-query.ts) name where a value lives (a
 * column of the list's table, a field of its JSON body, a column of the row's account or link);
 * only this module knows the aliases and joins that reach them.
 */

/** The list's table as a filter sees it. */
export interface FilterTarget {
  /** The alias of the list's table, e.g. `t` for `transactions t`. */
  alias: string
  /** The alias of the row's account when the list's query joins it; without it, a subquery reads the account. */
  accountAlias?: string
}

const CAST: Record<FilterType, string> = {
  text: 'text',
  uuid: 'uuid',
  integer: 'bigint',
  number: 'numeric',
  date: 'date',
  datetime: 'timestamptz',
  boolean: 'boolean',
}

// Names are spliced into SQL: a declaration may only name plain lowercase identifiers.
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/

function identifier(name: string, field: FilterField): string {
  if (!IDENTIFIER.test(name)) throw new Error(`filter ${field.param}: "${name}" is not a column or field name`)
  return name
}

/** Whether the field's value is a column of the row's account (a list that joins its account needs the join for it). */
export function readsAccount(field: FilterField): boolean {
  return field.source !== undefined && 'account' in field.source
}

/** The SQL expression of the field's value for a row of `target`. */
export function filterColumn(field: FilterField, { alias, accountAlias }: FilterTarget): string {
  const source = field.source ?? { column: field.param }
  if ('column' in source) return `${alias}.${identifier(source.column, field)}`
  if ('body' in source) {
    // A dotted name reaches into the body's objects: `informacion_general.ejercicio`.
    const path = source.body.split('.').map((name) => `'${identifier(name, field)}'`)
    // An array filter on a body field reads its JSON array as a SQL one (risk insights' `accounts`).
    if (field.array) return `ARRAY(SELECT json_array_elements_text(${alias}.body::json${path.map((name) => `->${name}`).join('')}))::${CAST[field.type]}[]`
    const text = `(${alias}.body::json${path.map((name, i) => (i === path.length - 1 ? `->>${name}` : `->${name}`)).join('')})`
    return field.type === 'text' ? text : `${text}::${CAST[field.type]}`
  }
  if ('account' in source) {
    const column = identifier(source.account, field)
    return accountAlias ? `${accountAlias}.${column}` : `(SELECT a.${column} FROM accounts a WHERE a.id = ${alias}.account_id)`
  }
  if ('customer' in source) return `(SELECT c.${identifier(source.customer, field)} FROM payment_customers c WHERE c.id = ${alias}.customer_id)`
  return `(SELECT l.${identifier(source.link, field)} FROM links l WHERE l.id = ${alias}.link_id)`
}

/**
 * Appends each condition's SQL to `where` and its values to `params` ($n placeholders continue
 * after the values already in `params`). Every value is a bound parameter with an explicit cast,
 * so the planner can use the index on the column.
 */
export function conditionsToSql(conditions: readonly Condition[], target: FilterTarget, where: string[], params: unknown[]): void {
  for (const { field, lookup, values } of conditions) {
    const cast = CAST[field.type]
    const bind = (value: unknown, type = cast) => {
      params.push(value)
      return `$${params.length}::${type}`
    }
    const col = filterColumn(field, target)
    if (field.array) {
      if (lookup === 'exact') where.push(`${bind(values[0])} = ANY(${col})`)
      else if (lookup === 'in') where.push(`${col} && ${bind(values, `${cast}[]`)}`)
      else if (lookup === 'allin') where.push(`${col} @> ${bind(values, `${cast}[]`)}`)
      else if (lookup === 'not_in') where.push(`NOT (${col} && ${bind(values, `${cast}[]`)})`)
      continue
    }
    // A plain date on a timestamp column stands for that whole day (UTC): `=` and `__range`
    // take all of it, `__lte` includes it and `__gt` starts after it. Bounds stay on the column
    // itself so its index serves them.
    const isDay = (value: unknown) => field.type === 'datetime' && isCalendarDay(String(value))
    const dayStart = (value: unknown) => `(${bind(value, 'date')}::timestamp AT TIME ZONE 'UTC')`
    const dayEnd = (value: unknown) => `((${bind(value, 'date')} + 1)::timestamp AT TIME ZONE 'UTC')`
    const above = (value: unknown, inclusive: boolean) =>
      isDay(value) ? `${col} >= ${inclusive ? dayStart(value) : dayEnd(value)}` : `${col} ${inclusive ? '>=' : '>'} ${bind(value)}`
    const below = (value: unknown, inclusive: boolean) =>
      isDay(value) ? `${col} < ${inclusive ? dayEnd(value) : dayStart(value)}` : `${col} ${inclusive ? '<=' : '<'} ${bind(value)}`
    switch (lookup) {
      case 'exact':
        if (isDay(values[0])) where.push(`${above(values[0], true)} AND ${below(values[0], true)}`)
        else where.push(`${col} = ${bind(values[0])}`)
        break
      case 'in':
        where.push(`${col} = ANY(${bind(values, `${cast}[]`)})`)
        break
      case 'not_in':
        where.push(`(${col} IS NULL OR ${col} <> ALL(${bind(values, `${cast}[]`)}))`)
        break
      case 'gt':
        where.push(above(values[0], false))
        break
      case 'gte':
        where.push(above(values[0], true))
        break
      case 'lt':
        where.push(below(values[0], false))
        break
      case 'lte':
        where.push(below(values[0], true))
        break
      case 'range':
        where.push(`${above(values[0], true)} AND ${below(values[1], true)}`)
        break
      case 'icontains':
        where.push(`${col}::text ILIKE ${bind(`%${escapeLike(String(values[0]))}%`, 'text')}`)
        break
      case 'allin':
        where.push(`${col} = ${bind(values[0])}`)
        break
    }
  }
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`)
}
