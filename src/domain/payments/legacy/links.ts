import type { Clock } from '../../../lib/clock.ts'
import { PonteError } from '../../../lib/errors.ts'
import { hex32, secretHex32, uuidv7 } from '../../../lib/ids.ts'
import type { FilterField, ListRequest } from '../../../lib/list-query.ts'
import type { Db, Queryable } from '../../../store/db.ts'
import * as legacy from '../../../store/payments-legacy.ts'
import type { LinkOrdering, PaymentLinkRow } from '../../../store/payments-legacy.ts'
import { recordChange, type PaymentsCaller } from '../audit.ts'
import { authorizePaymentIntent, createPaymentIntentIn, getPaymentIntent, updatePaymentIntent, type IntentView } from '../intents.ts'
import { PAYMENT_LINK_MACHINE, PAYMENT_LINK_STATUSES } from '../machines.ts'
import { formatAmount } from '../money.ts'
import { objectAt } from '../objects.ts'
import { closePaymentLinkOf, createPseIntentIn, getPseIntent, optionalUrl, pseIntentWire, updatePseIntent, type PseIntentView } from './pse.ts'

/**
 * Hosted payment links (`/payments/payment-links/`, 1.35.0 PaymentLinkOfpi / PaymentLinkPse):
 * each link holds one payment intent, made at once (a Payments Brazil OFPI intent, or a PSE
 * intent), and a payment page served by Ponte at `payment_url` (http/pages/payments-legacy.ts,
 * Portuguese for OFPI, Spanish for PSE) where the payer chooses their bank and pays in the
 * sandbox. ACTIVE until its intent ends (machines.ts PAYMENT_LINK_MACHINE) or it expires.
 */

type Ctx = { db: Db; clock: Clock }
type Body = Record<string, unknown>

export const PAYMENT_LINK_FILTERS: readonly FilterField[] = [
  { param: 'created_at', type: 'datetime', lookups: ['exact', 'gt', 'gte', 'lt', 'lte', 'range'] },
  { param: 'status', source: { column: 'live_status' }, type: 'text', lookups: ['exact'], choices: PAYMENT_LINK_STATUSES },
  { param: 'search', source: { column: 'description' }, type: 'text', lookups: ['exact'], partial: true, minLength: 3, description: 'Part of the description' },
]

export const LINK_ORDERING_VALUES: readonly LinkOrdering[] = ['-created_at', 'created_at', '-expires_at', 'expires_at']

export function parseLinkOrdering(value: unknown): LinkOrdering {
  if (value === undefined) return '-created_at'
  const text = String(Array.isArray(value) ? value[value.length - 1] : value)
  if (!(LINK_ORDERING_VALUES as readonly string[]).includes(text)) throw new PonteError('invalid_choice', { field: 'ordering', params: { value: text } })
  return text as LinkOrdering
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const
const MAX_EXPIRY_MS = 30 * UNIT_MS.d

/** Belvo's expires_in (`7d`, `12h`, `30m`; default 7d) in milliseconds, from 1 minute to 30 days. */
export function parseExpiresIn(value: unknown): { text: string; ms: number } {
  if (value === undefined || value === null) return { text: '7d', ms: 7 * UNIT_MS.d }
  const match = typeof value === 'string' ? /^(\d{1,6})([mhd])$/.exec(value) : null
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : 0
  if (!match || ms <= 0 || ms > MAX_EXPIRY_MS) throw new PonteError('invalid', { field: 'expires_in', variant: 'expires_in' })
  return { text: value as string, ms }
}

function callbackUrls(value: unknown): { success?: string; cancel?: string } {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value))
    throw new PonteError('invalid', { field: 'callback_urls', params: { detail: 'callback_urls must be an object' } })
  const urls = value as Body
  const success = optionalUrl(urls.success, 'callback_urls.success')
  const cancel = optionalUrl(urls.cancel, 'callback_urls.cancel')
  return { ...(success ? { success } : {}), ...(cancel ? { cancel } : {}) }
}

export function paymentPageUrl(publicBase: string, accessToken: string): string {
  return `${publicBase}/payments/pay/${accessToken}/`
}

/** A link's intent, in the shape its family's wire needs. */
export type LinkIntent = { type: 'pse'; view: PseIntentView } | { type: 'open_finance'; view: IntentView }

export interface PaymentLinkView {
  link: PaymentLinkRow
  intent: LinkIntent
}

