import type { FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import type { Api } from '../api.ts'
import {
  authorizeWidgetIntent,
  completeWidgetEnrollment,
  createWidgetIntent,
  paymentsWidgetInstitutions,
  paymentsWidgetSession,
  startWidgetEnrollment,
} from '../../domain/payments/widget.ts'
import { baseUrl } from '../plugins/pagination.ts'
import { errorResponses } from '../schemas/common.ts'
import { EnrollmentRedirection } from '../schemas/payments.ts'
import {
  PaymentsWidgetEnrollment,
  PaymentsWidgetEnrollmentRequest,
  PaymentsWidgetInstitutions,
  PaymentsWidgetIntent,
  PaymentsWidgetSession,
} from '../schemas/payments-widget.ts'

/**
 * The payments widget's calls (issue 16, biometric Pix), under /widget/api/payments/ and
 * authenticated by a payments widget token (POST /payments/br/token/; widgetAuth, added to this
 * scope by app.ts). Each checks the token's scope (requireScope, in domain/payments/widget.ts).
 */
export function widgetPaymentsRoutes(api: Api): void {
  const ctx = api.deps.domain
  const tags = ['Connect widget']
  const security = [{ widgetAccessToken: [] }]
  const origin = (request: FastifyRequest) => new URL(baseUrl(request, api.deps.config.PONTE_PUBLIC_URL)).origin

  api.get(
    '/widget/api/payments/session',
    {
      schema: {
        tags,
        security,
        summary: "The payments token's use cases, payment and progress",
        operationId: 'WidgetPaymentsSession',
        response: { 200: PaymentsWidgetSession, ...errorResponses(403) },
      },
    },
    async (request) => (await paymentsWidgetSession(ctx, request.widget, origin(request))) as Static<typeof PaymentsWidgetSession>,
  )

  api.get(
    '/widget/api/payments/institutions',
    {
      schema: {
        tags,
        security,
        summary: 'The institutions a payer may enroll at (top tier first)',
        operationId: 'WidgetPaymentInstitutions',
        response: { 200: PaymentsWidgetInstitutions, ...errorResponses(403) },
      },
    },
    async (request) => ({ results: await paymentsWidgetInstitutions(ctx, request.widget) }),
  )

  api.post(
    '/widget/api/payments/enrollments',
    {
      schema: {
        tags,
        security,
        summary: "Enroll the payer's device at an institution (biometric Pix)",
        operationId: 'WidgetCreateEnrollment',
        body: PaymentsWidgetEnrollmentRequest,
        response: { 201: PaymentsWidgetEnrollment, ...errorResponses(400, 403) },
      },
    },
    async (request, reply) => reply.code(201).send(await startWidgetEnrollment(ctx, request.widget, request.id, request.body, origin(request))),
  )

  api.post(
    '/widget/api/payments/enrollments/complete',
    {
      schema: {
        tags,
        security,
        summary: "Complete the token's enrollment with the institution's answer",
        operationId: 'WidgetCompleteEnrollment',
        // The body of complete-redirection: {state, code, id_token} or {state, error, error_description}.
        body: EnrollmentRedirection,
        response: { 200: PaymentsWidgetEnrollment, ...errorResponses(400, 403) },
      },
    },
    async (request) => completeWidgetEnrollment(ctx, request.widget, request.id, request.body, origin(request)),
  )

  api.post(
    '/widget/api/payments/intents',
    {
      schema: {
        tags,
        security,
        summary: "Create the token's biometric Pix payment intent (once)",
        operationId: 'WidgetCreatePaymentIntent',
        response: { 201: PaymentsWidgetIntent, ...errorResponses(400, 403) },
      },
    },
    async (request, reply) => reply.code(201).send(await createWidgetIntent(ctx, request.widget, request.id)),
  )

  api.post(
    '/widget/api/payments/intents/authorize',
    {
      schema: {
        tags,
        security,
        summary: 'Confirm the payment with biometrics (sandbox: the network authorizes it by the amount rules)',
        operationId: 'WidgetAuthorizePaymentIntent',
        response: { 200: PaymentsWidgetIntent, ...errorResponses(400, 403) },
      },
    },
    async (request) => authorizeWidgetIntent(ctx, request.widget, request.id),
  )
}
