import type { Clock } from '../../lib/clock.ts'
import { byIdOr404 } from '../by-id.ts'
import { PonteError } from '../../lib/errors.ts'
import { isUuid, uuidv7 } from '../../lib/ids.ts'
import type { FilterField, ListRequest } from '../../lib/list-query.ts'
import type { Db, Queryable } from '../../store/db.ts'
import * as store from '../../store/payments.ts'
import type { ChargeRow, IntentOrdering, PaymentIntentRow, PaymentTransactionRow } from '../../store/payments.ts'
import { ledgerEntry, recordChange, type PaymentsCaller } from './audit.ts'
import { findIntentParties, insertPaymentIntentWithLedger, type IntentParties } from '../../store/payment-intent-create.ts'
import type { AnswerOutcome, StoredAnswer } from '../../store/payment-idempotency.ts'
import { idempotent, idempotentOneWrite, storedAnswer, type IdempotentRequest, type IdempotentResult, type KeyScope, type OneWriteKey } from './idempotency.ts'
import { createBiometricIntentIn, isBiometricBody, requireBiometricEnrollment } from './biometric.ts'
import { parseDocument, parsePixKey } from './documents.ts'
import { CHARGE_MACHINE, CHARGE_STATUSES, CREATED_ONLY, PAYMENT_INTENT_MACHINE, PAYMENT_INTENT_STATUSES, transition } from './machines.ts'
import type { ChargeStatus, PaymentIntentStatus } from './machines.ts'
import { formatAmount, parseAmount } from './money.ts'
import { endToEndId, outcomeFor } from './network.ts'
import { activeInstitution, createBankAccountIn, createCustomerIn, getBankAccount, objectAt, optionalUuid, parseMetadata, requiredString } from './objects.ts'
import { occurrenceDates, parseSchedule } from './schedules.ts'
import { settleEachDue, SETTLEMENTS_PER_PASS } from './settlement-pass.ts'
import { paymentTransactionWire } from './wire.ts'

/**
 * Payment intents, their charges and transactions: creation in Belvo's five body variants, the
 * updates Belvo allows, cancellation, and the sandbox network's authorization and settlement.
 * Every status change goes through machines.ts and recordChange (ledger + webhook), inside the
 * transaction that holds the intent's row lock.
 */

type Ctx = { db: Db; clock: Clock }
type Body = Record<string, unknown>

const TIMESTAMP_LOOKUPS = ['exact', 'gt', 'gte', 'lt', 'lte', 'range'] as const
const AMOUNT_LOOKUPS = ['exact', 'gt', 'gte', 'lt', 'lte', 'range'] as const

export const PAYMENT_INTENT_FILTERS: readonly FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'amount', type: 'number', lookups: AMOUNT_LOOKUPS },
  { param: 'created_at', type: 'datetime', lookups: TIMESTAMP_LOOKUPS },
  { param: 'updated_at', type: 'datetime', lookups: TIMESTAMP_LOOKUPS },
  { param: 'customer', source: { column: 'customer_id' }, type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'external_id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'status', type: 'text', lookups: ['exact', 'in'], choices: PAYMENT_INTENT_STATUSES },
  {
    param: 'payment_method_type',
    source: { column: 'selected_payment_method_type' },
    type: 'text',
    lookups: ['exact'],
    choices: ['open_finance', 'open_finance_biometric_pix'],
  },
  { param: 'provider', type: 'text', lookups: ['exact'], choices: ['belvo'] },
  { param: 'search', source: { column: 'description' }, type: 'text', lookups: ['exact'], partial: true, minLength: 3, description: 'Part of the description' },
]

export const CHARGE_FILTERS: readonly FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'amount', type: 'number', lookups: AMOUNT_LOOKUPS },
  { param: 'created_at', type: 'datetime', lookups: TIMESTAMP_LOOKUPS },
  { param: 'payment_intent', source: { column: 'payment_intent_id' }, type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'status', type: 'text', lookups: ['exact', 'in'], choices: CHARGE_STATUSES },
]

export const INTENT_CHARGE_FILTERS: readonly FilterField[] = [{ param: 'status', type: 'text', lookups: ['exact', 'in'], choices: CHARGE_STATUSES }]

export const PAYMENT_TRANSACTION_FILTERS: readonly FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'created_at', type: 'datetime', lookups: TIMESTAMP_LOOKUPS },
  { param: 'charge', source: { column: 'charge_id' }, type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'beneficiary', source: { column: 'beneficiary_bank_account_id' }, type: 'uuid', lookups: ['exact', 'in'] },
  {
    param: 'payer',
    source: { column: 'payer_bank_account_id' },
    type: 'uuid',
    lookups: ['exact', 'in'],
    description: "The payer's bank account (the sandbox names none)",
  },
  { param: 'customer', source: { column: 'customer_id' }, type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'payment_intent', source: { column: 'payment_intent_id' }, type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'transaction__type', source: { column: 'transaction_type' }, type: 'text', lookups: ['exact'], choices: ['INFLOW', 'OUTFLOW'] },
  { param: 'currency', type: 'text', lookups: ['exact'], choices: ['BRL'] },
  { param: 'description', type: 'text', lookups: ['exact'], partial: true },
  { param: 'amount', type: 'number', lookups: AMOUNT_LOOKUPS },
]

