import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import type { Api } from '../api.ts'
import { connectWidgetLink, describeWidgetSession, resumeWidgetLink, updateWidgetLink, widgetInstitutions } from '../../domain/widget-session.ts'
import { refreshWidgetToken, widgetTokenIssuer } from '../../domain/widget-tokens.ts'
import { requireScope } from '../plugins/widget-auth.ts'
import { errorResponses, IdParams } from '../schemas/common.ts'
import { WidgetToken } from '../schemas/token.ts'
import {
  WidgetConnection,
  WidgetInstitutions,
  WidgetInstitutionsQuery,
  WidgetLinkRequest,
  WidgetLinkResume,
  WidgetLinkUpdate,
  WidgetRefreshRequest,
  WidgetSession,
  WidgetTokenRequired,
} from '../schemas/widget.ts'

/** Checks the token's scope before the body is validated: a token that may not act gets its 403 first. */
const scope = (name: string) => (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
  requireScope(request.widget.session, name)
  done()
}

/**
 * The connect widget's JSON API, authenticated by the widget access token (widgetAuth, added to
 * this scope by app.ts). Thin: each route is one call of domain/widget-session.ts.
 */
export function widgetApiRoutes(api: Api): void {
  const ctx = api.deps.domain
  const tags = ['Connect widget']
  const security = [{ widgetAccessToken: [] }]
  const linkAnswers = { ...errorResponses(400, 403, 428), 428: WidgetTokenRequired }

  api.get(
    '/widget/api/session',
    {
      schema: {
        tags,
        security,
        summary: "The widget token's configuration",
        operationId: 'WidgetSession',
        description: 'Mode (create or update), scopes, expiry, link settings and the `widget` object of the access token.',
        response: { 200: WidgetSession, ...errorResponses() },
      },
    },
    // The stored `widget` object was validated by WidgetConfig when the token was issued.
    async (request) => (await describeWidgetSession(ctx, request.widget)) as Static<typeof WidgetSession>,
  )

  const issuer = widgetTokenIssuer(api.deps.config.PONTE_PUBLIC_URL)
  api.post(
    '/widget/api/session/refresh',
    {
      // Authenticated by the refresh token in the body: the access token may have expired.
      config: { widgetAuth: false },
      schema: {
        tags,
        security: [],
        summary: 'Renew the widget tokens',
        operationId: 'WidgetRefreshToken',
        description:
          'Exchanges the refresh token for a new access and refresh pair of the same configuration, so a slow MFA or consent flow outlives the 10-minute access token. Each refresh token works once; the previous access token stops working. The issuance still ends when the first refresh token would have expired.',
        body: WidgetRefreshRequest,
        response: { 200: WidgetToken, ...errorResponses(400) },
      },
    },
    async (request) => refreshWidgetToken(ctx, request.body.refresh, { issuer }),
  )

  api.get(
    '/widget/api/institutions',
    {
      preValidation: scope('read_institutions'),
      schema: {
        tags,
        security,
        summary: 'Institutions the widget may offer',
        operationId: 'WidgetListInstitutions',
        description:
          "Filtered by the parameters and by the token: in update mode only the link's institution; with fetch_resources only institutions offering them. Open Finance institutions (`integration_type: openfinance`) connect through a consent. Needs the read_institutions scope.",
        querystring: WidgetInstitutionsQuery,
        response: { 200: WidgetInstitutions, ...errorResponses(400, 403) },
      },
    },
    async (request) => ({ results: await widgetInstitutions(ctx, request.widget, request.query) }),
  )

  api.post(
    '/widget/api/links',
    {
      preValidation: scope('write_links'),
      schema: {
        tags,
        security,
        summary: 'Connect an account: register a link',
        operationId: 'WidgetRegisterLink',
        description:
          "Registers the link with the token's fetch_resources, stale_in, credentials_storage (and access_mode, external_id) and starts its historical update. A 428 asks for the MFA token (with `qr_image` for a QR challenge). On success the access token is spent. Needs the write_links scope.",
        body: WidgetLinkRequest,
        response: { 201: WidgetConnection, ...linkAnswers },
      },
    },
    async (request, reply) => reply.code(201).send(await connectWidgetLink(ctx, request.widget, request.body)),
  )

  api.post(
    '/widget/api/links/resume',
    {
      preValidation: scope('write_links'),
      schema: {
        tags,
        security,
        summary: 'Answer the MFA token request of a link',
        operationId: 'WidgetResumeLink',
        description: 'The session and link of the 428, and the token the user entered. On success the access token is spent.',
        body: WidgetLinkResume,
        response: { 200: WidgetConnection, ...linkAnswers },
      },
    },
    async (request) => resumeWidgetLink(ctx, request.widget, request.body),
  )

  api.put(
    '/widget/api/links/:id',
    {
      preValidation: scope('write_links'),
      schema: {
        tags,
        security,
        summary: "Update mode: new credentials for the token's link",
        operationId: 'WidgetUpdateLink',
        description: 'Only the link the token was issued for (any other id is a 404). On success the access token is spent.',
        params: IdParams,
        body: WidgetLinkUpdate,
        response: { 200: WidgetConnection, ...linkAnswers },
      },
    },
    async (request) => updateWidgetLink(ctx, request.widget, request.params.id, request.body),
  )
}
