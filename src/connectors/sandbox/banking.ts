import type { AccountScopedRecord, Period } from '../types.ts'
import { formatDay, monthEnd, monthStart, monthTag, onOrAfterBusinessDay, yearMonthOf, type Day, type YearMonth } from './calendar.ts'
import { billMonthOf, Bills } from './bills.ts'
import { asOf, clipPeriod, merchantWire, money, moneyString, utcTimestamp } from './format.ts'
import { effect, isLiability, Ledger, type TxEvent } from './ledger.ts'
import { hashDigits, seedKey } from './random.ts'
import type { AccountPlan, World } from './world.ts'

/**
 * Transactions, balances and statements in Belvo's field names for the institution's shape:
 * `ofda` = the 1.223.0 Open Finance Brazil schemas, `multiregion` = the 1.59.0 Mexico/Colombia
 * ones. Every schema field is present except those the server owns (`id`, `link`, `created_at`,
 * `collected_at`, the embedded `account` and `account_id`).
 */

// ---------------------------------------------------------------------------------------------
// Transactions.

export interface Posted {
  acct: AccountPlan
  ym: YearMonth
  seq: number
  ev: TxEvent
  balanceCents: number
}

/**
 * The posted events of one calendar month across accounts, ordered by value date (accounts in
 * their order within a day, each account's events in time order), with running balances. `seq`
 * counts every event of the month, posted or not, so an event keeps its internal id once posted.
 */
function postedInMonth(ledger: Ledger, accounts: AccountPlan[], ym: YearMonth, from: Day, to: Day): Posted[] {
  const first = monthStart(ym)
  const buckets: Posted[][] = Array.from({ length: monthEnd(ym) - first + 1 }, () => [])
  for (const acct of accounts) {
    const lo = Math.max(from, acct.historyStart)
    if (lo > to) continue
    const m = ledger.month(acct, ym)
    let balance = m.startCents
    const events = m.events
    for (let seq = 0; seq < events.length; seq++) {
      const ev = events[seq]
      if (!ledger.posted(ev.day, ev.sec)) continue
      balance += effect(acct, ev)
      if (ev.day >= lo && ev.day <= to) buckets[ev.day - first].push({ acct, ym, seq, ev, balanceCents: balance })
    }
  }
  return buckets.flat()
}

class TransactionFormatter {
  private readonly dates = new Map<Day, string>()
  constructor(
    private readonly world: World,
    private readonly ledger: Ledger,
    private readonly bills: Bills,
  ) {}

  private date(day: Day): string {
    let s = this.dates.get(day)
    if (s === undefined) {
      s = formatDay(day)
      this.dates.set(day, s)
    }
    return s
  }

  release(beforeYm: YearMonth): void {
    this.dates.clear()
    this.bills.release(beforeYm - 1)
  }

  internalId(p: Posted): string {
    return `${p.acct.tag}${monthTag(p.ym)}${String(p.seq).padStart(4, '0')}`
  }

  private pending(p: Posted): boolean {
    // A card charge stays an authorization until the card posts it (accountingDay).
    return p.acct.kind === 'card' && !p.ev.inflow && !this.ledger.posted(this.accountingDay(p), p.ev.sec)
  }

  record(p: Posted): AccountScopedRecord {
    return this.world.shape === 'ofda' ? this.ofda(p) : this.multiregion(p)
  }

  private accountingDay(p: Posted): Day {
    // Card purchases post the next business day; everything else posts the day it happens.
    if (p.acct.kind !== 'card' || p.ev.inflow) return p.ev.day
    return onOrAfterBusinessDay(this.world.country, p.ev.day + 1)
  }

