import { serverNow, type Clock } from '../lib/clock.ts'
import { randomSecret } from '../lib/crypto.ts'
import { PonteError } from '../lib/errors.ts'
import { hex32, isUuid, uuidv7 } from '../lib/ids.ts'
import type { FilterField, ListRequest } from '../lib/list-query.ts'
import type { WebhookSettings } from '../jobs/dispatcher.ts'
import { refusedHostReason } from '../lib/destinations.ts'
import type { Queryable } from '../store/db.ts'
import * as store from '../store/webhooks.ts'
import type { WebhookDeliveryRow, WebhookEndpointRow } from '../store/webhooks.ts'
import type { Actor, DomainContext } from './context.ts'
import { releaseWhenGathered, webhookRuleFault } from './sandbox-faults.ts'

/** The delivery policy the jobs apply, for the API's own description of a delivery. */
export { MAX_ATTEMPTS, RESPONSE_SNIPPET_CHARS, RETRY_DELAYS_MS } from '../jobs/dispatcher.ts'

export const WEBHOOK_ENDPOINT_FILTERS: readonly FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'url', type: 'text', lookups: ['exact', 'icontains'], description: 'The URL events are sent to' },
  { param: 'disabled', type: 'boolean', lookups: ['exact'] },
  { param: 'created_at', type: 'datetime', lookups: ['exact', 'gt', 'gte', 'lt', 'lte', 'range'] },
]

export const WEBHOOK_DELIVERY_FILTERS: readonly FilterField[] = [
  { param: 'status', type: 'text', lookups: ['exact', 'in'], choices: ['pending', 'succeeded', 'failed'] },
  { param: 'webhook_type', type: 'text', lookups: ['exact', 'in'] },
  { param: 'webhook_code', type: 'text', lookups: ['exact', 'in'] },
  { param: 'webhook_id', source: { column: 'event_id' }, type: 'text', lookups: ['exact'], description: 'The event id (X-Ponte-Event-Id)' },
  { param: 'created_at', type: 'datetime', lookups: ['exact', 'gt', 'gte', 'lt', 'lte', 'range'] },
]
export type { WebhookDeliveryRow, WebhookEndpointRow }

/**
 * Webhooks need the database, the clock, the cipher and the destination policy, not the
 * connectors (the CLI has no registry). The API and the operator's CLI save endpoints under the
 * same policy; the dispatcher checks each attempt against it again.
 */
export type WebhookContext = Pick<DomainContext, 'db' | 'clock' | 'cipher'> & { webhooks: Pick<WebhookSettings, 'allowPrivateDestinations'> }

/**
 * The `webhook_type` values an endpoint can subscribe to: Belvo's aggregation, enrichment, fiscal
 * and employment types (INVENTORY 7.2, one per `fetch_resources` value plus LINKS and CONSENT) and
 * the Brazil payments types (7.3; their payment transactions are TRANSACTIONS too). Belvo's docs spell the link type both LINK and LINKS; both are
 * accepted. `emitWebhook` does not check against this list: an unlisted type still reaches the
 * endpoints that take every type.
 */
/**
 * How long an event, its deliveries and their attempts stay listable (Stripe keeps events 30 days).
 * An event still being retried stays until its last delivery has finished.
 */
export const WEBHOOK_EVENT_RETENTION_DAYS = 30

/** The retention job's part: events past WEBHOOK_EVENT_RETENTION_DAYS whose deliveries finished. */
export function deleteOldWebhookEvents(ctx: DomainContext, now: Date): Promise<number> {
  return store.deleteFinishedEventsBefore(ctx.db, new Date(now.getTime() - WEBHOOK_EVENT_RETENTION_DAYS * 86_400_000).toISOString())
}

export const WEBHOOK_TYPES = [
  'ACCOUNTS',
  'TRANSACTIONS',
  'OWNERS',
  'BILLS',
  'INVESTMENTS',
  'INVESTMENT_TRANSACTIONS',
  'EXCHANGES',
  'INCOMES',
  'RECURRING_EXPENSES',
  'RISK_INSIGHTS',
  'INVOICES',
  'TAX_RETURNS',
  'TAX_STATUS',
  'TAX_COMPLIANCE_STATUS',
  'TAX_RETENTIONS',
  'FINANCIAL_STATEMENTS',
  'EMPLOYMENT_RECORDS',
  'CURRENT_EMPLOYMENTS',
  'EMPLOYMENT_METRICS',
  'EMPLOYMENTS',
  'LINK',
  'LINKS',
  'CONSENT',
  'PAYMENT_INTENTS',
  'CHARGES',
  'ENROLLMENTS',
  'BANK_ACCOUNTS',
  'CUSTOMERS',
  'PAYMENT_AUTHORIZATIONS',
] as const
export type WebhookType = (typeof WEBHOOK_TYPES)[number]

