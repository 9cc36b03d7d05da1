import { describe, expect, it } from 'vitest'
import { findRecurringExpenses } from '../../../src/domain/enrichment/recurring.ts'
import type { EnrichTransaction } from '../../../src/domain/enrichment/transactions.ts'
import { enrichTransaction } from '../../helpers/enrich.ts'

/** Hand-written cases for the recurring expenses method (docs/enrichment.md, "Recurring expenses"). */

const TODAY = '2026-12-06'
let counter = 0

function tx(valueDate: string, description: string, amount: number, extra: Partial<EnrichTransaction> = {}): EnrichTransaction {
  counter++
  return enrichTransaction({ id: `tx-${counter}`, valueDate, description, type: 'OUTFLOW', amount, ...extra })
}

const day = (date: string, offset: number) => new Date(Date.parse(`${date}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10)
/** The date, moved to the next Monday when it falls on a weekend (as banks post debits). */
const businessDay = (date: string) => {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay()
  return weekday === 6 ? day(date, 2) : weekday === 0 ? day(date, 1) : date
}
const monthDay = (month: number, dayOfMonth: number) => `2026-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`

describe('findRecurringExpenses', () => {
  it('finds a monthly subscription through a price rise, with its amounts, dates and next date', () => {
    const netflix = Array.from({ length: 12 }, (_, i) => tx(monthDay(i + 1, 5), `NETFLIX.COM ${1000 + i}`, i < 8 ? 219 : 249))
    const [found, ...rest] = findRecurringExpenses(netflix.slice(0, 11), { today: TODAY })
    expect(rest).toEqual([])
    expect(found).toMatchObject({
      name: 'Netflix',
      frequency: 'MONTHLY',
      transactionIds: netflix.slice(0, 11).map((t) => t.id),
      medianTransactionAmount: 219,
      lastTransactionAmount: 249,
      lastDate: '2026-11-05',
      daysSinceLastTransaction: 31,
      nextDate: '2026-12-05',
      missedPayments: 0,
      paymentType: 'SUBSCRIPTION',
      active: true,
    })
    expect(found.averageTransactionAmount).toBeCloseTo((8 * 219 + 3 * 249) / 11, 2)
    expect(found.rule).toContain('amount changed from 219.00 to 249.00')
    expect(found.confidence).toBeGreaterThan(0.8)
  })

  it('names the payee from the description when no categorizer is used', () => {
    const netflix = Array.from({ length: 4 }, (_, i) => tx(monthDay(i + 5, 5), `COMPRA NETFLIX.COM ${i}`, 219))
    expect(findRecurringExpenses(netflix, { today: TODAY, categorize: null })[0].name).toBe('Netflix Com')
  })

  it('predicts the first expected date on or after today', () => {
    const netflix = Array.from({ length: 6 }, (_, i) => tx(monthDay(i + 5, 20), 'NETFLIX.COM', 219))
    const [found] = findRecurringExpenses(netflix, { today: TODAY })
    expect(found.lastDate).toBe('2026-10-20')
    expect(found.nextDate).toBe('2026-12-20')
  })

  it('follows a gym paid on business days (weekend drift) through one missed month', () => {
    const months = [1, 2, 3, 4, 6, 7, 8, 9, 10, 11]
    const gym = months.map((m) => tx(businessDay(monthDay(m, 1)), 'SMART FIT MEXICO', 499))
    const [found, ...rest] = findRecurringExpenses(gym, { today: TODAY })
    expect(rest).toEqual([])
    expect(found.frequency).toBe('MONTHLY')
    expect(found.transactionIds).toEqual(gym.map((t) => t.id))
    expect(found.missedPayments).toBe(1)
    expect(found.rule).toContain('1 missed payment')
  })

  it('does not bridge two missed months: the longest run wins', () => {
    const months = [1, 2, 3, 6, 7, 8, 9, 10, 11]
    const gym = months.map((m) => tx(monthDay(m, 10), 'SMART FIT', 499))
    const [found] = findRecurringExpenses(gym, { today: TODAY })
    expect(found.transactionIds).toEqual(gym.slice(3).map((t) => t.id))
  })

  it('finds weekly and biweekly series', () => {
    const yoga = Array.from({ length: 10 }, (_, i) => tx(day('2026-09-26', 7 * i + (i % 3 === 0 ? 1 : 0)), 'ESTUDIO YOGA CLASE', 150))
    const nanny = Array.from({ length: 8 }, (_, i) => tx(day('2026-08-14', 14 * i), 'TRANSFERENCIA SPEI MARIA LOPEZ CUIDADO', 1200))
    const found = findRecurringExpenses([...yoga, ...nanny], { today: TODAY })
    expect(found.map((f) => [f.frequency, f.transactionIds.length]).sort()).toEqual([
      ['BIWEEKLY', 8],
      ['WEEKLY', 10],
    ])
  })

  it('finds a quarterly insurance premium and a yearly domain renewal seen twice', () => {
    const insurance = [monthDay(1, 15), monthDay(4, 15), monthDay(7, 16), monthDay(10, 15)].map((d) => tx(d, 'GNP SEGUROS POLIZA AUTO 88231', 3150.5))
    const domain = [tx('2025-03-02', 'GODADDY DOMAIN RENEWAL', 389), tx('2026-03-03', 'GODADDY DOMAIN RENEWAL', 409)]
    const found = findRecurringExpenses([...insurance, ...domain], { today: TODAY })
    const quarterly = found.find((f) => f.frequency === 'QUARTERLY')!
    expect(quarterly.transactionIds).toEqual(insurance.map((t) => t.id))
    expect(quarterly.nextDate).toBe('2027-01-15')
    const yearly = found.find((f) => f.frequency === 'YEARLY')!
    expect(yearly.transactionIds).toEqual(domain.map((t) => t.id))
    expect(yearly.rule).toContain('strong evidence')
    expect(found).toHaveLength(2)
  })

  it('does not take two payments a year apart without strong evidence', () => {
    const found = findRecurringExpenses([tx('2025-06-10', 'LIVERPOOL INSURGENTES', 1890), tx('2026-06-11', 'LIVERPOOL INSURGENTES', 1890)], { today: TODAY })
    expect(found).toEqual([])
  })

  it('leaves a one-off look-alike out of a series, and alone it is nothing', () => {
    const spotify = Array.from({ length: 6 }, (_, i) => tx(monthDay(i + 6, 12), 'SPOTIFY P1A2B3', 115))
    const lookAlike = tx('2026-08-20', 'SPOTIFY P9Z8Y7', 115)
    const giftCard = tx('2026-09-02', 'SPOTIFY GIFT', 300)
    const oneOff = tx('2026-10-01', 'DISNEY PLUS', 179)
    const found = findRecurringExpenses([...spotify, lookAlike, giftCard, oneOff], { today: TODAY })
    expect(found).toHaveLength(1)
    expect(found[0].transactionIds).toEqual(spotify.map((t) => t.id))
    expect(found[0].rule).toContain('1 look-alike payment left out')
  })

  it('does not call a restaurant visited irregularly recurring', () => {
    const offsets = [0, 9, 13, 31, 38, 52, 70, 74, 95, 121, 130, 151, 163, 190, 204, 222]
    const amounts = [340, 215, 480, 390, 260, 305, 455, 199, 370, 410, 285, 330, 250, 520, 310, 275]
    const visits = offsets.map((o, i) => tx(day('2026-04-03', o), 'TAQUERIA EL PASTOR', amounts[i]))
    expect(findRecurringExpenses(visits, { today: TODAY })).toEqual([])
  })

  it('does not call weekly grocery shopping of varying amounts recurring', () => {
    const shopping = Array.from({ length: 12 }, (_, i) => tx(day('2026-08-01', 7 * i), 'WALMART SUPERCENTER', 800 + ((i * 337) % 900)))
    expect(findRecurringExpenses(shopping, { today: TODAY })).toEqual([])
  })

  it('keeps a bill of varying amounts as one monthly series', () => {
    const amounts = [612.4, 580.1, 701.33, 845.9, 930.0, 1010.5, 990.25, 760.8]
    const power = amounts.map((a, i) => tx(monthDay(i + 3, 18), 'CFE SUMINISTRADOR SERV BAS', a))
    const [found, ...rest] = findRecurringExpenses(power, { today: TODAY })
    expect(rest).toEqual([])
    expect(found.transactionIds).toEqual(power.map((t) => t.id))
    expect(found.paymentType).toBe('REGULAR')
    expect(found.category).toBe('Bills & Utilities')
  })

  it('excludes card bill payments and transfers between own accounts', () => {
    const cardPayments = Array.from({ length: 6 }, (_, i) => tx(monthDay(i + 5, 25), 'PAGO TARJETA DE CREDITO', 5000))
    const savings = Array.from({ length: 6 }, (_, i) => [
      tx(monthDay(i + 5, 2), 'SPEI ENVIADO 0012345', 2000),
      tx(monthDay(i + 5, 2), 'SPEI RECIBIDO 0012345', 2000, { type: 'INFLOW', accountId: 'savings', accountCategory: 'SAVINGS_ACCOUNT' }),
    ]).flat()
    expect(findRecurringExpenses([...cardPayments, ...savings], { today: TODAY })).toEqual([])
  })

  it('keeps a loan installment, though the loan account receives it', () => {
    const installments = Array.from({ length: 6 }, (_, i) => [
      tx(monthDay(i + 5, 15), 'PAGO CREDITO PERSONAL 5253', 2750),
      tx(monthDay(i + 5, 15), 'ABONO A CREDITO', 2750, { type: 'INFLOW', accountId: 'loan', accountCategory: 'LOAN_ACCOUNT' }),
    ]).flat()
    const [found, ...rest] = findRecurringExpenses(installments, { today: TODAY, categorize: null })
    expect(rest).toEqual([])
    expect(found.transactionIds).toHaveLength(6)
  })

  it('groups by the categorizer merchant and takes its category', () => {
    const uber = [tx(monthDay(7, 3), 'UBR* PENDING.UBER.COM', 99), tx(monthDay(8, 3), 'UBER ONE MEMBERSHIP', 99), tx(monthDay(9, 3), 'UBERONE 884', 99)]
    const found = findRecurringExpenses(uber, {
      today: TODAY,
      categorize: () => ({ category: 'Transport & Travel', merchant: { name: 'Uber' } }),
    })
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ name: 'Uber', category: 'Transport & Travel', paymentType: 'REGULAR' })
  })

  it('keeps two subscriptions at one merchant apart by account', () => {
    const onDebit = Array.from({ length: 6 }, (_, i) => tx(monthDay(i + 5, 1), 'GLOBOPLAY', 24.9))
    const onCard = Array.from({ length: 6 }, (_, i) => tx(monthDay(i + 5, 10), 'GLOBOPLAY', 24.9, { accountId: 'card', accountCategory: 'CREDIT_CARD' }))
    const found = findRecurringExpenses([...onDebit, ...onCard], { today: TODAY, categorize: null })
    expect(found.map((f) => [f.accountId, f.transactionIds.length]).sort()).toEqual([
      ['card', 6],
      ['checking', 6],
    ])
  })

  it('follows a subscription moved from one card to another', () => {
    const before = Array.from({ length: 2 }, (_, i) => tx(monthDay(i + 5, 3), 'NETFLIX', 219))
    const after = Array.from({ length: 4 }, (_, i) => tx(monthDay(i + 7, 3), 'NETFLIX', 219, { accountId: 'card' }))
    const [found, ...rest] = findRecurringExpenses([...before, ...after], { today: TODAY, categorize: null })
    expect(rest).toEqual([])
    expect(found.transactionIds).toHaveLength(6)
  })

  it('keeps two subscriptions at one merchant apart by amount', () => {
    const basic = Array.from({ length: 5 }, (_, i) => tx(monthDay(i + 6, 8), 'AMAZON PRIME', 99))
    const music = Array.from({ length: 5 }, (_, i) => tx(monthDay(i + 6, 20), 'AMAZON PRIME', 179))
    const found = findRecurringExpenses([...basic, ...music], { today: TODAY })
    expect(found.map((f) => f.medianTransactionAmount).sort()).toEqual([179, 99].sort())
  })

  it('joins one merchant paid under two descriptions (related payees, same period and amount band)', () => {
    // One description for four months, then the two alternate: the second alone is no series.
    const payments = Array.from({ length: 10 }, (_, i) => tx(monthDay(i + 1, 12), i > 3 && i % 2 ? 'MAX STREAMING 4471' : 'MAX', 34.9))
    const [found, ...rest] = findRecurringExpenses(payments, { today: TODAY, categorize: null })
    expect(rest).toEqual([])
    expect(found).toMatchObject({ frequency: 'MONTHLY', payeeKey: 'max', transactionIds: payments.map((t) => t.id) })
  })

  it('does not join unrelated payees that share no leading word', () => {
    const a = Array.from({ length: 5 }, (_, i) => tx(monthDay(i + 1, 12), i % 2 ? 'SPOTIFY' : 'DEEZER', 34.9))
    expect(findRecurringExpenses(a, { today: TODAY, categorize: null })).toEqual([])
  })

  it('leaves out a chance run of similar bills at a payee visited often, and keeps a fixed price there', () => {
    // A supermarket visited every 9 to 12 days: three visits about a month apart of similar amounts are chance.
    const visits = [3, 13, 24, 34, 44, 55, 64, 75, 86, 95, 106, 117].map((offset, i) =>
      tx(day('2026-03-01', offset), 'SUPERMERCADO LA ESQUINA', [812, 430, 655, 790, 1210, 566, 802, 377, 940, 818, 615, 1024][i]),
    )
    expect(findRecurringExpenses(visits, { today: TODAY, categorize: null })).toEqual([])
    const membership = Array.from({ length: 3 }, (_, i) => tx(monthDay(i + 3, 20), 'SUPERMERCADO LA ESQUINA', 199))
    const found = findRecurringExpenses([...visits, ...membership], { today: TODAY, categorize: null })
    expect(found.map((f) => f.transactionIds)).toEqual([membership.map((t) => t.id)])
  })

  it('answers nothing for nothing, and ignores transactions after today', () => {
    expect(findRecurringExpenses([], { today: TODAY })).toEqual([])
    const future = Array.from({ length: 4 }, (_, i) => tx(day('2027-01-05', 30 * i), 'NETFLIX', 219))
    expect(findRecurringExpenses(future, { today: TODAY })).toEqual([])
  })
})
