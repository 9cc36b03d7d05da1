import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { eyodRecurringExpenses } from '../../domain/enrichment/recurring-records.ts'
import { belvoItemSchema } from '../schemas/belvo.ts'
import { errorResponses } from '../schemas/common.ts'

/**
 * `POST /api/enrich/recurring-expenses/`: Ponte's addition in the style of Belvo's "enrich your own
 * data" endpoints. The body is Belvo's categorization request (1.35.0 `CategorizationRequest`:
 * `language`, `transactions`), the answer a list of Belvo `RecurringExpenses` (account null),
 * found by the method of docs/enrichment.md ("Recurring expenses").
 */

/** The most transactions one request may carry. */
export const MAX_ENRICH_TRANSACTIONS = 20_000
/** 20,000 transactions of some 400 bytes each, with room to spare. */
const BODY_LIMIT_BYTES = 16 * 1024 * 1024

const DAY = '^\\d{4}-\\d{2}-\\d{2}$'

/** One item of the 1.35.0 `CategorizationBodyRequest`. */
const EnrichTransactionItem = Type.Object({
  transaction_id: Type.String({ minLength: 1, maxLength: 200, description: 'Your unique ID for the transaction.' }),
  account_holder_type: Type.Union([Type.Literal('INDIVIDUAL'), Type.Literal('BUSINESS')], { description: 'INDIVIDUAL or BUSINESS.' }),
  account_holder_id: Type.String({ minLength: 1, maxLength: 200, description: 'Your unique ID for the account holder.' }),
  account_id: Type.String({ minLength: 1, maxLength: 200, description: 'Your unique ID for the account.' }),
  account_category: Type.Union([Type.Literal('CHECKING_ACCOUNT'), Type.Literal('CREDIT_CARD'), Type.Literal('LOAN_ACCOUNT'), Type.Literal('SAVINGS_ACCOUNT')], {
    description: 'The type of account.',
  }),
  value_date: Type.String({ pattern: DAY, description: 'When the transaction occurred (YYYY-MM-DD), not in the future.' }),
  description: Type.String({ maxLength: 1000, description: 'The description of the transaction.' }),
  type: Type.Union([Type.Literal('INFLOW'), Type.Literal('OUTFLOW')], { description: 'INFLOW or OUTFLOW.' }),
  amount: Type.Number({ minimum: 0, description: 'The transaction amount, positive (the direction is `type`).' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO-4217 currency code, such as BRL, COP, MXN.' }),
  institution: Type.String({ minLength: 1, maxLength: 200, description: 'The institution, as your system names it.' }),
  mcc: Type.Optional(
    Type.Union([Type.Integer({ minimum: 0, maximum: 9999 }), Type.Null()], { description: 'The ISO 18245 merchant category code; required for CREDIT_CARD.' }),
  ),
})

/** Belvo's 1.35.0 `CategorizationRequest`, with Ponte's limit of transactions. */
export const EnrichRecurringExpensesRequest = Type.Object({
  language: Type.String({ pattern: '^[a-z]{2}$', description: 'Two-letter ISO 639-1 code of the descriptions (es, pt, en).' }),
  transactions: Type.Array(EnrichTransactionItem, {
    maxItems: MAX_ENRICH_TRANSACTIONS,
    description: `Your transactions, up to ${MAX_ENRICH_TRANSACTIONS.toLocaleString('en')}, of any accounts of one account holder.`,
  }),
})

export function enrichRecurringRoutes(api: Api): void {
  const { clock } = api.deps
  api.post(
    '/api/enrich/recurring-expenses/',
    {
      bodyLimit: BODY_LIMIT_BYTES,
      schema: {
        tags: ['Recurring Expenses'],
        summary: 'Find the recurring expenses in your own transactions',
        operationId: 'EnrichRecurringExpenses',
        description:
          "Ponte addition. The body of Belvo's categorization (`language`, `transactions`, up to 20,000); the answer lists Belvo's `RecurringExpenses` " +
          '(MONTHLY, as Belvo identifies) with `account` null, and `predicted_next_date`, `confidence` and `rule` saying how each was found. ' +
          "A bad item is refused with Belvo's 400 naming it, e.g. `transactions.3.amount`.",
        body: EnrichRecurringExpensesRequest,
        response: { 200: Type.Array(belvoItemSchema({ ofda: ['RecurringExpenses'] })), ...errorResponses(400, 413) },
      },
    },
    async (request) => eyodRecurringExpenses(request.body.transactions, clock.now().toISOString().slice(0, 10)),
  )
}
