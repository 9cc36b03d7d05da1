import { describe, expect, it } from 'vitest'
import { excludedInflows, findIncomeStreams, incomeTypeOf, summarizeIncomes, type IncomeStream } from '../../../src/domain/enrichment/incomes.ts'
import { normalizeDescription, type EnrichTransaction } from '../../../src/domain/enrichment/transactions.ts'
import { enrichTransaction } from '../../helpers/enrich.ts'

/**
 * The income method on hand-written histories (none from the sandbox generator): the cases the
 * method must get right (docs/enrichment.md, "## Incomes"), each with the transactions it is about.
 */

const TODAY = '2026-03-10'
const WINDOW = { today: TODAY, dateFrom: '2025-03-10', dateTo: TODAY }

let seq = 0
function tx(date: string, amount: number, description: string, more: Partial<EnrichTransaction> = {}): EnrichTransaction {
  seq += 1
  return enrichTransaction({ id: `t${seq}`, valueDate: date, description, type: 'INFLOW', amount, ...more })
}

const pad = (n: number) => String(n).padStart(2, '0')
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay()
/** A payday moved to the Friday before when it falls on a weekend (the drift the method must tolerate). */
function businessDay(date: string): string {
  const day = weekday(date)
  const shift = day === 6 ? 1 : day === 0 ? 2 : 0
  return new Date(Date.parse(`${date}T00:00:00Z`) - shift * 86_400_000).toISOString().slice(0, 10)
}
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()
/** The twelve months before TODAY: [year, month]. */
const MONTHS: [number, number][] = Array.from({ length: 12 }, (_, i) => {
  const index = 2025 * 12 + 2 + i // 2025-03 .. 2026-02
  return [Math.floor(index / 12), (index % 12) + 1]
})

const monthly = (day: number, amount: number | ((i: number) => number), description: string, skip: number[] = [], more: Partial<EnrichTransaction> = {}) =>
  MONTHS.filter((_, i) => !skip.includes(i)).map(([y, m]) => {
    const i = MONTHS.findIndex(([yy, mm]) => yy === y && mm === m)
    return tx(businessDay(`${y}-${pad(m)}-${pad(Math.min(day, lastDay(y, m)))}`), typeof amount === 'function' ? amount(i) : amount, description, more)
  })

function only(streams: IncomeStream[], ids: string[]): IncomeStream {
  const found = streams.filter((s) => s.transactionIds.some((id) => ids.includes(id)))
  expect(found, JSON.stringify(streams.map((s) => [s.payer, s.transactionIds.length]))).toHaveLength(1)
  return found[0]
}

