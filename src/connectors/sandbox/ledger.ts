import {
  dayInMonth,
  daysInMonth,
  lastBusinessDay,
  monthEnd,
  monthOf,
  monthStart,
  nthBusinessDay,
  onOrAfterBusinessDay,
  onOrBeforeBusinessDay,
  yearMonthOf,
  yearOf,
  type Day,
  type YearMonth,
} from './calendar.ts'
import { postingCutoff, utcInstant } from './format.ts'
import { GIG_TEXTS, gigDay, gigPayout, gigUnpaid, type GigMoveKind } from './gig.ts'
import type { Brand, Category, Merchant, Subcategory } from './locales.ts'
import { Rng, seedKey, type SandboxCountry } from './random.ts'
import { settlementAccount, settlementsInMonth } from './receivables.ts'
import { TEXTS, upper, type Texts } from './texts.ts'
import { DENSE_PER_DAY, REFERENCE_DAY, type AccountPlan, type Party, type World } from './world.ts'

/**
 * The story engine. Every account's history is generated one calendar month at a time, and each
 * month is self-contained:
 *
 * - Deposit accounts (and revolving cards) have a balance anchor at the start of every month, a
 *   pure function of (link, account, month). The month's events move the balance from its anchor
 *   to the next month's anchor: the last event of the month (a transfer to or from savings) makes
 *   up the difference. So a month can be generated without generating the months before it, a
 *   period costs only its own months, and running balances always reconcile.
 * - Full-payer cards start each month owing what they charged after the previous statement
 *   closed, and pay each statement in full on its due date.
 * - Loans follow their amortization schedule (interest, optional late fee, installment).
 *
 * Amounts are integer cents; the running balance of a liability (card, loan) is the debt.
 */

export type EventKind =
  | 'salary'
  | 'bonus'
  | 'revenue'
  | 'transfer_in'
  | 'transfer_out'
  | 'rent'
  | 'utility'
  | 'subscription'
  | 'purchase'
  | 'installment'
  | 'atm'
  | 'fee'
  | 'tax'
  | 'interest'
  | 'card_payment'
  | 'card_payment_received'
  | 'loan_payment'
  | 'loan_disbursement'
  | 'loan_interest'
  | 'loan_fee'
  | 'loan_installment_received'
  | 'payroll'
  | 'supplier'
  | 'balancing'
  | 'savings_deposit'
  | 'savings_withdrawal'

export interface TxEvent {
  day: Day
  /** Local time of day in seconds. */
  sec: number
  cents: number
  inflow: boolean
  kind: EventKind
  description: string
  brand: Brand | null
  mcc: number | null
  party: Party | null
  category: Category | null
  subcategory: Subcategory | null
  /** OFDA operation_type (Open Finance Brasil transaction types). */
  opType: string
  opInfo: string | null
  reference: string | null
  observations: string | null
  installment: { k: number; n: number } | null
  loanInstallment: number | null
  cardFee: string | null
  cardCredit: string | null
  /** A purchase whose cents may be adjusted so the month's balancing transfer is never zero. */
  tweakable: boolean
}

export interface MonthLedger {
  ym: YearMonth
  /** Balance (asset) or debt (liability) before the month's first event. */
  startCents: number
  events: TxEvent[]
}

const LIABILITY = new Set(['card', 'loan'])

export function isLiability(acct: AccountPlan): boolean {
  return LIABILITY.has(acct.kind)
}

/** Signed effect of an event on the account's running balance (asset) or debt (liability). */
export function effect(acct: AccountPlan, ev: TxEvent): number {
  return isLiability(acct) === ev.inflow ? -ev.cents : ev.cents
}

function event(
  day: Day,
  sec: number,
  cents: number,
  inflow: boolean,
  kind: EventKind,
  description: string,
  category: Category | null,
  subcategory: Subcategory | null,
  opType: string,
  extra: Partial<TxEvent> = {},
): TxEvent {
  return {
    day,
    sec,
    cents,
    inflow,
    kind,
    description,
    brand: extra.brand ?? null,
    mcc: extra.mcc ?? null,
    party: extra.party ?? null,
    category,
    subcategory,
    opType,
    opInfo: extra.opInfo ?? null,
    reference: extra.reference ?? null,
    observations: extra.observations ?? null,
    installment: extra.installment ?? null,
    loanInstallment: extra.loanInstallment ?? null,
    cardFee: extra.cardFee ?? null,
    cardCredit: extra.cardCredit ?? null,
    tweakable: extra.tweakable ?? false,
  }
}

function byTime(a: TxEvent, b: TxEvent): number {
  return a.day - b.day || a.sec - b.sec
}

// Electricity follows the seasons (air conditioning in northern summers, heating in the south).
const SEASON: Record<SandboxCountry, readonly number[]> = {
  MX: [0.85, 0.85, 0.95, 1.1, 1.3, 1.3, 1.2, 1.15, 1.0, 0.9, 0.85, 0.9],
  CO: [1, 1, 1, 1, 1.05, 1.05, 1, 1, 1, 1, 0.95, 0.95],
  BR: [1.25, 1.25, 1.15, 1, 0.9, 0.85, 0.85, 0.9, 0.95, 1.05, 1.15, 1.2],
}

/** ATMs dispense notes: 100 MXN, 50 BRL, 10 000 COP. */
const ATM_NOTE_CENTS: Record<SandboxCountry, number> = { MX: 10_000, BR: 5_000, CO: 1_000_000 }

function growth(rate: number, years: number): number {
  let factor = 1
  for (let i = 0; i < Math.abs(years); i++) factor *= 1 + rate
  return years >= 0 ? factor : 1 / factor
}

