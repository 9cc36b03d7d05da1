import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { eyodRecurringExpenses } from '../../domain/enrichment/recurring-records.ts'
import { belvoItemSchema } from '../schemas/belvo.ts'
import { errorResponses } from '../schemas/common.ts'
import { CategorizationRequest, EYOD_BODY_LIMIT_BYTES } from '../schemas/enrichment.ts'

/**
 * `POST /api/enrich/recurring-expenses/`: Ponte's addition in the style of Belvo's "enrich your own
 * data" endpoints. The body is Belvo's categorization request (1.35.0 `CategorizationRequest`:
 * `language`, `transactions`), the answer a list of Belvo `RecurringExpenses` (account null),
 * found by the method of docs/enrichment.md ("Recurring expenses").
 */

export function enrichRecurringRoutes(api: Api): void {
  const { clock } = api.deps
  api.post(
    '/api/enrich/recurring-expenses/',
    {
      bodyLimit: EYOD_BODY_LIMIT_BYTES,
      schema: {
        tags: ['Recurring Expenses'],
        summary: 'Find the recurring expenses in your own transactions',
        operationId: 'EnrichRecurringExpenses',
        description:
          "Ponte addition. The body of Belvo's categorization (`language`, `transactions`, up to 20,000); the answer lists Belvo's `RecurringExpenses` " +
          '(MONTHLY, as Belvo identifies) with `account` null, and `predicted_next_date`, `confidence` and `rule` saying how each was found. ' +
          "A bad item is refused with Belvo's 400 naming it, e.g. `transactions.3.amount`.",
        body: CategorizationRequest,
        response: { 200: Type.Array(belvoItemSchema({ ofda: ['RecurringExpenses'] })), ...errorResponses(400, 403, 413) },
      },
    },
    async (request) => eyodRecurringExpenses(request.body.transactions, clock.now().toISOString().slice(0, 10)),
  )
}
