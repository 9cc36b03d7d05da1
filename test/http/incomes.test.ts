import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SANDBOX_MFA_TOKEN } from '../../src/connectors/sandbox/personas.ts'
import { INCOMES } from '../../src/domain/enrichment.ts'
import { connectedClient, type BelvoClient } from '../helpers/belvo.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { createLink, expectError, expectItems, shared, historicalUpdate } from '../helpers/resources.ts'
import { schemaErrors } from '../helpers/spec.ts'

/**
 * Incomes (INVENTORY 3.2, 4.4): a link's income streams computed from its transactions, one Income
 * per retrieve; and Income Verification (3.3) on the customer's own transactions.
 */

type Json = Record<string, any>

const TODAY = '2026-03-10'

describe('incomes of a link (/api/incomes/)', () => {
  let h: Harness
  const mx = shared(() => createLink(h, { shape: 'multiregion', resource: 'INCOMES' }))
  const br = shared(() => createLink(h, { shape: 'ofda', resource: 'INCOMES' }))
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set(`${TODAY}T15:00:00Z`)
  })
  afterAll(async () => h.close())

  it.each([
    ['multiregion', mx],
    ['ofda', br],
  ] as const)('retrieves one Income (%s): a Belvo Income whose streams name the link’s accounts', async (shape, link) => {
    const { id } = await link()
    const res = await h.call('POST', '/api/incomes/', { link: id })
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(201)
    expect(Array.isArray(res.body)).toBe(false)
    expectItems(INCOMES.items, shape, [res.body])
    const income = res.body
    expect(income.link).toBe(id)
    expect(income.number_of_income_streams).toBe(income.income_streams.length)
    expect(income.income_streams.length).toBeGreaterThan(0)
    expect(income.income_streams.some((s: Json) => s.income_type === 'SALARY' && s.confidence === 'HIGH')).toBe(true)
    const accounts = (await h.call('GET', `/api/accounts/?link=${id}`)).body.results.map((a: Json) => a.id)
    for (const stream of income.income_streams) expect(accounts).toContain(stream.account_id)
    const total = income.income_streams.reduce((sum: number, s: Json) => sum + s.average_income_amount * s.number_of_incomes, 0)
    expect(income.total_income_amount).toBeCloseTo(total, 0)
    expect(income.total_low_confidence + income.total_medium_confidence + income.total_high_confidence).toBeCloseTo(income.total_income_amount, 1)
    expect(Object.keys(income)).not.toContain('internal_identification')
    expect(Object.keys(income)).not.toContain('account_internal_identification')
  })

  it('lists, filters by link and account, details and deletes', async () => {
    const { id } = await mx()
    const income = (await h.call('POST', '/api/incomes/', { link: id, date_from: '2025-06-01', date_to: '2026-02-28' })).body
    const listed = await h.call('GET', `/api/incomes/?link=${id}`)
    expect(listed.body.results.map((r: Json) => r.id)).toContain(income.id)
    // The Income's account is the one that receives the most income.
    const received = new Map<string, number>()
    for (const s of income.income_streams) received.set(s.account_id, (received.get(s.account_id) ?? 0) + s.average_income_amount * s.number_of_incomes)
    const main = [...received].sort((a, b) => b[1] - a[1])[0][0]
    const byAccount = await h.call('GET', `/api/incomes/?account=${main}&link=${id}`)
    expect(byAccount.body.results.length).toBeGreaterThan(0)
    const other = (await h.call('GET', `/api/accounts/?link=${id}`)).body.results.find(
      (a: Json) => !income.income_streams.some((s: Json) => s.account_id === a.id),
    )
    if (other) expect((await h.call('GET', `/api/incomes/?account=${other.id}&link=${id}`)).body.results.map((r: Json) => r.id)).not.toContain(income.id)
    const detail = await h.call('GET', `/api/incomes/${income.id}/`)
    expect(detail.body).toEqual(listed.body.results.find((r: Json) => r.id === income.id))
    expect((await h.call('DELETE', `/api/incomes/${income.id}/`)).status).toBe(204)
    expect((await h.call('GET', `/api/incomes/${income.id}/`)).status).toBe(404)
  })

  it('updates the same Income when the same request comes again, and is deterministic', async () => {
    const { id } = await mx()
    const body = { link: id, date_from: '2025-03-10', date_to: '2026-03-09' }
    const first = (await h.call('POST', '/api/incomes/', body)).body
    const second = (await h.call('POST', '/api/incomes/', body)).body
    expect(second.id).toBe(first.id)
    expect(second.income_streams).toEqual(first.income_streams)
  })

  it('answers invalid_period under 90 days, and Belvo’s errors for bad periods', async () => {
    const { id } = await mx()
    const short = expectError(await h.call('POST', '/api/incomes/', { link: id, date_from: '2026-01-01', date_to: '2026-03-01' }), 400, 'invalid_period')
    expect(short.message).toBe('The number of days between date_from and date_to must be at least 90 days')
    expect(schemaErrors('current', 'InvalidPeriodError', short)).toEqual([])
    expect((await h.call('POST', '/api/incomes/', { link: id, date_from: '2025-12-01', date_to: '2026-03-01', save_data: false })).status).toBe(200)
    expectError(await h.call('POST', '/api/incomes/', { link: id, date_from: '2025-12-01' }), 400, 'required', 'date_to')
    expectError(await h.call('POST', '/api/incomes/', { link: id, date_to: '2026-03-01' }), 400, 'required', 'date_from')
    expectError(await h.call('POST', '/api/incomes/', { link: id, date_from: '2025-12-01', date_to: '2026-04-01' }), 400, 'invalid', 'date_to')
    expectError(await h.call('POST', '/api/incomes/', { link: id, date_from: '2024-01-01', date_to: '2026-03-01' }), 400, 'invalid', 'date_from')
    expectError(await h.call('POST', '/api/incomes/', { link: id, date_from: '2026-03-01', date_to: '2025-12-01' }), 400, 'invalid', 'date_from')
  })

  it('applies allowed_income_types and minimum_confidence_level, and refuses values Belvo does not have', async () => {
    const { id } = await mx()
    const all = (await h.call('POST', '/api/incomes/', { link: id, save_data: false })).body
    const types = new Set(all.income_streams.map((s: Json) => s.income_type))
    expect(types.size).toBeGreaterThan(1)
    const salary = (await h.call('POST', '/api/incomes/', { link: id, save_data: false, allowed_income_types: ['SALARY'] })).body
    expect(salary.income_streams.length).toBeGreaterThan(0)
    expect(salary.income_streams.every((s: Json) => s.income_type === 'SALARY')).toBe(true)
    expect(salary.total_income_amount).toBeLessThan(all.total_income_amount)
    const high = (await h.call('POST', '/api/incomes/', { link: id, save_data: false, minimum_confidence_level: 'HIGH' })).body
    expect(high.income_streams.every((s: Json) => s.confidence === 'HIGH')).toBe(true)
    expectError(await h.call('POST', '/api/incomes/', { link: id, allowed_income_types: ['LOTTERY'] }), 400, 'invalid_choice', 'allowed_income_types')
    expectError(await h.call('POST', '/api/incomes/', { link: id, minimum_confidence_level: 'SURE' }), 400, 'invalid_choice', 'minimum_confidence_level')
  })

  it('answers an empty Income for a link without data', async () => {
    const link = await createLink(h, { shape: 'multiregion', resource: 'INCOMES', persona: 'bnk101/nodata' })
    const res = await h.call('POST', '/api/incomes/', { link: link.id, save_data: false })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ income_streams: [], number_of_income_streams: 0, total_income_amount: 0, first_transaction_date: null })
    expectItems(INCOMES.items, 'multiregion', [res.body])
  })

  it('asks for a token at an MFA institution (heimdall) and resumes with PATCH', async () => {
    const link = await createLink(h, { institution: 'heimdall_mx_retail' })
    const challenge = expectError(await h.call('POST', '/api/incomes/', { link: link.id }), 428, 'token_required')
    const resumed = await h.call('PATCH', '/api/incomes/', { session: challenge.session, token: SANDBOX_MFA_TOKEN, link: link.id })
    expect(resumed.status, JSON.stringify(resumed.body).slice(0, 300)).toBe(201)
    const [income] = Array.isArray(resumed.body) ? resumed.body : [resumed.body]
    expectItems(INCOMES.items, 'multiregion', [income])
  })
})

