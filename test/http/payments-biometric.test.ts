import { generateCnpj, generateCpf } from '@brazilian-utils/brazilian-utils'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { paymentsLedger } from '../../src/domain/payments/intents.ts'
import { createHarness, type CallResult, type Harness } from '../helpers/harness.ts'
import { expectSpec } from '../helpers/spec.ts'

// Biometric Pix (issue 16): the payments widget token (POST /payments/br/token/), the sandbox
// institution's enrollment page, biometric payment intents and their authorization rules, and the
// payments widget's calls (/widget/api/payments/) without a browser (test/widget/payments-widget
// drives the pages in Chromium).

type Json = Record<string, any>

/** The sandbox catalog's ids (migration 0014). */
const RETAIL = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001'
const IPE = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1003'
const INACTIVE = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1004'
const BIO = 'open_finance_biometric_pix'

describe('biometric Pix', () => {
  let h: Harness
  let account: Json
  let customer: Json
  const call: Harness['call'] = (...args) => h.call(...args)
  const ok = (res: CallResult, status = 200) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status)
    return res.body as Json
  }
  const bad = (res: CallResult, item: Json) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400)
    expect(res.body[0]).toMatchObject({ request_id: expect.any(String), ...item })
  }

  /** The bank page, as the person's browser sees it. */
  const page = (url: string) => h.app.inject({ method: 'GET', url: new URL(url).pathname + new URL(url).search })
  const decide = (state: string, decision: string) =>
    h.app.inject({
      method: 'POST',
      url: '/sandbox/openfinance/enrollments/decision',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ state, decision, locale: 'en' }).toString(),
    })

  const enroll = async (customerId = customer.id, callback = 'https://merchant.example/enrolled?from=app') =>
    ok(
      await call('POST', '/payments/br/enrollments/', {
        type: BIO,
        details: { customer: customerId, institution: RETAIL, platform: 'IOS', name: 'iPhone', risk_signals: {}, callback_url: callback },
      }),
      201,
    )
  /** An enrollment approved at the bank page and completed with the page's code. */
  const enrolled = async (customerId = customer.id) => {
    const enrollment = await enroll(customerId)
    const back = new URL(String((await decide(stateOf(enrollment), 'approve')).headers.location))
    ok(await call('POST', '/payments/br/enrollments/complete-redirection/', { state: back.searchParams.get('state'), code: back.searchParams.get('code') }))
    return enrollment
  }
  const stateOf = (enrollment: Json) => new URL(enrollment.details.redirect_url).searchParams.get('state')!
  const biometricBody = (amount: string, enrollment: string, extra: Json = {}) => ({
    amount,
    customer: customer.id,
    description: 'Assinatura mensal',
    allowed_payment_method_types: [BIO],
    payment_method_details: { [BIO]: { beneficiary_bank_account: account.id, enrollment } },
    ...extra,
  })

  beforeAll(async () => {
    h = await createHarness()
    account = ok(
      await call('POST', '/payments/br/bank-accounts/', {
        institution: RETAIL,
        holder: { type: 'BUSINESS', information: { name: 'Loja Exemplo Ltda', identifier_type: 'CNPJ', identifier: generateCnpj() } },
        details: { account_type: 'CHECKINGS', agency: '0001', number: '1234567' },
      }),
      201,
    )
    customer = ok(await call('POST', '/payments/br/customers/', { identifier: generateCpf(), name: 'Maria da Silva' }), 201)
  })
  afterAll(async () => h.close())

  describe('POST /payments/br/token/', () => {
    const tokenBody = (): Json => ({
      use_cases: ['ENROLLMENT', 'PAYMENT_INTENT'],
      widget: {
        callback_urls: { success: 'https://merchant.example/ok', exit: 'https://merchant.example/exit' },
        branding: { company_name: 'Loja Exemplo', color_scheme: 'LIGHT' },
        top_tier_institutions: ['ipe_br_retail', 'nubank_retail'],
        enrollment: { type: BIO, details: { customer: { identifier: generateCpf(), name: 'João Pereira' } }, metadata: {} },
        payment_intent: {
          amount: '42.50',
          description: 'Pedido 77',
          allowed_payment_method_types: [BIO],
          payment_method_details: { [BIO]: { beneficiary_bank_account: account.id } },
          metadata: {},
        },
      },
    })
    /** tokenBody with `path` (dotted) set to `value` (undefined deletes it). */
    const withValue = (path: string, value: unknown) => {
      const body = tokenBody()
      const keys = path.split('.')
      const parent = keys.slice(0, -1).reduce((node, key) => node[key], body)
      if (value === undefined) delete parent[keys[keys.length - 1]]
      else parent[keys[keys.length - 1]] = value
      return body
    }

    it('issues a WidgetToken pair with the payments scopes of its use cases', async () => {
      const token = ok(await call('POST', '/payments/br/token/', tokenBody()))
      expectSpec('current', 'WidgetToken', token)
      const claims = JSON.parse(Buffer.from(token.access.split('.')[1], 'base64url').toString())
      expect(claims).toMatchObject({ token_type: 'access', scopes: ['read_payment_institutions', 'write_enrollments', 'write_payment_intents'] })
      // Only the payment, with an enrollment the customer already has.
      const enrollment = await enroll()
      const payOnly = withValue('use_cases', ['PAYMENT_INTENT'])
      delete payOnly.widget.enrollment
      payOnly.widget.payment_intent.payment_method_details[BIO].enrollment = enrollment.id
      ok(await call('POST', '/payments/br/token/', payOnly))
      expect((await call('POST', '/payments/br/token/', tokenBody(), { auth: null })).status).toBe(401)
      for (const raw of ['[1]', 'null', '{"use_cases": "ENROLLMENT"', '"x"'])
        expect((await call('POST', '/payments/br/token/', undefined, { raw })).status, raw).toBe(400)
      bad(await call('POST', '/payments/br/token/', { use_cases: ['ENROLLMENT'], widget: [] }), { code: 'invalid', field: 'widget' })
    })

    it.each([
      ['use_cases', undefined, 'required'],
      ['use_cases', ['REFUND'], 'invalid_choice'],
      ['use_cases', ['ENROLLMENT', 'ENROLLMENT'], 'invalid'],
      ['widget', undefined, 'required'],
      ['widget.callback_urls', undefined, 'required'],
      ['widget.callback_urls.exit', undefined, 'required'],
      ['widget.branding.company_name', '', 'blank'],
      ['widget.branding.color_scheme', 'PINK', 'invalid_choice'],
      ['widget.top_tier_institutions', ['unknown_bank'], 'invalid_choice'],
      ['widget.top_tier_institutions', [], 'invalid'],
      ['widget.enrollment', undefined, 'required'],
      ['widget.enrollment.type', 'pix', 'invalid_choice'],
      ['widget.enrollment.details.customer', randomUUID(), 'does_not_exist'],
      ['widget.enrollment.details.customer.identifier', '12345678900', 'invalid'],
      ['widget.enrollment.details.institution', INACTIVE, 'invalid'],
      ['widget.enrollment.metadata', undefined, 'required'],
      ['widget.payment_intent', undefined, 'required'],
      ['widget.payment_intent.amount', '12.345', 'invalid'],
      ['widget.payment_intent.description', undefined, 'required'],
      ['widget.payment_intent.allowed_payment_method_types', ['open_finance'], 'invalid'],
      [`widget.payment_intent.payment_method_details.${BIO}.beneficiary_bank_account`, randomUUID(), 'does_not_exist'],
      [`widget.payment_intent.payment_method_details.${BIO}.enrollment`, randomUUID(), 'does_not_exist'],
    ])('refuses %s = %j with a 400 %s on that field', async (path, value, code) => {
      bad(await call('POST', '/payments/br/token/', withValue(path, value)), { code, field: path })
    })

    it('asks for the enrollment of a payment-only token', async () => {
      const body = withValue('use_cases', ['PAYMENT_INTENT'])
      bad(await call('POST', '/payments/br/token/', body), { code: 'required', field: `widget.payment_intent.payment_method_details.${BIO}.enrollment` })
    })
  })

  describe("the institution's enrollment page", () => {
    it('approves: back to the callback_url with state and code, which alone completes the enrollment', async () => {
      const enrollment = await enroll()
      expect(enrollment.details.redirect_url).toMatch(/^http:\/\/[^/]+\/sandbox\/openfinance\/enrollments\/authorize\?state=[0-9a-f]{32}$/)
      const shown = await page(enrollment.details.redirect_url + '&locale=en')
      expect(shown.statusCode).toBe(200)
      expect(shown.headers['content-type']).toMatch(/text\/html/)
      expect(shown.body).toContain('Register a device for biometric Pix')
      expect(shown.body).toContain('Maria da Silva')
      expect(shown.body).toContain('iOS · iPhone')
      expect((await page(enrollment.details.redirect_url)).body).toContain('lang="pt-BR"')

      const approved = await decide(stateOf(enrollment), 'approve')
      expect(approved.statusCode).toBe(303)
      const back = new URL(String(approved.headers.location))
      expect(back.origin + back.pathname).toBe('https://merchant.example/enrolled')
      expect(back.searchParams.get('from')).toBe('app')
      expect(back.searchParams.get('state')).toBe(stateOf(enrollment))
      expect(back.searchParams.get('code')).toMatch(/^[0-9a-f]{32}$/)
      // Answered once: the page and a second answer say so.
      expect((await page(enrollment.details.redirect_url)).statusCode).toBe(409)
      expect((await decide(stateOf(enrollment), 'refuse')).statusCode).toBe(409)

      const state = back.searchParams.get('state')
      bad(await call('POST', '/payments/br/enrollments/complete-redirection/', { state, code: 'guessed', id_token: 'x' }), {
        code: 'invalid',
        field: 'code',
      })
      const done = ok(await call('POST', '/payments/br/enrollments/complete-redirection/', { state, code: back.searchParams.get('code'), id_token: 'x' }))
      expectSpec('current', 'EnrollmentBiometricPix', done)
      expect(done).toMatchObject({ status: 'SUCCEEDED', details: { status: 'AUTHORIZED' } })
    })

    it('refuses: back with the error, and a code cannot complete it', async () => {
      const enrollment = await enroll()
      const refused = await decide(stateOf(enrollment), 'refuse')
      expect(refused.statusCode).toBe(303)
      const back = new URL(String(refused.headers.location))
      expect(back.searchParams.get('error')).toBe('access_denied')
      const state = back.searchParams.get('state')
      bad(await call('POST', '/payments/br/enrollments/complete-redirection/', { state, code: 'abc' }), { code: 'invalid', field: 'code' })
      const failed = ok(
        await call('POST', '/payments/br/enrollments/complete-redirection/', {
          state,
          error: 'access_denied',
          error_description: back.searchParams.get('error_description'),
        }),
      )
      expectSpec('current', 'EnrollmentBiometricPix', failed)
      expect(failed).toMatchObject({ status: 'FAILED', status_reason_code: 'access_denied' })
    })

    it('answers unknown, expired and malformed requests with a page of their own', async () => {
      expect((await page('http://x/sandbox/openfinance/enrollments/authorize?state=' + 'a'.repeat(32))).statusCode).toBe(404)
      expect((await page('http://x/sandbox/openfinance/enrollments/authorize')).statusCode).toBe(404)
      expect((await decide('a'.repeat(32), 'maybe')).statusCode).toBe(400)
      const enrollment = await enroll()
      h.clock.advance(16 * 60_000)
      const expired = await page(enrollment.details.redirect_url)
      expect(expired.statusCode).toBe(410)
      expect(expired.body).toContain('role="alert"')
      expect((await decide(stateOf(enrollment), 'approve')).statusCode).toBe(410)
    })

    it("judges the enrollment's deadline on the organization's sandbox clock, not the server's", async () => {
      expect((await call('PUT', '/sandbox/clock/', { now: h.clock.now().toISOString() })).status).toBe(200)
      try {
        const enrollment = await enroll()
        // Sixteen minutes on for the server: the organization's time has not moved.
        h.clock.advance(16 * 60_000)
        expect((await page(enrollment.details.redirect_url)).statusCode).toBe(200)
        // Sixteen minutes on for the organization: past the enrollment's quarter of an hour.
        expect((await call('POST', '/sandbox/clock/advance/', { by: 'PT16M' })).status).toBe(200)
        expect((await page(enrollment.details.redirect_url)).statusCode).toBe(410)
      } finally {
        expect((await call('DELETE', '/sandbox/clock/')).status).toBe(200)
      }
    })
  })

  describe('biometric payment intents', () => {
    it('are paid only with a SUCCEEDED enrollment of their customer, by the amount rules', async () => {
      const pending = await enroll()
      const created = ok(await call('POST', '/payments/br/payment-intents/', biometricBody('50.00', pending.id)), 201)
      expectSpec('current', 'PaymentIntentOfpi', created)
      expect(created).toMatchObject({
        status: 'REQUIRES_ACTION',
        selected_payment_method_type: BIO,
        allowed_payment_method_types: [BIO],
        payment_method_details: { [BIO]: { beneficiary_bank_account: account.id, enrollment: pending.id }, open_finance: { payer_institution: RETAIL } },
      })
      bad(await call('POST', `/payments/br/payment-intents/${created.id}/authorize/`), { code: 'invalid', field: 'enrollment' })

      const enrollment = await enrolled()
      const paid = ok(await call('POST', '/payments/br/payment-intents/', biometricBody('50.00', enrollment.id)), 201)
      const settled = ok(await call('POST', `/payments/br/payment-intents/${paid.id}/authorize/`))
      expectSpec('current', 'PaymentIntentOfpi', settled)
      expect(settled).toMatchObject({ status: 'SUCCEEDED', charges: [{ status: 'SUCCEEDED', transactions: [{ amount: '50.00' }] }] })
      bad(await call('POST', `/payments/br/payment-intents/${paid.id}/authorize/`), { code: 'invalid', field: 'status' })
      const ledger = await paymentsLedger(h.db, { organizationId: h.key.organizationId }, paid.id)
      expect(ledger.map((e) => [e.from_status, e.to_status, e.actor])).toEqual([
        [null, 'REQUIRES_ACTION', `key:${h.key.id}`],
        ['REQUIRES_ACTION', 'PROCESSING', 'sandbox'],
        ['PROCESSING', 'SUCCEEDED', 'sandbox'],
      ])

      const poor = ok(await call('POST', '/payments/br/payment-intents/', biometricBody('150.00', enrollment.id)), 201)
      const refused = ok(await call('POST', `/payments/br/payment-intents/${poor.id}/authorize/`))
      expect(refused).toMatchObject({ status: 'FAILED', failure_code: 'insufficient_funds' })
      const listed = ok(await call('GET', `/payments/br/payment-intents/?payment_method_type=${BIO}&status=SUCCEEDED`))
      expect(listed.results.map((i: Json) => i.id)).toEqual([paid.id])
    })

    it('refuses bodies with the field: enrollment of another customer, failed enrollment, wrong method', async () => {
      const other = ok(await call('POST', '/payments/br/customers/', { identifier: generateCpf(), name: 'Ana Souza' }), 201)
      const theirs = await enroll(other.id)
      bad(await call('POST', '/payments/br/payment-intents/', biometricBody('10.00', theirs.id)), {
        code: 'invalid',
        field: `payment_method_details.${BIO}.enrollment`,
      })
      const refused = await enroll()
      await decide(stateOf(refused), 'refuse')
      ok(await call('POST', '/payments/br/enrollments/complete-redirection/', { state: stateOf(refused), error: 'access_denied', error_description: 'no' }))
      bad(await call('POST', '/payments/br/payment-intents/', biometricBody('10.00', refused.id)), {
        code: 'invalid',
        field: `payment_method_details.${BIO}.enrollment`,
      })
      bad(await call('POST', '/payments/br/payment-intents/', biometricBody('10.00', randomUUID())), {
        code: 'does_not_exist',
        field: `payment_method_details.${BIO}.enrollment`,
      })
      bad(await call('POST', '/payments/br/payment-intents/', biometricBody('10.00', theirs.id, { allowed_payment_method_types: ['open_finance'] })), {
        code: 'invalid',
        field: 'allowed_payment_method_types',
      })
      bad(await call('POST', '/payments/br/payment-intents/', biometricBody('0.00', theirs.id)), { code: 'invalid', field: 'amount' })
      // Another organization's enrollment does not exist for this one.
      expect((await call('POST', '/payments/br/payment-intents/', biometricBody('10.00', theirs.id), { auth: h.otherAuth })).status).toBe(400)
    })
  })

  describe('the payments widget API', () => {
    it("creates the token's person as a customer when it enrolls (once, reused by CPF)", async () => {
      const cpf = generateCpf()
      const issue = async () =>
        ok(
          await call('POST', '/payments/br/token/', {
            use_cases: ['ENROLLMENT'],
            widget: {
              callback_urls: { success: 'https://merchant.example/ok', exit: 'https://merchant.example/exit' },
              branding: { company_name: 'Loja Exemplo' },
              enrollment: { type: BIO, details: { customer: { identifier: cpf, name: 'Carla Mendes' }, institution: RETAIL }, metadata: {} },
            },
          }),
        ).access as string
      const ids: string[] = []
      for (const access of [await issue(), await issue()]) {
        const res = await call('POST', '/widget/api/payments/enrollments', { callback_url: 'http://localhost/widget/' }, { auth: `Bearer ${access}` })
        const enrollment = ok(res, 201)
        expect(enrollment.institution).toBe(RETAIL)
        ids.push((await call('GET', `/payments/br/enrollments/${enrollment.id}/`)).body.details.customer)
      }
      expect(ids[0]).toBe(ids[1])
      expect(ok(await call('GET', `/payments/br/customers/${ids[0]}/`))).toMatchObject({ identifier: cpf, name: 'Carla Mendes' })
    })

    it('runs enrollment then payment with a payments token, scoped to what that token created', async () => {
      const token = ok(
        await call('POST', '/payments/br/token/', {
          use_cases: ['ENROLLMENT', 'PAYMENT_INTENT'],
          widget: {
            callback_urls: { success: 'https://merchant.example/ok', exit: 'https://merchant.example/exit' },
            branding: { company_name: 'Loja Exemplo' },
            top_tier_institutions: ['ipe_br_retail'],
            enrollment: { type: BIO, details: { customer: customer.id }, metadata: {} },
            payment_intent: {
              amount: '99.99',
              description: 'Pedido 88',
              allowed_payment_method_types: [BIO],
              payment_method_details: { [BIO]: { beneficiary_bank_account: account.id } },
              metadata: { order: '88' },
            },
          },
        }),
      )
      const w = (method: string, url: string, body?: unknown) => call(method, url, body, { auth: `Bearer ${token.access}` })
      const session = ok(await w('GET', '/widget/api/payments/session'))
      expect(session).toMatchObject({
        use_cases: ['ENROLLMENT', 'PAYMENT_INTENT'],
        branding: { company_name: 'Loja Exemplo' },
        payment: { amount: '99.99', currency: 'BRL', beneficiary: { name: 'Loja Exemplo Ltda', number: '****4567' } },
        enrollment: null,
        payment_intent: null,
      })
      const institutions = ok(await w('GET', '/widget/api/payments/institutions')).results
      expect(institutions.map((i: Json) => [i.id, i.top_tier])).toEqual([
        [IPE, true],
        [RETAIL, false],
      ])
      // A payment before the enrollment has nothing to pay with; links are not this token's.
      bad(await w('POST', '/widget/api/payments/intents'), { code: 'required', field: 'enrollment' })
      expect((await w('GET', '/widget/api/institutions')).status).toBe(403)
      // The connect widget's session call still answers (its shape) for a payments token.
      expect((await w('GET', '/widget/api/session')).status).toBe(200)
      bad(await w('POST', '/widget/api/payments/enrollments', { institution: IPE, callback_url: 'https://evil.example/widget/' }), { field: 'callback_url' })

      bad(await w('POST', '/widget/api/payments/enrollments', { institution: IPE, callback_url: `http://localhost/widget/?access_token=${token.access}` }), {
        field: 'callback_url',
      })
      const callback = 'http://localhost/widget/?locale=pt'
      const started = ok(await w('POST', '/widget/api/payments/enrollments', { institution: IPE, callback_url: callback }), 201)
      expect(started).toMatchObject({ status: 'PENDING', institution: IPE })
      // Asked again (a reload), the same enrollment.
      expect(ok(await w('POST', '/widget/api/payments/enrollments', { institution: IPE, callback_url: callback }), 201).id).toBe(started.id)
      const back = new URL(String((await decide(new URL(started.redirect_url).searchParams.get('state')!, 'approve')).headers.location))
      expect(back.searchParams.get('locale')).toBe('pt')
      const other = await enroll()
      bad(await w('POST', '/widget/api/payments/enrollments/complete', { state: stateOf(other), code: 'x' }), { code: 'does_not_exist', field: 'state' })
      const done = ok(
        await w('POST', '/widget/api/payments/enrollments/complete', { state: back.searchParams.get('state'), code: back.searchParams.get('code') }),
      )
      expect(done).toMatchObject({ id: started.id, status: 'SUCCEEDED', redirect_url: null })

      const intent = ok(await w('POST', '/widget/api/payments/intents'), 201)
      expect(intent).toMatchObject({ status: 'REQUIRES_ACTION', amount: '99.99' })
      expect(ok(await w('POST', '/widget/api/payments/intents'), 201).id).toBe(intent.id)
      const paid = ok(await w('POST', '/widget/api/payments/intents/authorize'))
      expect(paid).toMatchObject({ id: intent.id, status: 'SUCCEEDED', end_to_end_id: expect.stringMatching(/^E99990003/) })
      const detail = ok(await call('GET', `/payments/br/payment-intents/${intent.id}/`))
      expectSpec('current', 'PaymentIntentOfpi', detail)
      expect(detail).toMatchObject({ customer: customer.id, metadata: { order: '88' }, payment_method_details: { [BIO]: { enrollment: started.id } } })
      expect(ok(await w('GET', '/widget/api/payments/session'))).toMatchObject({ enrollment: { status: 'SUCCEEDED' }, payment_intent: { status: 'SUCCEEDED' } })

      // A connect token is not a payments token.
      const connect = ok(await call('POST', '/api/token/', {}))
      const denied = await call('GET', '/widget/api/payments/session', undefined, { auth: `Bearer ${connect.access}` })
      expect(denied.status).toBe(403)
      expect(denied.body[0]).toMatchObject({ code: 'access_to_resource_denied' })
    })
  })
})
