import { generateCnpj, generateCpf } from '@brazilian-utils/brazilian-utils'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { paymentsLedger } from '../../src/domain/payments/intents.ts'
import { runScheduler } from '../../src/domain/sync.ts'
import { END_TO_END_ID } from '../../src/domain/payments/network.ts'
import { sumAmounts } from '../../src/domain/payments/money.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import type { Receiver } from '../helpers/receiver.ts'
import { enrollmentBody as enrollment } from '../helpers/payments.ts'
import { expectSpec } from '../helpers/spec.ts'

type Json = Record<string, any>

/** The sandbox catalog's ids (migration 0014). */
const RETAIL = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001'
const BUSINESS = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1002'
const INACTIVE = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1004'
const V2 = { 'x-belvo-api-resource-version': 'Payments-BR.V2' }

describe('Payments Brazil', () => {
  let h: Harness
  let receiver: Receiver
  let org: string
  let account: Json
  let customer: Json

  const call: Harness['call'] = (...args) => h.call(...args)
  let listening: Promise<string> | undefined
  /** Real HTTP, started once for the tests that need concurrent requests. */
  const baseUrl = () => (listening ??= h.listen())

  async function createAccount(body: Json = {}, headers: Record<string, string> = {}) {
    const res = await call(
      'POST',
      '/payments/br/bank-accounts/',
      {
        institution: RETAIL,
        holder: { type: 'BUSINESS', information: { name: 'Loja Exemplo Ltda', identifier_type: 'CNPJ', identifier: generateCnpj() } },
        details: { account_type: 'CHECKINGS', agency: '0001', number: String(100000 + Math.floor(Math.random() * 899999)) },
        ...body,
      },
      { headers },
    )
    return res
  }

  async function createCustomer(body: Json = {}, headers: Record<string, string> = {}) {
    return call('POST', '/payments/br/customers/', { identifier: generateCpf(), name: 'Maria da Silva', email: 'maria@example.com', ...body }, { headers })
  }

  /** The row an older Ponte committed when it claimed `key` on its own, before creating anything. */
  async function committedClaim(key: string, body: Json, at: Date): Promise<void> {
    const { requestHash } = await import('../../src/domain/payments/idempotency.ts')
    await h.db.query(`INSERT INTO payment_idempotency_keys (organization_id, key, request_hash, state, created_at) VALUES ($1, $2, $3, 'processing', $4)`, [
      org,
      key,
      requestHash('POST', '/payments/br/payment-intents/', body),
      at.toISOString(),
    ])
  }

  function intentBody(amount: string, extra: Json = {}, openFinance: Json = {}): Json {
    return {
      amount,
      customer: customer.id,
      description: 'Pedido 1234',
      allowed_payment_method_types: ['open_finance'],
      payment_method_details: {
        open_finance: { beneficiary_bank_account: account.id, payer_institution: RETAIL, callback_url: 'https://merchant.example/callback', ...openFinance },
      },
      confirm: true,
      ...extra,
    }
  }

  async function createIntent(amount: string, extra: Json = {}, openFinance: Json = {}) {
    const res = await call('POST', '/payments/br/payment-intents/', intentBody(amount, extra, openFinance))
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body as Json
  }

  beforeAll(async () => {
    h = await createHarness()
    org = h.key.organizationId
    receiver = await h.receiveWebhooks('Bearer payments')
    await h.startWorker()
    const a = await createAccount()
    expect(a.status, JSON.stringify(a.body)).toBe(201)
    account = a.body
    const c = await createCustomer()
    expect(c.status, JSON.stringify(c.body)).toBe(201)
    customer = c.body
  })
  afterAll(async () => h.close())

  describe('payment institutions', () => {
    it("lists the sandbox's institutions in Belvo's shape, filtered by type, with a detail per id", async () => {
      const all = await call('GET', '/payments/br/institutions/')
      expect(all.status).toBe(200)
      expect(all.body.count).toBe(4)
      for (const item of all.body.results) expectSpec('current', 'paymentInstitutionBR', item)
      const business = await call('GET', '/payments/br/institutions/?institution_type=BUSINESS')
      expect(business.body.results.map((i: Json) => i.id)).toEqual([BUSINESS])
      const one = await call('GET', `/payments/br/institutions/${RETAIL}/`)
      expect(one.body).toMatchObject({ id: RETAIL, code: '99990001', country: 'BRA', active: true })
      expect((await call('GET', `/payments/br/institutions/${randomUUID()}/`)).status).toBe(404)
    })
  })

  describe('customers', () => {
    it('creates an individual (CPF) and a business (CNPJ) customer in V1, and V2 with the header', async () => {
      expectSpec('current', 'CustomerOfpi', customer)
      expect(customer).toMatchObject({ customer_type: 'INDIVIDUAL', identifier_type: 'CPF', country: 'BRA' })
      const business = await createCustomer({ identifier: generateCnpj(), name: 'Padaria Pão Quente Ltda' })
      expect(business.status).toBe(201)
      expectSpec('current', 'CustomerOfpi', business.body)
      expect(business.body).toMatchObject({ customer_type: 'BUSINESS', identifier_type: 'CNPJ' })
      const v2 = await createCustomer({ external_id: randomUUID() }, V2)
      expect(v2.status).toBe(201)
      expectSpec('current', 'CustomerV2', v2.body)
      expect(Object.keys(v2.body).sort()).toEqual(['created_at', 'external_id', 'id', 'identifier', 'name', 'updated_at'])
      const detail = await call('GET', `/payments/br/customers/${v2.body.id}/`)
      expectSpec('current', 'CustomerOfpi', detail.body)
      const list = await call('GET', '/payments/br/customers/?customer__type=BUSINESS')
      expect(list.body.results.map((c: Json) => c.id)).toContain(business.body.id)
      expect(list.body.results.every((c: Json) => c.customer_type === 'BUSINESS')).toBe(true)
      const search = await call('GET', `/payments/br/customers/?search=${encodeURIComponent('Pão Quente')}`)
      expect(search.body.results.map((c: Json) => c.id)).toEqual([business.body.id])
    })

    it.each([
      ['123.456.789-00', 'identifier'],
      ['11111111111', 'identifier'],
      ['12345678000100', 'identifier'],
      ['abc', 'identifier'],
    ])('refuses the document %s with a 400 on %s', async (identifier, field) => {
      const res = await createCustomer({ identifier })
      expect(res.status).toBe(400)
      expect(res.body[0]).toMatchObject({ code: 'invalid', field })
    })

    it('answers already_registered for a second customer with the same document, and required for a V2 customer without name', async () => {
      const again = await createCustomer({ identifier: customer.identifier })
      expect(again.status).toBe(400)
      expect(again.body[0]).toMatchObject({ code: 'already_registered', field: 'identifier', message: 'This customer is already registered' })
      const noName = await call('POST', '/payments/br/customers/', { identifier: generateCpf() }, { headers: V2 })
      expect(noName.status).toBe(400)
      expect(noName.body[0]).toMatchObject({ code: 'required', field: 'name' })
    })

    it("hides another organization's customers: 404", async () => {
      expect((await call('GET', `/payments/br/customers/${customer.id}/`, undefined, { auth: h.otherAuth })).status).toBe(404)
      expect((await call('GET', '/payments/br/customers/', undefined, { auth: h.otherAuth })).body.count).toBe(0)
    })

    it('finds a customer by its id in upper case, and answers 404 for an id that is not a UUID', async () => {
      const upper = await call('GET', `/payments/br/customers/${customer.id.toUpperCase()}/`)
      expect(upper.status).toBe(200)
      expect(upper.body.id).toBe(customer.id)
      const malformed = await call('GET', '/payments/br/customers/not-a-uuid/')
      expect(malformed.status).toBe(404)
      expect(malformed.body[0]).toMatchObject({ code: 'not_found' })
    })
  })

  describe('bank accounts', () => {
    it("registers the organization's receiving account (V1 business) and a customer's account (V1 individual, V2)", async () => {
      expectSpec('current', 'BankAccountOfpiResponse', account)
      expect(account).toMatchObject({ customer: null, institution: RETAIL, holder: { type: 'BUSINESS' } })
      const individual = await createAccount({
        holder: { type: 'INDIVIDUAL', information: { first_name: 'Maria', last_name: 'da Silva', identifier_type: 'CPF', identifier: customer.identifier } },
      })
      expect(individual.status).toBe(201)
      expectSpec('current', 'BankAccountOfpiResponse', individual.body)
      expect(individual.body.customer).toBe(customer.id)
      const v2 = await call(
        'POST',
        '/payments/br/bank-accounts/',
        {
          holder: { name: 'João Souza', identifier: generateCpf() },
          details: { institution: RETAIL, account_type: 'SAVINGS', agency: '1234', number: '457220' },
          metadata: { internal_reference_id: 'abc' },
        },
        { headers: V2 },
      )
      expect(v2.status, JSON.stringify(v2.body)).toBe(201)
      expectSpec('current', 'BankAccountV2', v2.body)
      const detail = await call('GET', `/payments/br/bank-accounts/${v2.body.id}/`, undefined, { headers: V2 })
      expect(detail.body).toEqual(v2.body)
      const filtered = await call('GET', '/payments/br/bank-accounts/?holder__type=INDIVIDUAL')
      expect(filtered.body.results.every((a: Json) => a.holder.type === 'INDIVIDUAL')).toBe(true)
    })

    it.each([
      [{ details: { account_type: 'CHECKINGS', agency: '0001', number: '45722-0' } }, 'details.number', 'invalid'],
      [{ details: { account_type: 'CHECKING', agency: '0001', number: '457220' } }, 'details.account_type', 'invalid_choice'],
      [{ details: { account_type: 'CHECKINGS', agency: 'x1', number: '457220' } }, 'details.agency', 'invalid'],
      [
        { holder: { type: 'BUSINESS', information: { name: 'X', identifier_type: 'CNPJ', identifier: '11222333000100' } } },
        'holder.information.identifier',
        'invalid',
      ],
      [
        { holder: { type: 'BUSINESS', information: { name: 'X', identifier_type: 'CPF', identifier: generateCpf() } } },
        'holder.information.identifier_type',
        'invalid_choice',
      ],
      [{ institution: randomUUID() }, 'institution', 'does_not_exist'],
      [{ institution: INACTIVE }, 'institution', 'invalid'],
    ])('refuses %j with a 400 on %s', async (body, field, code) => {
      const res = await createAccount(body)
      expect(res.status).toBe(400)
      expect(res.body[0]).toMatchObject({ code, field })
    })

    it("hides another organization's accounts: 404", async () => {
      expect((await call('GET', `/payments/br/bank-accounts/${account.id}/`, undefined, { auth: h.otherAuth })).status).toBe(404)
    })
  })

  describe('payment intents', () => {
    it("creates one with an existing customer and beneficiary account, in Belvo's PaymentIntentOfpi", async () => {
      const intent = await createIntent('50.5', { external_id: randomUUID(), metadata: { order: 'A-1' } })
      expectSpec('current', 'PaymentIntentOfpi', intent)
      expect(intent).toMatchObject({ status: 'REQUIRES_ACTION', amount: '50.50', currency: 'BRL', customer: customer.id, charges: [] })
      expect(intent.payment_method_information.open_finance.redirect_url).toMatch(/^https:\/\//)
    })

    it('creates one with a new customer, and with a new customer and a new beneficiary account', async () => {
      const newCustomer = { identifier: generateCpf(), name: 'Ana Pereira' }
      const a = await call('POST', '/payments/br/payment-intents/', { ...intentBody('10.00'), customer: newCustomer })
      expect(a.status, JSON.stringify(a.body)).toBe(201)
      expectSpec('current', 'PaymentIntentOfpi', a.body)
      const created = await call('GET', `/payments/br/customers/${a.body.customer}/`)
      expect(created.body.identifier).toBe(newCustomer.identifier)
      const beneficiary = {
        institution: BUSINESS,
        holder: { type: 'BUSINESS', information: { name: 'Loja Nova', identifier_type: 'CNPJ', identifier: generateCnpj() } },
        details: { account_type: 'PAYMENTS', agency: '0042', number: '9988776' },
      }
      const b = await call('POST', '/payments/br/payment-intents/', {
        ...intentBody('10.00', {}, { beneficiary_bank_account: beneficiary }),
        customer: { identifier: generateCpf(), name: 'Carlos' },
      })
      expect(b.status, JSON.stringify(b.body)).toBe(201)
      const accountId = b.body.payment_method_details.open_finance.beneficiary_bank_account
      expect((await call('GET', `/payments/br/bank-accounts/${accountId}/`)).body.details.number).toBe('9988776')
    })

    it.each([
      ['cpf', () => generateCpf()],
      ['cnpj', () => generateCnpj()],
      ['email', () => 'pagamentos@loja.com.br'],
      ['phone', () => '+5511987654321'],
      ['evp', () => randomUUID()],
    ])('creates a Pix key payment with a %s key (PaymentIntentPixKeys)', async (_kind, key) => {
      const res = await call(
        'POST',
        '/payments/br/payment-intents/',
        intentBody('20.00', { confirm: false }, { beneficiary_bank_account: undefined, pix_key: key() }),
      )
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      expectSpec('current', 'PaymentIntentPixKeys', res.body)
      expect(res.body.payment_method_information.open_finance.pix_key_details).toBeDefined()
    })

    it.each([
      ['10.123', 'amount'],
      ['0', 'amount'],
      ['0.00', 'amount'],
      ['-1.00', 'amount'],
      ['1,00', 'amount'],
      ['1e3', 'amount'],
    ])('refuses the amount %s with a 400 on %s', async (amount, field) => {
      const res = await call('POST', '/payments/br/payment-intents/', intentBody(amount))
      expect(res.status).toBe(400)
      expect(res.body[0]).toMatchObject({ code: 'invalid', field })
    })

    it.each([
      [{ amount: 10 }, {}, 'amount'],
      [{}, { beneficiary_bank_account: undefined, pix_key: 'not a key' }, 'payment_method_details.open_finance.pix_key'],
      [{}, { beneficiary_bank_account: undefined, pix_key: '+55119876' }, 'payment_method_details.open_finance.pix_key'],
      [{ customer: randomUUID() }, {}, 'customer'],
      [{ customer: { identifier: '00000000000' } }, {}, 'customer.identifier'],
      [{}, { beneficiary_bank_account: randomUUID() }, 'payment_method_details.open_finance.beneficiary_bank_account'],
      [{}, { payer_institution: INACTIVE }, 'payment_method_details.open_finance.payer_institution'],
      [{}, { schedule: { single: { date: '2026-01-15' } } }, 'payment_method_details.open_finance.schedule.single.date'],
      [{}, { schedule: { yearly: { start_date: '2026-02-01', occurrences: 3 } } }, 'payment_method_details.open_finance.schedule'],
      [{ allowed_payment_method_types: ['pse'] }, {}, 'allowed_payment_method_types'],
    ])('refuses %j / %j with a 400 on %s', async (extra, openFinance, field) => {
      const res = await call('POST', '/payments/br/payment-intents/', intentBody('10.00', extra, openFinance))
      expect(res.status).toBe(400)
      expect(res.body[0].field).toBe(field)
    })

    it('updates the payer institution (REQUIRES_PAYMENT_METHOD → REQUIRES_ACTION) and confirms, and refuses updates once authorized', async () => {
      const intent = await createIntent('30.00', { confirm: false }, { payer_institution: undefined })
      expect(intent.status).toBe('REQUIRES_PAYMENT_METHOD')
      const patched = await call('PATCH', `/payments/br/payment-intents/${intent.id}/`, {
        payment_method_details: { open_finance: { payer_institution: RETAIL } },
        confirm: true,
      })
      expect(patched.status, JSON.stringify(patched.body)).toBe(200)
      expectSpec('current', 'PaymentIntentOfpi', patched.body)
      expect(patched.body.status).toBe('REQUIRES_ACTION')
      expect((await call('POST', `/payments/br/payment-intents/${intent.id}/authorize/`)).body.status).toBe('SUCCEEDED')
      const late = await call('PATCH', `/payments/br/payment-intents/${intent.id}/`, { confirm: true })
      expect(late.status).toBe(400)
      expect(late.body[0]).toMatchObject({ code: 'invalid', field: 'status' })
      const ledger = (await paymentsLedger(h.db, { organizationId: org }, intent.id)).map((e) => [e.from_status, e.to_status, e.reason])
      expect(ledger).toEqual([
        [null, 'REQUIRES_PAYMENT_METHOD', 'created'],
        ['REQUIRES_PAYMENT_METHOD', 'REQUIRES_PAYMENT_METHOD', 'confirmed'],
        ['REQUIRES_PAYMENT_METHOD', 'REQUIRES_ACTION', 'payer institution selected'],
        ['REQUIRES_ACTION', 'PROCESSING', 'authorized by the payer'],
        ['PROCESSING', 'SUCCEEDED', 'settled'],
      ])
    })

    it('refuses to authorize an unconfirmed intent', async () => {
      const intent = await createIntent('30.00', { confirm: false })
      const res = await call('POST', `/payments/br/payment-intents/${intent.id}/authorize/`)
      expect(res.status).toBe(400)
      expect(res.body[0]).toMatchObject({ code: 'invalid', field: 'status' })
    })
  })

  describe('the sandbox network', () => {
    it.each([
      ['1.00', 'SUCCEEDED', null, 'SUCCEEDED'],
      ['100.99', 'SUCCEEDED', null, 'SUCCEEDED'],
      ['101.00', 'FAILED', 'insufficient_funds', 'FAILED'],
      ['200.00', 'FAILED', 'insufficient_funds', 'FAILED'],
      ['250.00', 'FAILED', 'consent_rejected', null],
      ['350.00', 'FAILED', 'beneficiary_account_blocked', 'FAILED'],
      ['450.00', 'FAILED', 'amount_over_limit', 'FAILED'],
      ['550.00', 'FAILED', 'fraud_suspected', 'FAILED'],
      ['650.00', 'FAILED', 'charge_settlement_timeout', 'FAILED'],
      ['701.00', 'SUCCEEDED', null, 'SUCCEEDED'],
    ])('authorizing %s ends %s (%s), its charge %s', async (amount, status, failureCode, chargeStatus) => {
      const intent = await createIntent(amount)
      const res = await call('POST', `/payments/br/payment-intents/${intent.id}/authorize/`)
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      expectSpec('current', 'PaymentIntentOfpi', res.body)
      expect(res.body).toMatchObject({ status, failure_code: failureCode })
      expect(res.body.charges.map((c: Json) => c.status)).toEqual(chargeStatus ? [chargeStatus] : [])
      const transactions = await call('GET', `/payments/br/transactions/?payment_intent=${intent.id}`)
      expect(transactions.body.count).toBe(status === 'SUCCEEDED' ? 1 : 0)
      if (status === 'SUCCEEDED') {
        const [transaction] = transactions.body.results
        expectSpec('current', 'paymentTransaction', transaction)
        expect(transaction).toMatchObject({ amount, transaction_type: 'INFLOW', beneficiary: account.id, payment_intent: intent.id, customer: customer.id })
        const e2e = res.body.payment_method_information.open_finance.end_to_end_id
        expect(e2e).toMatch(END_TO_END_ID)
        expect(e2e.slice(1, 9)).toBe('99990001')
        expect(res.body.charges[0].transactions).toEqual([transaction])
        expectSpec('current', 'ChargeBrazil', res.body.charges[0])
      } else {
        expect(res.body.failure_message).toEqual(expect.any(String))
      }
      // Authorizing twice is refused: the intent left REQUIRES_ACTION.
      const again = await call('POST', `/payments/br/payment-intents/${intent.id}/authorize/`)
      expect(again.status).toBe(400)
    })

    it('settles an intent once when its authorization arrives several times at once, over real HTTP', async () => {
      const base = await baseUrl()
      const intent = await createIntent('33.00')
      const responses = await Promise.all(
        Array.from({ length: 6 }, () =>
          fetch(`${base}/payments/br/payment-intents/${intent.id}/authorize/`, { method: 'POST', headers: { authorization: h.auth } }).then((r) => r.status),
        ),
      )
      expect(responses.filter((s) => s === 200)).toHaveLength(1)
      expect(responses.filter((s) => s === 400)).toHaveLength(5)
      expect((await call('GET', `/payments/br/transactions/?payment_intent=${intent.id}`)).body.count).toBe(1)
      const ledger = await paymentsLedger(h.db, { organizationId: org }, intent.id)
      expect(ledger.map((e) => e.to_status)).toEqual(['REQUIRES_ACTION', 'PROCESSING', 'SUCCEEDED'])
    })

    it('settles a Pix key payment with an end_to_end_id and no transaction (as Belvo shows them)', async () => {
      const intent = await createIntent('40.00', {}, { beneficiary_bank_account: undefined, pix_key: 'pagamentos@loja.com.br' })
      const res = await call('POST', `/payments/br/payment-intents/${intent.id}/authorize/`)
      expect(res.body.status).toBe('SUCCEEDED')
      expectSpec('current', 'PaymentIntentPixKeys', res.body)
      expectSpec('current', 'ChargeBrazilPix', res.body.charges[0])
      expect(res.body.charges[0].payment_method_information.open_finance.end_to_end_id).toMatch(END_TO_END_ID)
    })

    it("credits the receiving account's sandbox balance with exactly the settled amounts", async () => {
      const fresh = (await createAccount()).body
      for (const amount of ['0.10', '0.20', '99.99', '150.00']) {
        const intent = await createIntent(amount, {}, { beneficiary_bank_account: fresh.id })
        await call('POST', `/payments/br/payment-intents/${intent.id}/authorize/`)
      }
      const rows = await h.db.query<{ balance: string }>('SELECT balance::text AS balance FROM payment_bank_accounts WHERE id = $1', [fresh.id])
      expect(rows[0].balance).toBe('100.29')
      const listed = await call('GET', `/payments/br/transactions/?beneficiary=${fresh.id}`)
      expect(sumAmounts(listed.body.results.map((t: Json) => t.amount)).toFixed(2)).toBe('100.29')
    })
  })

  describe('cancellation', () => {
    it('cancels a scheduled payment before its date: the charge CANCELED, the intent FAILED; an immediate one cannot be canceled', async () => {
      const immediate = await createIntent('10.00')
      const refused = await call('POST', `/payments/br/payment-intents/${immediate.id}/cancel/`)
      expect(refused.status).toBe(400)
      expect(refused.body[0]).toMatchObject({ code: 'cancellation_error' })

      const scheduled = await createIntent('10.00', {}, { schedule: { single: { date: '2026-02-10' } } })
      const authorized = await call('POST', `/payments/br/payment-intents/${scheduled.id}/authorize/`)
      expect(authorized.body).toMatchObject({ status: 'PROCESSING' })
      expect(authorized.body.charges[0]).toMatchObject({ status: 'SCHEDULED' })
      expect(authorized.body.charges[0].payment_method_information.open_finance.settlement_date).toBe('2026-02-10')
      const canceled = await call('POST', `/payments/br/payment-intents/${scheduled.id}/cancel/`)
      expect(canceled.status).toBe(204)
      const after = await call('GET', `/payments/br/payment-intents/${scheduled.id}/`)
      expectSpec('current', 'PaymentIntentOfpi', after.body)
      expect(after.body).toMatchObject({ status: 'FAILED', failure_code: 'payment_canceled' })
      expect(after.body.charges[0].status).toBe('CANCELED')
      expect((await call('POST', `/payments/br/payment-intents/${scheduled.id}/cancel/`)).status).toBe(400)
    })

    it('cancels one scheduled charge through its own endpoint', async () => {
      const scheduled = await createIntent('10.00', {}, { schedule: { single: { date: '2026-03-01' } } })
      const charge = (await call('POST', `/payments/br/payment-intents/${scheduled.id}/authorize/`)).body.charges[0]
      const detail = await call('GET', `/payments/br/payment-intents/${scheduled.id}/charges/${charge.id}/`)
      expectSpec('current', 'ChargeBrazil', detail.body)
      expect((await call('POST', `/payments/br/payment-intents/${scheduled.id}/charges/${charge.id}/cancel/`)).status).toBe(204)
      expect((await call('GET', `/payments/br/charges/${charge.id}/`)).body.status).toBe('CANCELED')
      expect((await call('POST', `/payments/br/payment-intents/${scheduled.id}/charges/${charge.id}/cancel/`)).status).toBe(400)
      expect((await call('POST', `/payments/br/payment-intents/${scheduled.id}/charges/${randomUUID()}/cancel/`)).status).toBe(404)
    })
  })

  describe('lists, charges, transactions, isolation', () => {
    it('filters payment intents by status, amount and search, and orders them', async () => {
      const tag = `lista-${randomUUID().slice(0, 8)}`
      // The sandbox clock moves between the steps, so that created_at and updated_at order them.
      const a = await createIntent('11.00', { description: `${tag} a` })
      h.clock.advance(1000)
      const b = await createIntent('12.00', { description: `${tag} b` })
      h.clock.advance(1000)
      await call('POST', `/payments/br/payment-intents/${b.id}/authorize/`)
      const search = await call('GET', `/payments/br/payment-intents/?search=${tag}&ordering=created_at`)
      expect(search.status).toBe(200)
      expect(search.body.results.map((i: Json) => i.id)).toEqual([a.id, b.id])
      for (const item of search.body.results) expectSpec('current', 'PaymentIntentOfpi', item)
      const succeeded = await call('GET', `/payments/br/payment-intents/?search=${tag}&status=SUCCEEDED`)
      expect(succeeded.body.results.map((i: Json) => i.id)).toEqual([b.id])
      const amount = await call('GET', `/payments/br/payment-intents/?search=${tag}&amount__gte=11.50`)
      expect(amount.body.results.map((i: Json) => i.id)).toEqual([b.id])
      const updated = await call('GET', `/payments/br/payment-intents/?search=${tag}&ordering=-updated_at`)
      expect(updated.body.results[0].id).toBe(b.id)
      const bad = await call('GET', '/payments/br/payment-intents/?ordering=amount')
      expect(bad.status).toBe(400)
      expect(bad.body[0]).toMatchObject({ code: 'invalid_choice', field: 'ordering' })
      const charges = await call('GET', `/payments/br/payment-intents/${b.id}/charges/?status=SUCCEEDED`)
      expect(charges.body.count).toBe(1)
      const all = await call('GET', `/payments/br/charges/?payment_intent=${b.id}`)
      expect(all.body.results).toEqual(charges.body.results)
      const v2 = await call('GET', `/payments/br/charges/${all.body.results[0].id}/`, undefined, { headers: V2 })
      expectSpec('current', 'ChargeV2', v2.body)
      expect(v2.body.status).toBe('SETTLED')
    })

    it("answers 404 for another organization's intents, charges and transactions", async () => {
      const intent = await createIntent('5.00')
      const settled = (await call('POST', `/payments/br/payment-intents/${intent.id}/authorize/`)).body
      const charge = settled.charges[0]
      const transaction = charge.transactions[0]
      const other = { auth: h.otherAuth }
      for (const [method, url] of [
        ['GET', `/payments/br/payment-intents/${intent.id}/`],
        ['PATCH', `/payments/br/payment-intents/${intent.id}/`],
        ['POST', `/payments/br/payment-intents/${intent.id}/authorize/`],
        ['POST', `/payments/br/payment-intents/${intent.id}/cancel/`],
        ['GET', `/payments/br/payment-intents/${intent.id}/charges/`],
        ['GET', `/payments/br/payment-intents/${intent.id}/charges/${charge.id}/`],
        ['GET', `/payments/br/charges/${charge.id}/`],
        ['GET', `/payments/br/transactions/${transaction.id}/`],
      ]) {
        const res = await call(method, url, method === 'GET' ? undefined : {}, other)
        expect(res.status, `${method} ${url}`).toBe(404)
      }
      expect((await call('GET', '/payments/br/payment-intents/', undefined, other)).body.count).toBe(0)
      expect((await call('GET', '/payments/br/transactions/', undefined, other)).body.count).toBe(0)
    })
  })

  describe('Belvo-Idempotency-Key', () => {
    const withKey = (key: string) => ({ headers: { 'belvo-idempotency-key': key } })

    it('replays the first answer for the same key and body, creating nothing more', async () => {
      const key = randomUUID()
      const body = intentBody('15.00', { description: `replay ${key}` })
      const first = await call('POST', '/payments/br/payment-intents/', body, withKey(key))
      expect(first.status).toBe(201)
      expect(first.headers['belvo-idempotency-key']).toBe(key)
      expect(first.headers['belvo-idempotency-status']).toBe('AVAILABLE')
      const second = await call('POST', '/payments/br/payment-intents/', body, withKey(key))
      expect(second.status).toBe(201)
      expect(second.headers['belvo-idempotency-status']).toBe('REPLAYED')
      expect(second.body).toEqual(first.body)
      // The answer is made without reading the new row back: it is what the database holds.
      expect((await call('GET', `/payments/br/payment-intents/${first.body.id}/`)).body).toEqual(first.body)
      const listed = await call('GET', `/payments/br/payment-intents/?search=${encodeURIComponent(`replay ${key}`)}`)
      expect(listed.body.count).toBe(1)
    })

    it('answers 422 for the same key with another body, 409 while the first still runs, 400 for a malformed key', async () => {
      const key = randomUUID()
      await call('POST', '/payments/br/payment-intents/', intentBody('15.00'), withKey(key))
      const mismatch = await call('POST', '/payments/br/payment-intents/', intentBody('16.00'), withKey(key))
      expect(mismatch.status).toBe(422)
      expect(mismatch.body[0]).toMatchObject({
        code: 'idempotency_payload_mismatch',
        message: 'A different request with the same idempotency key already exists.',
      })

      // A Ponte before 2026-12-07 holds the key: its claim is committed, its creation not yet.
      const running = randomUUID()
      const body = intentBody('17.00')
      await committedClaim(running, body, h.clock.now())
      const conflict = await call('POST', '/payments/br/payment-intents/', body, withKey(running))
      expect(conflict.status).toBe(409)
      expect(conflict.body[0]).toMatchObject({ code: 'idempotency_key_conflict', message: 'A request with this idempotency key is already being processed.' })
      expect(conflict.headers['belvo-idempotency-status']).toBe('PROCESSING')

      const malformed = await call('POST', '/payments/br/payment-intents/', intentBody('15.00'), withKey('not-a-uuid'))
      expect(malformed.status).toBe(400)
      expect(malformed.body[0]).toMatchObject({ code: 'idempotency_key_invalid', field: 'Belvo-Idempotency-Key' })
    })

    it('treats the resource version as part of the request: the same key with V2 is a mismatch', async () => {
      const key = randomUUID()
      const body = { identifier: generateCpf(), name: 'Versões' }
      expect((await call('POST', '/payments/br/customers/', body, withKey(key))).status).toBe(201)
      const v2 = await call('POST', '/payments/br/customers/', body, { headers: { ...V2, 'belvo-idempotency-key': key } })
      expect(v2.status).toBe(422)
    })

    it('takes over the claim of a request whose process died before finishing', async () => {
      const key = randomUUID()
      const body = intentBody('19.00')
      await committedClaim(key, body, new Date(h.clock.now().getTime() - 10 * 60_000))
      const res = await call('POST', '/payments/br/payment-intents/', body, withKey(key))
      expect(res.status).toBe(201)
      expect(res.headers['belvo-idempotency-status']).toBe('AVAILABLE')
      const again = await call('POST', '/payments/br/payment-intents/', body, withKey(key))
      expect(again.headers['belvo-idempotency-status']).toBe('REPLAYED')
      expect(again.body).toEqual(res.body)
    })

    it('frees the key of a request that failed validation, so that the corrected request can use it', async () => {
      const key = randomUUID()
      const bad = await call('POST', '/payments/br/payment-intents/', intentBody('1.234'), withKey(key))
      expect(bad.status).toBe(400)
      const good = await call('POST', '/payments/br/payment-intents/', intentBody('1.23'), withKey(key))
      expect(good.status).toBe(201)
    })

    it('creates one object for concurrent identical requests, over real HTTP', async () => {
      const base = await baseUrl()
      const key = randomUUID()
      const body = JSON.stringify(intentBody('18.00', { description: `concurrent ${key}` }))
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          fetch(`${base}/payments/br/payment-intents/`, {
            method: 'POST',
            headers: { authorization: h.auth, 'content-type': 'application/json', 'belvo-idempotency-key': key },
            body,
          }).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as Json })),
        ),
      )
      const statuses = responses.map((r) => r.status)
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true)
      const createdIds = new Set(responses.filter((r) => r.status === 201).map((r) => r.body.id))
      expect(createdIds.size).toBe(1)
      expect(responses.filter((r) => r.headers.get('belvo-idempotency-status') === 'AVAILABLE')).toHaveLength(1)
      const rows = await h.db.query<{ count: string | number }>('SELECT count(*) AS count FROM payment_intents WHERE description = $1', [`concurrent ${key}`])
      expect(Number(rows[0].count)).toBe(1)
    })

    it('covers customers and bank accounts too', async () => {
      const key = randomUUID()
      const body = { identifier: generateCpf(), name: 'Idempotente' }
      const first = await call('POST', '/payments/br/customers/', body, withKey(key))
      const second = await call('POST', '/payments/br/customers/', body, withKey(key))
      expect(second.headers['belvo-idempotency-status']).toBe('REPLAYED')
      expect(second.body.id).toBe(first.body.id)
      const accountKey = randomUUID()
      const accountBody = {
        institution: RETAIL,
        holder: { type: 'BUSINESS', information: { name: 'Loja', identifier_type: 'CNPJ', identifier: generateCnpj() } },
        details: { account_type: 'CHECKINGS', agency: '0001', number: '777001' },
      }
      const a1 = await call('POST', '/payments/br/bank-accounts/', accountBody, withKey(accountKey))
      const a2 = await call('POST', '/payments/br/bank-accounts/', accountBody, withKey(accountKey))
      expect(a1.status).toBe(201)
      expect(a2.headers['belvo-idempotency-status']).toBe('REPLAYED')
      expect(a2.body).toEqual(a1.body)
    })
  })

  describe('audit trail and webhooks', () => {
    it('writes every status change to the append-only ledger, with actor and request id', async () => {
      const intent = await createIntent('25.00')
      const settled = await call('POST', `/payments/br/payment-intents/${intent.id}/authorize/`)
      const charge = settled.body.charges[0]
      const ledger = await paymentsLedger(h.db, { organizationId: org })
      const mine = ledger.filter((e) => [intent.id, charge.id, charge.transactions[0].id].includes(e.object_id))
      expect(mine.map((e) => [e.object_type, e.from_status, e.to_status, e.actor.split(':')[0]])).toEqual([
        ['payment_intent', null, 'REQUIRES_ACTION', 'key'],
        ['payment_intent', 'REQUIRES_ACTION', 'PROCESSING', 'sandbox'],
        ['charge', null, 'PENDING', 'sandbox'],
        ['charge', 'PENDING', 'SUCCEEDED', 'sandbox'],
        ['transaction', null, 'SETTLED', 'sandbox'],
        ['payment_intent', 'PROCESSING', 'SUCCEEDED', 'sandbox'],
      ])
      expect(mine.every((e) => e.amount === '25.00' && /^[a-f0-9]{32}$/.test(e.request_id ?? ''))).toBe(true)
      expect(mine[1].request_id).toBe(settled.headers['x-request-id'])
      // Append-only: the database refuses changes and deletions.
      await expect(h.db.query('UPDATE payment_ledger SET to_status = $1 WHERE seq = $2', ['FAILED', mine[0].seq])).rejects.toThrow(/append-only/)
      await expect(h.db.query('DELETE FROM payment_ledger WHERE seq = $1', [mine[0].seq])).rejects.toThrow(/append-only/)
    })

    it('sends PAYMENT_INTENTS, CHARGES and TRANSACTIONS webhooks once per transition, in Belvo’s payments shape', async () => {
      const externalId = randomUUID()
      const intent = await createIntent('60.00', { external_id: externalId, metadata: { internal_reference_id: 'GGq12345w2' } })
      const settled = (await call('POST', `/payments/br/payment-intents/${intent.id}/authorize/`)).body
      const charge = settled.charges[0]
      const transaction = charge.transactions[0]
      const about = (id: string) => receiver.received.filter((r) => r.body.object_id === id).map((r) => r.body)
      await receiver.waitFor(() => about(intent.id).length >= 2 && about(charge.id).length >= 1 && about(transaction.id).length >= 1)
      const intentHooks = about(intent.id)
      expect(intentHooks.map((b) => [b.webhook_type, b.webhook_code, b.data.status]).sort()).toEqual([
        ['PAYMENT_INTENTS', 'STATUS_UPDATE', 'PROCESSING'],
        ['PAYMENT_INTENTS', 'STATUS_UPDATE', 'SUCCEEDED'],
      ])
      const succeeded = intentHooks.find((b) => b.data.status === 'SUCCEEDED')!
      expect(Object.keys(succeeded)).toEqual(['webhook_id', 'webhook_type', 'webhook_code', 'object_id', 'external_id', 'data'])
      expect(succeeded).toMatchObject({ external_id: externalId, data: { metadata: { internal_reference_id: 'GGq12345w2' }, failure_code: null } })
      expect(succeeded.data.end_to_end_id).toMatch(END_TO_END_ID)
      expect(about(charge.id).map((b) => [b.webhook_type, b.webhook_code, b.data.status, b.external_id])).toEqual([
        ['CHARGES', 'STATUS_UPDATE', 'SUCCEEDED', null],
      ])
      expect(about(transaction.id).map((b) => [b.webhook_type, b.webhook_code, b.external_id])).toEqual([['TRANSACTIONS', 'OBJECT_CREATED', null]])
      // Once per transition: the events stored for these objects are exactly these four.
      const events = await h.db.query<{ count: string | number }>(
        `SELECT count(*) AS count FROM webhook_events WHERE payload::json->>'object_id' = ANY($1::text[])`,
        [[intent.id, charge.id, transaction.id]],
      )
      expect(Number(events[0].count)).toBe(4)
    })

    it('announces a failure with its failure_code', async () => {
      const intent = await createIntent('150.00')
      await call('POST', `/payments/br/payment-intents/${intent.id}/authorize/`)
      const hooks = await receiver.waitFor((all) => all.some((r) => r.body.object_id === intent.id && r.body.data.status === 'FAILED'))
      const failed = hooks.find((r) => r.body.object_id === intent.id && r.body.data.status === 'FAILED')!.body
      expect(failed.data).toMatchObject({ failure_code: 'insufficient_funds', failure_message: expect.any(String) })
    })
  })
  describe('biometric Pix enrollments', () => {
    const enrollmentBody = (extra: Json = {}) => enrollment(customer.id, extra)

    it('creates a PENDING enrollment and completes it (SUCCEEDED) or fails it (FAILED) from the redirection', async () => {
      const created = await call('POST', '/payments/br/enrollments/', enrollmentBody({ external_id: randomUUID() }))
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      expectSpec('current', 'EnrollmentBiometricPix', created.body)
      expect(created.body).toMatchObject({ status: 'PENDING', details: { status: 'AWAITING_ACCOUNT_HOLDER_VALIDATION', risk_signals: '******' } })
      const state = new URL(created.body.details.redirect_url).searchParams.get('state')
      const done = await call('POST', '/payments/br/enrollments/complete-redirection/', { state, code: 'abc', id_token: 'jwt' })
      expect(done.status, JSON.stringify(done.body)).toBe(200)
      expectSpec('current', 'EnrollmentBiometricPix', done.body)
      expect(done.body).toMatchObject({ status: 'SUCCEEDED', details: { status: 'AUTHORIZED' } })
      const again = await call('POST', '/payments/br/enrollments/complete-redirection/', { state, code: 'abc', id_token: 'jwt' })
      expect(again.status).toBe(400)
      expect(again.body[0]).toMatchObject({ code: 'invalid', field: 'state' })

      const other = (await call('POST', '/payments/br/enrollments/', enrollmentBody())).body
      const otherState = new URL(other.details.redirect_url).searchParams.get('state')
      const failed = await call('POST', '/payments/br/enrollments/complete-redirection/', {
        state: otherState,
        error: 'access_denied',
        error_description: 'User refused',
      })
      expect(failed.body).toMatchObject({ status: 'FAILED', status_reason_code: 'access_denied', status_reason_message: 'User refused' })
      const listed = await call('GET', `/payments/br/enrollments/?status=FAILED&customer=${customer.id}`)
      expect(listed.body.results.map((e: Json) => e.id)).toEqual([other.id])
      expect((await call('GET', `/payments/br/enrollments/${other.id}/`)).body.status).toBe('FAILED')
      expect((await call('GET', `/payments/br/enrollments/${other.id}/`, undefined, { auth: h.otherAuth })).status).toBe(404)
      const hooks = await receiver.waitFor((all) => all.some((r) => r.body.object_id === created.body.id))
      expect(hooks.filter((r) => r.body.object_id === created.body.id).map((r) => [r.body.webhook_type, r.body.webhook_code, r.body.data.status])).toEqual([
        ['ENROLLMENTS', 'STATUS_UPDATE', 'SUCCEEDED'],
      ])
    })

    it('cancels an enrollment completed after its expiry', async () => {
      const created = (await call('POST', '/payments/br/enrollments/', enrollmentBody())).body
      h.clock.advance(16 * 60_000)
      const state = new URL(created.details.redirect_url).searchParams.get('state')
      const late = await call('POST', '/payments/br/enrollments/complete-redirection/', { state, code: 'abc', id_token: 'jwt' })
      expect(late.body).toMatchObject({ status: 'CANCELED', status_reason_code: 'enrollment_expired' })
      const ledger = await paymentsLedger(h.db, { organizationId: org }, created.id)
      expect(ledger.map((e) => [e.from_status, e.to_status])).toEqual([
        [null, 'PENDING'],
        ['PENDING', 'CANCELED'],
      ])
    })

    it.each([
      [{ type: 'pix' }, 'type', 'invalid_choice'],
      [{ details: { institution: RETAIL, platform: 'ANDROID', risk_signals: {} } }, 'details.customer', 'required'],
      [{ details: { customer: randomUUID(), institution: RETAIL, platform: 'ANDROID', risk_signals: {} } }, 'details.customer', 'does_not_exist'],
      [{ details: { customer: '{customer}', institution: RETAIL, platform: 'WINDOWS', risk_signals: {} } }, 'details.platform', 'invalid_choice'],
      [{ details: { customer: '{customer}', institution: RETAIL, platform: 'IOS' } }, 'details.risk_signals', 'required'],
    ])('refuses %j with a 400 on %s', async (extra, field, code) => {
      const body = JSON.parse(JSON.stringify(enrollmentBody(extra)).replace('{customer}', customer.id))
      const res = await call('POST', '/payments/br/enrollments/', body)
      expect(res.status).toBe(400)
      expect(res.body[0]).toMatchObject({ code, field })
    })

    it('answers does_not_exist for an unknown state', async () => {
      const res = await call('POST', '/payments/br/enrollments/complete-redirection/', { state: 'nope', code: 'x' })
      expect(res.status).toBe(400)
      expect(res.body[0]).toMatchObject({ code: 'does_not_exist', field: 'state' })
    })
  })

  // Last: it moves the sandbox clock to the payments' dates.
  describe('scheduled payments on their date', () => {
    it('the scheduler settles a due scheduled payment, or fails it by the amount rules, once', async () => {
      const good = await createIntent('45.00', {}, { schedule: { single: { date: '2026-04-20' } } })
      const poor = await createIntent('145.00', {}, { schedule: { single: { date: '2026-04-20' } } })
      const later = await createIntent('46.00', {}, { schedule: { single: { date: '2026-04-21' } } })
      for (const intent of [good, poor, later]) await call('POST', `/payments/br/payment-intents/${intent.id}/authorize/`)
      h.clock.set('2026-04-19T23:59:00Z')
      expect((await runScheduler(h.app.deps.domain)).settlements).toBe(0)
      h.clock.set('2026-04-20T08:00:00Z')
      expect((await runScheduler(h.app.deps.domain)).settlements).toBe(2)
      expect((await runScheduler(h.app.deps.domain)).settlements).toBe(0)
      const settled = (await call('GET', `/payments/br/payment-intents/${good.id}/`)).body
      expect(settled).toMatchObject({ status: 'SUCCEEDED' })
      expect(settled.charges[0]).toMatchObject({ status: 'SUCCEEDED' })
      expect(settled.charges[0].transactions).toHaveLength(1)
      expect(settled.payment_method_information.open_finance.end_to_end_id).toMatch(/^E99990001202604200800/)
      const failed = (await call('GET', `/payments/br/payment-intents/${poor.id}/`)).body
      expect(failed).toMatchObject({ status: 'FAILED', failure_code: 'insufficient_funds' })
      expect((await call('GET', `/payments/br/payment-intents/${later.id}/`)).body.status).toBe('PROCESSING')
      const ledger = await paymentsLedger(h.db, { organizationId: org }, settled.charges[0].id)
      expect(ledger.map((e) => [e.from_status, e.to_status, e.actor])).toEqual([
        [null, 'SCHEDULED', 'sandbox'],
        ['SCHEDULED', 'SUCCEEDED', 'sandbox'],
      ])
    })
  })
})