function roundStep(cents: number, step: number): number {
  return Math.max(step, Math.round(cents / step) * step)
}

// ---------------------------------------------------------------------------------------------

export class Ledger {
  private readonly memo = new Map<string, MonthLedger>()
  private readonly chargesMemo = new Map<string, TxEvent[]>()
  private readonly texts: Texts
  /** The month amounts are levelled at (salary, rent, savings): fixed, never today's month. */
  private readonly referenceYm: YearMonth
  private readonly cutoff: number

  constructor(readonly world: World) {
    this.texts = TEXTS[world.country]
    this.referenceYm = yearMonthOf(REFERENCE_DAY)
    this.cutoff = postingCutoff(world)
  }

  /**
   * Whether a movement is posted on the sandbox's today: it happened before today's 00:00 UTC
   * (format.ts postingCutoff). The story itself never depends on it; only what is reported does.
   */
  posted(day: Day, sec: number): boolean {
    return utcInstant(this.world.country, day, sec) < this.cutoff
  }

  /** Whether the whole local day is posted (a statement that closed on it is final). */
  dayPosted(day: Day): boolean {
    return this.posted(day, 86_399)
  }

  /** Forgets memoized months before `ym`, so streaming years of history keeps memory flat. */
  release(beforeYm: YearMonth): void {
    for (const map of [this.memo, this.chargesMemo] as Map<string, unknown>[]) {
      for (const key of map.keys()) if (Number(key.split(':')[1]) < beforeYm) map.delete(key)
    }
  }

  month(acct: AccountPlan, ym: YearMonth): MonthLedger {
    const key = `${acct.index}:${ym}`
    let m = this.memo.get(key)
    if (!m) {
      m = this.build(acct, ym)
      this.memo.set(key, m)
    }
    return m
  }

  /** The balance (or debt) after every posted event up to and including `day`. */
  balanceAt(acct: AccountPlan, day: Day): number {
    const m = this.month(acct, yearMonthOf(day))
    let balance = m.startCents
    for (const ev of m.events) {
      if (ev.day > day) break
      if (this.posted(ev.day, ev.sec)) balance += effect(acct, ev)
    }
    return balance
  }

  private build(acct: AccountPlan, ym: YearMonth): MonthLedger {
    switch (acct.kind) {
      case 'primary':
        return this.depositMonth(acct, ym, true)
      case 'reserve':
        return this.depositMonth(acct, ym, false)
      case 'card':
        return this.cardMonth(acct, ym)
      case 'loan':
        return this.loanMonth(acct, ym)
    }
  }

  private rng(acct: AccountPlan, ym: YearMonth, stream: string): Rng {
    return new Rng(seedKey(this.world.key, acct.tag, stream, ym))
  }

  /** The month-start balance anchor, a multiple of 100 steps (see `balance`). */
  private anchor(acct: AccountPlan, ym: YearMonth): number {
    // A gig earnings account holds what the platform has not paid out yet, over its float: no
    // jitter, so that a month of weekly payouts closes on the next anchor by itself.
    if (this.world.gig && acct.kind === 'primary') return acct.anchorCents + gigUnpaid(this.world.gig, monthStart(ym))
    const rng = this.rng(acct, ym, 'anchor')
    const modulus = 100 * this.world.locale.step
    let level = acct.anchorCents
    if (acct.kind === 'reserve') {
      // Savings grow about 1% a month through the reference month's level (and stay positive in the past).
      level = Math.max(level * 0.25, level * (1 + 0.01 * (ym - this.referenceYm)))
    }
    const raw = level * (1 + acct.anchorSpread * (2 * rng.next() - 1))
    return Math.round(raw / modulus) * modulus
  }

  /**
   * Closes a month on its next anchor. One tweakable purchase gets its cents adjusted so that the
   * balancing amount is never zero: anchors are multiples of 100 steps and the month's net flow is
   * forced to 37 steps modulo 100 steps, so a balancing transfer always exists (the scale persona
   * relies on an exact count of transactions per day).
   */
  private balance(acct: AccountPlan, ym: YearMonth, start: number, events: TxEvent[], make: (cents: number, inflow: boolean) => TxEvent): void {
    const step = this.world.locale.step
    const modulus = 100 * step
    let net = 0
    for (const ev of events) net += effect(acct, ev)
    let tweak: TxEvent | undefined
    for (let i = events.length - 1; i >= 0; i--) {
      if (events[i].tweakable) {
        tweak = events[i]
        break
      }
    }
    if (tweak) {
      const r = (((net - 37 * step) % modulus) + modulus) % modulus
      if (r !== 0) {
        // Growing the event by `delta` moves the net by +-delta depending on its direction.
        const sign = Math.sign(effect(acct, tweak))
        const delta = sign < 0 ? r : modulus - r
        tweak.cents += delta
        net += sign * delta
      }
    }
    const target = this.anchor(acct, ym + 1)
    const diff = target - (start + net)
    if (diff === 0) return
    // For an asset an inflow raises the balance; for a liability an inflow (payment) lowers the debt.
    const inflow = isLiability(acct) ? diff < 0 : diff > 0
    events.push(make(Math.abs(diff), inflow))
  }

  // -------------------------------------------------------------------------------------------
  // Deposit accounts: the salary account (primary) and savings (reserve).

  private salaryFor(year: number): number {
    const w = this.world
    return roundStep(w.monthlySalaryCents * growth(0.045, year - yearOf(this.referenceYm)), w.locale.step * 100)
  }

