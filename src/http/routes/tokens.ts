import type { Api } from '../api.ts'
import { issueLinkToken, issueWidgetToken, widgetTokenIssuer } from '../../domain/widget-tokens.ts'
import { errorResponses, IdParams } from '../schemas/common.ts'
import { LinkTokenRequest, WidgetToken, WidgetTokenRequest } from '../schemas/token.ts'

/** Widget access tokens: the JWTs a customer's server hands to the hosted connect widget. */
export function tokenRoutes(api: Api): void {
  const { config, verifier } = api.deps
  const ctx = api.deps.domain
  const issuer = widgetTokenIssuer(config.PONTE_PUBLIC_URL)
  const tags = ['Widget Access Token']

  api.post(
    '/api/token/',
    {
      schema: {
        tags,
        summary: 'Generate a widget access token',
        operationId: 'GenerateWidgetAccessToken',
        body: WidgetTokenRequest,
        description: 'Answers `access` and `refresh` JWTs for the hosted widget. With `link_id`, the widget updates that link (new credentials or MFA token).',
        response: { 200: WidgetToken, ...errorResponses(400) },
      },
    },
    async (request) => issueWidgetToken(ctx, request.principal, verifier, request.body, { issuer }),
  )

  api.post(
    '/api/links/:id/token/',
    {
      schema: {
        tags,
        summary: 'Generate a widget access token for a link (deprecated)',
        operationId: 'GenerateLinkWidgetAccessToken',
        params: IdParams,
        body: LinkTokenRequest,
        description: 'The older form of `POST /api/token/` with `link_id`.',
        response: { 200: WidgetToken, ...errorResponses(400) },
      },
    },
    async (request) => issueLinkToken(ctx, request.principal, request.params.id, request.body, { issuer }),
  )
}
