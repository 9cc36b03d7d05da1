import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CATALOG, wireShape } from '../../src/connectors/catalog.ts'
import { createSandboxConnector } from '../../src/connectors/sandbox/connector.ts'
import type { InstitutionConnector, InstitutionRecord } from '../../src/connectors/types.ts'
import { CATEGORIES, fitsUnder } from '../../src/domain/enrichment/taxonomy.ts'
import { eyodTransaction } from '../helpers/enrich.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { createLink } from '../helpers/resources.ts'
import { expectSpec, specsAvailable } from '../helpers/spec.ts'

const item = eyodTransaction

describe('POST /api/categorization/', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())

  it('answers each transaction echoed with Belvo’s category, subcategory and merchant', async () => {
    const transactions = [
      item(0),
      item(1, { description: 'PAYPAL *NETFLIX.COM', account_category: 'CREDIT_CARD', mcc: 4899, currency: 'BRL' }),
      item(2, { description: 'CRÉDITO SALÁRIO ACME LTDA', type: 'INFLOW', amount: 5200, currency: 'BRL' }),
      item(3, { description: 'SPEI ENVIADO JUAN PEREZ', amount: 1500 }),
      item(4, { description: 'XKCD QWERTY', account_holder_type: 'BUSINESS', account_category: 'SAVINGS_ACCOUNT' }),
      item(5, { description: 'PAGO PSE EPM SERVICIOS PUBLICOS', currency: 'COP', amount: 185000, account_category: 'CREDIT_CARD', mcc: null }),
    ]
    const res = await h.call('POST', '/api/categorization/', { language: 'es', transactions })
    expect(res.status).toBe(200)
    if (specsAvailable()) {
      expectSpec('legacy', 'Categorization', res.body)
      expectSpec('multiregion', 'Categorization', res.body)
    }
    const out = res.body.transactions
    expect(out).toHaveLength(transactions.length)
    out.forEach((o: Record<string, unknown>, i: number) => {
      for (const [key, value] of Object.entries(transactions[i])) expect(o[key]).toEqual(value)
      expect(o).toHaveProperty('mcc')
      expect(typeof o.confidence).toBe('number')
      expect(typeof o.rule).toBe('string')
    })
    expect(out.map((o: any) => [o.category, o.subcategory])).toEqual([
      ['Food & Groceries', 'Convenience Store'],
      ['Online Platforms & Leisure', 'Movie & Audio'],
      ['Income & Payments', 'Salary'],
      ['Transfers', null],
      ['Unknown', null],
      ['Bills & Utilities', 'Electricity & Energy'],
    ])
    expect(out[0].merchant).toEqual({ merchant_name: 'OXXO', website: 'https://www.oxxo.com', logo: 'https://www.oxxo.com/favicon.ico' })
    expect(out[0].mcc).toBeNull()
    expect(out[3].merchant).toBeNull()
    expect(out[4]).toMatchObject({ category: 'Unknown', confidence: 0.1, rule: 'unknown' })
  })

  it('refuses bad items with the exact field path of each', async () => {
    const transactions = [
      item(0),
      item(1, { amount: -3 }),
      item(2, { amount: '12.50' }),
      item(3, { type: 'SIDEWAYS' }),
      item(4, { value_date: '2025-02-30' }),
      item(5, { value_date: '02/05/2025' }),
      item(6, { account_category: 'PIGGY_BANK' }),
      item(7, { transaction_id: 'tx-0' }),
      item(8, { account_category: 'CREDIT_CARD' }),
      item(9, { description: '' }),
      item(10, { amount: 0 }),
    ]
    delete transactions[0].currency
    const res = await h.call('POST', '/api/categorization/', { language: 'es', transactions })
    expect(res.status).toBe(400)
    const byField = Object.fromEntries(res.body.map((e: any) => [e.field, e.code]))
    expect(byField).toMatchObject({
      'transactions.0.currency': 'required',
      'transactions.2.amount': 'invalid',
      'transactions.3.type': 'invalid_choice',
      'transactions.5.value_date': 'invalid',
      'transactions.6.account_category': 'invalid_choice',
      'transactions.9.description': 'blank',
    })
    for (const e of res.body) expect(e.request_id).toMatch(/^[a-f0-9]{32}$/)
  })

  it('checks calendar days, positive amounts, unique ids and card MCCs once the schema passes', async () => {
    const transactions = [
      item(0),
      item(1, { value_date: '2025-02-30' }),
      item(2, { transaction_id: 'tx-0' }),
      item(3, { account_category: 'CREDIT_CARD' }),
      item(4, { amount: -3 }),
      item(5, { amount: 0 }),
    ]
    const res = await h.call('POST', '/api/categorization/', { language: 'pt', transactions })
    expect(res.status).toBe(400)
    expect(res.body.map((e: any) => [e.field, e.code])).toEqual([
      ['transactions.1.value_date', 'invalid'],
      ['transactions.2.transaction_id', 'invalid'],
      ['transactions.3.mcc', 'required'],
      ['transactions.4.amount', 'invalid'],
      ['transactions.5.amount', 'invalid'],
    ])
  })

  it('requires language and transactions, and at least one transaction', async () => {
    const missing = await h.call('POST', '/api/categorization/', {})
    expect(missing.status).toBe(400)
    expect(missing.body.map((e: any) => [e.field, e.code]).sort()).toEqual([
      ['language', 'required'],
      ['transactions', 'required'],
    ])
    const bad = await h.call('POST', '/api/categorization/', { language: 'spanish', transactions: [] })
    expect(bad.status).toBe(400)
    expect(bad.body.map((e: any) => e.field).sort()).toEqual(['language', 'transactions'])
    const notList = await h.call('POST', '/api/categorization/', { language: 'es', transactions: { a: 1 } })
    expect(notList.status).toBe(400)
    expect(notList.body[0].field).toBe('transactions')
  })

  it('needs a secret key', async () => {
    const res = await h.call('POST', '/api/categorization/', { language: 'es', transactions: [item(0)] }, { auth: null })
    expect(res.status).toBe(401)
  })

  it('accepts 20,000 transactions and refuses 20,001', async () => {
    const descriptions = ['OXXO SUC 1', 'UBER *TRIP', 'SPEI ENVIADO', 'NETFLIX.COM', 'DEPOSITO NOMINA', 'RETIRO CAJERO', 'FARMACIA SAN JORGE', 'XYZ']
    const many = Array.from({ length: 20_000 }, (_, i) =>
      item(i, {
        description: descriptions[i % descriptions.length],
        type: i % 5 === 4 ? 'INFLOW' : 'OUTFLOW',
        value_date: `2025-${String((i % 12) + 1).padStart(2, '0')}-15`,
      }),
    )
    const ok = await h.call('POST', '/api/categorization/', { language: 'es', transactions: many })
    expect(ok.status).toBe(200)
    expect(ok.body.transactions).toHaveLength(20_000)
    expect(ok.body.transactions[19_999].transaction_id).toBe('tx-19999')
    const tooMany = await h.call('POST', '/api/categorization/', { language: 'es', transactions: [...many, item(20_000)] })
    expect(tooMany.status).toBe(400)
    expect(tooMany.body).toHaveLength(1)
    expect(tooMany.body[0]).toMatchObject({ code: 'invalid', field: 'transactions' })
  }, 60_000)

  it('is published in /openapi.json with Belvo’s operationId and response schema', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const op = doc.paths['/api/categorization/'].post
    expect(op.operationId).toBe('CategorizeTransactions')
    expect(JSON.stringify(op.responses['200'])).toContain('#/components/schemas/Categorization')
    expect(doc.components.schemas).toHaveProperty('Categorization')
  })
})

