import type { Api } from '../api.ts'
import { issuePaymentsWidgetToken } from '../../domain/payments/widget.ts'
import { widgetTokenIssuer } from '../../domain/widget-tokens.ts'
import { errorResponses } from '../schemas/common.ts'
import { PaymentsWidgetTokenRequest } from '../schemas/payments-widget.ts'
import { WidgetToken } from '../schemas/token.ts'

/** POST /payments/br/token/: the payments (biometric Pix) widget's access token. */
export function paymentsTokenRoutes(api: Api): void {
  const ctx = api.deps.domain
  const issuer = widgetTokenIssuer(api.deps.config.PONTE_PUBLIC_URL)
  api.post(
    '/payments/br/token/',
    {
      schema: {
        tags: ['Biometric Pix Widget Access Token (Brazil)'],
        summary: 'Generate a payment widget access token',
        operationId: 'GeneratePaymentWidgetAccessToken',
        description:
          'Answers `access` and `refresh` JWTs for the hosted widget, which then runs the use cases: ENROLLMENT (the device, approved at the institution) and PAYMENT_INTENT (the biometric Pix payment).',
        body: PaymentsWidgetTokenRequest,
        response: { 200: WidgetToken, ...errorResponses(400) },
      },
    },
    async (request) => issuePaymentsWidgetToken(ctx, request.principal, request.body as Record<string, unknown>, { issuer }),
  )
}
