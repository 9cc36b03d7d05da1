import type { Clock } from '../../lib/clock.ts'
import { isCalendarDay } from '../../lib/dates.ts'
import { PonteError } from '../../lib/errors.ts'
import { hex32, uuidv7 } from '../../lib/ids.ts'
import type { FilterField, ListRequest } from '../../lib/list-query.ts'
import type { Db, Queryable } from '../../store/db.ts'
import * as store from '../../store/payment-authorizations.ts'
import type { AuthorizationChargeRow, PaymentAuthorizationRow } from '../../store/payment-authorizations.ts'
import { findBankAccount, findCustomer, findPaymentInstitution, type BankAccountRow, type CustomerRow } from '../../store/payments.ts'
import { byIdOr404 } from '../by-id.ts'
import { recordChange, type PaymentsCaller } from './audit.ts'
import { parseDocument } from './documents.ts'
import { addDays, recordInflow } from './intents.ts'
import { settleEachDue, SETTLEMENTS_PER_PASS } from './settlement-pass.ts'
import {
  AUTHORIZATION_CHARGE_MACHINE,
  AUTHORIZATION_CHARGE_STATUSES,
  PAYMENT_AUTHORIZATION_MACHINE,
  transition,
  type AuthorizationChargeStatus,
  type PaymentAuthorizationStatus,
} from './machines.ts'
import { formatAmount, parseAmount } from './money.ts'
import { endToEndId, outcomeFor, type Outcome } from './network.ts'
import { activeInstitution, createBankAccountIn, createCustomerIn, objectAt, optionalUuid, parseMetadata, requiredString } from './objects.ts'
import { statusReasonV2, V2_STATUS_REASONS } from './status-reasons.ts'
import { beneficiaryV2 } from './wire.ts'

/**
 * Payment authorizations (Belvo's Payments-BR.V2 PaymentAuthorization, INVENTORY 3.2): the payer
 * authorizes a Pix payment once at their bank (PIX_OF_IMMEDIATE: charged on authorization;
 * PIX_OF_SCHEDULED: charged on its date), and the charges made under it (ChargeV2) settle, fail,
 * are retried on a later date or canceled. Every status change goes through machines.ts and
 * recordChange (ledger + webhook) inside a transaction that holds the authorization's row lock.
 * The sandbox network's rules are the intents' (network.ts AMOUNT_RULES); docs/payments.md has
 * what is particular to authorizations.
 */

type Ctx = { db: Db; clock: Clock }
type Body = Record<string, unknown>

const TIMESTAMP_LOOKUPS = ['exact', 'gt', 'gte', 'lt', 'lte', 'range'] as const

export const PAYMENT_AUTHORIZATION_FILTERS: readonly FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['in'] },
  { param: 'amount', type: 'number', lookups: TIMESTAMP_LOOKUPS },
  { param: 'created_at', type: 'datetime', lookups: TIMESTAMP_LOOKUPS },
  { param: 'updated_at', type: 'datetime', lookups: TIMESTAMP_LOOKUPS },
  { param: 'customer', source: { column: 'customer_id' }, type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'external_id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'search', source: { column: 'description' }, type: 'text', lookups: ['exact'], partial: true, minLength: 3, description: 'Part of the description' },
]

export const AUTHORIZATION_CHARGE_FILTERS: readonly FilterField[] = [
  { param: 'status', type: 'text', lookups: ['exact', 'in'], choices: AUTHORIZATION_CHARGE_STATUSES },
]

/** Belvo: payment authorizations "must" be called with `X-Belvo-API-Resource-Version: Payments-BR.V2`. */
export const RESOURCE_VERSION_V2 = 'Payments-BR.V2'

export function requireResourceVersionV2(header: unknown): void {
  if (String(header ?? '').trim() !== RESOURCE_VERSION_V2) {
    throw new PonteError('invalid', { field: 'X-Belvo-API-Resource-Version', variant: 'resource_version_v2' })
  }
}

/**
 * The payer's bank when the payer did not name one (they choose it on the authorization page):
 * the sandbox's Ponte Mock Bank, retail or business by the customer's type (migration 0014).
 */
const SANDBOX_PAYER_BANK = { INDIVIDUAL: '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001', BUSINESS: '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1002' } as const

/** How many times a failed charge's chain may be retried, and how late (days after the first charge's date). */
export const MAX_RETRIES = 3
export const RETRY_WINDOW_DAYS = 7

