import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { applyRetention, runScheduler } from '../../src/domain/sync.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import type { Receiver } from '../helpers/receiver.ts'

type Json = Record<string, any>

/** A harness with its worker running and a webhook receiver subscribed to everything. */
async function startBackground(): Promise<{ h: Harness; receiver: Receiver }> {
  const h = await createHarness()
  h.clock.set('2026-03-10T15:00:00Z')
  const receiver = await h.receiveWebhooks('Bearer test-receiver-token')
  await h.startWorker()
  return { h, receiver }
}

describe('background work: historical updates, async requests, refreshes, retention', () => {
  let h: Harness
  let receiver: Receiver
  beforeAll(async () => {
    ;({ h, receiver } = await startBackground())
  })
  afterAll(async () => h.close())

  const call: Harness['call'] = (...args) => h.call(...args)
  const forLink = (linkId: string) => receiver.received.map((r) => r.body).filter((b) => b.link_id === linkId)

  it('fetches fetch_resources after link creation and sends one historical_update per resource', async () => {
    const link = (
      await call('POST', '/api/links/', {
        institution: 'erebor_mx_retail',
        username: 'bnk100',
        password: 'full',
        external_id: 'history-1',
        fetch_resources: ['ACCOUNTS', 'TRANSACTIONS', 'OWNERS', 'BALANCES'],
      })
    ).body
    await receiver.waitFor(() => forLink(link.id).length >= 4)
    const hooks = forLink(link.id)
    expect(hooks.map((b) => b.webhook_type).sort()).toEqual(['ACCOUNTS', 'BALANCES', 'OWNERS', 'TRANSACTIONS'])
    for (const hook of hooks) {
      expect(Object.keys(hook).sort()).toEqual(['data', 'external_id', 'link_id', 'process_type', 'request_id', 'webhook_code', 'webhook_id', 'webhook_type'])
      expect(hook).toMatchObject({ webhook_code: 'historical_update', process_type: 'historical_update', external_id: 'history-1' })
      expect(hook.webhook_id).toMatch(/^[a-f0-9]{32}$/)
    }
    // One request id for the whole update.
    expect(new Set(hooks.map((b) => b.request_id)).size).toBe(1)
    const accounts = (await call('GET', `/api/accounts/?link=${link.id}`)).body
    expect(hooks.find((b) => b.webhook_type === 'ACCOUNTS')!.data).toEqual({ total_accounts: accounts.count })
    const transactions = (await call('GET', `/api/transactions/?link=${link.id}&page_size=1000`)).body
    const tx = hooks.find((b) => b.webhook_type === 'TRANSACTIONS')!.data
    expect(tx.total_transactions).toBe(transactions.count)
    expect(tx.total_inflow_transactions + tx.total_outflow_transactions).toBe(tx.total_transactions)
    expect(tx.total_inflow_transactions).toBe(transactions.results.filter((t: Json) => t.type === 'INFLOW').length)
    expect(tx.last_transaction_date).toBe(transactions.results[0].value_date)
    expect(tx.first_transaction_date >= '2025-03-10').toBe(true)
    expect(receiver.received.find((r) => r.body.link_id === link.id)!.headers.authorization).toBe('Bearer test-receiver-token')
  })

  it("stores exchanges' history in a background historical update too", async () => {
    const link = (await call('POST', '/api/links/', { institution: 'erebor_br_retail', username: 'bnk100', password: 'full', fetch_resources: ['EXCHANGES'] }))
      .body
    await receiver.waitFor(() => forLink(link.id).some((b) => b.webhook_type === 'EXCHANGES'))
    const exchanges = (await call('GET', `/api/br/exchanges/?link=${link.id}`)).body.results as Json[]
    expect(exchanges.length).toBeGreaterThan(0)
    const stored = await h.db.query<{ parent_id: string }>("SELECT parent_id FROM records WHERE link_id = $1 AND resource = 'EXCHANGE_HISTORY'", [link.id])
    expect(stored.length).toBeGreaterThan(0)
    let listed = 0
    for (const e of exchanges) listed += (await call('GET', `/api/br/exchanges/${e.id}/history/`)).body.count
    expect(listed).toBe(stored.length)
    for (const row of stored) expect(exchanges.map((e) => e.id)).toContain(row.parent_id)
  })

  it('completes MFA links in the background with the token given at creation', async () => {
    const link = (
      await call('POST', '/api/links/', {
        institution: 'heimdall_mx_retail',
        username: 'mfa_default',
        password: 'pass_valid',
        token: '111111',
        fetch_resources: ['ACCOUNTS'],
      })
    ).body
    expect(link.status).toBe('valid')
    const [hook] = (await receiver.waitFor(() => forLink(link.id).length >= 1)).filter((r) => r.body.link_id === link.id)
    expect(hook.body).toMatchObject({ webhook_type: 'ACCOUNTS', webhook_code: 'historical_update' })
    expect(hook.body.data.total_accounts).toBeGreaterThan(0)
  })

  it('answers X-Belvo-Request-Mode: async with 202 and a webhook carrying its request_id', async () => {
    const link = (await call('POST', '/api/links/', { institution: 'gringotts_mx_retail', username: 'bnk102', password: 'low', fetch_resources: ['ACCOUNTS'] }))
      .body
    await receiver.waitFor(() => forLink(link.id).length >= 1)
    const accepted = await call(
      'POST',
      '/api/transactions/',
      { link: link.id, date_from: '2026-01-01', date_to: '2026-03-01' },
      { headers: { 'x-belvo-request-mode': 'async' } },
    )
    expect(accepted.status).toBe(202)
    expect(accepted.body.request_id).toMatch(/^[a-f0-9]{32}$/)
    const hooks = await receiver.waitFor((all) => all.some((r) => r.body.request_id === accepted.body.request_id))
    const hook = hooks.find((r) => r.body.request_id === accepted.body.request_id)!.body
    expect(hook).toMatchObject({ webhook_type: 'TRANSACTIONS', link_id: link.id })
    expect(hook.data.total_transactions).toBe((await call('GET', `/api/transactions/?link=${link.id}`)).body.count)
    expect(hook.data.total_inflow_transactions + hook.data.total_outflow_transactions).toBe(hook.data.total_transactions)
    // Validation still answers at once.
    const bad = await call(
      'POST',
      '/api/transactions/',
      { link: link.id, date_from: '2026-03-01', date_to: '2026-01-01' },
      { headers: { 'x-belvo-request-mode': 'async' } },
    )
    expect(bad.status).toBe(400)

    const deletion = await call('DELETE', `/api/links/${link.id}/`, undefined, { headers: { 'x-belvo-request-mode': 'async' } })
    expect(deletion.status).toBe(202)
    await receiver.waitFor((all) => all.some((r) => r.body.request_id === deletion.body.request_id))
    expect(receiver.received.find((r) => r.body.request_id === deletion.body.request_id)!.body).toMatchObject({
      webhook_type: 'LINK',
      webhook_code: 'link_deleted',
      link_id: link.id,
    })
    expect((await call('GET', `/api/links/${link.id}/`)).status).toBe(404)
  })

  it("describes in an async request's webhook what that request retrieved, not the whole link", async () => {
    const link = (
      await call('POST', '/api/links/', {
        institution: 'erebor_mx_retail',
        username: 'bnk100',
        password: 'full',
        fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'],
      })
    ).body
    await receiver.waitFor(() => forLink(link.id).length >= 2)
    const year = forLink(link.id).find((b) => b.webhook_type === 'TRANSACTIONS')!.data
    const accepted = await call(
      'POST',
      '/api/transactions/',
      { link: link.id, date_from: '2026-01-01', date_to: '2026-02-28' },
      { headers: { 'x-belvo-request-mode': 'async' } },
    )
    expect(accepted.status).toBe(202)
    const hook = (await receiver.waitFor((all) => all.some((r) => r.body.request_id === accepted.body.request_id))).find(
      (r) => r.body.request_id === accepted.body.request_id,
    )!.body
    const [period] = await h.db.query<{ n: string; inflow: string; outflow: string; first: string; last: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE type = 'INFLOW') AS inflow, count(*) FILTER (WHERE type = 'OUTFLOW') AS outflow,
         min(value_date)::text AS first, max(value_date)::text AS last
       FROM transactions WHERE link_id = $1 AND value_date BETWEEN '2026-01-01' AND '2026-02-28'`,
      [link.id],
    )
    expect(Number(period.n)).toBeGreaterThan(0)
    expect(Number(period.n)).toBeLessThan(year.total_transactions)
    expect(hook).toMatchObject({ webhook_type: 'TRANSACTIONS', webhook_code: 'historical_update', link_id: link.id })
    expect(hook.data).toEqual({
      total_transactions: Number(period.n),
      total_inflow_transactions: Number(period.inflow),
      total_outflow_transactions: Number(period.outflow),
      first_transaction_date: period.first.slice(0, 10),
      last_transaction_date: period.last.slice(0, 10),
    })
    expect(hook.data.first_transaction_date >= '2026-01-01' && hook.data.last_transaction_date <= '2026-02-28').toBe(true)
  })

  it('refreshes on demand, at most once every 10 minutes', async () => {
    const link = (
      await call('POST', '/api/links/', { institution: 'erebor_co_retail', username: 'bnk102', password: 'low', fetch_resources: ['ACCOUNTS', 'OWNERS'] })
    ).body
    await receiver.waitFor(() => forLink(link.id).length >= 2)
    const refresh = await call('POST', `/api/links/${link.id}/refresh/`, {})
    expect(refresh.status).toBe(202)
    const again = await call('POST', `/api/links/${link.id}/refresh/`, {})
    expect(again.status).toBe(409)
    expect(again.body[0]).toMatchObject({ code: 'link_refreshed', message: 'The link has already been refreshed. Please wait 10 minutes before trying again.' })
    await receiver.waitFor((all) => all.filter((r) => r.body.request_id === refresh.body.request_id).length >= 2)
    h.clock.advance(11 * 60_000)
    const later = await call('POST', `/api/links/${link.id}/refresh/`, { fetch_resources: ['OWNERS'] })
    expect(later.status).toBe(202)
    await receiver.waitFor((all) => all.some((r) => r.body.request_id === later.body.request_id))
    expect(receiver.received.filter((r) => r.body.request_id === later.body.request_id).map((r) => r.body.webhook_type)).toEqual(['OWNERS'])
    expect((await call('POST', `/api/links/${link.id}/refresh/`, { fetch_resources: ['INVOICES'] })).body[0]).toMatchObject({
      code: 'invalid',
      field: 'resources',
    })
  })

  it('purges stale data and forgets expired credentials', async () => {
    const link = (
      await call('POST', '/api/links/', {
        institution: 'erebor_mx_retail',
        username: 'bnk102',
        password: 'low',
        access_mode: 'single',
        credentials_storage: '1d',
        stale_in: '2d',
        fetch_resources: ['ACCOUNTS'],
      })
    ).body
    await receiver.waitFor(() => forLink(link.id).length >= 1)
    expect((await call('GET', `/api/accounts/?link=${link.id}`)).body.count).toBeGreaterThan(0)
    h.clock.advance(1.5 * 86_400_000)
    expect((await applyRetention(h.app.deps.domain, h.clock.now())).forgotten).toBeGreaterThanOrEqual(1)
    expect((await call('POST', '/api/accounts/', { link: link.id })).body[0]).toMatchObject({
      code: 'login_error',
      message: 'Missing credentials to login to the institution',
    })
    expect((await call('GET', `/api/accounts/?link=${link.id}`)).body.count).toBeGreaterThan(0)
    h.clock.advance(1 * 86_400_000)
    // The scheduler enqueues retention as a job; the worker runs it.
    await runScheduler(h.app.deps.domain)
    const end = Date.now() + 20_000
    while ((await call('GET', `/api/accounts/?link=${link.id}`)).body.count > 0) {
      if (Date.now() > end) throw new Error('retention job did not purge the stale data')
      await new Promise((r) => setTimeout(r, 100))
    }
    expect((await call('GET', `/api/links/${link.id}/`)).status).toBe(200)
  })
})

// A harness of its own: the tests above move the clock on without refreshing this link, which
// would add days of transactions to the refreshes these tests count.
describe('recurrent updates, reproducible on demand', () => {
  let h: Harness
  let receiver: Receiver
  let link: Json
  beforeAll(async () => {
    ;({ h, receiver } = await startBackground())
    link = (
      await call('POST', '/api/links/', {
        institution: 'gringotts_mx_retail',
        username: 'bnk100',
        password: 'full',
        fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'],
      })
    ).body
    await receiver.waitFor(() => forLink(link.id).length >= 2)
  })
  afterAll(async () => h.close())

  const call: Harness['call'] = (...args) => h.call(...args)
  const forLink = (linkId: string) => receiver.received.map((r) => r.body).filter((b) => b.link_id === linkId)
  const simulate = async (event: string) => {
    const res = await call('POST', `/sandbox/links/${link.id}/simulate/`, { event })
    expect(res.status).toBe(202)
    return res.body.request_id as string
  }
  /** The next LINK webhook of this link: a simulated login outcome applies to whichever refresh comes next. */
  const nextLinkHook = async (code: string, after: number) =>
    (await receiver.waitFor((all) => all.slice(after).some((r) => r.body.link_id === link.id && r.body.webhook_code === code)))
      .slice(after)
      .find((r) => r.body.link_id === link.id && r.body.webhook_code === code)!.body
  /**
   * Until no job of the link is queued or running. A refresh still running when a login outcome
   * is simulated may log in after the simulated one and, succeeding, rightly make the link valid again.
   */
  const jobsSettled = async () => {
    const end = Date.now() + 30_000
    while ((await h.db.query(`SELECT 1 FROM pgboss.job WHERE data->>'linkId' = $1 AND state IN ('created', 'retry', 'active')`, [link.id])).length > 0) {
      if (Date.now() > end) throw new Error("the link's jobs did not finish")
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  const hooksOf = async (requestId: string, n: number) =>
    (await receiver.waitFor((all) => all.filter((r) => r.body.request_id === requestId).length >= n))
      .filter((r) => r.body.request_id === requestId)
      .map((r) => r.body)
  // Each test starts from a valid link with no refresh under way, whatever the one before it
  // simulated (a link left token_required is not refreshed).
  beforeEach(async () => {
    await jobsSettled()
    await h.db.query("UPDATE links SET status = 'valid' WHERE id = $1", [link.id])
  })

  it('reports new transactions', async () => {
    const [hook] = await hooksOf(await simulate('new_transactions'), 1)
    expect(hook).toMatchObject({
      webhook_type: 'TRANSACTIONS',
      webhook_code: 'new_transactions_available',
      process_type: 'recurrent_update',
      data: { new_transactions: 3 },
    })
  })

  it('reports updated transactions with their ids', async () => {
    const [hook] = await hooksOf(await simulate('transactions_updated'), 1)
    expect(hook).toMatchObject({ webhook_code: 'transactions_updated' })
    expect(hook.data.transactions).toHaveLength(2)
    for (const id of hook.data.transactions) {
      expect((await call('GET', `/api/transactions/${id}/`)).body.description).not.toContain('sandbox: before update')
    }
  })

  it('reports and removes transactions the bank no longer has', async () => {
    const before = (await call('GET', `/api/transactions/?link=${link.id}`)).body.count
    const [hook] = await hooksOf(await simulate('transactions_deleted'), 1)
    expect(hook).toMatchObject({ webhook_code: 'transactions_deleted' })
    expect(hook.data.transactions).toHaveLength(1)
    expect((await call('GET', `/api/transactions/${hook.data.transactions[0]}/`)).status).toBe(404)
    expect((await call('GET', `/api/transactions/?link=${link.id}`)).body.count).toBe(before)
  })

  it('reports new accounts', async () => {
    const hooks = await hooksOf(await simulate('new_accounts'), 2)
    expect(hooks.find((b) => b.webhook_code === 'new_accounts_available')!.data).toEqual({ new_accounts: 1 })
  })

  it('runs on the schedule: a week later, the new days come as new transactions', async () => {
    h.clock.advance(8 * 86_400_000)
    const { refreshes } = await runScheduler(h.app.deps.domain)
    expect(refreshes).toBeGreaterThanOrEqual(1)
    await receiver.waitFor((all) =>
      all.some(
        (r) =>
          r.body.link_id === link.id &&
          r.body.process_type === 'recurrent_update' &&
          r.body.webhook_code === 'new_transactions_available' &&
          r.body.data.new_transactions > 3,
      ),
    )
    // Claimed: a second pass right away enqueues nothing for it.
    expect((await runScheduler(h.app.deps.domain)).refreshes).toBe(0)
  })

  it('turns the link token_required when the bank asks for a token', async () => {
    const mark = receiver.received.length
    await simulate('token_required')
    const hook = await nextLinkHook('token_required', mark)
    expect(hook).toMatchObject({ webhook_type: 'LINK', webhook_code: 'token_required', data: { error_code: 'token_required', status: 428 } })
    expect((await call('GET', `/api/links/${link.id}/`)).body.status).toBe('token_required')
  })

  it('turns a link invalid when its password changed, until PUT fixes it', async () => {
    const mark = receiver.received.length
    await simulate('invalid_credentials')
    const hook = await nextLinkHook('invalid_credentials', mark)
    expect(hook).toMatchObject({ webhook_type: 'LINK', webhook_code: 'invalid_credentials', data: { error_code: 'login_error', status: 400 } })
    expect((await call('GET', `/api/links/${link.id}/`)).body.status).toBe('invalid')
    expect((await call('PUT', `/api/links/${link.id}/`, { password: 'full' })).body.status).toBe('valid')
  })
})
