import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { idempotent } from '../../domain/payments/idempotency.ts'
import {
  authorizePaymentIntent,
  cancelPaymentIntent,
  CHARGE_FILTERS,
  createPaymentIntentOnce,
  getCharge,
  getPaymentIntent,
  getPaymentTransaction,
  INTENT_CHARGE_FILTERS,
  listCharges,
  listPaymentIntents,
  listPaymentTransactions,
  parseOrdering,
  PAYMENT_INTENT_FILTERS,
  PAYMENT_TRANSACTION_FILTERS,
  updatePaymentIntent,
  type ChargeView,
  type IntentView,
} from '../../domain/payments/intents.ts'
import {
  BANK_ACCOUNT_FILTERS,
  createBankAccountIn,
  createCustomerIn,
  CUSTOMER_FILTERS,
  getBankAccount,
  getCustomer,
  getPaymentInstitution,
  listBankAccounts,
  listCustomers,
  listPaymentInstitutions,
  PAYMENT_INSTITUTION_FILTERS,
} from '../../domain/payments/objects.ts'
import {
  bankAccountWire,
  chargeV2Wire,
  chargeWire,
  customerWire,
  paymentInstitutionWire,
  paymentIntentWire,
  paymentTransactionWire,
  resourceVersion,
} from '../../domain/payments/wire.ts'
import { errorResponses, IdParams } from '../schemas/common.ts'
import {
  BankAccount,
  BankAccountCreate,
  Charge,
  ChargeAnyVersion,
  ChargeParams,
  Customer,
  CustomerCreate,
  Enrollment,
  EnrollmentCreate,
  EnrollmentParams,
  EnrollmentRedirection,
  IdempotencyHeaders,
  IntentChargeParams,
  PaymentInstitution,
  PaymentIntent,
  PaymentIntentCreate,
  PaymentIntentPatch,
  PaymentTransaction,
  VersionHeaders,
} from '../schemas/payments.ts'
import { listRoute } from './lists.ts'
import { callerOf, createRoute, detailRoute, idempotencyKey, sendCreated } from './object-routes.ts'
import { baseUrl } from '../plugins/pagination.ts'
import {
  completeEnrollmentRedirection,
  createEnrollmentIn,
  ENROLLMENT_FILTERS,
  enrollmentWire,
  getEnrollment,
  listEnrollments,
} from '../../domain/payments/enrollments.ts'

/**
 * Belvo's Payments Brazil API (`/payments/br/`, 1.223.0), plus the sandbox network's authorize
 * call. Thin: each route reads the request, calls src/domain/payments and writes Belvo's shapes.
 */

const versionOf = (request: Pick<FastifyRequest, 'headers'>) => resourceVersion(request.headers['x-belvo-api-resource-version'])

const intentWire = (view: IntentView) => paymentIntentWire(view.intent, view.charges, view.transactions)
const chargeWireOf = (view: ChargeView) => chargeWire(view.charge, view.intent, view.transactions)

