import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resourceNamed } from '../../src/domain/registry.ts'
import { connectedClient, type BelvoClient } from '../helpers/belvo.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { createLink, expectError, expectItems, historicalUpdate } from '../helpers/resources.ts'

/**
 * `/api/risk-insights/`: one RiskInsights per link and day, computed from the link's accounts and
 * transactions (src/domain/enrichment/risk.ts); checked here against the link's own accounts and
 * transactions as the API answers them, plus the list filters, MFA, bad input and the official SDK.
 */

type Json = Record<string, any>

const SPEC = resourceNamed('risk-insights')!
const TODAY = '2026-03-10'
const YEAR_AGO = '2025-03-10' // today - 365 days: the first day of the 12m window

const sum = (values: number[]) => Math.round(values.reduce((a, b) => a + Math.round(b * 100), 0)) / 100

describe.each([
  ['erebor_mx_retail', 'multiregion'],
  ['erebor_br_retail', 'ofda'],
] as const)('risk insights at %s', (institution, shape) => {
  let h: Harness
  let link: Json
  let insights: Json
  let accounts: Json[]
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
    link = await createLink(h, { institution })
    const res = await h.call('POST', '/api/risk-insights/', { link: link.id })
    expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(201)
    insights = res.body
    accounts = (await h.call('GET', `/api/accounts/?link=${link.id}&page_size=1000`)).body.results
  })
  afterAll(async () => h.close())

  it("answers one Belvo RiskInsights over all the link's stored accounts", () => {
    expect(Array.isArray(insights)).toBe(false)
    expectItems(SPEC.items, shape, [insights])
    expect(insights.link).toBe(link.id)
    expect([...insights.accounts].sort()).toEqual(accounts.map((a) => a.id).sort())
  })

  it('agrees with the accounts: counts, balances, credit limits, loans', () => {
    const of = (category: string) => accounts.filter((a) => a.category === category)
    const checking = of('CHECKING_ACCOUNT')
    const savings = of('SAVINGS_ACCOUNT')
    expect(insights.assets_metrics.num_checking_accounts).toBe(checking.length)
    expect(insights.assets_metrics.num_savings_accounts).toBe(savings.length)
    expect(insights.assets_metrics.institutions).toEqual([institution])
    if (checking.length > 0) expect(insights.assets_metrics.checking_accounts_balance).toBe(sum(checking.map((a) => a.balance.current)))
    expect(insights.balances_metrics.closing_balance).toBe(sum([...checking, ...savings].map((a) => a.balance.current)))
    const cards = of('CREDIT_CARD')
    expect(insights.credit_cards_metrics.num_accounts).toBe(cards.length)
    if (cards.length > 0) {
      const limit = sum(cards.map((a) => a.credit_data.credit_limit))
      const used = sum(cards.map((a) => Math.abs(a.balance.current)))
      expect(insights.credit_cards_metrics.sum_credit_limit).toBe(limit)
      expect(insights.credit_cards_metrics.sum_credit_used).toBe(used)
      expect(insights.credit_cards_metrics.credit_card_limit_utilization).toBeCloseTo(used / limit, 4)
    }
    const loans = accounts.filter((a) => ['LOAN_ACCOUNT', 'FINANCING_ACCOUNT'].includes(a.category))
    expect(insights.loans_metrics.num_accounts).toBe(loans.length)
    // Open Finance Brasil's overdrafts (the multi-region shape has none: null).
    const overdrafts = [...checking, ...savings].map((a) => a.overdraft?.arranged).filter((v): v is number => typeof v === 'number')
    expect(insights.loans_metrics.overdraft_limit).toBe(overdrafts.length === 0 ? null : sum(overdrafts))
    // Only what the accounts report is summed (Open Finance Brasil gives no monthly payment): none, null.
    const payments = loans.map((a) => a.loan_data?.monthly_payment).filter((p): p is number => typeof p === 'number')
    expect(insights.loans_metrics.sum_loans_monthly_payment).toBe(payments.length === 0 ? null : sum(payments))
  })

  it("agrees with the link's transactions over the last 12 months", async () => {
    const res = await h.call('POST', '/api/transactions/', { link: link.id, date_from: YEAR_AGO, date_to: TODAY, save_data: false })
    expect(res.status).toBe(200)
    const txs = res.body as Json[]
    const inflows = txs.filter((t) => t.type === 'INFLOW')
    const outflows = txs.filter((t) => t.type === 'OUTFLOW')
    const metrics = insights.transactions_metrics
    expect(metrics.num_transactions_12m).toBe(txs.length)
    expect(metrics.num_incoming_transactions_12m).toBe(inflows.length)
    expect(metrics.sum_incoming_amount_12m).toBe(sum(inflows.map((t) => t.amount)))
    expect(metrics.sum_outgoing_amount_12m).toBe(sum(outflows.map((t) => t.amount)))
    expect(metrics.max_outgoing_amount_12m).toBe(Math.max(...outflows.map((t) => t.amount)))
    // The cash flow leaves the transfers between the link's own accounts out: never more than all flows.
    expect(insights.cashflow_metrics.sum_positive_12m ?? 0).toBeLessThanOrEqual(metrics.sum_incoming_amount_12m)
  })

  it('reports the categories the categorizer found in the last 3 months, none of them Unknown', () => {
    expect(insights.category_metrics.length).toBeGreaterThan(0)
    for (const metric of insights.category_metrics) {
      expect(metric.category).not.toBe('Unknown')
      expect(typeof metric.net_amount_3m).toBe('number')
    }
    const keys = insights.category_metrics.map((m: Json) => `${m.category}/${m.subcategory}`)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it.runIf(shape === 'multiregion')("agrees with the institution's own daily balances of the last month", async () => {
    // The legacy /api/balances/ gives each account's end-of-day balance: sum checking and savings per day.
    const assets = new Set(accounts.filter((a) => ['CHECKING_ACCOUNT', 'SAVINGS_ACCOUNT'].includes(a.category)).map((a) => a.id))
    const res = await h.call('POST', '/api/balances/', { link: link.id, date_from: '2026-02-08', date_to: TODAY, save_data: false })
    expect(res.status).toBe(200)
    const byDay = new Map<string, number>()
    for (const b of res.body as Json[]) if (assets.has(b.account.id)) byDay.set(b.value_date, (byDay.get(b.value_date) ?? 0) + Math.round(b.balance * 100))
    const days = [...byDay.values()]
    expect(days).toHaveLength(31)
    const metrics = insights.balances_metrics
    expect(metrics.min_balance_1m).toBe(Math.min(...days) / 100)
    expect(metrics.max_balance_1m).toBe(Math.max(...days) / 100)
    expect(metrics.mean_balance_1m).toBeCloseTo(days.reduce((a, b) => a + b, 0) / days.length / 100, 2)
  })

  it('is the same for the same link on the same day, and a second retrieval updates it in place', async () => {
    const again = await h.call('POST', '/api/risk-insights/', { link: link.id, save_data: false })
    expect(again.status).toBe(200)
    const strip = ({ collected_at: _c, created_at: _d, ...rest }: Json) => rest
    expect(strip(again.body)).toEqual(strip(insights))
    const stored = await h.call('POST', '/api/risk-insights/', { link: link.id })
    expect(stored.status).toBe(201)
    expect(stored.body.id).toBe(insights.id)
    expect((await h.call('GET', `/api/risk-insights/?link=${link.id}`)).body.count).toBe(1)
  })

  it('lists by link, account and id; details; deletes', async () => {
    const account = insights.accounts[0]
    for (const query of [`link=${link.id}`, `account=${account}`, `account__in=${account},00000000-0000-4000-8000-000000000000`, `id=${insights.id}`]) {
      const list = await h.call('GET', `/api/risk-insights/?${query}`)
      expect(list.status, query).toBe(200)
      expect(
        list.body.results.map((r: Json) => r.id),
        query,
      ).toEqual([insights.id])
    }
    expect((await h.call('GET', '/api/risk-insights/?account=00000000-0000-4000-8000-000000000000')).body.count).toBe(0)
    const detail = await h.call('GET', `/api/risk-insights/${insights.id}/`)
    expect(detail.status).toBe(200)
    expect(detail.body.id ?? detail.body[0]?.id).toBe(insights.id)
    expect((await h.call('DELETE', `/api/risk-insights/${insights.id}/`)).status).toBe(204)
    expect((await h.call('GET', `/api/risk-insights/${insights.id}/`)).status).toBe(404)
  })
})

