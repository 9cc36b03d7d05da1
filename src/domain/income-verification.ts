import { isCalendarDay } from '../lib/dates.ts'
import { PonteError, PonteErrors } from '../lib/errors.ts'
import { uuidv7 } from '../lib/ids.ts'
import { fromEyodTransactions, type EyodTransaction } from './enrichment/adapters.ts'
import { findIncomeStreams, incomeBody, incomeStreamBody, summarizeIncomes, type IncomeOptions } from './enrichment/incomes.ts'
import type { DomainContext } from './context.ts'
import { incomeFilters } from './enrichment.ts'

/**
 * Belvo's Income Verification on the customer's own transactions (INVENTORY 3.3, `POST
 * /api/enrich/incomes/`, 1.35.0 `EyodIncomeVerificationRequest`): no link, nothing stored. The
 * body's shape is checked by the route's schema; this checks what a schema cannot (real calendar
 * days, unique transaction ids, the period) with the `field` path of the item at fault, and answers
 * one Belvo `Income` per account holder, computed by the income method (enrichment/incomes.ts).
 */

/** One item of the body, as the route's schema lets it through. */
export interface IncomeVerificationItem extends EyodTransaction {
  account_holder_type: string
  account_holder_id: string
  institution: string
}

export interface IncomeVerificationRequest {
  language: string
  transactions: IncomeVerificationItem[]
  date_from?: string
  date_to?: string
  allowed_income_types?: string[] | null
  minimum_confidence_level?: string | null
}

const DAY_MS = 86_400_000
/** "Within the last 365 days": the longest period analysed, and the default one. */
const MAX_DAYS = 365

/**
 * The period analysed: `date_from` and `date_to` both or neither, in order, `date_to` not after
 * today, at most a year. Without them, the year up to the latest transaction (not after today):
 * the customer's data may end before today.
 */
function period(request: IncomeVerificationRequest, today: string): { dateFrom: string; dateTo: string } {
  const { date_from: from, date_to: to } = request
  for (const [field, value] of [
    ['date_from', from],
    ['date_to', to],
  ] as const) {
    if (value !== undefined && !isCalendarDay(value)) {
      throw new PonteError('invalid', { field, params: { detail: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.' } })
    }
  }
  if ((from === undefined) !== (to === undefined)) throw new PonteError('required', { field: from === undefined ? 'date_from' : 'date_to' })
  if (from !== undefined && to !== undefined) {
    if (to > today) throw new PonteError('invalid', { field: 'date_to', variant: 'future_date' })
    if (from > to) throw new PonteError('invalid', { field: 'date_from', variant: 'date_order' })
    if ((Date.parse(to) - Date.parse(from)) / DAY_MS > MAX_DAYS) {
      throw new PonteError('invalid', { field: 'date_from', params: { detail: `date_from must be at most ${MAX_DAYS} days before date_to.` } })
    }
    return { dateFrom: from, dateTo: to }
  }
  const latest = request.transactions.reduce((max, tx) => (tx.value_date > max && tx.value_date <= today ? tx.value_date : max), '')
  const dateTo = latest || today
  return { dateFrom: new Date(Date.parse(dateTo) - MAX_DAYS * DAY_MS).toISOString().slice(0, 10), dateTo }
}

/** Item checks a schema cannot make: every one found, each with its path (`transactions.3.value_date`). */
function checkItems(items: readonly IncomeVerificationItem[]): void {
  const errors: PonteError[] = []
  const seen = new Set<string>()
  // A year holds a few hundred distinct dates: check each once.
  const days = new Map<string, boolean>()
  const isDay = (value: string) => {
    let valid = days.get(value)
    if (valid === undefined) days.set(value, (valid = isCalendarDay(value)))
    return valid
  }
  items.forEach((item, i) => {
    if (!isDay(item.value_date)) {
      errors.push(
        new PonteError('invalid', {
          field: `transactions.${i}.value_date`,
          params: { detail: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.' },
        }),
      )
    }
    // "Each object corresponds to one, unique transaction."
    if (seen.has(item.transaction_id)) {
      errors.push(new PonteError('invalid', { field: `transactions.${i}.transaction_id`, params: { detail: 'transaction_id is repeated in the request.' } }))
    }
    seen.add(item.transaction_id)
  })
  if (errors.length > 0) throw new PonteErrors(errors.slice(0, 100))
}

/**
 * The Income of each account holder in the body, in the order they first appear. Belvo's Income
 * names a link; here the account holder stands for it (`link` is the holder's id, a UUID as the
 * schema wants), and `institution` is the one most of the holder's transactions name.
 */
export function verifyIncomes(ctx: Pick<DomainContext, 'clock'>, request: IncomeVerificationRequest): Record<string, unknown>[] {
  const now = ctx.clock.now()
  const today = now.toISOString().slice(0, 10)
  checkItems(request.transactions)
  const window = period(request, today)
  const options: IncomeOptions = { today, ...window, ...incomeFilters(request as unknown as Record<string, unknown>) }

  const holders = new Map<string, IncomeVerificationItem[]>()
  for (const item of request.transactions) {
    const list = holders.get(item.account_holder_id)
    if (list) list.push(item)
    else holders.set(item.account_holder_id, [item])
  }
  const createdAt = now.toISOString()
  return [...holders].map(([holder, items]) => {
    const txs = fromEyodTransactions(items)
    const streams = findIncomeStreams(txs, options)
    const summary = summarizeIncomes(streams, txs, options)
    const institutions = new Map<string, number>()
    for (const item of items) institutions.set(item.institution, (institutions.get(item.institution) ?? 0) + 1)
    return {
      id: uuidv7(now.getTime()),
      link: holder,
      created_at: createdAt,
      institution: [...institutions].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0],
      ...incomeBody(summary),
      // Each stream explains itself where Belvo's shape leaves room: its transactions and its rule.
      income_streams: summary.streams.map((stream) => ({ ...incomeStreamBody(stream), transaction_ids: stream.transactionIds, rule: stream.rule })),
    }
  })
}
