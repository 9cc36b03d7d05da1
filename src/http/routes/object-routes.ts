import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Static, TObject, TSchema } from 'typebox'
import type { Api } from '../api.ts'
import type { PaymentsCaller } from '../../domain/payments/audit.ts'
import { IDEMPOTENCY_HEADER, type IdempotentResult } from '../../domain/payments/idempotency.ts'
import { errorResponses, IdParams, ProjectionQuery } from '../schemas/common.ts'
import { IdempotencyHeaders } from '../schemas/payments.ts'

/**
 * The two route shapes the payments APIs repeat for every object (customers, bank accounts,
 * intents, transactions, links ...): "get one by its id" and "create one, at most once per
 * Belvo-Idempotency-Key". Each is its OpenAPI schema plus a one-line handler; lists have
 * listRoute (lists.ts).
 */

interface RouteDoc {
  tags: string[]
  summary: string
  operationId: string
  description?: string
}

export interface DetailRoute<Params extends TObject> extends RouteDoc {
  /** The answer's schema. */
  item: TSchema
  /** Path parameters: `{id}` unless said otherwise. */
  params?: Params
  /** Request headers the answer depends on (X-Belvo-API-Resource-Version). */
  headers?: TSchema
  /** The 4xx answers besides 401/404 (`errorResponses`). */
  errors?: number[]
}

/** The request as a detail's loader sees it: the caller, its headers and the typed path parameters. */
export type DetailRequest<Params extends TObject> = FastifyRequest & { params: Static<Params> }

/** GET `path`: one object in its wire form, `load`'s answer (a missing or foreign one is load's 404). */
export function detailRoute<Params extends TObject = typeof IdParams>(
  api: Api,
  path: string,
  route: DetailRoute<Params>,
  load: (request: DetailRequest<Params>) => Promise<unknown>,
): void {
  api.get(
    path,
    {
      schema: {
        ...documentation(route),
        params: route.params ?? IdParams,
        ...(route.headers ? { headers: route.headers } : {}),
        querystring: ProjectionQuery,
        response: { 200: route.item, ...errorResponses(...(route.errors ?? [])) },
      },
    },
    async (request) => load(request as DetailRequest<Params>),
  )
}

export interface CreateRoute extends RouteDoc {
  /** The request body's schema. */
  body: TSchema
  /** The created object's schema (the 201 answer). */
  item: TSchema
}

/**
 * POST `path`: a creation whose answer `create` makes once per Belvo-Idempotency-Key (through
 * domain/payments/idempotency.ts `idempotent`), sent with Belvo's idempotency headers.
 */
export function createRoute(api: Api, path: string, route: CreateRoute, create: (request: FastifyRequest) => Promise<IdempotentResult>): void {
  api.post(
    path,
    {
      schema: {
        ...documentation(route),
        headers: IdempotencyHeaders,
        body: route.body,
        response: { 201: route.item, ...errorResponses(400, 409, 422) },
      },
    },
    async (request, reply) => sendCreated(reply, await create(request)),
  )
}

function documentation(route: RouteDoc) {
  return {
    tags: route.tags,
    summary: route.summary,
    operationId: route.operationId,
    ...(route.description === undefined ? {} : { description: route.description }),
  }
}

export function callerOf(request: Pick<FastifyRequest, 'principal' | 'id' | 'headers'>): PaymentsCaller {
  return { organizationId: request.principal.organizationId, keyId: request.principal.keyId, requestId: request.id }
}

/** Sends a creation's answer with Belvo's idempotency headers when the request had a key. */
export function sendCreated(reply: FastifyReply, result: IdempotentResult) {
  if (result.idempotency) reply.header('Belvo-Idempotency-Key', result.idempotency.key).header('Belvo-Idempotency-Status', result.idempotency.status)
  // An answer made as JSON text already (it is stored with the key) is not serialized again.
  if (result.json !== undefined) return reply.code(result.status).type('application/json; charset=utf-8').send(result.json)
  return reply.code(result.status).send(result.body)
}

export function idempotencyKey(request: FastifyRequest): string | undefined {
  const value = request.headers[IDEMPOTENCY_HEADER]
  return Array.isArray(value) ? value[value.length - 1] : value
}