describe('risk insights: bad input stores nothing', () => {
  let h: Harness
  let link: Json
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
    link = await createLink(h, { institution: 'erebor_mx_retail' })
  })
  afterAll(async () => h.close())

  const count = async () => (await h.call('GET', '/api/risk-insights/')).body.count

  it.each([
    ['no link', {}, 'link'],
    ['a link that is no id', { link: 'not-a-uuid' }, 'link'],
    ['save_data null', { save_data: null }, 'save_data'],
    ['save_data not a boolean', { save_data: 'yes' }, 'save_data'],
  ])('%s answers 400 on %s', async (_case, body, field) => {
    const res = await h.call('POST', '/api/risk-insights/', field === 'link' ? body : { link: link.id, ...body })
    expectError(res, 400, undefined, field)
    expect(await count()).toBe(0)
  })

  it('an unknown link is a 400 does_not_exist on link', async () => {
    expectError(await h.call('POST', '/api/risk-insights/', { link: '00000000-0000-4000-8000-000000000000' }), 400, 'does_not_exist', 'link')
    expect(await count()).toBe(0)
  })
})

describe('risk insights at an MFA bank (heimdall)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
  })
  afterAll(async () => h.close())

  it('asks for a token (428) and resumes with PATCH', async () => {
    const link = await createLink(h, { institution: 'heimdall_mx_retail' })
    const asked = expectError(await h.call('POST', '/api/risk-insights/', { link: link.id }), 428, 'token_required')
    const resumed = await h.call('PATCH', '/api/risk-insights/', { session: asked.session, link: link.id, token: '111111' })
    expect(resumed.status, JSON.stringify(resumed.body).slice(0, 300)).toBe(201)
    const item = Array.isArray(resumed.body) ? resumed.body[0] : resumed.body
    expectItems(SPEC.items, 'multiregion', [item])
    expect(item.link).toBe(link.id)
  })
})

