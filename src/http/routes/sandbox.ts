import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { SANDBOX_EVENTS, simulate } from '../../domain/sandbox.ts'
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
}
