import type { InstitutionRecord, Period } from '../types.ts'
import { addMonths, dayInMonth, formatDay, onOrAfterBusinessDay, onOrBeforeBusinessDay, yearMonthOf, type Day } from './calendar.ts'
import { cnpj } from './documents.ts'
import { clipPeriod, money, utcSeconds } from './format.ts'
import { hashDigits, hashHex, hashUuid, Rng, seedKey } from './random.ts'
import { REFERENCE_DAY, type World } from './world.ts'

/**
 * Investments: Brazil's Open Finance investments (`InvestmentBrazil`) and their transactions
 * (`InvestmentTransactionBrazil`), foreign-exchange operations (`Exchange`), and the legacy
 * multi-region portfolios (`InvestmentsPortfolio`, `/investments/portfolios/`).
 *
 * Growth uses repeated multiplication of a daily factor (no Math.pow) so values are identical on
 * every platform.
 */

type InvestmentType = 'FIXED_INCOME_BANKING' | 'TREASURY_BOND' | 'INVESTMENT_FUND' | 'VARIABLE_INCOME'

interface InvestmentPlan {
  internalId: string
  type: InvestmentType
  productName: string
  issuer: string | null
  clearingCode: string | null
  purchaseDay: Day
  dueDay: Day | null
  /** Money invested at purchase (cents) and monthly contributions (funds). */
  principalCents: number
  monthlyCents: number
  /** Yearly return as a fraction; unit price at purchase in cents. */
  yearlyReturn: number
  unitPriceCents: number
  indexer: string | null
  postFixed: number | null
  preFixed: number | null
  taxExempt: boolean
  fundCategory: string | null
}

function hasInvestments(world: World): boolean {
  return world.profile.kind === 'full' || world.profile.kind === 'scale'
}

/**
 * Investments, their transactions and exchanges are Open Finance Brazil resources; portfolios
 * are the legacy multi-region one. A link gets the family of its institution's shape.
 */
function ofdaFamily(world: World): boolean {
  return world.shape === 'ofda' && hasInvestments(world)
}

/** The daily compounding factor over `days` days of a yearly rate. */
function grow(yearly: number, days: number): number {
  const daily = 1 + yearly / 365
  let factor = 1
  for (let i = 0; i < days; i++) factor *= daily
  return factor
}

/** Brazil's regressive income tax on fixed-income gains, by holding period (Lei 11.033/2004). */
function incomeTaxRate(days: number): number {
  return days <= 180 ? 0.225 : days <= 360 ? 0.2 : days <= 720 ? 0.175 : 0.15
}

function plans(world: World): InvestmentPlan[] {
  if (!ofdaFamily(world)) return []
  const rng = new Rng(seedKey(world.key, 'investments'))
  const salary = world.monthlySalaryCents
  const bankCnpj = world.bank.cnpj ?? cnpj(rng)
  const id = (n: number) => `INV${hashHex(seedKey(world.key, 'inv', n), 12).toUpperCase()}`
  // Bought on fixed days of the link (months before REFERENCE_DAY), never relative to today.
  const buy = (monthsAgo: number) => onOrAfterBusinessDay(world.country, addMonths(REFERENCE_DAY, -monthsAgo) - rng.int(0, 25))
  const cdbDay = buy(rng.int(10, 20))
  const selicDay = buy(rng.int(7, 14))
  const fundDay = buy(rng.int(14, 30))
  const stockDay = buy(rng.int(8, 18))
  return [
    {
      internalId: id(0),
      type: 'FIXED_INCOME_BANKING',
      productName: 'CDB',
      issuer: bankCnpj,
      clearingCode: `CDB${formatDay(cdbDay).slice(2, 4)}${hashHex(seedKey(world.key, 'cdb'), 5).toUpperCase()}`,
      purchaseDay: cdbDay,
      dueDay: addMonths(cdbDay, 36),
      principalCents: Math.round((salary * 2.5) / 100_000) * 100_000,
      monthlyCents: 0,
      yearlyReturn: 0.1065 * 1.1,
      unitPriceCents: 100_000,
      indexer: 'CDI',
      postFixed: 1.1,
      preFixed: null,
      taxExempt: false,
      fundCategory: null,
    },
    {
      internalId: id(1),
      type: 'TREASURY_BOND',
      productName: `TESOURO SELIC ${formatDay(addMonths(selicDay, 48)).slice(0, 4)}`,
      issuer: null,
      clearingCode: null,
      purchaseDay: selicDay,
      dueDay: addMonths(selicDay, 48),
      principalCents: Math.round((salary * 1.5) / 10_000) * 10_000,
      monthlyCents: 0,
      yearlyReturn: 0.1075,
      unitPriceCents: 1_480_000,
      indexer: 'SELIC',
      postFixed: 1,
      preFixed: null,
      taxExempt: false,
      fundCategory: null,
    },
    {
      internalId: id(2),
      type: 'INVESTMENT_FUND',
      productName: rng.pick(['AURORA RENDA FIXA DI FIC FI', 'HORIZONTE MULTIMERCADO FIC FIM']),
      issuer: cnpj(rng),
      clearingCode: null,
      purchaseDay: fundDay,
      dueDay: null,
      principalCents: Math.round(salary / 10_000) * 10_000,
      monthlyCents: Math.round((salary * 0.1) / 10_000) * 10_000,
      yearlyReturn: 0.112,
      unitPriceCents: 285,
      indexer: 'CDI',
      postFixed: null,
      preFixed: null,
      taxExempt: false,
      fundCategory: 'RENDA_FIXA',
    },
    {
      internalId: id(3),
      type: 'VARIABLE_INCOME',
      productName: rng.pick(['PETR4', 'VALE3', 'ITUB4', 'WEGE3', 'BBAS3']),
      issuer: cnpj(rng),
      clearingCode: null,
      purchaseDay: stockDay,
      dueDay: null,
      principalCents: Math.round((salary * 0.8) / 10_000) * 10_000,
      monthlyCents: 0,
      yearlyReturn: 0.08,
      unitPriceCents: rng.int(2_500, 4_200),
      indexer: null,
      postFixed: null,
      preFixed: null,
      taxExempt: false,
      fundCategory: null,
    },
  ]
}

