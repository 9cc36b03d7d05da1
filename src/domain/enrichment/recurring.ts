import { daysFromCivil } from '../../lib/dates.ts'
import { categorize } from './categorize.ts'
import { normalizeDescription, type EnrichTransaction } from './transactions.ts'

/**
 * Recurring expenses: the outflows a person pays again and again to the same payee at a regular
 * period (subscriptions, gym, rent, insurance, loan installments, a yearly domain renewal). A
 * pure function of the transactions and "today"; the method is written down in
 * docs/enrichment.md ("Recurring expenses"), and each result says which transactions, which rule
 * and which confidence.
 *
 * In short:
 * 1. Outflows only, without the ones that are money moved between the person's own accounts or
 *    a card bill paid from a bank account (an inflow of the same cents on another account within
 *    3 days, or a description that says so).
 * 2. Grouped by payee (the merchant the categorizer resolves, else the normalised description
 *    without generic banking words) and currency, then by amount band (amounts within 25% of
 *    the band's smallest), so two subscriptions at one merchant stay apart while a price rise
 *    stays in its series. A group whose bands show no period is tried whole (a bill whose amount
 *    varies, a price that changed by more than a band).
 * 3. Each candidate is walked against every period (weekly 7 days ±2, biweekly 14 ±3, monthly,
 *    quarterly and yearly by calendar months ±5, ±7 and ±10 days): a payment near the expected
 *    date joins the series, one at twice the period counts as one missed payment (at most one),
 *    one too early is an extra that is left out (at most one per five payments), and a longer
 *    gap ends the run. The run with most payments wins (then fewest extras and misses, then the longer period).
 * 4. Enough evidence: at least 3 payments (4 for weekly); quarterly and yearly also with 2 when
 *    the evidence is strong (see `strongPair`). Weekly and biweekly series must have steady
 *    amounts (a weekly supermarket trip is shopping, not a bill).
 */

export type RecurringFrequency = 'WEEKLY' | 'BIWEEKLY' | 'MONTHLY' | 'QUARTERLY' | 'YEARLY'

/** Belvo's recurring expense categories (EnumRecurringExpenseCategory). */
export const RECURRING_CATEGORIES = ['Bills & Utilities', 'Credits & Loans', 'Insurance', 'Online Platforms & Leisure', 'Transport & Travel', 'Taxes'] as const
export type RecurringCategory = (typeof RECURRING_CATEGORIES)[number]

/** What the categorizer says of a transaction that this method uses (a subset of categorize's `Categorized`). */
export interface PayeeInfo {
  category: string | null
  subcategory?: string | null
  merchant: { name: string } | null
}

export interface RecurringOptions {
  /** YYYY-MM-DD: the day `days_since_last_transaction` counts to and the next date is predicted from. */
  today: string
  /**
   * The categorizer: merchant names for grouping, categories for Belvo's `category`. Ponte's own
   * (categorize.ts) by default; `null` for none (the description alone).
   */
  categorize?: ((tx: EnrichTransaction) => PayeeInfo | null) | null
  /**
   * What the method remembers of descriptions and merchants (recurringMemo): a caller running it
   * for many people of one request (the EYOD endpoint, one call per account holder) shares one,
   * since people pay the same merchants under the same descriptions.
   */
  memo?: RecurringMemo
}

/** Per-description and per-merchant readings, valid for any transactions (nothing in them depends on the person). */
export interface RecurringMemo {
  readings: Map<string, { ownMoney: boolean; descriptionKey: string }>
  merchantKeys: Map<string, string>
  /** Ponte's categorizer, remembered (used when `categorize` is not given). */
  categorize: (tx: EnrichTransaction) => PayeeInfo
}

export function recurringMemo(): RecurringMemo {
  return { readings: new Map(), merchantKeys: new Map(), categorize: memoizedCategorize() }
}

