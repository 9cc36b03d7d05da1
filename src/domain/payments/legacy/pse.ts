import type { Clock } from '../../../lib/clock.ts'
import { PonteError } from '../../../lib/errors.ts'
import { hex32, secretHex32, uuidv7 } from '../../../lib/ids.ts'
import type { FilterField, ListRequest } from '../../../lib/list-query.ts'
import type { Db, Queryable } from '../../../store/db.ts'
import * as store from '../../../store/payments.ts'
import type { ChargeRow, PaymentIntentRow } from '../../../store/payments.ts'
import * as legacy from '../../../store/payments-legacy.ts'
import type { LegacyInstitutionRow, LegacyTransactionRow, PseIntentRow } from '../../../store/payments-legacy.ts'
import { byIdOr404 } from '../../by-id.ts'
import { recordChange, type PaymentsCaller } from '../audit.ts'
import { moveCharge, moveIntent, recordConfirmation, settle } from '../intents.ts'
import { CHARGE_MACHINE, PAYMENT_INTENT_MACHINE, PAYMENT_INTENT_STATUSES, PAYMENT_LINK_MACHINE, transition } from '../machines.ts'
import type { PaymentIntentStatus } from '../machines.ts'
import { formatAmount } from '../money.ts'
import { fail, SETTLED, type AmountRule, type Outcome } from '../network.ts'
import { objectAt, optionalUuid, parseMetadata, requiredString } from '../objects.ts'
import { formatPesos, parsePesos } from './colombia.ts'
import { activeInstitutionOf, institutionWire } from './objects.ts'

/**
 * Colombia's PSE payment intents (`/payments/payment-intents/`, 1.35.0 PaymentIntentPse) on
 * Payments Brazil's machinery: the same table, status machine (machines.ts), charges,
 * transactions, ledger and webhooks (intents.ts moveIntent, moveCharge, settle). The sandbox PSE
 * network is a bank page served by Ponte (http/pages/payments-legacy.ts) where the payer
 * completes or abandons the payment; the amount picks the outcome (PSE_AMOUNT_RULES).
 *
 *   create                   → REQUIRES_PAYMENT_METHOD (the payer's bank is not known yet)
 *   PATCH payer_institution  → REQUIRES_ACTION
 *   PATCH confirm: true      → still REQUIRES_ACTION, with payment_method_information.pse.redirect_url
 *   payer completes at bank  → PROCESSING → SUCCEEDED (charge, COP transaction) or FAILED (amount rules)
 *   payer abandons at bank   → FAILED (payment_abandoned)
 */

type Ctx = { db: Db; clock: Clock }
type Body = Record<string, unknown>

/** The sandbox PSE network, by whole pesos (inclusive); the README carries this table. */
export const PSE_AMOUNT_RULES: readonly AmountRule[] = [
  { from: 1, to: 1_000_000, outcome: SETTLED },
  { from: 1_000_001, to: 2_000_000, outcome: fail('charge', 'insufficient_funds', "The payer's account does not have enough funds for this payment.") },
  { from: 2_000_001, to: 3_000_000, outcome: fail('consent', 'payment_rejected', "The payer's bank rejected the payment.") },
  { from: 3_000_001, to: 4_000_000, outcome: fail('charge', 'amount_over_limit', "The amount is over the payer's transaction limit.") },
  { from: 4_000_001, to: 5_000_000, outcome: fail('charge', 'fraud_suspected', "The payer's bank refused the payment as suspected fraud.") },
  { from: 5_000_001, to: Number.MAX_SAFE_INTEGER, outcome: SETTLED },
]

export const ABANDONED: Outcome = fail('consent', 'payment_abandoned', 'The payer abandoned the payment at their bank.')

export function pseOutcomeFor(amount: string): Outcome {
  const pesos = Number(formatPesos(amount))
  return PSE_AMOUNT_RULES.find((r) => pesos >= r.from && pesos <= r.to)?.outcome ?? SETTLED
}

const TIMESTAMP_LOOKUPS = ['exact', 'gt', 'gte', 'lt', 'lte', 'range'] as const

export const PSE_INTENT_FILTERS: readonly FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'created_at', type: 'datetime', lookups: TIMESTAMP_LOOKUPS },
  { param: 'provider', type: 'text', lookups: ['exact'], choices: ['belvo', 'payments_way'] },
  { param: 'payment_method_type', source: { column: 'selected_payment_method_type' }, type: 'text', lookups: ['exact'], choices: ['pse'] },
  { param: 'customer', source: { column: 'customer_id' }, type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'amount', type: 'number', lookups: ['exact', 'gt', 'gte', 'lt', 'lte'] },
  { param: 'status', type: 'text', lookups: ['exact', 'in'], choices: PAYMENT_INTENT_STATUSES },
]

