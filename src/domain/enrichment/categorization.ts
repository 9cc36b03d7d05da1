import { checkEyodTransactions, fromEyodTransactions, type EyodTransaction } from './adapters.ts'
import { categorize, type Categorized } from './categorize.ts'

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

/**
 * Belvo's category, subcategory and merchant of each of the body's transactions, in the body's
 * order (after the checks a schema cannot make, checkEyodTransactions). The answer's items are
 * `categorizationItem` of each, made by the route as it writes them.
 */
export function categorizeOwnTransactions(body: CategorizationBody): Categorized[] {
  checkEyodTransactions(body.transactions)
  const txs = fromEyodTransactions(body.transactions)
  const results = new Array<Categorized>(txs.length)
  for (let i = 0; i < txs.length; i++) results[i] = categorize(txs[i])
  return results
}

/** One item of the answer: the fields of `CategorizationBodyRequest` as sent, in Belvo's order, then the answer. */
export function categorizationItem(item: EyodTransaction, result: Categorized): Record<string, unknown> {
  const merchant = result.merchant
  return {
    transaction_id: item.transaction_id,
    account_holder_type: item.account_holder_type,
    account_holder_id: item.account_holder_id,
    account_id: item.account_id,
    account_category: item.account_category,
    value_date: item.value_date,
    description: item.description,
    type: item.type,
    amount: item.amount,
    currency: item.currency,
    institution: item.institution,
    mcc: item.mcc ?? null,
    category: result.category,
    subcategory: result.subcategory,
    merchant: merchant ? { logo: merchant.logo, website: merchant.website, merchant_name: merchant.name } : null,
    confidence: result.confidence,
    rule: result.rule,
  }
}
