import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { createFaultRule, deleteFaultRule, faultRuleWire, getFaultRule, HTTP_METHODS, listFaultRules } from '../../domain/sandbox-faults.ts'
import { FAULT_STATUSES, INSTITUTION_FAULTS, MAX_FAULT_LATENCY_MS } from '../../lib/faults.ts'
import { errorResponses, IdParams, ProjectionQuery } from '../schemas/common.ts'
import { listRoute } from './lists.ts'

const tags = ['Sandbox']
const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]))

const Match = Type.Object(
  {
    method: nullable(Type.String({ description: `A request rule: only this method (${HTTP_METHODS.join(', ')}).` })),
    path: nullable(Type.String({ maxLength: 200, description: 'A request rule: only paths that start with this, such as /api/transactions/.' })),
    link: nullable(Type.String({ description: 'Only requests about this link (its id in the path, body or query), or its logins.' })),
    institution: nullable(Type.String({ maxLength: 60, description: 'An institution_error rule: only logins at this institution.' })),
    webhook_type: nullable(Type.String({ maxLength: 50, description: 'A webhook rule: only events of this webhook_type (TRANSACTIONS, PAYMENT_INTENTS...).' })),
    resource: nullable(
      Type.String({
        maxLength: 50,
        description:
          'An institution_error rule: only the logins that fetch this resource (ACCOUNTS, TRANSACTIONS, OWNERS..., as in fetch_resources), in a request or a historical update, refresh or async request. token_required stops a historical update at that resource (the link turns token_required); any other error fails that resource alone, reported in its historical_update webhook, while the others are fetched (partial success).',
      }),
    ),
  },
  { description: 'What the rule applies to; absent or null: anything.' },
)

const Effect = Type.Object(
  {
    latency_ms: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: MAX_FAULT_LATENCY_MS }), Type.Null()], { description: 'The answer comes this much later.' }),
    ),
    status: Type.Optional(
      Type.Union([Type.Integer(), Type.Null()], {
        description: `Belvo's error with this status, and nothing done: ${Object.keys(FAULT_STATUSES).join(', ')}.`,
      }),
    ),
    institution_error: nullable(Type.String({ description: `The sandbox institution answers the login with this: ${INSTITUTION_FAULTS.join(', ')}.` })),
    webhook_delay_ms: Type.Optional(
      Type.Union([Type.Integer(), Type.Null()], {
        description: "The event's deliveries are due this much later (1 to 600000): a later event may overtake it.",
      }),
    ),
    webhook_duplicates: Type.Optional(
      Type.Union([Type.Integer(), Type.Null()], { description: 'The receiver gets each delivery this many more times (1 to 5), the same X-Ponte-Event-Id.' }),
    ),
    webhook_lost_answers: Type.Optional(
      Type.Union([Type.Integer(), Type.Null()], {
        description: "The receiver's first answers (1 to 5) count as lost: Ponte retries on its schedule, so the event arrives again.",
      }),
    ),
    webhook_reorder: Type.Optional(
      Type.Union([Type.Integer(), Type.Null()], {
        description:
          'Holds the next matching events (2 to 10; fewer when count runs out first, or the rule is deleted) and then sends them newest first, one after the other. Never applies to the events of a payments object, which keep their order.',
      }),
    ),
  },
  { description: 'latency_ms and/or status (a request rule), institution_error (a login rule), or webhook_ effects (a webhook rule).' },
)

const FaultRule = Type.Object({
  id: Type.String({ format: 'uuid' }),
  match: Type.Object({
    method: Type.Union([Type.String(), Type.Null()]),
    path: Type.Union([Type.String(), Type.Null()]),
    link: Type.Union([Type.String(), Type.Null()]),
    institution: Type.Union([Type.String(), Type.Null()]),
    webhook_type: Type.Union([Type.String(), Type.Null()]),
    resource: Type.Union([Type.String(), Type.Null()]),
  }),
  effect: Type.Object({
    latency_ms: Type.Union([Type.Integer(), Type.Null()]),
    status: Type.Union([Type.Integer(), Type.Null()]),
    institution_error: Type.Union([Type.String(), Type.Null()]),
    webhook_delay_ms: Type.Union([Type.Integer(), Type.Null()]),
    webhook_duplicates: Type.Union([Type.Integer(), Type.Null()]),
    webhook_lost_answers: Type.Union([Type.Integer(), Type.Null()]),
    webhook_reorder: Type.Union([Type.Integer(), Type.Null()]),
  }),
  remaining: Type.Union([Type.Integer(), Type.Null()], { description: 'How many more times it applies; null: until deleted.' }),
  probability: Type.Number({ description: 'The chance a matching request or login is affected.' }),
  matched: Type.Integer({ description: 'How many times it applied.' }),
  created_at: Type.String({ format: 'date-time' }),
})

/**
 * Sandbox fault rules (issue 18): the organization's standing faults for its own requests and its
 * links' logins at sandbox institutions. Requests under /sandbox/ are never faulted by a rule.
 */
export function sandboxFaultRoutes(api: Api): void {
  const ctx = api.deps.domain

  api.post(
    '/sandbox/faults/',
    {
      schema: {
        tags,
        summary: 'Add a fault rule',
        operationId: 'CreateSandboxFaultRule',
        description:
          'Ponte addition. A request rule (latency_ms, status) slows or fails the matching API requests; an institution_error rule makes a sandbox institution refuse the matching logins, in a request or in the background (historical updates, refreshes). The oldest matching rule applies; count spends one use per application.',
        body: Type.Object({
          match: Type.Optional(Type.Union([Match, Type.Null()])),
          effect: Effect,
          count: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'How many times it applies; absent: until deleted.' })),
          probability: Type.Optional(
            Type.Union([Type.Number(), Type.Null()], { description: 'The chance (more than 0, at most 1) a match is affected; 1 by default.' }),
          ),
        }),
        response: { 201: FaultRule, ...errorResponses(400) },
      },
    },
    async (request, reply) => reply.code(201).send(faultRuleWire(await createFaultRule(ctx, request.principal, request.body))),
  )

  listRoute(
    api,
    '/sandbox/faults/',
    { tags, summary: 'List the fault rules', operationId: 'ListSandboxFaultRules', filters: [], item: FaultRule },
    async (caller, list) => {
      const { count, rows } = await listFaultRules(ctx, caller.principal, list)
      return { count, results: rows.map(faultRuleWire) }
    },
  )

  api.get(
    '/sandbox/faults/:id/',
    {
      schema: {
        tags,
        summary: 'Get a fault rule',
        operationId: 'DetailSandboxFaultRule',
        params: IdParams,
        querystring: ProjectionQuery,
        response: { 200: FaultRule, ...errorResponses() },
      },
    },
    async (request) => faultRuleWire(await getFaultRule(ctx, request.principal, request.params.id)),
  )

  api.delete(
    '/sandbox/faults/:id/',
    {
      schema: {
        tags,
        summary: 'Delete a fault rule',
        operationId: 'DestroySandboxFaultRule',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      await deleteFaultRule(ctx, request.principal, request.params.id)
      return reply.code(204).send(null)
    },
  )

  api.delete(
    '/sandbox/faults/',
    { schema: { tags, summary: 'Delete every fault rule', operationId: 'DestroySandboxFaultRules', response: { 204: Type.Null(), ...errorResponses() } } },
    async (request, reply) => {
      await deleteFaultRule(ctx, request.principal)
      return reply.code(204).send(null)
    },
  )
}
