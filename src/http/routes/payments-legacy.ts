import type { FastifyRequest } from 'fastify'
import type { Api } from '../api.ts'
import { idempotent } from '../../domain/payments/idempotency.ts'
import {
  BANK_ACCOUNT_FILTERS,
  bankAccountWire,
  createBankAccount,
  createCustomer,
  CUSTOMER_FILTERS,
  customerWire,
  getBankAccount,
  getCustomer,
  getInstitution,
  INSTITUTION_FILTERS,
  institutionWire,
  listBankAccounts,
  listCustomers,
  listInstitutions,
} from '../../domain/payments/legacy/objects.ts'
import {
  createPseIntentIn,
  getPseIntent,
  getTransaction,
  LEGACY_TRANSACTION_FILTERS,
  legacyTransactionWire,
  listPseIntents,
  listTransactions,
  PSE_INTENT_FILTERS,
  pseIntentWire,
  updatePseIntent,
} from '../../domain/payments/legacy/pse.ts'
import {
  createPaymentLinkIn,
  getPaymentLink,
  listPaymentLinks,
  parseLinkOrdering,
  PAYMENT_LINK_FILTERS,
  paymentLinkItemWire,
  paymentLinkWire,
} from '../../domain/payments/legacy/links.ts'
import { createKeyWithLogin, listKeys } from '../../domain/payments/legacy/secret-keys.ts'
import { baseUrl } from '../plugins/pagination.ts'
import { errorResponses, IdParams } from '../schemas/common.ts'
import {
  AccessTokenParams,
  LegacyBankAccount,
  LegacyBankAccountCreate,
  LegacyCustomer,
  LegacyCustomerCreate,
  LegacyInstitution,
  LegacyPaymentLink,
  LegacyPaymentLinkCreate,
  LegacyPaymentLinkItem,
  LegacyTransaction,
  SecretKey,
  SecretKeyCreated,
  SecretKeyLogin,
  PseIntent,
  PseIntentCreate,
  PseIntentPatch,
} from '../schemas/payments-legacy.ts'
import { listRoute } from './lists.ts'
import { callerOf, createRoute, detailRoute, idempotencyKey } from './object-routes.ts'

/**
 * Belvo's earlier payments API (`/payments/...` without `br/`, 1.35.0; issue 17): Colombia's PSE,
 * Brazil's OFPI and payment links, on Payments Brazil's machinery. Thin: each route reads the
 * request, calls src/domain/payments/legacy and writes Belvo's 1.35.0 shapes. The payer's pages
 * (the sandbox PSE bank, the payment link page) are in payments-legacy-pages.ts.
 */