interface Flow {
  day: Day
  subtype: string
  inflow: boolean
  cents: number
  quantity: number
  unitPriceCents: number
}

/** Fixed income can be redeemed only after its grace period ("carência"); the others any day. */
function graceEnd(plan: InvestmentPlan): Day | null {
  return plan.type === 'FIXED_INCOME_BANKING' ? addMonths(plan.purchaseDay, 3) : null
}

/** A fixed-term investment is paid out at maturity: its due date, or the next business day. */
function maturityDay(world: World, plan: InvestmentPlan): Day | null {
  return plan.dueDay === null ? null : onOrAfterBusinessDay(world.country, plan.dueDay)
}

/** Months of each fixed term (CDB, Tesouro Selic): a renewed term has the length of the first. */
const TERM_MONTHS: Partial<Record<InvestmentType, number>> = { FIXED_INCOME_BANKING: 36, TREASURY_BOND: 48 }

/** Income tax withheld on an outflow (Brazil's regressive table, by days since the purchase). */
function outflowIncomeTax(plan: InvestmentPlan, f: Flow): number {
  if (plan.type === 'VARIABLE_INCOME' || f.inflow) return 0
  const gain = Math.max(0, Math.round(f.cents - f.quantity * plan.unitPriceCents))
  return Math.round(gain * incomeTaxRate(f.day - plan.purchaseDay))
}

/**
 * The term that follows `old` once it is paid out at maturity (`payout`, its VENCIMENTO): the net
 * proceeds are reinvested the same business day in the same product, for the same length. Its id
 * derives from the old term's id and the term number, so every term keeps its id whatever today.
 */
function renewed(world: World, old: InvestmentPlan, payout: Flow, term: number): InvestmentPlan {
  const open = payout.day
  const due = onOrAfterBusinessDay(world.country, addMonths(open, TERM_MONTHS[old.type] ?? 36))
  const treasury = old.type === 'TREASURY_BOND'
  return {
    ...old,
    internalId: `INV${hashHex(seedKey(world.key, 'inv-term', old.internalId, term), 12).toUpperCase()}`,
    productName: treasury ? `TESOURO SELIC ${formatDay(due).slice(0, 4)}` : old.productName,
    clearingCode:
      old.clearingCode === null ? null : `CDB${formatDay(open).slice(2, 4)}${hashHex(seedKey(world.key, 'cdb', old.internalId, term), 5).toUpperCase()}`,
    purchaseDay: open,
    dueDay: due,
    principalCents: payout.cents - outflowIncomeTax(old, payout),
    // A bank deposit is issued at its face unit price again; a treasury bond is bought at market.
    unitPriceCents: treasury ? payout.unitPriceCents : old.unitPriceCents,
  }
}

/**
 * Every term of every investment, oldest first: a fixed-term investment paid out at maturity is
 * followed by its renewal (the chain grows only with what has been posted, so it is stable).
 */
function terms(world: World): { plan: InvestmentPlan; flows: Flow[]; first: boolean }[] {
  const out: { plan: InvestmentPlan; flows: Flow[]; first: boolean }[] = []
  for (const first of plans(world)) {
    let plan = first
    for (let term = 1; ; term++) {
      const all = flows(world, plan)
      out.push({ plan, flows: all, first: term === 1 })
      const payout = all[all.length - 1]
      if (payout.subtype !== 'VENCIMENTO' || term > 100) break
      plan = renewed(world, plan, payout, term)
    }
  }
  return out
}

/** Whether an investment is held today: a fixed term from the day after it opens to its due date. */
function live(world: World, plan: InvestmentPlan, first: boolean): boolean {
  if (plan.dueDay === null) return true
  return plan.dueDay > world.today && (first || plan.purchaseDay < world.today)
}