/**
 * Refusals a retry gets past in the sandbox: the funds arrived, the network answered in time.
 * The other refusals (blocked account, limit, fraud) repeat on every retry.
 */
const RECOVERABLE = new Set(['insufficient_funds', 'charge_settlement_timeout'])

/** How long the payer has to authorize (AWAITING_AUTHORIZATION or PARTIALLY_ACCEPTED) before it fails with AUTHORIZATION_EXPIRED. */
export const AUTHORIZATION_TTL_MINUTES = 60

// ---------------------------------------------------------------------------------------------
// Reading

export interface AuthorizationView {
  authorization: PaymentAuthorizationRow
  chargeIds: string[]
}

async function authorizationViews(db: Queryable, organizationId: string, rows: PaymentAuthorizationRow[]): Promise<AuthorizationView[]> {
  const charges = await store.chargesOfAuthorizations(
    db,
    organizationId,
    rows.map((r) => r.id),
  )
  return rows.map((authorization) => ({
    authorization,
    chargeIds: charges.filter((c) => c.payment_authorization_id === authorization.id).map((c) => c.id),
  }))
}

async function authorizationOr404(db: Queryable, caller: PaymentsCaller, id: string, lock = false): Promise<PaymentAuthorizationRow> {
  return byIdOr404(id, (uuid) => store.findPaymentAuthorization(db, caller.organizationId, uuid, lock))
}

export async function getPaymentAuthorization(db: Queryable, caller: PaymentsCaller, id: string): Promise<AuthorizationView> {
  return (await authorizationViews(db, caller.organizationId, [await authorizationOr404(db, caller, id)]))[0]
}

export async function listPaymentAuthorizations(db: Queryable, caller: PaymentsCaller, { conditions, page }: ListRequest) {
  const { count, rows } = await store.listPaymentAuthorizations(db, caller.organizationId, conditions, page)
  return { count, views: await authorizationViews(db, caller.organizationId, rows) }
}

/** A charge with what its ChargeV2 shows: the authorization, the beneficiary account and the banks' ISPBs, the payer. */
export interface AuthorizationChargeView {
  charge: AuthorizationChargeRow
  authorization: PaymentAuthorizationRow
  beneficiary: BankAccountRow | undefined
  beneficiaryCode: string | undefined
  payer: CustomerRow | undefined
  payerCode: string | undefined
}

async function chargeViews(db: Queryable, authorization: PaymentAuthorizationRow, charges: AuthorizationChargeRow[]): Promise<AuthorizationChargeView[]> {
  const org = authorization.organization_id
  const beneficiary = await findBankAccount(db, org, authorization.beneficiary_bank_account_id)
  const beneficiaryBank = beneficiary ? await findPaymentInstitution(db, beneficiary.institution_id) : undefined
  const payer = await findCustomer(db, org, authorization.customer_id)
  const payerBank = authorization.payer_institution_id ? await findPaymentInstitution(db, authorization.payer_institution_id) : undefined
  return charges.map((charge) => ({ charge, authorization, beneficiary, beneficiaryCode: beneficiaryBank?.code, payer, payerCode: payerBank?.code }))
}

export async function listAuthorizationCharges(db: Queryable, caller: PaymentsCaller, authorizationId: string, { conditions, page }: ListRequest) {
  const authorization = await authorizationOr404(db, caller, authorizationId)
  const { count, rows } = await store.listAuthorizationCharges(db, caller.organizationId, authorization.id, conditions, page)
  return { count, views: await chargeViews(db, authorization, rows) }
}

async function chargeOr404(db: Queryable, caller: PaymentsCaller, authorization: PaymentAuthorizationRow, id: string): Promise<AuthorizationChargeRow> {
  return byIdOr404(id, (uuid) => store.findAuthorizationCharge(db, caller.organizationId, authorization.id, uuid))
}

export async function getAuthorizationCharge(db: Queryable, caller: PaymentsCaller, authorizationId: string, id: string): Promise<AuthorizationChargeView> {
  const authorization = await authorizationOr404(db, caller, authorizationId)
  return (await chargeViews(db, authorization, [await chargeOr404(db, caller, authorization, id)]))[0]
}

// ---------------------------------------------------------------------------------------------
// Creation

const today = (clock: Clock) => clock.now().toISOString().slice(0, 10)

function boundedString(body: Body, key: string, field: string, max: number): string {
  const value = requiredString(body, key, field)
  if (value.length > max) throw new PonteError('max_length', { field, params: { limit: max } })
  return value
}

