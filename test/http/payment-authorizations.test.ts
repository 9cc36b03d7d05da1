import { generateCnpj, generateCpf } from '@brazilian-utils/brazilian-utils'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { settleDueAuthorizationCharges } from '../../src/domain/payments/authorizations.ts'
import { paymentsLedger } from '../../src/domain/payments/intents.ts'
import { END_TO_END_ID } from '../../src/domain/payments/network.ts'
import { runScheduler } from '../../src/domain/sync.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { expectSpec } from '../helpers/spec.ts'

type Json = Record<string, any>

/** The sandbox catalog's ids (migration 0014). */
const RETAIL = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001'
const BASE = '/payments/br/payment-authorizations'
const V2 = { 'x-belvo-api-resource-version': 'Payments-BR.V2' }

describe('Payment authorizations (Payments-BR.V2)', () => {
  let h: Harness
  let org: string
  let account: Json

  /** Every call sends the V2 header unless told otherwise. */
  const call = (method: string, url: string, payload?: unknown, options: { headers?: Record<string, string>; auth?: string } = {}) =>
    h.call(method, url, payload, { ...options, headers: { ...V2, ...options.headers } })
  const day = (days: number) => new Date(h.clock.now().getTime() + days * 86_400_000).toISOString().slice(0, 10)

  function body(amount: number | string, extra: Json = {}, configuration: Json = {}): Json {
    return {
      payment_method: 'PIX_OF_IMMEDIATE',
      description: 'Assinatura Premium',
      return_url: 'https://merchant.example/return',
      payer: { customer: { identifier: generateCpf(), name: 'Maria da Silva' }, institution: RETAIL },
      beneficiary: { type: 'BANK_ACCOUNT', target: account.id },
      payment_method_configuration: { amount, statement_description: 'Loja Exemplo', ...configuration },
      ...extra,
    }
  }

  async function create(amount: number | string, extra: Json = {}, configuration: Json = {}): Promise<Json> {
    const res = await call('POST', `${BASE}/`, body(amount, extra, configuration))
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expectSpec('current', 'PaymentAuthorization', res.body)
    return res.body
  }

  async function authorize(id: string): Promise<Json> {
    const res = await call('POST', `${BASE}/${id}/authorize/`)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expectSpec('current', 'PaymentAuthorization', res.body)
    return res.body
  }

  async function charges(id: string): Promise<Json[]> {
    const res = await call('GET', `${BASE}/${id}/charges/`)
    expect(res.status).toBe(200)
    for (const charge of res.body.results) expectSpec('current', 'ChargeV2', charge)
    return res.body.results
  }

  const scheduler = async () => (await runScheduler(h.app.deps.domain)).authorizationCharges
  const chain = async (id: string) => (await paymentsLedger(h.db, { organizationId: org }, id)).map((e) => [e.from_status, e.to_status])
  async function eventsAbout(ids: string[]): Promise<string[]> {
    const rows = await h.db.query<{ payload: string }>(
      `SELECT payload::text AS payload FROM webhook_events WHERE payload::json->>'object_id' = ANY($1::text[])`,
      [ids],
    )
    return rows.map((r) => JSON.parse(r.payload)).map((p) => `${p.webhook_type}:${p.data.status ?? p.webhook_code}`)
  }

  beforeAll(async () => {
    h = await createHarness()
    org = h.key.organizationId
    const res = await call('POST', '/payments/br/bank-accounts/', {
      holder: { name: 'Loja Exemplo Ltda', identifier: generateCnpj() },
      details: { institution: RETAIL, account_type: 'CHECKINGS', agency: '0001', number: '7654321' },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    account = res.body
  })
  afterAll(async () => h.close())

  it("creates authorizations in Belvo's shape, lists them with Belvo's filters, and refuses bad bodies on their field", async () => {
    const externalId = randomUUID()
    const created = await create(12.5, { external_id: externalId, metadata: { plan: 'premium' } })
    expect(created).toMatchObject({
      status: 'AWAITING_AUTHORIZATION',
      status_reason_code: null,
      authorized_at: null,
      external_id: externalId,
      payment_method: 'PIX_OF_IMMEDIATE',
      payer: { institution: RETAIL },
      beneficiary: { type: 'BANK_ACCOUNT', target: account.id },
      payment_method_configuration: { amount: '12.50', statement_description: 'Loja Exemplo' },
      charges: [],
      metadata: { plan: 'premium' },
    })
    // The sandbox bank's page on this server (test/http/payment-authorization-bank.test.ts drives it).
    expect(created.payment_method_configuration.authorization_url).toMatch(/^http:\/\/[^/]+\/sandbox\/openfinance\/payment-authorizations\/[0-9a-f]{32}\/$/)
    // The payer given by document became a customer; a beneficiary given in full is registered (or reused).
    const inline = await create('30.00', {
      beneficiary: {
        type: 'BANK_ACCOUNT',
        target: { holder: { name: account.holder.name, identifier: account.holder.identifier }, details: { ...account.details } },
      },
    })
    expect(inline.beneficiary.target).toBe(account.id)
    const scheduled = await create('40.00', { payment_method: 'PIX_OF_SCHEDULED' }, { dates: [day(3)] })
    expect(scheduled.payment_method_configuration.dates).toEqual([day(3)])

    const detail = await call('GET', `${BASE}/${created.id}/`)
    expect(detail.body).toEqual(created)
    for (const [query, expected] of [
      [`external_id=${externalId}`, [created.id]],
      [`customer=${created.payer.customer}`, [created.id]],
      [`id__in=${created.id},${scheduled.id}`, [scheduled.id, created.id]],
      ['amount__gte=30&search=Premium', [scheduled.id, inline.id]],
    ] as const) {
      const list = await call('GET', `${BASE}/?${query}`)
      expect(list.status, query).toBe(200)
      list.body.results.forEach((item: Json) => expectSpec('current', 'PaymentAuthorization', item))
      // Same created_at on the sandbox clock: compared as sets.
      expect(list.body.results.map((a: Json) => a.id).sort()).toEqual([...expected].sort())
    }

    const noVersion = await h.call('GET', `${BASE}/${created.id}/`)
    expect(noVersion.status).toBe(400)
    expect(noVersion.body[0]).toMatchObject({ code: 'invalid', field: 'X-Belvo-API-Resource-Version' })
    const v1Customer = (await h.call('POST', '/payments/br/customers/', { identifier: generateCpf(), name: 'Cliente V1' })).body
    const business = { customer: { identifier: generateCnpj(), name: 'Empresa Pagadora Ltda' } }
    for (const [bad, field, code] of [
      [{ payer: { customer: { identifier: '11111111111', name: 'X' } } }, 'payer.customer.identifier', 'invalid'],
      [{ payer: { customer: v1Customer.id } }, 'payer.customer', 'does_not_exist'],
      [{ payer: business }, 'payer.representative_identifier', 'required'],
      [{ payer: { ...business, representative_identifier: '123' } }, 'payer.representative_identifier', 'invalid'],
      [{ beneficiary: { type: 'BANK_ACCOUNT', target: randomUUID() } }, 'beneficiary.target', 'does_not_exist'],
      [{ beneficiary: { type: 'PIX_KEY', target: account.id } }, 'beneficiary.type', 'invalid_choice'],
      [{ payment_method: 'PIX_OF_RECURRING' }, 'payment_method', 'invalid_choice'],
      [{ return_url: 'not a url' }, 'return_url', 'invalid'],
      [{ external_id: 'abc' }, 'external_id', 'invalid'],
      [{ payment_method_configuration: { amount: '1.234', statement_description: 'x' } }, 'payment_method_configuration.amount', 'invalid'],
      [{ payment_method_configuration: { amount: 0, statement_description: 'x' } }, 'payment_method_configuration.amount', 'invalid'],
      [{ payment_method_configuration: { amount: '5.00' } }, 'payment_method_configuration.statement_description', 'required'],
      [
        { payment_method: 'PIX_OF_SCHEDULED', payment_method_configuration: { amount: '5.00', statement_description: 'x', dates: [day(0)] } },
        'payment_method_configuration.dates.0',
        'invalid',
      ],
      [{ payment_method: 'PIX_OF_SCHEDULED' }, 'payment_method_configuration.dates', 'required'],
    ] as const) {
      const res = await call('POST', `${BASE}/`, { ...body('5.00'), ...bad })
      expect(res.status, field).toBe(400)
      expect(res.body[0], field).toMatchObject({ code, field })
    }
  })

  it('settles an immediate payment on authorization: ChargeV2, Pix transaction, balance, one webhook per transition, ledger chains', async () => {
    const authorization = await create('25.00')
    const done = await authorize(authorization.id)
    expect(done).toMatchObject({ status: 'CONSUMED', status_reason_code: null })
    expect(done.authorized_at).toEqual(expect.any(String))
    const [charge] = await charges(authorization.id)
    expect(done.charges).toEqual([charge.id])
    expect(charge).toMatchObject({ status: 'SETTLED', amount: '25.00', date: day(0), previous: null, next: null, statement_description: 'Loja Exemplo' })
    expect(charge.end_to_end_id).toMatch(END_TO_END_ID)
    expect(charge.beneficiary.bank_account).toMatchObject({ id: account.id, details: { code: '99990001' } })
    expect(charge.payer.bank_account.details).toEqual({ institution: RETAIL, code: '99990001' })
    const detail = await call('GET', `${BASE}/${authorization.id}/charges/${charge.id}/`)
    expectSpec('current', 'ChargeV2', detail.body)
    expect(detail.body).toEqual(charge)

    const transactions = (await call('GET', `/payments/br/transactions/?customer=${authorization.payer.customer}`)).body.results
    expect(transactions).toHaveLength(1)
    expectSpec('current', 'paymentTransaction', transactions[0])
    expect(transactions[0]).toMatchObject({ amount: '25.00', charge: charge.id, beneficiary: account.id, transaction_type: 'INFLOW' })
    const balance = await h.db.query<{ balance: string }>('SELECT balance::text AS balance FROM payment_bank_accounts WHERE id = $1', [account.id])
    expect(Number(balance[0].balance)).toBeGreaterThanOrEqual(25)

    expect((await eventsAbout([authorization.id, charge.id, transactions[0].id])).sort()).toEqual([
      'CHARGES:SETTLED',
      'PAYMENT_AUTHORIZATIONS:AUTHORIZED',
      'PAYMENT_AUTHORIZATIONS:CONSUMED',
      'TRANSACTIONS:OBJECT_CREATED',
    ])
    expect(await chain(authorization.id)).toEqual([
      [null, 'AWAITING_AUTHORIZATION'],
      ['AWAITING_AUTHORIZATION', 'AUTHORIZED'],
      ['AUTHORIZED', 'CONSUMED'],
    ])
    expect(await chain(charge.id)).toEqual([
      [null, 'PENDING'],
      ['PENDING', 'SETTLED'],
    ])

    // Consumed: neither authorized again nor canceled.
    const again = await call('POST', `${BASE}/${authorization.id}/authorize/`)
    expect(again.status).toBe(400)
    expect(again.body[0]).toMatchObject({ code: 'invalid', field: 'status' })
    const cancel = await call('POST', `${BASE}/${authorization.id}/cancel/`)
    expect(cancel.status).toBe(400)
    expect(cancel.body[0]).toMatchObject({ code: 'cancellation_error', field: 'status' })
    const cancelCharge = await call('POST', `${BASE}/${authorization.id}/charges/${charge.id}/cancel/`)
    expect(cancelCharge.status).toBe(400)
    expect(cancelCharge.body[0]).toMatchObject({ code: 'cancellation_error', field: 'status' })
  })

  it('fails on a refused consent, and retries a refused charge on a later date, settled by the scheduler', async () => {
    const rejected = await authorize((await create('250.00')).id)
    expect(rejected).toMatchObject({ status: 'FAILED', status_reason_code: 'REJECTED_BY_USER', charges: [] })

    // Authorized too late: its date has come.
    const late = await create('44.00', { payment_method: 'PIX_OF_SCHEDULED' }, { dates: [day(1)] })
    h.clock.advance(86_400_000)
    expect(await authorize(late.id)).toMatchObject({ status: 'FAILED', status_reason_code: 'AUTHORIZATION_EXPIRED', charges: [] })

    // A business payer has two approvers: the first leaves it PARTIALLY_ACCEPTED.
    const business = await create('150.00', {
      payer: { customer: { identifier: generateCnpj(), name: 'Empresa Pagadora Ltda' }, representative_identifier: generateCpf() },
    })
    expect((await authorize(business.id)).status).toBe('PARTIALLY_ACCEPTED')
    const authorized = await authorize(business.id)
    expect(authorized).toMatchObject({ status: 'AUTHORIZED', payer: { institution: '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1002' } })
    const [failed] = await charges(business.id)
    expect(failed).toMatchObject({ status: 'FAILED', status_reason_code: 'INSUFFICIENT_FUNDS', end_to_end_id: null })

    const retryUrl = `${BASE}/${business.id}/charges/${failed.id}/retry/`
    for (const [date, field] of [
      [undefined, 'date'],
      [day(0), 'date'],
      [day(9), 'date'],
      ['2026-02-30', 'date'],
    ] as const) {
      const res = await call('POST', retryUrl, date === undefined ? {} : { date })
      expect(res.status, String(date)).toBe(400)
      expect(res.body[0]).toMatchObject({ code: date === undefined ? 'required' : 'invalid', field })
    }
    const retry = await call('POST', retryUrl, { date: day(1) })
    expect(retry.status, JSON.stringify(retry.body)).toBe(201)
    expectSpec('current', 'ChargeV2', retry.body)
    expect(retry.body).toMatchObject({ status: 'SCHEDULED', date: day(1), previous: failed.id, next: null, amount: '150.00' })
    expect((await call('GET', `${BASE}/${business.id}/charges/${failed.id}/`)).body.next).toBe(retry.body.id)
    for (const id of [failed.id, retry.body.id]) {
      const res = await call('POST', `${BASE}/${business.id}/charges/${id}/retry/`, { date: day(2) })
      expect(res.status).toBe(400)
      expect(res.body[0]).toMatchObject({ code: 'invalid', field: 'status' })
    }
    const filtered = (await call('GET', `${BASE}/${business.id}/charges/?status=SCHEDULED`)).body
    expect(filtered.results.map((c: Json) => c.id)).toEqual([retry.body.id])

    // A scheduled authorization: its charge waits for its date.
    const scheduled = await create('45.00', { payment_method: 'PIX_OF_SCHEDULED' }, { dates: [day(1)] })
    expect((await authorize(scheduled.id)).status).toBe('AUTHORIZED')
    expect((await charges(scheduled.id)).map((c) => [c.status, c.date])).toEqual([['SCHEDULED', day(1)]])

    expect(await scheduler()).toBe(0)
    h.clock.advance(86_400_000)
    // Two workers' passes at once: the authorization's row lock makes each charge settle once.
    const passes = await Promise.all([0, 1].map(() => settleDueAuthorizationCharges(h.app.deps.domain, h.clock.now())))
    expect(passes[0] + passes[1]).toBe(2)
    expect(await scheduler()).toBe(0)
    // The retry gets past insufficient funds (the README's retry rule); the scheduled payment settles.
    const retried = (await call('GET', `${BASE}/${business.id}/charges/${retry.body.id}/`)).body
    expect(retried).toMatchObject({ status: 'SETTLED', previous: failed.id })
    expect(retried.end_to_end_id).toMatch(END_TO_END_ID)
    expect((await call('GET', `${BASE}/${business.id}/`)).body.status).toBe('CONSUMED')
    expect((await call('GET', `${BASE}/${scheduled.id}/`)).body.status).toBe('CONSUMED')
    expect(await chain(business.id)).toEqual([
      [null, 'AWAITING_AUTHORIZATION'],
      ['AWAITING_AUTHORIZATION', 'PARTIALLY_ACCEPTED'],
      ['PARTIALLY_ACCEPTED', 'AUTHORIZED'],
      ['AUTHORIZED', 'CONSUMED'],
    ])
    expect(await chain(retry.body.id)).toEqual([
      [null, 'SCHEDULED'],
      ['SCHEDULED', 'SETTLED'],
    ])
    expect((await eventsAbout([business.id, failed.id, retry.body.id])).sort()).toEqual([
      'CHARGES:FAILED',
      'CHARGES:SETTLED',
      'PAYMENT_AUTHORIZATIONS:AUTHORIZED',
      'PAYMENT_AUTHORIZATIONS:CONSUMED',
      'PAYMENT_AUTHORIZATIONS:PARTIALLY_ACCEPTED',
    ])
  })

  it('cancels a scheduled charge and revokes an authorization (its scheduled charges canceled); other transitions are 400s', async () => {
    const one = await create('41.00', { payment_method: 'PIX_OF_SCHEDULED' }, { dates: [day(5)] })
    await authorize(one.id)
    const [charge] = await charges(one.id)
    expect((await call('POST', `${BASE}/${one.id}/charges/${charge.id}/cancel/`)).status).toBe(204)
    expect((await call('GET', `${BASE}/${one.id}/charges/${charge.id}/`)).body.status).toBe('CANCELED')
    const twice = await call('POST', `${BASE}/${one.id}/charges/${charge.id}/cancel/`)
    expect(twice.status).toBe(400)
    expect(twice.body[0]).toMatchObject({ code: 'cancellation_error', field: 'status' })
    const retryCanceled = await call('POST', `${BASE}/${one.id}/charges/${charge.id}/retry/`, { date: day(1) })
    expect(retryCanceled.body[0]).toMatchObject({ code: 'invalid', field: 'status' })

    const two = await create('42.00', { payment_method: 'PIX_OF_SCHEDULED' }, { dates: [day(2)] })
    await authorize(two.id)
    const [pending] = await charges(two.id)
    expect((await call('POST', `${BASE}/${two.id}/cancel/`)).status).toBe(204)
    const revoked = (await call('GET', `${BASE}/${two.id}/`)).body
    expectSpec('current', 'PaymentAuthorization', revoked)
    expect(revoked.status).toBe('REVOKED')
    expect((await charges(two.id)).map((c) => c.status)).toEqual(['CANCELED'])
    const again = await call('POST', `${BASE}/${two.id}/cancel/`)
    expect(again.status).toBe(400)
    expect(again.body[0]).toMatchObject({ code: 'cancellation_error', field: 'status' })
    expect((await call('POST', `${BASE}/${two.id}/authorize/`)).body[0]).toMatchObject({ code: 'invalid', field: 'status' })
    expect(await chain(pending.id)).toEqual([
      [null, 'SCHEDULED'],
      ['SCHEDULED', 'CANCELED'],
    ])
    // Revoked before the payer authorized: nothing was charged.
    const waiting = await create('43.00')
    expect((await call('POST', `${BASE}/${waiting.id}/cancel/`)).status).toBe(204)
    expect(await chain(waiting.id)).toEqual([
      [null, 'AWAITING_AUTHORIZATION'],
      ['AWAITING_AUTHORIZATION', 'REVOKED'],
    ])
    expect((await eventsAbout([two.id, pending.id])).sort()).toEqual([
      'CHARGES:CANCELED',
      'PAYMENT_AUTHORIZATIONS:AUTHORIZED',
      'PAYMENT_AUTHORIZATIONS:REVOKED',
    ])
  })

  it("answers 404 for another organization's authorizations and charges, and for malformed ids", async () => {
    const authorization = await create('26.00', { payment_method: 'PIX_OF_SCHEDULED' }, { dates: [day(4)] })
    await authorize(authorization.id)
    const [charge] = await charges(authorization.id)
    const other = { auth: h.otherAuth }
    for (const [method, url] of [
      ['GET', `${BASE}/${authorization.id}/`],
      ['POST', `${BASE}/${authorization.id}/cancel/`],
      ['POST', `${BASE}/${authorization.id}/authorize/`],
      ['GET', `${BASE}/${authorization.id}/charges/`],
      ['GET', `${BASE}/${authorization.id}/charges/${charge.id}/`],
      ['POST', `${BASE}/${authorization.id}/charges/${charge.id}/retry/`],
      ['POST', `${BASE}/${authorization.id}/charges/${charge.id}/cancel/`],
    ] as const) {
      const res = await call(method, url, method === 'GET' ? undefined : { date: day(1) }, other)
      expect(res.status, url).toBe(404)
    }
    expect((await call('GET', `${BASE}/`, undefined, other)).body.count).toBe(0)
    expect((await call('GET', `${BASE}/not-a-uuid/`)).status).toBe(404)
    expect((await call('GET', `${BASE}/${authorization.id}/charges/${randomUUID()}/`)).status).toBe(404)
    expect((await call('GET', `${BASE}/${authorization.id}/charges/${charge.id.toUpperCase()}/`)).status).toBe(200)
    // Still scheduled: nothing above changed it.
    expect((await charges(authorization.id))[0].status).toBe('SCHEDULED')
  })

  it('replays a creation for the same Belvo-Idempotency-Key and refuses another body with it', async () => {
    const key = randomUUID()
    const payload = body('27.00', { description: `idempotent ${key}` })
    const withKey = { headers: { 'belvo-idempotency-key': key } }
    const first = await call('POST', `${BASE}/`, payload, withKey)
    expect(first.status).toBe(201)
    expect(first.headers['belvo-idempotency-status']).toBe('AVAILABLE')
    const replay = await call('POST', `${BASE}/`, payload, withKey)
    expect(replay.status).toBe(201)
    expect(replay.headers['belvo-idempotency-status']).toBe('REPLAYED')
    expect(replay.body).toEqual(first.body)
    expect((await call('GET', `${BASE}/?search=${encodeURIComponent(key)}`)).body.count).toBe(1)
    const mismatch = await call('POST', `${BASE}/`, { ...payload, description: 'another' }, withKey)
    expect(mismatch.status).toBe(422)
    expect(mismatch.body[0]).toMatchObject({ code: 'idempotency_payload_mismatch' })
  })
})
