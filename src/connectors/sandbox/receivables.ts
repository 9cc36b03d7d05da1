import type { AccountScopedRecord, Period } from '../types.ts'
import { addMonths, formatDay, formatTime, monthEnd, monthStart, onOrAfterBusinessDay, weekday, type Day, type YearMonth } from './calendar.ts'
import { clipPeriod, money, postingCutoff, utcInstant } from './format.ts'
import { hashDigits, hashHex, Rng, seedKey } from './random.ts'
import { REFERENCE_DAY, type AccountPlan, type World } from './world.ts'

/**
 * Brazilian card receivables (Belvo's legacy `/receivables/transactions/`, `ReceivablesTransaction`
 * of 1.35.0): the card sales of a merchant, each with its NSU, card network and function, gross
 * amount, the acquirer's fee (MDR) and the net amount the merchant receives, and for credit sales
 * the installments already settled. The merchant is the business of a Brazilian business link; its
 * receivables are registered to its settlement account (domicílio bancário), the checking account
 * where the acquirer pays them. Open Finance Brazil's account categories have no receivables
 * account, so the sales name that account, and its transactions show the acquirer's payments of
 * them (ledger.ts): on the business day after a debit sale, and 30 days after a credit sale for
 * each of its installments.
 *
 * Each day's sales are a pure function of the link and the day, so any period gives the same
 * sales for the days it shares with another, and a day is reported once it is posted (format.ts).
 */

type Network = 'VISA' | 'MASTERCARD' | 'ELO'
type CardFunction = 'CREDIT' | 'DEBIT'

/** Market shares of the card networks at Brazilian merchants (Mastercard, Visa, then Elo). */
const NETWORKS: readonly [Network, number][] = [
  ['MASTERCARD', 0.45],
  ['VISA', 0.35],
  ['ELO', 0.2],
]

/**
 * The acquirer's discount rate (MDR), in basis points: debit, credit paid at once, and credit in
 * installments, whose rate grows with their number (typical small-merchant rates of 2025).
 */
const MDR_BPS = { DEBIT: 137, CREDIT: 315, INSTALLMENTS: 379, PER_EXTRA_INSTALLMENT: 40 }

/** Days from the sale to the payment: D+1 for debit, D+30 for each credit installment (moved to the next business day). */
const DEBIT_SETTLEMENT_DAYS = 1
const CREDIT_SETTLEMENT_DAYS = 30
/** The most days a sale waits for its last payment: six installments, and a long weekend. */
const LONGEST_SETTLEMENT_DAYS = 6 * CREDIT_SETTLEMENT_DAYS + 5

/**
 * The first day the merchant sold by card: when its account's history starts, fixed in the
 * calendar; a thin file ("low") keeps only three months at the bank, a window that slides with
 * today, but its sales began two years before REFERENCE_DAY whatever the day.
 */
function salesStart(world: World, acct: AccountPlan): Day {
  return world.profile.kind === 'low' ? addMonths(REFERENCE_DAY, -24) : acct.historyStart
}

/** The merchant's settlement account: the first checking account of a Brazilian business link. */
export function settlementAccount(world: World): AccountPlan | undefined {
  // Scale personas (benchmarks) keep their exact number of movements a day: no card sales.
  if (world.country !== 'BR' || !world.business || world.profile.kind === 'scale') return undefined
  return world.accounts.find((acct) => acct.kind === 'primary')
}

interface Sale {
  day: Day
  sec: number
  nsu: string
  network: Network
  fn: CardFunction
  grossCents: number
  installments: number
  status: 'APPROVED' | 'CANCELLED' | 'REVERTED'
}

/** How many card sales a day brings: shops sell most on Fridays and Saturdays, and less on Sundays. */
function salesCount(world: World, rng: Rng, day: Day): number {
  const base = world.profile.kind === 'low' ? [0, 3] : world.profile.kind === 'negative' ? [1, 5] : [4, 10]
  const dow = weekday(day)
  const factor = dow === 0 ? 0.5 : dow === 5 || dow === 6 ? 1.4 : 1
  return Math.round(rng.int(base[0], base[1]) * factor)
}

function salesOf(world: World, acct: AccountPlan, day: Day): Sale[] {
  const rng = new Rng(seedKey(world.key, 'receivables', acct.tag, day))
  const sales: Sale[] = []
  const count = salesCount(world, rng, day)
  for (let i = 0; i < count; i++) {
    const roll = rng.next()
    let acc = 0
    const network = NETWORKS.find(([, share]) => (acc += share) > roll)?.[0] ?? 'MASTERCARD'
    const fn: CardFunction = rng.chance(0.62) ? 'CREDIT' : 'DEBIT'
    // Credit sales of larger tickets are often split in two to six installments (parcelado lojista).
    const grossCents = rng.skewedCents(1_500, world.profile.kind === 'low' ? 25_000 : 90_000, 10)
    const installments = fn === 'CREDIT' && grossCents >= 20_000 && rng.chance(0.45) ? rng.int(2, 6) : 1
    // A few sales are voided the same day, and a few charged back later.
    const fate = rng.next()
    const cancelled = world.profile.kind === 'negative' ? 0.06 : 0.02
    const status = fate < cancelled ? 'CANCELLED' : fate < cancelled + 0.005 ? 'REVERTED' : 'APPROVED'
    sales.push({
      day,
      // Shop hours: 08:00 to 21:59, local time.
      sec: 28_800 + rng.int(0, 50_399),
      nsu: hashDigits(seedKey(world.key, 'nsu', acct.tag, day, i), 9),
      network,
      fn,
      grossCents,
      installments,
      status,
    })
  }
  return sales.sort((a, b) => a.sec - b.sec)
}