export const INTENT_ORDERING_VALUES: readonly IntentOrdering[] = ['-created_at', 'created_at', '-updated_at', 'updated_at']

export function parseOrdering(value: unknown): IntentOrdering {
  if (value === undefined) return '-created_at'
  const text = String(Array.isArray(value) ? value[value.length - 1] : value)
  if (!(INTENT_ORDERING_VALUES as readonly string[]).includes(text)) throw new PonteError('invalid_choice', { field: 'ordering', params: { value: text } })
  return text as IntentOrdering
}

/** A payment intent with what its wire object embeds. */
export interface IntentView {
  intent: PaymentIntentRow
  charges: ChargeRow[]
  transactions: PaymentTransactionRow[]
}

async function viewsOf(db: Queryable, organizationId: string, intents: PaymentIntentRow[]): Promise<IntentView[]> {
  const charges = await store.chargesOfIntents(
    db,
    organizationId,
    intents.map((i) => i.id),
  )
  const transactions = await store.transactionsOfCharges(
    db,
    organizationId,
    charges.map((c) => c.id),
  )
  return intents.map((intent) => ({
    intent,
    charges: charges.filter((c) => c.payment_intent_id === intent.id),
    transactions: transactions.filter((t) => t.payment_intent_id === intent.id),
  }))
}

async function intentOr404(db: Queryable, caller: PaymentsCaller, id: string, lock = false): Promise<PaymentIntentRow> {
  return byIdOr404(id, (uuid) => store.findPaymentIntent(db, caller.organizationId, uuid, lock))
}

export async function getPaymentIntent(db: Queryable, caller: PaymentsCaller, id: string): Promise<IntentView> {
  const [view] = await viewsOf(db, caller.organizationId, [await intentOr404(db, caller, id)])
  return view
}

export async function listPaymentIntents(db: Queryable, caller: PaymentsCaller, { conditions, page }: ListRequest, ordering: IntentOrdering) {
  const { count, rows } = await store.listPaymentIntents(db, caller.organizationId, conditions, page, ordering)
  return { count, views: await viewsOf(db, caller.organizationId, rows) }
}

// ---------------------------------------------------------------------------------------------
// Creation

/** A UTC day `days` later (schedules.ts; the payment authorizations use it too). */
export { addDays } from './schedules.ts'

function allowedTypes(value: unknown): string[] {
  if (value === undefined) throw new PonteError('required', { field: 'allowed_payment_method_types' })
  if (!Array.isArray(value) || value.length === 0) throw new PonteError('invalid', { field: 'allowed_payment_method_types', variant: 'payment_method_type' })
  for (const type of value) {
    if (type !== 'open_finance' && type !== 'open_finance_biometric_pix') {
      throw new PonteError('invalid_choice', { field: 'allowed_payment_method_types', params: { value: String(type) } })
    }
  }
  return [...new Set(value as string[])]
}

const OF = 'payment_method_details.open_finance'

/**
 * POST /payments/br/payment-intents/, at most once per idempotency key: an intent that names its
 * customer and beneficiary by id goes in with one statement and no transaction
 * (`idempotentOneWrite`), any other in a transaction (`idempotent`). With a key, the answer (the
 * intent as `wireOf` makes it) is stored by the statement that inserts the intent.
 */
export function createPaymentIntentOnce(
  ctx: { db: Db; clock: Clock },
  caller: PaymentsCaller,
  request: IdempotentRequest,
  wireOf: (view: IntentView) => unknown,
): Promise<IdempotentResult> {
  const body = request.body as Body
  const create = async (db: Queryable, key: KeyScope | undefined, mode: { oneWrite: boolean; key?: OneWriteKey }) => {
    let answer: StoredAnswer | undefined
    let wire: unknown
    const respond = key && ((view: IntentView) => (answer = storedAnswer(key, ctx.clock, 201, (wire = wireOf(view)))))
    const view = await createPaymentIntentIn(db, ctx, caller, body, { respond, ...mode })
    return answer ? { status: 201, body: wire, json: answer.body, stored: view.stored } : { status: 201, body: wireOf(view) }
  }
  return intentWritesOnce(body)
    ? idempotentOneWrite(ctx, caller, request, (db, key) => create(db, key, { oneWrite: true, key }))
    : idempotent(ctx, caller, request, (tx, key) => create(tx, key, { oneWrite: false }))
}

/**
 * POST /payments/br/payment-intents/: Belvo's five bodies, told apart by what they carry:
 * `customer` an id (existing customer) or an object (new customer), and
 * `payment_method_details.open_finance` with a `pix_key` (Pix key beneficiary) or a
 * `beneficiary_bank_account` that is an id (existing account) or an object (new account).
 * Runs inside `tx` (the idempotency transaction).
 *
 * `respond`, when given, makes the stored answer of the request's idempotency key from the new
 * intent: it is written by the statement that inserts the intent (one statement less), and
 * `stored` says how that went (idempotency.ts `AnswerOutcome`). `oneWrite`: `tx` is no transaction
 * but the database (idempotency.ts `idempotentOneWrite`), for a body that `intentWritesOnce`; with
 * a `key`, its row is read with the customer.
 */
