import type { InstitutionRecord } from '../../connectors/types.ts'
import type { FilterField } from '../../lib/list-query.ts'
import { PonteError } from '../../lib/errors.ts'
import type { DeriveRequest } from '../resource-spec.ts'
import { accountCategoriesOf, checkEyodTransactions, fromEyodTransactions, toEnrichTransactions, type EyodTransaction } from './adapters.ts'
import { belvoRecurringExpenses } from './recurring-belvo.ts'
import { recurringMemo } from './recurring.ts'

/**
 * The records of a link's `/api/recurring-expenses/` (enrichment.ts): computed from the
 * connector's TRANSACTIONS records, each tied to the account of its latest payment.
 */

/** Belvo's list filters of the enrichment resources: link, account and id, each `=` or `__in`. */
export const ACCOUNT_FILTERS_OF_RECORDS: FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'link', source: { column: 'link_id' }, type: 'uuid', lookups: ['exact', 'in'], description: 'The link the data belongs to' },
  { param: 'account', source: { column: 'account_id' }, type: 'uuid', lookups: ['exact', 'in'] },
]

/**
 * The link's recurring expenses as records: keyed (`internal_identification`) by payee, currency,
 * frequency and order of amount, so a later retrieve updates the same record instead of adding
 * another.
 */
export function recurringExpenseRecords(records: InstitutionRecord[], request: DeriveRequest): InstitutionRecord[] {
  const txs = toEnrichTransactions(records, request.shape, accountCategoriesOf(request.accounts))
  const found = belvoRecurringExpenses(txs, { today: request.today })
  const seen = new Map<string, number>()
  return found
    .sort((a, b) => a.expense.medianTransactionAmount - b.expense.medianTransactionAmount)
    .map(({ expense, wire }) => {
      const key = `${expense.payeeKey}|${expense.currency}|${expense.frequency}`
      const index = seen.get(key) ?? 0
      seen.set(key, index + 1)
      return {
        internal_identification: `recurring-expense|${key}|${index}`,
        account_internal_identification: expense.accountId,
        ...wire,
      }
    })
    .sort((a, b) => b.transactions.at(-1)!.value_date.localeCompare(a.transactions.at(-1)!.value_date) || a.name.localeCompare(b.name))
}

/**
 * `POST /api/enrich/recurring-expenses/` (Ponte's addition, "enrich your own data"): the customer's
 * own transactions (1.35.0 `CategorizationRequest` items, shape-checked by the route) and the
 * recurring expenses in them, in Belvo's shape with `account: null` (there is no Belvo account).
 * Items are checked as every EYOD body's (checkEyodTransactions: calendar days, unique ids, the
 * MCC of card transactions), and not after `today`: Belvo's 400 naming the item
 * (`transactions.3.value_date`).
 */
export function eyodRecurringExpenses(items: readonly EyodTransaction[], today: string): Record<string, unknown>[] {
  checkEyodTransactions(items)
  // Transactions after today would be left out silently (nothing after today counts): refuse them.
  const future = items.findIndex((item) => item.value_date > today)
  if (future >= 0) throw new PonteError('invalid', { field: `transactions.${future}.value_date`, params: { detail: 'value_date cannot be in the future.' } })
  // One body may hold many people's transactions: each holder's series are found among their own
  // payments only (two people paying one streaming service are two subscriptions, never one).
  const byHolder = new Map<string, EyodTransaction[]>()
  for (const item of items) {
    const holder = String(item.account_holder_id ?? '')
    const list = byHolder.get(holder)
    if (list) list.push(item)
    else byHolder.set(holder, [item])
  }
  const answer: Record<string, unknown>[] = []
  const memo = recurringMemo()
  for (const [holder, own] of byHolder) {
    for (const { expense, wire } of belvoRecurringExpenses(fromEyodTransactions(own), { today, memo })) {
      // Belvo's shape names no transaction: the customer's own ids say whose series it is and which payments.
      answer.push({
        account: null,
        ...wire,
        transactions: wire.transactions.map((t, i) => ({ transaction_id: expense.transactionIds[i], ...t })),
        account_holder_id: holder || null,
        account_id: expense.accountId,
      })
    }
  }
  return answer
}