export function paymentLegacyRoutes(api: Api): void {
  const ctx = api.deps.domain
  const { db } = ctx
  const publicBase = (request: FastifyRequest) => baseUrl(request, api.deps.config.PONTE_PUBLIC_URL)
  /** A creation in one transaction, at most once per Belvo-Idempotency-Key (a Ponte addition here: 1.35.0 has no key). */
  const created = (request: FastifyRequest, create: Parameters<typeof idempotent>[3]) =>
    idempotent(ctx, callerOf(request), { key: idempotencyKey(request), method: request.method, path: request.url.split('?')[0], body: request.body }, create)
  const body = (request: FastifyRequest) => request.body as Record<string, unknown>

  // -- Institutions ------------------------------------------------------------------------------
  const institutionTags = ['Payment Institutions']
  listRoute(
    api,
    '/payments/institutions/',
    {
      tags: institutionTags,
      summary: 'List all payment institutions',
      operationId: 'ListPaymentInstitutions',
      description: "`country`: BRA (Brazil's OFPI institutions) or COL (Colombia's PSE banks).",
      filters: INSTITUTION_FILTERS,
      item: LegacyInstitution,
    },
    async (_caller, list) => {
      const { count, rows } = await listInstitutions(db, list)
      return { count, results: rows.map(institutionWire) }
    },
  )
  detailRoute(
    api,
    '/payments/institutions/:id/',
    { tags: institutionTags, summary: "Get a payment institution's details", operationId: 'DetailPaymentInstitution', item: LegacyInstitution },
    async (request) => institutionWire(await getInstitution(db, request.params.id)),
  )

  // -- Customers ---------------------------------------------------------------------------------
  const customerTags = ['Customers']
  createRoute(
    api,
    '/payments/customers/',
    { tags: customerTags, summary: 'Create a new customer', operationId: 'CreateCustomer', body: LegacyCustomerCreate, item: LegacyCustomer },
    (request) => created(request, async (tx) => ({ status: 201, body: customerWire(await createCustomer(tx, ctx, callerOf(request), body(request))) })),
  )
  listRoute(
    api,
    '/payments/customers/',
    { tags: customerTags, summary: 'List all customers', operationId: 'ListCustomers', filters: CUSTOMER_FILTERS, item: LegacyCustomer },
    async (caller, list) => {
      const { count, rows } = await listCustomers(db, callerOf(caller), list)
      return { count, results: rows.map(customerWire) }
    },
  )
  detailRoute(
    api,
    '/payments/customers/:id/',
    { tags: customerTags, summary: "Get a customer's details", operationId: 'DetailCustomer', item: LegacyCustomer },
    async (request) => customerWire(await getCustomer(db, callerOf(request), request.params.id)),
  )

  // -- Bank accounts -----------------------------------------------------------------------------
  const accountTags = ['Bank Accounts']
  createRoute(
    api,
    '/payments/bank-accounts/',
    { tags: accountTags, summary: 'Create a new bank account', operationId: 'CreateBankAccount', body: LegacyBankAccountCreate, item: LegacyBankAccount },
    (request) => created(request, async (tx) => ({ status: 201, body: bankAccountWire(await createBankAccount(tx, ctx, callerOf(request), body(request))) })),
  )
  listRoute(
    api,
    '/payments/bank-accounts/',
    { tags: accountTags, summary: 'List all bank accounts', operationId: 'ListBankAccount', filters: BANK_ACCOUNT_FILTERS, item: LegacyBankAccount },
    async (caller, list) => {
      const { count, rows } = await listBankAccounts(db, callerOf(caller), list)
      return { count, results: rows.map(bankAccountWire) }
    },
  )
  detailRoute(
    api,
    '/payments/bank-accounts/:id/',
    { tags: accountTags, summary: "Get a bank account's details", operationId: 'DetailBankAccount', item: LegacyBankAccount },
    async (request) => bankAccountWire(await getBankAccount(db, callerOf(request), request.params.id)),
  )

  // -- PSE payment intents -----------------------------------------------------------------------
  const intentTags = ['Payment Intents']
  createRoute(
    api,
    '/payments/payment-intents/',
    { tags: intentTags, summary: 'Create a PSE payment intent', operationId: 'CreatePaymentIntent', body: PseIntentCreate, item: PseIntent },
    (request) => created(request, async (tx) => ({ status: 201, body: pseIntentWire(await createPseIntentIn(tx, ctx, callerOf(request), body(request))) })),
  )
  listRoute(
    api,
    '/payments/payment-intents/',
    { tags: intentTags, summary: 'List all PSE payment intents', operationId: 'ListPaymentIntents', filters: PSE_INTENT_FILTERS, item: PseIntent },
    async (caller, list) => {
      const { count, views } = await listPseIntents(db, callerOf(caller), list)
      return { count, results: views.map(pseIntentWire) }
    },
  )
  detailRoute(
    api,
    '/payments/payment-intents/:id/',
    { tags: intentTags, summary: "Get a PSE payment intent's details", operationId: 'DetailPaymentIntent', item: PseIntent },
    async (request) => pseIntentWire(await getPseIntent(db, callerOf(request), request.params.id)),
  )
  api.patch(
    '/payments/payment-intents/:id/',
    {
      schema: {
        tags: intentTags,
        summary: 'Update a PSE payment intent',
        description:
          "Choose the payer's bank (payment_method_details.pse.payer_institution) and confirm: the answer's payment_method_information.pse.redirect_url is the sandbox bank page.",
        operationId: 'PatchPaymentIntent',
        params: IdParams,
        body: PseIntentPatch,
        response: { 200: PseIntent, ...errorResponses(400) },
      },
    },
    async (request) => pseIntentWire(await updatePseIntent(ctx, callerOf(request), request.params.id, body(request), publicBase(request))),
  )

  // -- Transactions ------------------------------------------------------------------------------
  const transactionTags = ['Payment Transactions']
  listRoute(
    api,
    '/payments/transactions/',
    {
      tags: transactionTags,
      summary: 'List all transactions',
      operationId: 'ListPaymentTransactions',
      filters: LEGACY_TRANSACTION_FILTERS,
      item: LegacyTransaction,
    },
    async (caller, list) => {
      const { count, rows } = await listTransactions(db, callerOf(caller), list)
      return { count, results: rows.map(legacyTransactionWire) }
    },
  )
  detailRoute(
    api,
    '/payments/transactions/:id/',
    { tags: transactionTags, summary: "Get a transaction's details", operationId: 'DetailPaymentTransactions', item: LegacyTransaction },
    async (request) => legacyTransactionWire(await getTransaction(db, callerOf(request), request.params.id)),
  )

  // -- Payment links -----------------------------------------------------------------------------
  const linkTags = ['Payment Links']
  createRoute(
    api,
    '/payments/payment-links/',
    {
      tags: linkTags,
      summary: 'Create a payment link',
      description: 'OFPI (payment_method_details.open_finance) or PSE (payment_method_details.pse). `payment_url` is the payment page Ponte serves.',
      operationId: 'CreatePaymentlink',
      body: LegacyPaymentLinkCreate,
      item: LegacyPaymentLink,
    },
    (request) =>
      created(request, async (tx) => ({
        status: 201,
        body: paymentLinkWire(await createPaymentLinkIn(tx, ctx, callerOf(request), body(request), publicBase(request)), publicBase(request), ctx.clock.now()),
      })),
  )
  listRoute(
    api,
    '/payments/payment-links/',
    {
      tags: linkTags,
      summary: 'List all payment links',
      operationId: 'ListPaymentLinks',
      description: '`ordering`: created_at, -created_at (default), expires_at or -expires_at.',
      filters: PAYMENT_LINK_FILTERS,
      item: LegacyPaymentLinkItem,
    },
    async (caller, list) => {
      const now = ctx.clock.now()
      const { count, rows } = await listPaymentLinks(db, callerOf(caller), list, parseLinkOrdering(caller.query.ordering), now)
      const base = baseUrl(caller as FastifyRequest, api.deps.config.PONTE_PUBLIC_URL)
      return { count, results: rows.map((row) => paymentLinkItemWire(row, base, now)) }
    },
  )
  detailRoute(
    api,
    '/payments/payment-links/:access_token/',
    { tags: linkTags, summary: "Get a payment link's details", operationId: 'DetailCreatePaymentlink', item: LegacyPaymentLink, params: AccessTokenParams },
    async (request) => paymentLinkWire(await getPaymentLink(db, callerOf(request), request.params.access_token), publicBase(request), ctx.clock.now()),
  )

  // -- Secret keys -------------------------------------------------------------------------------
  listRoute(
    api,
    '/payments/secret-keys/',
    {
      tags: ['Secret Keys'],
      summary: 'List all secret keys',
      description: "The ids of the organization's active secret keys.",
      operationId: 'ListSecretKeys',
      filters: [],
      item: SecretKey,
    },
    async (caller, list) => {
      const { count, rows } = await listKeys(db, caller.principal.organizationId, list.page)
      return { count, results: rows }
    },
  )
}

/**
 * POST /payments/secret-keys/ takes a dashboard login instead of a secret key (Belvo's spec
 * documents no 401 for it): registered where no secret key is asked (app.ts, with the pages).
 */
export function paymentSecretKeyLogin(api: Api): void {
  api.post(
    '/payments/secret-keys/',
    {
      schema: {
        tags: ['Secret Keys'],
        summary: 'Request API keys',
        description:
          'Ponte has no dashboard: the login is one of the organization\'s secret keys, `{"email": "<secret key id>", "password": "<its password>"}`. The answer is a new key of that organization.',
        operationId: 'CreateSecretKeys',
        body: SecretKeyLogin,
        response: { 201: SecretKeyCreated, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => reply.code(201).send(await createKeyWithLogin(api.deps.domain.db, api.deps.verifier, request.body as Record<string, unknown>)),
  )
}
