import { civil, dayOf, formatDay, formatTime, monthEnd, monthStart, yearOf, type Day, type YearMonth } from '../calendar.ts'
import { hashDigits, Rng, seedKey } from '../random.ts'
import type { World } from '../world.ts'
import {
  NO_TOTALS,
  CORPORATE_ISR_PERCENT,
  invoiceAmounts,
  isrByTable,
  MONTHLY_ISR,
  plansBetween,
  totalsBetween,
  YEARLY_ISR,
  type IsrBracket,
  type MexicoTaxpayer,
  type YearTotals,
} from './mexico-taxpayer.ts'

/**
 * The SAT returns of the link's taxpayer, as figures: the monthly provisional payments (ISR and
 * VAT) and the yearly return, and the financial position a company's return reports. Every
 * figure comes from `totalsBetween` over the very CFDIs the invoice list shows (sales are the
 * income, purchases the authorized deductions, the payroll the salary and its withheld ISR), so a
 * return agrees with its period's invoices. The tax returns, the legacy tax declarations and the
 * financial statements are three views of these figures. Amounts are integer centavos.
 *
 * What the sandbox's taxpayer does not have stays zero and says so: no personal deductions (no
 * invoice is a medical or school expense), no dividends, no tax losses carried forward, no
 * employee profit sharing, and no depreciation (the only fixed asset is land, which LISR art. 31
 * does not depreciate), so the accounting result equals the fiscal one.
 */

/** The ISR table of a provisional payment: the monthly one times the months elapsed (LISR art. 106). */
function accumulatedTable(months: number): IsrBracket[] {
  return MONTHLY_ISR.map(([lower, fixed, rate]): IsrBracket => [lower === 1 ? 1 : lower * months, fixed * months, rate])
}

/** When a return reached the SAT: the day, the second of the day (Mexico City time) and its operation number. */
export interface Filing {
  day: Day
  second: number
  operationNumber: string
}

/** One month's provisional payments (persons: LISR art. 106, companies: art. 14) and definitive VAT (LIVA art. 5-D). */
export interface MonthFigures {
  ym: YearMonth
  year: number
  month: number
  filing: Filing
  totals: YearTotals
  /** Income and deductions of the year up to this month (the provisional payment is cumulative). */
  cumulativeIncome: number
  cumulativeDeductions: number
  /** Persons: the cumulative taxable profit; companies: the estimated profit (income times the profit coefficient). */
  taxableBase: number
  /** Companies: the profit coefficient of the last yearly return, in ten-thousandths (LISR art. 14 truncates it to four decimals). */
  coefficient: number
  isrCaused: number
  previousPayments: number
  /** ISR withheld by customers (persons' fees) from January to this month. */
  cumulativeWithheldIsr: number
  isrDue: number
  vatCharged: number
  vatPaid: number
  vatWithheld: number
  vatDue: number
  vatInFavor: number
}

/** A yearly return (declaración anual): LISR art. 152 for persons, art. 9 for companies. */
export interface YearFigures {
  year: number
  kind: MexicoTaxpayer['kind']
  filing: Filing
  totals: YearTotals
  months: MonthFigures[]
  salary: number
  salaryIsr: number
  /** Business income (sales net of discounts) and authorized deductions (purchases net of discounts). */
  income: number
  deductions: number
  profit: number
  loss: number
  /** Persons: salary plus the business profit; companies: the fiscal result (no losses carried forward, no profit sharing). */
  taxableBase: number
  isrCaused: number
  /** ISR withheld by the employer (salary) and by customers (fees). */
  withheldIsr: number
  provisionalPayments: number
  isrDue: number
  isrInFavor: number
  /** Companies: the profit coefficient this return sets for next year's provisional payments, in ten-thousandths. */
  nextCoefficient: number
}

function filingOf(world: World, taxpayer: MexicoTaxpayer, what: string, day: (rng: Rng) => Day): Filing {
  const key = seedKey(world.key, 'sat-filing', taxpayer.rfc, what)
  const rng = new Rng(key)
  const filed = day(rng)
  // The SAT's operation numbers are 14-digit sequences that begin with the filing year.
  const operationNumber = `${civil(filed).year}${hashDigits(key, 10)}`
  return { day: filed, second: rng.int(9 * 3600, 22 * 3600), operationNumber }
}

const yearCache = new Map<string, YearFigures>()

/**
 * The year's returns whether or not they are filed by today (callers cut them with `isFiled`).
 * Today is part of the cache key: the invoices of a year not over yet are cut at today.
 */
export function yearFigures(world: World, taxpayer: MexicoTaxpayer, year: number): YearFigures {
  const key = seedKey(world.key, 'sat-year', taxpayer.rfc, year, world.today)
  const cached = yearCache.get(key)
  if (cached) return cached
  const figures = computeYear(world, taxpayer, year)
  yearCache.set(key, figures)
  if (yearCache.size > 512) yearCache.delete(yearCache.keys().next().value as string)
  return figures
}

