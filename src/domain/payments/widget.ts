import { PonteError } from '../../lib/errors.ts'
import * as bank from '../../store/biometric.ts'
import { listActivePaymentInstitutions } from '../../store/biometric.ts'
import * as store from '../../store/payments.ts'
import type { EnrollmentRow, PaymentIntentRow } from '../../store/payments.ts'
import type { DomainContext } from '../context.ts'
import type { Principal } from '../keys.ts'
import { requireScope, type WidgetCaller } from '../widget-session.ts'
import { issue, type IssueOptions, type WidgetTokens } from '../widget-tokens.ts'
import type { PaymentsCaller } from './audit.ts'
import { BIOMETRIC_PIX, createBiometricIntentIn, parseBiometricPayment, usableEnrollment } from './biometric.ts'
import { maskDocument, parseDocument } from './documents.ts'
import { completeEnrollmentRedirection, createEnrollmentIn, enrollmentBankUrl } from './enrollments.ts'
import { authorizePaymentIntent } from './intents.ts'
import { formatAmount } from './money.ts'
import { activeInstitution, createCustomerIn, objectAt, optionalUuid, parseMetadata, requiredString } from './objects.ts'

/**
 * The payments side of the connect widget (issue 16): POST /payments/br/token/ (Belvo's
 * BiometricPaymentWidgetRequest) and what the widget does with that token under
 * /widget/api/payments/: ENROLLMENT (pick the institution, create the enrollment, approve it at
 * the institution's page, complete the redirection) then PAYMENT_INTENT (create the biometric
 * payment intent, confirm it with the simulated biometrics: the sandbox network's authorization).
 * A token acts only on the enrollment and the payment intent it created (recorded on its row).
 */

type Body = Record<string, unknown>
export const USE_CASES = ['ENROLLMENT', 'PAYMENT_INTENT'] as const
export type UseCase = (typeof USE_CASES)[number]

/** Scopes of a payments token: the widget's payments calls check them (requireScope). */
export const PAYMENT_SCOPES = { institutions: 'read_payment_institutions', ENROLLMENT: 'write_enrollments', PAYMENT_INTENT: 'write_payment_intents' } as const

/** Belvo's top_tier_institutions names (1.223.0), plus the sandbox's own institutions' names. */
const BELVO_TOP_TIER = [
  'nubank_retail',
  'inter_retail',
  'picpay_retail',
  'mercadopago_retail',
  'itau_retail',
  'santander_retail',
  'c6_retail',
  'bradesco_retail',
  'banco_do_brasil_retail',
  'sicredi_retail',
  'btg_retail',
  'caixa_retail',
  'pan_retail',
  'pagseguro_retail',
]

function parseUseCases(value: unknown): UseCase[] {
  if (value === undefined) throw new PonteError('required', { field: 'use_cases' })
  if (!Array.isArray(value) || value.length < 1 || value.length > 2) {
    throw new PonteError('invalid', { field: 'use_cases', params: { detail: 'use_cases must be a list of one or two use cases' } })
  }
  for (const item of value) {
    if (!(USE_CASES as readonly unknown[]).includes(item)) throw new PonteError('invalid_choice', { field: 'use_cases', params: { value: String(item) } })
  }
  if (new Set(value).size !== value.length) throw new PonteError('invalid', { field: 'use_cases', params: { detail: 'use_cases must not repeat a use case' } })
  return value as UseCase[]
}

function optionalText(body: Body, key: string, field: string, limits: { min?: number; max: number }): string | null {
  const value = body[key]
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw new PonteError('invalid', { field, params: { detail: `${field} must be a string` } })
  if (value.length > limits.max) throw new PonteError('max_length', { field, params: { limit: limits.max } })
  if (limits.min !== undefined && value.length < limits.min) throw new PonteError('min_length', { field, params: { limit: limits.min } })
  return value
}