  private ofda(p: Posted): AccountScopedRecord {
    const { world } = this
    const ev = p.ev
    const pending = this.pending(p)
    const isCard = p.acct.kind === 'card'
    const party = ev.party
    return {
      internal_identification: this.internalId(p),
      account_internal_identification: p.acct.internalId,
      value_date: this.date(ev.day),
      transacted_at: utcTimestamp(world.country, ev.day, ev.sec),
      accounting_date: pending ? null : this.date(this.accountingDay(p)),
      inferred_accounting_date: this.date(onOrAfterBusinessDay(world.country, ev.day)),
      amount: money(ev.cents),
      local_currency_amount: money(ev.cents),
      // TransactionOpenFinanceBrazil.balance: "not applicable for OF Brazil and will return null"
      // (Open Finance Brasil reports no running balance; the multi-region shape has one).
      balance: null,
      currency: world.locale.currency,
      description: ev.description,
      observations: null,
      merchant: merchantWire(ev.brand),
      category: ev.category,
      subcategory: ev.subcategory,
      reference: null,
      type: ev.inflow ? 'INFLOW' : 'OUTFLOW',
      status: pending ? 'PENDING' : 'PROCESSED',
      credit_card_data: isCard ? this.cardDataOfda(p) : null,
      counterparty: party
        ? {
            type: party.kind,
            // The schema's document_number holds 11 digits: a CPF. Companies' CNPJs do not fit.
            document_number: party.kind === 'INDIVIDUAL' && world.country === 'BR' ? party.document : null,
            clearing_code: party.bank.code,
            agency: party.agency,
            check_digit: party.checkDigit,
            number: party.account,
          }
        : null,
      loan_data: p.acct.kind === 'loan' ? this.loanData(p) : null,
      payment_type:
        isCard && (ev.kind === 'purchase' || ev.kind === 'installment' || ev.kind === 'subscription') ? (ev.installment ? 'INSTALLMENT' : 'FULL') : null,
      operation_type: ev.opType,
      operation_type_additional_info: ev.opInfo,
      mcc: isCard ? ev.mcc : null,
    }
  }

  private cardDataOfda(p: Posted) {
    const ev = p.ev
    const bill = this.bills.get(p.acct, billMonthOf(this.ledger, p.acct, ev.day))
    return {
      collected_at: asOf(this.world),
      bill_name: bill.closed ? bill.name : null,
      bill_due_date: bill.closed ? this.date(bill.due) : null,
      bill_internal_identification: bill.closed ? bill.internalId : null,
      bill_status: null,
      previous_bill_total: null,
      bill_amount: bill.closed ? money(bill.totalCents) : null,
      card_number: p.acct.last4 ?? '0000',
      fee_type: ev.cardFee,
      fee_type_additional_info: null,
      credits_type: ev.cardCredit,
      credits_type_additional_info: null,
      installment_identifier: ev.installment ? `PARCELA_${ev.installment.k}_DE_${ev.installment.n}` : 'A_VISTA',
      number_of_installments: ev.installment ? ev.installment.n : null,
      credit_card_bill: bill.closed ? { internal_identification: bill.internalId } : null,
    }
  }

  private loanData(p: Posted) {
    const ev = p.ev
    const plan = p.acct.loan!
    const fee = ev.kind === 'loan_installment_received' && plan.lateDays > 0 ? plan.lateFeeCents : 0
    return {
      is_detached: ev.kind === 'loan_fee',
      installment_id: ev.loanInstallment === null ? null : `${p.acct.tag}P${String(ev.loanInstallment).padStart(3, '0')}`,
      fees: [],
      charges: fee > 0 ? [{ type: 'MULTA_ATRASO_PAGAMENTO', info: 'Multa por atraso no pagamento', amount: money(fee) }] : [],
    }
  }

