import { normalizeDescription, type EnrichTransaction } from './transactions.ts'

/**
 * Belvo's risk insights (`RiskInsights`, 1.223.0) computed from a link's accounts and
 * transactions by the formulas written down in docs/enrichment.md ("Risk insights"). Pure: no
 * clock (today is a parameter), no store. Money is summed in integer cents and rounded at the end.
 */

/** A stored account of the link: the institution's id (what transactions name) and its wire object. */
export interface RiskAccount {
  internalId: string
  wire: Record<string, unknown>
}

/** What the category metrics need of a categorizer (the categorize helper's `categorize` fits). */
export type CategoryOf = (tx: EnrichTransaction) => { category: string | null; subcategory: string | null } | null

export interface RiskOptions {
  /** YYYY-MM-DD: the last day of every window. */
  today: string
  /** Without one there are no category metrics (Belvo returns only the categories it identified). */
  categorize?: CategoryOf
}

/** Belvo's windows: each covers today and the N days before it (see docs/enrichment.md). */
export const WINDOWS = [
  ['3d', 3],
  ['1w', 7],
  ['1m', 30],
  ['3m', 90],
  ['6m', 180],
  ['12m', 365],
] as const

type WindowName = (typeof WINDOWS)[number][0]
type Metrics = Record<string, number | null>

/** An insufficient-funds (NSF) event: a returned payment or the fee charged for it. */
export interface InsufficientFundsEvent {
  transactionId: string
  date: string
  /** The fee's amount (or the returned payment's), in the account's currency. */
  amount: number
}

export interface RiskInsightsResult {
  /** The fields of Belvo's `RiskInsights` besides `id`, `link` and `created_at`. */
  insights: Record<string, unknown>
  /** How the figures came about: what the wire shape has no room for. */
  explanation: {
    /** Pairs of own-account transfers (outflow id, inflow id) left out of the cash flow. */
    internalTransfers: [string, string][]
    /** The first day the transactions cover (the history's start), null without any. */
    historyStart: string | null
    insufficientFunds: { events: InsufficientFundsEvent[]; count: Record<WindowName, number>; sumFees: Record<WindowName, number> }
    /** Days on which the checking and savings total was at or below zero, in the last 12 months. */
    daysOverdrawn12m: number
  }
}

// Balance threshold `x` of days_balance_below_x, by currency: Belvo says it is country specific
// and does not publish it; Ponte takes a small buffer of about 50 US dollars in each currency.
const BALANCE_THRESHOLD: Record<string, number> = { MXN: 1000, BRL: 250, COP: 200000, USD: 50 }
const DEFAULT_THRESHOLD = 1000

const ASSET_CATEGORIES = ['CHECKING_ACCOUNT', 'SAVINGS_ACCOUNT']
const LOAN_CATEGORIES = ['LOAN_ACCOUNT', 'FINANCING_ACCOUNT']

// Descriptions of returned payments and their fees in the three languages of Belvo's countries,
// after normalizeDescription (lower case, no accents, no digits).
const NSF_PATTERN =
  /\b(nsf|insufficient funds?|returned (?:item|payment|check)|fondos? insuficientes?|saldo insuficiente|sin fondos|cheque devuelto|devolucion de cheque|cheque sem fundos?|saldo insuficiente|devolucao de cheque|cheque devolvido|tarifa de devolucao|comision por (?:devolucion|rechazo)|domiciliacion rechazada|pago rechazado|pagamento recusado|debito recusado)\b/