export async function createPaymentIntentIn(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  body: Body,
  options: IntentCreateOptions & { oneWrite?: boolean } = {},
): Promise<CreatedIntent> {
  if (!options.oneWrite) return createIntentReadingParties(tx, ctx, caller, body, options)
  if (!intentWritesOnce(body)) throw new Error('this payment intent body writes more than the intent: it needs a transaction')
  // First as if the customer and the beneficiary account were what the body names, in one
  // statement that writes only if they are: one call into the engine instead of a read and a
  // write. A body that fails a check, or parties that are not as named, go the careful way, which
  // reads them first and answers the first check that fails in the order the checks are made.
  try {
    const created = await createIntent(tx, ctx, caller, body, options, 'assumed')
    if (created) return created
  } catch (err) {
    if (!(err instanceof PonteError)) throw err
  }
  return createIntentReadingParties(tx, ctx, caller, body, options)
}

type IntentCreateOptions = { respond?: (view: IntentView) => StoredAnswer; key?: OneWriteKey }
type CreatedIntent = IntentView & { stored?: AnswerOutcome }

/** `createIntent` with its parties read: it always creates (or throws). */
const createIntentReadingParties = (tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, body: Body, options: IntentCreateOptions) =>
  createIntent(tx, ctx, caller, body, options, 'read') as Promise<CreatedIntent>

/**
 * `createPaymentIntentIn`, its customer and beneficiary account either read (`read`: the key's row
 * with them) or `assumed` to be what the body names, the write then made only if they are:
 * undefined when they were not (nothing was written).
 */
