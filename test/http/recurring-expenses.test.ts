import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectedClient, type BelvoClient } from '../helpers/belvo.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { createLink, expectError, expectItems, institutionFor, SHAPES } from '../helpers/resources.ts'
import { EYOD_MAX_TRANSACTIONS as MAX_ENRICH_TRANSACTIONS } from '../../src/http/schemas/enrichment.ts'

/**
 * Recurring expenses: the link resource `/api/recurring-expenses/` (computed from the sandbox
 * link's transactions; the generated contract test covers the rest of its contract), the official
 * SDK's `recurringExpense`, and Ponte's `POST /api/enrich/recurring-expenses/` on the customer's
 * own transactions.
 */

type Json = Record<string, any>

const PATH = '/api/recurring-expenses/'
const ENRICH = '/api/enrich/recurring-expenses/'
const NOW = '2026-03-10T15:00:00Z'

describe.each(SHAPES)('/api/recurring-expenses/ (%s)', (shape) => {
  let h: Harness
  let link: Json
  let stored: Json[]
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set(NOW)
    link = await createLink(h, { institution: institutionFor({ shape, resource: 'RECURRING_EXPENSES' }).name })
    const res = await h.call('POST', PATH, { link: link.id })
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(201)
    stored = res.body
  })
  afterAll(async () => h.close())

  it("finds the link's monthly payments, in Belvo's schema, each with its transactions, next date and rule", () => {
    expect(stored.length).toBeGreaterThan(0)
    expectItems({ ofda: ['RecurringExpenses'], multiregion: ['RecurringExpenses'] }, shape, stored)
    for (const item of stored) {
      expect(item.frequency).toBe('MONTHLY')
      expect(item.transactions.length).toBeGreaterThanOrEqual(3)
      expect(item.account?.id).toEqual(expect.any(String))
      const dates = item.transactions.map((t: Json) => t.value_date)
      expect([...dates].sort()).toEqual(dates)
      const last = dates.at(-1)
      expect(item.days_since_last_transaction).toBe((Date.parse('2026-03-10') - Date.parse(last)) / 86_400_000)
      expect(item.predicted_next_date > last).toBe(true)
      expect(item.confidence).toBeGreaterThan(0)
      expect(item.rule).toMatch(/^MONTHLY: \d+ payments/)
      expect(item).not.toHaveProperty('internal_identification')
      expect(item).not.toHaveProperty('account_internal_identification')
    }
  })

  it('answers the same on a second retrieve, updating the stored records in place', async () => {
    const again = await h.call('POST', PATH, { link: link.id, save_data: false })
    expect(again.status).toBe(200)
    expect(again.body.map((r: Json) => r.id)).toEqual(stored.map((r) => r.id))
    const saved = await h.call('POST', PATH, { link: link.id })
    expect(saved.body).toEqual(stored)
  })

  it('lists by link and account, details and deletes', async () => {
    const listed = await h.call('GET', `${PATH}?link=${link.id}`)
    expect(listed.status).toBe(200)
    expect(listed.body.count).toBe(stored.length)
    const [first] = stored
    const byAccount = await h.call('GET', `${PATH}?link=${link.id}&account=${first.account.id}`)
    expect(byAccount.body.results.every((r: Json) => r.account.id === first.account.id)).toBe(true)
    const detail = await h.call('GET', `${PATH}${first.id}/`)
    expect(detail.status).toBe(200)
    expect(detail.body).toEqual(first)
    expect((await h.call('DELETE', `${PATH}${first.id}/`)).status).toBe(204)
    expect((await h.call('GET', `${PATH}${first.id}/`)).status).toBe(404)
  })

  it("checks Belvo's period: both dates or neither, within the last 365 days", async () => {
    expectError(await h.call('POST', PATH, { link: link.id, date_from: '2025-12-01' }), 400, 'required', 'date_to')
    expectError(await h.call('POST', PATH, { link: link.id, date_to: '2026-03-01' }), 400, 'required', 'date_from')
    expectError(await h.call('POST', PATH, { link: link.id, date_from: '2024-12-01', date_to: '2026-03-01' }), 400, 'invalid', 'date_from')
    expectError(await h.call('POST', PATH, { link: link.id, date_from: '2026-01-01', date_to: '2026-04-01' }), 400, 'invalid', 'date_to')
    const narrow = await h.call('POST', PATH, { link: link.id, date_from: '2026-02-20', date_to: '2026-03-10', save_data: false })
    expect(narrow.status).toBe(200)
    expect(narrow.body).toEqual([])
  })
})