export const LEGACY_TRANSACTION_FILTERS: readonly FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'created_at', type: 'datetime', lookups: TIMESTAMP_LOOKUPS },
  { param: 'charge', source: { column: 'charge_id' }, type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'beneficiary', source: { column: 'beneficiary_bank_account_id' }, type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'payer', source: { column: 'customer_id' }, type: 'uuid', lookups: ['exact', 'in'], description: 'The paying customer' },
  { param: 'transaction__type', source: { column: 'transaction_type' }, type: 'text', lookups: ['exact'], choices: ['INFLOW', 'OUTFLOW'] },
  { param: 'currency', type: 'text', lookups: ['exact'], choices: ['BRL', 'COP'] },
  { param: 'description', type: 'text', lookups: ['exact'], partial: true },
  { param: 'amount', type: 'number', lookups: ['exact', 'gt', 'gte', 'lt', 'lte', 'range'] },
]

const PSE = 'payment_method_details.pse'

/** A PSE intent where Payments Brazil's status functions take an intent: the same row of the same table. */
const asIntentRow = (intent: PseIntentRow) => intent as unknown as PaymentIntentRow

// ---------------------------------------------------------------------------------------------
// Views and wire

export interface PseIntentView {
  intent: PseIntentRow
  charges: ChargeRow[]
  /** The active PSE banks, shown while the payer has not chosen one. */
  institutions: LegacyInstitutionRow[]
  payer: LegacyInstitutionRow | null
}

async function viewsOf(db: Queryable, organizationId: string, intents: PseIntentRow[]): Promise<PseIntentView[]> {
  const charges = await store.chargesOfIntents(
    db,
    organizationId,
    intents.map((i) => i.id),
  )
  const institutions = await legacy.institutionsOf(db, 'COL')
  const all = new Map(
    (await Promise.all([...new Set(intents.map((i) => i.payer_institution_id).filter((id) => id !== null))].map((id) => legacy.findInstitution(db, id)))).map(
      (i) => [i!.id, i!],
    ),
  )
  return intents.map((intent) => ({
    intent,
    charges: charges.filter((c) => c.payment_intent_id === intent.id),
    institutions,
    payer: intent.payer_institution_id ? (all.get(intent.payer_institution_id) ?? null) : null,
  }))
}

function nextStep(view: PseIntentView) {
  const { intent, payer } = view
  const step = (type: string, content: Body | null, ready: boolean) => ({ type, ...(content ? { [type]: content } : {}), ready_to_confirm: ready })
  const payerWire = payer ? { payer_institution: institutionWire(payer) } : null
  switch (intent.status as PaymentIntentStatus) {
    case 'REQUIRES_PAYMENT_METHOD':
      return step('pse_display_payment_method_information', { customer_bank_accounts: [], institutions: view.institutions.map(institutionWire) }, false)
    case 'REQUIRES_ACTION':
      return intent.confirmed ? step('pse_display_needs_redirect', null, false) : step('pse_display_confirmation_required', payerWire, true)
    case 'PROCESSING':
      return step('pse_display_payment_processing', payerWire, false)
    case 'SUCCEEDED':
      return step('pse_display_payment_succeeded', payerWire, false)
    default:
      return step('pse_display_payment_failed', payerWire, false)
  }
}

function pseDetails(intent: PseIntentRow) {
  const d = intent.details as Body
  return {
    beneficiary_bank_account: intent.beneficiary_bank_account_id,
    callback_url: typeof d.callback_url === 'string' ? d.callback_url : '',
    belvo_flow: d.belvo_flow !== false,
    ...(intent.payer_institution_id ? { payer_institution: intent.payer_institution_id } : {}),
    ...(typeof d.payer_bank_account === 'string' ? { payer_bank_account: d.payer_bank_account } : {}),
  }
}

function pseInformation(intent: PseIntentRow) {
  const info = (intent.details as Body).information as Body | undefined
  return info ? { pse: info } : {}
}