  private multiregion(p: Posted): AccountScopedRecord {
    const { world } = this
    const ev = p.ev
    const pending = this.pending(p)
    return {
      internal_identification: this.internalId(p),
      account_internal_identification: p.acct.internalId,
      value_date: this.date(ev.day),
      accounting_date: pending ? null : utcTimestamp(world.country, this.accountingDay(p), ev.sec),
      amount: money(ev.cents),
      balance: money(p.balanceCents),
      currency: world.locale.currency,
      description: ev.description,
      observations: ev.observations,
      merchant: merchantWire(ev.brand),
      category: ev.category,
      subcategory: ev.subcategory,
      reference: ev.reference,
      type: ev.inflow ? 'INFLOW' : 'OUTFLOW',
      status: pending ? 'PENDING' : 'PROCESSED',
      credit_card_data: p.acct.kind === 'card' ? this.cardDataMultiregion(p) : null,
    }
  }

  private cardDataMultiregion(p: Posted) {
    const bill = this.bills.get(p.acct, billMonthOf(this.ledger, p.acct, p.ev.day))
    const paid = bill.payments.reduce((sum, ev) => sum + ev.cents, 0)
    return {
      collected_at: asOf(this.world),
      bill_name: bill.name,
      bill_status: !bill.closed ? 'OPEN' : paid >= bill.totalCents ? 'PAID' : 'CLOSED',
      bill_amount: bill.closed ? money(bill.totalCents) : null,
      previous_bill_total: moneyString(bill.previousTotalCents),
    }
  }
}

/** Default batch size of the transactions stream (matches the server's bulk-insert batches). */
export const TRANSACTION_BATCH = 5_000

/**
 * Streams a period's transactions month by month, in batches, holding at most one month of
 * records plus one batch: years of dense history cost constant memory.
 */
export async function* transactionBatches(
  world: World,
  period: Period,
  accountInternalId?: string,
  batchSize = TRANSACTION_BATCH,
): AsyncGenerator<AccountScopedRecord[]> {
  const clipped = clipPeriod(world, period)
  if (!clipped) return
  const [from, to] = clipped
  const accounts = world.accounts.filter((a) => accountInternalId === undefined || a.internalId === accountInternalId)
  if (accounts.length === 0) return
  const start = Math.max(from, Math.min(...accounts.map((a) => a.historyStart)))
  if (start > to) return
  const ledger = new Ledger(world)
  const formatter = new TransactionFormatter(world, ledger, new Bills(world, ledger))
  let batch: AccountScopedRecord[] = []
  for (let ym = yearMonthOf(start); ym <= yearMonthOf(to); ym++) {
    for (const posted of postedInMonth(ledger, accounts, ym, from, to)) {
      batch.push(formatter.record(posted))
      if (batch.length === batchSize) {
        yield batch
        batch = []
      }
    }
    ledger.release(ym - 1)
    formatter.release(ym - 1)
  }
  if (batch.length > 0) yield batch
}

// ---------------------------------------------------------------------------------------------
// Balances.

/** The account's latest posted event (the balance's last update), null when it has none. */
function lastPosted(ledger: Ledger, acct: AccountPlan): TxEvent | null {
  for (let ym = yearMonthOf(ledger.world.today); monthEnd(ym) >= acct.historyStart; ym--) {
    const events = ledger.month(acct, ym).events
    for (let i = events.length - 1; i >= 0; i--) {
      const ev = events[i]
      if (ev.day >= acct.historyStart && ledger.posted(ev.day, ev.sec)) return ev
    }
  }
  return null
}

/** OFDA: the current balance of each deposit account (BalanceOFDA). */
function currentBalancesOfda(world: World, accounts: AccountPlan[]): AccountScopedRecord[] {
  const ledger = new Ledger(world)
  return accounts
    .filter((a) => !isLiability(a))
    .map((acct) => {
      const current = ledger.balanceAt(acct, world.today)
      const last = lastPosted(ledger, acct)
      return {
        internal_identification: `${acct.tag}BALANCE`,
        account_internal_identification: acct.internalId,
        // Without any movement, the balance is the one the account was opened with.
        last_updated_at: last ? utcTimestamp(world.country, last.day, last.sec) : utcTimestamp(world.country, acct.historyStart, 0),
        currency: world.locale.currency,
        available: money(Math.max(0, current)),
        blocked: 0,
        automatically_invested: 0,
      }
    })
}

