import type { Api } from '../api.ts'
import { createConsent, getWidgetConsent, linkFromConsent } from '../../domain/consents.ts'
import { baseUrl } from '../plugins/pagination.ts'
import { requireScope } from '../plugins/widget-auth.ts'
import { errorResponses, IdParams } from '../schemas/common.ts'
import { Consent, ConsentCreate, ConsentCreated, ConsentLinkBody, ConsentLinkCreated } from '../schemas/consent.ts'

/**
 * The widget's consent calls (issue 15, Open Finance Brasil), under /widget/api/ and authenticated
 * by the widget access token (widgetAuth, registered on their scope in app.ts).
 */
export function widgetConsentRoutes(api: Api): void {
  const ctx = api.deps.domain
  const tags = ['Widget']
  // As widget-api's routes (routes/widget-api.ts): the scheme is declared in app.ts.
  const security = [{ widgetAccessToken: [] }]
  const origin = (request: Parameters<typeof baseUrl>[0]) => new URL(baseUrl(request, api.deps.config.PONTE_PUBLIC_URL)).origin

  api.post(
    '/widget/api/consents',
    {
      schema: {
        tags,
        summary: "Start a consent at an open-finance institution (the person authorises it on the institution's page)",
        operationId: 'WidgetCreateConsent',
        security,
        body: ConsentCreate,
        response: { 201: ConsentCreated, ...errorResponses(400, 403) },
      },
    },
    async (request, reply) => {
      requireScope(request.widget.session, 'write_consents')
      const created = await createConsent(ctx, request.widget.principal, request.widget.session, request.body, origin(request))
      return reply.code(201).send(created)
    },
  )

  api.get(
    '/widget/api/consents/:id',
    {
      schema: {
        tags,
        summary: 'A consent of this token: its status',
        operationId: 'WidgetDetailConsent',
        security,
        params: IdParams,
        response: { 200: Consent, ...errorResponses(403) },
      },
    },
    async (request) => getWidgetConsent(ctx, request.widget.principal, request.widget.session, request.params.id),
  )

  api.post(
    '/widget/api/consents/:id/link',
    {
      schema: {
        tags,
        summary: "The link of an authorised consent (update mode: the token's link, renewed)",
        operationId: 'WidgetConsentLink',
        security,
        params: IdParams,
        body: ConsentLinkBody,
        response: { 201: ConsentLinkCreated, ...errorResponses(400, 403) },
      },
    },
    async (request, reply) => {
      requireScope(request.widget.session, 'write_links')
      const created = await linkFromConsent(ctx, request.widget.principal, request.widget.session, request.params.id, request.body)
      return reply.code(201).send(created)
    },
  )
}