describe('findIncomeStreams', () => {
  it('finds a monthly salary paid on the last working day, with weekend drift: MONTHLY, regular, stable, HIGH', () => {
    const salary = monthly(31, 18_500, 'PAGO DE NOMINA ACME SA DE CV')
    const streams = findIncomeStreams(salary, WINDOW)
    expect(streams).toHaveLength(1)
    expect(streams[0]).toMatchObject({
      incomeType: 'SALARY',
      frequency: 'MONTHLY',
      confidence: 'HIGH',
      stability: 1,
      regularity: 1,
      trend: 0,
      numberOfIncomes: 12,
      averageIncomeAmount: 18_500,
    })
    expect(streams[0].transactionIds).toEqual(salary.map((t) => t.id))
    expect(streams[0].rule).toMatch(/^recurring_with_keyword/)
  })

  it('groups descriptions that differ only in their month and reference', () => {
    const salary = MONTHS.map(([y, m], i) =>
      tx(businessDay(`${y}-${pad(m)}-15`), 9_000, `NÓMINA ${['ENERO', 'FEBRERO', 'MARZO', 'ABRIL'][i % 4]} REF ${1000 + i} ACME`),
    )
    const [stream] = findIncomeStreams(salary, WINDOW)
    expect(stream.numberOfIncomes).toBe(12)
  })

  it('finds biweekly pay on the 15th and the last day (quincena) as FORTNIGHTLY', () => {
    const pay = MONTHS.flatMap(([y, m]) => [
      tx(businessDay(`${y}-${pad(m)}-15`), 7_250.5, 'SPEI RECIBIDO QUINCENA GRUPO ALFA'),
      tx(businessDay(`${y}-${pad(m)}-${lastDay(y, m)}`), 7_250.5, 'SPEI RECIBIDO QUINCENA GRUPO ALFA'),
    ])
    const [stream] = findIncomeStreams(pay, WINDOW)
    expect(stream).toMatchObject({ frequency: 'FORTNIGHTLY', incomeType: 'SALARY', confidence: 'HIGH', numberOfIncomes: 24 })
    expect(stream.regularity).toBeGreaterThanOrEqual(0.9)
  })

  it('keeps a monthly salary with a missed month MONTHLY, with a lower regularity', () => {
    const salary = monthly(12, 12_000, 'SALARIO EMPRESA BETA LTDA', [5])
    const [stream] = findIncomeStreams(salary, WINDOW)
    expect(stream.frequency).toBe('MONTHLY')
    expect(stream.numberOfIncomes).toBe(11)
    expect(stream.regularity).toBeLessThan(1)
    expect(stream.regularity).toBeGreaterThanOrEqual(0.85)
    expect(stream.confidence).toBe('HIGH')
  })

  it('sees a raise as a positive trend in the same stream', () => {
    const salary = monthly(28, (i) => (i < 6 ? 20_000 : 22_000), 'FOLHA DE PAGAMENTO EMPRESA GAMA')
    const [stream] = findIncomeStreams(salary, WINDOW)
    expect(stream.numberOfIncomes).toBe(12)
    expect(stream.trend).toBe(0.1)
    expect(stream.stability).toBeGreaterThan(0.9)
    expect(stream.lastIncomeAmount).toBe(22_000)
  })

  it('finds irregular freelance fees as one IRREGULAR FREELANCE stream', () => {
    const fees = [
      ['2025-04-03', 4_200],
      ['2025-05-20', 15_000],
      ['2025-06-02', 1_350],
      ['2025-08-11', 9_800],
      ['2025-10-29', 6_000],
      ['2026-01-14', 22_500],
    ].map(([date, amount]) => tx(String(date), Number(amount), 'PAGO HONORARIOS CLIENTE DELTA'))
    const streams = findIncomeStreams(fees, WINDOW)
    expect(streams).toHaveLength(1)
    expect(streams[0]).toMatchObject({ incomeType: 'FREELANCE', frequency: 'IRREGULAR', confidence: 'MEDIUM', numberOfIncomes: 6 })
  })

  it("keeps a client's payments one stream whatever the invoice words on each (factura, honorarios, servicios profesionales)", () => {
    const fees = [
      tx('2025-04-03', 4_200, 'SPEI RECIBIDO TALLER NOGAL SC REF 123 FACTURA 0112'),
      tx('2025-05-20', 15_000, 'DEP SPEI TALLER NOGAL SC HONORARIOS 998877'),
      tx('2025-08-11', 9_800, 'SPEI RECIBIDO TALLER NOGAL SC PAGO SERVICIOS PROFESIONALES'),
      tx('2025-10-29', 6_000, 'DEP SPEI TALLER NOGAL SC PAGO FACT 4455'),
    ]
    const streams = findIncomeStreams(fees, WINDOW)
    expect(streams).toHaveLength(1)
    expect(streams[0]).toMatchObject({ incomeType: 'FREELANCE', frequency: 'IRREGULAR', numberOfIncomes: 4 })
  })

  it('takes a named payer paying again and again at no rhythm, with no words for it, as IRREGULAR FREELANCE', () => {
    const dates = ['2025-04-07', '2025-05-21', '2025-06-02', '2025-08-19', '2025-09-30', '2025-12-05', '2026-02-11']
    const client = dates.map((date, i) => tx(date, 3_000 + i * 1_700, 'PIX RECEBIDO - ESTUDIO JACARANDA DIGITAL LTDA'))
    const [stream] = findIncomeStreams(client, WINDOW)
    expect(stream).toMatchObject({ incomeType: 'FREELANCE', frequency: 'IRREGULAR', numberOfIncomes: 7, rule: expect.stringMatching(/^repeated_payer;/) })
    // A few transfers from a friend over the year are not income.
    const friend = ['2025-04-07', '2025-09-30', '2026-02-11'].map((date) => tx(date, 400, 'PIX RECEBIDO - JOANA SILVA'))
    expect(findIncomeStreams(friend, WINDOW)).toEqual([])
  })

  it('calls fees whose median gap is a month but which mostly miss the monthly rhythm IRREGULAR', () => {
    const dates = ['2025-03-20', '2025-04-03', '2025-05-20', '2025-06-02', '2025-07-25', '2025-08-11', '2025-09-29', '2025-10-08', '2025-11-21']
    const fees = dates.map((date, i) => tx(date, 2_000 + i * 900, 'PAGO HONORARIOS CLIENTE OMEGA'))
    const [stream] = findIncomeStreams(fees, WINDOW)
    expect(stream).toMatchObject({ incomeType: 'FREELANCE', frequency: 'IRREGULAR' })
  })

  it('finds an INSS pension (Portuguese) as RETIREMENT', () => {
    const pension = monthly(5, 2_824, 'CREDITO INSS BENEFICIO', [], { currency: 'BRL' })
    const [stream] = findIncomeStreams(pension, WINDOW)
    expect(stream).toMatchObject({ incomeType: 'RETIREMENT', frequency: 'MONTHLY', confidence: 'HIGH', currency: 'BRL' })
  })

  it('finds rent received (aluguel) as RENT', () => {
    const rent = monthly(10, 3_100, 'PIX RECEBIDO ALUGUEL APTO JOAO SILVA', [], { currency: 'BRL' })
    const [stream] = findIncomeStreams(rent, WINDOW)
    expect(stream).toMatchObject({ incomeType: 'RENT', frequency: 'MONTHLY' })
  })

  it('does not count a refund, a one-off look-alike, an own-account transfer or a loan disbursement', () => {
    const salary = monthly(15, 15_000, 'DEPOSITO NOMINA OMEGA')
    const refund = tx('2025-09-03', 1_299, 'DEVOLUCION COMPRA LIVERPOOL')
    const lookAlike = tx('2025-11-20', 15_000, 'TRANSFERENCIA RECIBIDA JUAN PEREZ')
    // The other leg of the transfer: an outflow of the same amount from savings a day earlier.
    const fromSavings = tx('2025-07-07', 5_000, 'TRASPASO', { accountId: 'savings', accountCategory: 'SAVINGS_ACCOUNT', type: 'OUTFLOW' })
    const toChecking = tx('2025-07-08', 5_000, 'SPEI RECIBIDO')
    const loan = tx('2025-06-01', 30_000, 'DESEMBOLSO PRESTAMO PERSONAL')
    const own = tx('2025-12-01', 2_000, 'TRANSFERENCIA ENTRE MIS CUENTAS')
    const all = [...salary, refund, lookAlike, fromSavings, toChecking, loan, own]
    const streams = findIncomeStreams(all, WINDOW)
    expect(streams).toHaveLength(1)
    expect(streams[0].transactionIds).toEqual(salary.map((t) => t.id))
    const excluded = excludedInflows(all)
    expect(excluded.get(refund.id)).toBe('refund')
    expect(excluded.get(toChecking.id)).toBe('own_account_transfer')
    expect(excluded.get(loan.id)).toBe('loan_disbursement')
    expect(excluded.get(own.id)).toBe('own_account_description')
    expect(excluded.has(lookAlike.id)).toBe(false)
  })

  it('does not count two unrelated transfers that happen to repeat', () => {
    const streams = findIncomeStreams([tx('2025-05-02', 500, 'SPEI RECIBIDO MARIA LOPEZ'), tx('2025-12-19', 800, 'SPEI RECIBIDO MARIA LOPEZ')], WINDOW)
    expect(streams).toEqual([])
  })

  it('counts a regular transfer from the same person without keywords as a stream (TRANSFER)', () => {
    const allowance = monthly(3, 2_000, 'SPEI RECIBIDO MARIA LOPEZ')
    const [stream] = findIncomeStreams(allowance, WINDOW)
    expect(stream).toMatchObject({ incomeType: 'TRANSFER', frequency: 'MONTHLY', rule: expect.stringMatching(/^recurring;/) })
  })

  it('keeps a single income only when its words say what it is, as SINGLE and LOW', () => {
    const streams = findIncomeStreams([tx('2025-12-20', 25_000, 'PAGO AGUINALDO ACME')], WINDOW)
    expect(streams).toHaveLength(1)
    expect(streams[0]).toMatchObject({ frequency: 'SINGLE', confidence: 'LOW', stability: null, regularity: null, trend: null })
  })

  it('keeps a bonus from the employer in the salary stream rather than a stream of its own', () => {
    const salary = monthly(30, 10_000, 'NOMINA ACME')
    const bonus = tx('2025-12-18', 25_000, 'NOMINA ACME')
    const streams = findIncomeStreams([...salary, bonus], WINDOW)
    expect(streams).toHaveLength(1)
    expect(streams[0].transactionIds).toContain(bonus.id)
  })

  it('puts a year-end bonus worded unlike the salary (aguinaldo, 13º) into the regular stream of the same account', () => {
    const salary = monthly(30, 10_000, 'DEP SPEI NOMINA 778899')
    const aguinaldo = tx('2025-12-19', 15_000, 'SPEI RECIBIDO CONSTRUCTORA ALAMO SA DE CV AGUINALDO 2025')
    const streams = findIncomeStreams([...salary, aguinaldo], WINDOW)
    expect(streams).toHaveLength(1)
    expect(streams[0]).toMatchObject({ incomeType: 'SALARY', frequency: 'MONTHLY', numberOfIncomes: salary.length + 1 })
    // On an account without a salary it stays a one-off: Belvo's frequency SINGLE.
    const alone = findIncomeStreams([{ ...aguinaldo, accountId: 'savings' }, ...salary], WINDOW)
    expect(alone.map((s) => s.frequency).sort()).toEqual(['MONTHLY', 'SINGLE'])
  })

  it("puts a pension's extras (13th payment worded as a salary, two extra mesadas) into the pension stream", () => {
    const pension = monthly(25, 1_500, 'CRED INSS BENEFICIO 1234567', [], { currency: 'BRL' })
    const thirteenth = tx('2025-11-25', 1_500, 'CRED INSS 13 SALARIO 7654321', { currency: 'BRL' })
    const streams = findIncomeStreams([...pension, thirteenth], WINDOW)
    expect(streams).toHaveLength(1)
    expect(streams[0]).toMatchObject({ incomeType: 'RETIREMENT', frequency: 'MONTHLY', numberOfIncomes: pension.length + 1 })

    const mesadas = monthly(10, 900_000, 'PAGO PENSION COLPENSIONES', [], { currency: 'COP' })
    const extras = ['2025-06-12', '2025-12-12'].map((date) => tx(date, 900_000, 'PAGO PENSION COLPENSIONES MESADA ADICIONAL', { currency: 'COP' }))
    const both = findIncomeStreams([...mesadas, ...extras], WINDOW)
    expect(both).toHaveLength(1)
    expect(both[0].transactionIds).toEqual(expect.arrayContaining(extras.map((e) => e.id)))
  })

  it('applies allowed_income_types and minimum_confidence_level', () => {
    const all = [...monthly(31, 18_500, 'PAGO DE NOMINA ACME'), tx('2025-12-20', 4_000, 'HONORARIOS CLIENTE X')]
    expect(findIncomeStreams(all, WINDOW).map((s) => s.incomeType)).toEqual(['SALARY', 'FREELANCE'])
    expect(findIncomeStreams(all, { ...WINDOW, allowedIncomeTypes: ['FREELANCE'] }).map((s) => s.incomeType)).toEqual(['FREELANCE'])
    expect(findIncomeStreams(all, { ...WINDOW, minimumConfidence: 'HIGH' }).map((s) => s.incomeType)).toEqual(['SALARY'])
  })

  it('lowers the confidence of a stream that stopped', () => {
    const old = monthly(15, 9_000, 'NOMINA EMPRESA VIEJA', [6, 7, 8, 9, 10, 11])
    const [stream] = findIncomeStreams(old, WINDOW)
    expect(stream.confidence).toBe('MEDIUM')
  })

  it('only looks inside the window', () => {
    const salary = monthly(15, 9_000, 'NOMINA ACME')
    const [stream] = findIncomeStreams(salary, { today: TODAY, dateFrom: '2025-09-01', dateTo: '2026-02-28' })
    expect(stream.numberOfIncomes).toBe(6)
    expect(stream.lookbackPeriods).toBe(6)
  })
})

