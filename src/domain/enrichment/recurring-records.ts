import type { InstitutionRecord } from '../../connectors/types.ts'
import type { FilterField } from '../../lib/list-query.ts'
import { isCalendarDay } from '../../lib/dates.ts'
import { PonteError, PonteErrors } from '../../lib/errors.ts'
import type { FetchRequest } from '../resource-spec.ts'
import { accountCategoriesOf, fromEyodTransactions, toEnrichTransactions, type EyodTransaction } from './adapters.ts'
import { belvoRecurringExpenses } from './recurring-belvo.ts'

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
 * The connector's transaction records in Belvo's wire fields of the institution's shape: only
 * Open Finance Brasil's `TransactionOpenFinanceBrazil` has `operation_type`.
 */
function shapeOf(records: InstitutionRecord[]) {
  return records.some((record) => 'operation_type' in record) ? 'ofda' : 'multiregion'
}

/**
 * The link's recurring expenses as records: keyed (`internal_identification`) by payee, currency,
 * frequency and order of amount, so a later retrieve updates the same record instead of adding
 * another.
 */
export function recurringExpenseRecords(records: InstitutionRecord[], request: FetchRequest): InstitutionRecord[] {
  const txs = toEnrichTransactions(records, shapeOf(records), accountCategoriesOf(request.accounts))
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
 * Dates must be real calendar days, not after `today`, and transaction ids unique: Belvo's 400
 * naming the item (`transactions.3.value_date`).
 */
export function eyodRecurringExpenses(items: readonly EyodTransaction[], today: string): Record<string, unknown>[] {
  const errors: PonteError[] = []
  const ids = new Set<string>()
  items.forEach((item, i) => {
    if (!isCalendarDay(item.value_date)) {
      errors.push(
        new PonteError('invalid', {
          field: `transactions.${i}.value_date`,
          params: { detail: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.' },
        }),
      )
    } else if (item.value_date > today) {
      errors.push(new PonteError('invalid', { field: `transactions.${i}.value_date`, params: { detail: 'value_date cannot be in the future.' } }))
    }
    if (ids.has(item.transaction_id)) {
      errors.push(new PonteError('invalid', { field: `transactions.${i}.transaction_id`, params: { detail: 'transaction_id must be unique in the request.' } }))
    }
    ids.add(item.transaction_id)
    if (item.account_category === 'CREDIT_CARD' && item.mcc === undefined) errors.push(new PonteError('required', { field: `transactions.${i}.mcc` }))
  })
  if (errors.length === 1) throw errors[0]
  if (errors.length > 1) throw new PonteErrors(errors.slice(0, 100))
  return belvoRecurringExpenses(fromEyodTransactions(items), { today }).map(({ wire }) => ({ account: null, ...wire }))
}