const DAY_MS = 86_400_000
const dayNumber = (date: string) => Math.floor(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / DAY_MS)
const dayText = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10)
const cents = (amount: number) => Math.round(amount * 100)
const money = (valueCents: number) => Math.round(valueCents) / 100
const round = (value: number, digits: number) => {
  const scale = 10 ** digits
  // The 1e-9 nudge keeps 0.125 from rounding down through its binary representation.
  return Math.round(value * scale + Math.sign(value) * 1e-9) / scale || 0
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}
function obj(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null
}
/** Σ over the values present; null when none is. */
function sumPresent(values: (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null)
  return present.length === 0 ? null : money(present.reduce((total, value) => total + cents(value), 0))
}
/** The largest of many numbers (a spread of a whole year's transactions could overflow the stack). */
const largest = (values: number[]) => values.reduce((a, b) => (b > a ? b : a), -Infinity)
const ratio = (part: number | null, whole: number | null, digits = 4) => (part === null || !whole ? null : round(part / whole, digits))

/** Percentage change from `previous` to `current`; null when there is no previous figure to compare with. */
const trend = (current: number, previous: number | null) =>
  previous === null || previous === 0 ? null : round(((current - previous) / Math.abs(previous)) * 100, 4)

export function computeRiskInsights(transactions: EnrichTransaction[], accounts: RiskAccount[], options: RiskOptions): RiskInsightsResult {
  const today = dayNumber(options.today)
  // Nothing after today counts: the windows end today.
  const txs = transactions.filter((tx) => dayNumber(tx.valueDate) <= today).sort((a, b) => (a.valueDate < b.valueDate ? -1 : a.valueDate > b.valueDate ? 1 : 0))
  const firstDay = txs.length > 0 ? dayNumber(txs[0].valueDate) : null
  const daysHistory = firstDay === null ? 0 : today - firstDay
  const currency = accounts.map((a) => a.wire.currency).find((c): c is string => typeof c === 'string') ?? txs[0]?.currency ?? null
  const threshold = (currency === null ? undefined : BALANCE_THRESHOLD[currency]) ?? DEFAULT_THRESHOLD

  const balances = dailyAssetBalances(txs, accounts, today, firstDay ?? today)
  const transfers = internalTransfers(txs)
  const transferIds = new Set(transfers.flat())
  const cashflowTxs = txs.filter((tx) => !transferIds.has(tx.id))
  const nsf = insufficientFunds(txs, today)

  const insights: Record<string, unknown> = {
    accounts: accounts.map((a) => a.wire.id).filter((id): id is string => typeof id === 'string'),
    assets_metrics: assetsMetrics(accounts),
    credit_cards_metrics: creditCardMetrics(accounts),
    loans_metrics: loansMetrics(accounts),
    balances_metrics: balances ? balanceMetrics(balances, today, threshold) : null,
    transactions_metrics: transactionMetrics(txs, today, daysHistory),
    cashflow_metrics: cashflowMetrics(cashflowTxs, today, daysHistory, firstDay),
    category_metrics: options.categorize ? categoryMetrics(cashflowTxs, today, firstDay, options.categorize) : [],
  }
  let daysOverdrawn12m = 0
  if (balances) for (const [day, total] of balances) if (day >= today - 365 && total <= 0) daysOverdrawn12m++
  return {
    insights,
    explanation: { internalTransfers: transfers, historyStart: firstDay === null ? null : dayText(firstDay), insufficientFunds: nsf, daysOverdrawn12m },
  }
}

const categoryOf = (account: RiskAccount) => (typeof account.wire.category === 'string' ? account.wire.category : null)

function assetsMetrics(accounts: RiskAccount[]) {
  const checking = accounts.filter((a) => categoryOf(a) === 'CHECKING_ACCOUNT')
  const savings = accounts.filter((a) => categoryOf(a) === 'SAVINGS_ACCOUNT')
  const institutions = [...new Set(accounts.map((a) => obj(a.wire.institution)?.name).filter((name): name is string => typeof name === 'string'))]
  const balanceOf = (list: RiskAccount[]) => sumPresent(list.map((a) => num(obj(a.wire.balance)?.current)))
  return {
    institutions,
    // Belvo's schema requires `num_accounts` and describes `num_assets_accounts`: both carry the count.
    num_accounts: checking.length + savings.length,
    num_assets_accounts: checking.length + savings.length,
    num_checking_accounts: checking.length,
    num_savings_accounts: savings.length,
    checking_accounts_balance: balanceOf(checking),
    savings_accounts_balance: balanceOf(savings),
  }
}