describe('summarizeIncomes', () => {
  it("adds up Belvo's Income aggregates and finds the best day to charge", () => {
    const salary = monthly(15, 10_000, 'NOMINA ACME')
    const fee = tx('2025-12-20', 3_000, 'HONORARIOS CLIENTE X')
    const txs = [tx('2025-03-12', 100, 'COMPRA OXXO', { type: 'OUTFLOW' }), ...salary, fee]
    const streams = findIncomeStreams(txs, WINDOW)
    const summary = summarizeIncomes(streams, txs, WINDOW)
    expect(summary.totalIncomeAmount).toBe(123_000)
    expect(summary.totalRegularIncomeAmount).toBe(120_000)
    expect(summary.totalIrregularIncomeAmount).toBe(3_000)
    expect(summary.totalHighConfidence + summary.totalMediumConfidence + summary.totalLowConfidence).toBe(123_000)
    expect(summary.monthlyAverage).toBeCloseTo(summary.monthlyAverageRegular + summary.monthlyAverageIrregular, 2)
    expect(summary.firstTransactionDate).toBe('2025-03-12')
    expect(summary.lastTransactionDate).toBe('2026-02-13')
    expect(summary.bestWorkingDayToCharge).toBe(15)
    expect(summary.goodWorkingDaysToCharge.length).toBeLessThanOrEqual(3)
  })
})

