import { generateCpf } from '@brazilian-utils/brazilian-utils'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sumAmounts } from '../../src/domain/payments/money.ts'
import { lockIdempotencyKeyIn } from '../../src/store/payment-idempotency.ts'
import { backend } from '../helpers/db.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { accountIntentBody, enrollmentBody, RETAIL, receivingAccountBody } from '../helpers/payments.ts'
import { expectSpec } from '../helpers/spec.ts'

type Json = Record<string, any>

/** The payments lists' filters that had no column before (INVENTORY 3.2), and the sandbox statement of a receiving account. */
describe('Payments Brazil: list filters and the sandbox statement', () => {
  let h: Harness
  let customer: Json
  const call: Harness['call'] = (...args) => h.call(...args)

  async function createAccount() {
    const res = await call('POST', '/payments/br/bank-accounts/', receivingAccountBody('Loja Extrato Ltda'))
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body as Json
  }

  const intentBody = (account: Json, amount: string, description: string) => accountIntentBody(customer.id, account.id, amount, description)

  /** An intent to `account`, authorized at once (the amount picks the outcome, README). */
  async function pay(account: Json, amount: string, description: string) {
    const res = await call('POST', '/payments/br/payment-intents/', {
      amount,
      customer: customer.id,
      description,
      allowed_payment_method_types: ['open_finance'],
      payment_method_details: {
        open_finance: { beneficiary_bank_account: account.id, payer_institution: RETAIL, callback_url: 'https://merchant.example/cb' },
      },
      confirm: true,
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const authorized = await call('POST', `/payments/br/payment-intents/${res.body.id}/authorize/`)
    expect(authorized.status).toBe(200)
    return authorized.body as Json
  }

  beforeAll(async () => {
    h = await createHarness()
    const c = await call('POST', '/payments/br/customers/', { identifier: generateCpf(), name: 'Maria Extrato' })
    expect(c.status).toBe(201)
    customer = c.body
  })
  afterAll(async () => h.close())

  it('filters payment intents by provider and payment_method_type, transactions by payer and beneficiary, enrollments by customer__identifier', async () => {
    const tag = `filtros-${randomUUID().slice(0, 8)}`
    const [a, b] = [await createAccount(), await createAccount()]
    const first = await pay(a, '10.00', `${tag} a`)
    const second = await pay(b, '20.00', `${tag} b`)
    const ids = (res: { body: Json }) => res.body.results.map((item: Json) => item.id).sort()

    const belvo = await call('GET', `/payments/br/payment-intents/?search=${tag}&provider=belvo&payment_method_type=open_finance`)
    expect(belvo.status).toBe(200)
    expect(ids(belvo)).toEqual([first.id, second.id].sort())
    for (const item of belvo.body.results) expectSpec('current', 'PaymentIntentOfpi', item)
    expect((await call('GET', `/payments/br/payment-intents/?search=${tag}&payment_method_type=open_finance_biometric_pix`)).body.count).toBe(0)
    for (const query of ['provider=stripe', 'payment_method_type=boleto']) {
      const refused = await call('GET', `/payments/br/payment-intents/?${query}`)
      expect(refused.status).toBe(400)
      expect(refused.body[0]).toMatchObject({ code: 'invalid_choice', field: query.split('=')[0] })
    }

    const toA = await call('GET', `/payments/br/transactions/?beneficiary=${a.id}`)
    expect(toA.body.results.map((t: Json) => t.payment_intent)).toEqual([first.id])
    const toBoth = await call('GET', `/payments/br/transactions/?beneficiary__in=${a.id},${b.id}`)
    expect(toBoth.body.count).toBe(2)
    for (const item of toBoth.body.results) expectSpec('current', 'paymentTransaction', item)
    // The sandbox network names no payer account: a payer filter is valid and matches nothing.
    expect((await call('GET', `/payments/br/transactions/?payer=${a.id}`)).body).toMatchObject({ count: 0, results: [] })
    expect((await call('GET', `/payments/br/transactions/?payer__in=${a.id},${randomUUID()}`)).body.count).toBe(0)
    const malformed = await call('GET', '/payments/br/transactions/?payer=not-a-uuid')
    expect(malformed.status).toBe(400)
    expect(malformed.body[0]).toMatchObject({ field: 'payer' })

    // Enrollments by their customer's CPF.
    const enrollment = await call('POST', '/payments/br/enrollments/', enrollmentBody(customer.id))
    expect(enrollment.status, JSON.stringify(enrollment.body)).toBe(201)
    const byCpf = await call('GET', `/payments/br/enrollments/?customer__identifier=${customer.identifier}`)
    expect(byCpf.status).toBe(200)
    expect(byCpf.body.results.map((e: Json) => e.id)).toEqual([enrollment.body.id])
    for (const item of byCpf.body.results) expectSpec('current', 'EnrollmentBiometricPix', item)
    expect((await call('GET', `/payments/br/enrollments/?customer__identifier=${generateCpf()}`)).body.count).toBe(0)
    const badCpf = await call('GET', '/payments/br/enrollments/?customer__identifier=abc')
    expect(badCpf.status).toBe(400)
    expect(badCpf.body[0]).toMatchObject({ field: 'customer__identifier' })
  })

  // PGlite has one connection: a transaction held open here would hold every request back.
  it.skipIf(backend === 'pglite')(
    'answers 409 at once while another transaction holds the key, and lets the key go when that transaction rolls back',
    async () => {
      const account = await createAccount()
      const key = randomUUID()
      const body = intentBody(account, '10.00', `held ${key}`)
      const headers = { 'belvo-idempotency-key': key }
      const held = h.db.tx(async (tx) => {
        // Another API process's request with this key, inside its creating transaction.
        expect(await lockIdempotencyKeyIn(tx, h.key.organizationId, key)).toEqual({ free: true, existing: undefined })
        const conflict = await call('POST', '/payments/br/payment-intents/', body, { headers })
        expect(conflict.status).toBe(409)
        expect(conflict.body[0]).toMatchObject({ code: 'idempotency_key_conflict' })
        expect(conflict.headers['belvo-idempotency-status']).toBe('PROCESSING')
        throw new Error('rolled back')
      })
      await expect(held).rejects.toThrow('rolled back')
      const created = await call('POST', '/payments/br/payment-intents/', body, { headers })
      expect(created.status).toBe(201)
      expect(created.headers['belvo-idempotency-status']).toBe('AVAILABLE')
      const replayed = await call('POST', '/payments/br/payment-intents/', body, { headers })
      expect(replayed.headers['belvo-idempotency-status']).toBe('REPLAYED')
      expect(replayed.body.id).toBe(created.body.id)
    },
  )

  it("lists a receiving account's credits with their end_to_end_id and running balance, matching its transactions and balance to the cent", async () => {
    const account = await createAccount()
    const empty = await call('GET', `/sandbox/payments/br/bank-accounts/${account.id}/statement/`)
    expect(empty.status).toBe(200)
    expect(empty.body).toEqual({ bank_account: account.id, currency: 'BRL', balance: '0.00', count: 0, next: null, previous: null, results: [] })

    // Settled, refused (insufficient_funds: 101-200 reais) and settled again: only settlements credit.
    const amounts = ['0.10', '99.99', '150.00', '0.01', '1000.33']
    for (const [i, amount] of amounts.entries()) {
      await pay(account, amount, `extrato ${i}`)
      h.clock.advance(1000)
    }
    const settled = ['0.10', '99.99', '0.01', '1000.33']
    const statement = await call('GET', `/sandbox/payments/br/bank-accounts/${account.id}/statement/?page_size=3`)
    expect(statement.status).toBe(200)
    expect(statement.body).toMatchObject({ bank_account: account.id, currency: 'BRL', balance: '1100.43', count: 4, previous: null })
    expect(statement.body.results.map((e: Json) => e.amount)).toEqual(settled.slice(0, 3))
    expect(statement.body.results.map((e: Json) => e.balance)).toEqual(['0.10', '100.09', '100.10'])
    const rest = await call('GET', new URL(statement.body.next).pathname + new URL(statement.body.next).search)
    expect(rest.body.results.map((e: Json) => [e.amount, e.balance])).toEqual([['1000.33', '1100.43']])
    const entries = [...statement.body.results, ...rest.body.results]

    // The same credits as the account's transactions, one per settled transaction, to the cent.
    const transactions = (await call('GET', `/payments/br/transactions/?beneficiary=${account.id}&page_size=1000`)).body.results as Json[]
    expect(entries.map((e) => e.transaction).sort()).toEqual(transactions.map((t) => t.id).sort())
    for (const entry of entries) {
      const transaction = transactions.find((t) => t.id === entry.transaction)!
      expect(entry).toMatchObject({ amount: transaction.amount, payment_intent: transaction.payment_intent, charge: transaction.charge, type: 'CREDIT' })
      const charge = await call('GET', `/payments/br/charges/${entry.charge}/`)
      expect(entry.end_to_end_id).toBe(charge.body.payment_method_information.open_finance.end_to_end_id)
      expect(entry.end_to_end_id).toMatch(/^E\d{8}/)
    }
    expect(sumAmounts(transactions.map((t) => t.amount)).toFixed(2)).toBe('1100.43')
    const [{ balance }] = await h.db.query<{ balance: string }>('SELECT balance::text AS balance FROM payment_bank_accounts WHERE id = $1', [account.id])
    expect(balance).toBe('1100.43')

    // Another organization's account, a malformed id, a page past the end: Belvo's 404.
    expect((await call('GET', `/sandbox/payments/br/bank-accounts/${account.id}/statement/`, undefined, { auth: h.otherAuth })).status).toBe(404)
    expect((await call('GET', '/sandbox/payments/br/bank-accounts/nope/statement/')).status).toBe(404)
    expect((await call('GET', `/sandbox/payments/br/bank-accounts/${account.id}/statement/?page=3&page_size=3`)).status).toBe(404)
  })
})