async function topTier(ctx: DomainContext, value: unknown): Promise<string[] | null> {
  const field = 'widget.top_tier_institutions'
  if (value === undefined || value === null) return null
  if (!Array.isArray(value) || value.length < 1 || value.length > 5 || new Set(value).size !== value.length) {
    throw new PonteError('invalid', { field, params: { detail: 'top_tier_institutions must list 1 to 5 different institutions' } })
  }
  const known = new Set([...BELVO_TOP_TIER, ...(await listActivePaymentInstitutions(ctx.db)).map((i) => i.name)])
  const unknown = value.find((name) => typeof name !== 'string' || !known.has(name))
  if (unknown !== undefined) throw new PonteError('invalid_choice', { field, params: { value: String(unknown) } })
  return value as string[]
}

/** widget.enrollment.details.customer: an existing customer's id, or a person ({identifier: CPF, name}) created when the widget enrolls. */
async function enrollmentCustomer(ctx: DomainContext, caller: Pick<PaymentsCaller, 'organizationId'>, value: unknown, field: string) {
  if (value === undefined) throw new PonteError('required', { field })
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const person = value as Body
    parseDocument(requiredString(person, 'identifier', `${field}.identifier`), `${field}.identifier`, 'CPF')
    optionalText(person, 'name', `${field}.name`, { min: 5, max: 200 })
    optionalUuid(person.external_id, `${field}.external_id`)
    return
  }
  const id = optionalUuid(value, field)
  if (!id || !(await store.findCustomer(ctx.db, caller.organizationId, id))) {
    throw new PonteError('does_not_exist', { field, variant: 'id', params: { value: String(value) } })
  }
}

/**
 * POST /payments/br/token/: checks the whole request as Belvo would answer it (a 400 naming the
 * field) and issues a widget token pair (WidgetToken) through the connect widget's machinery,
 * with the payments scopes of its use cases. The configuration is stored with the token.
 */
export async function issuePaymentsWidgetToken(ctx: DomainContext, actor: Principal, body: Body, options: IssueOptions): Promise<WidgetTokens> {
  const useCases = parseUseCases(body.use_cases)
  const widget = objectAt(body, 'widget', 'widget')
  const callbacks = objectAt(widget, 'callback_urls', 'widget.callback_urls')
  for (const key of ['success', 'exit']) requiredString(callbacks, key, `widget.callback_urls.${key}`)
  if (callbacks.error !== undefined) requiredString(callbacks, 'error', 'widget.callback_urls.error')
  const branding = objectAt(widget, 'branding', 'widget.branding')
  requiredString(branding, 'company_name', 'widget.branding.company_name')
  if (branding.color_scheme !== undefined && branding.color_scheme !== 'LIGHT' && branding.color_scheme !== 'DARK') {
    throw new PonteError('invalid_choice', { field: 'widget.branding.color_scheme', params: { value: String(branding.color_scheme) } })
  }
  if (widget.theme !== undefined) {
    if (!Array.isArray(widget.theme)) throw new PonteError('invalid', { field: 'widget.theme', params: { detail: 'theme must be a list' } })
    widget.theme.forEach((entry: unknown, i: number) => {
      const item = typeof entry === 'object' && entry !== null ? (entry as Body) : {}
      requiredString(item, 'css_key', `widget.theme.${i}.css_key`)
      requiredString(item, 'value', `widget.theme.${i}.value`)
    })
  }
  await topTier(ctx, widget.top_tier_institutions)
  if (useCases.includes('ENROLLMENT')) {
    const enrollment = objectAt(widget, 'enrollment', 'widget.enrollment')
    if (requiredString(enrollment, 'type', 'widget.enrollment.type') !== BIOMETRIC_PIX) {
      throw new PonteError('invalid_choice', { field: 'widget.enrollment.type', params: { value: String(enrollment.type) } })
    }
    const details = objectAt(enrollment, 'details', 'widget.enrollment.details')
    await enrollmentCustomer(ctx, actor, details.customer, 'widget.enrollment.details.customer')
    if (details.institution !== undefined) await activeInstitution(ctx.db, details.institution, 'widget.enrollment.details.institution')
    optionalText(details, 'name', 'widget.enrollment.details.name', { max: 140 })
    objectAt(enrollment, 'metadata', 'widget.enrollment.metadata')
    parseMetadata(enrollment.metadata, 'widget.enrollment.metadata')
    optionalUuid(enrollment.external_id, 'widget.enrollment.external_id')
  }
  if (useCases.includes('PAYMENT_INTENT')) {
    const prefix = 'widget.payment_intent.'
    const intent = objectAt(widget, 'payment_intent', 'widget.payment_intent')
    const payment = await parseBiometricPayment(ctx.db, actor, intent, prefix)
    objectAt(intent, 'metadata', `${prefix}metadata`)
    const field = `${prefix}payment_method_details.${BIOMETRIC_PIX}.enrollment`
    // Without the ENROLLMENT use case the payment is made with an enrollment the customer already has.
    if (!useCases.includes('ENROLLMENT') && payment.enrollment === undefined) throw new PonteError('required', { field })
    if (payment.enrollment !== undefined) {
      const id = optionalUuid(payment.enrollment, field)
      const enrollment = id ? await store.findEnrollment(ctx.db, actor.organizationId, { id }) : undefined
      if (!enrollment) throw new PonteError('does_not_exist', { field, variant: 'id', params: { value: String(payment.enrollment) } })
      await usableEnrollment(ctx.db, { ...actor, requestId: '' }, enrollment.id, enrollment.customer_id, field)
    }
  }
  const scopes = [PAYMENT_SCOPES.institutions, ...useCases.map((useCase) => PAYMENT_SCOPES[useCase])]
  return issue(ctx, actor, { scopes, widget: { ...widget, use_cases: useCases } }, options)
}