async function createIntent(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  body: Body,
  options: IntentCreateOptions,
  parties: 'read' | 'assumed',
): Promise<CreatedIntent | undefined> {
  const { respond, key } = options
  // The sixth body: a biometric Pix payment with an enrollment (biometric.ts).
  if (isBiometricBody(body)) return createBiometricIntentIn(tx, ctx, caller, body)
  if (body.amount === undefined) throw new PonteError('required', { field: 'amount' })
  const amount = parseAmount(body.amount)
  const description = requiredString(body, 'description')
  if (description.length > 255) throw new PonteError('max_length', { field: 'description', params: { limit: 255 } })
  const statementDescription = body.statement_description === undefined || body.statement_description === null ? null : String(body.statement_description)
  const allowed = allowedTypes(body.allowed_payment_method_types)
  if (body.confirm === undefined) throw new PonteError('required', { field: 'confirm' })
  if (typeof body.confirm !== 'boolean') throw new PonteError('invalid', { field: 'confirm', params: { detail: 'confirm must be a boolean' } })
  const confirm = body.confirm
  const methodDetails = objectAt(body, 'payment_method_details', 'payment_method_details')
  const of = objectAt(methodDetails, 'open_finance', OF)
  const callbackUrl = requiredString(of, 'callback_url', `${OF}.callback_url`)
  const today = ctx.clock.now().toISOString().slice(0, 10)
  const scheduleDate = parseSchedule(of.schedule, `${OF}.schedule`, today)
  const metadata = parseMetadata(body.metadata)
  const externalId = optionalUuid(body.external_id, 'external_id')
  if (body.customer === undefined) throw new PonteError('required', { field: 'customer' })

  // The customer: an id, or a new customer (reused when the organization already has its document).
  // An existing customer and beneficiary account are read in one statement (each statement costs
  // about a commit on PGlite); a missing account still answers where the body's checks reach it.
  const beneficiaryTarget = of.pix_key === undefined ? of.beneficiary_bank_account : undefined
  const accountToRead = typeof beneficiaryTarget === 'string' && isUuid(beneficiaryTarget) ? beneficiaryTarget.toLowerCase() : null
  let accountRead: { id: string } | null | undefined // undefined: not read with the customer
  const customer =
    typeof body.customer === 'object' && body.customer !== null && !Array.isArray(body.customer)
      ? await createCustomerIn(tx, ctx, caller, body.customer as Body, 'V1', { prefix: 'customer.', reuse: true })
      : await (async () => {
          const id = optionalUuid(body.customer, 'customer')
          // Assumed: an individual, so that no check asks for what only a business needs; the
          // write checks that a business customer has what it needs.
          const found: IntentParties | undefined = !id
            ? undefined
            : parties === 'assumed'
              ? { customer_type: 'INDIVIDUAL', account_id: accountToRead }
              : await findIntentParties(tx, caller.organizationId, id, accountToRead, key?.key)
          // A replay, a mismatch or a request still running is answered before the parties are judged.
          if (found && key && parties === 'read') key.seen(found.key)
          if (found && accountToRead) accountRead = found.account_id ? { id: found.account_id } : null
          if (!id || !found?.customer_type)
            throw new PonteError('does_not_exist', { field: 'customer', variant: 'id', params: { value: String(body.customer) } })
          return { id, customer_type: found.customer_type }
        })()
  // A business payer authorizes through a person: Belvo asks for that person's CPF.
  const cpf =
    of.cpf !== undefined && of.cpf !== null
      ? parseDocument(of.cpf, `${OF}.cpf`, 'CPF').digits
      : customer.customer_type === 'BUSINESS'
        ? (() => {
            throw new PonteError('required', { field: `${OF}.cpf` })
          })()
        : null
  const payer =
    of.payer_institution === undefined || of.payer_institution === null ? null : await activeInstitution(tx, of.payer_institution, `${OF}.payer_institution`)
  if (!payer && (customer.customer_type === 'BUSINESS' || of.pix_key !== undefined)) throw new PonteError('required', { field: `${OF}.payer_institution` })
  if (confirm && !payer) throw new PonteError('invalid', { field: `${OF}.payer_institution`, variant: 'confirm_without_payer' })

  let kind: PaymentIntentRow['kind']
  let beneficiaryId: string | null = null
  let pixKey: { type: string; value: string } | null = null
  const details: Body = { payer_institution: payer?.id ?? null, callback_url: callbackUrl, schedule: of.schedule ?? null, cpf }
  if (of.pix_key !== undefined) {
    kind = 'pix_key'
    pixKey = parsePixKey(of.pix_key, `${OF}.pix_key`)
    details.pix_key = pixKey.value
    // The sandbox's DICT: a CPF or CNPJ key names its holder; other keys belong to the sandbox's receiver.
    details.pix_key_holder_name = 'Recebedor Sandbox Ponte'
    details.pix_key_holder_identifier = pixKey.type === 'cpf' || pixKey.type === 'cnpj' ? pixKey.value : ''
  } else {
    kind = 'bank_account'
    const target = of.beneficiary_bank_account
    if (target === undefined) throw new PonteError('required', { field: `${OF}.beneficiary_bank_account` })
    const account =
      typeof target === 'object' && target !== null && !Array.isArray(target)
        ? await createBankAccountIn(tx, ctx, caller, target as Body, 'V1', { prefix: `${OF}.beneficiary_bank_account.`, reuse: true })
        : accountRead !== undefined
          ? (accountRead ?? missingBeneficiary(target))
          : await beneficiaryById(tx, caller, target)
    beneficiaryId = account.id
    details.beneficiary_bank_account = account.id
  }

  const now = ctx.clock.now()
  const status: PaymentIntentStatus = payer ? 'REQUIRES_ACTION' : 'REQUIRES_PAYMENT_METHOD'
  const id = uuidv7(now.getTime())
  const created = { objectType: PAYMENT_INTENT_MACHINE.objectType, objectId: id, from: null, to: status, amount: amount.toFixed(2) }
  // The intent and its creation's ledger row (recordChange's row; a creation sends no webhook) in one statement.
  const { row: intent, stored } = await insertPaymentIntentWithLedger(
    tx,
    {
      id,
      organization_id: caller.organizationId,
      customer_id: customer.id,
      kind,
      status,
      confirmed: confirm,
      amount: amount.toFixed(2),
      description,
      statement_description: statementDescription,
      allowed_payment_method_types: allowed,
      selected_payment_method_type: allowed[0],
      beneficiary_bank_account_id: beneficiaryId,
      payer_institution_id: payer?.id ?? null,
      pix_key: pixKey?.value ?? null,
      pix_key_type: pixKey?.type ?? null,
      details,
      schedule_date: scheduleDate,
      external_id: externalId,
      metadata,
      created_by: caller.organizationId,
      created_at: now.toISOString(),
    },
    ledgerEntry(ctx, caller, { ...created, reason: confirm ? 'created confirmed' : 'created' }),
    respond && ((row) => respond({ intent: row, charges: [], transactions: [] })),
    // A business customer pays through a person (a CPF) at a payer institution.
    parties === 'assumed' ? { businessMayPay: cpf !== null && payer !== null } : undefined,
  )
  if (stored === 'parties') return undefined
  return { intent, charges: [], transactions: [], stored }
}

/**
 * Whether creating this intent writes nothing but the intent (and its ledger row and key): its
 * customer and beneficiary account named by id, not created with it, and not a biometric payment.
 */
export function intentWritesOnce(body: Body): boolean {
  if (isBiometricBody(body) || typeof body.customer !== 'string') return false
  const details = body.payment_method_details as Body | undefined
  const of = details !== null && typeof details === 'object' ? (details.open_finance as Body | undefined) : undefined
  const beneficiary = of !== null && typeof of === 'object' ? of.beneficiary_bank_account : undefined
  return typeof beneficiary !== 'object' || beneficiary === null || Array.isArray(beneficiary)
}

function missingBeneficiary(target: unknown): never {
  throw new PonteError('does_not_exist', { field: `${OF}.beneficiary_bank_account`, variant: 'id', params: { value: String(target) } })
}