  private depositMonth(acct: AccountPlan, ym: YearMonth, primary: boolean): MonthLedger {
    const w = this.world
    const start = this.anchor(acct, ym)
    const rng = this.rng(acct, ym, 'events')
    const events: TxEvent[] = []
    if (primary) {
      if (w.gig) this.gigEvents(ym, rng, events)
      else if (w.business) this.businessEvents(acct, ym, rng, events)
      else this.personalEvents(acct, ym, rng, events)
      this.paymentsToOwnCredit(acct, ym, events)
      if (settlementAccount(w) === acct) this.cardSettlements(acct, ym, events)
    } else {
      this.savingsEvents(acct, ym, rng, events)
    }
    const end = monthEnd(ym)
    if (acct.dense) this.fillDense(acct, ym, rng, events, end)
    events.sort(byTime)
    const t = this.texts
    const saver = w.profile.kind !== 'negative'
    const counterparty = w.contacts[ym % w.contacts.length]
    this.balance(acct, ym, start, events, (cents, inflow) => {
      if (primary && w.gig) return this.gigBalancing(end, cents, inflow)
      if (!primary) {
        return event(
          end,
          86_000,
          cents,
          inflow,
          'balancing',
          inflow ? t.savingsDeposit : t.savingsWithdrawal,
          'Transfers',
          null,
          'TRANSFERENCIA_MESMA_INSTITUICAO',
        )
      }
      if (saver) {
        return inflow
          ? event(end, 86_000, cents, true, 'balancing', t.fromSavings, 'Transfers', null, 'TRANSFERENCIA_MESMA_INSTITUICAO')
          : event(end, 86_000, cents, false, 'balancing', t.toSavings, 'Investments & Savings', 'Savings', 'TRANSFERENCIA_MESMA_INSTITUICAO')
      }
      return inflow
        ? event(end, 86_000, cents, true, 'balancing', t.transferIn(counterparty), 'Transfers', null, t.transferOp, { party: counterparty })
        : event(end, 86_000, cents, false, 'balancing', t.transferOut(counterparty), 'Transfers', null, t.transferOp, { party: counterparty })
    })
    return { ym, startCents: start, events }
  }

  /** A merchant's card sales paid by the acquirer into its settlement account (receivables.ts). */
  private cardSettlements(acct: AccountPlan, ym: YearMonth, events: TxEvent[]): void {
    for (const { day, sec, cents } of settlementsInMonth(this.world, acct, ym)) {
      events.push(event(day, sec, cents, true, 'revenue', this.texts.cardSettlement, 'Income & Payments', null, 'OUTROS'))
    }
  }

  // -------------------------------------------------------------------------------------------
  // A gig platform's earnings account (gig.ts): the month's trips or deliveries and Monday payouts.

  private gigEvents(ym: YearMonth, rng: Rng, events: TxEvent[]): void {
    const gig = this.world.gig!
    const texts = GIG_TEXTS[this.world.country]
    const platform = this.world.employer
    const payOp = this.world.country === 'BR' ? 'PIX' : this.texts.transferOp
    const described: Record<GigMoveKind, (code: string) => string> = {
      fare: (code) => texts.fare(gig.platform, code),
      tip: texts.tip,
      cash_commission: texts.cashCommission,
    }
    for (let day = monthStart(ym); day <= monthEnd(ym); day++) {
      const payout = gigPayout(gig, day)
      if (payout > 0) {
        const to = gig.payoutTo
        events.push(
          event(day, 21_600 + rng.int(0, 1_800), payout, false, 'transfer_out', texts.payout(to.bank.short, to.account.slice(-4)), 'Transfers', null, payOp, {
            party: to,
            reference: String(rng.int(1_000_000, 9_999_999)),
          }),
        )
      }
      for (const move of gigDay(gig, day)) {
        const earning = move.kind !== 'cash_commission'
        events.push(
          event(
            day,
            move.sec,
            move.cents,
            move.inflow,
            earning ? 'revenue' : 'fee',
            described[move.kind](move.code),
            earning ? 'Income & Payments' : 'Fees & Charges',
            earning ? 'Freelance' : null,
            'OUTROS',
            { party: platform, reference: move.code },
          ),
        )
      }
    }
  }

  /**
   * What closes a gig month on its anchor: a bonus for meeting the platform's goals, or, owing
   * commissions, a payment of the debt; the other way, an instant cash-out to the worker's bank.
   */
  private gigBalancing(end: Day, cents: number, inflow: boolean): TxEvent {
    const w = this.world
    const texts = GIG_TEXTS[w.country]
    if (!inflow) return event(end, 86_000, cents, false, 'balancing', texts.cashOut, 'Transfers', null, w.country === 'BR' ? 'PIX' : this.texts.transferOp)
    if (w.profile.kind === 'negative') return event(end, 86_000, cents, true, 'balancing', texts.debtPayment, 'Transfers', null, 'OUTROS')
    return event(end, 86_000, cents, true, 'balancing', texts.bonus, 'Income & Payments', 'Freelance', 'OUTROS', { party: w.employer })
  }

  private payDays(ym: YearMonth): Day[] {
    const c = this.world.country
    if (c === 'BR') return [nthBusinessDay(c, ym, 5)]
    return [onOrBeforeBusinessDay(c, dayInMonth(ym, 15)), lastBusinessDay(c, ym)]
  }

