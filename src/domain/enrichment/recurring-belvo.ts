import { findRecurringExpenses, type RecurringExpense, type RecurringFrequency, type RecurringOptions } from './recurring.ts'
import type { EnrichTransaction } from './transactions.ts'

/**
 * Recurring expenses in Belvo's `RecurringExpenses` shape (1.223.0), for a link's resource
 * (enrichment.ts) and the "enrich your own data" endpoint (http/routes/enrich-recurring.ts).
 *
 * Belvo's `frequency` has one value: "Belvo only identifies MONTHLY frequencies"
 * (EnumRecurringExpenseFrequency). The method finds weekly, biweekly, quarterly and yearly series
 * too (findRecurringExpenses returns them all), but an answer in Belvo's shape carries only the
 * frequencies Belvo's enum has, so a Belvo client never meets a value it cannot parse; and only
 * the series still running (`active`): one with no payment for over two periods looks cancelled,
 * and Belvo's `days_since_last_transaction` is read as "days until the next charge".
 * Where Belvo's shape leaves room, each object also says how it was found:
 * `predicted_next_date`, `confidence` and `rule` (Ponte's additions, docs/enrichment.md).
 */

/** The frequencies Belvo's `EnumRecurringExpenseFrequency` has. */
export const BELVO_FREQUENCIES: ReadonlySet<RecurringFrequency> = new Set(['MONTHLY'])

/** One recurring expense in Belvo's wire fields, without its `account` (the caller knows it). */
export interface RecurringExpenseWire {
  name: string
  transactions: { amount: number; description: string; value_date: string }[]
  frequency: RecurringFrequency
  average_transaction_amount: number
  median_transaction_amount: number
  days_since_last_transaction: number
  category: string
  payment_type: 'SUBSCRIPTION' | 'REGULAR'
  predicted_next_date: string
  confidence: number
  rule: string
}

export function toRecurringExpenseWire(expense: RecurringExpense): RecurringExpenseWire {
  return {
    name: expense.name,
    transactions: expense.transactions.map((t) => ({ amount: t.amount, description: t.description, value_date: t.valueDate })),
    frequency: expense.frequency,
    average_transaction_amount: expense.averageTransactionAmount,
    median_transaction_amount: expense.medianTransactionAmount,
    days_since_last_transaction: expense.daysSinceLastTransaction,
    category: expense.category,
    payment_type: expense.paymentType,
    predicted_next_date: expense.nextDate,
    confidence: expense.confidence,
    rule: expense.rule,
  }
}

/** The running recurring expenses Belvo's shape can carry (see the module comment), with the method's own result. */
export function belvoRecurringExpenses(txs: EnrichTransaction[], options: RecurringOptions): { expense: RecurringExpense; wire: RecurringExpenseWire }[] {
  return findRecurringExpenses(txs, options)
    .filter((expense) => BELVO_FREQUENCIES.has(expense.frequency) && expense.active)
    .map((expense) => ({ expense, wire: toRecurringExpenseWire(expense) }))
}