describe('incomeTypeOf', () => {
  it.each([
    ['PAGO DE NÓMINA', 'SALARY'],
    ['SALÁRIO MENSAL', 'SALARY'],
    ['NOMINA GOBIERNO DEL ESTADO', 'SALARY'],
    ['PENSIÓN ALIMENTICIA', 'ALTERNATIVE_INCOME'],
    ['PENSION IMSS', 'RETIREMENT'],
    ['APOSENTADORIA INSS', 'RETIREMENT'],
    ['BOLSA FAMÍLIA', 'GOVERNMENT'],
    ['BECA BENITO JUAREZ', 'GOVERNMENT'],
    ['PRÓ-LABORE', 'FREELANCE'],
    ['ALUGUEL', 'RENT'],
    ['RENDIMENTO POUPANÇA', 'INTEREST'],
    ['DEPOSITO EN EFECTIVO', 'DEPOSIT'],
    ['PIX RECEBIDO', 'TRANSFER'],
    ['ABC XYZ', 'UNKNOWN'],
  ])('%s is %s', (description, type) => {
    expect(incomeTypeOf(normalizeDescription(description))).toBe(type)
  })
})

describe('payers that are companies', () => {
  it('takes a regular, stable transfer from a company with no words for it as a SALARY, and its legal form as part of its name', () => {
    const pay = monthly(30, 21_000, 'SPEI RECIBIDO CONSTRUCTORA DEL NORTE SA DE CV').map((t, i) =>
      i % 2 ? { ...t, description: 'SPEI RECIBIDO CONSTRUCTORA DEL NORTE' } : t,
    )
    const [salary] = findIncomeStreams(pay, WINDOW)
    expect(salary).toMatchObject({ incomeType: 'SALARY', frequency: 'MONTHLY', numberOfIncomes: 12, rule: expect.stringContaining('company payer') })
    // A person's regular transfer stays a TRANSFER.
    const [allowance] = findIncomeStreams(monthly(30, 21_000, 'SPEI RECIBIDO JUAN PEREZ'), WINDOW)
    expect(allowance.incomeType).toBe('TRANSFER')
  })
})

describe('noise that looks like a rhythm', () => {
  it('does not make a stream of many transfers that all read the same ("TRANSFERENCIA RECIBIDA")', () => {
    // Deterministic pseudo-random days and amounts: about two a week, of any size.
    const noise = Array.from({ length: 90 }, (_, i) => {
      const day = Math.floor((i * 37 + ((i * i) % 11)) / 9)
      return tx(new Date(Date.UTC(2025, 2, 12 + day)).toISOString().slice(0, 10), 50 + ((i * 7919) % 3000), 'TRANSFERENCIA RECIBIDA')
    })
    expect(findIncomeStreams(noise, WINDOW)).toEqual([])
  })

  it('does not take a payroll loan (crédito de nómina) for a salary', () => {
    const loan = tx('2025-08-01', 40_000, 'CREDITO DE NOMINA BANCO X')
    expect(excludedInflows([loan]).get(loan.id)).toBe('loan_disbursement')
  })
})