function creditCardMetrics(accounts: RiskAccount[]) {
  const cards = accounts.filter((a) => categoryOf(a) === 'CREDIT_CARD')
  const limits = cards.map((a) => num(obj(a.wire.credit_data)?.credit_limit))
  // The amount used is what the card owes: its current balance, else the limit less what is available.
  const used = cards.map((a, i) => {
    const balance = obj(a.wire.balance)
    const current = num(balance?.current)
    if (current !== null) return Math.abs(current)
    const available = num(balance?.available)
    return limits[i] !== null && available !== null ? Math.max(0, limits[i]! - available) : null
  })
  const sumLimit = sumPresent(limits)
  const sumUsed = sumPresent(used)
  return { num_accounts: cards.length, sum_credit_limit: sumLimit, sum_credit_used: sumUsed, credit_card_limit_utilization: ratio(sumUsed, sumLimit) }
}

function loansMetrics(accounts: RiskAccount[]) {
  const loans = accounts.filter((a) => LOAN_CATEGORIES.includes(categoryOf(a) ?? ''))
  const data = loans.map((a) => obj(a.wire.loan_data) ?? {})
  const principal = sumPresent(data.map((d) => num(d.principal) ?? num(d.contract_amount)))
  const outstanding = sumPresent(data.map((d) => num(d.outstanding_principal) ?? num(d.outstanding_balance)))
  // Overdrafts: Open Finance Brasil reports the arranged limit and the used part on checking and savings accounts.
  const overdrafts = accounts.filter((a) => ASSET_CATEGORIES.includes(categoryOf(a) ?? '')).map((a) => obj(a.wire.overdraft))
  const overdraftLimit = sumPresent(overdrafts.map((o) => num(o?.arranged)))
  const overdraftUsed = sumPresent(overdrafts.map((o) => (num(o?.arranged) === null ? null : (num(o?.used) ?? 0))))
  return {
    num_accounts: loans.length,
    sum_loans_principal: principal,
    sum_loans_outstanding_principal: outstanding,
    sum_loans_monthly_payment: sumPresent(data.map((d) => num(d.monthly_payment))),
    loan_limit_utilization: ratio(outstanding, principal),
    overdraft_limit: overdraftLimit,
    overdraft_limit_utilization: ratio(overdraftUsed, overdraftLimit),
  }
}

/**
 * The end-of-day total of the checking and savings accounts, from the history's first day to
 * today: each account's current balance is today's close, and each day before closes at the next
 * day's close less that next day's net movement. Null without such an account with a balance.
 */
function dailyAssetBalances(txs: EnrichTransaction[], accounts: RiskAccount[], today: number, firstDay: number): Map<number, number> | null {
  const assets = accounts.filter((a) => ASSET_CATEGORIES.includes(categoryOf(a) ?? '') && num(obj(a.wire.balance)?.current) !== null)
  if (assets.length === 0) return null
  const totals = new Map<number, number>()
  for (let day = firstDay; day <= today; day++) totals.set(day, 0)
  for (const account of assets) {
    const net = new Map<number, number>()
    for (const tx of txs) {
      if (tx.accountId !== account.internalId) continue
      const day = dayNumber(tx.valueDate)
      net.set(day, (net.get(day) ?? 0) + (tx.type === 'INFLOW' ? cents(tx.amount) : -cents(tx.amount)))
    }
    let close = cents(num(obj(account.wire.balance)?.current)!)
    for (let day = today; day >= firstDay; day--) {
      totals.set(day, totals.get(day)! + close)
      close -= net.get(day) ?? 0
    }
  }
  return totals
}