async function beneficiaryById(tx: Queryable, caller: PaymentsCaller, target: unknown) {
  const field = `${OF}.beneficiary_bank_account`
  const id = optionalUuid(target, field)
  try {
    return await getBankAccount(tx, caller, id ?? '')
  } catch {
    throw new PonteError('does_not_exist', { field, variant: 'id', params: { value: String(target) } })
  }
}

// ---------------------------------------------------------------------------------------------
// Status changes

function intentWebhook(intent: PaymentIntentRow, status: string, extra: Body = {}) {
  return {
    type: 'PAYMENT_INTENTS' as const,
    code: 'STATUS_UPDATE' as const,
    externalId: intent.external_id,
    data: { status, metadata: intent.metadata, failure_code: null, failure_message: null, ...extra },
  }
}

/** One intent status change: the machine's check, the row, the ledger and the webhook. */
export async function moveIntent(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  intent: PaymentIntentRow,
  to: PaymentIntentStatus,
  options: { actor?: string; reason?: string; failureCode?: string | null; failureMessage?: string | null; endToEndId?: string | null } = {},
): Promise<PaymentIntentRow> {
  const { from } = transition(PAYMENT_INTENT_MACHINE, intent.status as PaymentIntentStatus, to)
  const now = ctx.clock.now().toISOString()
  const changes = {
    status: to,
    ...(options.failureCode !== undefined ? { failure_code: options.failureCode, failure_message: options.failureMessage ?? null } : {}),
    ...(options.endToEndId ? { end_to_end_id: options.endToEndId } : {}),
  }
  await store.updatePaymentIntent(tx, caller.organizationId, intent.id, changes, now)
  const moved = { ...intent, ...changes, updated_at: now }
  await recordChange(tx, ctx, caller, {
    objectType: PAYMENT_INTENT_MACHINE.objectType,
    objectId: intent.id,
    from,
    to,
    amount: intent.amount,
    actor: options.actor,
    reason: options.reason ?? options.failureCode ?? null,
    webhook: intentWebhook(moved, to, {
      failure_code: moved.failure_code,
      failure_message: moved.failure_message,
      ...(moved.end_to_end_id ? { end_to_end_id: moved.end_to_end_id } : {}),
    }),
  })
  return moved
}

export async function moveCharge(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  charge: ChargeRow,
  to: ChargeStatus,
  options: { actor?: string; reason?: string; failureCode?: string | null; failureMessage?: string | null; endToEndId?: string | null } = {},
): Promise<ChargeRow> {
  const { from } = transition(CHARGE_MACHINE, charge.status as ChargeStatus, to)
  const now = ctx.clock.now().toISOString()
  await store.updateCharge(
    tx,
    caller.organizationId,
    charge.id,
    { status: to, end_to_end_id: options.endToEndId ?? null, failure_code: options.failureCode ?? null, failure_message: options.failureMessage ?? null },
    now,
  )
  const moved: ChargeRow = {
    ...charge,
    status: to,
    end_to_end_id: options.endToEndId ?? charge.end_to_end_id,
    failure_code: options.failureCode ?? null,
    failure_message: options.failureMessage ?? null,
    updated_at: now,
  }
  await recordChange(tx, ctx, caller, {
    objectType: CHARGE_MACHINE.objectType,
    objectId: charge.id,
    from,
    to,
    amount: charge.amount,
    actor: options.actor,
    reason: options.reason ?? options.failureCode ?? null,
    webhook: {
      type: 'CHARGES',
      code: 'STATUS_UPDATE',
      // Belvo: "external_id is always null for charges and transactions".
      externalId: null,
      data: {
        status: to,
        failure_code: moved.failure_code,
        failure_message: moved.failure_message,
        ...(moved.end_to_end_id ? { end_to_end_id: moved.end_to_end_id } : {}),
      },
    },
  })
  return moved
}

/**
 * PATCH /payments/br/payment-intents/{id}/: while the payer has not authorized
 * (REQUIRES_PAYMENT_METHOD, REQUIRES_ACTION), set the payer's institution or the beneficiary
 * account, and confirm. Knowing the payer's institution moves REQUIRES_PAYMENT_METHOD to
 * REQUIRES_ACTION. Anything later is Belvo's 400.
 */
