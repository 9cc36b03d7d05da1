import { Type } from 'typebox'

/**
 * The bodies of the "enrich your own data" endpoints (Belvo 1.35.0 `CategorizationRequest`,
 * `EyodIncomeVerificationRequest`), checked field by field: a bad item is Belvo's 400 naming its
 * path (`transactions.3.amount`). What a schema cannot say (real calendar days, unique ids, the MCC
 * of card transactions) the domain checks next (checkEyodTransactions).
 */

/** Belvo documents 10,000 transactions per request; Ponte accepts up to twice that. */
export const EYOD_MAX_TRANSACTIONS = 20_000

/** Bodies of 20,000 transactions weigh several megabytes: EYOD routes take up to this many bytes. */
export const EYOD_BODY_LIMIT_BYTES = 32 * 1024 * 1024

const nonBlank = (description: string, example?: string) => Type.String({ minLength: 1, description, ...(example ? { examples: [example] } : {}) })

export const EyodLanguage = Type.String({
  pattern: '^[a-zA-Z]{2}$',
  description: 'Two-letter ISO 639-1 code for the language of the transactions (`es`, `pt`, `en`).',
  examples: ['pt'],
})
export const EyodDate = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'The date when the transaction occurred, in `YYYY-MM-DD` format.',
  examples: ['2022-11-18'],
})
export const EyodAmount = Type.Number({
  description: 'The transaction amount, greater than 0 (the direction is in `type`).',
  examples: [650.89],
})
export const EyodCurrency = Type.String({ pattern: '^[A-Z]{3}$', description: 'The currency, in ISO-4217 format (BRL, COP, MXN).', examples: ['BRL'] })

/** One item of `CategorizationRequest.transactions` (Belvo's `CategorizationBodyRequest`). */
export const CategorizationTransaction = Type.Object(
  {
    transaction_id: nonBlank('Your unique ID for the transaction.', '3CWE4927CF15355'),
    account_holder_type: Type.Union([Type.Literal('INDIVIDUAL'), Type.Literal('BUSINESS')], { description: 'The type of account holder.' }),
    account_holder_id: nonBlank('Your unique ID for the account holder.', '7890098789087'),
    account_id: nonBlank('Your unique ID for the account where the transaction occurred.', 'BBVACA-89077589'),
    account_category: Type.Union(
      [Type.Literal('CHECKING_ACCOUNT'), Type.Literal('CREDIT_CARD'), Type.Literal('LOAN_ACCOUNT'), Type.Literal('SAVINGS_ACCOUNT')],
      {
        description: 'The type of account.',
      },
    ),
    value_date: EyodDate,
    description: nonBlank('The description of the transaction.', 'APPL3STORE'),
    type: Type.Union([Type.Literal('INFLOW'), Type.Literal('OUTFLOW')], { description: 'The direction of the transaction.' }),
    amount: EyodAmount,
    currency: EyodCurrency,
    institution: nonBlank('The institution where the account is registered (your name for it).', 'BBVA'),
    mcc: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: 9999 }), Type.Null()], {
        description: 'The four-digit ISO 18245 Merchant Category Code. Required when `account_category` is `CREDIT_CARD` (null when the card has none).',
        examples: [5732],
      }),
    ),
  },
  { additionalProperties: true },
)

export const CategorizationRequest = Type.Object({
  language: EyodLanguage,
  transactions: Type.Array(CategorizationTransaction, {
    minItems: 1,
    maxItems: EYOD_MAX_TRANSACTIONS,
    description: `The transactions to categorize, each one unique. Belvo documents up to 10,000 per request; Ponte accepts up to ${EYOD_MAX_TRANSACTIONS.toLocaleString('en-US')}.`,
  }),
})