describe('/api/recurring-expenses/ in historical updates', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set(NOW)
  })
  afterAll(async () => h.close())

  it('is computed after the accounts and transactions the link fetches, with its own webhook', async () => {
    const receiver = await h.receiveWebhooks('Bearer recurring')
    await h.startWorker()
    const institution = institutionFor({ shape: 'multiregion', resource: 'RECURRING_EXPENSES' }).name
    const created = await h.call('POST', '/api/links/', {
      institution,
      username: 'bnk100',
      password: 'full',
      fetch_resources: ['ACCOUNTS', 'TRANSACTIONS', 'RECURRING_EXPENSES'],
    })
    expect(created.status, JSON.stringify(created.body).slice(0, 300)).toBe(201)
    const link = created.body
    const hooks = await receiver.waitFor((all) => all.some((r) => r.body.link_id === link.id && r.body.webhook_type === 'RECURRING_EXPENSES'))
    const hook = hooks.find((r) => r.body.link_id === link.id && r.body.webhook_type === 'RECURRING_EXPENSES')!.body
    const listed = await h.call('GET', `${PATH}?link=${link.id}`)
    expect(listed.body.count).toBeGreaterThan(0)
    expect(hook).toMatchObject({ webhook_code: 'historical_update', data: { total_recurring_expenses: listed.body.count } })
  })
})

describe('the official SDK against Ponte: recurringExpense', () => {
  let h: Harness
  let client: BelvoClient
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set(NOW)
    client = await connectedClient(h)
  })
  afterAll(async () => h.close())

  it('retrieves, lists, details and deletes recurring expenses', async () => {
    const link = await createLink(h, { institution: institutionFor({ shape: 'multiregion', resource: 'RECURRING_EXPENSES' }).name })
    const expenses = client.recurringExpense as BelvoClient['accounts']
    const unsaved = await expenses.retrieve(link.id, { saveData: false })
    expect(unsaved.length).toBeGreaterThan(0)
    const stored = await expenses.retrieve(link.id)
    expect(stored.map((r: Json) => r.name)).toEqual(unsaved.map((r: Json) => r.name))
    const listed = await expenses.list({ filters: { link: link.id } })
    expect(listed.map((r: Json) => r.id).sort()).toEqual(stored.map((r: Json) => r.id).sort())
    expect(await expenses.detail(stored[0].id)).toEqual(stored[0])
    await expenses.delete(stored[0].id)
    expect((await expenses.list({ filters: { link: link.id } })).length).toBe(stored.length - 1)
  })
})