/** payment_method_configuration.amount: Belvo's schema says a number (10000.05); a string ("10000.05") is taken too. */
function configurationAmount(value: unknown, field: string): string {
  if (value === undefined) throw new PonteError('required', { field })
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value
  return parseAmount(text, field).toFixed(2)
}

/** payment_method_configuration.dates: one day, from tomorrow to 720 days ahead (as a scheduled intent). */
function scheduledDates(value: unknown, field: string, from: string): string[] {
  if (value === undefined) throw new PonteError('required', { field })
  if (!Array.isArray(value) || value.length !== 1) throw new PonteError('invalid', { field, variant: 'authorization_dates' })
  const [date] = value
  if (typeof date !== 'string' || !isCalendarDay(date) || date <= from || date > addDays(from, 720)) {
    throw new PonteError('invalid', { field: `${field}.0`, variant: 'schedule' })
  }
  return [date]
}

function returnUrl(body: Body): string {
  const value = boundedString(body, 'return_url', 'return_url', 2048)
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new PonteError('invalid', { field: 'return_url', variant: 'url' })
  return value
}

async function payerCustomer(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, value: unknown): Promise<CustomerRow> {
  const field = 'payer.customer'
  if (value === undefined) throw new PonteError('required', { field })
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return createCustomerIn(tx, ctx, caller, value as Body, 'V2', { prefix: `${field}.`, reuse: true })
  }
  // Belvo: the id must be a customer created with Payments-BR.V2.
  const id = optionalUuid(value, field)
  const found = id ? await findCustomer(tx, caller.organizationId, id) : undefined
  if (!found || found.version !== 'V2') throw new PonteError('does_not_exist', { field, variant: 'id', params: { value: String(value) } })
  return found
}

async function beneficiaryAccount(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, value: unknown): Promise<BankAccountRow> {
  const field = 'beneficiary.target'
  if (value === undefined) throw new PonteError('required', { field })
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return createBankAccountIn(tx, ctx, caller, value as Body, 'V2', { prefix: `${field}.`, reuse: true })
  }
  // Belvo: the id must be a bank account registered with Payments-BR.V2.
  const id = optionalUuid(value, field)
  const found = id ? await findBankAccount(tx, caller.organizationId, id) : undefined
  if (!found || found.version !== 'V2') throw new PonteError('does_not_exist', { field, variant: 'id', params: { value: String(value) } })
  return found
}

/**
 * POST /payments/br/payment-authorizations/ (CreatePaymentAuthorizationImmediate or
 * CreatePaymentAuthorizationScheduled, told apart by `payment_method`). The payer's customer and
 * the beneficiary's account are ids or objects (created, or reused when the organization already
 * has that document or account). Runs inside `tx` (the idempotency transaction); the
 * authorization waits for the payer (AWAITING_AUTHORIZATION) at its authorization_url.
 */
export async function createPaymentAuthorizationIn(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, body: Body): Promise<AuthorizationView> {
  const method = requiredString(body, 'payment_method')
  if (method !== 'PIX_OF_IMMEDIATE' && method !== 'PIX_OF_SCHEDULED')
    throw new PonteError('invalid_choice', { field: 'payment_method', params: { value: method } })
  const description = boundedString(body, 'description', 'description', 140)
  const externalId = optionalUuid(body.external_id, 'external_id')
  const url = returnUrl(body)
  const metadata = parseMetadata(body.metadata)
  const configuration = objectAt(body, 'payment_method_configuration', 'payment_method_configuration')
  const amount = configurationAmount(configuration.amount, 'payment_method_configuration.amount')
  const statement = boundedString(configuration, 'statement_description', 'payment_method_configuration.statement_description', 140)
  const dates = method === 'PIX_OF_SCHEDULED' ? scheduledDates(configuration.dates, 'payment_method_configuration.dates', today(ctx.clock)) : []
  const payer = objectAt(body, 'payer', 'payer')
  const beneficiary = objectAt(body, 'beneficiary', 'beneficiary')
  const type = requiredString(beneficiary, 'type', 'beneficiary.type')
  if (type !== 'BANK_ACCOUNT') throw new PonteError('invalid_choice', { field: 'beneficiary.type', params: { value: type } })

  const customer = await payerCustomer(tx, ctx, caller, payer.customer)
  const institution = payer.institution === undefined || payer.institution === null ? null : await activeInstitution(tx, payer.institution, 'payer.institution')
  // A business pays through a person: Belvo asks for the representative's document.
  const representative =
    payer.representative_identifier === undefined || payer.representative_identifier === null
      ? null
      : parseDocument(payer.representative_identifier, 'payer.representative_identifier').digits
  if (customer.customer_type === 'BUSINESS' && !representative) throw new PonteError('required', { field: 'payer.representative_identifier' })
  const account = await beneficiaryAccount(tx, ctx, caller, beneficiary.target)

  const now = ctx.clock.now()
  const authorization = await store.insertPaymentAuthorization(tx, {
    id: uuidv7(now.getTime()),
    organization_id: caller.organizationId,
    customer_id: customer.id,
    payer_institution_id: institution?.id ?? null,
    representative_identifier: representative,
    beneficiary_bank_account_id: account.id,
    payment_method: method,
    status: 'AWAITING_AUTHORIZATION',
    amount,
    statement_description: statement,
    dates,
    description,
    return_url: url,
    external_id: externalId,
    metadata,
    bank_token: hex32(),
    expires_at: new Date(now.getTime() + AUTHORIZATION_TTL_MINUTES * 60_000).toISOString(),
    created_at: now.toISOString(),
  })
  await recordChange(tx, ctx, caller, {
    objectType: PAYMENT_AUTHORIZATION_MACHINE.objectType,
    objectId: authorization.id,
    from: null,
    to: authorization.status,
    amount,
    reason: 'created',
  })
  return { authorization, chargeIds: [] }
}