// ---------------------------------------------------------------------------------------------
// The widget's calls (/widget/api/payments/)

function callerOf(caller: WidgetCaller, requestId: string): PaymentsCaller {
  return { organizationId: caller.principal.organizationId, keyId: caller.principal.keyId, requestId }
}

function configOf(caller: WidgetCaller): Body {
  if (!caller.session.scopes.includes(PAYMENT_SCOPES.institutions))
    throw new PonteError('access_to_resource_denied', { variant: 'widget_scope', params: { scope: PAYMENT_SCOPES.institutions } })
  return caller.session.widget ?? {}
}

const sub = (body: Body, key: string): Body => {
  const value = body[key]
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : {}
}

async function tokenObjects(ctx: DomainContext, caller: WidgetCaller) {
  const row = await bank.tokenPayments(ctx.db, caller.session.organization_id, caller.session.jti)
  const org = caller.session.organization_id
  const enrollment = row?.payment_enrollment_id ? await store.findEnrollment(ctx.db, org, { id: row.payment_enrollment_id }) : undefined
  const intent = row?.payment_intent_id ? await store.findPaymentIntent(ctx.db, org, row.payment_intent_id) : undefined
  return { enrollment, intent }
}

const enrollmentView = (e: EnrollmentRow, origin: string) => ({
  id: e.id,
  status: e.status,
  institution: e.institution_id,
  status_reason_code: e.status_reason_code,
  status_reason_message: e.status_reason_message,
  redirect_url: e.status === 'PENDING' ? enrollmentBankUrl(origin, e.state) : null,
})

const intentView = (i: PaymentIntentRow) => ({
  id: i.id,
  status: i.status,
  amount: formatAmount(i.amount),
  failure_code: i.failure_code,
  failure_message: i.failure_message,
  end_to_end_id: i.end_to_end_id,
})