  private personalEvents(acct: AccountPlan, ym: YearMonth, rng: Rng, events: TxEvent[]): void {
    const w = this.world
    const t = this.texts
    const c = w.country
    const step = w.locale.step
    const year = yearOf(ym)
    const month = monthOf(ym)
    const salary = this.salaryFor(year)
    const employer = w.employer
    const payDays = this.payDays(ym)
    const first = roundStep(salary / payDays.length, step * 100)
    payDays.forEach((day, i) => {
      const cents = i === payDays.length - 1 ? salary - first * (payDays.length - 1) : first
      events.push(
        event(day, 25_200 + rng.int(0, 1_800), cents, true, 'salary', t.salary(upper(employer.name)), 'Income & Payments', 'Salary', 'FOLHA_PAGAMENTO', {
          party: employer,
          reference: String(rng.int(1_000_000, 9_999_999)),
        }),
      )
    })
    // Statutory bonuses: aguinaldo (MX, by Dec 20), 13o salario (BR, Nov 30 and Dec 20), prima (CO, Jun 30 and Dec 20).
    const bonusDays: [number, number, number][] =
      c === 'MX'
        ? [[12, 18, 0.5]]
        : c === 'BR'
          ? [
              [11, 28, 0.5],
              [12, 18, 0.5],
            ]
          : [
              [6, 28, 0.5],
              [12, 18, 0.5],
            ]
    for (const [bm, bd, share] of bonusDays) {
      if (bm === month) {
        events.push(
          event(
            onOrBeforeBusinessDay(c, dayInMonth(ym, bd)),
            27_000,
            roundStep(salary * share, step),
            true,
            'bonus',
            `${t.bonus} ${upper(employer.name)}`,
            'Income & Payments',
            'Salary',
            'FOLHA_PAGAMENTO',
            { party: employer },
          ),
        )
      }
    }
    const rent = roundStep(w.rentCents * growth(0.04, year - yearOf(this.referenceYm)), step * 100)
    events.push(
      event(
        onOrAfterBusinessDay(c, dayInMonth(ym, w.rentDay)),
        36_000 + rng.int(0, 3_600),
        rent,
        false,
        'rent',
        t.rent(w.landlord),
        'Bills & Utilities',
        'Rent',
        t.transferOp,
        {
          party: w.landlord,
          observations: `RENTA ${w.locale.monthNames[month - 1].toUpperCase()} ${year}`,
          reference: String(rng.int(1_000_000, 9_999_999)),
        },
      ),
    )
    for (const { utility, day } of w.utilities.slice(0, acct.dense ? 2 : undefined)) {
      const season = utility.subcategory === 'Electricity & Energy' ? SEASON[c][month - 1] : 1
      const cents = utility.spread === 0 ? utility.baseCents : rng.jitterCents(utility.baseCents * season, utility.spread, step)
      events.push(
        event(
          onOrAfterBusinessDay(c, dayInMonth(ym, day)),
          32_400 + rng.int(0, 7_200),
          cents,
          false,
          'utility',
          t.utility(utility.descriptor),
          'Bills & Utilities',
          utility.subcategory,
          'CONVENIO_ARRECADACAO',
          { brand: utility, reference: String(rng.int(100_000_000, 999_999_999)) },
        ),
      )
    }
    if (acct.dense) return
    for (const { sub, cents, day } of w.debitSubscriptions) {
      events.push(
        event(dayInMonth(ym, day), 10_800 + rng.int(0, 3_600), cents, false, 'subscription', sub.descriptor, sub.category, sub.subcategory, 'CARTAO', {
          brand: sub,
        }),
      )
    }
    this.debitPurchases(
      ym,
      rng,
      events,
      w.accounts.some((a) => a.kind === 'card'),
    )
    this.transfers(ym, rng, events, w.profile.kind === 'low' ? [0, 1] : [1, 4], w.profile.kind === 'low' ? [0, 1] : [0, 2])
    const [atmMin, atmMax] = c === 'BR' ? [0, 1] : [1, 2]
    for (let i = rng.int(atmMin, atmMax); i > 0; i--) {
      const cents = Math.max(ATM_NOTE_CENTS[c], Math.round(rng.skewedCents(w.locale.atm[0], w.locale.atm[1]) / ATM_NOTE_CENTS[c]) * ATM_NOTE_CENTS[c])
      events.push(
        event(
          monthStart(ym) + rng.int(0, daysInMonth(ym) - 1),
          36_000 + rng.int(0, 36_000),
          cents,
          false,
          'atm',
          t.atm(w.bank.short),
          'Withdrawal & ATM',
          null,
          'SAQUE',
          { reference: String(rng.int(100_000, 999_999)) },
        ),
      )
    }
    this.bankCharges(acct, ym, events)
  }

