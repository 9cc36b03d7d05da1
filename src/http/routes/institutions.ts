import type { Api } from '../../app.ts'
import { getInstitution, INSTITUTION_FILTERS, listInstitutions } from '../../domain/institutions.ts'
import { parseFilters } from '../../store/filters.ts'
import { pageEnvelope, pageRequest } from '../plugins/pagination.ts'
import { errorResponses, IdParams, listQuery, Paginated, ProjectionQuery } from '../schemas/common.ts'
import { Institution } from '../schemas/institution.ts'

export function institutionRoutes(api: Api): void {
  const { db, config } = api.deps

  api.get('/api/institutions/', {
    schema: {
      tags: ['Institutions'], summary: 'List institutions', operationId: 'ListInstitutions',
      querystring: listQuery(INSTITUTION_FILTERS),
      response: { 200: Paginated(Institution), ...errorResponses() },
    },
  }, async (request) => {
    const page = pageRequest(request.query, config.PONTE_DEFAULT_PAGE_SIZE)
    const result = await listInstitutions(db, parseFilters(request.query, INSTITUTION_FILTERS), page)
    return pageEnvelope(request, config.PONTE_PUBLIC_URL, result, page)
  })

  api.get('/api/institutions/:id/', {
    schema: {
      tags: ['Institutions'], summary: "Get an institution's details", operationId: 'DetailInstitution',
      params: IdParams, querystring: ProjectionQuery,
      response: { 200: Institution, ...errorResponses() },
    },
  }, async (request) => getInstitution(db, request.params.id))
}