function chargeWire(charge: ChargeRow, intent: PseIntentRow) {
  return {
    id: charge.id,
    created_at: charge.created_at,
    created_by: intent.created_by,
    customer: charge.customer_id,
    failure_code: charge.failure_code,
    failure_message: charge.failure_message,
    status: charge.status,
    amount: formatPesos(charge.amount),
    currency: 'COP',
    metadata: intent.metadata,
    beneficiary: charge.beneficiary_bank_account_id,
    provider: intent.provider ?? 'belvo',
    payment_method_type: 'pse',
    payment_method_details: {
      pse: {
        payer_institution: charge.payer_institution_id,
        ...(typeof (intent.details as Body).payer_bank_account === 'string' ? { payer_bank_account: (intent.details as Body).payer_bank_account } : {}),
      },
    },
    payment_method_information: pseInformation(intent),
    payment_intent: intent.id,
    updated_at: charge.updated_at,
  }
}

/** 1.35.0 PaymentIntentPse. */
export function pseIntentWire(view: PseIntentView) {
  const { intent } = view
  return {
    id: intent.id,
    created_at: intent.created_at,
    created_by: intent.created_by,
    customer: intent.customer_id,
    allowed_payment_method_types: intent.allowed_payment_method_types,
    amount: formatPesos(intent.amount),
    currency: 'COP',
    description: intent.description,
    failure_code: intent.failure_code,
    failure_message: intent.failure_message,
    metadata: intent.metadata,
    next_step: nextStep(view),
    last_error: intent.status === 'FAILED' ? { error_code: 'payment_error', error_message: intent.failure_message ?? '' } : null,
    payment_method_details: { pse: pseDetails(intent) },
    payment_method_information: pseInformation(intent),
    charges: view.charges.map((c) => chargeWire(c, intent)),
    provider: intent.provider ?? 'belvo',
    selected_payment_method_type: 'pse',
    status: intent.status,
    updated_at: intent.updated_at,
  }
}

/** 1.35.0 paymentTransaction (both countries): the PSE payer is its bank account, or its bank. */
export function legacyTransactionWire(row: LegacyTransactionRow) {
  const cop = row.currency === 'COP'
  return {
    id: row.id,
    created_at: row.created_at,
    created_by: row.created_by,
    amount: cop ? formatPesos(row.amount) : formatAmount(row.amount),
    currency: row.currency,
    description: row.description,
    transaction_type: row.transaction_type,
    beneficiary: row.beneficiary_bank_account_id,
    payer: !cop
      ? {}
      : row.payer_bank_account_id
        ? { bank_account: row.payer_bank_account_id }
        : { bank_account_information: { payer_institution: row.payer_institution_id } },
    payment_intent: row.payment_intent_id,
    customer: row.customer_id,
    charge: row.charge_id,
  }
}

// ---------------------------------------------------------------------------------------------
// Reads

async function pseIntentOr404(db: Queryable, caller: PaymentsCaller, id: string, lock = false): Promise<PseIntentRow> {
  const intent = await byIdOr404(id, (uuid) => legacy.findIntent(db, caller.organizationId, uuid, lock))
  if (intent.kind !== 'pse') throw new PonteError('not_found')
  return intent
}

export async function getPseIntent(db: Queryable, caller: PaymentsCaller, id: string): Promise<PseIntentView> {
  return (await viewsOf(db, caller.organizationId, [await pseIntentOr404(db, caller, id)]))[0]
}

export async function listPseIntents(db: Queryable, caller: PaymentsCaller, { conditions, page }: ListRequest) {
  const { count, rows } = await legacy.listPseIntents(db, caller.organizationId, conditions, page)
  return { count, views: await viewsOf(db, caller.organizationId, rows) }
}

export function listTransactions(db: Queryable, caller: PaymentsCaller, { conditions, page }: ListRequest) {
  return legacy.listTransactions(db, caller.organizationId, conditions, page)
}

export function getTransaction(db: Queryable, caller: PaymentsCaller, id: string) {
  return byIdOr404(id, (uuid) => legacy.findTransaction(db, caller.organizationId, uuid))
}

// ---------------------------------------------------------------------------------------------
// Creation and updates

export function optionalUrl(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw new PonteError('invalid', { field, variant: 'url' })
  try {
    const url = new URL(value)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme')
  } catch {
    throw new PonteError('invalid', { field, variant: 'url' })
  }
  return value
}

function provider(value: unknown): 'belvo' | 'payments_way' {
  if (value === undefined) throw new PonteError('required', { field: 'provider' })
  if (value !== 'belvo' && value !== 'payments_way') throw new PonteError('invalid_choice', { field: 'provider', params: { value: String(value) } })
  return value
}