/** The sandbox as an institution that does not categorize: its transactions come without category, subcategory or merchant. */
function uncategorizing(name: string): InstitutionConnector {
  const institution = CATALOG.find((i) => i.name === name)!
  const sandbox = createSandboxConnector({ name, country: institution.country, shape: wireShape(institution) })
  const strip = (r: InstitutionRecord) => ({ ...r, category: null, subcategory: null, merchant: null })
  return {
    login: sandbox.login,
    supports: sandbox.supports,
    fetch(resource, ctx, params) {
      const answer = sandbox.fetch(resource, ctx, params)
      if (resource !== 'TRANSACTIONS') return answer
      if (Symbol.asyncIterator in answer) {
        return (async function* () {
          for await (const batch of answer) yield batch.map(strip)
        })()
      }
      return answer.then((records) => records.map(strip))
    },
  }
}

describe('transactions a connector answers without a category', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    for (const name of ['erebor_mx_retail', 'erebor_br_retail']) h.app.deps.domain.connectors.register(name, () => uncategorizing(name))
  })
  afterAll(async () => h.close())

  for (const [institution, schema] of [
    ['erebor_mx_retail', 'multiregion'],
    ['erebor_br_retail', 'current'],
  ] as const) {
    it(`are labelled by the categorizer, stored and served (${institution})`, async () => {
      const link = await createLink(h, { institution })
      const res = await h.call('POST', '/api/transactions/', { link: link.id, date_from: '2025-03-01', date_to: '2025-05-31' })
      expect(res.status).toBe(201)
      expect(res.body.length).toBeGreaterThan(20)
      for (const t of res.body) {
        expect(CATEGORIES).toContain(t.category)
        expect(fitsUnder(t.category, t.subcategory)).toBe(true)
      }
      const known = res.body.filter((t: any) => t.category !== 'Unknown')
      expect(known.length / res.body.length).toBeGreaterThan(0.5)
      expect(res.body.some((t: any) => t.merchant?.merchant_name)).toBe(true)
      if (specsAvailable()) expectSpec(schema, schema === 'current' ? 'TransactionOpenFinanceBrazil' : 'Transaction', res.body[0])
      // Stored as labelled: the list answers the same.
      const list = await h.call('GET', `/api/transactions/?link=${link.id}&page_size=1000`)
      const stored = new Map(list.body.results.map((t: any) => [t.id, t.category]))
      for (const t of res.body) expect(stored.get(t.id)).toBe(t.category)
    }, 60_000)
  }
})
