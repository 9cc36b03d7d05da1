import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { SANDBOX_EVENTS, simulate } from '../../domain/sandbox.ts'
import { fireWebhook } from '../../domain/sandbox-webhooks.ts'
import { errorResponses, IdParams } from '../schemas/common.ts'

export function sandboxRoutes(api: Api): void {
  api.post(
    '/sandbox/links/:id/simulate/',
    {
      schema: {
        tags: ['Sandbox'],
        summary: 'Make the next refresh of a recurrent sandbox link report a change',
        operationId: 'SimulateSandboxLinkEvent',
        description:
          'Ponte addition. new_accounts, new_transactions, transactions_updated, transactions_deleted, invalid_credentials or token_required: a recurrent update runs at once and sends the matching webhook.',
        params: IdParams,
        body: Type.Object({
          event: Type.Union(
            SANDBOX_EVENTS.map((e) => Type.Literal(e)),
            { description: 'What the institution will report.' },
          ),
        }),
        response: { 202: Type.Object({ request_id: Type.String() }), ...errorResponses(400) },
      },
    },
    async (request, reply) => reply.code(202).send(await simulate(api.deps.domain, request.principal, request.params.id, request.body.event)),
  )

  api.post(
    '/sandbox/webhooks/',
    {
      schema: {
        tags: ['Sandbox'],
        summary: 'Send a webhook now, for a link or a payments object',
        operationId: 'FireSandboxWebhook',
        description:
          'Ponte addition. Any webhook Belvo documents, with the same payload, headers and signing as the real ones, to every endpoint that takes its type. ' +
          "Link webhooks (`link`): a resource of the link's institution with `historical_update` (its stored totals); ACCOUNTS `new_accounts_available`; " +
          'TRANSACTIONS `new_transactions_available`, `transactions_updated`, `transactions_deleted`; LINK `invalid_credentials`, `token_required`, `link_deleted`; ' +
          'CONSENT `openfinance_consent_about_to_expire`. Payments webhooks (`object_id`): PAYMENT_INTENTS, CHARGES, ENROLLMENTS, PAYMENT_AUTHORIZATIONS `STATUS_UPDATE`, ' +
          'TRANSACTIONS and BANK_ACCOUNTS `OBJECT_CREATED`, repeating the newest one sent for the object. Nothing stored changes.',
        body: Type.Object({
          webhook_type: Type.String({ minLength: 1, maxLength: 50, description: 'Such as TRANSACTIONS, LINK or PAYMENT_INTENTS.' }),
          webhook_code: Type.String({ minLength: 1, maxLength: 60, description: 'Such as historical_update, token_required or STATUS_UPDATE.' }),
          link: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The link a link webhook is about.' })),
          object_id: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The payments object a payments webhook is about.' })),
          data: Type.Optional(
            Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
              description: 'Replaces the event\'s data (for example `{"new_transactions": 12}`).',
            }),
          ),
        }),
        response: {
          202: Type.Object({
            webhook_id: Type.String({ description: 'The event id (X-Ponte-Event-Id).' }),
            payload: Type.Record(Type.String(), Type.Unknown(), { description: 'The exact body every endpoint receives.' }),
          }),
          ...errorResponses(400),
        },
      },
    },
    async (request, reply) => reply.code(202).send(await fireWebhook(api.deps.domain, request.principal, request.body)),
  )
}
