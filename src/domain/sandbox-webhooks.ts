import { wireShape } from '../connectors/catalog.ts'
import { PonteError } from '../lib/errors.ts'
import { hex32, isUuid } from '../lib/ids.ts'
import { recentTransactions, newestConsentOfLink, newestObjectEvent } from '../store/sandbox.ts'
import { findEventPayload } from '../store/webhooks.ts'
import type { Actor, DomainContext } from './context.ts'
import { backgroundResource } from './registry.ts'
import { connectorSupports } from './resources.ts'
import { getLinkRow } from './sessions.ts'
import { LINK_ERROR_DATA, summaryFor } from './sync.ts'
import { emitWebhook, type WebhookEvent } from './webhooks.ts'

/**
 * Webhooks on demand (issue 18): any webhook Belvo documents, for a link or a payments object of
 * the caller's organization, sent now through the same outbox, deliveries, headers and signing as
 * the real ones. Only the webhook: nothing stored changes (POST /sandbox/links/{id}/simulate/
 * makes a refresh find a real change instead).
 *
 * A link's event carries the data the real one would have now: a resource's historical_update its
 * stored totals, LINK errors Belvo's error object, a consent's notice its newest consent; where the
 * real data describes a change (new accounts, updated or deleted transactions), the defaults name
 * one (the link's latest transaction) and `data` may say otherwise. A payments object's event
 * repeats the newest one Ponte sent for that object (its status then), with a new webhook_id.
 */

/** Link webhooks, by type: the codes Belvo documents (INVENTORY 7.2). Resources add historical_update. */
const LINK_CODES: Record<string, readonly string[]> = {
  ACCOUNTS: ['historical_update', 'new_accounts_available'],
  TRANSACTIONS: ['historical_update', 'new_transactions_available', 'transactions_updated', 'transactions_deleted'],
  LINK: ['invalid_credentials', 'token_required', 'link_deleted'],
  CONSENT: ['openfinance_consent_about_to_expire'],
}

/** Payments Brazil webhooks (INVENTORY 7.3): the codes each object type is announced with. */
const OBJECT_CODES: Record<string, readonly string[]> = {
  PAYMENT_INTENTS: ['STATUS_UPDATE'],
  CHARGES: ['STATUS_UPDATE'],
  TRANSACTIONS: ['OBJECT_CREATED'],
  BANK_ACCOUNTS: ['OBJECT_CREATED'],
  ENROLLMENTS: ['STATUS_UPDATE'],
  PAYMENT_AUTHORIZATIONS: ['STATUS_UPDATE'],
}

export interface FireInput {
  webhook_type: string
  webhook_code: string
  link?: string | null
  object_id?: string | null
  data?: Record<string, unknown> | null
}

export interface Fired {
  webhook_id: string
  payload: Record<string, unknown>
}

function invalid(field: string, detail: string): PonteError {
  return new PonteError('invalid', { field, params: { detail } })
}

function checkCode(codes: readonly string[] | undefined, input: FireInput): void {
  if (!codes) return
  if (!codes.includes(input.webhook_code)) {
    throw invalid('webhook_code', `${input.webhook_type} webhooks are ${codes.join(', ')}.`)
  }
}

export async function fireWebhook(ctx: DomainContext, actor: Actor, input: FireInput): Promise<Fired> {
  const hasLink = input.link !== undefined && input.link !== null
  const hasObject = input.object_id !== undefined && input.object_id !== null
  if (hasLink === hasObject) throw invalid(hasLink ? 'object_id' : 'link', 'give either link (a link webhook) or object_id (a payments webhook).')
  const event = hasLink ? await linkEvent(ctx, actor, input) : await objectEvent(ctx, actor, input)
  // The event and its deliveries together, as every emitter does.
  const webhookId = await ctx.db.tx((tx) => emitWebhook(tx, ctx, event))
  const payload = await findEventPayload(ctx.db, actor.organizationId, webhookId)
  return { webhook_id: webhookId, payload: JSON.parse(payload!) as Record<string, unknown> }
}