  private businessEvents(acct: AccountPlan, ym: YearMonth, rng: Rng, events: TxEvent[]): void {
    const w = this.world
    const t = this.texts
    const c = w.country
    const step = w.locale.step
    const base = this.salaryFor(yearOf(ym))
    // Revenue: customers pay invoices through the month (about five salaries a month).
    for (let i = rng.int(14, 26); i > 0; i--) {
      const customer = rng.pick(w.customers)
      events.push(
        event(
          monthStart(ym) + rng.int(0, daysInMonth(ym) - 1),
          32_400 + rng.int(0, 32_400),
          rng.skewedCents(base * 0.05, base * 0.6, step),
          true,
          'revenue',
          t.revenue(customer),
          'Income & Payments',
          null,
          t.transferOp,
          { party: customer, reference: String(rng.int(1_000_000, 9_999_999)) },
        ),
      )
    }
    // Payroll: the team is paid on the country's pay days.
    const team = w.contacts.slice(0, 4)
    for (const day of this.payDays(ym)) {
      for (const employee of team) {
        const share = roundStep((base * 0.55) / this.payDays(ym).length, step * 100)
        events.push(event(day, 28_800 + rng.int(0, 1_800), share, false, 'payroll', t.payroll(employee), 'Transfers', null, t.transferOp, { party: employee }))
      }
    }
    for (let i = rng.int(3, 7); i > 0; i--) {
      const supplier = rng.pick(w.suppliers)
      events.push(
        event(
          monthStart(ym) + rng.int(0, daysInMonth(ym) - 1),
          39_600 + rng.int(0, 18_000),
          rng.skewedCents(base * 0.05, base * 0.4, step),
          false,
          'supplier',
          t.supplier(supplier),
          'Home & Life',
          'Professional Services',
          c === 'BR' ? 'BOLETO' : t.transferOp,
          { party: supplier, tweakable: true },
        ),
      )
    }
    events.push(
      event(
        onOrBeforeBusinessDay(c, dayInMonth(ym, c === 'BR' ? 20 : 17)),
        43_200,
        roundStep(base * 0.3, step),
        false,
        'tax',
        t.tax,
        'Taxes',
        'Income Tax',
        'CONVENIO_ARRECADACAO',
        { reference: String(rng.int(100_000_000, 999_999_999)) },
      ),
    )
    events.push(
      event(
        onOrAfterBusinessDay(c, dayInMonth(ym, w.rentDay)),
        36_000,
        roundStep(w.rentCents * 1.5, step * 100),
        false,
        'rent',
        t.rent(w.landlord),
        'Bills & Utilities',
        'Rent',
        t.transferOp,
        { party: w.landlord },
      ),
    )
    for (const { utility, day } of w.utilities) {
      const cents = utility.spread === 0 ? utility.baseCents : rng.jitterCents(utility.baseCents * 1.8, utility.spread, step)
      events.push(
        event(
          onOrAfterBusinessDay(c, dayInMonth(ym, day)),
          34_000,
          cents,
          false,
          'utility',
          t.utility(utility.descriptor),
          'Bills & Utilities',
          utility.subcategory,
          'CONVENIO_ARRECADACAO',
          { brand: utility },
        ),
      )
    }
    this.debitPurchases(ym, rng, events, true)
    this.bankCharges(acct, ym, events)
  }

  /**
   * Merchant purchases until the month's budget is spent: counts vary, tickets stay realistic.
   * Every candidate draws the same numbers whichever channel takes it, so the debit and card
   * streams are independent of each other.
   */
  private spend(ym: YearMonth, rng: Rng, budgetCents: number, accept: (m: Merchant, roll: number) => boolean, card: boolean, out: TxEvent[]): void {
    const w = this.world
    const first = monthStart(ym)
    const days = daysInMonth(ym)
    let spent = 0
    for (let i = 0; i < 400 && spent < budgetCents; i++) {
      const m = rng.pickWeighted(w.locale.merchants)
      const roll = rng.next()
      const day = first + rng.int(0, days - 1)
      const sec = 28_800 + rng.int(0, 50_400)
      const cents = rng.skewedCents(m.minCents, m.maxCents, w.locale.step)
      if (!accept(m, roll)) continue
      spent += cents
      out.push(this.purchase(m, day, sec, cents, card, rng))
    }
  }

  private debitPurchases(ym: YearMonth, rng: Rng, events: TxEvent[], hasCard: boolean): void {
    const budget = this.salaryFor(yearOf(ym)) * this.world.debitSpendShare * (0.85 + 0.3 * rng.next())
    this.spend(ym, rng, budget, (m, roll) => !hasCard || roll >= m.cardShare, false, events)
  }

  private purchase(m: Merchant, day: Day, sec: number, cents: number, card: boolean, rng: Rng, installment: { k: number; n: number } | null = null): TxEvent {
    const descriptor = m.descriptors[rng.int(0, m.descriptors.length - 1)]
    return {
      day,
      sec,
      cents,
      inflow: false,
      kind: installment ? 'installment' : 'purchase',
      description: card
        ? installment
          ? descriptor + this.texts.installmentSuffix(installment.k, installment.n)
          : descriptor
        : this.texts.debitPurchase(descriptor),
      brand: m,
      mcc: m.mcc,
      party: null,
      category: m.category,
      subcategory: m.subcategory,
      opType: card ? 'PAGAMENTO' : 'CARTAO',
      opInfo: null,
      reference: String(100_000 + rng.int(0, 899_999)),
      observations: null,
      installment,
      loanInstallment: null,
      cardFee: null,
      cardCredit: null,
      tweakable: installment === null,
    }
  }

  private transfers(ym: YearMonth, rng: Rng, events: TxEvent[], out: [number, number], inn: [number, number]): void {
    const w = this.world
    const t = this.texts
    const salary = w.monthlySalaryCents
    const first = monthStart(ym)
    const days = daysInMonth(ym)
    for (let i = rng.int(out[0], out[1]); i > 0; i--) {
      const p = rng.pick(w.contacts)
      events.push(
        event(
          first + rng.int(0, days - 1),
          32_400 + rng.int(0, 43_200),
          rng.skewedCents(salary * 0.01, salary * 0.12, w.locale.step * 100),
          false,
          'transfer_out',
          t.transferOut(p),
          'Transfers',
          null,
          t.transferOp,
          { party: p, reference: String(rng.int(1_000_000, 9_999_999)) },
        ),
      )
    }
    for (let i = rng.int(inn[0], inn[1]); i > 0; i--) {
      const p = rng.pick(w.contacts)
      events.push(
        event(
          first + rng.int(0, days - 1),
          32_400 + rng.int(0, 43_200),
          rng.skewedCents(salary * 0.02, salary * 0.1, w.locale.step * 100),
          true,
          'transfer_in',
          t.transferIn(p),
          'Transfers',
          null,
          t.transferOp,
          { party: p, reference: String(rng.int(1_000_000, 9_999_999)) },
        ),
      )
    }
  }

