import { Type } from 'typebox'
import type { Api } from '../api.ts'
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookDelivery,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  WEBHOOK_DELIVERY_FILTERS,
  WEBHOOK_ENDPOINT_FILTERS,
  webhookDeliveryWire,
  webhookEndpointWire,
} from '../../domain/webhooks.ts'
import { errorResponses, IdParams, ProjectionQuery } from '../schemas/common.ts'
import { DeliveryParams, WebhookCreate, WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret, WebhookPatch } from '../schemas/webhook.ts'
import { listRoute } from './lists.ts'

/**
 * Webhook endpoints and their deliveries. Belvo has no such API (its dashboard configures
 * webhooks); Ponte's follows Belvo's conventions: secret-key auth, pagination, filters, errors.
 */
export function webhookRoutes(api: Api): void {
  const ctx = api.deps.domain
  const tags = ['Webhooks']

  api.post(
    '/api/webhooks/',
    {
      schema: {
        tags,
        summary: 'Register a webhook endpoint',
        operationId: 'CreateWebhookEndpoint',
        body: WebhookCreate,
        querystring: ProjectionQuery,
        description: 'Answers with the signing `secret`, which is shown only here (and by rotate-secret).',
        response: { 201: WebhookEndpointWithSecret, ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const { endpoint, secret } = await createWebhookEndpoint(ctx, request.principal, request.body)
      return reply.code(201).send({ ...webhookEndpointWire(endpoint), secret })
    },
  )

  listRoute(
    api,
    '/api/webhooks/',
    {
      tags,
      summary: 'List webhook endpoints',
      operationId: 'ListWebhookEndpoints',
      filters: WEBHOOK_ENDPOINT_FILTERS,
      item: WebhookEndpoint,
    },
    async (caller, list) => {
      const { count, rows } = await listWebhookEndpoints(ctx, caller.principal, list)
      return { count, results: rows.map(webhookEndpointWire) }
    },
  )

  api.get(
    '/api/webhooks/:id/',
    {
      schema: {
        tags,
        summary: 'Get a webhook endpoint',
        operationId: 'DetailWebhookEndpoint',
        params: IdParams,
        querystring: ProjectionQuery,
        response: { 200: WebhookEndpoint, ...errorResponses() },
      },
    },
    async (request) => webhookEndpointWire(await getWebhookEndpoint(ctx, request.principal, request.params.id)),
  )

  api.patch(
    '/api/webhooks/:id/',
    {
      schema: {
        tags,
        summary: 'Change a webhook endpoint',
        operationId: 'PatchWebhookEndpoint',
        params: IdParams,
        body: WebhookPatch,
        response: { 200: WebhookEndpoint, ...errorResponses(400) },
      },
    },
    async (request) => webhookEndpointWire(await updateWebhookEndpoint(ctx, request.principal, request.params.id, request.body)),
  )

  api.delete(
    '/api/webhooks/:id/',
    {
      schema: {
        tags,
        summary: 'Delete a webhook endpoint and its deliveries',
        operationId: 'DestroyWebhookEndpoint',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      await deleteWebhookEndpoint(ctx, request.principal, request.params.id)
      return reply.code(204).send(null)
    },
  )

  api.post(
    '/api/webhooks/:id/rotate-secret/',
    {
      schema: {
        tags,
        summary: "Replace a webhook endpoint's signing secret",
        operationId: 'RotateWebhookSecret',
        params: IdParams,
        description: 'The old secret stops at once; the new one is shown only in this response.',
        response: { 200: WebhookEndpointWithSecret, ...errorResponses() },
      },
    },
    async (request) => {
      const { endpoint, secret } = await rotateWebhookSecret(ctx, request.principal, request.params.id)
      return { ...webhookEndpointWire(endpoint), secret }
    },
  )

  listRoute(
    api,
    '/api/webhooks/:id/deliveries/',
    {
      tags,
      summary: "List a webhook endpoint's deliveries",
      operationId: 'ListWebhookDeliveries',
      params: IdParams,
      filters: WEBHOOK_DELIVERY_FILTERS,
      item: WebhookDelivery,
    },
    async (caller, list) => {
      const { count, rows } = await listWebhookDeliveries(ctx, caller.principal, caller.params.id, list)
      return { count, results: rows.map(webhookDeliveryWire) }
    },
  )

  api.get(
    '/api/webhooks/deliveries/:delivery_id/',
    {
      schema: {
        tags,
        summary: 'Get a webhook delivery with its attempts',
        operationId: 'DetailWebhookDelivery',
        params: DeliveryParams,
        querystring: ProjectionQuery,
        response: { 200: WebhookDelivery, ...errorResponses() },
      },
    },
    async (request) => webhookDeliveryWire(await getWebhookDelivery(ctx, request.principal, request.params.delivery_id)),
  )

  api.post(
    '/api/webhooks/deliveries/:delivery_id/redeliver/',
    {
      schema: {
        tags,
        summary: 'Send a webhook delivery again',
        operationId: 'RedeliverWebhook',
        params: DeliveryParams,
        description: 'Makes the delivery pending and due now, with its attempt count reset. The event id (X-Ponte-Event-Id) stays the same.',
        response: { 202: WebhookDelivery, ...errorResponses() },
      },
    },
    async (request, reply) => {
      const delivery = await redeliverWebhook(ctx, request.principal, request.params.delivery_id)
      return reply.code(202).send(webhookDeliveryWire(delivery))
    },
  )
}