/** The fee of a sale, in cents (rounded half up from basis points). */
function feeCents(sale: Sale): number {
  const bps =
    sale.fn === 'DEBIT'
      ? MDR_BPS.DEBIT
      : sale.installments === 1
        ? MDR_BPS.CREDIT
        : MDR_BPS.INSTALLMENTS + MDR_BPS.PER_EXTRA_INSTALLMENT * (sale.installments - 2)
  return Math.floor((sale.grossCents * bps + 5_000) / 10_000)
}

/**
 * What the acquirer pays for a sale, and when: the net in one payment for a debit sale or a credit
 * sale at once, in equal installments (the last takes the remaining cents) otherwise. A sale voided
 * or charged back before it was paid is never paid.
 */
function settlementsOf(world: World, sale: Sale): { day: Day; cents: number }[] {
  if (sale.status !== 'APPROVED') return []
  const net = sale.grossCents - feeCents(sale)
  if (sale.fn === 'DEBIT') return [{ day: onOrAfterBusinessDay(world.country, sale.day + DEBIT_SETTLEMENT_DAYS), cents: net }]
  const each = Math.floor(net / sale.installments)
  return Array.from({ length: sale.installments }, (_, i) => ({
    day: onOrAfterBusinessDay(world.country, sale.day + CREDIT_SETTLEMENT_DAYS * (i + 1)),
    cents: i === sale.installments - 1 ? net - each * (sale.installments - 1) : each,
  }))
}

/** A payment is made (and posted) in the morning of its day: those of days before today are paid. */
const SETTLEMENT_SECOND = 32_400

/**
 * The acquirer's payments into the settlement account during a month, one a day (the day's
 * settlements together), for the sales since the account's history began.
 */
export function settlementsInMonth(world: World, acct: AccountPlan, ym: YearMonth): { day: Day; sec: number; cents: number }[] {
  const [first, last] = [monthStart(ym), monthEnd(ym)]
  const byDay = new Map<Day, number>()
  for (let day = Math.max(first - LONGEST_SETTLEMENT_DAYS, salesStart(world, acct)); day <= last; day++) {
    for (const sale of salesOf(world, acct, day)) {
      for (const payment of settlementsOf(world, sale)) {
        if (payment.day >= first && payment.day <= last) byDay.set(payment.day, (byDay.get(payment.day) ?? 0) + payment.cents)
      }
    }
  }
  return [...byDay].sort(([a], [b]) => a - b).map(([day, cents]) => ({ day, sec: SETTLEMENT_SECOND, cents }))
}

function wire(world: World, acct: AccountPlan, sale: Sale): AccountScopedRecord {
  const fee = feeCents(sale)
  const cutoff = postingCutoff(world)
  const paid = settlementsOf(world, sale).filter((payment) => utcInstant(world.country, payment.day, SETTLEMENT_SECOND) < cutoff).length
  return {
    internal_identification: hashHex(seedKey(world.key, 'receivable', acct.tag, sale.day, sale.nsu), 32),
    account_internal_identification: acct.internalId,
    value_hour: formatTime(sale.sec).slice(0, 5),
    value_date: formatDay(sale.day),
    institution_transaction_id: sale.nsu,
    currency: world.locale.currency,
    type: `${sale.network}_${sale.fn}`,
    gross_amount: money(sale.grossCents),
    net_amount: money(sale.grossCents - fee),
    fees: [{ type: 'TRANSACTION_FEE', value: money(fee) }],
    status: sale.status,
    // A debit sale is paid once; a credit sale in its installments (one when paid at once).
    number_of_installments: { paid, total: sale.installments },
  }
}

/** The card sales of the link's merchant in `period` (cut at what is posted today), oldest first. */
export function receivableTransactionRecords(world: World, period: Period): AccountScopedRecord[] {
  const acct = settlementAccount(world)
  const range = clipPeriod(world, period)
  if (!acct || !range) return []
  const cutoff = postingCutoff(world)
  const records: AccountScopedRecord[] = []
  for (let day = Math.max(range[0], salesStart(world, acct)); day <= range[1]; day++) {
    for (const sale of salesOf(world, acct, day)) {
      if (utcInstant(world.country, sale.day, sale.sec) < cutoff) records.push(wire(world, acct, sale))
    }
  }
  return records
}
