import { createHash, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../lib/clock.ts'
import { PageProblemError, PonteError } from '../../lib/errors.ts'
import { hex32, uuidv7 } from '../../lib/ids.ts'
import type { Db, Queryable } from '../../store/db.ts'
import * as bank from '../../store/biometric.ts'
import { organizationName } from '../../store/keys.ts'
import * as store from '../../store/payments.ts'
import type { EnrollmentRow, PaymentIntentRow } from '../../store/payments.ts'
import { recordChange, type PaymentsCaller } from './audit.ts'
import { maskDocument } from './documents.ts'
import { PAYMENT_INTENT_MACHINE } from './machines.ts'
import { parseAmount } from './money.ts'
import { activeInstitution, objectAt, optionalUuid, parseMetadata, requiredString } from './objects.ts'

/**
 * Biometric Pix (issue 16): payment intents paid with an enrollment (a device the customer
 * registered at their institution), and the sandbox institution's page where the person approves
 * or refuses that enrollment. Belvo's FIDO assertion is simulated by the widget's confirmation
 * page; the sandbox authorize call stands for it in API-only tests.
 */

type Body = Record<string, unknown>
export const BIOMETRIC_PIX = 'open_finance_biometric_pix'
const BIO = `payment_method_details.${BIOMETRIC_PIX}`

/** A payment intent body of the biometric variant: `payment_method_details.open_finance_biometric_pix`. */
export function isBiometricBody(body: Body): boolean {
  const details = body.payment_method_details
  return typeof details === 'object' && details !== null && !Array.isArray(details) && BIOMETRIC_PIX in details
}

/** The enrollment a biometric payment is made with: the same customer's, and not failed or canceled. */
export async function usableEnrollment(db: Queryable, caller: PaymentsCaller, value: unknown, customerId: string, field: string): Promise<EnrollmentRow> {
  if (value === undefined) throw new PonteError('required', { field })
  const id = optionalUuid(value, field)
  const enrollment = id ? await store.findEnrollment(db, caller.organizationId, { id }) : undefined
  if (!enrollment) throw new PonteError('does_not_exist', { field, variant: 'id', params: { value: String(value) } })
  if (enrollment.customer_id !== customerId) throw new PonteError('invalid', { field, variant: 'enrollment_customer' })
  if (enrollment.status === 'FAILED' || enrollment.status === 'CANCELED') {
    throw new PonteError('invalid', { field, variant: 'enrollment_unusable', params: { status: enrollment.status } })
  }
  return enrollment
}

/**
 * The payment fields of a biometric body (Belvo's PaymentIntentBiometricWidget): amount,
 * description, statement_description, the single allowed method, the beneficiary account,
 * metadata and external_id. `prefix` names the body's place in a larger one (`widget.payment_intent.`).
 * Shared by the payment intent and by the payments widget token, which checks it when issued.
 */
export async function parseBiometricPayment(db: Queryable, caller: Pick<PaymentsCaller, 'organizationId'>, body: Body, prefix = '') {
  if (body.amount === undefined) throw new PonteError('required', { field: `${prefix}amount` })
  const amount = parseAmount(body.amount, `${prefix}amount`)
  const description = requiredString(body, 'description', `${prefix}description`)
  if (description.length > 255) throw new PonteError('max_length', { field: `${prefix}description`, params: { limit: 255 } })
  const statement = body.statement_description
  if (statement !== undefined && statement !== null && (typeof statement !== 'string' || statement.length > 50)) {
    throw new PonteError('max_length', { field: `${prefix}statement_description`, params: { limit: 50 } })
  }
  const allowed = body.allowed_payment_method_types
  if (allowed === undefined) throw new PonteError('required', { field: `${prefix}allowed_payment_method_types` })
  if (!Array.isArray(allowed) || allowed.length !== 1 || allowed[0] !== BIOMETRIC_PIX) {
    throw new PonteError('invalid', { field: `${prefix}allowed_payment_method_types`, variant: 'biometric_method_type' })
  }
  if (body.confirm !== undefined && typeof body.confirm !== 'boolean') {
    throw new PonteError('invalid', { field: `${prefix}confirm`, params: { detail: 'confirm must be a boolean' } })
  }
  const details = objectAt(objectAt(body, 'payment_method_details', `${prefix}payment_method_details`), BIOMETRIC_PIX, `${prefix}${BIO}`)
  const accountField = `${prefix}${BIO}.beneficiary_bank_account`
  if (details.beneficiary_bank_account === undefined) throw new PonteError('required', { field: accountField })
  const accountId = optionalUuid(details.beneficiary_bank_account, accountField)
  const account = accountId ? await store.findBankAccount(db, caller.organizationId, accountId) : undefined
  if (!account) throw new PonteError('does_not_exist', { field: accountField, variant: 'id', params: { value: String(details.beneficiary_bank_account) } })
  return {
    amount,
    description,
    statement: typeof statement === 'string' ? statement : null,
    confirm: body.confirm !== false,
    account,
    enrollment: details.enrollment,
    metadata: parseMetadata(body.metadata, `${prefix}metadata`),
    externalId: optionalUuid(body.external_id, `${prefix}external_id`),
  }
}

/**
 * POST /payments/br/payment-intents/ with `payment_method_details.open_finance_biometric_pix`
 * (`beneficiary_bank_account`, `enrollment`) and `allowed_payment_method_types:
 * ["open_finance_biometric_pix"]` (Belvo's PaymentIntentBiometricWidget, plus `customer`). The
 * payer's institution is the enrollment's. Created in REQUIRES_ACTION and confirmed (`confirm`
 * defaults to true: the payer's biometric confirmation is the authorization itself).
 */
export async function createBiometricIntentIn(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, body: Body) {
  const payment = await parseBiometricPayment(tx, caller, body)
  if (body.customer === undefined) throw new PonteError('required', { field: 'customer' })
  const customerId = optionalUuid(body.customer, 'customer')
  const customer = customerId ? await store.findCustomer(tx, caller.organizationId, customerId) : undefined
  if (!customer) throw new PonteError('does_not_exist', { field: 'customer', variant: 'id', params: { value: String(body.customer) } })
  const { account, statement, metadata, amount, description } = payment
  const enrollment = await usableEnrollment(tx, caller, payment.enrollment, customer.id, `${BIO}.enrollment`)
  const payer = await activeInstitution(tx, enrollment.institution_id, `${BIO}.enrollment`)
  const now = ctx.clock.now()
  const intent = await store.insertPaymentIntent(tx, {
    id: uuidv7(now.getTime()),
    organization_id: caller.organizationId,
    customer_id: customer.id,
    kind: 'bank_account',
    status: 'REQUIRES_ACTION',
    confirmed: payment.confirm,
    amount: amount.toFixed(2),
    description,
    statement_description: statement,
    allowed_payment_method_types: [BIOMETRIC_PIX],
    selected_payment_method_type: BIOMETRIC_PIX,
    beneficiary_bank_account_id: account.id,
    payer_institution_id: payer.id,
    pix_key: null,
    pix_key_type: null,
    // Read back as payment_method_details (wire.ts): open_finance's required keys, and the enrollment.
    details: {
      payer_institution: payer.id,
      beneficiary_bank_account: account.id,
      callback_url: enrollment.callback_url ?? '',
      cpf: null,
      enrollment: enrollment.id,
    },
    schedule_date: null,
    external_id: payment.externalId,
    metadata,
    created_by: caller.organizationId,
    created_at: now.toISOString(),
  })
  await bank.setIntentEnrollment(tx, caller.organizationId, intent.id, enrollment.id)
  await recordChange(tx, ctx, caller, {
    objectType: PAYMENT_INTENT_MACHINE.objectType,
    objectId: intent.id,
    from: null,
    to: intent.status,
    amount: intent.amount,
    reason: intent.confirmed ? 'created confirmed' : 'created',
  })
  return { intent, charges: [], transactions: [] }
}

/**
 * Authorizing a biometric payment needs its enrollment SUCCEEDED, of the intent's customer (the
 * device the payer confirms on). Any other intent passes. Called with the intent's row lock held.
 */
export async function requireBiometricEnrollment(tx: Queryable, caller: PaymentsCaller, intent: PaymentIntentRow): Promise<void> {
  if (intent.selected_payment_method_type !== BIOMETRIC_PIX) return
  const id = (intent.details as Body).enrollment
  const enrollment = typeof id === 'string' ? await store.findEnrollment(tx, caller.organizationId, { id }) : undefined
  if (!enrollment || enrollment.status !== 'SUCCEEDED' || enrollment.customer_id !== intent.customer_id) {
    throw new PonteError('invalid', { field: 'enrollment', variant: 'enrollment_not_succeeded', params: { status: enrollment?.status ?? 'none' } })
  }
}

// ---------------------------------------------------------------------------------------------
// The sandbox institution's enrollment page

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/**
 * complete-redirection's check of what the bank page answered: once the person answered there,
 * only the code the page sent back completes the enrollment, and a refused enrollment completes
 * with its error only. An enrollment nobody answered at the page (API-only sandbox use) accepts
 * any code, as before the page existed.
 */
export async function checkBankAnswer(tx: Queryable, organizationId: string, enrollmentId: string, code: string | null, error: string | null) {
  const answer = await bank.bankDecisionOf(tx, organizationId, enrollmentId)
  if (!answer?.bank_decision || error !== null) return
  if (answer.bank_decision === 'refused') throw new PonteError('invalid', { field: 'code', variant: 'enrollment_refused' })
  const expected = Buffer.from(answer.bank_code_sha256 ?? '', 'hex')
  const given = Buffer.from(sha256(code ?? ''), 'hex')
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new PonteError('invalid', { field: 'code', variant: 'enrollment_code' })
}

export type EnrollmentPageProblem = 'not_found' | 'decided' | 'expired' | 'redirect'

/** A problem that ends the flow on the bank's side, shown on the page with its status. */
export class EnrollmentPageError extends PageProblemError<EnrollmentPageProblem> {}

export interface EnrollmentPageView {
  enrollment: bank.BankEnrollmentRow
  institutionName: string
  requesterName: string
  customerName: string
  customerDocument: string
}

function checkOpen(enrollment: bank.BankEnrollmentRow | undefined, now: Date): bank.BankEnrollmentRow {
  if (!enrollment) throw new EnrollmentPageError('not_found')
  if (enrollment.status !== 'PENDING' || enrollment.bank_decision !== null) throw new EnrollmentPageError('decided')
  if (now.getTime() > Date.parse(enrollment.expires_at)) throw new EnrollmentPageError('expired')
  if (!enrollment.callback_url) throw new EnrollmentPageError('redirect')
  return enrollment
}

/** GET of the bank page: what the person is asked to approve. */
export async function openEnrollmentAtBank(ctx: { db: Db; clock: Clock }, state: string): Promise<EnrollmentPageView> {
  const enrollment = checkOpen(/^[0-9a-f]{32}$/.test(state) ? await bank.findEnrollmentByState(ctx.db, state) : undefined, ctx.clock.now())
  const institution = await store.findPaymentInstitution(ctx.db, enrollment.institution_id)
  const customer = await store.findCustomer(ctx.db, enrollment.organization_id, enrollment.customer_id)
  return {
    enrollment,
    institutionName: institution?.display_name ?? '',
    // As the consent page: the widget token's company, else the organization.
    requesterName: (await bank.enrollmentRequester(ctx.db, enrollment.id)) ?? (await organizationName(ctx.db, enrollment.organization_id)) ?? 'Ponte',
    customerName: customer?.name ?? '',
    customerDocument: maskDocument(customer?.identifier ?? ''),
  }
}

/** Appends query parameters to a callback URL that may carry a query of its own. */
function withQuery(base: string, values: Record<string, string>): string {
  const url = new URL(base)
  for (const [key, value] of Object.entries(values)) url.searchParams.set(key, value)
  return url.href
}

/**
 * POST of the bank page: records the person's answer once (row lock, conditional UPDATE) and
 * returns where their browser goes: the enrollment's callback_url with `state` and `code` +
 * `id_token`, or `error` + `error_description`, as an authorization server's redirection does.
 * The enrollment's status changes only when the integrator completes the redirection.
 */
export async function decideEnrollmentAtBank(ctx: { db: Db; clock: Clock }, state: string, approve: boolean): Promise<string> {
  if (!/^[0-9a-f]{32}$/.test(state)) throw new EnrollmentPageError('not_found')
  return ctx.db.tx(async (tx) => {
    const now = ctx.clock.now()
    const enrollment = checkOpen(await bank.findEnrollmentByState(tx, state, true), now)
    const code = approve ? hex32() : null
    if (!(await bank.recordBankDecision(tx, enrollment.id, approve ? 'approved' : 'refused', code ? sha256(code) : null, now.toISOString()))) {
      throw new EnrollmentPageError('decided')
    }
    return withQuery(
      enrollment.callback_url!,
      code
        ? { state, code, id_token: `sandbox.${hex32()}` }
        : { state, error: 'access_denied', error_description: 'The account holder refused the device enrollment at their institution.' },
    )
  })
}