// ---------------------------------------------------------------------------------------------
// Status changes

interface Reason {
  actor?: string
  reason?: string
  code?: string | null
  message?: string | null
}

/** One authorization status change: the machine's check, the row, the ledger and the PAYMENT_AUTHORIZATIONS webhook. */
async function moveAuthorization(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  authorization: PaymentAuthorizationRow,
  to: PaymentAuthorizationStatus,
  options: Reason & { payerInstitutionId?: string } = {},
): Promise<PaymentAuthorizationRow> {
  const { from } = transition(PAYMENT_AUTHORIZATION_MACHINE, authorization.status as PaymentAuthorizationStatus, to)
  const now = ctx.clock.now().toISOString()
  const changes: store.AuthorizationChanges = {
    status: to,
    status_reason_code: options.code ?? null,
    status_reason_message: options.message ?? null,
    ...(options.payerInstitutionId ? { payer_institution_id: options.payerInstitutionId } : {}),
    ...(to === 'AUTHORIZED' ? { authorized_at: now } : {}),
  }
  await store.updatePaymentAuthorization(tx, caller.organizationId, authorization.id, changes, now)
  const moved: PaymentAuthorizationRow = { ...authorization, ...changes, status_updated_at: now, updated_at: now }
  await recordChange(tx, ctx, caller, {
    objectType: PAYMENT_AUTHORIZATION_MACHINE.objectType,
    objectId: authorization.id,
    from,
    to,
    amount: authorization.amount,
    actor: options.actor,
    reason: options.reason ?? options.code ?? null,
    webhook: {
      type: 'PAYMENT_AUTHORIZATIONS',
      code: 'STATUS_UPDATE',
      externalId: authorization.external_id,
      data: {
        status: to,
        status_reason_code: statusReasonV2(moved.status_reason_code),
        status_reason_message: moved.status_reason_message,
        metadata: moved.metadata,
      },
    },
  })
  return moved
}

/** One charge status change, announced by a CHARGES webhook (external_id null, as Belvo's charges). */
async function moveCharge(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  charge: AuthorizationChargeRow,
  to: AuthorizationChargeStatus,
  options: Reason & { endToEndId?: string } = {},
): Promise<AuthorizationChargeRow> {
  const { from } = transition(AUTHORIZATION_CHARGE_MACHINE, charge.status as AuthorizationChargeStatus, to)
  const now = ctx.clock.now().toISOString()
  const changes = {
    status: to,
    end_to_end_id: options.endToEndId ?? null,
    status_reason_code: options.code ?? null,
    status_reason_message: options.message ?? null,
  }
  await store.updateAuthorizationCharge(tx, caller.organizationId, charge.id, changes, now)
  const moved: AuthorizationChargeRow = { ...charge, ...changes, end_to_end_id: changes.end_to_end_id ?? charge.end_to_end_id, updated_at: now }
  await recordChange(tx, ctx, caller, {
    objectType: AUTHORIZATION_CHARGE_MACHINE.objectType,
    objectId: charge.id,
    from,
    to,
    amount: charge.amount,
    actor: options.actor,
    reason: options.reason ?? options.code ?? null,
    webhook: {
      type: 'CHARGES',
      code: 'STATUS_UPDATE',
      externalId: null,
      data: {
        status: to,
        status_reason_code: statusReasonV2(moved.status_reason_code),
        status_reason_message: moved.status_reason_message,
        payment_authorization: charge.payment_authorization_id,
        ...(moved.end_to_end_id ? { end_to_end_id: moved.end_to_end_id } : {}),
      },
    },
  })
  return moved
}

