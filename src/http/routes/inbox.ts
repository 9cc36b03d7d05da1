import { Type } from 'typebox'
import type { Api } from '../api.ts'
import {
  clearInbox,
  getInboxMessage,
  INBOX_CAPACITY,
  INBOX_MESSAGE_FILTERS,
  INBOX_PATH,
  inboxMessageWire,
  inboxUrl,
  listInboxMessages,
  receiveInboxMessage,
} from '../../domain/inbox.ts'
import { inboxPage } from '../pages/inbox.ts'
import { baseUrl } from '../plugins/pagination.ts'
import { errorResponses, IdParams, ProjectionQuery } from '../schemas/common.ts'
import { html } from './mock-bank.ts'
import { listRoute } from './lists.ts'

const tags = ['Sandbox']

const InboxMessage = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Unique identifier of the message.' }),
  received_at: Type.String({ format: 'date-time', description: 'When the inbox received it.' }),
  webhook_id: Type.Union([Type.String(), Type.Null()], { description: 'The X-Ponte-Event-Id header: the event id.' }),
  webhook_type: Type.Union([Type.String(), Type.Null()], { description: "The body's webhook_type, when it is a JSON object with one." }),
  webhook_code: Type.Union([Type.String(), Type.Null()], { description: "The body's webhook_code, when it is a JSON object with one." }),
  signature: Type.Union([Type.Literal('valid'), Type.Literal('invalid'), Type.Literal('missing')], {
    description:
      'valid: X-Ponte-Signature matches the secret of one of your endpoints whose URL is this inbox; invalid: it matches none; missing: no signature header.',
  }),
  endpoint_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'The endpoint whose secret signed it, when valid.' }),
  headers: Type.Record(Type.String(), Type.String(), { description: 'The request headers as received (Authorization masked).' }),
  body: Type.Unknown({ description: 'The body: parsed when it is JSON, the text otherwise.' }),
})

const Inbox = Type.Object({
  url: Type.String({ description: 'The receiver URL: register it with POST /api/webhooks/ to see your webhooks here.' }),
  page: Type.String({ description: 'The HTML page that lists what the inbox received.' }),
  capacity: Type.Integer({ description: 'How many messages the inbox keeps (the newest).' }),
})

/**
 * The sandbox's webhook inbox (issue 18), for the caller's organization: its receiver URL, what it
 * received (JSON list and detail, and an HTML page for the browser), and a way to empty it. The
 * receiver itself has no secret key (Ponte's dispatcher has none): inboxReceiverRoutes.
 */
export function inboxRoutes(api: Api): void {
  const ctx = api.deps.domain
  const origin = (request: Parameters<typeof baseUrl>[0]) => baseUrl(request, api.deps.config.PONTE_PUBLIC_URL)

  api.get(
    INBOX_PATH,
    {
      schema: {
        tags,
        summary: "Your organization's webhook inbox",
        operationId: 'DetailSandboxInbox',
        description: 'Ponte addition. A receiver URL served by Ponte itself, for local development without a tunnel.',
        response: { 200: Inbox, ...errorResponses() },
      },
    },
    async (request) => ({
      url: inboxUrl(ctx.cipher, origin(request), request.principal.organizationId),
      page: `${origin(request)}${INBOX_PATH}page/`,
      capacity: INBOX_CAPACITY,
    }),
  )

  listRoute(
    api,
    `${INBOX_PATH}messages/`,
    {
      tags,
      summary: 'List what the webhook inbox received, newest first',
      operationId: 'ListSandboxInboxMessages',
      filters: INBOX_MESSAGE_FILTERS,
      item: InboxMessage,
    },
    async (caller, list) => {
      const { count, rows } = await listInboxMessages(ctx, caller.principal, list)
      return { count, results: rows.map(inboxMessageWire) }
    },
  )

  api.get(
    `${INBOX_PATH}messages/:id/`,
    {
      schema: {
        tags,
        summary: 'Get one message of the webhook inbox',
        operationId: 'DetailSandboxInboxMessage',
        params: IdParams,
        querystring: ProjectionQuery,
        response: { 200: InboxMessage, ...errorResponses() },
      },
    },
    async (request) => inboxMessageWire(await getInboxMessage(ctx, request.principal, request.params.id)),
  )

  api.delete(
    `${INBOX_PATH}messages/`,
    {
      schema: {
        tags,
        summary: 'Empty the webhook inbox',
        operationId: 'ClearSandboxInbox',
        response: { 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      await clearInbox(ctx, request.principal)
      return reply.code(204).send(null)
    },
  )

  api.get(
    `${INBOX_PATH}page/`,
    {
      schema: {
        tags,
        summary: 'The webhook inbox as an HTML page',
        operationId: 'SandboxInboxPage',
        description: 'The newest 100 messages, each with its headers, body and signature check. A browser asks for the secret key (Basic auth).',
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      const { rows } = await listInboxMessages(ctx, request.principal, { conditions: [], page: { page: 1, pageSize: 100 } })
      return html(reply, 200, inboxPage(inboxUrl(ctx.cipher, origin(request), request.principal.organizationId), rows.map(inboxMessageWire)))
    },
  )
}

/**
 * The inbox's receiver: POST /sandbox/inbox/{token}/, no secret key (the token names the
 * organization and cannot be forged). Registered in a scope of its own (app.ts) that reads every
 * body as text, whatever its type, because the signature covers the exact bytes sent.
 */
export function inboxReceiverRoutes(api: Api): void {
  const ctx = api.deps.domain
  api.removeAllContentTypeParsers()
  api.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body))
  api.post(`${INBOX_PATH}:token/`, { schema: { hide: true, params: Type.Object({ token: Type.String({ maxLength: 200 }) }) } }, async (request, reply) => {
    await receiveInboxMessage(ctx, request.params.token, { headers: request.headers, body: typeof request.body === 'string' ? request.body : '' })
    return reply.code(204).send()
  })
}
