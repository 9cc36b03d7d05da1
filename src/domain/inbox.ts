import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Cipher } from '../lib/crypto.ts'
import { PonteError } from '../lib/errors.ts'
import { isUuid, uuidv7 } from '../lib/ids.ts'
import type { FilterField, ListRequest } from '../lib/list-query.ts'
import { signature as webhookSignature } from '../jobs/dispatcher.ts'
import * as store from '../store/inbox.ts'
import type { InboxMessageRow } from '../store/inbox.ts'

export { INBOX_CAPACITY } from '../store/inbox.ts'
import { byIdOr404 } from './by-id.ts'
import type { Actor, DomainContext } from './context.ts'
import { maskAuthorization } from './webhooks.ts'

/**
 * The sandbox's webhook inbox (issue 18): a receiver URL served by Ponte itself, and a list (and a
 * page) of what it received, with each signature checked. A developer registers the URL with
 * POST /api/webhooks/ and sees Ponte's webhooks without running a receiver or a tunnel.
 *
 * The URL's token is the organization's id and a MAC of it under a key derived from the server's
 * encryption key: it names the inbox without a table, cannot be guessed from the id alone, and
 * stays the same across restarts and processes.
 */
export type InboxContext = Pick<DomainContext, 'db' | 'clock' | 'cipher'>

const MAC_PURPOSE = 'webhook-inbox'

export const INBOX_PATH = '/sandbox/inbox/'

export const INBOX_MESSAGE_FILTERS: readonly FilterField[] = [
  { param: 'webhook_type', type: 'text', lookups: ['exact', 'in'] },
  { param: 'webhook_code', type: 'text', lookups: ['exact', 'in'] },
  { param: 'webhook_id', source: { column: 'event_id' }, type: 'text', lookups: ['exact'], description: 'The event id (X-Ponte-Event-Id)' },
  { param: 'signature', type: 'text', lookups: ['exact', 'in'], choices: ['valid', 'invalid', 'missing'] },
  { param: 'received_at', type: 'datetime', lookups: ['exact', 'gt', 'gte', 'lt', 'lte', 'range'] },
]

function mac(cipher: Cipher, organizationId: string): string {
  return createHmac('sha256', cipher.deriveKey(MAC_PURPOSE)).update(organizationId).digest('base64url').slice(0, 32)
}

/** The inbox token of an organization: `<organization id>.<MAC>`. */
export function inboxToken(cipher: Cipher, organizationId: string): string {
  return `${organizationId}.${mac(cipher, organizationId)}`
}

/** The organization a token names, or undefined when the token is not one this server made. */
export function inboxOrganization(cipher: Cipher, token: string): string | undefined {
  const [organizationId, given] = token.split('.')
  if (!organizationId || !given || !isUuid(organizationId)) return undefined
  const expected = Buffer.from(mac(cipher, organizationId))
  const actual = Buffer.from(given)
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? organizationId : undefined
}

/** The inbox's receiver URL under `base` (the server's public origin). */
export function inboxUrl(cipher: Cipher, base: string, organizationId: string): string {
  return `${base}${INBOX_PATH}${inboxToken(cipher, organizationId)}/`
}

export interface ReceivedRequest {
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** Headers not kept: they describe the connection, not the webhook. */
const DROPPED_HEADERS = new Set(['connection', 'keep-alive', 'cookie'])

/**
 * Keeps one request the inbox received. A token this server did not make (or of an organization
 * that no longer exists) is a 404, as any unknown URL. The signature is checked against the secret
 * of every endpoint of the organization that points at this inbox: `valid` when one matches.
 */
export async function receiveInboxMessage(ctx: InboxContext, token: string, request: ReceivedRequest): Promise<void> {
  const organizationId = inboxOrganization(ctx.cipher, token)
  if (!organizationId || !(await store.organizationExists(ctx.db, organizationId))) throw new PonteError('not_found')
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || DROPPED_HEADERS.has(name)) continue
    const text = Array.isArray(value) ? value.join(', ') : value
    headers[name] = name === 'authorization' ? maskAuthorization(text) : text
  }
  const checked = await checkSignature(ctx, organizationId, token, headers, request.body)
  const payload = parseJson(request.body)
  await store.insertInboxMessage(ctx.db, {
    id: uuidv7(ctx.clock.now().getTime()),
    organization_id: organizationId,
    received_at: ctx.clock.now().toISOString(),
    event_id: headers['x-ponte-event-id'] ?? null,
    webhook_type: textField(payload, 'webhook_type'),
    webhook_code: textField(payload, 'webhook_code'),
    signature: checked.signature,
    endpoint_id: checked.endpointId,
    headers,
    body: request.body,
  })
}

async function checkSignature(
  ctx: InboxContext,
  organizationId: string,
  token: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ signature: InboxMessageRow['signature']; endpointId: string | null }> {
  const given = headers['x-ponte-signature']
  const timestamp = headers['x-ponte-timestamp']
  if (!given) return { signature: 'missing', endpointId: null }
  if (timestamp) {
    for (const endpoint of await store.endpointsPointingAt(ctx.db, organizationId, `${INBOX_PATH}${token}/`)) {
      const expected = `v1=${webhookSignature(ctx.cipher.decrypt(endpoint.secret_sealed), timestamp, body)}`
      if (expected.length === given.length && timingSafeEqual(Buffer.from(expected), Buffer.from(given))) {
        return { signature: 'valid', endpointId: endpoint.id }
      }
    }
  }
  return { signature: 'invalid', endpointId: null }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    return undefined
  }
}

function textField(payload: unknown, key: string): string | null {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return null
  const value = (payload as Record<string, unknown>)[key]
  return typeof value === 'string' ? value.slice(0, 100) : null
}

/** A message as the API shows it: the body parsed when it is JSON, as text otherwise. */
export function inboxMessageWire(row: InboxMessageRow) {
  const payload = parseJson(row.body)
  return {
    id: row.id,
    received_at: row.received_at,
    webhook_id: row.event_id,
    webhook_type: row.webhook_type,
    webhook_code: row.webhook_code,
    signature: row.signature,
    endpoint_id: row.endpoint_id,
    headers: row.headers,
    body: payload === undefined ? row.body : payload,
  }
}

export function listInboxMessages(ctx: InboxContext, actor: Actor, { conditions, page }: ListRequest) {
  return store.listInboxMessages(ctx.db, actor.organizationId, conditions, page)
}

export function getInboxMessage(ctx: InboxContext, actor: Actor, id: string): Promise<InboxMessageRow> {
  return byIdOr404(id, (uuid) => store.findInboxMessage(ctx.db, actor.organizationId, uuid))
}

export function clearInbox(ctx: InboxContext, actor: Actor): Promise<number> {
  return store.clearInbox(ctx.db, actor.organizationId)
}
