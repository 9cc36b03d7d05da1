import { PonteError } from '../lib/errors.ts'
import { isUuid } from '../lib/ids.ts'
import { encodeJson, type JsonText } from '../lib/json-text.ts'
import * as store from '../store/sync.ts'
import type { Actor, DomainContext } from './context.ts'
import type { ResourceSpec } from './registry.ts'

/**
 * GET /api/<resource>/sync/ (issue 18, docs/sync.md): what changed in a link's stored rows of a
 * resource since a cursor, in pages: `added` (created after it), `modified` (created before it,
 * changed after it), `removed` ids, `next_cursor` and `has_more`. The cursor is a value of one
 * database sequence (migration 0022) bound to the link; it stays valid as long as the link.
 */

export const SYNC_PAGE_SIZE = { default: 500, max: 1000 }

const CURSOR_VERSION = '1'

/** The opaque cursor: base64url of `1:<link id>:<sequence value>`. */
export function encodeCursor(linkId: string, seq: string): string {
  return Buffer.from(`${CURSOR_VERSION}:${linkId}:${seq}`).toString('base64url')
}

const badCursor = (detail: string) => new PonteError('invalid', { field: 'cursor', params: { detail } })

/** The sequence value of a cursor of this link ('0' without one); Belvo's 400 on `cursor` otherwise. */
export function decodeCursor(linkId: string, cursor: string | undefined): string {
  if (cursor === undefined || cursor === '') return '0'
  const parts = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8').split(':') : []
  if (parts.length !== 3 || parts[0] !== CURSOR_VERSION || !/^\d{1,18}$/.test(parts[2])) {
    throw badCursor('not a cursor this server issued: sync again without one')
  }
  if (parts[1] !== linkId) throw badCursor('the cursor belongs to another link')
  return parts[2].replace(/^0+(?=\d)/, '')
}

/** The storage name of a resource's changes: its table, or its records key. */
const changesOf = (spec: ResourceSpec) => (spec.storage === 'records' ? spec.recordKey! : spec.storage)

export interface SyncQuery {
  link?: string
  cursor?: string
  page_size?: string
}

/** One page of changes as the JSON body. */
export async function syncPage(ctx: DomainContext, actor: Actor, spec: ResourceSpec, query: SyncQuery): Promise<Buffer> {
  const linkId = query.link
  if (linkId === undefined || linkId === '') throw new PonteError('required', { field: 'link' })
  const pageSize = query.page_size === undefined ? SYNC_PAGE_SIZE.default : Number(query.page_size)
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > SYNC_PAGE_SIZE.max) {
    throw new PonteError('invalid', { field: 'page_size', params: { detail: `from 1 to ${SYNC_PAGE_SIZE.max}` } })
  }
  const link = isUuid(linkId) ? await store.syncHorizon(ctx.db, actor.organizationId, linkId) : undefined
  if (!link) throw new PonteError('does_not_exist', { field: 'link', variant: 'id', params: { value: linkId } })
  const after = decodeCursor(linkId, query.cursor)
  if (store.compareSeq(after, link.horizon) > 0) throw badCursor('the cursor is ahead of this server: sync again without one')
  const changes = await store.syncChanges(
    ctx.db,
    spec.wire,
    changesOf(spec),
    { id: linkId, accountsVersion: link.accountsVersion },
    after,
    link.horizon,
    pageSize + 1,
  )
  const hasMore = changes.length > pageSize
  if (hasMore) changes.length = pageSize
  const added: JsonText[] = []
  const modified: JsonText[] = []
  let removed = ''
  for (const change of changes) {
    if (change.removed !== undefined) removed += `${removed ? ',' : ''}{"id":"${change.removed}"}`
    else {
      const list = change.added ? added : modified
      list.push(list.length === 0 ? change.json! : [',', change.json!])
    }
  }
  const next = encodeCursor(linkId, hasMore ? changes[changes.length - 1].seq : link.horizon)
  return encodeJson(['{"added":[', added, '],"modified":[', modified, `],"removed":[${removed}],"next_cursor":"${next}","has_more":${hasMore}}`])
}
