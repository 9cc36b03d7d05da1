import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { CONFIDENCE_LEVELS, INCOME_TYPES } from '../../domain/enrichment/incomes.ts'
import { verifyIncomes, type IncomeVerificationRequest } from '../../domain/income-verification.ts'
import { belvoRef } from '../schemas/belvo.ts'
import { errorResponses } from '../schemas/common.ts'

/** Ponte takes up to 20,000 transactions per request (Belvo documents 10,000). */
export const MAX_EYOD_TRANSACTIONS = 20_000
/** Room for 20,000 transactions with long descriptions, whatever the server's default body limit. */
const EYOD_BODY_LIMIT = 32 * 1024 * 1024

const literals = (values: readonly string[]) => Type.Union(values.map((value) => Type.Literal(value)))
const DAY = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD.' })

/** 1.35.0 `EyodIncomeVerificationBodyRequest`. */
const IncomeVerificationTransaction = Type.Object({
  transaction_id: Type.String({ minLength: 1, maxLength: 256, description: 'Your unique id of the transaction.' }),
  account_holder_type: literals(['INDIVIDUAL']),
  account_holder_id: Type.String({
    pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    description: 'Your id of the account holder (a UUID).',
  }),
  account_id: Type.String({ minLength: 1, maxLength: 256, description: 'Your id of the account.' }),
  account_category: literals(['CHECKING_ACCOUNT', 'SAVINGS_ACCOUNT']),
  value_date: DAY,
  description: Type.String({ maxLength: 1024 }),
  type: Type.Union([Type.Literal('INFLOW'), Type.Null()], { description: 'INFLOW (or null): incomes come in.' }),
  amount: Type.Number({ minimum: 0, maximum: 9_999_999_999.99 }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code.' }),
  institution: Type.String({ minLength: 1, maxLength: 256 }),
})

/** 1.35.0 `EyodIncomeVerificationRequest`. */
const IncomeVerificationBody = Type.Object({
  language: Type.String({ pattern: '^[a-z]{2}$', description: 'ISO 639-1 code of the descriptions’ language.' }),
  transactions: Type.Array(IncomeVerificationTransaction, { minItems: 1, maxItems: MAX_EYOD_TRANSACTIONS }),
  date_from: Type.Optional(DAY),
  date_to: Type.Optional(DAY),
  allowed_income_types: Type.Optional(Type.Union([Type.Array(literals(INCOME_TYPES)), Type.Null()])),
  minimum_confidence_level: Type.Optional(Type.Union([literals(CONFIDENCE_LEVELS), Type.Null()])),
})

/** Income Verification on the customer's own transactions (INVENTORY 3.3): no link, nothing stored. */
export function incomeVerificationRoutes(api: Api): void {
  const ctx = api.deps.domain
  api.post(
    '/api/enrich/incomes/',
    {
      bodyLimit: EYOD_BODY_LIMIT,
      schema: {
        tags: ['Income Verification'],
        summary: 'Verify incomes',
        operationId: 'VerifyIncome',
        body: IncomeVerificationBody,
        description:
          "Finds the income streams in your own transactions (up to 20,000 per request) and answers one Belvo `Income` per account holder (`link` is the holder's id). Each stream also names its `transaction_ids` and the `rule` that made it.",
        response: { 200: Type.Array(belvoRef('multiregion', 'Income')), ...errorResponses(400, 403) },
      },
    },
    async (request) => verifyIncomes(ctx, request.body as IncomeVerificationRequest),
  )
}
