import { generateCnpj, generateCpf } from '@brazilian-utils/brazilian-utils'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSecretKey } from '../../src/domain/keys.ts'
import { paymentsLedger } from '../../src/domain/payments/intents.ts'
import { nitCheckDigit } from '../../src/domain/payments/legacy/colombia.ts'
import { basic, createHarness, type Harness } from '../helpers/harness.ts'
import type { Receiver } from '../helpers/receiver.ts'
import { expectSpec } from '../helpers/spec.ts'

type Json = Record<string, any>

/** The sandbox catalog's ids (migrations 0014 and 0019). */
const BR_RETAIL = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001'
const CO_BANK = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a2001'
const CO_INACTIVE = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a2003'
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** A valid NIT (9 digits and the DIAN's check digit). */
function nit(): string {
  const digits = String(800_000_000 + Math.floor(Math.random() * 99_999_999))
  return `${digits}-${nitCheckDigit(digits)}`
}
const cc = () => String(10_000_000 + Math.floor(Math.random() * 89_999_999))

/** Belvo's earlier payments API (issue 17): every response against its 1.35.0 schema. */
describe('Payments: Colombia PSE, Brazil OFPI and payment links (1.35.0)', () => {
  let h: Harness
  let receiver: Receiver
  let org: string
  let pseCustomer: Json
  let pseAccount: Json
  const call: Harness['call'] = (...args) => h.call(...args)

  const pseCustomerBody = (extra: Json = {}) => ({
    customer_type: 'INDIVIDUAL',
    name: 'Camila Rodríguez',
    country: 'COL',
    email: 'camila@example.co',
    identifier_type: 'CC',
    identifier: cc(),
    ...extra,
  })
  const pseAccountBody = (extra: Json = {}) => ({
    holder: { type: 'BUSINESS', information: { name: 'Tienda Ejemplo SAS' } },
    providers: { payments_way: { terminal_id: 1234, form_id: 5678 } },
    metadata: { store: 'bogota' },
    ...extra,
  })
  const intentBody = (amount: string, extra: Json = {}) => ({
    amount,
    customer: pseCustomer.id,
    description: 'Pedido 42',
    allowed_payment_method_types: ['pse'],
    provider: 'payments_way',
    payment_method_details: { pse: { beneficiary_bank_account: pseAccount.id, callback_url: 'https://merchant.example/vuelta', belvo_flow: true } },
    ...extra,
  })

  async function created(path: string, body: Json, schema: string | string[]) {
    const res = await call('POST', path, body)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const schemas = Array.isArray(schema) ? schema : [schema]
    expectSpec('legacy', schemas[0], res.body)
    return res.body as Json
  }

  /** A PSE intent taken to its bank page: created, bank chosen, confirmed. */
  async function confirmedIntent(amount: string, customer?: string) {
    const intent = await created('/payments/payment-intents/', intentBody(amount, customer ? { customer } : {}), 'PaymentIntentPse')
    const res = await call('PATCH', `/payments/payment-intents/${intent.id}/`, {
      payment_method_details: { pse: { payer_institution: CO_BANK } },
      confirm: true,
    })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expectSpec('legacy', 'PaymentIntentPse', res.body)
    return res.body as Json
  }

  /** The payer's decision on the sandbox bank page; the answer is the redirect. */
  async function decide(intent: Json, decision: 'complete' | 'abandon') {
    const path = new URL(intent.payment_method_information.pse.redirect_url).pathname
    return call('POST', path, undefined, { auth: null, headers: FORM, raw: `decision=${decision}` })
  }

  beforeAll(async () => {
    h = await createHarness()
    org = h.key.organizationId
    receiver = await h.receiveWebhooks('Bearer legacy')
    await h.startWorker()
    pseCustomer = await created('/payments/customers/', pseCustomerBody(), 'CustomerPse')
    pseAccount = await created('/payments/bank-accounts/', pseAccountBody(), 'BankAccountPseResponse')
  })
  afterAll(async () => h.close())

  it('lists the institutions of both countries, filtered by country, with a detail; /payments/br/ keeps Brazil’s', async () => {
    const all = await call('GET', '/payments/institutions/')
    expect(all.status).toBe(200)
    expectSpec('legacy', 'PaymentsInstitutionsPaginatedResponse', all.body)
    expect(all.body.count).toBe(7)
    const colombia = await call('GET', '/payments/institutions/?country=COL')
    expect(colombia.body.results.map((i: Json) => [i.id, i.country, i.active])).toEqual([
      [CO_BANK, 'COL', true],
      ['0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a2002', 'COL', true],
      [CO_INACTIVE, 'COL', false],
    ])
    expect((await call('GET', '/payments/institutions/?country__in=BRA')).body.count).toBe(4)
    expect((await call('GET', '/payments/institutions/?country=ARG')).body[0]).toMatchObject({ code: 'invalid_choice', field: 'country' })
    const one = await call('GET', `/payments/institutions/${CO_BANK}/`)
    expectSpec('legacy', 'paymentInstitution', one.body)
    expect(one.body).toMatchObject({ id: CO_BANK, name: 'ponte_mockbank_co_pse', country: 'COL' })
    expect((await call('GET', `/payments/institutions/${randomUUID()}/`)).status).toBe(404)
    expect((await call('GET', '/payments/br/institutions/')).body.count).toBe(4)
    expect((await call('GET', `/payments/br/institutions/${CO_BANK}/`)).status).toBe(404)
  })

  it('creates PSE customers with checked Colombian documents and OFPI customers with CPF/CNPJ, one table for both', async () => {
    const business = await created(
      '/payments/customers/',
      pseCustomerBody({ customer_type: 'BUSINESS', identifier_type: 'NIT', identifier: nit(), name: 'Tienda Ejemplo SAS' }),
      'CustomerPse',
    )
    expect(business).toMatchObject({ customer_type: 'BUSINESS', identifier_type: 'NIT', country: 'COL' })
    const passport = await created('/payments/customers/', pseCustomerBody({ identifier_type: 'PP', identifier: 'ab123456' }), 'CustomerPse')
    expect(passport.identifier).toBe('AB123456')
    const brazil = await created(
      '/payments/customers/',
      { customer_type: 'INDIVIDUAL', name: 'Maria da Silva', country: 'BRA', email: 'maria@example.com', identifier_type: 'CPF', identifier: generateCpf() },
      'CustomerOfpi',
    )
    // The same customer for Payments Brazil; a Colombian one is not Brazil's.
    expect((await call('GET', `/payments/br/customers/${brazil.id}/`)).status).toBe(200)
    expect((await call('GET', `/payments/br/customers/${pseCustomer.id}/`)).status).toBe(404)

    const list = await call('GET', '/payments/customers/?customer__type=BUSINESS')
    expectSpec('legacy', 'CustomerPaginatedResponse', list.body)
    expect(list.body.results.map((c: Json) => c.id)).toEqual([business.id])
    const search = await call('GET', `/payments/customers/?search=${encodeURIComponent('Maria da')}`)
    expect(search.body.results.map((c: Json) => c.id)).toEqual([brazil.id])
    const detail = await call('GET', `/payments/customers/${pseCustomer.id}/`)
    expectSpec('legacy', 'CustomerPse', detail.body)
    expect((await call('GET', `/payments/customers/${pseCustomer.id}/`, undefined, { auth: h.otherAuth })).status).toBe(404)
    expect((await call('GET', '/payments/customers/', undefined, { auth: h.otherAuth })).body.count).toBe(0)
  })

  it.each([
    [{ identifier: '12345' }, 'identifier', 'invalid'],
    [{ identifier_type: 'CE', identifier: '12345678' }, 'identifier', 'invalid'],
    [{ identifier_type: 'TI', identifier: '123456789' }, 'identifier', 'invalid'],
    [{ identifier_type: 'PP', identifier: 'AB-12' }, 'identifier', 'invalid'],
    [{ customer_type: 'BUSINESS', identifier_type: 'NIT', identifier: '900123456-0' }, 'identifier', 'invalid'],
    [{ identifier_type: 'NIT', identifier: '900123456-8' }, 'identifier_type', 'invalid'],
    [{ identifier_type: 'CPF', identifier: generateCpf() }, 'identifier_type', 'invalid'],
    [{ identifier_type: 'DNI' }, 'identifier_type', 'invalid_choice'],
    [{ country: 'ARG' }, 'country', 'invalid_choice'],
    [{ email: 'nope' }, 'email', 'invalid'],
    [{ name: 'Ana' }, 'name', 'min_length'],
    [{ email: undefined }, 'email', 'required'],
  ])('refuses the customer %j with Belvo’s 400 on %s', async (extra, field, code) => {
    const res = await call('POST', '/payments/customers/', pseCustomerBody(extra))
    expect(res.status, JSON.stringify(res.body)).toBe(400)
    expect(res.body[0]).toMatchObject({ code, field })
  })

  it('registers PSE accounts (providers) and OFPI accounts, lists them by provider, refuses bad ones', async () => {
    expect(pseAccount).toMatchObject({
      holder: { type: 'BUSINESS', information: { name: 'Tienda Ejemplo SAS' } },
      details: { payments_way: { terminal_id: 1234, form_id: 5678 } },
    })
    const ofpi = await created(
      '/payments/bank-accounts/',
      {
        institution: BR_RETAIL,
        holder: { type: 'BUSINESS', information: { name: 'Loja Exemplo Ltda', identifier_type: 'CNPJ', identifier: generateCnpj() } },
        details: { country: 'BRA', account_type: 'CHECKINGS', agency: '0001', number: String(100000 + Math.floor(Math.random() * 899999)) },
      },
      'BankAccountOfpiResponse',
    )
    expect((await call('GET', `/payments/br/bank-accounts/${ofpi.id}/`)).status).toBe(200)
    expect((await call('GET', `/payments/br/bank-accounts/${pseAccount.id}/`)).status).toBe(404)
    const pse = await call('GET', '/payments/bank-accounts/?providers=payments_way')
    expectSpec('legacy', 'BankAccountPaginatedResponse', pse.body)
    expect(pse.body.results.map((a: Json) => a.id)).toEqual([pseAccount.id])
    const detail = await call('GET', `/payments/bank-accounts/${ofpi.id}/`)
    expectSpec('legacy', 'BankAccountOfpiResponse', detail.body)
    expect((await call('GET', `/payments/bank-accounts/${pseAccount.id}/`, undefined, { auth: h.otherAuth })).status).toBe(404)
    const missing = await call('POST', '/payments/bank-accounts/', pseAccountBody({ providers: { payments_way: { form_id: 1 } } }))
    expect(missing.body[0]).toMatchObject({ code: 'required', field: 'providers.payments_way.terminal_id' })
    const personal = await call('POST', '/payments/bank-accounts/', pseAccountBody({ holder: { type: 'INDIVIDUAL', information: { name: 'X' } } }))
    expect(personal.body[0]).toMatchObject({ code: 'invalid_choice', field: 'holder.type' })
  })

  it('takes a PSE intent through its states to a settled COP transaction on the sandbox bank page, with webhooks and the ledger', async () => {
    const intent = await created('/payments/payment-intents/', intentBody('50000', { metadata: { order: 'A-42' } }), 'PaymentIntentPse')
    expect(intent).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', amount: '50000', currency: 'COP', selected_payment_method_type: 'pse' })
    expect(intent.next_step.type).toBe('pse_display_payment_method_information')
    expect(intent.next_step.pse_display_payment_method_information.institutions.map((i: Json) => i.id)).toContain(CO_BANK)
    const chosen = await call('PATCH', `/payments/payment-intents/${intent.id}/`, { payment_method_details: { pse: { payer_institution: CO_BANK } } })
    expectSpec('legacy', 'PaymentIntentPse', chosen.body)
    expect(chosen.body).toMatchObject({ status: 'REQUIRES_ACTION', next_step: { type: 'pse_display_confirmation_required', ready_to_confirm: true } })
    const confirmed = await call('PATCH', `/payments/payment-intents/${intent.id}/`, { payment_method_details: { pse: {} }, confirm: true })
    expectSpec('legacy', 'PaymentIntentPse', confirmed.body)
    const info = confirmed.body.payment_method_information.pse
    expect(info.redirect_url).toMatch(/\/payments\/sandbox\/pse\/[0-9a-f]{32}\/$/)
    expect(info.bank_payment_id).toMatch(/^\d{10}$/)

    const page = await h.app.inject({ method: 'GET', url: new URL(info.redirect_url).pathname })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.body).toContain('lang="es-CO"')
    expect(page.body).toContain('$ 50.000 COP')
    expect(page.body).toContain('Banco Ponte Colombia')
    const done = await decide(confirmed.body, 'complete')
    expect(done.status).toBe(303)
    expect(done.headers.location).toBe('https://merchant.example/vuelta')
    // A second decision changes nothing.
    expect((await decide(confirmed.body, 'abandon')).status).toBe(303)

    const settled = await call('GET', `/payments/payment-intents/${intent.id}/`)
    expectSpec('legacy', 'PaymentIntentPse', settled.body)
    expect(settled.body).toMatchObject({ status: 'SUCCEEDED', last_error: null, next_step: { type: 'pse_display_payment_succeeded' } })
    expect(settled.body.charges.map((c: Json) => [c.status, c.amount, c.currency])).toEqual([['SUCCEEDED', '50000', 'COP']])

    const transactions = await call('GET', `/payments/transactions/?currency=COP&beneficiary=${pseAccount.id}`)
    expectSpec('legacy', 'PaymentsTransactionsPaginatedResponse', transactions.body)
    const transaction = transactions.body.results.find((t: Json) => t.payment_intent === intent.id)
    expect(transaction).toMatchObject({
      amount: '50000',
      currency: 'COP',
      transaction_type: 'INFLOW',
      payer: { bank_account_information: { payer_institution: CO_BANK } },
    })
    const one = await call('GET', `/payments/transactions/${transaction.id}/`)
    expectSpec('legacy', 'paymentTransaction', one.body)
    expect((await call('GET', `/payments/transactions/${transaction.id}/`, undefined, { auth: h.otherAuth })).status).toBe(404)
    // Not Brazil's: /payments/br/ does not show Colombia's transactions or intents.
    expect((await call('GET', `/payments/br/transactions/${transaction.id}/`)).status).toBe(404)
    expect((await call('GET', `/payments/br/payment-intents/${intent.id}/`)).status).toBe(404)

    const ledger = await paymentsLedger(h.db, { organizationId: org }, intent.id)
    expect(ledger.map((e) => [e.from_status, e.to_status, e.actor.split(':')[0], e.reason])).toEqual([
      [null, 'REQUIRES_PAYMENT_METHOD', 'key', 'created'],
      ['REQUIRES_PAYMENT_METHOD', 'REQUIRES_ACTION', 'key', 'payer institution selected'],
      ['REQUIRES_ACTION', 'REQUIRES_ACTION', 'key', 'confirmed'],
      ['REQUIRES_ACTION', 'PROCESSING', 'sandbox', 'authorized by the payer'],
      ['PROCESSING', 'SUCCEEDED', 'sandbox', 'settled'],
    ])
    // Deliveries of one object may arrive in any order (docs/payments.md, Not yet): wait for all three.
    const hooks = await receiver.waitFor((all) => all.filter((r) => r.body.object_id === intent.id).length >= 3)
    expect(
      hooks
        .filter((r) => r.body.object_id === intent.id)
        .map((r) => r.body.data.status)
        .sort(),
    ).toEqual(['PROCESSING', 'REQUIRES_ACTION', 'SUCCEEDED'])
    expect(hooks.find((r) => r.body.object_id === intent.id)!.body).toMatchObject({
      webhook_type: 'PAYMENT_INTENTS',
      webhook_code: 'STATUS_UPDATE',
      data: { metadata: { order: 'A-42' } },
    })

    const after = await call('PATCH', `/payments/payment-intents/${intent.id}/`, { payment_method_details: { pse: {} }, confirm: true })
    expect(after.body[0]).toMatchObject({ code: 'invalid', field: 'status' })
  })

  it.each([
    ['1500000', 'complete', 'insufficient_funds', ['FAILED']],
    ['2500000', 'complete', 'payment_rejected', []],
    ['3500000', 'complete', 'amount_over_limit', ['FAILED']],
    ['4500000', 'complete', 'fraud_suspected', ['FAILED']],
    ['6000000', 'complete', null, ['SUCCEEDED']],
    ['20000', 'abandon', 'payment_abandoned', []],
  ])('settles %s COP (%s) by the sandbox amount rules: failure %s', async (amount, decision, failureCode, charges) => {
    const intent = await confirmedIntent(amount)
    expect((await decide(intent, decision as 'complete' | 'abandon')).status).toBe(303)
    const res = await call('GET', `/payments/payment-intents/${intent.id}/`)
    expectSpec('legacy', 'PaymentIntentPse', res.body)
    expect(res.body).toMatchObject({ status: failureCode ? 'FAILED' : 'SUCCEEDED', failure_code: failureCode })
    if (failureCode) expect(res.body.last_error).toMatchObject({ error_code: 'payment_error', error_message: expect.any(String) })
    expect(res.body.charges.map((c: Json) => c.status)).toEqual(charges)
  })

  it('lists PSE intents with the spec’s filters and refuses bad amounts, customers and accounts', async () => {
    const payer = await created('/payments/customers/', pseCustomerBody(), 'CustomerPse')
    const mine = (amount: string) => confirmedIntent(amount, payer.id)
    const [paid, refused, waiting] = [await mine('70000'), await mine('1500000'), await mine('80000')]
    await decide(paid, 'complete')
    await decide(refused, 'complete')
    const list = await call(
      'GET',
      `/payments/payment-intents/?customer=${payer.id}&status=SUCCEEDED&amount__gte=50000&provider=payments_way&payment_method_type=pse`,
    )
    expect(list.status).toBe(200)
    expectSpec('legacy', 'PaymentIntentPaginatedResponse', list.body)
    expect(list.body.results.map((i: Json) => i.id)).toEqual([paid.id])
    const failed = await call('GET', `/payments/payment-intents/?customer__in=${payer.id},${randomUUID()}&status__in=FAILED,PROCESSING`)
    expect(failed.body.results.map((i: Json) => i.id)).toEqual([refused.id])
    const cheap = await call('GET', `/payments/payment-intents/?customer=${payer.id}&amount__lt=1000000&id__in=${waiting.id},${paid.id}`)
    expect(cheap.body.results.map((i: Json) => i.id).sort()).toEqual([waiting.id, paid.id].sort())
    expect((await call('GET', '/payments/payment-intents/', undefined, { auth: h.otherAuth })).body.count).toBe(0)

    const brazilian = (await call('GET', '/payments/customers/?country=BRA')).body.results[0]
    const bad: [Json, string, string][] = [
      [{ amount: '100.50' }, 'amount', 'invalid'],
      [{ amount: '0' }, 'amount', 'invalid'],
      [{ amount: 5000 }, 'amount', 'invalid'],
      [{ customer: brazilian.id }, 'customer', 'invalid'],
      [{ customer: randomUUID() }, 'customer', 'does_not_exist'],
      [{ allowed_payment_method_types: ['open_finance'] }, 'allowed_payment_method_types', 'invalid'],
      [{ provider: 'wompi' }, 'provider', 'invalid_choice'],
      [
        { payment_method_details: { pse: { beneficiary_bank_account: randomUUID(), belvo_flow: true } } },
        'payment_method_details.pse.beneficiary_bank_account',
        'does_not_exist',
      ],
    ]
    for (const [extra, field, code] of bad) {
      const res = await call('POST', '/payments/payment-intents/', intentBody('1000', extra))
      expect(res.status, JSON.stringify(extra)).toBe(400)
      expect(res.body[0], JSON.stringify(extra)).toMatchObject({ code, field })
    }
    // Another organization's customer is not there for this one.
    const other = await call('POST', '/payments/customers/', pseCustomerBody(), { auth: h.otherAuth })
    const res = await call('POST', '/payments/payment-intents/', intentBody('1000', { customer: other.body.id }))
    expect(res.body[0]).toMatchObject({ code: 'does_not_exist', field: 'customer' })

    const intent = await created('/payments/payment-intents/', intentBody('1000'), 'PaymentIntentPse')
    const noPayer = await call('PATCH', `/payments/payment-intents/${intent.id}/`, { payment_method_details: { pse: {} }, confirm: true })
    expect(noPayer.body[0]).toMatchObject({ code: 'invalid', field: 'payment_method_details.pse.payer_institution' })
    const inactive = await call('PATCH', `/payments/payment-intents/${intent.id}/`, { payment_method_details: { pse: { payer_institution: CO_INACTIVE } } })
    expect(inactive.body[0]).toMatchObject({ code: 'invalid', field: 'payment_method_details.pse.payer_institution' })
    const brazilBank = await call('PATCH', `/payments/payment-intents/${intent.id}/`, { payment_method_details: { pse: { payer_institution: BR_RETAIL } } })
    expect(brazilBank.body[0]).toMatchObject({ code: 'does_not_exist', field: 'payment_method_details.pse.payer_institution' })
    expect((await call('PATCH', `/payments/payment-intents/${intent.id}/`, { confirm: true }, { auth: h.otherAuth })).status).toBe(404)
    expect((await call('GET', `/payments/payment-intents/${intent.id}/`, undefined, { auth: h.otherAuth })).status).toBe(404)
    expect((await h.app.inject({ method: 'GET', url: '/payments/sandbox/pse/0123456789abcdef0123456789abcdef/' })).statusCode).toBe(404)
  })

  /** The payer's browser on a page: a GET, or a form POST. */
  const page = (url: string, form?: string) =>
    h.app.inject({
      method: form === undefined ? 'GET' : 'POST',
      url: new URL(url, 'http://x').pathname,
      headers: form === undefined ? {} : FORM,
      payload: form,
    })

  it('pays a PSE payment link: its page (Spanish), the bank, back to the link, which is then used', async () => {
    const link = await created(
      '/payments/payment-links/',
      {
        ...intentBody('75000'),
        allowed_payment_method_types: undefined,
        description: 'Suscripción mensual',
        callback_urls: { success: 'https://merchant.example/ok', cancel: 'https://merchant.example/cancel' },
        expires_in: '2h',
      },
      'PaymentLinkPse',
    )
    expect(link).toMatchObject({ status: 'ACTIVE', expires_in: '2h', payment_intent: { status: 'REQUIRES_PAYMENT_METHOD', amount: '75000' } })
    expect(Date.parse(link.expires_at) - Date.parse(link.created_at)).toBe(2 * 3_600_000)
    expect(link.payment_url).toMatch(new RegExp(`/payments/pay/${link.access_token}/$`))
    const form = await page(link.payment_url)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('lang="es-CO"')
    expect(form.body).toContain('$ 75.000 COP')
    expect(form.body).not.toContain(BR_RETAIL)
    // A bank that is not on the list: the same page, asking to choose one.
    expect((await page(link.payment_url, `institution=${BR_RETAIL}`)).statusCode).toBe(400)
    const toBank = await page(link.payment_url, `institution=${CO_BANK}`)
    expect(toBank.statusCode).toBe(303)
    expect(toBank.headers.location).toMatch(/\/payments\/sandbox\/pse\/[0-9a-f]{32}\/$/)
    const back = await page(String(toBank.headers.location), 'decision=complete')
    expect(back.statusCode).toBe(303)
    expect(back.headers.location).toBe(link.payment_url)
    const result = await page(link.payment_url)
    expect(result.body).toContain('data-status="SUCCEEDED"')
    expect(result.body).toContain('https://merchant.example/ok')

    const detail = await call('GET', `/payments/payment-links/${link.access_token}/`)
    expectSpec('legacy', 'PaymentLinkPse', detail.body)
    expect(detail.body).toMatchObject({ status: 'INACTIVE', payment_intent: { status: 'SUCCEEDED' } })
    const used = await call('GET', `/payments/payment-links/?status=INACTIVE&search=${encodeURIComponent('Suscripción')}`)
    expectSpec('legacy', 'PaymentLinkPaginatedResponse', used.body)
    expect(used.body.results.map((l: Json) => [l.id, l.payment_intent])).toEqual([[link.id, link.payment_intent.id]])
    expect((await call('GET', `/payments/payment-links/${link.access_token}/`, undefined, { auth: h.otherAuth })).status).toBe(404)
    const ledger = await paymentsLedger(h.db, { organizationId: org }, link.id)
    expect(ledger.map((e) => [e.object_type, e.from_status, e.to_status])).toEqual([
      ['payment_link', null, 'ACTIVE'],
      ['payment_link', 'ACTIVE', 'INACTIVE'],
    ])
  })

  it('pays an OFPI payment link on its Portuguese page through Brazil’s sandbox network', async () => {
    const customer = await created(
      '/payments/customers/',
      { customer_type: 'INDIVIDUAL', name: 'João Pereira', country: 'BRA', email: 'joao@example.com', identifier_type: 'CPF', identifier: generateCpf() },
      'CustomerOfpi',
    )
    const account = await created(
      '/payments/bank-accounts/',
      {
        institution: BR_RETAIL,
        holder: { type: 'BUSINESS', information: { name: 'Loja do Bairro Ltda', identifier_type: 'CNPJ', identifier: generateCnpj() } },
        details: { country: 'BRA', account_type: 'CHECKINGS', agency: '0001', number: String(100000 + Math.floor(Math.random() * 899999)) },
      },
      'BankAccountOfpiResponse',
    )
    const link = await created(
      '/payments/payment-links/',
      {
        amount: '42.50',
        customer: customer.id,
        description: 'Pedido 77',
        allowed_payment_method_types: ['open_finance'],
        provider: 'belvo',
        payment_method_details: { open_finance: { beneficiary_bank_account: account.id } },
      },
      'PaymentLinkOfpi',
    )
    expect(link).toMatchObject({ status: 'ACTIVE', expires_in: '7d', payment_intent: { amount: '42.50', currency: 'BRL', status: 'REQUIRES_PAYMENT_METHOD' } })
    const form = await page(link.payment_url)
    expect(form.body).toContain('lang="pt-BR"')
    expect(form.body).toContain('R$ 42,50')
    expect(form.body).toContain('Loja do Bairro Ltda')
    // A Colombian bank is not one of Brazil's: the same page, asking to choose one.
    expect((await page(link.payment_url, `institution=${CO_BANK}`)).statusCode).toBe(400)
    const paid = await page(link.payment_url, `institution=${BR_RETAIL}`)
    expect(paid.statusCode).toBe(200)
    expect(paid.body).toContain('data-status="SUCCEEDED"')
    const detail = await call('GET', `/payments/payment-links/${link.access_token}/`)
    expectSpec('legacy', 'PaymentLinkOfpi', detail.body)
    expect(detail.body).toMatchObject({
      status: 'INACTIVE',
      payment_intent: { status: 'SUCCEEDED', payment_method_details: { open_finance: { payer_institution: BR_RETAIL } } },
    })
    // The same intent for Payments Brazil, with its charge and transaction.
    const brazil = await call('GET', `/payments/br/payment-intents/${link.payment_intent.id}/`)
    expect(brazil.body.charges[0].transactions[0]).toMatchObject({ amount: '42.50', currency: 'BRL' })
  })

  it('refuses bad links and lets an unpaid one expire', async () => {
    const bad: [Json, string, string][] = [
      [{ expires_in: '45s' }, 'expires_in', 'invalid'],
      [{ expires_in: '31d' }, 'expires_in', 'invalid'],
      [{ callback_urls: { success: 'ftp://merchant.example' } }, 'callback_urls.success', 'invalid'],
      [{ amount: '12.5' }, 'amount', 'invalid'],
      [{ payment_method_details: {} }, 'payment_method_details.pse', 'required'],
    ]
    for (const [extra, field, code] of bad) {
      const res = await call('POST', '/payments/payment-links/', { ...intentBody('1000'), ...extra })
      expect(res.status, JSON.stringify(extra)).toBe(400)
      expect(res.body[0], JSON.stringify(extra)).toMatchObject({ code, field })
    }
    const link = await created('/payments/payment-links/', { ...intentBody('1000'), description: 'Vence pronto', expires_in: '30m' }, 'PaymentLinkPse')
    const active = await call('GET', '/payments/payment-links/?status=ACTIVE&ordering=-expires_at')
    expect(active.body.results.map((l: Json) => l.id)).toContain(link.id)
    h.clock.advance(31 * 60_000)
    const expired = await call('GET', `/payments/payment-links/?status=INACTIVE&search=${encodeURIComponent('Vence pronto')}`)
    expect(expired.body.results.map((l: Json) => [l.id, l.status])).toEqual([[link.id, 'INACTIVE']])
    expect((await page(link.payment_url)).statusCode).toBe(410)
    expect((await page(link.payment_url, `institution=${CO_BANK}`)).statusCode).toBe(410)
    expect((await call('GET', '/payments/payment-links/?ordering=amount')).body[0]).toMatchObject({ code: 'invalid_choice', field: 'ordering' })
  })

  it("judges a payment link's expiry on its organization's time (its sandbox clock), not the server's", async () => {
    const key = await createSecretKey(h.db, { newOrganization: 'link clock', name: 'link clock' })
    const auth = basic(key)
    expect((await call('PUT', '/sandbox/clock/', { now: h.clock.now().toISOString() }, { auth })).status).toBe(200)
    const customer = await call('POST', '/payments/customers/', pseCustomerBody(), { auth })
    const account = await call('POST', '/payments/bank-accounts/', pseAccountBody(), { auth })
    const body = intentBody('1000', { customer: customer.body.id, description: 'Vence en su hora', expires_in: '30m' })
    body.payment_method_details.pse.beneficiary_bank_account = account.body.id
    const link = await call('POST', '/payments/payment-links/', body, { auth })
    expect(link.status, JSON.stringify(link.body)).toBe(201)
    // An hour on for the server: the organization's time is still that of the link's creation.
    h.clock.advance(60 * 60_000)
    expect((await page(link.body.payment_url)).statusCode).toBe(200)
    expect((await call('GET', `/payments/payment-links/${link.body.access_token}/`, undefined, { auth })).body.status).toBe('ACTIVE')
    // Thirty-one minutes on for the organization: past the link's half hour.
    expect((await call('POST', '/sandbox/clock/advance/', { by: 'PT31M' }, { auth })).status).toBe(200)
    expect((await page(link.body.payment_url)).statusCode).toBe(410)
    expect((await call('GET', `/payments/payment-links/${link.body.access_token}/`, undefined, { auth })).body.status).toBe('INACTIVE')
  })

  it('lists the organization’s secret keys and makes a new one for a login, refusing a wrong one', async () => {
    const list = await call('GET', '/payments/secret-keys/')
    expectSpec('legacy', 'SecretKeysPaginatedResponse', list.body)
    expect(list.body.results.map((k: Json) => k.id)).toContain(h.key.id)
    expect(list.body.results.map((k: Json) => k.id)).not.toContain(h.otherKey.id)
    const made = await call('POST', '/payments/secret-keys/', { email: h.key.id, password: h.key.password }, { auth: null })
    expect(made.status, JSON.stringify(made.body)).toBe(201)
    for (const item of made.body) expectSpec('legacy', 'Payments_RequestApiKeysResponse', item)
    const again = await call('GET', '/payments/secret-keys/', undefined, { auth: basic(made.body[0]) })
    expect(again.body.results.map((k: Json) => k.id)).toEqual(expect.arrayContaining([h.key.id, made.body[0].id]))
    const wrong = await call('POST', '/payments/secret-keys/', { email: h.key.id, password: 'not-it' }, { auth: null })
    expect(wrong.status).toBe(401)
    expect(wrong.body[0]).toMatchObject({ code: 'authentication_failed' })
    const missing = await call('POST', '/payments/secret-keys/', { email: h.key.id }, { auth: null })
    expect(missing.status).toBe(400)
    expect(missing.body[0]).toMatchObject({ code: 'required', field: 'password' })
    expect((await call('GET', '/payments/secret-keys/', undefined, { auth: null })).status).toBe(401)
  })
})