async function insertCharge(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  authorization: PaymentAuthorizationRow,
  status: AuthorizationChargeStatus,
  date: string,
  previous: AuthorizationChargeRow | null,
  actor?: string,
): Promise<AuthorizationChargeRow> {
  const now = ctx.clock.now()
  const charge = await store.insertAuthorizationCharge(tx, {
    id: uuidv7(now.getTime()),
    organization_id: caller.organizationId,
    payment_authorization_id: authorization.id,
    status,
    amount: previous?.amount ?? authorization.amount,
    date,
    previous_id: previous?.id ?? null,
    created_at: now.toISOString(),
  })
  await recordChange(tx, ctx, caller, {
    objectType: AUTHORIZATION_CHARGE_MACHINE.objectType,
    objectId: charge.id,
    from: null,
    to: status,
    amount: charge.amount,
    actor,
    reason: previous ? `retry of ${previous.id}` : null,
  })
  return charge
}

/** What the sandbox network answers for a charge: the amount rules, except that a retry gets past a recoverable refusal. */
function chargeOutcome(charge: AuthorizationChargeRow): Outcome {
  const outcome = outcomeFor(parseAmount(formatAmount(charge.amount)))
  if (charge.previous_id && outcome.failureCode && RECOVERABLE.has(outcome.failureCode)) return outcomeFor(parseAmount('1.00'))
  return outcome
}

/**
 * The network settles or refuses a due charge (its authorization's row lock held by the caller):
 * settled, it gets a Pix end_to_end_id, an INFLOW transaction into the beneficiary account (the
 * intents' recordInflow) and consumes the authorization; refused, it is FAILED with the reason
 * and the authorization stays AUTHORIZED, so that the charge can be retried.
 */
async function settleCharge(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  authorization: PaymentAuthorizationRow,
  charge: AuthorizationChargeRow,
): Promise<PaymentAuthorizationRow> {
  const actor = 'sandbox'
  const outcome = chargeOutcome(charge)
  if (outcome.stage !== 'settled') {
    await moveCharge(tx, ctx, caller, charge, 'FAILED', { actor, code: outcome.failureCode, message: outcome.failureMessage })
    return authorization
  }
  const payerBank = await findPaymentInstitution(tx, authorization.payer_institution_id!)
  const e2e = endToEndId(payerBank!.code, ctx.clock.now())
  await moveCharge(tx, ctx, caller, charge, 'SETTLED', { actor, endToEndId: e2e, reason: 'settled' })
  await recordInflow(tx, ctx, caller, actor, {
    payment_intent_id: null,
    payment_authorization_id: authorization.id,
    charge_id: charge.id,
    customer_id: authorization.customer_id,
    beneficiary_bank_account_id: authorization.beneficiary_bank_account_id,
    amount: charge.amount,
    description: authorization.statement_description,
    end_to_end_id: e2e,
  })
  return moveAuthorization(tx, ctx, caller, authorization, 'CONSUMED', { actor, reason: 'settled' })
}

export const AUTHORIZABLE: readonly string[] = ['AWAITING_AUTHORIZATION', 'PARTIALLY_ACCEPTED']
const REVOCABLE: readonly string[] = ['AWAITING_AUTHORIZATION', 'PARTIALLY_ACCEPTED', 'AUTHORIZED']

/** Whether the payer's time to authorize has run out (AUTHORIZATION_TTL_MINUTES after creation). */
export function authorizationExpired(authorization: PaymentAuthorizationRow, now: Date): boolean {
  return AUTHORIZABLE.includes(authorization.status) && now.getTime() >= Date.parse(authorization.expires_at)
}

/** The payer's time ran out: FAILED with AUTHORIZATION_EXPIRED (Belvo's V2 code; `authorization_expired` inside). */
async function expire(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, authorization: PaymentAuthorizationRow, actor: string) {
  return moveAuthorization(tx, ctx, caller, authorization, 'FAILED', {
    actor,
    code: 'authorization_expired',
    message: V2_STATUS_REASONS.AUTHORIZATION_EXPIRED,
  })
}

