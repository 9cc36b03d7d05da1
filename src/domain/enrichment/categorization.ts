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

export function categorizeOwnTransactions(body: CategorizationBody): { transactions: Record<string, unknown>[] } {
  checkEyodTransactions(body.transactions)
  const txs = fromEyodTransactions(body.transactions)
  const out = new Array<Record<string, unknown>>(txs.length)
  for (let i = 0; i < txs.length; i++) {
    const item = body.transactions[i]
    const result = categorize(txs[i])
    const merchant = result.merchant
    // The fields of `CategorizationBodyRequest` as sent, in Belvo's order, then the answer.
    out[i] = {
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
  return { transactions: out }
}
