import type { Condition, PageRequest } from '../lib/list-query.ts'
import type { Queryable } from './db.ts'
import { conditionsToSql, type FilterTarget } from './filters.ts'

export type { PageRequest }

export interface ListQuery {
  /** `FROM ...` clause, joins included. */
  from: string
  select: string
  where: string[]
  params: unknown[]
  orderBy: string
}

/**
 * One page of a filtered list plus the total count (Belvo's `count`). Two statements rather than
 * `count(*) OVER ()`, which would materialise the whole filtered set to return 100 rows.
 */
export async function fetchPage<T>(
  db: Queryable,
  query: ListQuery,
  { page, pageSize }: PageRequest,
  knownCount?: number,
): Promise<{ count: number; rows: T[] }> {
  const where = query.where.length > 0 ? `WHERE ${query.where.join(' AND ')}` : ''
  const params = [...query.params]
  params.push(pageSize, (page - 1) * pageSize)
  const limit = `LIMIT $${params.length - 1} OFFSET $${params.length}`
  // A page past the end is a 404: skip the page query when the known count says so.
  if (knownCount !== undefined && (page - 1) * pageSize >= knownCount) return { count: knownCount, rows: [] }
  const [count, rows] = await Promise.all([
    knownCount ??
      db.query<{ count: string | number }>(`SELECT count(*) AS count FROM ${query.from} ${where}`, query.params).then((r) => Number(r[0]?.count ?? 0)),
    db.query<T>(`SELECT ${query.select} FROM ${query.from} ${where} ORDER BY ${query.orderBy} ${limit}`, params),
  ])
  return { count, rows }
}

/** A list scoped by fixed conditions (the organization, a parent id) and narrowed by the client's filters. */
export interface FilteredList extends FilterTarget {
  /** The list's table (`links l`: its alias is `alias`), with the joins the filters need. */
  from: string
  select: string
  orderBy: string
  /** Fixed conditions, with `$n` placeholders numbered from 1 over `params`. */
  where: string[]
  params: unknown[]
}

export function filteredPage<T>(db: Queryable, list: FilteredList, conditions: readonly Condition[], page: PageRequest, knownCount?: number) {
  const where = [...list.where]
  const params = [...list.params]
  conditionsToSql(conditions, list, where, params)
  return fetchPage<T>(db, { from: list.from, select: list.select, where, params, orderBy: list.orderBy }, page, knownCount)
}