export interface RecurringExpense {
  /** Easy-to-read payee name ("Netflix", "Smart Fit"). */
  name: string
  /** The grouping key: the resolved merchant or the normalised description. */
  payeeKey: string
  frequency: RecurringFrequency
  /** The account of the latest payment. */
  accountId: string
  currency: string
  /** The payments of the series, oldest first. */
  transactionIds: string[]
  transactions: { id: string; amount: number; description: string; valueDate: string }[]
  averageTransactionAmount: number
  medianTransactionAmount: number
  lastTransactionAmount: number
  lastDate: string
  daysSinceLastTransaction: number
  /** The next expected date (YYYY-MM-DD): the first not earlier than today less the period's tolerance. */
  nextDate: string
  /** false when more than one payment has been missed since the last one: the series looks cancelled. */
  active: boolean
  category: RecurringCategory
  paymentType: 'SUBSCRIPTION' | 'REGULAR'
  /** 0..1, by the formula in docs/enrichment.md. */
  confidence: number
  /** Which rule found it, in words. */
  rule: string
  missedPayments: number
}

interface Period {
  frequency: RecurringFrequency
  /** Fixed days (weekly, biweekly) or calendar months. */
  days?: number
  months?: number
  /** How many days off the expected date a payment may fall (weekends, holidays, month lengths). */
  tolerance: number
  minPayments: number
}

const PERIODS: readonly Period[] = [
  { frequency: 'WEEKLY', days: 7, tolerance: 2, minPayments: 4 },
  { frequency: 'BIWEEKLY', days: 14, tolerance: 3, minPayments: 3 },
  { frequency: 'MONTHLY', months: 1, tolerance: 5, minPayments: 3 },
  { frequency: 'QUARTERLY', months: 3, tolerance: 7, minPayments: 3 },
  { frequency: 'YEARLY', months: 12, tolerance: 10, minPayments: 3 },
]

const DAY_MS = 86_400_000
/** The number of two or four digits at `at` in a YYYY-MM-DD text (no slices, no Number(): it runs for every transaction). */
const digits2 = (date: string, at: number) => (date.charCodeAt(at) - 48) * 10 + date.charCodeAt(at + 1) - 48
const yearOf = (date: string) => digits2(date, 0) * 100 + digits2(date, 2)
/** YYYY-MM-DD to days since 1970-01-01 (no Date objects). */
const dayNumber = (date: string) => daysFromCivil(yearOf(date), digits2(date, 5), digits2(date, 8))
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10)

/** Days in a month (0-based month), by the Gregorian rule. */
function daysInMonth(year: number, month: number): number {
  if (month === 1) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
}

/**
 * The day `k` periods after a payment's (day numbers since 1970-01-01): fixed days, or calendar
 * months with the day clamped to the month's last (Jan 31 + 1 month = Feb 28). Numbers, not date
 * texts, and the payment's calendar date read once with it: this runs for every step of every walk.
 */
function advance(from: Payment, period: Period, k: number): number {
  if (!period.months) return from.day + period.days! * k
  const { year: y, month: m, date: d } = from
  const index = y * 12 + (m - 1) + period.months * k
  const year = Math.floor(index / 12)
  const month = index % 12
  return daysFromCivil(year, month + 1, Math.min(d, daysInMonth(year, month)))
}

const cents = (amount: number) => Math.round(amount * 100)
const fromCents = (value: number) => Math.round(value) / 100

/**
 * Outflows that are money moved between the person's own accounts or a card bill paid from an
 * account, by their words (Spanish, Portuguese, English). Generic banking vocabulary, not any
 * one bank's descriptions.
 */
const OWN_MONEY_WORDS =
  /\b(?:pago (?:de )?(?:tarjeta|tdc|tc)|pago (?:de )?(?:tu |su )?tarjeta|pagamento (?:de )?fatura|pagto fatura|pgto fatura|pag fatura|fatura (?:do )?cartao|credit card payment|card payment|transferencia (?:entre|a) (?:cuentas|contas) propias?|transferencia propia|entre (?:cuentas|contas) propias|traspaso (?:entre|a) (?:cuentas?|tarjeta)|transf(?:erencia)? (?:para|entre) contas?|mismo titular|mesma titularidade|own account|aplicacao|resgate|ahorro programado)\b/

