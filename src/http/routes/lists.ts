import type { FastifyRequest } from 'fastify'
import type { Static, TObject, TSchema } from 'typebox'
import { parseFilters, type FilterField, type ListRequest } from '../../lib/list-query.ts'
import type { Api } from '../api.ts'
import { pageEnvelope, pageRequest } from '../plugins/pagination.ts'
import { errorResponses, listQuery, Paginated } from '../schemas/common.ts'

export interface ListRoute<Params extends TObject> {
  tags: string[]
  summary: string
  operationId: string
  description?: string
  /** The filters the list takes: its documented query parameters, and what parseFilters reads. */
  filters: readonly FilterField[]
  /** The schema of one item of `results`. */
  item: TSchema
  /** Path parameters (the id of the parent whose items are listed). */
  params?: Params
}

/** The request as a list's loader sees it: the caller, its request id and headers, the path and query parameters. */
export type ListCaller<Params extends TObject> = Pick<FastifyRequest, 'principal' | 'id' | 'headers'> & {
  params: Static<Params>
  query: Record<string, unknown>
}

/**
 * A hand-written paginated list (links, webhook endpoints, institutions; payments next): the
 * OpenAPI schema from its filters and item, then the page request, the filters (Belvo's 400 with
 * `field` for a malformed value), one page from `load`, and the envelope with absolute
 * `next`/`previous` links (a page past the end is a 404). `load` answers the page's items, already
 * in their wire form, and the total count.
 */
export function listRoute<Params extends TObject = TObject>(
  api: Api,
  path: string,
  route: ListRoute<Params>,
  load: (caller: ListCaller<Params>, list: ListRequest) => Promise<{ count: number; results: unknown[] }>,
): void {
  const { config } = api.deps
  api.get(
    path,
    {
      schema: {
        tags: route.tags,
        summary: route.summary,
        operationId: route.operationId,
        ...(route.description === undefined ? {} : { description: route.description }),
        ...(route.params ? { params: route.params } : {}),
        querystring: listQuery(route.filters),
        response: { 200: Paginated(route.item), ...errorResponses(400) },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>
      const page = pageRequest(query, config.PONTE_DEFAULT_PAGE_SIZE)
      const result = await load(request as unknown as ListCaller<Params>, { conditions: parseFilters(query, route.filters), page })
      return pageEnvelope(request, config.PONTE_PUBLIC_URL, result, page)
    },
  )
}
