import { Type } from 'typebox'
import type { Api } from '../api.ts'
import type { ResourceSpec } from '../../domain/registry.ts'
import { detail, list, listChildren, remove, resume, retrieve, retrieveAsync } from '../../domain/resources.ts'
import { parseFilters } from '../../lib/list-query.ts'
import { jsonItem, jsonPage, pageRequest } from '../plugins/pagination.ts'
import { belvoItemSchema, describeBelvoItems } from '../schemas/belvo.ts'
import { Accepted, AsyncHeaders, errorResponses, IdParams, isAsync, listQuery, Paginated, ProjectionQuery } from '../schemas/common.ts'
import { ResumeBody, TokenRequired } from '../schemas/link.ts'

const JSON_TYPE = 'application/json; charset=utf-8'

/**
 * The routes of a registered resource, from its spec: POST retrieve, PATCH resume (MFA), GET list,
 * GET detail, DELETE when it is deletable, and the list of a record's children when it has some.
 * A `single` resource (legacy portfolios) answers its POST with one object.
 */
export function resourceRoutes(api: Api, spec: ResourceSpec): void {
  const { config } = api.deps
  const ctx = api.deps.domain
  const base = spec.path
  const item = belvoItemSchema(spec.items)
  const tags = [spec.tag]
  const ids = spec.operationIds
  const single = spec.answer === 'single'
  const retrieved = single ? item : Type.Array(item)
  const respond = (result: { items: Record<string, unknown>[]; saved: boolean }) => (single ? (result.items[0] ?? {}) : result.items)

  api.post(
    base,
    {
      schema: {
        tags,
        summary: `Retrieve ${spec.name} from the institution`,
        operationId: ids.retrieve,
        body: spec.body,
        querystring: ProjectionQuery,
        description: `Fetches Belvo's ${describeBelvoItems(spec.items)} for a link. 201 when stored, 200 with save_data=false.${spec.async ? ' With X-Belvo-Request-Mode: async, 202 and a webhook.' : ''}`,
        ...(spec.async ? { headers: AsyncHeaders } : {}),
        response: { 200: retrieved, 201: retrieved, ...(spec.async ? { 202: Accepted } : {}), ...errorResponses(400, 428), 428: TokenRequired },
      },
    },
    async (request, reply) => {
      if (spec.async && isAsync(request.headers)) {
        await retrieveAsync(ctx, request.principal, spec, request.body as Record<string, unknown>, request.id)
        return reply.code(202).send({ request_id: request.id } as never)
      }
      const result = await retrieve(ctx, request.principal, spec, request.body as Record<string, unknown>)
      return reply.code(result.saved ? 201 : 200).send(respond(result) as never)
    },
  )

  api.patch(
    base,
    {
      schema: {
        tags,
        summary: `Resume a ${spec.name} retrieval that asked for a token (MFA)`,
        operationId: ids.resume,
        body: ResumeBody,
        response: { 200: retrieved, 201: retrieved, ...errorResponses(400, 428), 428: TokenRequired },
      },
    },
    async (request, reply) => {
      const result = await resume(ctx, request.principal, spec, request.body)
      return reply.code(result.saved ? 201 : 200).send(respond(result) as never)
    },
  )

  api.get(
    base,
    {
      schema: {
        tags,
        summary: `List ${spec.name}`,
        operationId: ids.list,
        querystring: listQuery(spec.filters),
        response: { 200: Paginated(item), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const page = pageRequest(request.query, config.PONTE_DEFAULT_PAGE_SIZE)
      const result = await list(ctx, request.principal, spec, parseFilters(request.query, spec.filters), page)
      return reply.type(JSON_TYPE).send(jsonPage(request, config.PONTE_PUBLIC_URL, result, page) as never)
    },
  )

  api.get(
    `${base}:id/`,
    {
      schema: {
        tags,
        summary: `Get one of the ${spec.name}`,
        operationId: ids.detail,
        params: IdParams,
        querystring: ProjectionQuery,
        response: { 200: item, ...errorResponses() },
      },
    },
    async (request, reply) => reply.type(JSON_TYPE).send(jsonItem(request, await detail(ctx, request.principal, spec, request.params.id)) as never),
  )

  const children = spec.children
  if (children) {
    api.get(
      `${base}:id/${children.path}/`,
      {
        schema: {
          tags,
          summary: `List the ${children.path} of one of the ${spec.name}`,
          operationId: children.operationId,
          params: IdParams,
          querystring: listQuery([]),
          response: { 200: Paginated(belvoItemSchema(children.items)), ...errorResponses() },
        },
      },
      async (request, reply) => {
        const page = pageRequest(request.query, config.PONTE_DEFAULT_PAGE_SIZE)
        const result = await listChildren(ctx, request.principal, spec, request.params.id, page)
        return reply.type(JSON_TYPE).send(jsonPage(request, config.PONTE_PUBLIC_URL, result, page) as never)
      },
    )
  }

  if (spec.deletable) {
    api.delete(
      `${base}:id/`,
      {
        schema: {
          tags,
          summary: `Delete one of the ${spec.name}`,
          operationId: ids.delete,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses() },
        },
      },
      async (request, reply) => {
        await remove(ctx, request.principal, spec, request.params.id)
        return reply.code(204).send(null)
      },
    )
  }
}
