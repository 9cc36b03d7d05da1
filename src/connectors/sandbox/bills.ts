import type { AccountScopedRecord } from '../types.ts'
import { formatDay, monthOf, monthTag, yearMonthOf, yearOf, type Day, type YearMonth } from './calendar.ts'
import { billName, money } from './format.ts'
import { Ledger, type TxEvent } from './ledger.ts'
import type { AccountPlan, World } from './world.ts'

/**
 * Credit card statements. A statement closes on the card's cut day and is due ten days later; a
 * card event belongs to the first statement closing on or after it. The same figures feed the
 * accounts' credit_data, the transactions' credit_card_data and the OFDA `Bill` resource.
 */

export interface BillInfo {
  ym: YearMonth
  internalId: string
  name: string
  cut: Day
  due: Day
  closed: boolean
  totalCents: number
  minimumCents: number
  previousTotalCents: number
  payments: TxEvent[]
  financeCharges: TxEvent[]
}

/** The statement a card event belongs to: the first closing date on or after the event. */
export function billMonthOf(ledger: Ledger, card: AccountPlan, day: Day): YearMonth {
  const ym = yearMonthOf(day)
  return day <= ledger.cutDay(card, ym) ? ym : ym + 1
}

function minimumPayment(world: World, total: number): number {
  // Minimum payments: roughly 15% in Brazil (CMN rule for revolving credit), 10% elsewhere.
  const share = world.country === 'BR' ? 0.15 : 0.1
  const step = world.locale.step * 100
  return Math.min(Math.max(total, 0), Math.max(step, Math.round((total * share) / step) * step))
}

export class Bills {
  private readonly cache = new Map<string, BillInfo>()
  constructor(
    private readonly world: World,
    private readonly ledger: Ledger,
  ) {}

  get(card: AccountPlan, ym: YearMonth): BillInfo {
    const key = `${card.index}:${ym}`
    let bill = this.cache.get(key)
    if (bill) return bill
    const { ledger, world } = this
    const cut = ledger.cutDay(card, ym)
    const total = ledger.balanceAt(card, cut)
    const month = ledger.month(card, ym)
    const cycleStart = ledger.cutDay(card, ym - 1)
    bill = {
      ym,
      cut,
      due: ledger.dueDay(card, ym),
      internalId: `${card.tag}B${monthTag(ym)}`,
      name: billName(world, yearOf(ym), monthOf(ym)),
      // Closed once its whole cut day is posted: its total is final.
      closed: ledger.dayPosted(cut),
      totalCents: total,
      minimumCents: minimumPayment(world, total),
      previousTotalCents: ledger.balanceAt(card, cycleStart),
      payments: month.events.filter((ev) => ev.kind === 'card_payment_received' && ev.day > cut && ledger.posted(ev.day, ev.sec)),
      financeCharges: [...ledger.month(card, ym - 1).events, ...month.events].filter(
        (ev) => ev.day > cycleStart && ev.day <= cut && ev.cardCredit === 'REVOLVING_CREDIT',
      ),
    }
    this.cache.set(key, bill)
    return bill
  }

  release(beforeYm: YearMonth): void {
    for (const key of this.cache.keys()) if (Number(key.split(':')[1]) < beforeYm) this.cache.delete(key)
  }
}

// ---------------------------------------------------------------------------------------------
// Bills (OFDA `Bill`): the closed statements of the last twelve months of every card.

export function billRecords(world: World): AccountScopedRecord[] {
  if (world.shape !== 'ofda') return []
  const ledger = new Ledger(world)
  const bills = new Bills(world, ledger)
  const todayYm = yearMonthOf(world.today)
  const out: AccountScopedRecord[] = []
  for (const card of world.accounts.filter((a) => a.card)) {
    for (let ym = todayYm - 12; ym <= todayYm; ym++) {
      const bill = bills.get(card, ym)
      if (!bill.closed || bill.cut < card.historyStart) continue
      const currency = world.locale.currency
      out.push({
        internal_identification: bill.internalId,
        account_internal_identification: card.internalId,
        bill_name: bill.name,
        due_date: formatDay(bill.due),
        currency,
        total_amount: money(Math.max(0, bill.totalCents)),
        minimum_amount: money(bill.minimumCents),
        is_installment: false,
        // Open Finance Brasil reports "no charge" explicitly: the list has at least one entry.
        finance_charges: bill.financeCharges.length
          ? bill.financeCharges.map((ev) => ({ type: ev.kind === 'tax' ? 'IOF' : 'OTHER', additional_info: ev.description, currency, amount: money(ev.cents) }))
          : [{ type: 'NO_CHARGE', additional_info: null, currency, amount: 0 }],
        payments: bill.payments.map((ev) => ({
          type: ev.cents >= bill.totalCents ? 'FULL' : 'OTHER',
          payment_date: formatDay(ev.day),
          payment_mode: 'DIRECT_DEBIT',
          currency,
          amount: money(ev.cents),
        })),
      })
    }
  }
  return out
}