describe('POST /api/enrich/recurring-expenses/', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set(NOW)
  })
  afterAll(async () => h.close())

  let counter = 0
  const item = (value_date: string, description: string, amount: number, extra: Json = {}): Json => ({
    transaction_id: `t${++counter}`,
    account_holder_type: 'INDIVIDUAL',
    account_holder_id: 'holder-1',
    account_id: 'acc-1',
    account_category: 'CHECKING_ACCOUNT',
    value_date,
    description,
    type: 'OUTFLOW',
    amount,
    currency: 'BRL',
    institution: 'Banco X',
    ...extra,
  })
  const month = (m: number, d: number) => `${m > 12 ? 2026 : 2025}-${String(((m - 1) % 12) + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`

  it("answers Belvo's RecurringExpenses for the monthly series, with account null, and leaves the rest out", async () => {
    const spotify = Array.from({ length: 8 }, (_, i) => item(month(i + 7, 12), `SPOTIFY ${100 + i}`, i < 5 ? 21.9 : 23.9))
    const lunch = [3, 11, 19, 40, 47, 75, 90, 131].map((o, i) =>
      item(new Date(Date.parse('2025-10-01') + o * 86_400_000).toISOString().slice(0, 10), 'RESTAURANTE SABOR', 40 + i * 7),
    )
    const salary = Array.from({ length: 6 }, (_, i) => item(month(i + 9, 5), 'SALARIO ACME', 5000, { type: 'INFLOW' }))
    const res = await h.call('POST', ENRICH, { language: 'pt', transactions: [...spotify, ...lunch, ...salary] })
    expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(200)
    expect(res.body).toHaveLength(1)
    expectItems({ ofda: ['RecurringExpenses'] }, 'ofda', res.body)
    expect(res.body[0]).toMatchObject({
      account: null,
      name: 'Spotify',
      frequency: 'MONTHLY',
      median_transaction_amount: 21.9,
      days_since_last_transaction: 26,
      predicted_next_date: '2026-03-12',
      payment_type: 'SUBSCRIPTION',
      account_holder_id: 'holder-1',
      account_id: 'acc-1',
    })
    expect(res.body[0].transactions).toEqual(
      spotify.map((t) => ({ transaction_id: t.transaction_id, amount: t.amount, description: t.description, value_date: t.value_date })),
    )
  })

  it("finds each account holder's series among their own payments only", async () => {
    // Two people pay the same service on the same day of the month: Ana from January to June,
    // Bruno from July to December. Together they would look like one year-long subscription.
    const ana = Array.from({ length: 6 }, (_, i) => item(month(i + 1, 8), 'NETFLIX.COM', 39.9, { account_holder_id: 'ana', account_id: 'ana-card' }))
    const bruno = Array.from({ length: 6 }, (_, i) => item(month(i + 7, 8), 'NETFLIX.COM', 39.9, { account_holder_id: 'bruno', account_id: 'bruno-card' }))
    h.clock.set('2025-12-20T12:00:00Z')
    try {
      const res = await h.call('POST', ENRICH, { language: 'pt', transactions: [...ana, ...bruno] })
      expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(200)
      // Ana's series stopped in June: it looks cancelled and Belvo's shape carries running series only.
      expect(res.body).toHaveLength(1)
      expect(res.body[0]).toMatchObject({ name: 'Netflix', account_holder_id: 'bruno', account_id: 'bruno-card' })
      expect(res.body[0].transactions.map((t: Json) => t.transaction_id)).toEqual(bruno.map((t) => t.transaction_id))
    } finally {
      h.clock.set(NOW)
    }
  })

  it('is published in the OpenAPI document', async () => {
    const doc = await h.call('GET', '/openapi.json')
    const operation = doc.body.paths[ENRICH].post
    expect(operation.operationId).toBe('EnrichRecurringExpenses')
    expect(operation.requestBody.content['application/json'].schema.properties.transactions.maxItems).toBe(MAX_ENRICH_TRANSACTIONS)
  })

  it("refuses bad bodies with Belvo's 400 naming the item at fault", async () => {
    const good = item('2026-01-05', 'NETFLIX', 39.9)
    expectError(await h.call('POST', ENRICH, { transactions: [good] }), 400, 'required', 'language')
    expectError(await h.call('POST', ENRICH, { language: 'pt' }), 400, 'required', 'transactions')
    const bad = (patch: Json) => [good, good, good, { ...good, ...patch }].map((t, i) => ({ ...t, transaction_id: `b${i}` }))
    expectError(await h.call('POST', ENRICH, { language: 'pt', transactions: bad({ amount: 'ten' }) }), 400, 'invalid', 'transactions.3.amount')
    expectError(await h.call('POST', ENRICH, { language: 'pt', transactions: bad({ amount: null }) }), 400, 'null', 'transactions.3.amount')
    expectError(await h.call('POST', ENRICH, { language: 'pt', transactions: bad({ type: 'SIDEWAYS' }) }), 400, 'invalid_choice', 'transactions.3.type')
    expectError(await h.call('POST', ENRICH, { language: 'pt', transactions: bad({ value_date: '2026-02-30' }) }), 400, 'invalid', 'transactions.3.value_date')
    expectError(await h.call('POST', ENRICH, { language: 'pt', transactions: bad({ value_date: '2027-01-01' }) }), 400, 'invalid', 'transactions.3.value_date')
    expectError(await h.call('POST', ENRICH, { language: 'pt', transactions: bad({ currency: 'real' }) }), 400, 'invalid', 'transactions.3.currency')
    expectError(await h.call('POST', ENRICH, { language: 'pt', transactions: bad({ account_category: 'CREDIT_CARD' }) }), 400, 'required', 'transactions.3.mcc')
    const { description: _gone, ...noDescription } = good
    expectError(await h.call('POST', ENRICH, { language: 'pt', transactions: [good, noDescription] }), 400, 'required', 'transactions.1.description')
    expectError(await h.call('POST', ENRICH, { language: 'pt', transactions: [good, good] }), 400, 'invalid', 'transactions.1.transaction_id')
    expectError(await h.call('POST', ENRICH, { language: 'pt', transactions: 'many' }), 400, 'invalid', 'transactions')
  })

  it(`takes up to ${MAX_ENRICH_TRANSACTIONS} transactions, and refuses more`, async () => {
    const many = Array.from({ length: MAX_ENRICH_TRANSACTIONS }, (_, i) =>
      item(new Date(Date.parse('2025-03-11') + (i % 364) * 86_400_000).toISOString().slice(0, 10), `LOJA ${i % 700}`, 10 + (i % 97)),
    )
    const ok = await h.call('POST', ENRICH, { language: 'pt', transactions: many })
    expect(ok.status).toBe(200)
    expectError(await h.call('POST', ENRICH, { language: 'pt', transactions: [...many, item('2026-01-01', 'X', 1)] }), 400, 'invalid', 'transactions')
  })

  it('requires a secret key', async () => {
    expect((await h.call('POST', ENRICH, { language: 'pt', transactions: [] }, { auth: null })).status).toBe(401)
  })
})
