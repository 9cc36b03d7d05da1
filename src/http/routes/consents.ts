import type { Api } from '../api.ts'
import { CONSENT_FILTERS, getConsent, listConsents } from '../../domain/consents.ts'
import { errorResponses, IdParams, ProjectionQuery } from '../schemas/common.ts'
import { Consent } from '../schemas/consent.ts'
import { listRoute } from './lists.ts'

/** GET /api/consents/ and /api/consents/{id}/ (Belvo's Open Finance Brasil consents). */
export function consentRoutes(api: Api): void {
  const ctx = api.deps.domain
  const tags = ['Consents']

  listRoute(
    api,
    '/api/consents/',
    {
      tags,
      summary: 'List consents',
      operationId: 'ListConsents',
      description: "The consents of one user: `user_document` (the person's CPF or the business's CNPJ) is required.",
      filters: CONSENT_FILTERS,
      item: Consent,
    },
    (caller, list) => listConsents(ctx, caller.principal, list),
  )

  api.get(
    '/api/consents/:id/',
    {
      schema: {
        tags,
        summary: "Get a consent's details",
        operationId: 'DetailConsent',
        params: IdParams,
        querystring: ProjectionQuery,
        response: { 200: Consent, ...errorResponses() },
      },
    },
    async (request) => getConsent(ctx, request.principal, request.params.id),
  )
}