export async function updatePaymentIntent(ctx: Ctx, caller: PaymentsCaller, id: string, body: Body): Promise<IntentView> {
  return ctx.db.tx(async (tx) => {
    let intent = await intentOr404(tx, caller, id, true)
    if (intent.status !== 'REQUIRES_PAYMENT_METHOD' && intent.status !== 'REQUIRES_ACTION') {
      throw new PonteError('invalid', { field: 'status', variant: 'not_updatable', params: { status: intent.status } })
    }
    const details = { ...(intent.details as Body) }
    const changes: store.PaymentIntentChanges = {}
    const methodDetails = body.payment_method_details
    if (methodDetails !== undefined) {
      const of = objectAt(body, 'payment_method_details', 'payment_method_details')
      const open = objectAt(of, 'open_finance', OF)
      if (open.payer_institution !== undefined) {
        const payer = await activeInstitution(tx, open.payer_institution, `${OF}.payer_institution`)
        changes.payer_institution_id = payer.id
        details.payer_institution = payer.id
      }
      if (open.beneficiary_bank_account !== undefined) {
        if (intent.kind !== 'bank_account')
          throw new PonteError('invalid', { field: `${OF}.beneficiary_bank_account`, params: { detail: 'a Pix key payment has no beneficiary bank account' } })
        const account = await beneficiaryById(tx, caller, open.beneficiary_bank_account)
        changes.beneficiary_bank_account_id = account.id
        details.beneficiary_bank_account = account.id
      }
      changes.details = details
    }
    if (body.confirm !== undefined && typeof body.confirm !== 'boolean')
      throw new PonteError('invalid', { field: 'confirm', params: { detail: 'confirm must be a boolean' } })
    const confirm = body.confirm === true
    const payerId = changes.payer_institution_id ?? intent.payer_institution_id
    if (confirm && !payerId) throw new PonteError('invalid', { field: `${OF}.payer_institution`, variant: 'confirm_without_payer' })
    if (confirm && !intent.confirmed) changes.confirmed = true
    if (Object.keys(changes).length > 0) {
      await store.updatePaymentIntent(tx, caller.organizationId, intent.id, changes, ctx.clock.now().toISOString())
      intent = (await store.findPaymentIntent(tx, caller.organizationId, intent.id))!
      if (changes.confirmed) await recordConfirmation(tx, ctx, caller, intent)
    }
    if (intent.status === 'REQUIRES_PAYMENT_METHOD' && intent.payer_institution_id) {
      intent = await moveIntent(tx, ctx, caller, intent, 'REQUIRES_ACTION', { reason: 'payer institution selected' })
    }
    const [view] = await viewsOf(tx, caller.organizationId, [intent])
    return view
  })
}

/**
 * The sandbox network's answer to the payer's authorization (POST .../authorize/): only a
 * confirmed intent in REQUIRES_ACTION. The amount picks the outcome (network.ts AMOUNT_RULES).
 * Immediate payments settle at once: REQUIRES_ACTION → PROCESSING, a PENDING charge, then
 * SUCCEEDED (charge, transaction into the beneficiary account, intent) or FAILED (charge, then
 * intent). A consent rejected at the bank fails the intent before any charge. A scheduled
 * payment stays PROCESSING with one SCHEDULED charge per date of its schedule (schedules.ts).
 */
export async function authorizePaymentIntent(ctx: Ctx, caller: PaymentsCaller, id: string): Promise<IntentView> {
  return ctx.db.tx(async (tx) => {
    let intent = await intentOr404(tx, caller, id, true)
    if (intent.status !== 'REQUIRES_ACTION' || !intent.confirmed) {
      throw new PonteError('invalid', { field: 'status', variant: 'not_authorizable', params: { status: intent.status, confirmed: String(intent.confirmed) } })
    }
    await requireBiometricEnrollment(tx, caller, intent)
    const actor = 'sandbox'
    const outcome = outcomeFor(parseAmount(formatAmount(intent.amount)))
    if (outcome.stage === 'consent') {
      intent = await moveIntent(tx, ctx, caller, intent, 'FAILED', { actor, failureCode: outcome.failureCode, failureMessage: outcome.failureMessage })
      return (await viewsOf(tx, caller.organizationId, [intent]))[0]
    }
    intent = await moveIntent(tx, ctx, caller, intent, 'PROCESSING', { actor, reason: 'authorized by the payer' })
    const now = ctx.clock.now()
    // A scheduled payment: one SCHEDULED charge per occurrence of its schedule (schedules.ts), oldest first.
    const dates = intent.schedule_date ? occurrenceDates((intent.details as Body).schedule) : []
    if (intent.schedule_date && dates.length === 0) dates.push(intent.schedule_date)
    const chargeStatus: ChargeStatus = dates.length > 0 ? 'SCHEDULED' : 'PENDING'
    const charges: ChargeRow[] = []
    for (const [i, date] of (dates.length > 0 ? dates : [null]).entries()) {
      const created = await store.insertCharge(tx, {
        // One millisecond apart in the id, so that the intent's charges list in date order.
        id: uuidv7(now.getTime() + i),
        organization_id: caller.organizationId,
        payment_intent_id: intent.id,
        customer_id: intent.customer_id,
        status: chargeStatus,
        amount: intent.amount,
        beneficiary_bank_account_id: intent.beneficiary_bank_account_id,
        payer_institution_id: intent.payer_institution_id,
        settlement_date: date,
        created_at: now.toISOString(),
      })
      await recordChange(tx, ctx, caller, {
        objectType: CHARGE_MACHINE.objectType,
        objectId: created.id,
        from: null,
        to: chargeStatus,
        amount: created.amount,
        actor,
      })
      charges.push(created)
    }
    let charge = charges[0]
    if (chargeStatus === 'PENDING') {
      if (outcome.stage === 'charge') {
        charge = await moveCharge(tx, ctx, caller, charge, 'FAILED', { actor, failureCode: outcome.failureCode, failureMessage: outcome.failureMessage })
        intent = await moveIntent(tx, ctx, caller, intent, 'FAILED', { actor, failureCode: outcome.failureCode, failureMessage: outcome.failureMessage })
      } else {
        intent = await settle(tx, ctx, caller, intent, charge, actor)
      }
    }
    return (await viewsOf(tx, caller.organizationId, [intent]))[0]
  })
}