/** Generic words before the payee's name that vary between banks ("COMPRA NETFLIX", "PAGO SMART FIT"). */
const LEADING_WORDS =
  /^(?:(?:compra|compras|pago|pagos|pagamento|pgto|pagto|cargo|cobro|debito|deb|automatico|aut|domiciliado|domiciliacion|recurrente|recorrente|en|a|de|do|da|no|na|al|el|la|con|tarjeta|tarj|cartao|credito|tdc|visa|master|mastercard|elo|pos|tef|ted|doc|purchase|payment|card|online|internet)\s+)+/

/**
 * The grouping key of an outflow: the resolved merchant (normalised once per name, `merchantKeys`
 * remembers them for the call), else the description's payee words (`descriptionKey`).
 */
function payeeKeyOf(tx: EnrichTransaction, descriptionKey: string, info: PayeeInfo | null, merchantKeys: Map<string, string>): string {
  const merchant = info?.merchant?.name ?? tx.merchantName
  if (merchant) {
    let key = merchantKeys.get(merchant)
    if (key === undefined) merchantKeys.set(merchant, (key = normalizeDescription(merchant)))
    if (key) return key
  }
  return descriptionKey
}

/** The normalised description's payee words: without generic banking words before the name. */
function descriptionKeyOf(normalized: string): string {
  return normalized.replace(LEADING_WORDS, '').trim() || normalized
}

/** "netflix com" → "Netflix Com"; a resolved merchant keeps its own spelling. */
function displayName(key: string, merchant: string | null): string {
  if (merchant) return merchant
  return key.replace(/\b\w/g, (c) => c.toUpperCase())
}

/**
 * Outflows paired with an inflow of the same cents on another of the person's accounts within 3
 * days: a transfer between own accounts, or a card bill paid from a bank account.
 */
function pairedWithOwnInflow(outflows: EnrichTransaction[], all: EnrichTransaction[]): Set<string> {
  const inflows = new Map<number, { tx: EnrichTransaction; day: number }[]>()
  for (const tx of all) {
    // A loan account's inflow is the installment the person paid: a real expense (Credits & Loans), not own money moving.
    if (tx.type !== 'INFLOW' || tx.accountCategory === 'LOAN_ACCOUNT') continue
    const key = cents(tx.amount)
    const entry = { tx, day: dayNumber(tx.valueDate) }
    const list = inflows.get(key)
    if (list) list.push(entry)
    else inflows.set(key, [entry])
  }
  const paired = new Set<string>()
  const used = new Set<EnrichTransaction>()
  for (const out of outflows) {
    const day = dayNumber(out.valueDate)
    const match = inflows
      .get(cents(out.amount))
      ?.find((inflow) => !used.has(inflow.tx) && inflow.tx.accountId !== out.accountId && Math.abs(inflow.day - day) <= 3)
    if (match) {
      used.add(match.tx)
      paired.add(out.id)
    }
  }
  return paired
}

interface Payment {
  tx: EnrichTransaction
  /** Days since 1970-01-01, and the same day's calendar date (month 1-12). */
  day: number
  year: number
  month: number
  date: number
  cents: number
  info: PayeeInfo | null
}

function paymentOf(tx: EnrichTransaction, info: PayeeInfo | null): Payment {
  const text = tx.valueDate
  const year = yearOf(text)
  const month = digits2(text, 5)
  const date = digits2(text, 8)
  return { tx, day: daysFromCivil(year, month, date), year, month, date, cents: cents(tx.amount), info }
}

/** Bands of amounts: each within 25% above its band's smallest amount. */
function amountBands(payments: Payment[]): Payment[][] {
  const sorted = [...payments].sort((a, b) => a.cents - b.cents)
  const bands: Payment[][] = []
  for (const payment of sorted) {
    const band = bands.at(-1)
    if (band && payment.cents <= band[0].cents * 1.25) band.push(payment)
    else bands.push([payment])
  }
  return bands.map((band) => band.sort(byDate))
}

// Ids compare by code unit, not localeCompare: ICU collation is slow, and any fixed order does for ties.
const byDate = (a: Payment, b: Payment) => a.day - b.day || (a.tx.id < b.tx.id ? -1 : a.tx.id > b.tx.id ? 1 : 0)

interface Run {
  period: Period
  members: Payment[]
  /** Days off the expected date, per member after the first. */
  drifts: number[]
  missed: number
  extras: number
  /** Where the walk stopped: the payment that did not fit, or the end. */
  stop: number
}

