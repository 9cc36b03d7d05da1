import { Type } from 'typebox'
import type { Api } from '../../app.ts'
import type { ResourceSpec } from '../../domain/registry.ts'
import { detail, list, listChildren, remove, resume, retrieve, retrieveAsync } from '../../domain/resources.ts'
import { parseFilters } from '../../store/filters.ts'
import { jsonItem, jsonPage, pageRequest } from '../plugins/pagination.ts'
import { CHILD_OPERATION_IDS, ITEM_SCHEMAS, itemSchema } from '../schemas/banking.ts'
import { Accepted, AsyncHeaders, errorResponses, IdParams, isAsync, listQuery, Paginated, ProjectionQuery } from '../schemas/common.ts'
import { ResumeBody, TokenRequired } from '../schemas/link.ts'

const JSON_TYPE = 'application/json; charset=utf-8'

/**
 * The five routes of a Belvo resource: POST retrieve, PATCH resume (MFA), GET list, GET detail,
 * DELETE. `single` resources (legacy portfolios) answer their POST with one object.
 */
export function resourceRoutes(api: Api, spec: ResourceSpec, options: { prefix?: string; tag: string; single?: boolean }): void {
  const { config } = api.deps
  const ctx = api.deps.domain
  const base = `${options.prefix ?? '/api'}/${spec.name}/`
  const item = itemSchema(spec.name)
  const tags = [options.tag]
  const retrieved = options.single ? item : Type.Array(item)
  const respond = (result: { items: Record<string, unknown>[]; saved: boolean }) => (options.single ? result.items[0] ?? {} : result.items)

  api.post(base, {
    schema: {
      tags, summary: `Retrieve ${spec.name} from the institution`, body: spec.body, querystring: ProjectionQuery,
      description: `Fetches ${ITEM_SCHEMAS[spec.name]} for a link. 201 when stored, 200 with save_data=false.${spec.async ? ' With X-Belvo-Request-Mode: async, 202 and a webhook.' : ''}`,
      ...(spec.async ? { headers: AsyncHeaders } : {}),
      response: { 200: retrieved, 201: retrieved, ...(spec.async ? { 202: Accepted } : {}), ...errorResponses(400, 428), 428: TokenRequired },
    },
  }, async (request, reply) => {
    if (spec.async && isAsync(request.headers)) {
      await retrieveAsync(ctx, request.principal, spec, request.body as Record<string, unknown>, request.id)
      return reply.code(202).send({ request_id: request.id } as never)
    }
    const result = await retrieve(ctx, request.principal, spec, request.body as Record<string, unknown>)
    return reply.code(result.saved ? 201 : 200).send(respond(result) as never)
  })

  api.patch(base, {
    schema: {
      tags, summary: `Resume a ${spec.name} retrieval that asked for a token (MFA)`, body: ResumeBody,
      response: { 200: retrieved, 201: retrieved, ...errorResponses(400, 428), 428: TokenRequired },
    },
  }, async (request, reply) => {
    const result = await resume(ctx, request.principal, spec, request.body)
    return reply.code(result.saved ? 201 : 200).send(respond(result) as never)
  })

  api.get(base, {
    schema: { tags, summary: `List ${spec.name}`, querystring: listQuery(spec.filters), response: { 200: Paginated(item), ...errorResponses(400) } },
  }, async (request, reply) => {
    const page = pageRequest(request.query, config.PONTE_DEFAULT_PAGE_SIZE)
    const result = await list(ctx, request.principal, spec, parseFilters(request.query, spec.filters), page)
    return reply.type(JSON_TYPE).send(jsonPage(request, config.PONTE_PUBLIC_URL, result, page) as never)
  })

  api.get(`${base}:id/`, {
    schema: { tags, summary: `Get one of the ${spec.name}`, params: IdParams, querystring: ProjectionQuery, response: { 200: item, ...errorResponses() } },
  }, async (request, reply) => reply.type(JSON_TYPE).send(jsonItem(request, await detail(ctx, request.principal, spec, request.params.id)) as never))

  if (spec.children) {
    const name = `${spec.name}/${spec.children.path}`
    api.get(`${base}:id/${spec.children.path}/`, {
      schema: {
        tags, summary: `List the ${spec.children.path} of one of the ${spec.name}`, operationId: CHILD_OPERATION_IDS[name], params: IdParams,
        querystring: listQuery([]), response: { 200: Paginated(itemSchema(name)), ...errorResponses() },
      },
    }, async (request, reply) => {
      const page = pageRequest(request.query, config.PONTE_DEFAULT_PAGE_SIZE)
      const result = await listChildren(ctx, request.principal, spec, request.params.id, page)
      return reply.type(JSON_TYPE).send(jsonPage(request, config.PONTE_PUBLIC_URL, result, page) as never)
    })
  }

  if (spec.deletable) {
    api.delete(`${base}:id/`, {
      schema: { tags, summary: `Delete one of the ${spec.name}`, params: IdParams, response: { 204: Type.Null(), ...errorResponses() } },
    }, async (request, reply) => {
      await remove(ctx, request.principal, spec, request.params.id)
      return reply.code(204).send(null)
    })
  }
}