/** The organization's PSE customer by id: Belvo's 400 on `field` otherwise. */
export async function pseCustomer(tx: Queryable, caller: PaymentsCaller, value: unknown, field = 'customer') {
  if (value === undefined) throw new PonteError('required', { field })
  const id = optionalUuid(value, field)
  const customer = id ? await legacy.findCustomer(tx, caller.organizationId, id) : undefined
  if (!customer) throw new PonteError('does_not_exist', { field, variant: 'id', params: { value: String(value) } })
  if (customer.country !== 'COL') throw new PonteError('invalid', { field, variant: 'country_of', params: { country: 'COL', family: 'PSE' } })
  return customer
}

/** The organization's PSE bank account by id: Belvo's 400 on `field` otherwise. */
export async function pseAccount(tx: Queryable, caller: PaymentsCaller, value: unknown, field: string) {
  if (value === undefined) throw new PonteError('required', { field })
  const id = optionalUuid(value, field)
  const account = id ? await legacy.findBankAccount(tx, caller.organizationId, id) : undefined
  if (!account) throw new PonteError('does_not_exist', { field, variant: 'id', params: { value: String(value) } })
  if (account.country !== 'COL') throw new PonteError('invalid', { field, variant: 'country_of', params: { country: 'COL', family: 'PSE' } })
  return account
}

function pseMethod(value: unknown, required: boolean) {
  if (value === undefined) {
    if (required) throw new PonteError('required', { field: 'allowed_payment_method_types' })
    return
  }
  if (!Array.isArray(value) || value.length !== 1 || value[0] !== 'pse') {
    throw new PonteError('invalid', { field: 'allowed_payment_method_types', variant: 'pse_method' })
  }
}

/**
 * POST /payments/payment-intents/ (CreatePaymentIntentPse), inside `tx`: a PSE intent of a
 * Colombian customer into one of the organization's PSE accounts, REQUIRES_PAYMENT_METHOD.
 * `methodRequired` is false for payment links, where allowed_payment_method_types is optional.
 */
export async function createPseIntentIn(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  body: Body,
  methodRequired = true,
): Promise<PseIntentView> {
  if (body.amount === undefined) throw new PonteError('required', { field: 'amount' })
  const amount = parsePesos(body.amount)
  const customer = await pseCustomer(tx, caller, body.customer)
  const description = requiredString(body, 'description')
  if (description.length > 255) throw new PonteError('max_length', { field: 'description', params: { limit: 255 } })
  pseMethod(body.allowed_payment_method_types, methodRequired)
  const chosenProvider = provider(body.provider)
  const pse = objectAt(objectAt(body, 'payment_method_details', 'payment_method_details'), 'pse', PSE)
  const account = await pseAccount(tx, caller, pse.beneficiary_bank_account, `${PSE}.beneficiary_bank_account`)
  const callbackUrl = optionalUrl(pse.callback_url, `${PSE}.callback_url`)
  if (pse.belvo_flow !== undefined && typeof pse.belvo_flow !== 'boolean') {
    throw new PonteError('invalid', { field: `${PSE}.belvo_flow`, params: { detail: 'belvo_flow must be a boolean' } })
  }
  const now = ctx.clock.now()
  const intent = await legacy.insertPseIntent(tx, {
    id: uuidv7(now.getTime()),
    organization_id: caller.organizationId,
    customer_id: customer.id,
    amount: amount.toFixed(2),
    description,
    beneficiary_bank_account_id: account.id,
    details: { callback_url: callbackUrl, belvo_flow: pse.belvo_flow !== false },
    metadata: parseMetadata(body.metadata),
    provider: chosenProvider,
    created_by: caller.organizationId,
    created_at: now.toISOString(),
  })
  await recordChange(tx, ctx, caller, {
    objectType: PAYMENT_INTENT_MACHINE.objectType,
    objectId: intent.id,
    from: null,
    to: intent.status,
    amount: intent.amount,
    reason: 'created',
  })
  return (await viewsOf(tx, caller.organizationId, [intent]))[0]
}

/** Where the payer's browser goes to pay a confirmed intent: the sandbox PSE bank page. */
export function pseBankUrl(publicBase: string, token: string): string {
  return `${publicBase}/payments/sandbox/pse/${token}/`
}

