import { generateCnpj, generateCpf } from '@brazilian-utils/brazilian-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCommand, runCommand } from '../../src/commands.ts'
import { createSecretKey } from '../../src/domain/keys.ts'
import { advanceClock } from '../../src/domain/sandbox-clock.ts'
import { runScheduler } from '../../src/domain/sync.ts'
import { basic, createHarness, type Harness } from '../helpers/harness.ts'
import type { Receiver } from '../helpers/receiver.ts'

type Json = Record<string, any>

const RETAIL = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001'

/** /sandbox/clock/ (issue 18): an organization's own time, pinned, advanced, reset. */
describe('sandbox clock', () => {
  let h: Harness
  let receiver: Receiver
  /** A fresh organization of its own, so that no test moves another's time. */
  const organization = async (name: string) => {
    const key = await createSecretKey(h.db, { newOrganization: name, name })
    return { key, auth: basic(key) }
  }

  beforeAll(async () => {
    h = await createHarness()
    receiver = await h.receiveWebhooks('Bearer clock')
    await h.startWorker()
  })
  afterAll(async () => h?.close())

  it('pins, reads and resets an organization time, refuses bad bodies, and runs MFA sessions and widget tokens on it; others keep the server clock', async () => {
    const { key, auth } = await organization('pinned')
    const as = (method: string, url: string, body?: unknown) => h.call(method, url, body, { auth })
    const server = h.clock.now().toISOString()
    expect((await as('GET', '/sandbox/clock/')).body).toEqual({ now: server, pinned: false })

    for (const [body, field] of [
      [{}, 'now'],
      [{ now: 'yesterday' }, 'now'],
      [{ now: '2020-01-01T00:00:00Z' }, 'now'],
      [{ now: '2028-01-01T00:00:00Z' }, 'now'],
    ] as const) {
      const res = await as('PUT', '/sandbox/clock/', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body[0]).toMatchObject({ field, request_id: expect.any(String), code: expect.any(String) })
    }
    for (const body of [{}, { by: 'P1M' }, { by: 'P400D' }, { by: 'PT0S' }, { by: 'PT' }, { by: 86400 }]) {
      const res = await as('POST', '/sandbox/clock/advance/', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body[0].field).toBe('by')
    }
    expect((await as('GET', '/sandbox/clock/')).body.pinned).toBe(false)

    const pinned = await as('PUT', '/sandbox/clock/', { now: '2026-02-01T00:00:00Z' })
    expect(pinned.status).toBe(200)
    expect(pinned.body).toMatchObject({ now: '2026-02-01T00:00:00.000Z', pinned: true, ran: { refreshes: 0 } })
    expect((await as('GET', '/sandbox/clock/')).body).toEqual({ now: '2026-02-01T00:00:00.000Z', pinned: true })
    expect((await h.call('GET', '/sandbox/clock/', undefined, { auth: h.otherAuth })).body).toEqual({ now: server, pinned: false })
    // Requests see it: what they store carries the organization's time.
    const link = await as('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' })
    expect(link.body.created_at).toBe('2026-02-01T00:00:00.000Z')

    // An MFA session lasts 10 minutes of the organization's time, whatever the server's does.
    const mfa = { institution: 'heimdall_br_retail', username: 'mfa_numeric', password: 'numeric_code' }
    const first = (await as('POST', '/api/links/', mfa)).body[0]
    h.clock.advance(3_600_000)
    const resumed = await as('PATCH', '/api/links/', { session: first.session, token: '111111', link: first.link })
    expect(resumed.status).toBe(200)
    const second = (await as('POST', '/api/links/', mfa)).body[0]
    // The widget's access token (10 minutes) too, checked by the widget API on the organization's time.
    const widget = await as('POST', '/api/token/', { id: key.id, password: key.password, scopes: 'read_institutions,write_links' })
    const session = () => h.call('GET', '/widget/api/session', undefined, { auth: `Bearer ${widget.body.access}` })
    expect((await session()).status).toBe(200)
    expect((await as('POST', '/sandbox/clock/advance/', { by: 'PT11M' })).body.now).toBe('2026-02-01T00:11:00.000Z')
    const late = await as('PATCH', '/api/links/', { session: second.session, token: '111111', link: second.link })
    expect(late.body[0]).toMatchObject({ code: 'session_expired' })
    expect((await session()).status).toBe(401)
    // Its refresh token (an hour) too, on the refresh route that carries it in the body.
    const refresh = () => h.call('POST', '/widget/api/session/refresh', { refresh: widget.body.refresh }, { auth: null })
    // (An hour on, retention, run by the advance, has deleted the issuance as well.)
    expect((await as('POST', '/sandbox/clock/advance/', { by: 'PT1H' })).body.ran).toMatchObject({ widget_tokens_expired: 1 })
    expect((await refresh()).status).toBe(401)

    const reset = await as('DELETE', '/sandbox/clock/')
    expect(reset.body).toEqual({ now: h.clock.now().toISOString(), pinned: false })
    expect((await as('GET', '/sandbox/clock/')).body.pinned).toBe(false)
  })

  it('advances a week in order: the recurrent refresh (7d) with its new transactions and webhook, the scheduled payment on its date; the scheduler skips the organization', async () => {
    const start = '2026-03-10T12:00:00.000Z'
    expect((await h.call('PUT', '/sandbox/clock/', { now: start })).status).toBe(200)
    const link = (
      await h.call('POST', '/api/links/', {
        institution: 'erebor_mx_retail',
        username: 'bnk100',
        password: 'full',
        access_mode: 'recurrent',
        fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'],
      })
    ).body
    expect(link).toMatchObject({ status: 'valid', created_at: start, refresh_rate: '7d' })
    // Its historical update ran in the background, on the organization's time.
    await receiver.waitFor((all) =>
      all.some((r) => r.body.link_id === link.id && r.body.webhook_code === 'historical_update' && r.body.webhook_type === 'TRANSACTIONS'),
    )
    const transactions = async () => (await h.call('GET', `/api/transactions/?link=${link.id}&page_size=1`)).body.count as number
    const before = await transactions()

    // A payment scheduled for the organization's tomorrow.
    const account = await h.call('POST', '/payments/br/bank-accounts/', {
      institution: RETAIL,
      holder: { type: 'BUSINESS', information: { name: 'Loja Exemplo Ltda', identifier_type: 'CNPJ', identifier: generateCnpj() } },
      details: { account_type: 'CHECKINGS', agency: '0001', number: '123456' },
    })
    const customer = await h.call('POST', '/payments/br/customers/', { identifier: generateCpf(), name: 'Maria da Silva', email: 'maria@example.com' })
    const intent = await h.call('POST', '/payments/br/payment-intents/', {
      amount: '45.00',
      customer: customer.body.id,
      description: 'Pedido 1234',
      allowed_payment_method_types: ['open_finance'],
      payment_method_details: {
        open_finance: {
          beneficiary_bank_account: account.body.id,
          payer_institution: RETAIL,
          callback_url: 'https://merchant.example/callback',
          schedule: { single: { date: '2026-03-11' } },
        },
      },
      confirm: true,
    })
    expect(intent.status, JSON.stringify(intent.body)).toBe(201)
    expect((await h.call('POST', `/payments/br/payment-intents/${intent.body.id}/authorize/`)).status).toBeLessThan(300)

    // The server's clock passes both dates: the scheduler leaves the pinned organization alone.
    h.clock.set('2026-03-20T00:00:00Z')
    await runScheduler(h.app.deps.domain)
    expect((await h.call('GET', `/payments/br/payment-intents/${intent.body.id}/`)).body.status).toBe('PROCESSING')
    expect(await transactions()).toBe(before)

    const advanced = await h.call('POST', '/sandbox/clock/advance/', { by: 'P7D' })
    expect(advanced.status).toBe(200)
    expect(advanced.body).toMatchObject({ now: '2026-03-17T12:00:00.000Z', pinned: true, ran: { refreshes: 1, payment_settlements: 1 } })
    // The start, seven midnights (the payment settles at the first), the refresh due at the target.
    expect(advanced.body.ran.steps).toBe(9)
    expect(await transactions()).toBeGreaterThan(before)
    const settled = (await h.call('GET', `/payments/br/payment-intents/${intent.body.id}/`)).body
    expect(settled).toMatchObject({ status: 'SUCCEEDED' })
    expect(settled.charges[0].transactions[0].created_at.startsWith('2026-03-11T00:00:00')).toBe(true)
    await receiver.waitFor((all) =>
      all.some((r) => r.body.link_id === link.id && r.body.process_type === 'recurrent_update' && r.body.webhook_code === 'new_transactions_available'),
    )
    expect((await h.call('GET', `/api/links/${link.id}/`)).body.last_accessed_at).toBe('2026-03-17T12:00:00.000Z')
    expect((await h.call('DELETE', '/sandbox/clock/')).body.pinned).toBe(false)
  })

  it("the scheduler leaves a pinned organization alone, and only it: another organization's due refresh still runs", async () => {
    const pinned = await organization('pinned alone')
    const free = await organization('server clock')
    const recurrent = { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'recurrent', fetch_resources: ['ACCOUNTS'] }
    expect((await h.call('PUT', '/sandbox/clock/', { now: h.clock.now().toISOString() }, { auth: pinned.auth })).status).toBe(200)
    const ids: string[] = []
    for (const { auth } of [pinned, free]) ids.push((await h.call('POST', '/api/links/', recurrent, { auth })).body.id)
    const nextRefresh = async (id: string) =>
      new Date((await h.db.query<{ at: Date | string }>('SELECT next_refresh_at AS at FROM links WHERE id = $1', [id]))[0]!.at).toISOString()
    const [pinnedDue, freeDue] = [await nextRefresh(ids[0]!), await nextRefresh(ids[1]!)]
    // Both links are due on the server's clock; the worker's own scheduler may run first: only the outcome counts.
    h.clock.advance(8 * 86_400_000)
    await runScheduler(h.app.deps.domain)
    expect(await nextRefresh(ids[0]!)).toBe(pinnedDue)
    expect((await nextRefresh(ids[1]!)) > freeDue).toBe(true)
    expect((await h.call('DELETE', '/sandbox/clock/', undefined, { auth: pinned.auth })).body.pinned).toBe(false)
  })

  it('runs two advances of one organization at once one after the other: both count, and each due refresh runs once', async () => {
    const { key, auth } = await organization('two at once')
    const start = h.clock.now().getTime()
    const at = (days: number) => new Date(start + days * 86_400_000).toISOString()
    expect((await h.call('PUT', '/sandbox/clock/', { now: at(0) }, { auth })).status).toBe(200)
    const recurrent = { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'recurrent', fetch_resources: ['ACCOUNTS'] }
    expect((await h.call('POST', '/api/links/', recurrent, { auth })).body.refresh_rate).toBe('7d')
    // Whichever goes first: a week each, and the refresh due at the end of each week runs once.
    const advance = () => h.call('POST', '/sandbox/clock/advance/', { by: 'P7D' }, { auth })
    const answers = (await Promise.all([advance(), advance()])).map((a) => a.body)
    expect(answers.map((a) => a.now).sort()).toEqual([at(7), at(14)])
    expect(answers.map((a) => a.ran.refreshes)).toEqual([1, 1])
    // In-process requests on PGlite hardly interleave; two calls of the same moves (as the CLI's) from one tick do.
    const moved = await Promise.all([advanceClock(h.app.deps.domain, key.organizationId, 'P7D'), advanceClock(h.app.deps.domain, key.organizationId, 'P7D')])
    expect(moved.map((m) => m.now).sort()).toEqual([at(21), at(28)])
    expect(moved.map((m) => m.ran.refreshes)).toEqual([1, 1])
    expect((await h.call('GET', '/sandbox/clock/', undefined, { auth })).body).toEqual({ now: at(28), pinned: true })
    expect((await h.call('DELETE', '/sandbox/clock/', undefined, { auth })).body.pinned).toBe(false)
  })

  it('lists the links made at one pinned instant newest first, in the order they were made', async () => {
    const { auth } = await organization('pinned list')
    const instant = h.clock.now().toISOString()
    expect((await h.call('PUT', '/sandbox/clock/', { now: instant }, { auth })).status).toBe(200)
    const made: string[] = []
    for (let i = 0; i < 6; i++) {
      const link = await h.call(
        'POST',
        '/api/links/',
        { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' },
        { auth },
      )
      expect(link.status, JSON.stringify(link.body)).toBe(201)
      expect(link.body.created_at).toBe(instant)
      made.push(link.body.id)
    }
    const listed = await h.call('GET', '/api/links/', undefined, { auth })
    expect(listed.body.results.map((l: Json) => l.id)).toEqual([...made].reverse())
  })

  it("judges the consent bank page's deadline on the organization's time, not the server's", async () => {
    const { key, auth } = await organization('consent page')
    const created = h.clock.now().getTime()
    expect((await h.call('PUT', '/sandbox/clock/', { now: new Date(created).toISOString() }, { auth })).status).toBe(200)
    const widget = {
      openfinance_feature: 'consent_link_creation',
      consent: {
        purpose: 'Testes.',
        terms_and_conditions_url: 'https://example.com/terms',
        permissions: ['REGISTER', 'ACCOUNTS', 'CREDIT_CARDS', 'CREDIT_OPERATIONS'],
        identification_info: [{ type: 'CPF', number: '76109277673', name: 'Ralph Bragg' }],
      },
    }
    const token = await h.call(
      'POST',
      '/api/token/',
      { id: key.id, password: key.password, scopes: 'read_institutions,write_links,read_consents,write_consents', widget },
      { auth },
    )
    expect(token.status, JSON.stringify(token.body)).toBe(200)
    const consent = await h.call('POST', '/widget/api/consents', { institution: 'ofmockbank_br_retail' }, { auth: `Bearer ${token.body.access}` })
    expect(consent.status, JSON.stringify(consent.body)).toBe(201)
    const url = new URL(consent.body.authorization_url)
    const open = async () => (await h.app.inject({ method: 'GET', url: url.pathname + url.search })).statusCode
    // Two hours on for the server: the organization's time is still that of the consent's creation.
    h.clock.advance(2 * 3_600_000)
    expect(await open()).toBe(200)
    // Two hours on for the organization: past its hour to authorise, whatever the server's time.
    expect((await h.call('POST', '/sandbox/clock/advance/', { by: 'PT2H' }, { auth })).status).toBe(200)
    expect(await open()).toBe(410)
    expect((await h.call('DELETE', '/sandbox/clock/', undefined, { auth })).body.pinned).toBe(false)
  })

  it('answers `ponte sandbox clock` for an organization, as the API does', async () => {
    const key = await createSecretKey(h.db, { newOrganization: 'cli', name: 'cli' })
    const domain = h.app.deps.domain
    const ctx = { db: async () => h.db, cipher: async () => domain.cipher, queue: async () => domain.jobs, webhooks: { allowPrivateDestinations: true } }
    const run = async (...argv: string[]) => {
      const out: string[] = []
      const err: string[] = []
      const code = await runCommand(ctx, parseCommand(['sandbox', 'clock', ...argv, '--organization-id', key.organizationId]), {
        out: (text) => out.push(text),
        err: (text) => err.push(text),
      })
      return { code, out: out.join('\n'), err: err.join('\n') }
    }
    expect(JSON.parse((await run('get', '--json')).out)).toMatchObject({ pinned: false })
    const advanced = await run('advance', 'PT1H')
    expect(advanced.code).toBe(0)
    expect(advanced.out).toMatch(/^now: {4}\S+Z \(pinned\)/)
    const pinned = JSON.parse((await run('get', '--json')).out)
    expect(pinned.pinned).toBe(true)
    expect((await h.call('GET', '/sandbox/clock/', undefined, { auth: basic(key) })).body).toEqual(pinned)
    expect(await run('set', '2020-01-01T00:00:00Z')).toMatchObject({ code: 1, err: expect.stringMatching(/^now: /) })
    expect((await run('advance', 'P1M')).code).toBe(1)
    expect((await run('rewind')).code).toBe(2)
    expect(JSON.parse((await run('reset', '--json')).out)).toMatchObject({ pinned: false })
  })
})