/** The days of a window (today and the `length` days before it) that the history covers. */
function windowDays(today: number, length: number, firstDay: number): number[] {
  const days: number[] = []
  for (let day = Math.max(today - length, firstDay); day <= today; day++) days.push(day)
  return days
}

function balanceMetrics(balances: Map<number, number>, today: number, threshold: number): Metrics {
  const firstDay = Math.min(...balances.keys())
  const out: Metrics = { closing_balance: money(balances.get(today)!) }
  const stats = WINDOWS.map(([name, length]) => {
    const values = windowDays(today, length, firstDay).map((day) => balances.get(day)!)
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length
    return { name, values, mean, std: Math.sqrt(variance) }
  })
  for (const { name, values } of stats) out[`min_balance_${name}`] = money(Math.min(...values))
  for (const { name, mean } of stats) out[`mean_balance_${name}`] = round(mean / 100, 2)
  for (const { name, values } of stats) out[`max_balance_${name}`] = money(Math.max(...values))
  for (const { name, std } of stats) out[`std_balance_${name}`] = round(std / 100, 2)
  for (const { name, values } of stats) out[`balance_trend_${name}`] = slope(values)
  for (const { name, values } of stats) out[`days_balance_below_0_${name}`] = values.filter((v) => v <= 0).length
  for (const { name, values, mean } of stats) out[`days_balance_below_mean_${name}`] = values.filter((v) => v <= mean).length
  for (const { name, values } of stats) out[`days_balance_below_x_${name}`] = values.filter((v) => v <= cents(threshold)).length
  out.balance_threshold_x = threshold
  return out
}

/** The least-squares slope of daily values (cents), in currency units per day; null for fewer than two days. */
function slope(values: number[]): number | null {
  const n = values.length
  if (n < 2) return null
  const meanX = (n - 1) / 2
  const meanY = values.reduce((a, b) => a + b, 0) / n
  let numerator = 0
  let denominator = 0
  values.forEach((y, x) => {
    numerator += (x - meanX) * (y - meanY)
    denominator += (x - meanX) ** 2
  })
  return round(numerator / denominator / 100, 2)
}

const inWindow = (tx: EnrichTransaction, from: number, to: number) => {
  const day = dayNumber(tx.valueDate)
  return day >= from && day <= to
}

function transactionMetrics(txs: EnrichTransaction[], today: number, daysHistory: number): Metrics {
  const out: Metrics = {}
  const groups = [
    ['transactions', () => true],
    ['incoming_transactions', (tx: EnrichTransaction) => tx.type === 'INFLOW'],
    ['outgoing_transactions', (tx: EnrichTransaction) => tx.type === 'OUTFLOW'],
  ] as const
  for (const [label, keep] of groups) {
    for (const stat of ['num', 'max_num', 'mean_num'] as const) {
      for (const [name, length] of WINDOWS) {
        const perDay = new Map<number, number>()
        let count = 0
        for (const tx of txs) {
          if (!keep(tx) || !inWindow(tx, today - length, today)) continue
          count++
          const day = dayNumber(tx.valueDate)
          perDay.set(day, (perDay.get(day) ?? 0) + 1)
        }
        out[`${stat}_${label}_${name}`] = stat === 'num' ? count : stat === 'max_num' ? Math.max(0, ...perDay.values()) : round(count / (length + 1), 2)
      }
    }
    if (label === 'transactions') continue
    const direction = label === 'incoming_transactions' ? 'incoming' : 'outgoing'
    for (const stat of ['sum', 'max', 'mean'] as const) {
      for (const [name, length] of WINDOWS) {
        const amounts = txs.filter((tx) => keep(tx) && inWindow(tx, today - length, today)).map((tx) => cents(tx.amount))
        const sum = amounts.reduce((a, b) => a + b, 0)
        out[`${stat}_${direction}_amount_${name}`] =
          stat === 'sum' ? money(sum) : amounts.length === 0 ? null : stat === 'max' ? money(largest(amounts)) : round(sum / amounts.length / 100, 2)
      }
    }
  }
  const days = new Set(txs.map((tx) => dayNumber(tx.valueDate)))
  for (const [name, length] of WINDOWS) {
    let empty = 0
    for (let day = today - length; day <= today; day++) if (!days.has(day)) empty++
    out[`days_without_transactions_${name}`] = empty
  }
  // Without any transaction of the kind, the days since reach past the 12-month window.
  const since = (list: EnrichTransaction[]) => (list.length === 0 ? 366 : today - dayNumber(list[list.length - 1].valueDate))
  out.days_since_last_transaction = since(txs)
  out.days_since_last_incoming_transaction = since(txs.filter((tx) => tx.type === 'INFLOW'))
  out.days_since_last_outgoing_transaction = since(txs.filter((tx) => tx.type === 'OUTFLOW'))
  out.days_history = daysHistory
  return out
}

