import { generateCnpj, generateCpf } from '@brazilian-utils/brazilian-utils'
import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { paymentsLedger } from '../../src/domain/payments/intents.ts'
import { Decimal, sumAmounts } from '../../src/domain/payments/money.ts'
import { outcomeFor } from '../../src/domain/payments/network.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'

type Json = Record<string, any>

const RETAIL = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001'

/** What a random session does, by index into the intents it created so far. */
type Op =
  | { kind: 'create'; cents: number; scheduled: boolean; keyed: boolean }
  | { kind: 'authorize'; target: number }
  | { kind: 'cancel'; target: number }
  | { kind: 'replay'; target: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    // Every range of the sandbox's amount rules, and cents that floats would get wrong.
    cents: fc.oneof(fc.integer({ min: 1, max: 80_000 }), fc.constantFrom(1, 10, 20, 30, 10_099, 10_100, 20_000, 20_001, 70_100)),
    scheduled: fc.boolean(),
    keyed: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('authorize' as const), target: fc.nat(20) }),
  fc.record({ kind: fc.constant('cancel' as const), target: fc.nat(20) }),
  fc.record({ kind: fc.constant('replay' as const), target: fc.nat(20) }),
)

interface Model {
  id: string
  amount: string
  scheduled: boolean
  status: string
  key: string | null
  body: Json
  firstResponse: Json
}

/**
 * Money is never lost or duplicated: random sessions of create (with and without idempotency
 * keys), authorize, cancel and replay, against the real API, end with every intent in the status
 * the rules predict, one transaction per settled intent and none otherwise, the receiving
 * account's balance equal to the settled total, and a ledger whose chain of changes agrees.
 */
describe('payments: random sessions keep totals and the ledger in agreement', () => {
  let h: Harness
  let customer: string
  beforeAll(async () => {
    h = await createHarness()
    customer = (await h.call('POST', '/payments/br/customers/', { identifier: generateCpf(), name: 'Propriedade' })).body.id
  })
  afterAll(async () => h.close())

  it('holds for every session', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        const account = (
          await h.call('POST', '/payments/br/bank-accounts/', {
            institution: RETAIL,
            holder: { type: 'BUSINESS', information: { name: 'Loja', identifier_type: 'CNPJ', identifier: generateCnpj() } },
            details: { account_type: 'CHECKINGS', agency: '0001', number: String(Date.now()).slice(-9) + String(Math.floor(Math.random() * 1000)) },
          })
        ).body
        expect(account.id).toBeDefined()
        const intents: Model[] = []
        for (const step of ops) {
          if (step.kind === 'create') {
            const amount = new Decimal(step.cents).div(100).toFixed(2)
            const body = {
              amount,
              customer,
              description: `property ${account.id}`,
              allowed_payment_method_types: ['open_finance'],
              payment_method_details: {
                open_finance: {
                  beneficiary_bank_account: account.id,
                  payer_institution: RETAIL,
                  callback_url: 'https://merchant.example/callback',
                  ...(step.scheduled ? { schedule: { single: { date: '2026-06-01' } } } : {}),
                },
              },
              confirm: true,
            }
            const key = step.keyed ? randomUUID() : null
            const res = await h.call('POST', '/payments/br/payment-intents/', body, key ? { headers: { 'belvo-idempotency-key': key } } : {})
            expect(res.status).toBe(201)
            intents.push({ id: res.body.id, amount, scheduled: step.scheduled, status: 'REQUIRES_ACTION', key, body, firstResponse: res.body })
            continue
          }
          const target = intents[step.target % Math.max(intents.length, 1)]
          if (!target) continue
          if (step.kind === 'replay') {
            if (!target.key) continue
            const res = await h.call('POST', '/payments/br/payment-intents/', target.body, { headers: { 'belvo-idempotency-key': target.key } })
            expect(res.status).toBe(201)
            expect(res.headers['belvo-idempotency-status']).toBe('REPLAYED')
            expect(res.body).toEqual(target.firstResponse)
          } else if (step.kind === 'authorize') {
            const res = await h.call('POST', `/payments/br/payment-intents/${target.id}/authorize/`)
            if (target.status !== 'REQUIRES_ACTION') {
              expect(res.status).toBe(400)
              continue
            }
            const outcome = outcomeFor(new Decimal(target.amount))
            target.status = outcome.stage === 'consent' ? 'FAILED' : target.scheduled ? 'PROCESSING' : outcome.stage === 'settled' ? 'SUCCEEDED' : 'FAILED'
            expect(res.status).toBe(200)
            expect(res.body.status).toBe(target.status)
          } else {
            const res = await h.call('POST', `/payments/br/payment-intents/${target.id}/cancel/`)
            if (target.status === 'PROCESSING' && target.scheduled) {
              expect(res.status).toBe(204)
              target.status = 'FAILED'
            } else {
              expect(res.status).toBe(400)
            }
          }
        }

        // Exactly the intents created (replays created nothing), each in its predicted status.
        const listed = await h.call('GET', `/payments/br/payment-intents/?search=${encodeURIComponent(`property ${account.id}`)}&page_size=1000`)
        expect(listed.body.count).toBe(intents.length)
        const byId = new Map<string, Json>(listed.body.results.map((i: Json) => [i.id, i]))
        for (const intent of intents) expect(byId.get(intent.id)?.status).toBe(intent.status)

        // One transaction per settled intent, none otherwise; totals agree to the cent.
        const transactions = (await h.call('GET', `/payments/br/transactions/?beneficiary=${account.id}&page_size=1000`)).body.results as Json[]
        const settled = intents.filter((i) => i.status === 'SUCCEEDED')
        expect(transactions.map((t) => t.payment_intent).sort()).toEqual(settled.map((i) => i.id).sort())
        const expected = sumAmounts(settled.map((i) => i.amount)).toFixed(2)
        expect(sumAmounts(transactions.map((t) => t.amount)).toFixed(2)).toBe(expected)
        const balance = await h.db.query<{ balance: string }>('SELECT balance::text AS balance FROM payment_bank_accounts WHERE id = $1', [account.id])
        expect(balance[0].balance).toBe(expected)

        // The ledger: per object a chain (each change starts where the last ended), ending in the current status.
        const ledger = await paymentsLedger(h.db, { organizationId: h.key.organizationId })
        for (const intent of intents) {
          const rows = ledger.filter((e) => e.object_id === intent.id)
          expect(rows[0].from_status).toBeNull()
          for (let i = 1; i < rows.length; i++) expect(rows[i].from_status).toBe(rows[i - 1].to_status)
          expect(rows[rows.length - 1].to_status).toBe(intent.status)
          expect(rows.every((r) => r.amount === intent.amount)).toBe(true)
        }
        const settledInLedger = ledger.filter((e) => e.object_type === 'transaction' && transactions.some((t) => t.id === e.object_id))
        expect(sumAmounts(settledInLedger.map((e) => e.amount!)).toFixed(2)).toBe(expected)
      }),
      { numRuns: 12, seed: 20261206 },
    )
  }, 300_000)
})