/**
 * PATCH /payments/payment-intents/{id}/ (PatchPaymentIntentPse): while REQUIRES_PAYMENT_METHOD or
 * REQUIRES_ACTION, choose the payer's bank (→ REQUIRES_ACTION) and its account, and confirm: a
 * confirmed intent gets its bank page (payment_method_information.pse.redirect_url). The
 * payer's bank credentials (username, password, payer_token) are accepted and never stored: the
 * sandbox bank page stands for them.
 */
export async function updatePseIntent(ctx: Ctx, caller: PaymentsCaller, id: string, body: Body, publicBase: string): Promise<PseIntentView> {
  return ctx.db.tx(async (tx) => {
    let intent = await pseIntentOr404(tx, caller, id, true)
    if (intent.status !== 'REQUIRES_PAYMENT_METHOD' && intent.status !== 'REQUIRES_ACTION') {
      throw new PonteError('invalid', { field: 'status', variant: 'not_updatable', params: { status: intent.status } })
    }
    const pse = objectAt(objectAt(body, 'payment_method_details', 'payment_method_details'), 'pse', PSE)
    if (body.confirm !== undefined && typeof body.confirm !== 'boolean') {
      throw new PonteError('invalid', { field: 'confirm', params: { detail: 'confirm must be a boolean' } })
    }
    const details = { ...(intent.details as Body) }
    const changes: store.PaymentIntentChanges = {}
    if (pse.payer_institution !== undefined) {
      const payer = await activeInstitutionOf(tx, 'COL', pse.payer_institution, `${PSE}.payer_institution`)
      changes.payer_institution_id = payer.id
    }
    if (pse.payer_bank_account !== undefined) {
      const accountId = optionalUuid(pse.payer_bank_account, `${PSE}.payer_bank_account`)
      const account = accountId ? await legacy.findBankAccount(tx, caller.organizationId, accountId) : undefined
      if (!account)
        throw new PonteError('does_not_exist', { field: `${PSE}.payer_bank_account`, variant: 'id', params: { value: String(pse.payer_bank_account) } })
      details.payer_bank_account = account.id
    }
    const payerId = changes.payer_institution_id ?? intent.payer_institution_id
    const confirm = body.confirm === true
    if (confirm && !payerId) throw new PonteError('invalid', { field: `${PSE}.payer_institution`, variant: 'confirm_without_pse_payer' })
    if (confirm && !intent.confirmed) {
      changes.confirmed = true
      const token = secretHex32()
      details.information = {
        provider_request_id: uuidv7(ctx.clock.now().getTime()),
        redirect_url: pseBankUrl(publicBase, token),
        bank_payment_id: cusOf(token),
      }
      await legacy.setRedirectToken(tx, caller.organizationId, intent.id, token)
    }
    changes.details = details
    await store.updatePaymentIntent(tx, caller.organizationId, intent.id, changes, ctx.clock.now().toISOString())
    intent = (await legacy.findIntent(tx, caller.organizationId, intent.id))!
    if (changes.confirmed) await recordConfirmation(tx, ctx, caller, intent)
    if (intent.status === 'REQUIRES_PAYMENT_METHOD' && intent.payer_institution_id) {
      intent = { ...intent, ...(await moveIntent(tx, ctx, caller, asIntentRow(intent), 'REQUIRES_ACTION', { reason: 'payer institution selected' })) }
    }
    return (await viewsOf(tx, caller.organizationId, [intent]))[0]
  })
}

/** PSE's transaction code (CUS) of a bank page: ten digits derived from its token. */
function cusOf(token: string): string {
  return String(BigInt(`0x${token.slice(0, 12)}`) % 10_000_000_000n).padStart(10, '0')
}

// ---------------------------------------------------------------------------------------------
// The sandbox PSE bank

export type BankDecision = 'complete' | 'abandon'

/** What the bank page shows: the intent, its beneficiary's name and its payer's bank. */
export interface BankPageView {
  intent: PseIntentRow
  beneficiaryName: string
  payer: LegacyInstitutionRow | null
  /** Where the payer returns once the page is done (the intent's callback_url), if any. */
  callbackUrl: string | null
}

/** The intent a bank page token names, or undefined (the page answers its own 404). */
export async function openPseBankPage(db: Queryable, token: string): Promise<BankPageView | undefined> {
  if (!/^[0-9a-f]{32}$/.test(token)) return undefined
  const intent = await legacy.findIntentByRedirectToken(db, token)
  if (!intent) return undefined
  return bankPageView(db, intent)
}