/** Sums of a window's inflows and outflows, in cents. */
function flows(txs: EnrichTransaction[], from: number, to: number) {
  const positive: number[] = []
  const negative: number[] = []
  for (const tx of txs) if (inWindow(tx, from, to)) (tx.type === 'INFLOW' ? positive : negative).push(cents(tx.amount))
  const sum = (list: number[]) => list.reduce((a, b) => a + b, 0)
  return { positive, negative, sumPositive: sum(positive), sumNegative: sum(negative) }
}

function cashflowMetrics(txs: EnrichTransaction[], today: number, daysHistory: number, firstDay: number | null): Metrics {
  const out: Metrics = {}
  const rows = WINDOWS.map(([name, length], i) => {
    // Belvo: a window with too little data is null. A window counts once the history is longer
    // than the next shorter window (15 days of data give 3d, 1w and 1m, not 3m).
    const covered = i === 0 || (firstDay !== null && daysHistory > WINDOWS[i - 1][1])
    const current = flows(txs, today - length, today)
    // The previous window of the same length, for trends: only when the history is at least twice
    // the window's length (two years of data give the 12m trend, whose previous window is 366 days).
    const previousStart = today - 2 * length - 1
    const previous = firstDay !== null && daysHistory >= 2 * length ? flows(txs, previousStart, today - length - 1) : null
    return { name, covered, current, previous }
  })
  const each = (metric: string, value: (row: (typeof rows)[number]) => number | null) => {
    for (const row of rows) out[`${metric}_${row.name}`] = row.covered ? value(row) : null
  }
  const max = (list: number[]) => (list.length === 0 ? null : money(largest(list)))
  const mean = (list: number[]) => (list.length === 0 ? null : round(list.reduce((a, b) => a + b, 0) / list.length / 100, 2))
  each('max_positive', (r) => max(r.current.positive))
  each('max_negative', (r) => max(r.current.negative))
  each('mean_positive', (r) => mean(r.current.positive))
  each('mean_negative', (r) => mean(r.current.negative))
  each('sum_positive', (r) => money(r.current.sumPositive))
  each('sum_positive_trend', (r) => trend(r.current.sumPositive, r.previous?.sumPositive ?? null))
  each('sum_negative', (r) => money(r.current.sumNegative))
  each('sum_negative_trend', (r) => trend(r.current.sumNegative, r.previous?.sumNegative ?? null))
  each('positive_to_negative_ratio', (r) => ratio(r.current.sumPositive, r.current.sumNegative, 2))
  each('net_cashflow', (r) => money(r.current.sumPositive - r.current.sumNegative))
  each('net_cashflow_trend', (r) => trend(r.current.sumPositive - r.current.sumNegative, r.previous ? r.previous.sumPositive - r.previous.sumNegative : null))
  return out
}

/**
 * Transfers between the link's own accounts: an outflow of one account and an inflow of another of
 * the same amount, at most one day apart. Each transaction pairs once, earliest candidates first.
 */
