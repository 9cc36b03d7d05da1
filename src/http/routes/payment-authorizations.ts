import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Api } from '../api.ts'
import {
  AUTHORIZATION_CHARGE_FILTERS,
  authorizationChargeWire,
  authorizePaymentAuthorization,
  cancelAuthorizationCharge,
  cancelPaymentAuthorization,
  createPaymentAuthorizationIn,
  getAuthorizationCharge,
  getPaymentAuthorization,
  listAuthorizationCharges,
  listPaymentAuthorizations,
  PAYMENT_AUTHORIZATION_FILTERS,
  paymentAuthorizationWire,
  requireResourceVersionV2,
  retryAuthorizationCharge,
} from '../../domain/payments/authorizations.ts'
import { idempotent } from '../../domain/payments/idempotency.ts'
import { errorResponses, ProjectionQuery } from '../schemas/common.ts'
import { IdempotencyHeaders, VersionHeaders } from '../schemas/payments.ts'
import {
  AuthorizationChargeParams,
  AuthorizationParams,
  ChargeRetry,
  ChargeV2,
  PaymentAuthorization,
  PaymentAuthorizationCreate,
} from '../schemas/payment-authorizations.ts'
import { baseUrl } from '../plugins/pagination.ts'
import { listRoute } from './lists.ts'
import { callerOf, idempotencyKey, sendCreated } from './object-routes.ts'

/**
 * Belvo's payment authorizations (`/payments/br/payment-authorizations/`, Payments-BR.V2), plus
 * the sandbox network's authorize call. Thin: each route checks the resource version header
 * where Belvo's spec has it, calls domain/payments/authorizations.ts and writes Belvo's shapes.
 */

const tags = ['Payment Authorizations (Brazil)']
const BASE = '/payments/br/payment-authorizations'

const requireV2 = (request: Pick<FastifyRequest, 'headers'>) => requireResourceVersionV2(request.headers['x-belvo-api-resource-version'])