/** GET /widget/api/payments/session: the use cases, what to pay (amount, beneficiary) and how far the token got. */
export async function paymentsWidgetSession(ctx: DomainContext, caller: WidgetCaller, origin: string) {
  const widget = configOf(caller)
  const org = caller.session.organization_id
  const { enrollment, intent } = await tokenObjects(ctx, caller)
  const payment = sub(widget, 'payment_intent')
  const accountId = sub(sub(payment, 'payment_method_details'), BIOMETRIC_PIX).beneficiary_bank_account
  const account = typeof accountId === 'string' ? await store.findBankAccount(ctx.db, org, accountId) : undefined
  const accountInstitution = account ? await store.findPaymentInstitution(ctx.db, account.institution_id) : undefined
  const branding = sub(widget, 'branding')
  return {
    use_cases: (widget.use_cases as string[]) ?? [],
    expires_at: caller.session.expires_at,
    branding: { company_name: String(branding.company_name ?? ''), color_scheme: branding.color_scheme === 'DARK' ? 'DARK' : 'LIGHT' },
    theme: Array.isArray(widget.theme) ? widget.theme : [],
    callback_urls: sub(widget, 'callback_urls'),
    top_tier_institutions: Array.isArray(widget.top_tier_institutions) ? widget.top_tier_institutions : [],
    enrollment_institution: (sub(sub(widget, 'enrollment'), 'details').institution as string | undefined) ?? null,
    enrollment: enrollment ? enrollmentView(enrollment, origin) : null,
    payment:
      Object.keys(payment).length === 0
        ? null
        : {
            amount: formatAmount(String(payment.amount)),
            currency: 'BRL',
            description: String(payment.description ?? ''),
            statement_description: typeof payment.statement_description === 'string' ? payment.statement_description : null,
            beneficiary: account
              ? {
                  name: account.holder_name,
                  document: maskDocument(account.holder_identifier),
                  institution: accountInstitution?.display_name ?? null,
                  agency: account.agency,
                  number: `****${account.number.slice(-4)}`,
                }
              : null,
          },
    payment_intent: intent ? intentView(intent) : null,
  }
}

/** GET /widget/api/payments/institutions: the active individual institutions, the token's top tier first, in its order. */
export async function paymentsWidgetInstitutions(ctx: DomainContext, caller: WidgetCaller) {
  const widget = configOf(caller)
  const top = Array.isArray(widget.top_tier_institutions) ? (widget.top_tier_institutions as string[]) : []
  const rank = (name: string) => (top.includes(name) ? top.indexOf(name) : top.length)
  const all = (await listActivePaymentInstitutions(ctx.db)).filter((i) => i.institution_type === 'INDIVIDUAL')
  return all
    .map((i, order) => ({ ...i, order }))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.order - b.order)
    .map(({ id, name, display_name, primary_color }) => ({ id, name, display_name, primary_color, top_tier: top.includes(name) }))
}

/**
 * POST /widget/api/payments/enrollments: the token's enrollment at the chosen institution (the
 * token's own when it names one), for the token's customer (created from widget.enrollment when
 * it is a person). One at a time per token: a PENDING or SUCCEEDED one is answered again; a
 * FAILED or CANCELED one may be replaced. `callbackUrl` must be this server's widget page.
 */
export async function startWidgetEnrollment(
  ctx: DomainContext,
  caller: WidgetCaller,
  requestId: string,
  input: { institution?: unknown; callback_url?: unknown },
  origin: string,
) {
  const widget = configOf(caller)
  requireScope(caller.session, PAYMENT_SCOPES.ENROLLMENT)
  const callback = typeof input.callback_url === 'string' ? input.callback_url : ''
  // The widget's own page, and without the access token: the bank and the enrollment never see it.
  if (!callback.startsWith(`${origin}/widget/`) || new URL(callback).searchParams.has('access_token')) {
    throw new PonteError('invalid', { field: 'callback_url', variant: 'url' })
  }
  const config = sub(widget, 'enrollment')
  const details = sub(config, 'details')
  const institution = details.institution ?? input.institution
  if (institution === undefined) throw new PonteError('required', { field: 'institution' })
  const payments = callerOf(caller, requestId)
  const org = caller.session.organization_id
  const enrollment = await ctx.db.tx(async (tx) => {
    await bank.lockToken(tx, org, caller.session.jti)
    const row = await bank.tokenPayments(tx, org, caller.session.jti)
    const current = row?.payment_enrollment_id ? await store.findEnrollment(tx, org, { id: row.payment_enrollment_id }) : undefined
    if (current && (current.status === 'SUCCEEDED' || current.status === 'PENDING')) return current
    const customer =
      typeof details.customer === 'string'
        ? details.customer
        : (await createCustomerIn(tx, ctx, payments, sub(details, 'customer'), 'V1', { prefix: 'widget.enrollment.details.customer.', reuse: true })).id
    const created = await createEnrollmentIn(tx, ctx, payments, {
      type: BIOMETRIC_PIX,
      external_id: config.external_id,
      metadata: config.metadata,
      details: { customer, institution, platform: 'BROWSER', name: details.name, callback_url: callback, risk_signals: {} },
    })
    await bank.setTokenEnrollment(tx, org, caller.session.jti, created.id, current ? [current.id] : [])
    return created
  })
  return enrollmentView(enrollment, origin)
}