/** A charge that the network settled: its end_to_end_id, the INFLOW transaction and the receiving account's balance, then the intent. */
export async function settle(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, intent: PaymentIntentRow, charge: ChargeRow, actor: string) {
  const e2e = await settleCharge(tx, ctx, caller, intent, charge, actor)
  return moveIntent(tx, ctx, caller, intent, 'SUCCEEDED', { actor, endToEndId: e2e, reason: 'settled' })
}

/** The charge's half of a settlement (the charge SUCCEEDED, its transaction, the balance); answers its end_to_end_id. */
async function settleCharge(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, intent: PaymentIntentRow, charge: ChargeRow, actor: string) {
  const payer = await store.findPaymentInstitution(tx, intent.payer_institution_id!)
  const now = ctx.clock.now()
  const e2e = endToEndId(payer!.code, now)
  await moveCharge(tx, ctx, caller, charge, 'SUCCEEDED', { actor, endToEndId: e2e, reason: 'settled' })
  // A Pix key payment has no beneficiary account here: Belvo shows no transactions for it.
  if (intent.beneficiary_bank_account_id) {
    await recordInflow(tx, ctx, caller, actor, {
      payment_intent_id: intent.id,
      charge_id: charge.id,
      customer_id: intent.customer_id,
      beneficiary_bank_account_id: intent.beneficiary_bank_account_id,
      amount: intent.amount,
      description: intent.statement_description ?? intent.description,
      end_to_end_id: e2e,
    })
  }
  return e2e
}

/**
 * A scheduled intent's outcome once none of its charges is still SCHEDULED (or PENDING): FAILED
 * with the first refused charge's failure when one was refused; SUCCEEDED (the last settled
 * charge's end_to_end_id) when the others settled, canceled occurrences aside; FAILED
 * `payment_canceled` when every one was canceled. Until then the intent stays PROCESSING.
 */
async function resolveScheduledIntent(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, intent: PaymentIntentRow, actor?: string) {
  const charges = await store.chargesOfIntents(tx, caller.organizationId, [intent.id])
  if (intent.status !== 'PROCESSING' || charges.some((c) => c.status === 'SCHEDULED' || c.status === 'PENDING')) return intent
  const failed = charges.find((c) => c.status === 'FAILED')
  if (failed) return moveIntent(tx, ctx, caller, intent, 'FAILED', { actor, failureCode: failed.failure_code, failureMessage: failed.failure_message })
  const settled = charges.filter((c) => c.status === 'SUCCEEDED')
  if (settled.length > 0) {
    return moveIntent(tx, ctx, caller, intent, 'SUCCEEDED', { actor, endToEndId: settled[settled.length - 1].end_to_end_id, reason: 'settled' })
  }
  return moveIntent(tx, ctx, caller, intent, 'FAILED', {
    actor,
    failureCode: 'payment_canceled',
    failureMessage: 'The scheduled payment was canceled before its date.',
  })
}

/**
 * Money that arrived: the INFLOW transaction of a settled charge (an intent's, or a payment
 * authorization's with `payment_authorization_id`), the receiving account's balance, and the
 * transaction's ledger row and webhook, in the settlement's transaction `tx`.
 */
export async function recordInflow(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  actor: string,
  t: Omit<store.NewPaymentTransaction, 'id' | 'organization_id' | 'transaction_type' | 'created_by' | 'created_at'>,
): Promise<PaymentTransactionRow> {
  const now = ctx.clock.now()
  const transaction = await store.insertPaymentTransaction(tx, {
    ...t,
    id: uuidv7(now.getTime()),
    organization_id: caller.organizationId,
    transaction_type: 'INFLOW',
    created_by: caller.organizationId,
    created_at: now.toISOString(),
  })
  await store.creditBankAccount(tx, caller.organizationId, t.beneficiary_bank_account_id, t.amount, now.toISOString())
  await recordChange(tx, ctx, caller, {
    objectType: 'transaction',
    objectId: transaction.id,
    from: null,
    to: CREATED_ONLY.transaction,
    amount: transaction.amount,
    actor,
    webhook: { type: 'TRANSACTIONS', code: 'OBJECT_CREATED', externalId: null, data: paymentTransactionWire(transaction) },
  })
  return transaction
}

/**
 * The sandbox network settles scheduled payments on their date (the sandbox clock's UTC day):
 * each due SCHEDULED charge, in a transaction of its own that holds its intent's row lock, is
 * settled (transaction, balance, SUCCEEDED) or refused by the amount rules (FAILED), and the
 * intent resolves once none of its charges is left (resolveScheduledIntent). Several
 * workers may run this at once: the lock and the re-read status make each charge settle once.
 * Returns how many charges it moved.
 */
