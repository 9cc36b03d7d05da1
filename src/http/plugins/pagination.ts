import type { FastifyRequest } from 'fastify'
import { PonteError } from '../../lib/errors.ts'
import { encodeJson, jsonString, type JsonText } from '../../lib/json-text.ts'
import type { PageRequest } from '../../lib/list-query.ts'

export const MAX_PAGE_SIZE = 1000

/**
 * Belvo's `page` (from 1) and `page_size` (default 100, larger than 1000 clamped to 1000). As in
 * DRF, a page that is not a positive integer is a 404 "Invalid page."; a bad page_size falls back
 * to the default.
 */
export function pageRequest(query: Record<string, unknown>, defaultPageSize: number): PageRequest {
  const rawPage = last(query.page)
  let page = 1
  if (rawPage !== undefined) {
    if (!/^\d{1,9}$/.test(rawPage) || Number(rawPage) < 1) throw new PonteError('not_found', { variant: 'page' })
    page = Number(rawPage)
  }
  const rawSize = last(query.page_size)
  const size = rawSize !== undefined && /^\d{1,9}$/.test(rawSize) && Number(rawSize) >= 1 ? Number(rawSize) : defaultPageSize
  return { page, pageSize: Math.min(size, MAX_PAGE_SIZE) }
}

function last(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length > 0 ? String(value[value.length - 1]) : undefined
  return value === undefined ? undefined : String(value)
}

export interface PageOf<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

/**
 * The pagination envelope with absolute `next`/`previous` URLs that keep every query parameter
 * as the client sent it (the SDK follows `next` verbatim). A page past the end is a 404.
 */
export function pageEnvelope<T>(
  request: FastifyRequest,
  publicUrl: string | undefined,
  { count, results }: { count: number; results: T[] },
  { page, pageSize }: PageRequest,
): PageOf<T> {
  if (page > 1 && (page - 1) * pageSize >= count) throw new PonteError('not_found', { variant: 'page' })
  const link = (target: number) => {
    const [path, search = ''] = request.url.split('?', 2)
    const params = new URLSearchParams(search)
    if (target === 1) params.delete('page')
    else params.set('page', String(target))
    const query = params.toString()
    return `${baseUrl(request, publicUrl)}${path}${query ? `?${query}` : ''}`
  }
  return {
    count,
    next: page * pageSize < count ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
    results,
  }
}

export function baseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '')
  return `${request.protocol}://${request.host}`
}

/** Belvo's `fields` (keep only these top-level keys) and `omit` (drop these). */
export function projector(query: Record<string, unknown>): ((item: unknown) => unknown) | undefined {
  const fields = csv(query.fields)
  const omit = csv(query.omit)
  if (!fields && !omit) return undefined
  return (item) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item
    const entries = Object.entries(item as Record<string, unknown>)
    return Object.fromEntries(entries.filter(([key]) => (!fields || fields.has(key)) && (!omit || !omit.has(key))))
  }
}

function csv(value: unknown): Set<string> | undefined {
  const parts =
    last(value)
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? []
  return parts.length > 0 ? new Set(parts) : undefined
}

/** Applies `fields`/`omit` to whatever a route returns: a page, an array, or one object. */
export function project(payload: unknown, apply: (item: unknown) => unknown): unknown {
  if (Array.isArray(payload)) return payload.map(apply)
  if (payload && typeof payload === 'object' && Array.isArray((payload as PageOf<unknown>).results) && 'count' in payload) {
    return { ...(payload as PageOf<unknown>), results: (payload as PageOf<unknown>).results.map(apply) }
  }
  return apply(payload)
}

/**
 * A page whose items are already JSON text (straight from the database): the envelope is written
 * around them without parsing them. With `fields`/`omit` the items are parsed and projected.
 */
export function jsonPage(
  request: FastifyRequest,
  publicUrl: string | undefined,
  result: { count: number; rows: { json: JsonText }[] },
  page: PageRequest,
): Buffer | PageOf<unknown> {
  const envelope = pageEnvelope(request, publicUrl, { count: result.count, results: [] as unknown[] }, page)
  const apply = projector(request.query as Record<string, unknown>)
  if (apply) return { ...envelope, results: result.rows.map((r) => apply(JSON.parse(jsonString(r.json)))) }
  // Encoded here, once, piece by piece (lib/json-text): given a string, the response path would
  // scan it for its byte length and then encode it again to write it.
  const items: JsonText[] = []
  for (const row of result.rows) items.push(items.length === 0 ? row.json : [',', row.json])
  return encodeJson([
    `{"count":${envelope.count},"next":${JSON.stringify(envelope.next)},"previous":${JSON.stringify(envelope.previous)},"results":[`,
    items,
    ']}',
  ])
}

/** One object stored as JSON text, projected when asked. */
export function jsonItem(request: FastifyRequest, json: string): string | unknown {
  const apply = projector(request.query as Record<string, unknown>)
  return apply ? apply(JSON.parse(json)) : json
}