/**
 * The best run of `payments` at any period: most members, fewest extras and misses, then the
 * longer period. Walks start at each of the first three payments (a series may follow one or two
 * look-alikes) and again wherever a walk stopped (after a pause, or a stretch of look-alikes),
 * so each period costs about one pass over the payments.
 */
function bestRun(payments: Payment[]): Run | null {
  let best: { start: number; period: Period; score: number } | null = null
  const last = payments.length - 1
  // Walks are counted (no arrays: this runs for every amount band of every payee), and only the
  // best is walked again at the end to keep its members.
  const tried: number[] = []
  const queue: number[] = []
  for (const period of PERIODS) {
    tried.length = 0
    queue.length = 0
    for (let start = 0; start < 3 && start < last; start++) queue.push(start)
    for (let next = 0; next < queue.length; next++) {
      const start = queue[next]
      if (tried.includes(start)) continue
      tried.push(start)
      const counted = countWalk(payments, start, period)
      if (counted.stop < last && !tried.includes(counted.stop)) queue.push(counted.stop)
      if (!acceptableCounts(counted.members, counted.extras, counted.missed)) continue
      const score = scoreOf(counted.members, counted.extras, counted.missed, period)
      if (!best || score > best.score) best = { start, period, score }
    }
  }
  return best && walk(payments, best.start, best.period)
}

/** What `walk` finds, counted only (see bestRun): one object, reused. */
const counted = { members: 0, missed: 0, extras: 0, stop: 0 }

/**
 * The series `payments` make at `period`, walked from `start`: a payment within the tolerance of
 * the expected date joins, one at twice the period joins as one missed payment (only one is
 * allowed), one before the expected window is an extra, and a later one ends the run.
 */
function walk(payments: Payment[], start: number, period: Period): Run {
  const run: Run = { period, members: [payments[start]], drifts: [], missed: 0, extras: 0, stop: 0 }
  const { missed, extras, stop } = countWalk(payments, start, period, run)
  run.missed = missed
  run.extras = extras
  run.stop = stop
  return run
}

/** The steps of `walk`, counted; the members and their drifts pushed to `keep` when given. */
function countWalk(payments: Payment[], start: number, period: Period, keep?: Run): typeof counted {
  let members = 1
  let lastMember = payments[start]
  let missed = 0
  let extras = 0
  let expected = advance(lastMember, period, 1)
  let i = start + 1
  for (; i < payments.length; i++) {
    const payment = payments[i]
    const drift = payment.day - expected
    if (Math.abs(drift) <= period.tolerance) {
      members++
      lastMember = payment
      keep?.members.push(payment)
      keep?.drifts.push(drift)
      expected = advance(payment, period, 1)
      continue
    }
    // Before the window: a look-alike (or a second charge on the same day). Once they outnumber
    // the members, this is a place visited often and the run can no longer be accepted.
    if (drift < -period.tolerance) {
      if (++extras > members) break
      continue
    }
    const twice = payment.day - advance(lastMember, period, 2)
    if (missed === 0 && Math.abs(twice) <= period.tolerance) {
      members++
      lastMember = payment
      keep?.members.push(payment)
      keep?.drifts.push(twice)
      missed++
      expected = advance(payment, period, 1)
      continue
    }
    break
  }
  counted.members = members
  counted.missed = missed
  counted.extras = extras
  counted.stop = i
  return counted
}

const scoreOf = (members: number, extras: number, missed: number, period: Period) =>
  members * 10 - extras * 3 - missed * 2 + (period.months ?? period.days! / 30) * 0.01