/** The first year the taxpayer had to file for: the year they registered at the SAT. */
export function firstYear(taxpayer: MexicoTaxpayer): number {
  return civil(taxpayer.startDay).year
}

function computeYear(world: World, taxpayer: MexicoTaxpayer, year: number): YearFigures {
  const business = taxpayer.kind === 'BUSINESS'
  // A company's provisional payments apply last year's profit coefficient; none in its first year.
  const coefficient = business && year > firstYear(taxpayer) ? yearFigures(world, taxpayer, year - 1).nextCoefficient : 0
  const months: MonthFigures[] = []
  let cumulativeIncome = 0
  let cumulativeDeductions = 0
  let cumulativeWithheldIsr = 0
  let previousPayments = 0
  for (let month = 1; month <= 12; month++) {
    const ym = year * 12 + month - 1
    const totals = world.profile.kind === 'nodata' ? NO_TOTALS : totalsBetween(world, taxpayer, monthStart(ym), monthEnd(ym))
    cumulativeIncome += totals.salesCents
    cumulativeDeductions += totals.purchasesCents
    cumulativeWithheldIsr += totals.withheldIsrCents
    let taxableBase: number
    let isrCaused: number
    let isrDue: number
    if (business) {
      taxableBase = Math.floor((cumulativeIncome * coefficient) / 10_000)
      isrCaused = Math.round((taxableBase * CORPORATE_ISR_PERCENT) / 100)
      isrDue = Math.max(0, isrCaused - previousPayments)
    } else {
      taxableBase = Math.max(0, cumulativeIncome - cumulativeDeductions)
      isrCaused = isrByTable(taxableBase, accumulatedTable(month))
      isrDue = Math.max(0, isrCaused - previousPayments - cumulativeWithheldIsr)
    }
    const vatBalance = totals.vatChargedCents - totals.withheldVatCents - totals.vatPaidCents
    months.push({
      ym,
      year,
      month,
      // Due by the 17th of the next month (CFF art. 31, LISR art. 14 and 106).
      filing: filingOf(world, taxpayer, `month-${ym}`, (rng) => dayOf(year, month + 1, rng.int(8, 17))),
      totals,
      cumulativeIncome,
      cumulativeDeductions,
      taxableBase,
      coefficient,
      isrCaused,
      previousPayments,
      cumulativeWithheldIsr,
      isrDue,
      vatCharged: totals.vatChargedCents,
      vatPaid: totals.vatPaidCents,
      vatWithheld: totals.withheldVatCents,
      vatDue: Math.max(0, vatBalance),
      vatInFavor: Math.max(0, -vatBalance),
    })
    previousPayments += isrDue
  }
  const totals = sumTotals(months.map((m) => m.totals))
  const income = totals.salesCents
  const deductions = totals.purchasesCents
  const profit = Math.max(0, income - deductions)
  const loss = Math.max(0, deductions - income)
  const salary = business ? 0 : totals.salaryCents
  const salaryIsr = business ? 0 : totals.salaryIsrCents
  const taxableBase = business ? profit : salary + profit
  const isrCaused = business ? Math.round((taxableBase * CORPORATE_ISR_PERCENT) / 100) : isrByTable(taxableBase, YEARLY_ISR)
  const withheldIsr = salaryIsr + totals.withheldIsrCents
  const balance = isrCaused - withheldIsr - previousPayments
  return {
    year,
    kind: taxpayer.kind,
    // Companies file by March 31 (LISR art. 76), persons in April (LISR art. 150).
    filing: filingOf(world, taxpayer, `year-${year}`, (rng) => (business ? dayOf(year + 1, 3, rng.int(1, 31)) : dayOf(year + 1, 4, rng.int(1, 30)))),
    totals,
    months,
    salary,
    salaryIsr,
    income,
    deductions,
    profit,
    loss,
    taxableBase,
    isrCaused,
    withheldIsr,
    provisionalPayments: previousPayments,
    isrDue: Math.max(0, balance),
    isrInFavor: Math.max(0, -balance),
    nextCoefficient: income > 0 ? Math.floor((profit * 10_000) / income) : 0,
  }
}

function sumTotals(list: YearTotals[]): YearTotals {
  const sum = { ...NO_TOTALS }
  for (const t of list) for (const key of Object.keys(sum) as (keyof YearTotals)[]) sum[key] += t[key]
  return sum
}

/** Whether a return is at the SAT by the world's today (a return filed today is there). */
export function isFiled(world: World, filing: Filing): boolean {
  return filing.day <= world.today
}

/** The yearly returns of `from`..`to` at the SAT by today, oldest first (none for a taxpayer without data). */
export function filedYears(world: World, taxpayer: MexicoTaxpayer, from: number, to: number): YearFigures[] {
  if (world.profile.kind === 'nodata') return []
  const out: YearFigures[] = []
  for (let year = Math.max(from, firstYear(taxpayer)); year <= to; year++) {
    const figures = yearFigures(world, taxpayer, year)
    if (isFiled(world, figures.filing)) out.push(figures)
  }
  return out
}