  private bankCharges(acct: AccountPlan, ym: YearMonth, events: TxEvent[]): void {
    const w = this.world
    const t = this.texts
    const c = w.country
    const step = w.locale.step
    const first = monthStart(ym)
    if (c === 'BR' || w.business || w.profile.kind === 'negative') {
      const fee = c === 'BR' ? 3_990 : c === 'MX' ? 17_400 : 1_490_000
      events.push(
        event(onOrAfterBusinessDay(c, first + 9), 21_600, fee, false, 'fee', t.accountFee, 'Fees & Charges', 'Bank Fees', 'PACOTE_TARIFA_SERVICOS', {
          cardFee: null,
        }),
      )
    }
    const startBalance = this.anchor(acct, ym)
    if (startBalance < 0) {
      // Overdraft interest on last month's negative balance (the anchor is that balance).
      const rate = c === 'BR' ? 0.08 : c === 'MX' ? 0.035 : 0.025
      events.push(
        event(
          onOrAfterBusinessDay(c, first),
          14_400,
          roundStep(-startBalance * rate, step),
          false,
          'interest',
          t.overdraftInterest,
          'Credits & Loans',
          'Interest & Charges',
          'ENCARGOS_JUROS_CHEQUE_ESPECIAL',
        ),
      )
    }
    if (c === 'CO') {
      // GMF "4x1000": the financial transactions tax, 0.4% of the month's debits, charged monthly.
      let debits = 0
      for (const ev of events) if (!ev.inflow) debits += ev.cents
      events.push(
        event(
          monthEnd(ym),
          84_000,
          roundStep(debits * 0.004, step),
          false,
          'tax',
          'GRAVAMEN MOVIMIENTOS FINANCIEROS 4X1000',
          'Taxes',
          'Government Fees',
          'OUTROS',
          { opInfo: 'GMF' },
        ),
      )
    }
  }

  /** The primary account pays the cards and loans it owns (same day as they receive it). */
  private paymentsToOwnCredit(acct: AccountPlan, ym: YearMonth, events: TxEvent[]): void {
    const t = this.texts
    for (const other of this.world.accounts) {
      if (other.payerIndex !== acct.index) continue
      if (other.card) {
        for (const ev of this.month(other, ym).events) {
          if (ev.kind === 'card_payment_received') {
            events.push(
              event(ev.day, ev.sec - 60, ev.cents, false, 'card_payment', t.cardPaymentOut(other.last4 ?? ''), 'Credits & Loans', 'Credit Card', 'BOLETO'),
            )
          }
        }
      }
      if (other.loan) {
        const contract = other.loan.contractNumber.slice(-4)
        for (const ev of this.month(other, ym).events) {
          if (ev.kind === 'loan_installment_received') {
            // The amount received by the loan already includes any late fee.
            events.push(
              event(ev.day, ev.sec - 60, ev.cents, false, 'loan_payment', t.loanPaymentOut(contract), 'Credits & Loans', 'Personal', 'OPERACAO_CREDITO', {
                loanInstallment: ev.loanInstallment,
              }),
            )
          } else if (ev.kind === 'loan_disbursement') {
            events.push(
              event(
                ev.day,
                ev.sec + 60,
                ev.cents,
                true,
                'loan_disbursement',
                t.loanDisbursementIn(contract),
                'Credits & Loans',
                'Personal',
                'OPERACAO_CREDITO',
              ),
            )
            // The loan consolidated card debt at another bank (a common reason for personal loans).
            const other = this.world.contacts[0].bank
            events.push(
              event(
                ev.day,
                ev.sec + 3_600,
                roundStep(ev.cents * 0.9, this.world.locale.step * 100),
                false,
                'transfer_out',
                t.consolidation(other.short),
                'Credits & Loans',
                'Credit Card',
                'BOLETO',
              ),
            )
          }
        }
      }
    }
  }

  private savingsEvents(acct: AccountPlan, ym: YearMonth, rng: Rng, events: TxEvent[]): void {
    const w = this.world
    const t = this.texts
    const step = w.locale.step
    const level = this.anchor(acct, ym)
    const rate = w.country === 'BR' ? 0.005 : w.country === 'MX' ? 0.0035 : 0
    events.push(
      event(
        dayInMonth(ym, rng.int(3, 12)),
        39_600,
        rng.skewedCents(w.monthlySalaryCents * 0.02, w.monthlySalaryCents * 0.1, step),
        true,
        'savings_deposit',
        t.savingsDeposit,
        'Transfers',
        null,
        'TRANSFERENCIA_MESMA_INSTITUICAO',
        { tweakable: true },
      ),
    )
    if (rng.chance(0.25)) {
      events.push(
        event(
          dayInMonth(ym, rng.int(13, 25)),
          43_200,
          rng.skewedCents(w.monthlySalaryCents * 0.05, w.monthlySalaryCents * 0.3, step * 100),
          false,
          'savings_withdrawal',
          t.savingsWithdrawal,
          'Transfers',
          null,
          'TRANSFERENCIA_MESMA_INSTITUICAO',
        ),
      )
    }
    if (rate > 0 && level > 0) {
      // Poupanca pays on the account's anniversary day; Mexican savings at month end.
      const day = w.country === 'BR' ? dayInMonth(ym, 5) : monthEnd(ym)
      events.push(
        event(day, 3_600, roundStep(level * rate, step), true, 'interest', t.savingsInterest, 'Income & Payments', 'Interest', 'RENDIMENTO_APLIC_FINANCEIRA'),
      )
    }
  }