/** Extras are look-alikes the run leaves out: a few are fine, many mean a place visited often, not a bill. */
function acceptableCounts(n: number, extras: number, missed: number): boolean {
  if (n < 2) return false
  if (extras > Math.floor(n / 5)) return false
  if (n === 2) return missed === 0
  return true
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * Amount steadiness, 0..1: the share of payments within 5% of the one before (a price rise is one
 * step, so a series with one rise keeps a high score).
 */
function amountSteadiness(members: Payment[]): number {
  if (members.length < 2) return 1
  let steady = 0
  for (let i = 1; i < members.length; i++) if (Math.abs(members[i].cents - members[i - 1].cents) <= members[i - 1].cents * 0.05) steady++
  return steady / (members.length - 1)
}

/** Words that say a payment is a periodic obligation, for the 2-payment quarterly and yearly rule. */
const PERIODIC_WORDS =
  /\b(?:anual|anualidad|annual|yearly|renovacion|renovacao|renewal|renew|assinatura|suscripcion|subscription|membresia|membership|mensalidade|mensualidad|seguro|poliza|apolice|insurance|premium|iptu|ipva|tenencia|predial|licencia|licenca|license|dominio|domain|hosting|trimestral|quarterly)\b/

const RECURRING_CATEGORY_SET: ReadonlySet<string> = new Set(RECURRING_CATEGORIES)

/**
 * Two payments are enough for a quarterly or yearly series only with strong evidence: the same
 * payee paid nothing else in the data, the two amounts within 10% of each other, the second on
 * time, and the payee is a periodic obligation by its category (one of Belvo's recurring
 * categories) or by its words (renewal, annual, insurance, subscription, property tax, ...).
 */
function strongPair(run: Run, group: Payment[]): boolean {
  if (run.members.length !== 2 || run.missed > 0 || run.extras > 0 || group.length !== 2) return false
  if (run.period.frequency !== 'QUARTERLY' && run.period.frequency !== 'YEARLY') return false
  const [a, b] = run.members
  if (Math.abs(a.cents - b.cents) > Math.min(a.cents, b.cents) * 0.1) return false
  const category = b.info?.category ?? a.info?.category ?? null
  return (category !== null && RECURRING_CATEGORY_SET.has(category)) || run.members.some((m) => PERIODIC_WORDS.test(normalizeDescription(m.tx.description)))
}

/**
 * A run found in one amount band of a payee that is also paid other amounts in the same months
 * (a restaurant, a store) is a series of its own only at a fixed price: a subscription sold by a
 * shop (Amazon Prime) has one, a chance run of similar meal bills does not.
 */
function standsApart(run: Run, group: Payment[]): boolean {
  const first = run.members[0].day
  const last = run.members.at(-1)!.day
  const members = new Set(run.members)
  const others = group.filter((p) => !members.has(p) && p.day >= first && p.day <= last).length
  return others < 2 || amountSteadiness(run.members) >= 0.9
}

/**
 * A short run (a few payments) at a payee paid many other times in the data (a supermarket, a
 * ride app, a petrol station) is a chance alignment of visits unless its price is fixed: visits
 * that often fall a month apart now and then by themselves.
 */
function notByChance(run: Run, group: Payment[]): boolean {
  const n = run.members.length
  if (n > 5) return true
  const others = group.length - n
  return others < 2 || amountSteadiness(run.members) >= 0.9
}

/**
 * Outflows the categorizer says are the person's own money rather than a payee's: savings and
 * investments, cash withdrawals, and a card bill paid from a bank account (the card's purchases
 * are the expenses).
 */
function notAnExpense(tx: EnrichTransaction, info: PayeeInfo): boolean {
  if (info.category === 'Investments & Savings' || info.category === 'Withdrawal & ATM') return true
  return info.subcategory === 'Credit Card' && tx.accountCategory !== 'CREDIT_CARD'
}

/** Whether the run is evidence enough of a recurring expense (see the module comment, step 4). */
function enoughEvidence(run: Run, group: Payment[]): boolean {
  const n = run.members.length
  if (n < run.period.minPayments && !strongPair(run, group)) return false
  // Weekly and biweekly payments of changing amounts are shopping habits, not bills.
  if ((run.period.frequency === 'WEEKLY' || run.period.frequency === 'BIWEEKLY') && amountSteadiness(run.members) < 0.75) return false
  return true
}

/**
 * Belvo's recurring category for the categorizer's transaction category: the six are Belvo's
 * transaction categories too, so they carry over; anything else (or nothing, when no categorizer
 * is given or it does not know the payee) becomes "Online Platforms & Leisure" for a payment of
 * a steady amount (what a subscription is) and "Bills & Utilities" for one that varies.
 */
function recurringCategory(category: string | null, subcategory: string | null, steady: boolean): RecurringCategory {
  if (category && RECURRING_CATEGORY_SET.has(category)) return category as RecurringCategory
  // Belvo files gym memberships under Online Platforms & Leisure, service fees under Taxes.
  if (subcategory === 'Gyms & Fitness') return 'Online Platforms & Leisure'
  if (category === 'Fees & Charges') return 'Taxes'
  return steady ? 'Online Platforms & Leisure' : 'Bills & Utilities'
}

/**
 * Confidence, 0..1: support (payments seen against six, or three for quarterly and yearly),
 * regularity (how close to the expected dates, against the tolerance) and amount steadiness,
 * weighted 0.4, 0.35, 0.25; less 0.1 per missed payment and per extra left out, 0.3 when the
 * series looks cancelled.
 */
function confidenceOf(run: Run, active: boolean): number {
  const long = run.period.frequency === 'QUARTERLY' || run.period.frequency === 'YEARLY'
  const support = Math.min(1, run.members.length / (long ? 3 : 6))
  const meanDrift = run.drifts.length ? run.drifts.reduce((sum, d) => sum + Math.abs(d), 0) / run.drifts.length : 0
  const regularity = 1 - meanDrift / (run.period.tolerance + 1)
  const value = 0.4 * support + 0.35 * regularity + 0.25 * amountSteadiness(run.members) - 0.1 * run.missed - 0.1 * run.extras - (active ? 0 : 0.3)
  return Math.round(Math.min(1, Math.max(0, value)) * 100) / 100
}

function describeRule(run: Run, key: string, active: boolean): string {
  const n = run.members.length
  const drift = run.drifts.length ? Math.max(...run.drifts.map(Math.abs)) : 0
  const first = run.members[0].cents
  const last = run.members.at(-1)!.cents
  const parts = [
    `${run.period.frequency}: ${n} payments to "${key}"`,
    `each within ${drift} day${drift === 1 ? '' : 's'} of the expected date (tolerance ${run.period.tolerance})`,
  ]
  if (n < run.period.minPayments) parts.push('2 payments accepted on strong evidence (same payee only, amounts within 10%, a periodic obligation)')
  if (run.missed) parts.push('1 missed payment')
  if (run.extras) parts.push(`${run.extras} look-alike payment${run.extras === 1 ? '' : 's'} left out`)
  if (first !== last) parts.push(`amount changed from ${(first / 100).toFixed(2)} to ${(last / 100).toFixed(2)}`)
  if (!active) parts.push('no payment for more than two periods: looks cancelled')
  return parts.join('; ')
}

function toExpense(run: Run, key: string, today: string): RecurringExpense {
  const members = run.members
  const last = members.at(-1)!
  const amounts = members.map((m) => m.cents)
  const todayDay = dayNumber(today)
  let k = 1
  // A payment due within the tolerance before today may still post (late, or not yet booked).
  while (advance(last, run.period, k) < todayDay - run.period.tolerance) k++
  const active = todayDay <= advance(last, run.period, 2) + run.period.tolerance
  const merchant = [...members].reverse().find((m) => m.info?.merchant?.name)?.info?.merchant?.name ?? last.tx.merchantName
  const categorized = [...members].reverse().find((m) => m.info?.category && m.info.category !== 'Unknown')?.info ?? null
  const category = categorized?.category ?? null
  const steady = amountSteadiness(members) >= 0.75
  return {
    name: displayName(key, merchant),
    payeeKey: key,
    frequency: run.period.frequency,
    accountId: last.tx.accountId,
    currency: last.tx.currency,
    transactionIds: members.map((m) => m.tx.id),
    transactions: members.map((m) => ({ id: m.tx.id, amount: fromCents(m.cents), description: m.tx.description, valueDate: m.tx.valueDate })),
    averageTransactionAmount: fromCents(amounts.reduce((sum, c) => sum + c, 0) / amounts.length),
    medianTransactionAmount: fromCents(median(amounts)),
    lastTransactionAmount: fromCents(last.cents),
    lastDate: last.tx.valueDate,
    daysSinceLastTransaction: Math.max(0, todayDay - last.day),
    nextDate: dateOf(advance(last, run.period, k)),
    active,
    category: recurringCategory(category, categorized?.subcategory ?? null, steady),
    paymentType:
      steady && (category === null || category === 'Online Platforms & Leisure' || !RECURRING_CATEGORY_SET.has(category)) ? 'SUBSCRIPTION' : 'REGULAR',
    confidence: confidenceOf(run, active),
    rule: describeRule(run, key, active),
    missedPayments: run.missed,
  }
}

/** The series in one payee's payments (date order): by amount band, or whole (steps 4 and 5). */
function seriesOf(sorted: Payment[], payee: Payment[] = sorted): Run[] {
  const bands = amountBands(sorted)
  let runs: Run[] = []
  for (const band of bands) {
    const run = band.length >= 2 ? bestRun(band) : null
    if (run && enoughEvidence(run, band) && standsApart(run, sorted) && notByChance(run, payee)) runs.push(run)
  }
  // The payee's payments whole: a bill whose amount varies, or a price change bigger than a
  // band, is one series that the bands cut into pieces. It wins when it holds more payments.
  if (bands.length > 1) {
    const whole = bestRun(sorted)
    if (whole && enoughEvidence(whole, sorted) && notByChance(whole, payee) && whole.members.length > Math.max(0, ...runs.map((r) => r.members.length)))
      runs = [whole]
  }
  return runs
}

/**
 * Ponte's categorizer, remembered per call by the fields it reads (description, merchant, MCC,
 * account kind, operation, counterparty document, currency, direction): a person's subscriptions
 * and habits repeat the same descriptions, so most outflows are answered from the cache.
 */
function memoizedCategorize(): (tx: EnrichTransaction) => PayeeInfo {
  // By description, then the few transactions of other fields seen with it: no key is built.
  const cache = new Map<string, { tx: EnrichTransaction; info: PayeeInfo }[]>()
  return (tx) => {
    let seen = cache.get(tx.description)
    if (seen === undefined) cache.set(tx.description, (seen = []))
    for (const entry of seen) if (sameCategorizerInputs(entry.tx, tx)) return entry.info
    const info = categorize(tx)
    seen.push({ tx, info })
    return info
  }
}

/** Whether categorize reads the same in both (the description aside, compared by the caller). */
function sameCategorizerInputs(a: EnrichTransaction, b: EnrichTransaction): boolean {
  return (
    a.type === b.type &&
    a.mcc === b.mcc &&
    a.accountCategory === b.accountCategory &&
    a.currency === b.currency &&
    a.merchantName === b.merchantName &&
    a.operationType === b.operationType &&
    a.counterpartyDocument === b.counterpartyDocument
  )
}

interface Found {
  run: Run
  key: string
  currency: string
  /** All the payee's payments, date order. */
  group: Payment[]
}

/** Whether two payee keys name one payee: one's words begin the other's ("max" and "max streaming", "netflix" and "netflix com"). */
function samePayee(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a]
  return long === short || long.startsWith(`${short} `)
}

