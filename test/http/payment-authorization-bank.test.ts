import { generateCnpj, generateCpf } from '@brazilian-utils/brazilian-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { paymentsLedger } from '../../src/domain/payments/intents.ts'
import { AMOUNT_RULES } from '../../src/domain/payments/network.ts'
import { INTERNAL_REASONS, PONTE_V2_STATUS_REASONS, statusReasonV2, V2_STATUS_REASONS } from '../../src/domain/payments/status-reasons.ts'
import { bankPage, formAction, hiddenFields } from '../helpers/bank-pages.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { RETAIL } from '../helpers/payments.ts'
import { expectSpec, schemaOf } from '../helpers/spec.ts'

type Json = Record<string, any>

const BASE = '/payments/br/payment-authorizations'
const V2 = { 'x-belvo-api-resource-version': 'Payments-BR.V2' }
const RETURN_URL = 'https://merchant.example/return?order=7'

// Issue 16: a payment authorization's authorization_url is the sandbox bank's page on Ponte, where
// the payer logs in with their CPF and approves or rejects; one left alone expires after 60
// minutes on the organization's sandbox clock. V2 shapes carry Belvo's UPPERCASE reason codes.
describe('payment authorizations at the sandbox bank page', () => {
  let h: Harness
  let account: Json

  const call = (method: string, url: string, payload?: unknown) => h.call(method, url, payload, { headers: V2 })

  async function create(amount: string, payer: Json, extra: Json = {}): Promise<Json> {
    const res = await call('POST', `${BASE}/`, {
      payment_method: 'PIX_OF_IMMEDIATE',
      description: 'Plano Família',
      return_url: RETURN_URL,
      payer,
      beneficiary: { type: 'BANK_ACCOUNT', target: account.id },
      payment_method_configuration: { amount, statement_description: 'Loja Exemplo' },
      ...extra,
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expectSpec('current', 'PaymentAuthorization', res.body)
    return res.body
  }

  async function detail(id: string): Promise<Json> {
    const res = await call('GET', `${BASE}/${id}/`)
    expect(res.status).toBe(200)
    expectSpec('current', 'PaymentAuthorization', res.body)
    return res.body
  }

  /** Opens the page, logs in with `cpf`, and answers `decision`; returns the decision's answer. */
  async function atBank(authorization: Json, cpf: string, decision: 'approve' | 'reject') {
    const login = await bankPage(h, authorization.payment_method_configuration.authorization_url)
    expect(login.status, login.html).toBe(200)
    const review = await bankPage(h, formAction(login.html), { ...hiddenFields(login.html), cpf })
    expect(review.status, review.html).toBe(200)
    return bankPage(h, formAction(review.html), { ...hiddenFields(review.html), decision })
  }

  /** The webhooks about an object as `TYPE:status:reason`, sorted (one transaction's events share a timestamp; the ledger has their order). */
  async function events(id: string): Promise<string[]> {
    const rows = await h.db.query<{ payload: string }>(`SELECT payload::text AS payload FROM webhook_events WHERE payload::json->>'object_id' = $1`, [id])
    return rows
      .map((r) => JSON.parse(r.payload))
      .map((p) => `${p.webhook_type}:${p.data.status}:${p.data.status_reason_code ?? ''}`)
      .sort()
  }

  beforeAll(async () => {
    h = await createHarness()
    const res = await call('POST', '/payments/br/bank-accounts/', {
      holder: { name: 'Loja Exemplo Ltda', identifier: generateCnpj() },
      details: { institution: RETAIL, account_type: 'CHECKINGS', agency: '0001', number: '7654321' },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    account = res.body
  })
  afterAll(async () => h?.close())

  it('the payer logs in with their CPF and approves: the charge settles and the webhooks follow; the page is then spent', async () => {
    const cpf = generateCpf()
    const authorization = await create('12.50', { customer: { identifier: cpf, name: 'Maria da Silva' }, institution: RETAIL })
    const url = authorization.payment_method_configuration.authorization_url

    const login = await bankPage(h, `${url}?locale=en`)
    expect(login.status).toBe(200)
    expect(login.html).toContain('<html lang="en">')
    expect(login.html).toContain('name="cpf"')
    // Someone else's CPF, or no CPF at all: the same form again with the problem, nothing moves.
    for (const [wrong, message] of [
      [generateCpf(), 'This CPF is not the payer&#39;s of this authorization.'],
      ['123', 'Enter a valid CPF, 11 digits.'],
    ]) {
      const refused = await bankPage(h, formAction(login.html), { ...hiddenFields(login.html), cpf: wrong })
      expect(refused.status).toBe(400)
      expect(refused.html).toContain(message)
      expect(refused.html).toContain('aria-invalid="true"')
    }
    const review = await bankPage(h, formAction(login.html), {
      ...hiddenFields(login.html),
      cpf: `${cpf.slice(0, 3)}.${cpf.slice(3, 6)}.${cpf.slice(6, 9)}-${cpf.slice(9)}`,
    })
    expect(review.status, review.html).toBe(200)
    expect(review.html).toContain('R$')
    expect(review.html).toContain('Loja Exemplo Ltda')
    expect((await detail(authorization.id)).status).toBe('AWAITING_AUTHORIZATION')

    const decided = await bankPage(h, formAction(review.html), { ...hiddenFields(review.html), decision: 'approve' })
    expect(decided.status, decided.html).toBe(303)
    expect(decided.location).toBe(RETURN_URL)

    const done = await detail(authorization.id)
    expect(done).toMatchObject({ status: 'CONSUMED', status_reason_code: null, payer: { institution: RETAIL } })
    expect(done.authorized_at).not.toBeNull()
    const charge = (await call('GET', `${BASE}/${authorization.id}/charges/${done.charges[0]}/`)).body
    expectSpec('current', 'ChargeV2', charge)
    expect(charge.status).toBe('SETTLED')
    expect(await events(authorization.id)).toEqual(['PAYMENT_AUTHORIZATIONS:AUTHORIZED:', 'PAYMENT_AUTHORIZATIONS:CONSUMED:'])
    expect(await events(charge.id)).toEqual(['CHARGES:SETTLED:'])
    // The ledger says who: the payer authorized at the bank, the sandbox network settled.
    const ledger = await paymentsLedger(h.db, { organizationId: h.key.organizationId }, authorization.id)
    expect(ledger.map((e) => [e.to_status, e.actor])).toEqual([
      ['AWAITING_AUTHORIZATION', `key:${h.key.id}`],
      ['AUTHORIZED', 'payer'],
      ['CONSUMED', 'sandbox'],
    ])

    // Spent: the page, its login and a replayed decision say so (409), and nothing moves again.
    expect((await bankPage(h, url)).status).toBe(409)
    expect((await bankPage(h, formAction(login.html), { cpf })).status).toBe(409)
    const replay = await bankPage(h, formAction(review.html), { ...hiddenFields(review.html), decision: 'reject' })
    expect(replay.status).toBe(409)
    expect(replay.html).toContain('role="alert"')
    expect((await detail(authorization.id)).status).toBe('CONSUMED')
  })

  it('the payer rejects: FAILED with the refusal, announced by its webhook; unknown tokens and broken forms get a page, never a 500', async () => {
    const cpf = generateCpf()
    const authorization = await create('20.00', { customer: { identifier: cpf, name: 'João Souza' } })
    const decided = await atBank(authorization, cpf, 'reject')
    expect(decided.status).toBe(303)
    expect(decided.location).toBe(RETURN_URL)
    const failed = await detail(authorization.id)
    expect(failed).toMatchObject({ status: 'FAILED', status_reason_code: 'REJECTED_BY_USER', charges: [] })
    expect(failed.status_reason_message).toEqual(expect.any(String))
    expect(await events(authorization.id)).toEqual(['PAYMENT_AUTHORIZATIONS:FAILED:REJECTED_BY_USER'])

    const path = new URL(authorization.payment_method_configuration.authorization_url).pathname
    for (const [url, form, status] of [
      ['/sandbox/openfinance/payment-authorizations/0123456789abcdef0123456789abcdef/', undefined, 404],
      ['/sandbox/openfinance/payment-authorizations/not-a-token/', undefined, 404],
      ['/sandbox/openfinance/payment-authorizations/0123456789abcdef0123456789abcdef/login', { cpf }, 404],
      ['/sandbox/openfinance/payment-authorizations/0123456789abcdef0123456789abcdef/decision', { cpf, decision: 'approve' }, 404],
      [`${path}decision`, { cpf, decision: 'maybe' }, 400],
      [`${path}decision`, {}, 400],
    ] as const) {
      const res = await bankPage(h, url, form)
      expect(res.status, `${url} ${JSON.stringify(form)}`).toBe(status)
      expect(res.html).toContain('role="alert"')
    }
    // A forged decision (another CPF) on an authorization still waiting: refused, nothing moves.
    const waiting = await create('21.00', { customer: { identifier: generateCpf(), name: 'Ana Lima' } })
    const forged = await bankPage(h, `${new URL(waiting.payment_method_configuration.authorization_url).pathname}decision`, { cpf, decision: 'approve' })
    expect(forged.status).toBe(400)
    expect((await detail(waiting.id)).status).toBe('AWAITING_AUTHORIZATION')
    expect((await call('POST', `${BASE}/${waiting.id}/cancel/`)).status).toBe(204)
  })

  it('expires what the payer leaves alone 60 minutes after creation, on the sandbox clock; the page then says so', async () => {
    const cpf = generateCpf()
    const alone = await create('30.00', { customer: { identifier: cpf, name: 'Paula Reis' } })
    // A company's first approver accepted; the second never came.
    const representative = generateCpf()
    const business = await create('40.00', {
      customer: { identifier: generateCnpj(), name: 'Empresa Pagadora Ltda' },
      representative_identifier: representative,
    })
    expect((await atBank(business, representative, 'approve')).status).toBe(303)
    expect((await detail(business.id)).status).toBe('PARTIALLY_ACCEPTED')

    const early = await call('POST', '/sandbox/clock/advance/', { by: 'PT59M' })
    expect(early.status, JSON.stringify(early.body)).toBe(200)
    expect(early.body.ran.authorizations_expired).toBe(0)
    expect((await bankPage(h, alone.payment_method_configuration.authorization_url)).status).toBe(200)

    const advanced = await call('POST', '/sandbox/clock/advance/', { by: 'PT2M' })
    expect(advanced.status, JSON.stringify(advanced.body)).toBe(200)
    expect(advanced.body.ran.authorizations_expired).toBe(2)
    const deadline = new Date(Date.parse(alone.created_at) + 60 * 60_000).toISOString()
    for (const id of [alone.id, business.id]) {
      const expired = await detail(id)
      expect(expired).toMatchObject({
        status: 'FAILED',
        status_reason_code: 'AUTHORIZATION_EXPIRED',
        status_reason_message: V2_STATUS_REASONS.AUTHORIZATION_EXPIRED,
      })
      expect(await events(id)).toContain('PAYMENT_AUTHORIZATIONS:FAILED:AUTHORIZATION_EXPIRED')
    }
    // The clock stopped at the deadline itself on its way.
    expect((await detail(alone.id)).status_updated_at).toBe(deadline)
    const gone = await bankPage(h, `${alone.payment_method_configuration.authorization_url}?locale=en`)
    expect(gone.status).toBe(410)
    expect(gone.html).toContain('expired')
    // Nothing left to expire: the next advance reports none.
    expect((await call('POST', '/sandbox/clock/advance/', { by: 'PT1H' })).body.ran.authorizations_expired).toBe(0)
  })

  it("V2 reason codes are Belvo's UPPERCASE ones, from its table (the 1.223.0 spec types them as free strings)", () => {
    const documented = new Set([...Object.keys(V2_STATUS_REASONS), ...Object.keys(PONTE_V2_STATUS_REASONS)])
    const internal = [...INTERNAL_REASONS, ...AMOUNT_RULES.map((r) => r.outcome.failureCode).filter((c): c is string => c !== null)]
    const sent = internal.map((code) => statusReasonV2(code)!)
    for (const [i, v2] of sent.entries()) {
      expect(documented.has(v2), `${internal[i]} → ${v2}`).toBe(true)
      expect(v2).toMatch(/^[A-Z_]+$/)
    }
    for (const name of ['PaymentAuthorization', 'ChargeV2']) {
      const property = (schemaOf('current', name).properties as Json).status_reason_code as { type: string | string[]; enum?: string[] }
      expect([property.type].flat()).toContain('string')
      // Should the spec enumerate them, every code Ponte sends must be in its enum.
      if (property.enum) for (const v2 of sent) expect(property.enum).toContain(v2)
    }
    expect(statusReasonV2(null)).toBeNull()
  })
})
