import { Type } from 'typebox'
import type { Api } from '../api.ts'
import {
  deleteLink,
  deleteLinkAsync,
  describeLink,
  describeLinks,
  getLinkRow,
  refreshLink,
  LINK_FILTERS,
  listLinks,
  patchLink,
  registerLink,
  resumeLink,
  updateLinkCredentials,
} from '../../domain/links.ts'
import { enforceDeleteLimit } from '../../domain/resources.ts'
import { Accepted, AsyncHeaders, errorResponses, IdParams, isAsync, ProjectionQuery } from '../schemas/common.ts'
import { Link, LinkPatch, LinkRegister, LinkUpdate, ResumeBody, TokenRequired } from '../schemas/link.ts'
import { listRoute } from './lists.ts'

export function linkRoutes(api: Api): void {
  const ctx = api.deps.domain
  const tags = ['Links']

  api.post(
    '/api/links/',
    {
      schema: {
        tags,
        summary: 'Register a new link',
        operationId: 'RegisterLink',
        body: LinkRegister,
        querystring: ProjectionQuery,
        response: { 201: Type.Ref('Link'), ...errorResponses(400, 428), 428: TokenRequired },
      },
    },
    async (request, reply) => {
      const link = await registerLink(ctx, request.principal, request.body)
      return reply.code(201).send(await describeLink(ctx, link))
    },
  )

  listRoute(
    api,
    '/api/links/',
    { tags, summary: 'List links', operationId: 'ListLinks', filters: LINK_FILTERS, item: Type.Ref('Link') },
    async (caller, list) => {
      const { count, rows } = await listLinks(ctx, caller.principal, list)
      return { count, results: await describeLinks(ctx, rows) }
    },
  )

  api.patch(
    '/api/links/',
    {
      schema: {
        tags,
        summary: 'Complete a link registration that asked for a token (MFA)',
        operationId: 'PatchLinks',
        body: ResumeBody,
        response: { 200: Type.Ref('Link'), ...errorResponses(400, 428), 428: TokenRequired },
      },
    },
    async (request) => describeLink(ctx, await resumeLink(ctx, request.principal, request.body)),
  )

  api.get(
    '/api/links/:id/',
    {
      schema: {
        tags,
        summary: "Get a link's details",
        operationId: 'DetailLink',
        params: IdParams,
        querystring: ProjectionQuery,
        response: { 200: Type.Ref('Link'), ...errorResponses() },
      },
    },
    async (request) => describeLink(ctx, await getLinkRow(ctx, request.principal, request.params.id)),
  )

  api.put(
    '/api/links/:id/',
    {
      schema: {
        tags,
        summary: "Update a link's credentials",
        operationId: 'UpdateLink',
        params: IdParams,
        body: LinkUpdate,
        response: { 200: Type.Ref('Link'), ...errorResponses(400, 428), 428: TokenRequired },
      },
    },
    async (request) => describeLink(ctx, await updateLinkCredentials(ctx, request.principal, request.params.id, request.body)),
  )

  api.patch(
    '/api/links/:id/',
    {
      schema: {
        tags,
        summary: "Change a link's access mode, data retention or resources",
        operationId: 'ModifyLinkDataRetrieval',
        params: IdParams,
        body: LinkPatch,
        response: { 200: Type.Ref('Link'), ...errorResponses(400) },
      },
    },
    async (request) => describeLink(ctx, await patchLink(ctx, request.principal, request.params.id, request.body)),
  )

  api.delete(
    '/api/links/:id/',
    {
      schema: {
        tags,
        summary: 'Delete a link and all its data',
        operationId: 'DestroyLink',
        params: IdParams,
        headers: AsyncHeaders,
        response: { 202: Accepted, 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      if (isAsync(request.headers)) {
        // Async deletion is not rate limited (Belvo) and confirms with a LINK link_deleted webhook.
        await deleteLinkAsync(ctx, request.principal, request.params.id, request.id)
        return reply.code(202).send({ request_id: request.id })
      }
      await enforceDeleteLimit(ctx, request.principal, 'links')
      await deleteLink(ctx, request.principal, request.params.id)
      return reply.code(204).send(null)
    },
  )

  api.post(
    '/api/links/:id/refresh/',
    {
      schema: {
        tags,
        summary: "Refresh a link's data in the background",
        operationId: 'RefreshHistoricalDataForLink',
        params: IdParams,
        description:
          'Fetches the resources again and sends historical_update webhooks with the returned request_id. At most once every 10 minutes per link (409 link_refreshed).',
        body: Type.Object({ fetch_resources: Type.Optional(Type.Array(Type.String({ minLength: 1 }))) }),
        response: { 202: Accepted, ...errorResponses(400, 409) },
      },
    },
    async (request, reply) => {
      await refreshLink(ctx, request.principal, request.params.id, request.body, request.id)
      return reply.code(202).send({ request_id: request.id })
    },
  )
}