function internalTransfers(txs: EnrichTransaction[]): [string, string][] {
  const pairs: [string, string][] = []
  const used = new Set<string>()
  // Inflows by amount, in date order: a transfer's other half is looked up among its amount only.
  const inflowsByAmount = new Map<number, EnrichTransaction[]>()
  for (const tx of txs) {
    if (tx.type !== 'INFLOW') continue
    const list = inflowsByAmount.get(cents(tx.amount)) ?? []
    list.push(tx)
    inflowsByAmount.set(cents(tx.amount), list)
  }
  for (const out of txs) {
    if (out.type !== 'OUTFLOW') continue
    const day = dayNumber(out.valueDate)
    const match = inflowsByAmount
      .get(cents(out.amount))
      ?.find((inflow) => !used.has(inflow.id) && inflow.accountId !== out.accountId && Math.abs(dayNumber(inflow.valueDate) - day) <= 1)
    if (!match) continue
    used.add(match.id)
    pairs.push([out.id, match.id])
  }
  return pairs
}

function insufficientFunds(txs: EnrichTransaction[], today: number): RiskInsightsResult['explanation']['insufficientFunds'] {
  const events = txs
    .filter((tx) => tx.type === 'OUTFLOW' && NSF_PATTERN.test(normalizeDescription(tx.description)))
    .map((tx) => ({ transactionId: tx.id, date: tx.valueDate, amount: tx.amount }))
  const count = {} as Record<WindowName, number>
  const sumFees = {} as Record<WindowName, number>
  for (const [name, length] of WINDOWS) {
    const inside = events.filter((e) => dayNumber(e.date) >= today - length)
    count[name] = inside.length
    sumFees[name] = money(inside.reduce((total, e) => total + cents(e.amount), 0))
  }
  return { events, count, sumFees }
}

/**
 * Per category and subcategory over the last 3 months: the net amount (inflows less outflows), its
 * share of all categorized inflows, and its percentage change from the 3 months before. From the
 * cash flow's transactions: a transfer between own accounts (paying the card from checking) would
 * otherwise count money twice, once spent at the merchant and again when the card is paid.
 */
function categoryMetrics(txs: EnrichTransaction[], today: number, firstDay: number | null, categorize: CategoryOf) {
  const length = 90
  const previousStart = today - 2 * length - 1
  const groups = new Map<string, { category: string; subcategory: string | null; net: number; previousNet: number; current: boolean }>()
  let inflows = 0
  for (const tx of txs) {
    const day = dayNumber(tx.valueDate)
    const current = day >= today - length
    if (!current && day < previousStart) continue
    const label = categorize(tx)
    // Belvo lists only the categories it identified: not its `Unknown`.
    if (!label?.category || label.category === 'Unknown') continue
    const key = `${label.category}\u0000${label.subcategory ?? ''}`
    const group = groups.get(key) ?? { category: label.category, subcategory: label.subcategory ?? null, net: 0, previousNet: 0, current: false }
    groups.set(key, group)
    const signed = tx.type === 'INFLOW' ? cents(tx.amount) : -cents(tx.amount)
    if (current) {
      group.current = true
      group.net += signed
      if (tx.type === 'INFLOW') inflows += cents(tx.amount)
    } else group.previousNet += signed
  }
  const previousCovered = firstDay !== null && today - firstDay >= 2 * length
  // Only the categories seen in the last 3 months are reported.
  return [...groups.values()]
    .filter((g) => g.current)
    .sort((a, b) => (a.category + (a.subcategory ?? '') < b.category + (b.subcategory ?? '') ? -1 : 1))
    .map((g) => ({
      category: g.category,
      subcategory: g.subcategory,
      net_amount_3m: money(g.net),
      category_inflow_ratio_3m: inflows === 0 ? null : round(g.net / inflows, 4),
      trend_3m: previousCovered ? trend(g.net, g.previousNet) : null,
    }))
}