/** The monthly returns of the months `from`..`to` (YearMonths) at the SAT by today, oldest first. */
export function filedMonths(world: World, taxpayer: MexicoTaxpayer, from: YearMonth, to: YearMonth): MonthFigures[] {
  if (world.profile.kind === 'nodata') return []
  const out: MonthFigures[] = []
  for (let ym = from; ym <= to; ym++) {
    if (monthEnd(ym) < taxpayer.startDay) continue
    const figures = yearFigures(world, taxpayer, yearOf(ym)).months[ym % 12]
    if (isFiled(world, figures.filing)) out.push(figures)
  }
  return out
}

/** A company's (or a person's business) financial position at the end of a year, and its result. */
export interface FinancialPosition {
  year: number
  cash: number
  receivables: number
  taxRecoverable: number
  land: number
  bankLoans: number
  incomeTaxPayable: number
  /** December's VAT, paid in January. */
  taxesPayable: number
  capital: number
  retainedEarnings: number
  assets: number
  liabilities: number
  equity: number
  /** The year's result: revenue (sales), operating expenses (purchases), income tax and net income (a loss is negative). */
  revenue: number
  expenses: number
  incomeBeforeTaxes: number
  incomeTaxes: number
  netIncome: number
}

/**
 * The income tax of the year's business: all of a company's ISR; for a person, what the business
 * profit adds to the ISR of the salary alone (the tariff is progressive over both).
 */
export function businessIncomeTax(figures: YearFigures): number {
  if (figures.kind === 'BUSINESS') return figures.isrCaused
  return figures.isrCaused - isrByTable(figures.salary, YEARLY_ISR)
}

/**
 * The balance sheet at December 31 of `year`. The equity is the capital contributed at the start
 * plus every year's net income since; receivables are the year's sales paid in deferred payments
 * (PPD) after December 31; the liabilities are the year's ISR and December's VAT still to pay; cash
 * is what balances assets against liabilities and equity, and when that would be below a tenth of
 * the capital, a bank loan makes up the difference (a business that spends more than it earns).
 */
export function financialPosition(world: World, taxpayer: MexicoTaxpayer, year: number): FinancialPosition {
  const rng = new Rng(seedKey(world.key, 'sat-capital', taxpayer.rfc))
  const business = taxpayer.kind === 'BUSINESS'
  const capital = rng.int(business ? 50 : 20, business ? 500 : 100) * 100_000
  const land = Math.round((capital * rng.int(20, 50)) / 100)
  let retainedEarnings = 0
  for (let y = firstYear(taxpayer); y <= year; y++) {
    const f = yearFigures(world, taxpayer, y)
    retainedEarnings += f.income - f.deductions - businessIncomeTax(f)
  }
  const figures = yearFigures(world, taxpayer, year)
  const yearEnd = dayOf(year, 12, 31)
  let receivables = 0
  // Deferred payments fall 15 to 45 days after the sale: the last two months hold every open one.
  for (const plan of plansBetween(world, taxpayer, yearEnd - 61, yearEnd)) {
    if (plan.direction === 'OUTFLOW' && !plan.cancelled && plan.paymentMethod === 'PPD' && plan.paidOn !== null && plan.paidOn > yearEnd) {
      receivables += invoiceAmounts(plan).total
    }
  }
  const december = figures.months[11]
  const taxRecoverable = figures.isrInFavor + december.vatInFavor
  const incomeTaxPayable = figures.isrDue
  const taxesPayable = december.vatDue
  const equity = capital + retainedEarnings
  let cash = incomeTaxPayable + taxesPayable + equity - receivables - taxRecoverable - land
  let bankLoans = 0
  const floor = Math.round(capital / 10)
  if (cash < floor) {
    bankLoans = floor - cash
    cash = floor
  }
  const incomeTaxes = businessIncomeTax(figures)
  const incomeBeforeTaxes = figures.income - figures.deductions
  return {
    year,
    cash,
    receivables,
    taxRecoverable,
    land,
    bankLoans,
    incomeTaxPayable,
    taxesPayable,
    capital,
    retainedEarnings,
    assets: cash + receivables + taxRecoverable + land,
    liabilities: bankLoans + incomeTaxPayable + taxesPayable,
    equity,
    revenue: figures.income,
    expenses: figures.deductions,
    incomeBeforeTaxes,
    incomeTaxes,
    netIncome: incomeBeforeTaxes - incomeTaxes,
  }
}

/** Centavos as the SAT's forms and Belvo's numbers write them: pesos with two decimals. */
export const pesos = (cents: number) => cents / 100

/** 'YYYY-MM-DD HH:MM:SS' of a filing, Mexico City time (as the acknowledgement prints it). */
export function filingStamp(filing: Filing): string {
  return `${formatDay(filing.day)} ${formatTime(filing.second)}`
}

export const MONTH_NAMES = ['Enero', 'Febrero', 'Marzo', 'Abril', 'Mayo', 'Junio', 'Julio', 'Agosto', 'Septiembre', 'Octubre', 'Noviembre', 'Diciembre']