/**
 * One merchant's payments may come under two payees when its descriptions differ (`HBOMAX.COM`
 * and `MAX STREAMING 1234`): each half may look like a broken series (or none). A series is tried
 * again with the payments of related payees (see `samePayee`, same currency) in its amount band
 * (25% either side); the joint series replaces it, and the series it takes payments from, when
 * it is longer and has the evidence.
 */
function mergeSamePayee(found: Found[], groups: { key: string; currency: string; group: Payment[] }[]): Found[] {
  // Related keys share their first word: payees are looked up by it, not compared all with all.
  const byFirstWord = new Map<string, { key: string; currency: string; group: Payment[] }[]>()
  for (const g of groups) {
    const word = `${g.currency}\u0000${g.key.split(' ', 1)[0]}`
    const list = byFirstWord.get(word)
    if (list) list.push(g)
    else byFirstWord.set(word, [g])
  }
  const result = [...found]
  for (let i = 0; i < result.length; i++) {
    const f = result[i]
    const candidates = byFirstWord.get(`${f.currency}\u0000${f.key.split(' ', 1)[0]}`) ?? []
    if (candidates.length < 2) continue
    const related = candidates.filter((g) => g.key !== f.key && samePayee(g.key, f.key))
    if (related.length === 0) continue
    const amounts = f.run.members.map((m) => m.cents)
    const low = Math.min(...amounts) / 1.25
    const high = Math.max(...amounts) * 1.25
    const group = [...f.group, ...related.flatMap((g) => g.group)].sort(byDate)
    const run = bestRun(group.filter((p) => p.cents >= low && p.cents <= high))
    if (!run || run.members.length <= f.run.members.length || !enoughEvidence(run, group)) continue
    const taken = new Set(run.members)
    const key = [f.key, ...related.map((g) => g.key)].reduce((x, y) => (y.length < x.length ? y : x))
    result[i] = { run, key, currency: f.currency, group }
    // Series of the related payees that now share payments with the joint one are part of it.
    for (let j = result.length - 1; j >= 0; j--) {
      if (j === i || !result[j].run.members.some((m) => taken.has(m))) continue
      result.splice(j, 1)
      if (j < i) i--
    }
  }
  return result
}