/**
 * The payer's bank answers an approval of `authorization` (its row lock held by the caller, its
 * status AUTHORIZABLE). One past its deadline, or a scheduled payment approved on or after its
 * date, fails (AUTHORIZATION_EXPIRED). The amount picks the outcome (network.ts): a consent
 * refusal (201–300) fails the authorization. A business payer needs two approvers: the first
 * leaves it PARTIALLY_ACCEPTED, the second authorizes. Authorized, PIX_OF_IMMEDIATE makes its
 * charge and the network settles or refuses it at once; PIX_OF_SCHEDULED makes a SCHEDULED
 * charge for its date, which the scheduler settles (settleDueAuthorizationCharges).
 */
export async function approveLocked(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  authorization: PaymentAuthorizationRow,
  actor: string,
): Promise<PaymentAuthorizationRow> {
  if (authorizationExpired(authorization, ctx.clock.now())) return expire(tx, ctx, caller, authorization, actor)
  // A scheduled payment authorized on or after its date can no longer be made on it.
  if (authorization.payment_method === 'PIX_OF_SCHEDULED' && authorization.dates[0] <= today(ctx.clock)) {
    return moveAuthorization(tx, ctx, caller, authorization, 'FAILED', {
      actor,
      code: 'consent_expired',
      message: 'The payment consent was not accepted in time.',
    })
  }
  const outcome = outcomeFor(parseAmount(formatAmount(authorization.amount)))
  if (outcome.stage === 'consent') {
    return moveAuthorization(tx, ctx, caller, authorization, 'FAILED', { actor, code: outcome.failureCode, message: outcome.failureMessage })
  }
  const customer = (await findCustomer(tx, caller.organizationId, authorization.customer_id))!
  if (customer.customer_type === 'BUSINESS' && authorization.status === 'AWAITING_AUTHORIZATION') {
    return moveAuthorization(tx, ctx, caller, authorization, 'PARTIALLY_ACCEPTED', { actor, reason: 'first approver accepted' })
  }
  let authorized = await moveAuthorization(tx, ctx, caller, authorization, 'AUTHORIZED', {
    actor,
    reason: 'authorized by the payer',
    payerInstitutionId: authorization.payer_institution_id ?? SANDBOX_PAYER_BANK[customer.customer_type],
  })
  if (authorized.payment_method === 'PIX_OF_IMMEDIATE') {
    const charge = await insertCharge(tx, ctx, caller, authorized, 'PENDING', today(ctx.clock), null, actor)
    authorized = await settleCharge(tx, ctx, caller, authorized, charge)
  } else {
    await insertCharge(tx, ctx, caller, authorized, 'SCHEDULED', authorized.dates[0], null, actor)
  }
  return authorized
}

/** The payer refused at their bank (the bank page's Reject): FAILED with the payer's refusal (V2 REJECTED_BY_USER). */
export async function rejectLocked(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, authorization: PaymentAuthorizationRow, actor: string) {
  if (authorizationExpired(authorization, ctx.clock.now())) return expire(tx, ctx, caller, authorization, actor)
  return moveAuthorization(tx, ctx, caller, authorization, 'FAILED', {
    actor,
    code: 'consent_rejected',
    message: 'The payer rejected the payment authorization at their bank.',
  })
}

/**
 * The sandbox's answer to the payer at their bank without the page (POST .../authorize/, Ponte's
 * sandbox call as for payment intents): approveLocked's approval.
 */
export async function authorizePaymentAuthorization(ctx: Ctx, caller: PaymentsCaller, id: string): Promise<AuthorizationView> {
  return ctx.db.tx(async (tx) => {
    const authorization = await authorizationOr404(tx, caller, id, true)
    if (!AUTHORIZABLE.includes(authorization.status)) {
      throw new PonteError('invalid', { field: 'status', variant: 'authorization_not_authorizable', params: { status: authorization.status } })
    }
    return (await authorizationViews(tx, caller.organizationId, [await approveLocked(tx, ctx, caller, authorization, 'sandbox')]))[0]
  })
}

/**
 * POST .../cancel/: the organization revokes the authorization before it is consumed; its
 * SCHEDULED charges are canceled first. A FAILED, CONSUMED or REVOKED one: 400 cancellation_error.
 */