async function linkEvent(ctx: DomainContext, actor: Actor, input: FireInput): Promise<WebhookEvent> {
  const link = await getLinkRow(ctx, actor, input.link!, { field: 'link' })
  if (ctx.connectors.hasRealConnector(link.institution)) throw invalid('link', 'the link’s institution is not served by the sandbox.')
  const institution = ctx.connectors.institution(link.institution)
  if (!institution) throw invalid('link', 'the link’s institution is no longer offered.')
  const { webhook_type: type, webhook_code: code } = input
  const resource = backgroundResource(type, { country: institution.country, shape: wireShape(institution) })
  const offered = resource !== undefined && institution.resources.includes(type) && connectorSupports(ctx, institution, resource)
  if (!LINK_CODES[type] && !resource) {
    throw invalid('webhook_type', `not a link webhook: use ${[...Object.keys(LINK_CODES), 'or a resource of fetch_resources'].join(', ')}.`)
  }
  checkCode(LINK_CODES[type] ?? ['historical_update'], input)
  if (code === 'historical_update' && !offered) throw invalid('webhook_type', `${link.institution} does not offer ${type}.`)

  let data: unknown = input.data ?? undefined
  let processType = 'recurrent_update'
  if (code === 'historical_update') {
    processType = 'historical_update'
    data ??= await summaryFor(ctx, resource!, link.id)
  } else if (code === 'new_accounts_available') {
    data ??= { new_accounts: 1 }
  } else if (code === 'new_transactions_available') {
    data ??= { new_transactions: 1 }
  } else if (code === 'transactions_updated' || code === 'transactions_deleted') {
    data ??= { transactions: (await recentTransactions(ctx.db, link.id, 1)).map((t) => t.id) }
  } else if (code === 'invalid_credentials' || code === 'token_required') {
    data ??= LINK_ERROR_DATA[code]
  } else if (code === 'link_deleted') {
    processType = 'historical_update'
    data ??= {}
  } else if (code === 'openfinance_consent_about_to_expire') {
    const consent = await newestConsentOfLink(ctx.db, actor.organizationId, link.id)
    if (!consent) throw invalid('link', 'the link has no Open Finance consent.')
    data ??= { consent_id: consent.id, consent_due_date: consent.expired_at, institution: consent.institution, document_number: consent.document_number }
  }
  return {
    organizationId: actor.organizationId,
    linkId: link.id,
    externalId: link.external_id,
    requestId: hex32(),
    webhookType: type,
    webhookCode: code,
    processType,
    data,
  }
}

async function objectEvent(ctx: DomainContext, actor: Actor, input: FireInput): Promise<WebhookEvent> {
  const codes = OBJECT_CODES[input.webhook_type]
  if (!codes) throw invalid('webhook_type', `not a payments webhook: use ${Object.keys(OBJECT_CODES).join(', ')}.`)
  checkCode(codes, input)
  const objectId = input.object_id!
  const sent = isUuid(objectId)
    ? await newestObjectEvent(ctx.db, actor.organizationId, input.webhook_type, input.webhook_code, objectId.toLowerCase())
    : undefined
  if (!sent) {
    throw invalid(
      'object_id',
      `no ${input.webhook_type} ${input.webhook_code} webhook was sent for this object in the last 30 days: there is nothing to repeat.`,
    )
  }
  const earlier = JSON.parse(sent) as { object_id: string; external_id: string | null; data: unknown }
  return {
    organizationId: actor.organizationId,
    linkId: null,
    externalId: earlier.external_id,
    requestId: null,
    webhookType: input.webhook_type,
    webhookCode: input.webhook_code,
    processType: 'payments',
    objectId: earlier.object_id,
    data: input.data ?? earlier.data,
  }
}