/** Purchases, contributions, redemptions and dividends of one investment, posted up to yesterday. */
function flows(world: World, plan: InvestmentPlan): Flow[] {
  const rng = new Rng(seedKey(world.key, 'flows', plan.internalId))
  // Posted data ends before today (format.ts postingCutoff).
  const last = world.today - 1
  const grace = graceEnd(plan)
  // Nothing but the payout from the maturity day on.
  const maturity = maturityDay(world, plan) ?? Number.POSITIVE_INFINITY
  const unitAt = (day: Day) => Math.round(plan.unitPriceCents * grow(plan.yearlyReturn, day - plan.purchaseDay))
  const buySubtype = plan.type === 'FIXED_INCOME_BANKING' || plan.type === 'INVESTMENT_FUND' ? 'APLICACAO' : 'COMPRA'
  const sellSubtype = plan.type === 'FIXED_INCOME_BANKING' || plan.type === 'INVESTMENT_FUND' ? 'RESGATE' : 'VENDA'
  const units = (cents: number, unit: number) => Math.round((cents / unit) * 1_000_000) / 1_000_000
  const out: Flow[] = []
  const first =
    plan.type === 'VARIABLE_INCOME'
      ? Math.max(1, Math.round(plan.principalCents / plan.unitPriceCents / 100)) * 100
      : units(plan.principalCents, plan.unitPriceCents)
  out.push({
    day: plan.purchaseDay,
    subtype: buySubtype,
    inflow: true,
    cents: plan.type === 'VARIABLE_INCOME' ? first * plan.unitPriceCents : plan.principalCents,
    quantity: first,
    unitPriceCents: plan.unitPriceCents,
  })
  const startYm = yearMonthOf(plan.purchaseDay)
  const held = () => out.reduce((q, f) => q + (f.subtype === 'DIVIDENDOS' ? 0 : f.inflow ? f.quantity : -f.quantity), 0)
  for (let ym = startYm + 1; ym <= yearMonthOf(last); ym++) {
    const day = onOrAfterBusinessDay(world.country, dayInMonth(ym, 10))
    if (day > last || day >= maturity) break
    const unit = unitAt(day)
    if (plan.monthlyCents > 0) {
      out.push({ day, subtype: 'APLICACAO', inflow: true, cents: plan.monthlyCents, quantity: units(plan.monthlyCents, unit), unitPriceCents: unit })
    }
    if (plan.type === 'VARIABLE_INCOME' && (ym - startYm) % 3 === 0) {
      // Quarterly dividends, paid out of the position.
      out.push({ day, subtype: 'DIVIDENDOS', inflow: false, cents: Math.round(held() * unit * 0.015), quantity: 0, unitPriceCents: unit })
    }
    if (rng.chance(0.06) && plan.type !== 'TREASURY_BOND') {
      // A partial redemption a few days later: after the grace period, within what is held.
      const sellDay = onOrAfterBusinessDay(world.country, day + 5)
      const sellUnit = unitAt(sellDay)
      const cents = Math.round((plan.principalCents * 0.2) / 10_000) * 10_000
      const quantity = plan.type === 'VARIABLE_INCOME' ? 100 : units(cents, sellUnit)
      if (sellDay <= last && sellDay < maturity && (grace === null || sellDay > grace) && quantity <= held()) {
        out.push({
          day: sellDay,
          subtype: sellSubtype,
          inflow: false,
          cents: plan.type === 'VARIABLE_INCOME' ? 100 * sellUnit : cents,
          quantity,
          unitPriceCents: sellUnit,
        })
      }
    }
  }
  // At maturity the whole position is paid out (VENCIMENTO), posted like any other movement.
  const remaining = Math.round(held() * 1_000_000) / 1_000_000
  if (maturity <= last && remaining > 0) {
    const unit = unitAt(maturity)
    out.push({ day: maturity, subtype: 'VENCIMENTO', inflow: false, cents: Math.round(remaining * unit), quantity: remaining, unitPriceCents: unit })
  }
  return out
}

interface Position {
  quantity: number
  investedCents: number
  grossCents: number
  unitCents: number
}

function position(world: World, plan: InvestmentPlan, all: Flow[]): Position {
  const unit = Math.round(plan.unitPriceCents * grow(plan.yearlyReturn, world.today - plan.purchaseDay))
  let quantity = 0
  let invested = 0
  for (const f of all) {
    if (f.subtype === 'DIVIDENDOS') continue
    quantity += f.inflow ? f.quantity : -f.quantity
    invested += f.inflow ? f.cents : -f.cents
  }
  quantity = Math.round(quantity * 1_000_000) / 1_000_000 || 0
  return { quantity, investedCents: invested, grossCents: Math.round(quantity * unit), unitCents: unit }
}

function referenceDate(world: World): string {
  // Positions are valued at the previous business day's close.
  return utcSeconds(onOrBeforeBusinessDay(world.country, world.today - 1), 75_600)
}