export async function cancelPaymentAuthorization(ctx: Ctx, caller: PaymentsCaller, id: string): Promise<void> {
  await ctx.db.tx(async (tx) => {
    const authorization = await authorizationOr404(tx, caller, id, true)
    if (!REVOCABLE.includes(authorization.status)) {
      throw new PonteError('cancellation_error', { field: 'status', variant: 'authorization', params: { status: authorization.status } })
    }
    const charges = await store.chargesOfAuthorizations(tx, caller.organizationId, [authorization.id])
    for (const charge of charges.filter((c) => c.status === 'SCHEDULED')) {
      await moveCharge(tx, ctx, caller, charge, 'CANCELED', { reason: 'authorization revoked' })
    }
    await moveAuthorization(tx, ctx, caller, authorization, 'REVOKED', { reason: 'canceled by the organization' })
  })
}

/** POST .../charges/{charge_id}/cancel/: a SCHEDULED charge only (400 cancellation_error otherwise). */
export async function cancelAuthorizationCharge(ctx: Ctx, caller: PaymentsCaller, authorizationId: string, chargeId: string): Promise<void> {
  await ctx.db.tx(async (tx) => {
    const authorization = await authorizationOr404(tx, caller, authorizationId, true)
    const charge = await chargeOr404(tx, caller, authorization, chargeId)
    if (charge.status !== 'SCHEDULED') throw new PonteError('cancellation_error', { field: 'status', variant: 'charge' })
    await moveCharge(tx, ctx, caller, charge, 'CANCELED', { reason: 'canceled by the organization' })
  })
}

/**
 * POST .../charges/{charge_id}/retry/ {date}: a FAILED charge of an AUTHORIZED authorization is
 * tried again on `date` (from tomorrow, Belvo's "at least one day in the future", to
 * RETRY_WINDOW_DAYS after the first charge's date), as a new SCHEDULED charge whose `previous` is
 * the failed one. A charge is retried once, a chain at most MAX_RETRIES times.
 */
export async function retryAuthorizationCharge(
  ctx: Ctx,
  caller: PaymentsCaller,
  authorizationId: string,
  chargeId: string,
  body: Body,
): Promise<AuthorizationChargeView> {
  return ctx.db.tx(async (tx) => {
    const authorization = await authorizationOr404(tx, caller, authorizationId, true)
    const charge = await chargeOr404(tx, caller, authorization, chargeId)
    if (charge.status !== 'FAILED') throw new PonteError('invalid', { field: 'status', variant: 'charge_not_retryable', params: { status: charge.status } })
    if (charge.next_id) throw new PonteError('invalid', { field: 'status', variant: 'charge_already_retried', params: { next: charge.next_id } })
    if (authorization.status !== 'AUTHORIZED') {
      throw new PonteError('invalid', { field: 'status', variant: 'authorization_not_active', params: { status: authorization.status } })
    }
    const chain = await store.retryChain(tx, caller.organizationId, charge.id)
    if (chain.retries >= MAX_RETRIES) throw new PonteError('invalid', { field: 'status', variant: 'retries_exhausted', params: { limit: MAX_RETRIES } })
    if (body.date === undefined) throw new PonteError('required', { field: 'date' })
    const date = body.date
    const last = addDays(chain.first_date, RETRY_WINDOW_DAYS)
    if (typeof date !== 'string' || !isCalendarDay(date) || date <= today(ctx.clock) || date > last) {
      throw new PonteError('invalid', { field: 'date', variant: 'retry_date', params: { last } })
    }
    const retry = await insertCharge(tx, ctx, caller, authorization, 'SCHEDULED', date, charge)
    return (await chargeViews(tx, authorization, [retry]))[0]
  })
}

/**
 * The scheduler's pass (runScheduler, every worker): each SCHEDULED charge whose date has come on
 * the sandbox clock (UTC day) is settled or refused, in a transaction of its own that holds its
 * authorization's row lock; the re-read status makes concurrent workers settle it once. A charge
 * whose authorization is no longer AUTHORIZED is canceled instead. Returns how many it moved.
 */
export async function settleDueAuthorizationCharges(ctx: Ctx, now: Date, organizationId?: string): Promise<number> {
  const due = await store.dueAuthorizationCharges(ctx.db, now.toISOString().slice(0, 10), SETTLEMENTS_PER_PASS, organizationId)
  return settleEachDue(ctx, due, async (tx, caller, { id, payment_authorization_id: authorizationId }) => {
    const authorization = await store.findPaymentAuthorization(tx, caller.organizationId, authorizationId, true)
    const charge = authorization ? await store.findAuthorizationCharge(tx, caller.organizationId, authorization.id, id) : undefined
    if (!authorization || !charge || charge.status !== 'SCHEDULED') return false
    if (authorization.status !== 'AUTHORIZED') {
      await moveCharge(tx, ctx, caller, charge, 'CANCELED', { actor: 'sandbox', reason: `authorization ${authorization.status}` })
    } else {
      await settleCharge(tx, ctx, caller, authorization, charge)
    }
    return true
  })
}