export function paymentRoutes(api: Api): void {
  const ctx = api.deps.domain
  const { db } = ctx
  // Enrollments name the sandbox bank's page on this server's public origin.
  const originOf = (request: FastifyRequest) => new URL(baseUrl(request, api.deps.config.PONTE_PUBLIC_URL)).origin
  // The resource version is part of the request: a V2 replay of a V1 creation is another request.
  const requestOf = (request: FastifyRequest) => ({
    key: idempotencyKey(request),
    method: request.method,
    path: request.url.split('?')[0],
    version: versionOf(request),
    body: request.body,
  })
  const created = (request: FastifyRequest, create: Parameters<typeof idempotent>[3]) => idempotent(ctx, callerOf(request), requestOf(request), create)

  // -- Institutions ------------------------------------------------------------------------------
  const institutionTags = ['Payment Institutions (Brazil)']
  listRoute(
    api,
    '/payments/br/institutions/',
    {
      tags: institutionTags,
      summary: 'List payment institutions',
      operationId: 'ListPaymentInstitutionsBrazil',
      filters: PAYMENT_INSTITUTION_FILTERS,
      item: PaymentInstitution,
    },
    async (_caller, list) => {
      const { count, rows } = await listPaymentInstitutions(db, list)
      return { count, results: rows.map(paymentInstitutionWire) }
    },
  )
  detailRoute(
    api,
    '/payments/br/institutions/:id/',
    {
      tags: institutionTags,
      summary: "Get a payment institution's details",
      operationId: 'DetailPaymentInstitutionBrazil',
      item: PaymentInstitution,
      description: "Not in Belvo's spec (which lists institutions only): the list filtered by `id`, as one object.",
    },
    async (request) => paymentInstitutionWire(await getPaymentInstitution(db, request.params.id)),
  )

  // -- Customers ---------------------------------------------------------------------------------
  const customerTags = ['Customers (Brazil)']
  createRoute(
    api,
    '/payments/br/customers/',
    { tags: customerTags, summary: 'Create a customer', operationId: 'CreateCustomerBrazil', body: CustomerCreate, item: Customer },
    async (request) => {
      const version = versionOf(request)
      return created(request, async (tx) => ({
        status: 201,
        body: customerWire(await createCustomerIn(tx, ctx, callerOf(request), request.body as Record<string, unknown>, version), version),
      }))
    },
  )
  listRoute(
    api,
    '/payments/br/customers/',
    { tags: customerTags, summary: 'List customers', operationId: 'ListCustomersBrazil', filters: CUSTOMER_FILTERS, item: Customer },
    async (caller, list) => {
      const { count, rows } = await listCustomers(db, callerOf(caller), list)
      const version = versionOf(caller)
      return { count, results: rows.map((row) => customerWire(row, version)) }
    },
  )
  detailRoute(
    api,
    '/payments/br/customers/:id/',
    { tags: customerTags, summary: "Get a customer's details", operationId: 'DetailCustomerBrazil', item: Customer, headers: VersionHeaders },
    async (request) => customerWire(await getCustomer(db, callerOf(request), request.params.id), versionOf(request)),
  )

  // -- Bank accounts -----------------------------------------------------------------------------
  const accountTags = ['Bank Accounts (Brazil)']
  createRoute(
    api,
    '/payments/br/bank-accounts/',
    { tags: accountTags, summary: 'Register a bank account', operationId: 'RegisterBankAccountBrazil', body: BankAccountCreate, item: BankAccount },
    async (request) => {
      const version = versionOf(request)
      return created(request, async (tx) => ({
        status: 201,
        body: bankAccountWire(await createBankAccountIn(tx, ctx, callerOf(request), request.body as Record<string, unknown>, version), version),
      }))
    },
  )
  listRoute(
    api,
    '/payments/br/bank-accounts/',
    { tags: accountTags, summary: 'List bank accounts', operationId: 'ListBankAccountBrazil', filters: BANK_ACCOUNT_FILTERS, item: BankAccount },
    async (caller, list) => {
      const { count, rows } = await listBankAccounts(db, callerOf(caller), list)
      const version = versionOf(caller)
      return { count, results: rows.map((row) => bankAccountWire(row, version)) }
    },
  )
  detailRoute(
    api,
    '/payments/br/bank-accounts/:id/',
    { tags: accountTags, summary: "Get a bank account's details", operationId: 'DetailBankAccountBrazil', item: BankAccount, headers: VersionHeaders },
    async (request) => bankAccountWire(await getBankAccount(db, callerOf(request), request.params.id), versionOf(request)),
  )

  // -- Payment intents ---------------------------------------------------------------------------
  const intentTags = ['Payment Intents (Brazil)']
  api.post(
    '/payments/br/payment-intents/',
    {
      schema: {
        tags: intentTags,
        summary: 'Create a payment intent',
        operationId: 'CreatePaymentIntentBrazil',
        headers: IdempotencyHeaders,
        body: PaymentIntentCreate,
        response: { 201: PaymentIntent, ...errorResponses(400, 409, 422) },
      },
    },
    async (request, reply) => {
      const result = await createPaymentIntentOnce(ctx, callerOf(request), requestOf(request), intentWire)
      return sendCreated(reply, result)
    },
  )
  listRoute(
    api,
    '/payments/br/payment-intents/',
    {
      tags: intentTags,
      summary: 'List payment intents',
      operationId: 'ListPaymentIntentsBrazil',
      description: '`ordering`: created_at, -created_at (default), updated_at or -updated_at.',
      filters: PAYMENT_INTENT_FILTERS,
      item: PaymentIntent,
    },
    async (caller, list) => {
      const { count, views } = await listPaymentIntents(db, callerOf(caller), list, parseOrdering(caller.query.ordering))
      return { count, results: views.map(intentWire) }
    },
  )
  detailRoute(
    api,
    '/payments/br/payment-intents/:id/',
    { tags: intentTags, summary: "Get a payment intent's details", operationId: 'DetailPaymentIntentBrazil', item: PaymentIntent },
    async (request) => intentWire(await getPaymentIntent(db, callerOf(request), request.params.id)),
  )
  api.patch(
    '/payments/br/payment-intents/:id/',
    {
      schema: {
        tags: intentTags,
        summary: 'Update a payment intent',
        operationId: 'PatchPaymentIntentBrazil',
        params: IdParams,
        body: PaymentIntentPatch,
        response: { 200: PaymentIntent, ...errorResponses(400) },
      },
    },
    async (request) => intentWire(await updatePaymentIntent(ctx, callerOf(request), request.params.id, request.body as Record<string, unknown>)),
  )
  api.post(
    '/payments/br/payment-intents/:id/cancel/',
    {
      schema: {
        tags: intentTags,
        summary: 'Cancel a scheduled payment intent',
        operationId: 'CancelPaymentIntentBrazil',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      await cancelPaymentIntent(ctx, callerOf(request), request.params.id)
      return reply.code(204).send(null)
    },
  )
  api.post(
    '/payments/br/payment-intents/:id/authorize/',
    {
      schema: {
        tags: intentTags,
        summary: 'Sandbox: the payer authorizes the payment at their bank',
        description:
          "Belvo's sandbox call (not in its spec). The amount's whole reais pick the outcome: 0–100 and from 701 settle; 101–200 insufficient_funds; 201–300 consent_rejected; 301–400 beneficiary_account_blocked; 401–500 amount_over_limit; 501–600 fraud_suspected; 601–700 charge_settlement_timeout.",
        operationId: 'AuthorizePaymentIntentSandboxBrazil',
        params: IdParams,
        response: { 200: PaymentIntent, ...errorResponses(400) },
      },
    },
    async (request) => intentWire(await authorizePaymentIntent(ctx, callerOf(request), request.params.id)),
  )

  // -- Charges -----------------------------------------------------------------------------------
  const chargeTags = ['Charges (Brazil)']
  listRoute(
    api,
    '/payments/br/payment-intents/:id/charges/',
    {
      tags: intentTags,
      summary: "List a payment intent's charges",
      operationId: 'ListChargesBrazil',
      params: IdParams,
      filters: INTENT_CHARGE_FILTERS,
      item: Charge,
    },
    async (caller, list) => {
      const { count, views } = await listCharges(db, callerOf(caller), list, caller.params.id)
      return { count, results: views.map(chargeWireOf) }
    },
  )
  detailRoute(
    api,
    '/payments/br/payment-intents/:id/charges/:charge_id/',
    { tags: intentTags, summary: "Get a payment intent's charge", operationId: 'DetailChargesBrazil', item: Charge, params: IntentChargeParams },
    async (request) => chargeWireOf(await getCharge(db, callerOf(request), request.params.charge_id, request.params.id)),
  )
  api.post(
    '/payments/br/payment-intents/:id/charges/:charge_id/cancel/',
    {
      schema: {
        tags: intentTags,
        summary: 'Cancel a scheduled charge',
        operationId: 'CancelChargeBrazil',
        params: IntentChargeParams,
        response: { 204: Type.Null(), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      await cancelPaymentIntent(ctx, callerOf(request), request.params.id, request.params.charge_id)
      return reply.code(204).send(null)
    },
  )
  listRoute(
    api,
    '/payments/br/charges/',
    { tags: chargeTags, summary: 'List all charges', operationId: 'ListAllChargesBrazil', filters: CHARGE_FILTERS, item: Charge },
    async (caller, list) => {
      const { count, views } = await listCharges(db, callerOf(caller), list)
      return { count, results: views.map(chargeWireOf) }
    },
  )
  detailRoute(
    api,
    '/payments/br/charges/:charge_id/',
    {
      tags: chargeTags,
      summary: "Get a charge's details",
      operationId: 'DetailChargeBrazil',
      item: ChargeAnyVersion,
      params: ChargeParams,
      headers: VersionHeaders,
    },
    async (request) => {
      const caller = callerOf(request)
      const view = await getCharge(db, caller, request.params.charge_id)
      if (versionOf(request) === 'V1') return chargeWireOf(view)
      const beneficiary = view.charge.beneficiary_bank_account_id ? await getBankAccount(db, caller, view.charge.beneficiary_bank_account_id) : undefined
      const institution = beneficiary ? await getPaymentInstitution(db, beneficiary.institution_id) : undefined
      return chargeV2Wire(view.charge, view.intent, beneficiary, institution?.code)
    },
  )

  // -- Transactions ------------------------------------------------------------------------------
  const transactionTags = ['Payment Transactions (Brazil)']
  listRoute(
    api,
    '/payments/br/transactions/',
    {
      tags: transactionTags,
      summary: 'List payment transactions',
      operationId: 'ListPaymentTransactionsBrazil',
      filters: PAYMENT_TRANSACTION_FILTERS,
      item: PaymentTransaction,
    },
    async (caller, list) => {
      const { count, rows } = await listPaymentTransactions(db, callerOf(caller), list)
      return { count, results: rows.map(paymentTransactionWire) }
    },
  )
  detailRoute(
    api,
    '/payments/br/transactions/:id/',
    { tags: transactionTags, summary: "Get a payment transaction's details", operationId: 'DetailPaymentTransactionsBrazil', item: PaymentTransaction },
    async (request) => paymentTransactionWire(await getPaymentTransaction(db, callerOf(request), request.params.id)),
  )
  // -- Enrollments (biometric Pix) ---------------------------------------------------------------
  const enrollmentTags = ['Enrollments (Brazil)']
  createRoute(
    api,
    '/payments/br/enrollments/',
    { tags: enrollmentTags, summary: 'Enroll a device for biometric Pix', operationId: 'CreateEnrollmentBrazil', body: EnrollmentCreate, item: Enrollment },
    async (request) => {
      return created(request, async (tx) => ({
        status: 201,
        body: enrollmentWire(await createEnrollmentIn(tx, ctx, callerOf(request), request.body as Record<string, unknown>), originOf(request)),
      }))
    },
  )
  listRoute(
    api,
    '/payments/br/enrollments/',
    { tags: enrollmentTags, summary: 'List enrollments', operationId: 'ListEnrollmentsBrazil', filters: ENROLLMENT_FILTERS, item: Enrollment },
    async (caller, list) => {
      const { count, rows } = await listEnrollments(db, callerOf(caller), list)
      // The list's caller is the request itself (lists.ts types it narrower).
      const origin = originOf(caller as unknown as FastifyRequest)
      return { count, results: rows.map((row) => enrollmentWire(row, origin)) }
    },
  )
  detailRoute(
    api,
    '/payments/br/enrollments/:enrollment_id/',
    {
      tags: enrollmentTags,
      summary: "Get an enrollment's details",
      operationId: 'DetailEnrollmentBrazil',
      item: Enrollment,
      params: EnrollmentParams,
      errors: [400],
    },
    async (request) => enrollmentWire(await getEnrollment(db, callerOf(request), request.params.enrollment_id), originOf(request)),
  )
  api.post(
    '/payments/br/enrollments/complete-redirection/',
    {
      schema: {
        tags: enrollmentTags,
        summary: "Complete an enrollment after the institution's redirection",
        operationId: 'CompleteEnrollmentRedirectionBrazil',
        body: EnrollmentRedirection,
        response: { 200: Enrollment, ...errorResponses(400) },
      },
    },
    async (request) => enrollmentWire(await completeEnrollmentRedirection(ctx, callerOf(request), request.body as Record<string, unknown>), originOf(request)),
  )
}
