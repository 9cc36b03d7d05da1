import { generateCpf } from '@brazilian-utils/brazilian-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { paymentsLedger } from '../../src/domain/payments/intents.ts'
import { END_TO_END_ID } from '../../src/domain/payments/network.ts'
import { runScheduler } from '../../src/domain/sync.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { accountIntentBody, receivingAccountBody } from '../helpers/payments.ts'
import { expectSpec } from '../helpers/spec.ts'

type Json = Record<string, any>

const OF = 'payment_method_details.open_finance'
/** The harness clock's first day (a Thursday). */
const TODAY = '2026-01-15T12:00:00Z'

/** Payment intents with recurring schedules (daily, weekly, monthly, custom): one SCHEDULED charge per date, each settled by the scheduler on its day. */
describe('Payments Brazil: recurring scheduled payments', () => {
  let h: Harness
  let customer: Json
  const call: Harness['call'] = (...args) => h.call(...args)

  async function createAccount() {
    const res = await call('POST', '/payments/br/bank-accounts/', receivingAccountBody('Assinaturas Ltda'))
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body as Json
  }

  const intentBody = (account: Json, amount: string, schedule: unknown) => accountIntentBody(customer.id, account.id, amount, 'Assinatura mensal', { schedule })

  /** Created and authorized: the intent PROCESSING with its SCHEDULED charges, every response valid against 1.223.0. */
  async function authorized(account: Json, amount: string, schedule: unknown): Promise<Json> {
    const created = await call('POST', '/payments/br/payment-intents/', intentBody(account, amount, schedule))
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expectSpec('current', 'PaymentIntentOfpi', created.body)
    const res = await call('POST', `/payments/br/payment-intents/${created.body.id}/authorize/`)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expectSpec('current', 'PaymentIntentOfpi', res.body)
    for (const charge of res.body.charges) expectSpec('current', 'ChargeBrazil', charge)
    expect(res.body.status).toBe('PROCESSING')
    expect(res.body.charges.every((c: Json) => c.status === 'SCHEDULED')).toBe(true)
    return res.body
  }

  const datesOf = (intent: Json) => intent.charges.map((c: Json) => c.payment_method_information.open_finance.settlement_date)
  const intentNow = async (id: string) => {
    const res = await call('GET', `/payments/br/payment-intents/${id}/`)
    expectSpec('current', 'PaymentIntentOfpi', res.body)
    return res.body as Json
  }
  const balanceOf = async (account: Json) =>
    (await h.db.query<{ balance: string }>('SELECT balance::text AS balance FROM payment_bank_accounts WHERE id = $1', [account.id]))[0].balance
  /** Moves the sandbox clock to a day and runs one scheduler pass. */
  async function settleOn(day: string) {
    h.clock.set(`${day}T09:00:00Z`)
    await runScheduler(h.app.deps.domain)
  }

  beforeAll(async () => {
    h = await createHarness()
    const c = await call('POST', '/payments/br/customers/', { identifier: generateCpf(), name: 'Joana Pereira', email: 'joana@example.com' })
    expect(c.status, JSON.stringify(c.body)).toBe(201)
    customer = c.body
  })
  afterAll(async () => h.close())

  it('makes one SCHEDULED charge per occurrence of each schedule and settles them in date order, with transactions and balances to the cent', async () => {
    h.clock.set(TODAY)
    const account = await createAccount()
    const daily = await authorized(account, '10.05', { daily: { start_date: '2026-01-16', occurrences: 3 } })
    const weekly = await authorized(account, '20.00', { weekly: { start_date: '2026-01-19', day_of_week: 'MONDAY', occurrences: 2 } })
    // Day 31: the shorter months' last day.
    const monthly = await authorized(account, '30.01', { monthly: { start_date: '2026-01-31', day_of_month: 31, occurrences: 3 } })
    const custom = await authorized(account, '0.99', { custom: { dates: ['2026-02-10', '2026-01-20'], description: 'Parcelas do curso' } })
    expect(datesOf(daily)).toEqual(['2026-01-16', '2026-01-17', '2026-01-18'])
    expect(datesOf(weekly)).toEqual(['2026-01-19', '2026-01-26'])
    expect(datesOf(monthly)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31'])
    expect(datesOf(custom)).toEqual(['2026-01-20', '2026-02-10'])
    // The intent shows its first date, and the schedule as sent.
    expect(monthly.payment_method_information.open_finance.settlement_date).toBe('2026-01-31')
    expect(monthly.payment_method_details.open_finance.schedule).toEqual({ monthly: { start_date: '2026-01-31', day_of_month: 31, occurrences: 3 } })

    // Day by day: each pass settles that day's charges only; the intent stays PROCESSING until its last one.
    await settleOn('2026-01-16')
    expect((await intentNow(daily.id)).charges.map((c: Json) => c.status)).toEqual(['SUCCEEDED', 'SCHEDULED', 'SCHEDULED'])
    expect(await balanceOf(account)).toBe('10.05')
    await settleOn('2026-01-17')
    expect(await balanceOf(account)).toBe('20.10')
    await settleOn('2026-01-18')
    expect(await balanceOf(account)).toBe('30.15')
    const dailyDone = await intentNow(daily.id)
    expect(dailyDone).toMatchObject({ status: 'SUCCEEDED', failure_code: null })
    expect(dailyDone.charges.every((c: Json) => c.transactions.length === 1 && c.transactions[0].amount === '10.05')).toBe(true)
    expect(dailyDone.payment_method_information.open_finance.end_to_end_id).toBe(dailyDone.charges[2].payment_method_information.open_finance.end_to_end_id)
    await settleOn('2026-01-19')
    await settleOn('2026-01-20')
    expect(await balanceOf(account)).toBe('51.14')
    expect((await intentNow(weekly.id)).status).toBe('PROCESSING')
    for (const day of ['2026-01-26', '2026-01-31', '2026-02-10', '2026-02-28']) await settleOn(day)
    expect(await balanceOf(account)).toBe('132.15')
    expect((await intentNow(monthly.id)).status).toBe('PROCESSING')
    await settleOn('2026-03-31')
    expect(await balanceOf(account)).toBe('162.16')

    for (const intent of [weekly, monthly, custom]) {
      const done = await intentNow(intent.id)
      expect(done.status).toBe('SUCCEEDED')
      for (const charge of done.charges) {
        expectSpec('current', 'ChargeBrazil', charge)
        expect(charge.status).toBe('SUCCEEDED')
        expect(charge.payment_method_information.open_finance.end_to_end_id).toMatch(END_TO_END_ID)
        // Settled on its own date (the clock's day in the end_to_end_id).
        expect(charge.payment_method_information.open_finance.end_to_end_id.slice(9, 17)).toBe(
          charge.payment_method_information.open_finance.settlement_date.replaceAll('-', ''),
        )
        expect(charge.transactions).toHaveLength(1)
        expectSpec('current', 'paymentTransaction', charge.transactions[0])
      }
    }
    // Every transaction into the account, and the sum of the settled charges, to the cent.
    const transactions = (await call('GET', `/payments/br/transactions/?beneficiary=${account.id}&page_size=100`)).body.results as Json[]
    expect(transactions).toHaveLength(10)
    // The ledger: the monthly intent's chain, and one webhook per transition (3 charges settled, 3 transactions, PROCESSING and SUCCEEDED).
    const ledger = await paymentsLedger(h.db, { organizationId: h.key.organizationId }, monthly.id)
    expect(ledger.map((e) => [e.from_status, e.to_status])).toEqual([
      [null, 'REQUIRES_ACTION'],
      ['REQUIRES_ACTION', 'PROCESSING'],
      ['PROCESSING', 'SUCCEEDED'],
    ])
    const done = await intentNow(monthly.id)
    const ids = [monthly.id, ...done.charges.map((c: Json) => c.id), ...done.charges.map((c: Json) => c.transactions[0].id)]
    const events = await h.db.query<{ count: string | number }>(
      `SELECT count(*) AS count FROM webhook_events WHERE payload::json->>'object_id' = ANY($1::text[])`,
      [ids],
    )
    expect(Number(events[0].count)).toBe(2 + 3 + 3)
  })

  it('refuses an occurrence by the amount rules without ending the series, fails the intent after its last; a canceled occurrence is skipped', async () => {
    h.clock.set(TODAY)
    const account = await createAccount()
    const poor = await authorized(account, '150.00', { daily: { start_date: '2026-01-16', occurrences: 2 } })
    const skipped = await authorized(account, '5.00', { weekly: { start_date: '2026-01-16', day_of_week: 'FRIDAY', occurrences: 3 } })
    const dropped = await authorized(account, '7.00', { custom: { dates: ['2026-01-16', '2026-01-17'], description: 'Duas parcelas' } })
    // A Pix key payment with a schedule: the same charges, no beneficiary account (Belvo shows no transactions).
    const body = accountIntentBody(customer.id, account.id, '2.00', 'Pix semanal', {
      schedule: { weekly: { start_date: '2026-01-16', day_of_week: 'FRIDAY', occurrences: 2 } },
    })
    const open = body.payment_method_details.open_finance as Json
    delete open.beneficiary_bank_account
    open.pix_key = 'pagamentos@loja.com.br'
    const pixCreated = await call('POST', '/payments/br/payment-intents/', body)
    expect(pixCreated.status, JSON.stringify(pixCreated.body)).toBe(201)
    const pix = await call('POST', `/payments/br/payment-intents/${pixCreated.body.id}/authorize/`)
    expectSpec('current', 'PaymentIntentPixKeys', pix.body)
    for (const charge of pix.body.charges) expectSpec('current', 'ChargeBrazilPix', charge)
    expect(datesOf(pix.body)).toEqual(['2026-01-16', '2026-01-23'])

    // Cancel the second weekly occurrence through the charge's own endpoint: the intent goes on.
    const middle = skipped.charges[1]
    expect((await call('POST', `/payments/br/payment-intents/${skipped.id}/charges/${middle.id}/cancel/`)).status).toBe(204)
    const afterCancel = await intentNow(skipped.id)
    expect(afterCancel.status).toBe('PROCESSING')
    expect(afterCancel.charges.map((c: Json) => c.status)).toEqual(['SCHEDULED', 'CANCELED', 'SCHEDULED'])
    expect((await call('POST', `/payments/br/payment-intents/${skipped.id}/charges/${middle.id}/cancel/`)).status).toBe(400)

    await settleOn('2026-01-16')
    const half = await intentNow(poor.id)
    expect(half.status).toBe('PROCESSING')
    expect(half.charges.map((c: Json) => [c.status, c.failure_code])).toEqual([
      ['FAILED', 'insufficient_funds'],
      ['SCHEDULED', null],
    ])
    // The rest of the custom series canceled once its first charge settled: the intent SUCCEEDED with what moved.
    expect((await call('POST', `/payments/br/payment-intents/${dropped.id}/cancel/`)).status).toBe(204)
    const partial = await intentNow(dropped.id)
    expect(partial.status).toBe('SUCCEEDED')
    expect(partial.charges.map((c: Json) => c.status)).toEqual(['SUCCEEDED', 'CANCELED'])
    // Nothing left to cancel: Belvo's cancellation_error.
    const again = await call('POST', `/payments/br/payment-intents/${dropped.id}/cancel/`)
    expect(again.status).toBe(400)
    expect(again.body[0].code).toBe('cancellation_error')

    await settleOn('2026-01-17')
    const failed = await intentNow(poor.id)
    expect(failed).toMatchObject({ status: 'FAILED', failure_code: 'insufficient_funds' })
    expect(failed.charges.every((c: Json) => c.status === 'FAILED' && c.transactions.length === 0)).toBe(true)
    await settleOn('2026-01-30')
    const pixDone = (await call('GET', `/payments/br/payment-intents/${pix.body.id}/`)).body
    expectSpec('current', 'PaymentIntentPixKeys', pixDone)
    expect(pixDone.status).toBe('SUCCEEDED')
    expect(pixDone.charges.map((c: Json) => [c.status, c.transactions.length])).toEqual([
      ['SUCCEEDED', 0],
      ['SUCCEEDED', 0],
    ])
    const skippedDone = await intentNow(skipped.id)
    expect(skippedDone.status).toBe('SUCCEEDED')
    expect(skippedDone.charges.map((c: Json) => c.status)).toEqual(['SUCCEEDED', 'CANCELED', 'SUCCEEDED'])
    // 5.00 twice and 7.00 once; the refused ones credit nothing.
    expect(await balanceOf(account)).toBe('17.00')

    // Every occurrence canceled: the intent FAILED payment_canceled, as a single scheduled payment.
    h.clock.set(TODAY)
    const all = await authorized(account, '3.00', { daily: { start_date: '2026-01-20', occurrences: 2 } })
    expect((await call('POST', `/payments/br/payment-intents/${all.id}/cancel/`)).status).toBe(204)
    expect(await intentNow(all.id)).toMatchObject({ status: 'FAILED', failure_code: 'payment_canceled' })
  })

  const S = `${OF}.schedule`
  it.each([
    [{ daily: { start_date: '2026-01-15', occurrences: 3 } }, `${S}.daily.start_date`, 'invalid'],
    [{ daily: { start_date: '2026-01-16' } }, `${S}.daily.occurrences`, 'required'],
    [{ daily: { start_date: '2026-01-16', occurrences: 1 } }, `${S}.daily.occurrences`, 'invalid'],
    [{ daily: { start_date: '2026-01-16', occurrences: 61 } }, `${S}.daily.occurrences`, 'invalid'],
    [{ daily: { start_date: '2026-01-16', occurrences: '3' } }, `${S}.daily.occurrences`, 'invalid'],
    [{ daily: { start_date: '2027-12-30', occurrences: 60 } }, `${S}.daily.occurrences`, 'invalid'],
    [{ weekly: { start_date: '2026-01-19', day_of_week: 'MONDAY' } }, `${S}.weekly.occurrences`, 'required'],
    [{ weekly: { start_date: '2026-01-19', day_of_week: 'FUNDAY', occurrences: 2 } }, `${S}.weekly.day_of_week`, 'invalid_choice'],
    [{ weekly: { start_date: '2026-01-20', day_of_week: 'MONDAY', occurrences: 2 } }, `${S}.weekly.start_date`, 'invalid'],
    [{ monthly: { start_date: '2026-02-05', day_of_month: 32, occurrences: 2 } }, `${S}.monthly.day_of_month`, 'invalid'],
    [{ monthly: { start_date: '2026-02-05', day_of_month: 6, occurrences: 2 } }, `${S}.monthly.start_date`, 'invalid'],
    [{ monthly: { start_date: '2026-02-05', day_of_month: 5, occurrences: 25 } }, `${S}.monthly.occurrences`, 'invalid'],
    [{ custom: { dates: ['2026-02-01'], description: 'x' } }, `${S}.custom.dates`, 'invalid'],
    [{ custom: { dates: ['2026-02-01', '2026-02-01'], description: 'x' } }, `${S}.custom.dates`, 'invalid'],
    [{ custom: { dates: ['2026-02-01', '2028-01-06'], description: 'x' } }, `${S}.custom.dates`, 'invalid'],
    [{ custom: { dates: ['2026-02-01', '2026-02-30'], description: 'x' } }, `${S}.custom.dates`, 'invalid'],
    [{ custom: { dates: ['2026-02-01', '2026-03-01'] } }, `${S}.custom.description`, 'required'],
    [{ custom: { dates: ['2026-02-01', '2026-03-01'], description: 'x'.repeat(257) } }, `${S}.custom.description`, 'max_length'],
    [{ daily: { start_date: '2026-01-16', occurrences: 2 }, single: { date: '2026-01-16' } }, S, 'invalid'],
    [{ daily: 'every day' }, `${S}.daily`, 'invalid'],
  ])('refuses the schedule %j with a 400 on %s', async (schedule, field, code) => {
    h.clock.set(TODAY)
    const res = await call('POST', '/payments/br/payment-intents/', intentBody({ id: '00000000-0000-4000-8000-000000000000' }, '10.00', schedule))
    expect(res.status, JSON.stringify(res.body)).toBe(400)
    expect(res.body[0]).toMatchObject({ code, field })
    expectSpec('current', '400_validation_error', res.body[0])
  })
})
