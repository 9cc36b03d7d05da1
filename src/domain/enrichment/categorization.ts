import { checkEyodTransactions, fromEyodTransaction, type EyodTransaction } from './adapters.ts'
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

/**
 * The checks of a body a schema cannot make (checkEyodTransactions): a body that passes them is
 * answered in full, each item by `categorizationItem` as the route writes it. Categorizing item by
 * item while writing keeps nothing of the 20,000 readings alive past its slice of the answer: the
 * garbage collector never copies them, which was the largest cost of a large request.
 */
export function checkCategorizationBody(body: CategorizationBody): void {
  checkEyodTransactions(body.transactions)
}

/**
 * One item of the answer: the fields of `CategorizationBodyRequest` as sent, in Belvo's order,
 * then Belvo's category, subcategory and merchant of the transaction.
 */
export function categorizationItem(item: EyodTransaction): Record<string, unknown> {
  const result = categorize(fromEyodTransaction(item))
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
