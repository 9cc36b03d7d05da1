import { getInstitution, INSTITUTION_FILTERS, listInstitutions } from '../../domain/institutions.ts'
import type { Api } from '../api.ts'
import { errorResponses, IdParams, ProjectionQuery } from '../schemas/common.ts'
import { Institution } from '../schemas/institution.ts'
import { listRoute } from './lists.ts'

export function institutionRoutes(api: Api): void {
  const { db } = api.deps.domain

  listRoute(
    api,
    '/api/institutions/',
    {
      tags: ['Institutions'],
      summary: 'List institutions',
      operationId: 'ListInstitutions',
      filters: INSTITUTION_FILTERS,
      item: Institution,
    },
    (_caller, list) => listInstitutions(db, list),
  )

  api.get(
    '/api/institutions/:id/',
    {
      schema: {
        tags: ['Institutions'],
        summary: "Get an institution's details",
        operationId: 'DetailInstitution',
        params: IdParams,
        querystring: ProjectionQuery,
        response: { 200: Institution, ...errorResponses() },
      },
    },
    async (request) => getInstitution(db, request.params.id),
  )
}