/**
 * The recurring expenses among `txs` (any accounts, any order), most recent payment first. Only
 * transactions dated on or before `today` count.
 */
export function findRecurringExpenses(txs: EnrichTransaction[], options: RecurringOptions): RecurringExpense[] {
  const memo = options.memo ?? recurringMemo()
  const categorizer = options.categorize === undefined ? memo.categorize : options.categorize
  // YYYY-MM-DD texts compare as the days they name.
  const seen = txs.filter((tx) => tx.valueDate <= options.today)
  const outflows = seen.filter((tx) => tx.type === 'OUTFLOW' && tx.amount > 0)
  const paired = pairedWithOwnInflow(outflows, seen)

  // Payees by currency, then key; and in the order first seen (the order results come in).
  const groups = new Map<string, Map<string, Payment[]>>()
  const payees: { key: string; currency: string; group: Payment[] }[] = []
  // Descriptions repeat (a subscription's, a store's): each is normalised and read once.
  const { readings, merchantKeys } = memo
  for (const tx of outflows) {
    let reading = readings.get(tx.description)
    if (reading === undefined) {
      const normalized = normalizeDescription(tx.description)
      readings.set(tx.description, (reading = { ownMoney: OWN_MONEY_WORDS.test(normalized), descriptionKey: descriptionKeyOf(normalized) }))
    }
    if (reading.ownMoney || paired.has(tx.id)) continue
    const info = categorizer ? categorizer(tx) : null
    if (info && notAnExpense(tx, info)) continue
    const key = payeeKeyOf(tx, reading.descriptionKey, info, merchantKeys)
    if (!key) continue
    const payment = paymentOf(tx, info)
    let inCurrency = groups.get(tx.currency)
    if (inCurrency === undefined) groups.set(tx.currency, (inCurrency = new Map()))
    const group = inCurrency.get(key)
    if (group) group.push(payment)
    else {
      const list = [payment]
      inCurrency.set(key, list)
      payees.push({ key, currency: tx.currency, group: list })
    }
  }
  for (const payee of payees) payee.group.sort(byDate)
  const found: Found[] = []
  for (const { key, currency, group: sorted } of payees) {
    if (sorted.length < 2) continue
    // One payee paid from several accounts may be several subscriptions (one per card): each
    // account's series, unless all the payments together make a longer one (a subscription
    // moved from one card to another).
    const accounts = new Map<string, Payment[]>()
    for (const payment of sorted) {
      const list = accounts.get(payment.tx.accountId)
      if (list) list.push(payment)
      else accounts.set(payment.tx.accountId, [payment])
    }
    let runs = seriesOf(sorted)
    if (accounts.size > 1) {
      const perAccount = [...accounts.values()].flatMap((list) => (list.length >= 2 ? seriesOf(list, sorted) : []))
      const longest = (list: Run[]) => Math.max(0, ...list.map((run) => run.members.length))
      if (longest(perAccount) >= longest(runs)) runs = perAccount
    }
    for (const run of runs) found.push({ run, key, currency, group: sorted })
  }
  return mergeSamePayee(found, payees)
    .map(({ run, key }) => toExpense(run, key, options.today))
    .sort((a, b) => b.lastDate.localeCompare(a.lastDate) || a.name.localeCompare(b.name))
}