/** Belvo's webhook body (INVENTORY 7.2), key order included. */
export interface WebhookPayload {
  webhook_id: string
  webhook_type: string
  process_type: string
  webhook_code: string
  link_id: string | null
  request_id: string | null
  external_id: string | null
  data: unknown
}

/** Belvo's Payments Brazil webhook body (INVENTORY 7.3), key order included. */
export interface PaymentsWebhookPayload {
  webhook_id: string
  webhook_type: string
  webhook_code: string
  object_id: string
  external_id: string | null
  data: unknown
}

/** The endpoint as the API shows it: the Authorization value masked, the secret never. */
export function webhookEndpointWire(row: WebhookEndpointRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    // Only validated WEBHOOK_TYPES values are ever stored (the API checks them on the way in).
    event_types: row.event_types as WebhookType[] | null,
    authorization: row.authorization_hint,
    created_at: row.created_at,
    disabled: row.disabled,
  }
}
export type WebhookEndpointWire = ReturnType<typeof webhookEndpointWire>

export function webhookDeliveryWire(row: WebhookDeliveryRow) {
  return {
    id: row.id,
    webhook_id: row.webhook_id,
    endpoint: row.endpoint,
    webhook_type: row.webhook_type,
    webhook_code: row.webhook_code,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.next_attempt_at,
    last_status_code: row.last_status_code,
    created_at: row.created_at,
    updated_at: row.updated_at,
    payload: JSON.parse(row.payload) as WebhookPayload | PaymentsWebhookPayload,
    attempts_log: row.attempts_log,
  }
}
export type WebhookDeliveryWire = ReturnType<typeof webhookDeliveryWire>

/**
 * "Bearer abcdef123" -> "Bearer ***f123": the scheme and the last four characters, enough to tell
 * two configured values apart. Values shorter than eight characters show no characters at all.
 */
export function maskAuthorization(value: string): string {
  const match = /^(\S+)\s+(.+)$/.exec(value.trim())
  const [scheme, credential] = match ? [`${match[1]} `, match[2]] : ['', value.trim()]
  return `${scheme}***${credential.length >= 8 ? credential.slice(-4) : ''}`
}

/**
 * http(s) only, with a host and no user:password part (the Authorization field is for that).
 * Where the policy wants public destinations (production), an address or name that is not public
 * by itself (127.0.0.1, [::ffff:10.0.0.1], localhost, metadata.google.internal) is refused here;
 * what a name resolves to is checked at each delivery, since DNS can change after saving.
 */
function checkUrl(ctx: WebhookContext, url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new PonteError('invalid', { field: 'url', variant: 'url' })
  }
  if (!['http:', 'https:'].includes(parsed.protocol) || !parsed.hostname || parsed.username || parsed.password) {
    throw new PonteError('invalid', { field: 'url', variant: 'url' })
  }
  if (!ctx.webhooks.allowPrivateDestinations && refusedHostReason(parsed.hostname)) {
    throw new PonteError('invalid', { field: 'url', variant: 'private_destination', params: { host: parsed.hostname } })
  }
  return url
}

/** A header value node:http can send: printable ASCII, no CR/LF that could smuggle another header. */
function checkAuthorization(value: string): string {
  if (!/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value)) {
    throw new PonteError('invalid', { field: 'authorization', variant: 'header_value' })
  }
  return value
}

/** Known types only (WEBHOOK_TYPES), without repeats; null and undefined pass through. */
function eventTypes(types: readonly string[] | null | undefined): string[] | null | undefined {
  if (!types) return types
  const unknown = types.find((t) => !(WEBHOOK_TYPES as readonly string[]).includes(t))
  if (unknown !== undefined) throw new PonteError('invalid_choice', { field: 'event_types', params: { value: unknown } })
  return [...new Set(types)]
}

/** 32 random bytes; receivers key their HMAC with the whole string, prefix included. */
function newSecret(): string {
  return `whsec_${randomSecret(32)}`
}

function sealedAuthorization(ctx: WebhookContext, value: string | null | undefined) {
  if (value === undefined) return {}
  if (value === null) return { authorization_sealed: null, authorization_hint: null }
  return { authorization_sealed: ctx.cipher.encrypt(checkAuthorization(value)), authorization_hint: maskAuthorization(value) }
}

export interface CreateWebhookInput {
  url: string
  authorization?: string | null
  description?: string | null
  event_types?: readonly string[] | null
}