  /**
   * Scale persona: fill every day up to DENSE_PER_DAY events. One slot of `reserved` is kept for
   * the event added afterwards (the balancing transfer, or the card's statement payment).
   */
  private fillDense(acct: AccountPlan, ym: YearMonth, rng: Rng, events: TxEvent[], reserved: Day): void {
    const w = this.world
    const t = this.texts
    const first = monthStart(ym)
    const days = daysInMonth(ym)
    const perDay = new Uint8Array(days)
    const reservedIndex = reserved - first
    // Fixed events beyond the daily budget are dropped so that the count stays exact.
    const kept: TxEvent[] = []
    for (const ev of events) {
      const i = ev.day - first
      if (perDay[i] < DENSE_PER_DAY - (i === reservedIndex ? 1 : 0)) {
        perDay[i]++
        kept.push(ev)
      }
    }
    events.length = 0
    for (const ev of kept) events.push(ev)
    const merchants = w.locale.merchants
    const step = w.locale.step
    const salary = w.monthlySalaryCents
    for (let i = 0; i < days; i++) {
      const budget = DENSE_PER_DAY - perDay[i] - (i === reservedIndex ? 1 : 0)
      const day = first + i
      for (let j = 0; j < budget; j++) {
        const roll = rng.next()
        const sec = 25_200 + rng.int(0, 54_000)
        if (acct.kind === 'card' || roll < 0.86) {
          const m = rng.pickWeighted(merchants)
          events.push(this.purchase(m, day, sec, rng.skewedCents(m.minCents * 0.35, m.maxCents * 0.35, step), acct.kind === 'card', rng))
        } else {
          const p = w.contacts[rng.int(0, w.contacts.length - 1)]
          const inflow = roll > 0.95
          const cents = rng.skewedCents(salary * 0.005, salary * 0.05, step * 100)
          events.push(
            event(
              day,
              sec,
              cents,
              inflow,
              inflow ? 'transfer_in' : 'transfer_out',
              inflow ? t.transferIn(p) : t.transferOut(p),
              'Transfers',
              null,
              t.transferOp,
              { party: p },
            ),
          )
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Credit cards.

  cutDay(card: AccountPlan, ym: YearMonth): Day {
    return dayInMonth(ym, card.card!.cutDay)
  }

  dueDay(card: AccountPlan, ym: YearMonth): Day {
    return onOrAfterBusinessDay(this.world.country, this.cutDay(card, ym) + card.card!.dueOffset)
  }

  /** Everything charged to the card in a month (purchases, subscriptions, installments, fees, interest). */
  private charges(card: AccountPlan, ym: YearMonth): TxEvent[] {
    const key = `${card.index}:${ym}`
    let list = this.chargesMemo.get(key)
    if (list) return list
    const w = this.world
    const t = this.texts
    const plan = card.card!
    const rng = this.rng(card, ym, 'charges')
    const step = w.locale.step
    list = []
    for (const { sub, cents, day } of plan.subscriptions) {
      list.push(
        event(dayInMonth(ym, day), 10_800 + rng.int(0, 3_600), cents, false, 'subscription', sub.descriptor, sub.category, sub.subcategory, 'PAGAMENTO', {
          brand: sub,
          mcc: sub.mcc,
        }),
      )
    }
    if (card.dense) this.fillDense(card, ym, rng, list, this.dueDay(card, ym))
    else {
      const budget = this.salaryFor(yearOf(ym)) * w.cardSpendShare * (0.85 + 0.3 * rng.next())
      this.spend(ym, rng, budget, (m, roll) => roll < m.cardShare, true, list)
      // Installment purchases (MSI, parcelado, cuotas): one decision per month, paid over n months.
      for (let back = 0; back < 12; back++) {
        const bp = this.installmentPurchase(card, ym - back)
        if (bp && back < bp.n) {
          const share = Math.floor(bp.cents / bp.n / step) * step
          const cents = back === 0 ? bp.cents - share * (bp.n - 1) : share
          list.push(
            this.purchase(bp.merchant, dayInMonth(ym, bp.dayOfMonth), bp.sec, cents, true, new Rng(seedKey(w.key, card.tag, 'inst-desc', ym - back)), {
              k: back + 1,
              n: bp.n,
            }),
          )
        }
      }
      if (monthOf(ym) === plan.annualFeeMonth) {
        list.push(
          event(this.cutDay(card, ym), 7_200, plan.annualFeeCents, false, 'fee', t.annualFee, 'Fees & Charges', 'Bank Fees', 'TARIFA', {
            cardFee: 'ANNUAL_FEE',
          }),
        )
      }
    }
    if (!plan.fullPayer) {
      const debt = this.anchor(card, ym)
      const interest = roundStep(debt * plan.monthlyInterest, step)
      list.push(
        event(
          this.cutDay(card, ym),
          3_600,
          interest,
          false,
          'interest',
          t.cardInterest,
          'Credits & Loans',
          'Interest & Charges',
          'OPERACOES_CREDITO_CONTRATADAS_CARTAO',
          { cardCredit: 'REVOLVING_CREDIT' },
        ),
      )
      if (t.cardInterestTax) {
        const taxRate = w.country === 'MX' ? 0.16 : 0.0038
        list.push(
          event(
            this.cutDay(card, ym),
            3_660,
            roundStep(interest * taxRate, step),
            false,
            'tax',
            t.cardInterestTax,
            'Taxes',
            'Government Fees',
            'OPERACOES_CREDITO_CONTRATADAS_CARTAO',
            { cardCredit: 'REVOLVING_CREDIT' },
          ),
        )
      }
    }
    list.sort(byTime)
    this.chargesMemo.set(key, list)
    return list
  }

  private installmentPurchase(card: AccountPlan, ym: YearMonth) {
    const w = this.world
    const rng = this.rng(card, ym, 'installment')
    if (!rng.chance(w.profile.kind === 'negative' ? 0.4 : 0.25)) return null
    const options = w.locale.merchants.items.filter((m) => m.installments)
    const merchant = rng.pick(options)
    const n = rng.pick(w.country === 'MX' ? [3, 6, 12] : w.country === 'BR' ? [3, 5, 10] : [6, 12, 24])
    const cents = rng.skewedCents(Math.max(merchant.maxCents * 0.4, merchant.minCents), merchant.maxCents * 1.2, w.locale.step * 100)
    return { merchant, n, cents, dayOfMonth: rng.int(1, 28), sec: 39_600 + rng.int(0, 28_800) }
  }

  /** Debt at the start of the month: last month's charges after its statement closed (full payers). */
  private cardStart(card: AccountPlan, ym: YearMonth): number {
    if (!card.card!.fullPayer) return this.anchor(card, ym)
    const cut = this.cutDay(card, ym - 1)
    let debt = 0
    for (const ev of this.charges(card, ym - 1)) if (ev.day > cut) debt += effect(card, ev)
    return debt
  }

  private cardMonth(card: AccountPlan, ym: YearMonth): MonthLedger {
    const t = this.texts
    const start = this.cardStart(card, ym)
    const events = this.charges(card, ym).map((ev) => ({ ...ev }))
    const due = this.dueDay(card, ym)
    const payment = (cents: number, inflow: boolean): TxEvent =>
      inflow
        ? event(due, 46_800, cents, true, 'card_payment_received', t.cardPaymentIn, 'Credits & Loans', 'Credit Card', 'OUTROS', {
            opInfo: 'Pagamento de fatura',
          })
        : event(due, 46_800, cents, false, 'interest', t.cardInterest, 'Credits & Loans', 'Interest & Charges', 'OPERACOES_CREDITO_CONTRATADAS_CARTAO', {
            cardCredit: 'REVOLVING_CREDIT',
          })
    if (card.card!.fullPayer) {
      // The statement that closed this month: last month's tail plus this month up to the cut.
      const cut = this.cutDay(card, ym)
      let statement = start
      for (const ev of events) if (ev.day <= cut) statement += effect(card, ev)
      if (statement > 0) events.push(payment(statement, true))
    } else {
      this.balance(card, ym, start, events, payment)
    }
    events.sort(byTime)
    return { ym, startCents: start, events }
  }

  // -------------------------------------------------------------------------------------------
  // Loans: disbursement, then per installment its interest, a late fee if paid late, the payment.

  private loanSchedule(loanAcct: AccountPlan): TxEvent[] {
    const key = `${loanAcct.index}:schedule`
    const cached = this.chargesMemo.get(key)
    if (cached) return cached
    const w = this.world
    const t = this.texts
    const loan = loanAcct.loan!
    const c = w.country
    const all: TxEvent[] = [
      event(loan.startDay, 36_000, loan.principalCents, false, 'loan_disbursement', t.loanDisbursementLoan, 'Credits & Loans', 'Personal', 'OPERACAO_CREDITO'),
    ]
    const startYm = yearMonthOf(loan.startDay)
    const dom = Number(loan.startDay - monthStart(startYm) + 1)
    let debt = loan.principalCents
    for (let k = 1; k <= loan.installments; k++) {
      const due = onOrAfterBusinessDay(c, dayInMonth(startYm + k, Math.min(dom, 28)))
      const paid = onOrAfterBusinessDay(c, due + loan.lateDays)
      const interest = Math.round(debt * loan.monthlyRate)
      const fee = loan.lateDays > 0 ? loan.lateFeeCents : 0
      const pay = k === loan.installments ? debt + interest : loan.installmentCents
      all.push(
        event(due, 3_600, interest, false, 'loan_interest', t.loanInterest(k, loan.installments), 'Credits & Loans', 'Interest & Charges', 'OPERACAO_CREDITO', {
          loanInstallment: k,
        }),
      )
      if (fee > 0) {
        all.push(event(paid, 39_000, fee, false, 'loan_fee', t.lateFee(k), 'Fees & Charges', 'Bank Fees', 'TARIFA_SERVICOS_AVULSOS', { loanInstallment: k }))
      }
      all.push(
        event(
          paid,
          39_600,
          pay + fee,
          true,
          'loan_installment_received',
          t.loanPaymentLoan(k, loan.installments),
          'Credits & Loans',
          'Personal',
          'OPERACAO_CREDITO',
          { loanInstallment: k },
        ),
      )
      debt = debt + interest - pay
    }
    all.sort(byTime)
    this.chargesMemo.set(key, all)
    return all
  }

  private loanMonth(loanAcct: AccountPlan, ym: YearMonth): MonthLedger {
    const first = monthStart(ym)
    const last = monthEnd(ym)
    let start = 0
    const events: TxEvent[] = []
    for (const ev of this.loanSchedule(loanAcct)) {
      if (ev.day < first) start += effect(loanAcct, ev)
      else if (ev.day <= last) events.push(ev)
    }
    return { ym, startCents: start, events }
  }

  /** Installments of a loan already due (by `day`, as posted): [paid, past due]. */
  loanStatus(loanAcct: AccountPlan, day: Day): { paid: number; pastDue: number; lastPayment: Day | null; nextDue: Day | null } {
    let paid = 0
    let due = 0
    let lastPayment: Day | null = null
    let nextDue: Day | null = null
    for (const ev of this.loanSchedule(loanAcct)) {
      const known = ev.day <= day && this.posted(ev.day, ev.sec)
      if (ev.kind === 'loan_interest') {
        if (known) due++
        else if (nextDue === null) nextDue = ev.day
      }
      if (ev.kind === 'loan_installment_received' && known) {
        paid++
        lastPayment = ev.day
      }
    }
    return { paid, pastDue: due - paid, lastPayment, nextDue }
  }
}