export function paymentAuthorizationRoutes(api: Api): void {
  const ctx = api.deps.domain
  const { db } = ctx
  // authorization_url names the sandbox bank's page on this server's public origin.
  const originOf = (request: FastifyRequest) => new URL(baseUrl(request, api.deps.config.PONTE_PUBLIC_URL)).origin

  api.post(
    `${BASE}/`,
    {
      schema: {
        tags,
        summary: 'Create a payment authorization',
        operationId: 'CreatePaymentAuthorizationBrazil',
        headers: IdempotencyHeaders,
        body: PaymentAuthorizationCreate,
        response: { 201: PaymentAuthorization, ...errorResponses(400, 409, 422) },
      },
    },
    async (request, reply) => {
      requireV2(request)
      const caller = callerOf(request)
      const key = idempotencyKey(request)
      const result = await idempotent(ctx, caller, { key, method: 'POST', path: request.url.split('?')[0], version: 'V2', body: request.body }, async (tx) => ({
        status: 201,
        body: paymentAuthorizationWire(await createPaymentAuthorizationIn(tx, ctx, caller, request.body as Record<string, unknown>), originOf(request)),
      }))
      return sendCreated(reply, result)
    },
  )
  listRoute(
    api,
    `${BASE}/`,
    {
      tags,
      summary: 'List payment authorizations',
      operationId: 'ListPaymentAuthorizationsBrazil',
      filters: PAYMENT_AUTHORIZATION_FILTERS,
      item: PaymentAuthorization,
    },
    async (caller, list) => {
      requireV2(caller)
      const { count, views } = await listPaymentAuthorizations(db, callerOf(caller), list)
      // The list's caller is the request itself (lists.ts types it narrower).
      const origin = originOf(caller as unknown as FastifyRequest)
      return { count, results: views.map((view) => paymentAuthorizationWire(view, origin)) }
    },
  )
  api.get(
    `${BASE}/:payment_authorization_id/`,
    {
      schema: {
        tags,
        summary: "Get a payment authorization's details",
        operationId: 'DetailPaymentAuthorizationBrazil',
        params: AuthorizationParams,
        headers: VersionHeaders,
        querystring: ProjectionQuery,
        response: { 200: PaymentAuthorization, ...errorResponses(400) },
      },
    },
    async (request) => {
      requireV2(request)
      return paymentAuthorizationWire(await getPaymentAuthorization(db, callerOf(request), request.params.payment_authorization_id), originOf(request))
    },
  )
  api.post(
    `${BASE}/:payment_authorization_id/cancel/`,
    {
      schema: {
        tags,
        summary: 'Cancel (revoke) a payment authorization',
        operationId: 'CancelPaymentAuthorizationBrazil',
        params: AuthorizationParams,
        headers: VersionHeaders,
        response: { 204: Type.Null(), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      requireV2(request)
      await cancelPaymentAuthorization(ctx, callerOf(request), request.params.payment_authorization_id)
      return reply.code(204).send(null)
    },
  )
  api.post(
    `${BASE}/:payment_authorization_id/authorize/`,
    {
      schema: {
        tags,
        summary: 'Sandbox: the payer authorizes at their bank',
        description:
          "Ponte's sandbox call (not in Belvo's spec), as for payment intents. The amount's whole reais pick the outcome (the README's table): 201–300 fail the authorization (consent_rejected); the other failing ranges fail its charge. A business payer's first call leaves it PARTIALLY_ACCEPTED, the second authorizes.",
        operationId: 'AuthorizePaymentAuthorizationSandboxBrazil',
        params: AuthorizationParams,
        headers: VersionHeaders,
        response: { 200: PaymentAuthorization, ...errorResponses(400) },
      },
    },
    async (request) => {
      requireV2(request)
      return paymentAuthorizationWire(await authorizePaymentAuthorization(ctx, callerOf(request), request.params.payment_authorization_id), originOf(request))
    },
  )

  // -- Charges -----------------------------------------------------------------------------------
  listRoute(
    api,
    `${BASE}/:payment_authorization_id/charges/`,
    {
      tags,
      summary: "List a payment authorization's charges",
      operationId: 'ListPaymentAuthorizationChargesBrazil',
      params: AuthorizationParams,
      filters: AUTHORIZATION_CHARGE_FILTERS,
      item: ChargeV2,
    },
    async (caller, list) => {
      const { count, views } = await listAuthorizationCharges(db, callerOf(caller), caller.params.payment_authorization_id, list)
      return { count, results: views.map(authorizationChargeWire) }
    },
  )
  api.get(
    `${BASE}/:payment_authorization_id/charges/:charge_id/`,
    {
      schema: {
        tags,
        summary: "Get a payment authorization's charge",
        operationId: 'DetailPaymentAuthorizationChargeBrazil',
        params: AuthorizationChargeParams,
        headers: VersionHeaders,
        querystring: ProjectionQuery,
        response: { 200: ChargeV2, ...errorResponses(400) },
      },
    },
    async (request) => {
      requireV2(request)
      const { payment_authorization_id: authorizationId, charge_id: chargeId } = request.params
      return authorizationChargeWire(await getAuthorizationCharge(db, callerOf(request), authorizationId, chargeId))
    },
  )
  api.post(
    `${BASE}/:payment_authorization_id/charges/:charge_id/retry/`,
    {
      schema: {
        tags,
        summary: 'Retry a failed charge on a later date',
        operationId: 'RetryPaymentAuthorizationChargeBrazil',
        params: AuthorizationChargeParams,
        headers: VersionHeaders,
        body: ChargeRetry,
        response: { 201: ChargeV2, ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      requireV2(request)
      const { payment_authorization_id: authorizationId, charge_id: chargeId } = request.params
      const view = await retryAuthorizationCharge(ctx, callerOf(request), authorizationId, chargeId, request.body as Record<string, unknown>)
      return reply.code(201).send(authorizationChargeWire(view))
    },
  )
  api.post(
    `${BASE}/:payment_authorization_id/charges/:charge_id/cancel/`,
    {
      schema: {
        tags,
        summary: 'Cancel a scheduled charge',
        operationId: 'CancelPaymentAuthorizationChargeBrazil',
        params: AuthorizationChargeParams,
        headers: VersionHeaders,
        response: { 204: Type.Null(), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      requireV2(request)
      const { payment_authorization_id: authorizationId, charge_id: chargeId } = request.params
      await cancelAuthorizationCharge(ctx, callerOf(request), authorizationId, chargeId)
      return reply.code(204).send(null)
    },
  )
}