/** Multi-region: end-of-day balances of every day of the period (legacy `/api/balances/`). */
function dailyBalances(world: World, accounts: AccountPlan[], from: Day, to: Day): AccountScopedRecord[] {
  const ledger = new Ledger(world)
  const out: AccountScopedRecord[] = []
  for (const acct of accounts) {
    const lo = Math.max(from, acct.historyStart)
    for (let ym = yearMonthOf(lo); ym <= yearMonthOf(to) && lo <= to; ym++) {
      const m = ledger.month(acct, ym)
      let balance = m.startCents
      let i = 0
      for (let day = Math.max(lo, monthStart(ym)); day <= Math.min(to, monthEnd(ym)); day++) {
        for (; i < m.events.length && m.events[i].day <= day; i++) {
          const ev = m.events[i]
          if (ledger.posted(ev.day, ev.sec)) balance += effect(acct, ev)
        }
        out.push({
          internal_identification: `${acct.tag}D${formatDay(day).replace(/-/g, '')}`,
          account_internal_identification: acct.internalId,
          value_date: formatDay(day),
          balance: money(balance),
          current_balance: null,
          statement: null,
        })
      }
      ledger.release(ym)
    }
  }
  return out
}

export function balanceRecords(world: World, period?: Period, accountInternalId?: string): AccountScopedRecord[] {
  const accounts = world.accounts.filter((a) => accountInternalId === undefined || a.internalId === accountInternalId)
  if (world.shape === 'ofda') return currentBalancesOfda(world, accounts)
  if (!period) return dailyBalances(world, accounts, world.today, world.today)
  const clipped = clipPeriod(world, period)
  return clipped ? dailyBalances(world, accounts, clipped[0], clipped[1]) : []
}

// ---------------------------------------------------------------------------------------------
// Statements (legacy `/api/statements/`, Mexico BETA): one account, one calendar month.

export function statementRecords(world: World, accountInternalId: string, year: number, month: number): AccountScopedRecord[] {
  const acct = world.accounts.find((a) => a.internalId === accountInternalId)
  if (world.shape !== 'multiregion' || !acct || month < 1 || month > 12) return []
  const ym = year * 12 + month - 1
  const first = Math.max(monthStart(ym), acct.historyStart)
  // Posted data ends yesterday (format.ts postingCutoff).
  const last = Math.min(monthEnd(ym), world.today - 1)
  if (first > last) return []
  const ledger = new Ledger(world)
  const formatter = new TransactionFormatter(world, ledger, new Bills(world, ledger))
  const posted = postedInMonth(ledger, [acct], ym, first, last)
  const transactions = posted.map((p) => formatter.record(p))
  let inflow = 0
  let outflow = 0
  let inflowCount = 0
  for (const p of posted) {
    if (p.ev.inflow) {
      inflow += p.ev.cents
      inflowCount++
    } else outflow += p.ev.cents
  }
  const owner = world.owner
  return [
    {
      internal_identification: `${acct.tag}S${monthTag(ym)}`,
      account_internal_identification: acct.internalId,
      account_number: acct.number,
      client_number: hashDigits(seedKey(world.key, 'client'), 8),
      RFC: world.country === 'MX' ? (owner.company?.document.number ?? owner.document.number) : null,
      CLABE: acct.clabe,
      period_start_date: formatDay(first),
      period_end_date: formatDay(last),
      cut_date: formatDay(acct.card ? ledger.cutDay(acct, ym) : monthEnd(ym)),
      final_balance: money(ledger.balanceAt(acct, last)),
      previous_balance: money(ledger.balanceAt(acct, first - 1)),
      total_inflow_amount: money(inflow),
      total_outflow_amount: money(outflow),
      total_inflow_transactions: inflowCount,
      total_outflow_transactions: posted.length - inflowCount,
      transactions,
      pdf: null,
    },
  ]
}