describe('the official SDK against Ponte: incomes', () => {
  let h: Harness
  let client: BelvoClient
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set(`${TODAY}T15:00:00Z`)
    client = await connectedClient(h)
  })
  afterAll(async () => h.close())

  it('retrieves (with and without a period), lists, details and deletes incomes', async () => {
    const link = await createLink(h, { shape: 'multiregion', resource: 'INCOMES' })
    const incomes = client.incomes as BelvoClient['accounts']
    const unsaved = await incomes.retrieve(link.id, { saveData: false, dateFrom: '2025-06-01', dateTo: '2026-03-01' })
    expect(unsaved.income_streams.length).toBeGreaterThan(0)
    const stored = await incomes.retrieve(link.id)
    expect(stored.link).toBe(link.id)
    const listed = await incomes.list({ filters: { link: link.id } })
    expect(listed.map((r: Json) => r.id)).toEqual([stored.id])
    expect(await incomes.detail(stored.id)).toEqual(listed[0])
    await incomes.delete(stored.id)
    expect(await incomes.list({ filters: { link: link.id } })).toEqual([])
  })
})

describe('income verification on your own data (POST /api/enrich/incomes/)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set(`${TODAY}T15:00:00Z`)
  })
  afterAll(async () => h.close())

  const HOLDER = 'a61bc801-9fa5-457b-88ad-850c96eaca30'
  let n = 0
  const item = (value_date: string, amount: number, description: string, more: Json = {}) => ({
    transaction_id: `T${++n}`,
    account_holder_type: 'INDIVIDUAL',
    account_holder_id: HOLDER,
    account_id: 'EBACA-89077589',
    account_category: 'CHECKING_ACCOUNT',
    value_date,
    description,
    type: 'INFLOW',
    amount,
    currency: 'BRL',
    institution: 'Erebor Brazil',
    ...more,
  })
  const months = Array.from({ length: 12 }, (_, i) => {
    const index = 2025 * 12 + 2 + i
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
  })
  const salary = () => months.map((m) => item(`${m}-05`, 7_500, 'SALÁRIO MENSAL EMPRESA X'))

  it('answers one Income per account holder, with each stream’s transactions and rule', async () => {
    const body = {
      language: 'pt',
      transactions: [
        ...salary(),
        item('2025-09-25', 3_000, 'Transferência da Gui'),
        item('2025-10-02', 899.9, 'ESTORNO COMPRA LOJA Y'),
        ...months.map((m) => item(`${m}-10`, 1_200, 'ALUGUEL APTO 12', { account_holder_id: 'b61bc801-9fa5-457b-88ad-850c96eaca31', account_id: 'OTHER-1' })),
      ],
    }
    const res = await h.call('POST', '/api/enrich/incomes/', body)
    expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(200)
    expect(res.body).toHaveLength(2)
    for (const income of res.body) {
      expect(schemaErrors('multiregion', 'Income', income)).toEqual([])
      expect(income.institution).toBe('Erebor Brazil')
    }
    const [first, second] = res.body
    expect(first.link).toBe(HOLDER)
    expect(first.income_streams).toHaveLength(1)
    expect(first.income_streams[0]).toMatchObject({
      account_id: 'EBACA-89077589',
      income_type: 'SALARY',
      frequency: 'MONTHLY',
      confidence: 'HIGH',
      number_of_incomes: 12,
      transaction_ids: body.transactions.slice(0, 12).map((t) => t.transaction_id),
    })
    expect(first.income_streams[0].rule).toMatch(/recurring_with_keyword/)
    expect(second.income_streams[0]).toMatchObject({ income_type: 'RENT', account_id: 'OTHER-1' })
  })

  it('honours the period and the filters', async () => {
    const body = { language: 'pt', transactions: [...salary(), item('2025-12-20', 500, 'PIX RECEBIDO HONORARIOS')] }
    const period = await h.call('POST', '/api/enrich/incomes/', { ...body, date_from: '2025-09-01', date_to: '2026-02-28' })
    expect(period.body[0].income_streams.find((s: Json) => s.income_type === 'SALARY').number_of_incomes).toBe(6)
    const freelance = await h.call('POST', '/api/enrich/incomes/', { ...body, allowed_income_types: ['FREELANCE'] })
    expect(freelance.body[0].income_streams.map((s: Json) => s.income_type)).toEqual(['FREELANCE'])
    const high = await h.call('POST', '/api/enrich/incomes/', { ...body, minimum_confidence_level: 'HIGH' })
    expect(high.body[0].income_streams.map((s: Json) => s.income_type)).toEqual(['SALARY'])
  })

  it('refuses bad input with the field path of the item at fault', async () => {
    const good = salary()
    const call = (body: Json) => h.call('POST', '/api/enrich/incomes/', body)
    expectError(await call({ transactions: good }), 400, 'required', 'language')
    expectError(await call({ language: 'pt' }), 400, 'required', 'transactions')
    const badAmount = good.map((t, i) => (i === 3 ? { ...t, amount: 'lots' } : t))
    expectError(await call({ language: 'pt', transactions: badAmount }), 400, 'invalid', 'transactions.3.amount')
    const negative = good.map((t, i) => (i === 2 ? { ...t, amount: -5 } : t))
    expectError(await call({ language: 'pt', transactions: negative }), 400, 'invalid', 'transactions.2.amount')
    const missing = good.map((t, i) => (i === 1 ? { ...t, account_id: undefined } : t))
    expectError(await call({ language: 'pt', transactions: missing }), 400, 'required', 'transactions.1.account_id')
    const outflow = good.map((t, i) => (i === 4 ? { ...t, type: 'OUTFLOW' } : t))
    expectError(await call({ language: 'pt', transactions: outflow }), 400, 'invalid_choice', 'transactions.4.type')
    const badDay = good.map((t, i) => (i === 5 ? { ...t, value_date: '2025-02-30' } : t))
    expectError(await call({ language: 'pt', transactions: badDay }), 400, 'invalid', 'transactions.5.value_date')
    const repeated = good.map((t, i) => (i === 6 ? { ...t, transaction_id: good[0].transaction_id } : t))
    expectError(await call({ language: 'pt', transactions: repeated }), 400, 'invalid', 'transactions.6.transaction_id')
    const badHolder = good.map((t, i) => (i === 0 ? { ...t, account_holder_id: 'nope' } : t))
    expectError(await call({ language: 'pt', transactions: badHolder }), 400, 'invalid', 'transactions.0.account_holder_id')
    expectError(await call({ language: 'pt', transactions: good, date_from: '2025-06-01' }), 400, 'required', 'date_to')
    expectError(await call({ language: 'pt', transactions: good, date_from: '2025-06-01', date_to: '2026-12-01' }), 400, 'invalid', 'date_to')
    expectError(await call({ language: 'pt', transactions: good, allowed_income_types: ['PENSION'] }), 400, 'invalid_choice', 'allowed_income_types')
    expectError(await call({ language: 'pt', transactions: [] }), 400, 'invalid', 'transactions')
  })

  it('takes 20,000 transactions, and refuses more', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) =>
      item(`2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`, 10 + (i % 500), `PIX RECEBIDO PESSOA ${i % 300}`),
    )
    const started = Date.now()
    const ok = await h.call('POST', '/api/enrich/incomes/', { language: 'pt', transactions: many })
    expect(ok.status, JSON.stringify(ok.body).slice(0, 300)).toBe(200)
    expect(Date.now() - started).toBeLessThan(10_000)
    const tooMany = await h.call('POST', '/api/enrich/incomes/', { language: 'pt', transactions: [...many, item('2025-01-01', 1, 'X')] })
    expectError(tooMany, 400, 'invalid', 'transactions')
  })

  it('requires a secret key', async () => {
    const res = await h.call('POST', '/api/enrich/incomes/', { language: 'pt', transactions: salary() }, { auth: 'Basic bm9wZTpub3Bl' })
    expectError(res, 401, 'authentication_failed')
  })
})

describe('incomes in historical updates and their webhooks', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set(`${TODAY}T15:00:00Z`)
    await h.receiveWebhooks('Bearer incomes-test')
    await h.startWorker()
  })
  afterAll(async () => h.close())

  it('computes the Income when fetch_resources names INCOMES, after the accounts and transactions, with its webhook', async () => {
    const { link, events } = await historicalUpdate(h, {
      institution: 'gringotts_mx_retail',
      username: 'bnk100',
      password: 'full',
      fetch_resources: ['ACCOUNTS', 'TRANSACTIONS', 'INCOMES'],
    })
    expect(events['INCOMES historical_update']).toEqual({ total_incomes: 1 })
    const listed = (await h.call('GET', `/api/incomes/?link=${link.id}`)).body
    expect(listed.count).toBe(1)
    expect(listed.results[0].income_streams.length).toBeGreaterThan(0)
  })
})