function investmentWire(world: World, plan: InvestmentPlan, all: Flow[]) {
  const pos = position(world, plan, all)
  const gain = Math.max(0, pos.grossCents - pos.investedCents)
  const taxable = plan.type === 'FIXED_INCOME_BANKING' || plan.type === 'TREASURY_BOND' || plan.type === 'INVESTMENT_FUND'
  const withheld = taxable && !plan.taxExempt ? Math.round(gain * incomeTaxRate(world.today - plan.purchaseDay)) : 0
  const fixed = plan.type === 'FIXED_INCOME_BANKING'
  const grace = graceEnd(plan)
  const currency = world.locale.currency
  return {
    internal_identification: plan.internalId,
    type: plan.type,
    issuer_id_number: plan.issuer,
    // The spec's ISIN pattern is quoted with typographic quotes and matches no value: null it is.
    isin_number: null,
    currency,
    product_name: plan.productName,
    is_tax_exempt: plan.taxExempt,
    clearing_code: plan.clearingCode,
    due_date: plan.dueDay === null ? null : formatDay(plan.dueDay),
    issue_date: fixed ? formatDay(plan.purchaseDay) : null,
    purchase_date: plan.type === 'INVESTMENT_FUND' || plan.type === 'VARIABLE_INCOME' ? null : formatDay(plan.purchaseDay),
    grace_period_date: grace === null ? null : formatDay(grace),
    issue_unit_price: fixed ? money(plan.unitPriceCents) : null,
    balance: {
      reference_date: referenceDate(world),
      gross_value: money(pos.grossCents),
      blocked_amount: 0,
      quantity: pos.quantity,
      gross_unit_price: money(pos.unitCents),
      net_value: money(pos.grossCents - withheld),
      withheld_amount: money(withheld),
      transaction_fee: null,
      purchase_unit_price: money(plan.unitPriceCents),
      pre_fixed_rate: plan.preFixed,
      post_fixed_rate: plan.postFixed,
      penalty_fee: null,
      late_payment_fee: null,
      closing_price: plan.type === 'VARIABLE_INCOME' ? money(pos.unitCents) : null,
      unit_price_factor: plan.type === 'VARIABLE_INCOME' ? 1 : null,
    },
    remuneration: {
      pre_fixed_rate: plan.preFixed,
      post_fixed_rate: plan.postFixed,
      rate_type: plan.type === 'VARIABLE_INCOME' ? null : 'LINEAR',
      rate_periodicity: plan.type === 'VARIABLE_INCOME' ? null : 'ANUAL',
      calculation_base: plan.type === 'VARIABLE_INCOME' ? null : 'DIAS_UTEIS',
      indexer: plan.indexer,
      indexer_additional_info: null,
    },
    classification_details: plan.fundCategory
      ? { category: plan.fundCategory, class: plan.fundCategory === 'RENDA_FIXA' ? 'Renda Fixa Duração Livre' : 'Multimercado Livre', subclass: null }
      : null,
    voucher_payment_details: { is_voucher_payment: false, periodicity: null, periodicity_additional_info: null },
    // Only FIXED_INCOME_CREDIT has a debtor (and the spec's CNPJ pattern for it matches nothing).
    debtor_details: null,
  }
}

export function investmentRecords(world: World): InstitutionRecord[] {
  return terms(world)
    .filter((t) => live(world, t.plan, t.first))
    .map((t) => investmentWire(world, t.plan, t.flows))
}