export async function settleDueCharges(ctx: Ctx, now: Date, organizationId?: string): Promise<number> {
  const due = await store.dueScheduledCharges(ctx.db, now.toISOString().slice(0, 10), SETTLEMENTS_PER_PASS, organizationId)
  return settleEachDue(ctx, due, async (tx, caller, { id, payment_intent_id: intentId }) => {
    const intent = await store.findPaymentIntent(tx, caller.organizationId, intentId, true)
    const charge = await store.findCharge(tx, caller.organizationId, id)
    if (!intent || !charge || charge.status !== 'SCHEDULED') return false
    const outcome = outcomeFor(parseAmount(formatAmount(charge.amount)))
    if (outcome.stage === 'settled') {
      await settleCharge(tx, ctx, caller, intent, charge, 'sandbox')
    } else {
      await moveCharge(tx, ctx, caller, charge, 'FAILED', { actor: 'sandbox', failureCode: outcome.failureCode, failureMessage: outcome.failureMessage })
    }
    await resolveScheduledIntent(tx, ctx, caller, intent, 'sandbox')
    return true
  })
}

/**
 * Cancels SCHEDULED charges before their date (Belvo: only a scheduled payment can be canceled;
 * 400 `cancellation_error` otherwise). With `chargeId`, that charge only; the intent fails
 * (`payment_canceled`: Belvo's intents have no CANCELED status) once none of its charges is
 * still scheduled.
 */
export async function cancelPaymentIntent(ctx: Ctx, caller: PaymentsCaller, id: string, chargeId?: string): Promise<void> {
  await ctx.db.tx(async (tx) => {
    const intent = await intentOr404(tx, caller, id, true)
    const charges = await store.chargesOfIntents(tx, caller.organizationId, [intent.id])
    if (chargeId !== undefined && !charges.some((c) => c.id === chargeId.toLowerCase())) throw new PonteError('not_found')
    const targets = charges.filter((c) => c.status === 'SCHEDULED' && (chargeId === undefined || c.id === chargeId.toLowerCase()))
    if (targets.length === 0) throw new PonteError('cancellation_error', { ...(chargeId ? { variant: 'charge' } : {}) })
    for (const charge of targets) await moveCharge(tx, ctx, caller, charge, 'CANCELED', { reason: 'canceled by the organization' })
    await resolveScheduledIntent(tx, ctx, caller, intent)
  })
}

// ---------------------------------------------------------------------------------------------
// Charges and transactions

export interface ChargeView {
  charge: ChargeRow
  intent: PaymentIntentRow
  transactions: PaymentTransactionRow[]
}

async function chargeViews(db: Queryable, organizationId: string, charges: ChargeRow[]): Promise<ChargeView[]> {
  const intents = await store.findPaymentIntents(db, organizationId, [...new Set(charges.map((c) => c.payment_intent_id))])
  const transactions = await store.transactionsOfCharges(
    db,
    organizationId,
    charges.map((c) => c.id),
  )
  return charges.map((charge) => ({
    charge,
    intent: intents.find((i) => i.id === charge.payment_intent_id)!,
    transactions: transactions.filter((t) => t.charge_id === charge.id),
  }))
}

export async function listCharges(db: Queryable, caller: PaymentsCaller, { conditions, page }: ListRequest, intentId?: string) {
  if (intentId !== undefined) await intentOr404(db, caller, intentId)
  const { count, rows } = await store.listCharges(db, caller.organizationId, conditions, page, intentId?.toLowerCase())
  return { count, views: await chargeViews(db, caller.organizationId, rows) }
}

export async function getCharge(db: Queryable, caller: PaymentsCaller, id: string, intentId?: string): Promise<ChargeView> {
  if (intentId !== undefined && !isUuid(intentId)) throw new PonteError('not_found')
  const charge = await byIdOr404(id, (uuid) => store.findCharge(db, caller.organizationId, uuid, intentId?.toLowerCase()))
  return (await chargeViews(db, caller.organizationId, [charge]))[0]
}

export function listPaymentTransactions(db: Queryable, caller: PaymentsCaller, { conditions, page }: ListRequest) {
  return store.listPaymentTransactions(db, caller.organizationId, conditions, page)
}

export async function getPaymentTransaction(db: Queryable, caller: PaymentsCaller, id: string): Promise<PaymentTransactionRow> {
  return byIdOr404(id, (uuid) => store.findPaymentTransaction(db, caller.organizationId, uuid))
}

/** The organization's ledger (tests and audits read it), oldest change first. */
export function paymentsLedger(db: Queryable, caller: Pick<PaymentsCaller, 'organizationId'>, objectId?: string) {
  return store.readLedger(db, caller.organizationId, objectId)
}

/** `confirm: true` is a flag, not a status (docs/payments.md): its ledger row goes from the intent's status to the same. */
export function recordConfirmation(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, intent: Pick<PaymentIntentRow, 'id' | 'status' | 'amount'>) {
  return recordChange(tx, ctx, caller, {
    objectType: PAYMENT_INTENT_MACHINE.objectType,
    objectId: intent.id,
    from: intent.status,
    to: intent.status,
    amount: intent.amount,
    reason: 'confirmed',
  })
}
