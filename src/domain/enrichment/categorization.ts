import { checkEyodTransactions, fromEyodTransactions, type EyodTransaction } from './adapters.ts'
import { categorize } from './categorize.ts'

/**
 * `POST /api/categorization/` (Belvo 1.35.0 `CategorizationRequest` → `Categorization`): the
 * customer's own transactions, each answered as sent plus Belvo's `category`, `subcategory` and
 * `merchant`, and Ponte's `confidence` and `rule` (room Belvo's `CategorizationBody` leaves: it
 * allows more properties). Nothing is stored, as Belvo stores nothing for EYOD.
 *
 * `language` is required and checked, but changes nothing: Belvo's categories are an English
 * enum, and descriptions are read in Spanish and Portuguese whatever the language says.
 */

export interface CategorizationBody {
  language: string
  transactions: EyodTransaction[]
}

/** The fields of `CategorizationBodyRequest`, echoed in this order. */
const ECHOED = [
  'transaction_id',
  'account_holder_type',
  'account_holder_id',
  'account_id',
  'account_category',
  'value_date',
  'description',
  'type',
  'amount',
  'currency',
  'institution',
] as const

export function categorizeOwnTransactions(body: CategorizationBody): { transactions: Record<string, unknown>[] } {
  checkEyodTransactions(body.transactions)
  const txs = fromEyodTransactions(body.transactions)
  return {
    transactions: body.transactions.map((item, i) => {
      const result = categorize(txs[i])
      const echo: Record<string, unknown> = {}
      for (const key of ECHOED) echo[key] = item[key]
      return {
        ...echo,
        mcc: item.mcc ?? null,
        category: result.category,
        subcategory: result.subcategory,
        merchant: result.merchant ? { logo: result.merchant.logo, website: result.merchant.website, merchant_name: result.merchant.name } : null,
        confidence: result.confidence,
        rule: result.rule,
      }
    }),
  }
}