async function bankPageView(db: Queryable, intent: PseIntentRow): Promise<BankPageView> {
  const account = intent.beneficiary_bank_account_id ? await legacy.findBankAccount(db, intent.organization_id, intent.beneficiary_bank_account_id) : undefined
  const payer = intent.payer_institution_id ? ((await legacy.findInstitution(db, intent.payer_institution_id)) ?? null) : null
  const callback = (intent.details as Body).callback_url
  return { intent, beneficiaryName: account?.holder_name ?? '', payer, callbackUrl: typeof callback === 'string' ? callback : null }
}

/**
 * The payer's decision on the sandbox bank page. Only a confirmed intent in REQUIRES_ACTION is
 * decided (a second decision answers the intent as it is: the page shows its status). Complete:
 * the amount rules decide; abandon: FAILED `payment_abandoned`. Changes are the sandbox's
 * (actor `sandbox`), in one transaction holding the intent's row lock.
 */
export async function decideAtPseBank(ctx: Ctx, token: string, decision: BankDecision): Promise<BankPageView | undefined> {
  if (!/^[0-9a-f]{32}$/.test(token)) return undefined
  return ctx.db.tx(async (tx) => {
    let intent = await legacy.findIntentByRedirectToken(tx, token, true)
    if (!intent) return undefined
    if (intent.status !== 'REQUIRES_ACTION' || !intent.confirmed) return bankPageView(tx, intent)
    const caller: PaymentsCaller = { organizationId: intent.organization_id, keyId: 'sandbox', requestId: hex32() }
    intent = await runPseNetwork(tx, ctx, caller, intent, decision === 'abandon' ? ABANDONED : pseOutcomeFor(intent.amount))
    await closePaymentLinkOf(tx, ctx, caller, intent)
    return bankPageView(tx, intent)
  })
}

/** The network's outcome on an authorized intent: FAILED at the bank, or PROCESSING and a charge that settles or is refused. */
async function runPseNetwork(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, intent: PseIntentRow, outcome: Outcome): Promise<PseIntentRow> {
  const actor = 'sandbox'
  const move = async (to: PaymentIntentStatus, options: Parameters<typeof moveIntent>[5]) =>
    ({ ...intent, ...(await moveIntent(tx, ctx, caller, asIntentRow(intent), to, options)) }) as PseIntentRow
  const failure = { actor, failureCode: outcome.failureCode, failureMessage: outcome.failureMessage }
  if (outcome.stage === 'consent') return move('FAILED', failure)
  intent = await move('PROCESSING', { actor, reason: 'authorized by the payer' })
  const now = ctx.clock.now()
  const charge = await store.insertCharge(tx, {
    id: uuidv7(now.getTime()),
    organization_id: caller.organizationId,
    payment_intent_id: intent.id,
    customer_id: intent.customer_id,
    status: 'PENDING',
    amount: intent.amount,
    beneficiary_bank_account_id: intent.beneficiary_bank_account_id,
    payer_institution_id: intent.payer_institution_id,
    settlement_date: null,
    created_at: now.toISOString(),
  })
  await recordChange(tx, ctx, caller, { objectType: CHARGE_MACHINE.objectType, objectId: charge.id, from: null, to: 'PENDING', amount: charge.amount, actor })
  if (outcome.stage === 'charge') {
    await moveCharge(tx, ctx, caller, charge, 'FAILED', failure)
    return move('FAILED', failure)
  }
  return { ...intent, ...(await settle(tx, ctx, caller, asIntentRow(intent), charge, actor)) } as PseIntentRow
}

/** A payment link whose intent reached a final status is used: ACTIVE → INACTIVE (ledger row, no Belvo webhook). */
export async function closePaymentLinkOf(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, intent: { id: string; status: string }): Promise<void> {
  if (intent.status !== 'SUCCEEDED' && intent.status !== 'FAILED') return
  const link = await legacy.findPaymentLinkOfIntent(tx, caller.organizationId, intent.id)
  if (!link || link.status !== 'ACTIVE') return
  const { from, to } = transition(PAYMENT_LINK_MACHINE, 'ACTIVE', 'INACTIVE')
  await legacy.setPaymentLinkStatus(tx, caller.organizationId, link.id, to, ctx.clock.now().toISOString())
  await recordChange(tx, ctx, caller, {
    objectType: PAYMENT_LINK_MACHINE.objectType,
    objectId: link.id,
    from,
    to,
    actor: 'sandbox',
    reason: `payment ${intent.status}`,
  })
}