/** POST /widget/api/payments/enrollments/complete: the bank page's answer, for the token's own enrollment only. */
export async function completeWidgetEnrollment(ctx: DomainContext, caller: WidgetCaller, requestId: string, body: Body, origin: string) {
  configOf(caller)
  requireScope(caller.session, PAYMENT_SCOPES.ENROLLMENT)
  const { enrollment } = await tokenObjects(ctx, caller)
  if (!enrollment || enrollment.state !== body.state)
    throw new PonteError('does_not_exist', { field: 'state', params: { key: 'state', value: String(body.state) } })
  return enrollmentView(await completeEnrollmentRedirection(ctx, callerOf(caller, requestId), body), origin)
}

/**
 * POST /widget/api/payments/intents: the token's biometric payment intent (widget.payment_intent),
 * paid with the token's enrollment or the one the token names, for that enrollment's customer.
 * Created once per token: asked again, the same intent.
 */
export async function createWidgetIntent(ctx: DomainContext, caller: WidgetCaller, requestId: string) {
  const widget = configOf(caller)
  requireScope(caller.session, PAYMENT_SCOPES.PAYMENT_INTENT)
  const org = caller.session.organization_id
  const payments = callerOf(caller, requestId)
  const intent = await ctx.db.tx(async (tx) => {
    await bank.lockToken(tx, org, caller.session.jti)
    const row = await bank.tokenPayments(tx, org, caller.session.jti)
    if (row?.payment_intent_id) return (await store.findPaymentIntent(tx, org, row.payment_intent_id))!
    const config = sub(widget, 'payment_intent')
    const method = sub(sub(config, 'payment_method_details'), BIOMETRIC_PIX)
    const enrollmentId = row?.payment_enrollment_id ?? (typeof method.enrollment === 'string' ? method.enrollment : undefined)
    const enrollment = enrollmentId ? await store.findEnrollment(tx, org, { id: enrollmentId }) : undefined
    if (!enrollment) throw new PonteError('required', { field: 'enrollment' })
    const view = await createBiometricIntentIn(tx, ctx, payments, {
      ...config,
      customer: enrollment.customer_id,
      payment_method_details: { [BIOMETRIC_PIX]: { ...method, enrollment: enrollment.id } },
    })
    await bank.setTokenIntent(tx, org, caller.session.jti, view.intent.id)
    return view.intent
  })
  return intentView(intent)
}

/** POST /widget/api/payments/intents/authorize: "Confirm with biometrics": the sandbox network authorizes the token's intent. */
export async function authorizeWidgetIntent(ctx: DomainContext, caller: WidgetCaller, requestId: string) {
  configOf(caller)
  requireScope(caller.session, PAYMENT_SCOPES.PAYMENT_INTENT)
  const { intent } = await tokenObjects(ctx, caller)
  if (!intent) throw new PonteError('not_found')
  return intentView((await authorizePaymentIntent(ctx, callerOf(caller, requestId), intent.id)).intent)
}