export function investmentTransactionRecords(world: World, period: Period): InstitutionRecord[] {
  const clipped = clipPeriod(world, period)
  if (!clipped) return []
  const [from, to] = clipped
  const out: InstitutionRecord[] = []
  for (const { plan, flows: all } of terms(world)) {
    const { internal_identification: investmentId, ...investment } = investmentWire(world, plan, all)
    all.forEach((f, i) => {
      if (f.day < from || f.day > to) return
      const variable = plan.type === 'VARIABLE_INCOME'
      const incomeTax = outflowIncomeTax(plan, f)
      out.push({
        internal_identification: `${investmentId}T${String(i).padStart(4, '0')}`,
        investment_internal_identification: investmentId,
        investment,
        value_date: formatDay(f.day),
        gross_value: variable ? 0 : money(f.cents),
        net_value: variable ? 0 : money(f.cents - incomeTax),
        value: plan.type === 'VARIABLE_INCOME' || plan.type === 'INVESTMENT_FUND' ? money(f.cents) : 0,
        unit_price: money(f.unitPriceCents),
        price_factor: variable ? 1 : 0,
        transaction_tax: 0,
        income_tax: money(incomeTax),
        quantity: f.quantity,
        type: f.inflow ? 'INFLOW' : 'OUTFLOW',
        subtype: f.subtype,
        // A percentage with two decimals (1.1 x 100 is 110.00000000000001 in binary floating point).
        indexer_percentage: plan.type === 'FIXED_INCOME_BANKING' ? Math.round((plan.postFixed ?? 0) * 10_000) / 100 : 0,
        rate: plan.type === 'FIXED_INCOME_BANKING' || plan.type === 'TREASURY_BOND' ? Math.round(plan.yearlyReturn * 1_000_000) / 1_000_000 : 0,
        exit_fee: 0,
        broker_note_details: null,
      })
    })
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Foreign exchange operations (Brazilian "câmbio" contracts registered at the Central Bank).

type SettlementMethod = 'ESPECIE_CHEQUES_VIAGEM' | 'CARTAO_PREPAGO' | 'TELETRANSMISSAO'

interface ExchangeOperation {
  index: number
  internalId: string
  /** The 17-digit operation identifier. */
  identifier: string
  day: Day
  /** UTC second of `day` at which the operation was requested. */
  requestedSecond: number
  foreign: 'USD' | 'EUR'
  /** COMPRA (travel money) or VENDA. */
  buy: boolean
  settlement: SettlementMethod
  /** Local currency per foreign unit, 4 decimals. */
  rate: number
  foreignCents: number
  dueDay: Day
}

/**
 * A link's operations over the last two years, whatever period is asked for. Every random value
 * is drawn here, before any period test: an operation has the same values in every window that
 * contains it (drawing after the test made the stream, and so the operations, depend on the window).
 * Operations sit in fixed four-month slots counted from REFERENCE_DAY, each drawn from its own
 * stream: an operation keeps its day, values and ids whatever the sandbox's today (today only
 * decides which six slots are the latest done: the oldest drops out when a new one is posted).
 */
function exchangeBook(world: World): { bankId: number; operations: ExchangeOperation[] } {
  const rng = new Rng(seedKey(world.key, 'exchanges'))
  const bankId = Number(world.bank.cnpj ?? cnpj(rng))
  const operations: ExchangeOperation[] = []
  const monthsFromReference = yearMonthOf(world.today) - yearMonthOf(REFERENCE_DAY)
  // One operation every few months (travel money and a wire abroad): the last six done (posted).
  for (let index = Math.floor(monthsFromReference / 4) + 1; operations.length < 6; index--) {
    const slot = new Rng(seedKey(world.key, 'exchanges', 'slot', index))
    const day = onOrAfterBusinessDay(world.country, addMonths(REFERENCE_DAY, 4 * index - slot.int(1, 3)) - slot.int(0, 20))
    if (day >= world.today) continue
    const foreign = slot.pick(['USD', 'USD', 'EUR'] as const)
    const buy = slot.chance(0.75)
    const settlement = slot.pick(['ESPECIE_CHEQUES_VIAGEM', 'CARTAO_PREPAGO', 'TELETRANSMISSAO'] as const)
    const rate = Math.round(world.locale.perUsd * (foreign === 'EUR' ? 1.08 : 1) * (0.96 + 0.08 * slot.next()) * 10_000) / 10_000
    const foreignCents = slot.int(5, 40) * 10_000
    // Drawn last, as before the fix, so a window holding every operation gets the same data.
    const requestedSecond = 50_400 + slot.int(0, 10_800)
    const identifier = hashDigits(seedKey(world.key, 'fx', index), 17)
    operations.push({
      index,
      internalId: `FX${identifier}`,
      identifier,
      day,
      requestedSecond,
      foreign,
      buy,
      settlement,
      rate,
      foreignCents,
      dueDay: onOrAfterBusinessDay(world.country, day + 2),
    })
  }
  return { bankId, operations }
}

const localCentsOf = (op: ExchangeOperation, foreignCents: number) => Math.round(foreignCents * op.rate)
// VET: the all-in rate including IOF (1.1% on currency purchases for travel).
const tevOf = (op: ExchangeOperation) => Math.round(op.rate * (op.buy ? 1.011 : 0.995) * 1_000_000) / 1_000_000
const categoryOf = (op: ExchangeOperation) => (op.buy ? '32998' : '90302')

export function exchangeRecords(world: World, period: Period): InstitutionRecord[] {
  if (!ofdaFamily(world)) return []
  const clipped = clipPeriod(world, period)
  if (!clipped) return []
  const [from, to] = clipped
  const { bankId, operations } = exchangeBook(world)
  const local = world.locale.currency
  return operations
    .filter((op) => op.day >= from && op.day <= to)
    .map((op) => ({
      internal_identification: op.internalId,
      operation_identifier: op.identifier,
      operation_number: hashDigits(seedKey(world.key, 'fx-number', op.index), 12),
      operation_type: op.buy ? 'COMPRA' : 'VENDA',
      operation_requested_at: utcSeconds(op.day, op.requestedSecond),
      authorized_institution_identifier: bankId,
      authorized_institution_name: world.bank.name,
      intermediary_institution_identifier: null,
      intermediary_institution_name: null,
      operation_due_date: formatDay(op.dueDay),
      local_operation_tax_amount: op.rate,
      local_operation_tax_currency: local,
      local_operation_value_amount: money(localCentsOf(op, op.foreignCents)),
      local_operation_value_currency: local,
      foreign_operation_value_amount: money(op.foreignCents),
      foreign_operation_value_currency: op.foreign,
      operation_outstanding_balance_amount: null,
      operation_outstanding_balance_currency: null,
      tev_amount_amount: tevOf(op),
      tev_amount_currency: local,
      local_currency_advance_percentage: null,
      settlement_method: op.settlement,
      operation_category_code: categoryOf(op),
    }))
    .sort((a, b) => a.operation_requested_at.localeCompare(b.operation_requested_at))
}

/** EnumExchangeEventType codes the sandbox's stories use (Bacen's messaging layout). */
const EVENT = { amended: 2, cancelled: 3, settled: 4, nullified: 9 } as const

interface ExchangeEvent {
  type: (typeof EVENT)[keyof typeof EVENT]
  /** UTC seconds since the day numbering's epoch (day * 86 400 + second of day). */
  at: number
  /** The operation's terms after the event. */
  foreignCents: number
  dueDay: Day
  outstandingCents: number
}

/** Who receives a wire abroad, by currency (name, ISO 3166-1 country). */
const FOREIGN_PARTIES: Record<'USD' | 'EUR', readonly (readonly [string, string])[]> = {
  USD: [
    ['Global Tech Imports LLC', 'US'],
    ['Maple Grove University', 'US'],
    ['Sunrise Property Management LLC', 'US'],
  ],
  EUR: [
    ['Universidade de Lisboa', 'PT'],
    ['Alfama Alojamento Local Lda', 'PT'],
    ['Hausverwaltung Berger GmbH', 'DE'],
  ],
}

const DAY_SECONDS = 86_400

/**
 * What happened to an operation after it was contracted (the Exchange object keeps the contract as
 * signed; its history records every later change): most settle on their due date, some are
 * amended first (amount or due date), a few are cancelled, and a cancellation made in error is
 * nullified before the operation settles. Cash and prepaid cards bought at the counter often
 * report nothing after the contract.
 */
function exchangeEvents(world: World, op: ExchangeOperation): ExchangeEvent[] {
  // Every random value is drawn up front, whatever the story: no story shifts another's values.
  const rng = new Rng(seedKey(world.key, 'fx-events', op.index))
  const story = rng.next()
  const amendsAmount = rng.chance(0.5)
  const amendPercent = rng.pick([-20, -10, 10, 20])
  const amendAfter = rng.int(1_800, 7_200)
  const settleSecond = rng.int(46_800, 64_800)
  const cancelSecond = rng.int(43_200, 46_800)
  const nullified = rng.chance(0.5)
  const nullifyAfter = rng.int(900, 5_400)
  const atCounter = op.settlement !== 'TELETRANSMISSAO'

  const requestedAt = op.day * DAY_SECONDS + op.requestedSecond
  const events: ExchangeEvent[] = []
  let terms = { foreignCents: op.foreignCents, dueDay: op.dueDay }
  const push = (type: ExchangeEvent['type'], at: number, outstandingCents: number) => {
    // Strictly after the contract and the previous event.
    const after = events.length > 0 ? events[events.length - 1].at : requestedAt
    events.push({ type, at: Math.max(at, after + 600), ...terms, outstandingCents })
  }
  const settle = () => push(EVENT.settled, terms.dueDay * DAY_SECONDS + settleSecond, 0)

  if (story < (atCounter ? 0.4 : 0.1)) {
    // Settled as contracted; nothing reported after the contract.
  } else if (story < 0.55) {
    settle()
  } else if (story < 0.8) {
    // The client changes the amount, or the settlement moves one business day, the same afternoon.
    terms = amendsAmount
      ? { ...terms, foreignCents: Math.round((op.foreignCents * (100 + amendPercent)) / 100 / 1_000) * 1_000 }
      : { ...terms, dueDay: onOrAfterBusinessDay(world.country, op.dueDay + 1) }
    push(EVENT.amended, requestedAt + amendAfter, terms.foreignCents)
    settle()
  } else {
    const cancelDay = onOrAfterBusinessDay(world.country, op.day + 1)
    push(EVENT.cancelled, cancelDay * DAY_SECONDS + cancelSecond, 0)
    if (nullified) {
      push(EVENT.nullified, events[0].at + nullifyAfter, terms.foreignCents)
      settle()
    }
  }
  // Only what has happened by the sandbox's today.
  return events.filter((ev) => ev.at < world.today * DAY_SECONDS)
}

/**
 * The history of these operations (OFDA `ExchangeHistory`, Bacen's events), oldest first within
 * each operation. Each event names its operation by `exchange_internal_identification`.
 */
export function exchangeHistoryRecords(world: World, exchangeInternalIds: readonly string[]): InstitutionRecord[] {
  if (!ofdaFamily(world) || exchangeInternalIds.length === 0) return []
  const wanted = new Set(exchangeInternalIds)
  const local = world.locale.currency
  const out: InstitutionRecord[] = []
  for (const op of exchangeBook(world).operations) {
    if (!wanted.has(op.internalId)) continue
    const parties = FOREIGN_PARTIES[op.foreign]
    const [partyName, partyCountry] = parties[Number.parseInt(hashHex(seedKey(world.key, 'fx-party', op.index), 4), 16) % parties.length]
    exchangeEvents(world, op).forEach((ev, k) => {
      const sequence = hashDigits(seedKey(world.key, 'fx-event', op.index, k), 12)
      // The foreign payer or receiver is reported on the settlement of a wire (optional otherwise).
      const party = ev.type === EVENT.settled && op.settlement === 'TELETRANSMISSAO'
      out.push({
        internal_identification: `${op.internalId}-${sequence}`,
        exchange_internal_identification: op.internalId,
        operation_identifier: op.identifier,
        event_sequence_number: sequence,
        event_type: ev.type,
        event_created_at: utcSeconds(Math.floor(ev.at / DAY_SECONDS), ev.at % DAY_SECONDS),
        operation_due_date: formatDay(ev.dueDay),
        local_operation_tax_amount: op.rate,
        local_operation_tax_currency: local,
        local_operation_value_amount: money(localCentsOf(op, ev.foreignCents)),
        local_operation_value_currency: local,
        foreign_operation_value_amount: money(ev.foreignCents),
        foreign_operation_value_currency: op.foreign,
        operation_outstanding_balance_amount: money(ev.outstandingCents),
        operation_outstanding_balance_currency: op.foreign,
        tev_amount_amount: tevOf(op),
        tev_amount_currency: local,
        local_currency_advance_percentage: null,
        settlement_method: op.settlement,
        operation_category_code: categoryOf(op),
        // The spec's example relationship code.
        foreign_partie_relationship_code: party ? '50' : null,
        foreign_partie_name: party ? partyName : null,
        foreign_partie_country_code: party ? partyCountry : null,
      })
    })
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Legacy multi-region portfolios.

/** ISIN check digit: letters to numbers (A=10), then Luhn over the digit string. */
export function isin(prefix11: string): string {
  const expanded = prefix11
    .split('')
    .map((ch) => (/[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch))
    .join('')
  let sum = 0
  for (let i = 0; i < expanded.length; i++) {
    let d = Number(expanded[expanded.length - 1 - i])
    if (i % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return `${prefix11}${(10 - (sum % 10)) % 10}`
}

interface InstrumentSpec {
  type: 'BOND' | 'DEPOSIT' | 'ETF' | 'FUND' | 'PENSION' | 'STOCK'
  subtype: string | null
  name: string
  isin: string | null
  share: number
  yearly: number
  index: string | null
  termDays: number | null
}

const PORTFOLIOS: Record<string, { name: string; type: 'FIXED_INCOME' | 'VARIABLE_INCOME' | 'PENSION'; instruments: InstrumentSpec[] }[]> = {
  MX: [
    {
      name: 'Inversión a Plazo',
      type: 'FIXED_INCOME',
      instruments: [
        {
          type: 'DEPOSIT',
          subtype: 'PRLV',
          name: 'PAGARE RENDIMIENTO LIQUIDABLE AL VENCIMIENTO 28D',
          isin: null,
          share: 0.25,
          yearly: 0.102,
          index: 'TIIE',
          termDays: 28,
        },
        { type: 'BOND', subtype: 'CETES', name: 'CETES 91 DIAS', isin: isin('MX0MGO00000'), share: 0.2, yearly: 0.105, index: 'CETES', termDays: 91 },
      ],
    },
    {
      name: 'Mercado de Capitales',
      type: 'VARIABLE_INCOME',
      instruments: [
        { type: 'ETF', subtype: 'ETF', name: 'NAFTRAC ISHRS', isin: isin('MX1BNA06000'), share: 0.2, yearly: 0.07, index: null, termDays: null },
        { type: 'STOCK', subtype: 'ACCION', name: 'FEMSA UBD', isin: isin('MXP32032131'), share: 0.1, yearly: 0.09, index: null, termDays: null },
        { type: 'STOCK', subtype: 'ACCION', name: 'WALMEX *', isin: isin('MX01WA00003'), share: 0.1, yearly: 0.06, index: null, termDays: null },
      ],
    },
    {
      name: 'Afore',
      type: 'PENSION',
      instruments: [
        { type: 'PENSION', subtype: 'SIEFORE', name: 'SIEFORE BASICA 1990-1994', isin: null, share: 0.15, yearly: 0.095, index: null, termDays: null },
      ],
    },
  ],
  CO: [
    {
      name: 'CDT',
      type: 'FIXED_INCOME',
      instruments: [{ type: 'DEPOSIT', subtype: 'CDT', name: 'CDT 360 DIAS', isin: null, share: 0.45, yearly: 0.115, index: 'IBR', termDays: 360 }],
    },
    {
      name: 'Acciones',
      type: 'VARIABLE_INCOME',
      instruments: [
        { type: 'STOCK', subtype: 'ACCION', name: 'ECOPETROL', isin: isin('COC04PA0001'), share: 0.2, yearly: 0.05, index: null, termDays: null },
        { type: 'STOCK', subtype: 'ACCION', name: 'PFBCOLOM', isin: isin('COB07PA0007'), share: 0.15, yearly: 0.07, index: null, termDays: null },
      ],
    },
    {
      name: 'Fondo Voluntario de Pensión',
      type: 'PENSION',
      instruments: [
        { type: 'PENSION', subtype: 'FPV', name: 'FONDO VOLUNTARIO DE PENSION MODERADO', isin: null, share: 0.2, yearly: 0.08, index: null, termDays: null },
      ],
    },
  ],
  BR: [
    {
      name: 'Renda Fixa',
      type: 'FIXED_INCOME',
      instruments: [{ type: 'DEPOSIT', subtype: 'CDB', name: 'CDB DI 110%', isin: null, share: 0.5, yearly: 0.117, index: 'CDI', termDays: 1080 }],
    },
    {
      name: 'Renda Variável',
      type: 'VARIABLE_INCOME',
      instruments: [
        { type: 'STOCK', subtype: 'ACAO', name: 'PETR4', isin: isin('BRPETRACNPR'), share: 0.25, yearly: 0.06, index: null, termDays: null },
        { type: 'ETF', subtype: 'ETF', name: 'BOVA11', isin: isin('BRBOVACTF00'), share: 0.25, yearly: 0.07, index: null, termDays: null },
      ],
    },
  ],
}

/**
 * The current term of an instrument renewed at maturity (pagarés, CETES, CDTs): terms follow each
 * other from a fixed day of the link, each opening on the business day its predecessor matures.
 * The term held today opened before today and matures after it; null on a maturity day itself
 * (the money is paid out and reinvested overnight).
 */
function currentTerm(world: World, key: string, termDays: number): { open: Day; due: Day } | null {
  const base = Number.parseInt(hashHex(key, 8), 16) % termDays
  const start = (k: number) => onOrAfterBusinessDay(world.country, base + k * termDays)
  let k = Math.floor((world.today - 1 - base) / termDays)
  if (start(k) >= world.today) k--
  const term = { open: start(k), due: start(k + 1) }
  return term.due > world.today ? term : null
}

export function portfolioRecords(world: World): InstitutionRecord[] {
  if (world.shape !== 'multiregion' || !hasInvestments(world)) return []
  const rng = new Rng(seedKey(world.key, 'portfolios'))
  const total = world.monthlySalaryCents * 6
  const currency = world.locale.currency
  return (PORTFOLIOS[world.country] ?? PORTFOLIOS.MX)
    .map((portfolio, p) => {
      const instruments = portfolio.instruments.flatMap((spec, i) => {
        // Drawn for every instrument, held or not, so the others keep their values.
        const firstOpen = onOrAfterBusinessDay(world.country, addMonths(REFERENCE_DAY, -rng.int(8, 30)))
        const unitCents = spec.type === 'STOCK' || spec.type === 'ETF' ? rng.int(2_000, 25_000) : 100
        const term = spec.termDays ? currentTerm(world, seedKey(world.key, 'instrument-term', p, i), spec.termDays) : null
        if (spec.termDays && !term) return []
        const openDay = term ? term.open : firstOpen
        const days = world.today - openDay
        const invested = Math.round(total * spec.share)
        const gross = Math.round(invested * grow(spec.yearly, days))
        const net = spec.type === 'STOCK' || spec.type === 'ETF' ? gross : gross - Math.round((gross - invested) * 0.2)
        const quantity = Math.round((invested / unitCents) * 100) / 100
        return [
          {
            id: hashUuid(seedKey(world.key, 'instrument', p, i)),
            public_id: spec.isin ? [{ type: 'isin', value: spec.isin }] : null,
            type: spec.type,
            subtype: spec.subtype,
            name: spec.name,
            currency,
            price: money(Math.round(gross / Math.max(quantity, 0.01))),
            quantity,
            balance_gross: money(gross),
            balance_net: money(net),
            average_acquisition_price: money(unitCents),
            profit: money(gross - invested),
            open_date: formatDay(openDay),
            redemption_conditions: term ? [{ type: 'due_date', value: formatDay(term.due).split('-').reverse().join('-') }] : null,
            fees: spec.type === 'PENSION' ? [{ type: 'MANAGEMENT_FEE', value: money(Math.round(gross * 0.0057)) }] : [],
            interest_rates: spec.index ? [{ type: 'yearly', value: Math.round(spec.yearly * 10_000) / 100, index: spec.index }] : null,
          },
        ]
      })
      const gross = instruments.reduce((s, i) => s + Math.round(i.balance_gross * 100), 0)
      const net = instruments.reduce((s, i) => s + Math.round(i.balance_net * 100), 0)
      return {
        internal_identification: `PF${hashHex(seedKey(world.key, 'portfolio', p), 10).toUpperCase()}`,
        name: portfolio.name,
        type: portfolio.type,
        balance_type: 'ASSET',
        balance_gross: money(gross),
        balance_net: money(net),
        currency,
        instruments,
      }
    })
    .filter((portfolio) => portfolio.instruments.length > 0)
}