/** POST /api/webhooks/: the endpoint and its signing secret, which is never shown again. */
export async function createWebhookEndpoint(
  ctx: WebhookContext,
  actor: Actor,
  input: CreateWebhookInput,
): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  const now = ctx.clock.now()
  const secret = newSecret()
  const auth = sealedAuthorization(ctx, input.authorization)
  const endpoint = await store.insertEndpoint(ctx.db, {
    id: uuidv7(now.getTime()),
    organizationId: actor.organizationId,
    url: checkUrl(ctx, input.url),
    description: input.description ?? null,
    eventTypes: eventTypes(input.event_types) ?? null,
    authorizationSealed: auth.authorization_sealed ?? null,
    authorizationHint: auth.authorization_hint ?? null,
    secretSealed: ctx.cipher.encrypt(secret),
    now: now.toISOString(),
  })
  return { endpoint, secret }
}

export function listWebhookEndpoints(ctx: WebhookContext, actor: Actor, { conditions, page }: ListRequest) {
  return store.listEndpoints(ctx.db, actor.organizationId, conditions, page)
}

/** The organization's endpoint, or 404 (also for another organization's id). */
export async function getWebhookEndpoint(ctx: WebhookContext, actor: Actor, id: string): Promise<WebhookEndpointRow> {
  const endpoint = isUuid(id) ? await store.findEndpoint(ctx.db, actor.organizationId, id) : undefined
  if (!endpoint) throw new PonteError('not_found')
  return endpoint
}

export interface UpdateWebhookInput {
  url?: string
  authorization?: string | null
  description?: string | null
  event_types?: readonly string[] | null
  disabled?: boolean
}

/**
 * PATCH /api/webhooks/{id}/: absent fields stay, `null` clears (no Authorization, no description,
 * every event type). Disabling keeps pending deliveries waiting until the endpoint is enabled.
 */
export async function updateWebhookEndpoint(ctx: WebhookContext, actor: Actor, id: string, input: UpdateWebhookInput): Promise<WebhookEndpointRow> {
  if (!isUuid(id)) throw new PonteError('not_found')
  const changes: store.EndpointChanges = {
    url: input.url === undefined ? undefined : checkUrl(ctx, input.url),
    description: input.description,
    event_types: eventTypes(input.event_types),
    disabled: input.disabled,
    ...sealedAuthorization(ctx, input.authorization),
  }
  const endpoint = await store.updateEndpoint(ctx.db, actor.organizationId, id, changes, ctx.clock.now().toISOString())
  if (!endpoint) throw new PonteError('not_found')
  return endpoint
}

/** DELETE /api/webhooks/{id}/: the endpoint and its deliveries; the events stay. */
export async function deleteWebhookEndpoint(ctx: WebhookContext, actor: Actor, id: string): Promise<void> {
  if (!isUuid(id) || !(await store.deleteEndpoint(ctx.db, actor.organizationId, id))) throw new PonteError('not_found')
}

/**
 * POST /api/webhooks/{id}/rotate-secret/: a new secret, shown once. The old one stops at once:
 * every attempt from now on, retries included, is signed with the new one.
 */
export async function rotateWebhookSecret(ctx: WebhookContext, actor: Actor, id: string): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  if (!isUuid(id)) throw new PonteError('not_found')
  const secret = newSecret()
  const endpoint = await store.updateEndpoint(ctx.db, actor.organizationId, id, { secret_sealed: ctx.cipher.encrypt(secret) }, ctx.clock.now().toISOString())
  if (!endpoint) throw new PonteError('not_found')
  return { endpoint, secret }
}

export async function listWebhookDeliveries(ctx: WebhookContext, actor: Actor, endpointId: string, { conditions, page }: ListRequest) {
  const endpoint = await getWebhookEndpoint(ctx, actor, endpointId)
  return store.listDeliveries(ctx.db, actor.organizationId, endpoint.id, conditions, page)
}

export async function getWebhookDelivery(ctx: WebhookContext, actor: Actor, id: string): Promise<WebhookDeliveryRow> {
  const delivery = isUuid(id) ? await store.findDelivery(ctx.db, actor.organizationId, id) : undefined
  if (!delivery) throw new PonteError('not_found')
  return delivery
}

/**
 * POST /api/webhooks/deliveries/{id}/redeliver/: pending again, due now, attempts from zero (the
 * attempt log keeps the earlier ones). The event id, hence X-Ponte-Event-Id, stays the same, so
 * a receiver that already processed it can tell.
 */
export async function redeliverWebhook(ctx: WebhookContext, actor: Actor, id: string): Promise<WebhookDeliveryRow> {
  if (!isUuid(id) || !(await store.resetDelivery(ctx.db, actor.organizationId, id, serverNow(ctx.clock).toISOString()))) {
    throw new PonteError('not_found')
  }
  return getWebhookDelivery(ctx, actor, id)
}