/** 1.35.0 PaymentIntentOfpi of a payment link's Payments Brazil intent. */
function ofpiIntentWire({ intent }: IntentView) {
  const details = intent.details as Body
  return {
    id: intent.id,
    created_at: intent.created_at,
    created_by: intent.created_by,
    customer: intent.customer_id,
    allowed_payment_method_types: intent.allowed_payment_method_types,
    amount: formatAmount(intent.amount),
    currency: 'BRL',
    description: intent.description,
    failure_code: intent.failure_code,
    failure_message: intent.failure_message,
    metadata: intent.metadata,
    next_step: null,
    last_error: null,
    payment_method_details: {
      open_finance: {
        beneficiary_bank_account: intent.beneficiary_bank_account_id,
        payer_institution: intent.payer_institution_id,
        callback_url: typeof details.callback_url === 'string' ? details.callback_url : '',
        cpf: null,
      },
    },
    payment_method_information: intent.end_to_end_id ? { open_finance: { end_to_end_id: intent.end_to_end_id } } : {},
    provider: 'belvo',
    selected_payment_method_type: 'open_finance',
    status: intent.status,
    updated_at: intent.updated_at,
  }
}

function linkBase(link: PaymentLinkRow, publicBase: string, now: Date) {
  return {
    id: link.id,
    created_at: link.created_at,
    created_by: link.created_by,
    payment_url: paymentPageUrl(publicBase, link.access_token),
    access_token: link.access_token,
    callback_urls: link.callback_urls,
    updated_at: link.updated_at,
    status: linkStatus(link, now),
    expires_in: link.expires_in,
    expires_at: link.expires_at,
  }
}

/** ACTIVE until its intent ended (recorded) or its expiry passed (read). */
export function linkStatus(link: PaymentLinkRow, now: Date): 'ACTIVE' | 'INACTIVE' {
  return link.status === 'ACTIVE' && Date.parse(link.expires_at) > now.getTime() ? 'ACTIVE' : 'INACTIVE'
}

/** PaymentLinkOfpi / PaymentLinkPse (create and detail: the intent embedded). */
export function paymentLinkWire(view: PaymentLinkView, publicBase: string, now: Date) {
  const intent = view.intent.type === 'pse' ? pseIntentWire(view.intent.view) : ofpiIntentWire(view.intent.view)
  return { ...linkBase(view.link, publicBase, now), payment_intent: intent }
}

/** PaymentLinkListOfpi / PaymentLinkListPse (list: the intent's id). */
export function paymentLinkItemWire(link: PaymentLinkRow, publicBase: string, now: Date) {
  return { ...linkBase(link, publicBase, now), payment_intent: link.payment_intent_id }
}

async function intentOf(db: Queryable, caller: PaymentsCaller, link: PaymentLinkRow): Promise<LinkIntent> {
  return link.payment_method_type === 'pse'
    ? { type: 'pse', view: await getPseIntent(db, caller, link.payment_intent_id) }
    : { type: 'open_finance', view: await getPaymentIntent(db, caller, link.payment_intent_id) }
}

/**
 * POST /payments/payment-links/ (CreatePaymentLinkOfpi or CreatePaymentLinkPse, told apart by
 * payment_method_details.open_finance or .pse), inside `tx`: the intent, then the link.
 */
export async function createPaymentLinkIn(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  body: Body,
  publicBase: string,
): Promise<PaymentLinkView> {
  const details = objectAt(body, 'payment_method_details', 'payment_method_details')
  const expires = parseExpiresIn(body.expires_in)
  const urls = callbackUrls(body.callback_urls)
  const accessToken = secretHex32()
  let intent: LinkIntent
  if (details.pse !== undefined) {
    intent = { type: 'pse', view: await createPseIntentIn(tx, ctx, caller, body, false) }
  } else if (details.open_finance !== undefined) {
    const of = objectAt(details, 'open_finance', 'payment_method_details.open_finance')
    if (body.provider === undefined) throw new PonteError('required', { field: 'provider' })
    if (body.provider !== 'belvo') throw new PonteError('invalid_choice', { field: 'provider', params: { value: String(body.provider) } })
    if (body.allowed_payment_method_types === undefined) throw new PonteError('required', { field: 'allowed_payment_method_types' })
    const callbackUrl =
      optionalUrl(of.callback_url, 'payment_method_details.open_finance.callback_url') ?? urls.success ?? paymentPageUrl(publicBase, accessToken)
    const view = await createPaymentIntentIn(tx, ctx, caller, {
      amount: body.amount,
      customer: body.customer,
      description: body.description,
      allowed_payment_method_types: body.allowed_payment_method_types,
      payment_method_details: { open_finance: { beneficiary_bank_account: of.beneficiary_bank_account, callback_url: callbackUrl } },
      confirm: false,
    })
    intent = { type: 'open_finance', view }
  } else {
    throw new PonteError('required', { field: 'payment_method_details.pse' })
  }
  const now = ctx.clock.now()
  const link = await legacy.insertPaymentLink(tx, {
    id: uuidv7(now.getTime()),
    organization_id: caller.organizationId,
    access_token: accessToken,
    payment_intent_id: intent.view.intent.id,
    payment_method_type: intent.type,
    description: intent.view.intent.description,
    callback_urls: urls,
    expires_in: expires.text,
    expires_at: new Date(now.getTime() + expires.ms).toISOString(),
    created_by: caller.organizationId,
    created_at: now.toISOString(),
  })
  await recordChange(tx, ctx, caller, { objectType: PAYMENT_LINK_MACHINE.objectType, objectId: link.id, from: null, to: 'ACTIVE' })
  return { link, intent }
}