/**
 * The scheduler's expiry pass (runScheduler, and each step of a sandbox clock's advance): each
 * authorization still waiting for the payer AUTHORIZATION_TTL_MINUTES after its creation fails
 * with AUTHORIZATION_EXPIRED, in a transaction of its own under its row lock (the re-read status
 * makes concurrent workers expire it once). Returns how many expired.
 */
export async function expireAuthorizations(ctx: Ctx, now: Date, organizationId?: string): Promise<number> {
  const due = await store.expiredAuthorizations(ctx.db, now.toISOString(), SETTLEMENTS_PER_PASS, organizationId)
  return settleEachDue(ctx, due, async (tx, caller, { id }) => {
    const authorization = await store.findPaymentAuthorization(tx, caller.organizationId, id, true)
    if (!authorization || !authorizationExpired(authorization, now)) return false
    await expire(tx, ctx, caller, authorization, 'sandbox')
    return true
  })
}

// ---------------------------------------------------------------------------------------------
// Wire (Payments-BR.V2)

/** The sandbox bank's payment authorization page (routes/payment-authorization-bank.ts); the token ends the path. */
export const AUTHORIZATION_BANK_PATH = '/sandbox/openfinance/payment-authorizations'

/** Where the payer authorizes: the sandbox bank's page on the server's own origin (in API-only use, the sandbox authorize call). */
export function authorizationUrl(origin: string, row: Pick<PaymentAuthorizationRow, 'bank_token'>): string {
  return `${origin}${AUTHORIZATION_BANK_PATH}/${row.bank_token}/`
}

const when = <T>(value: T | null | undefined, shape: (v: T) => Record<string, unknown>) => (value === null || value === undefined ? {} : shape(value))

/** PaymentAuthorization; `origin`: the server's public origin (the bank page's, in authorization_url). */
export function paymentAuthorizationWire({ authorization: a, chargeIds }: AuthorizationView, origin: string) {
  return {
    id: a.id,
    created_at: a.created_at,
    updated_at: a.updated_at,
    status: a.status,
    status_reason_code: statusReasonV2(a.status_reason_code),
    status_reason_message: a.status_reason_message,
    status_updated_at: a.status_updated_at,
    authorized_at: a.authorized_at,
    external_id: a.external_id,
    description: a.description,
    return_url: a.return_url,
    payment_method: a.payment_method,
    payer: {
      customer: a.customer_id,
      ...when(a.payer_institution_id, (institution) => ({ institution })),
      ...when(a.representative_identifier, (representative_identifier) => ({ representative_identifier })),
    },
    beneficiary: { type: 'BANK_ACCOUNT', target: a.beneficiary_bank_account_id },
    payment_method_configuration: {
      amount: formatAmount(a.amount),
      statement_description: a.statement_description,
      ...(a.payment_method === 'PIX_OF_SCHEDULED' ? { dates: a.dates } : {}),
      authorization_url: authorizationUrl(origin, a),
    },
    charges: chargeIds,
    metadata: a.metadata,
  }
}

/** ChargeV2 of a payment authorization. */
export function authorizationChargeWire(view: AuthorizationChargeView) {
  const { charge: c, authorization: a } = view
  return {
    id: c.id,
    created_at: c.created_at,
    status_updated_at: c.updated_at,
    status: c.status,
    status_reason_code: statusReasonV2(c.status_reason_code),
    status_reason_message: c.status_reason_message,
    amount: formatAmount(c.amount),
    date: c.date,
    end_to_end_id: c.end_to_end_id,
    statement_description: a.statement_description,
    ...when(a.external_id, (external_id) => ({ external_id })),
    beneficiary: view.beneficiary ? beneficiaryV2(view.beneficiary, view.beneficiaryCode) : {},
    payer: {
      bank_account: {
        ...when(view.payer, (p) => ({ holder: { identifier: p.identifier } })),
        ...when(a.payer_institution_id, (institution) => ({ details: { institution, ...when(view.payerCode, (code) => ({ code })) } })),
      },
    },
    metadata: a.metadata,
    next: c.next_id,
    previous: c.previous_id,
  }
}