export interface WebhookEvent {
  organizationId: string
  linkId: string | null
  externalId: string | null
  requestId: string | null
  webhookType: string
  webhookCode: string
  processType: string
  data: unknown
  /**
   * Optional idempotency key, unique per organization: emitting again with a key already used
   * (a retried job) sends nothing new and returns the first event's webhook_id.
   */
  eventKey?: string | null
  /**
   * Payments Brazil events (INVENTORY 7.3) name the object they are about instead of a link:
   * with `objectId` the payload is `{webhook_id, webhook_type, webhook_code, object_id,
   * external_id, data}` (no link_id, process_type or request_id).
   */
  objectId?: string
}

/**
 * Records an event and schedules its deliveries. Call it inside the transaction of the change that
 * causes the event: if that rolls back, no webhook goes out (transactional outbox). Builds Belvo's
 * payload (INVENTORY 7.2) with a new `webhook_id`, which is also the event id; every enabled
 * endpoint of the organization that takes `webhookType` gets one pending delivery, due at
 * `ctx.clock.now()`. The event is stored even when no endpoint wants it. Returns the webhook_id
 * (the earlier one when `eventKey` was already used).
 */
export async function emitWebhook(
  tx: Queryable,
  ctx: { clock: Clock; connectors?: { hasRealConnector(institution: string): boolean } },
  event: WebhookEvent,
): Promise<string> {
  const webhookId = hex32()
  const now = ctx.clock.now()
  const body: WebhookPayload | PaymentsWebhookPayload = event.objectId
    ? {
        webhook_id: webhookId,
        webhook_type: event.webhookType,
        webhook_code: event.webhookCode,
        object_id: event.objectId,
        external_id: event.externalId,
        data: event.data === undefined ? null : event.data,
      }
    : {
        webhook_id: webhookId,
        webhook_type: event.webhookType,
        process_type: event.processType,
        webhook_code: event.webhookCode,
        link_id: event.linkId,
        request_id: event.requestId,
        external_id: event.externalId,
        data: event.data === undefined ? null : event.data,
      }
  const payload = JSON.stringify(body)
  const eventKey = event.eventKey ?? null
  const inserted = await store.insertEvent(tx, {
    id: webhookId,
    organizationId: event.organizationId,
    eventKey,
    linkId: event.linkId,
    webhookType: event.webhookType,
    webhookCode: event.webhookCode,
    payload,
    createdAt: now.toISOString(),
  })
  if (!inserted) return (await store.findEventIdByKey(tx, event.organizationId, eventKey!))!
  const endpointIds = await store.subscribedEndpointIds(tx, event.organizationId, event.webhookType)
  // Deliveries run on the server's clock, even for an organization with a sandbox clock.
  const due = serverNow(ctx.clock)
  // A sandbox webhook rule (POST /sandbox/faults/) may delay, repeat, hold for reordering or "lose the answer of" this event's deliveries.
  const fault =
    endpointIds.length > 0
      ? await webhookRuleFault(
          tx,
          event.organizationId,
          { webhookType: event.webhookType, linkId: event.linkId, ordered: event.objectId !== undefined },
          ctx.connectors,
        )
      : undefined
  await store.insertDeliveries(tx, {
    ids: endpointIds.map(() => uuidv7(due.getTime())),
    endpointIds,
    organizationId: event.organizationId,
    eventId: webhookId,
    webhookType: event.webhookType,
    webhookCode: event.webhookCode,
    now: due.toISOString(),
    // An object's events reach each endpoint in the order they were stored.
    orderKey: event.objectId ?? null,
    sandbox: fault && {
      dueAt: fault.reorder ? store.HELD_UNTIL : fault.delayMs > 0 ? new Date(due.getTime() + fault.delayMs).toISOString() : undefined,
      duplicates: fault.duplicates,
      lostAnswers: fault.lostAnswers,
      heldBy: fault.reorder?.ruleId,
    },
  })
  if (fault?.reorder) await releaseWhenGathered(tx, fault.reorder, due)
  return webhookId
}

/**
 * The organization CLI commands act for: `id` when given (it must exist), otherwise the first
 * organization, as `ponte keys create` does.
 */
export async function cliOrganization(ctx: WebhookContext, id?: string): Promise<Actor> {
  if (id !== undefined && !isUuid(id)) throw new PonteError('does_not_exist', { field: 'organization_id', params: { key: 'id', value: id } })
  const organizationId = await store.findOrganizationId(ctx.db, id)
  if (!organizationId && id !== undefined) throw new PonteError('does_not_exist', { field: 'organization_id', params: { key: 'id', value: id } })
  if (!organizationId) throw new PonteError('does_not_exist', { message: 'There is no organization yet: create a secret key first (ponte keys create).' })
  return { organizationId }
}