describe('the official SDK against Ponte: riskInsights', () => {
  let h: Harness
  let client: BelvoClient
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
    client = await connectedClient(h)
  })
  afterAll(async () => h.close())

  it('retrieves, lists, details and deletes risk insights', async () => {
    const link = await createLink(h, { institution: 'erebor_mx_retail' })
    const risk = client.riskInsights as BelvoClient['accounts']
    const unsaved = await risk.retrieve(link.id, { saveData: false })
    expect(unsaved.link).toBe(link.id)
    const stored = await risk.retrieve(link.id)
    expect(stored.balances_metrics.closing_balance).toBe(unsaved.balances_metrics.closing_balance)
    const listed = await risk.list({ filters: { link: link.id } })
    expect(listed.map((r: Json) => r.id)).toEqual([stored.id])
    const detail = await risk.detail(stored.id)
    expect(Array.isArray(detail) ? detail[0].id : detail.id).toBe(stored.id)
    await risk.delete(stored.id)
    expect(await risk.list({ filters: { link: link.id } })).toEqual([])
  })
})

describe('risk insights in historical updates and their webhooks', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
    await h.receiveWebhooks('Bearer risk-test')
    await h.startWorker()
  })
  afterAll(async () => h.close())

  it('computes and stores them when fetch_resources names RISK_INSIGHTS, with their webhook', async () => {
    const { link, events } = await historicalUpdate(h, {
      institution: 'erebor_mx_retail',
      username: 'bnk100',
      password: 'full',
      fetch_resources: ['ACCOUNTS', 'TRANSACTIONS', 'RISK_INSIGHTS'],
    })
    expect(events['RISK_INSIGHTS historical_update']).toEqual({ total_risk_insights: 1 })
    const list = (await h.call('GET', `/api/risk-insights/?link=${link.id}`)).body
    expect(list.count).toBe(1)
    expectItems(SPEC.items, 'multiregion', list.results)
  })
})