export function listPaymentLinks(db: Queryable, caller: PaymentsCaller, { conditions, page }: ListRequest, ordering: LinkOrdering, now: Date) {
  return legacy.listPaymentLinks(db, caller.organizationId, conditions, page, ordering, now.toISOString())
}

/** GET /payments/payment-links/{access_token}/: the organization's link, or Belvo's 404. */
export async function getPaymentLink(db: Queryable, caller: PaymentsCaller, accessToken: string): Promise<PaymentLinkView> {
  const link = /^[0-9a-f]{32}$/.test(accessToken) ? await legacy.findPaymentLink(db, accessToken, caller.organizationId) : undefined
  if (!link) throw new PonteError('not_found')
  return { link, intent: await intentOf(db, caller, link) }
}

// ---------------------------------------------------------------------------------------------
// The payer's page

/** Who acts for the payer on a link's page: the link's organization, as the payment link itself. */
function payerCaller(link: PaymentLinkRow): PaymentsCaller {
  return { organizationId: link.organization_id, keyId: 'payment-link', requestId: hex32() }
}

/** The link a payment page names (any organization: the access token is the secret), or undefined. */
export async function openPaymentPage(db: Queryable, accessToken: string): Promise<PaymentLinkView | undefined> {
  if (!/^[0-9a-f]{32}$/.test(accessToken)) return undefined
  const link = await legacy.findPaymentLink(db, accessToken)
  if (!link) return undefined
  return { link, intent: await intentOf(db, payerCaller(link), link) }
}

/** What a payment page shows besides its link: the beneficiary's name and the banks to choose from. */
export async function paymentPageContext(db: Queryable, view: PaymentLinkView) {
  const intent = view.intent.view.intent
  const account = intent.beneficiary_bank_account_id
    ? await legacy.findBankAccount(db, view.link.organization_id, intent.beneficiary_bank_account_id)
    : undefined
  const institutions = await legacy.institutionsOf(db, view.link.payment_method_type === 'pse' ? 'COL' : 'BRA')
  return { beneficiary: account?.holder_name ?? '', institutions }
}

/** The access token of the link whose intent this is, if any. */
export async function linkTokenOfIntent(db: Queryable, organizationId: string, intentId: string): Promise<string | undefined> {
  return (await legacy.findPaymentLinkOfIntent(db, organizationId, intentId))?.access_token
}

export type PayOutcome = { kind: 'redirect'; url: string } | { kind: 'page'; view: PaymentLinkView } | { kind: 'unavailable'; view: PaymentLinkView }

/**
 * The payer chose their bank on an ACTIVE link's page. PSE: the intent is set to that bank and
 * confirmed, and the payer goes to the sandbox PSE bank page. OFPI: the intent is set, confirmed
 * and authorized by the sandbox network at once (intents.ts, Brazil's amount rules), the link
 * closes when the intent ended, and the page shows the result.
 */
export async function payAtPaymentPage(ctx: Ctx, accessToken: string, institution: string, publicBase: string): Promise<PayOutcome | undefined> {
  const view = await openPaymentPage(ctx.db, accessToken)
  if (!view) return undefined
  const { link } = view
  if (linkStatus(link, ctx.clock.now()) !== 'ACTIVE') return { kind: 'unavailable', view }
  const caller = payerCaller(link)
  if (link.payment_method_type === 'pse') {
    const pse = await updatePseIntent(
      ctx,
      caller,
      link.payment_intent_id,
      { payment_method_details: { pse: { payer_institution: institution } }, confirm: true },
      publicBase,
    )
    const info = (pse.intent.details as Body).information as { redirect_url?: string } | undefined
    return info?.redirect_url ? { kind: 'redirect', url: info.redirect_url } : { kind: 'page', view: { link, intent: { type: 'pse', view: pse } } }
  }
  const current = view.intent.view.intent
  if (current.status === 'REQUIRES_PAYMENT_METHOD' || current.status === 'REQUIRES_ACTION') {
    await updatePaymentIntent(ctx, caller, link.payment_intent_id, {
      payment_method_details: { open_finance: { payer_institution: institution } },
      confirm: true,
    })
    const authorized = await authorizePaymentIntent(ctx, caller, link.payment_intent_id)
    await ctx.db.tx((tx) => closePaymentLinkOf(tx, ctx, caller, authorized.intent))
  }
  return { kind: 'page', view: (await openPaymentPage(ctx.db, accessToken))! }
}
