import { describe, expect, it } from 'vitest'
import { createSandboxConnector } from '../../src/connectors/sandbox/connector.ts'
import type { AccountScopedRecord, ConnectorContext, Period } from '../../src/connectors/types.ts'
import { sandboxResources } from '../helpers/sandbox-connector.ts'

/**
 * A merchant's card receivables and its settlement account agree: what the acquirer has paid into
 * the account (its card settlement credits) is, to the cent, the paid installments of the sales.
 */

type Json = Record<string, any>

const MERCHANT = { id: 1040, name: 'erebor_br_business', country: 'BR', shape: 'ofda' as const }
const TODAY = '2026-03-10'
const ALL: Period = { dateFrom: '2015-01-01', dateTo: '2026-03-09' }

function ctx(profile: string): ConnectorContext {
  return {
    institution: MERCHANT,
    credentials: { username: 'bnk100', password: profile },
    linkSeed: `merchant-${profile}`,
    profile,
    today: TODAY,
    accessedAt: `${TODAY}T12:00:00.000Z`,
  }
}

const cents = (value: number) => Math.round(value * 100)

/** What has been paid of a sale: its paid installments, equal parts of the net with the remainder in the last. */
function paidCents(item: Json): number {
  const net = cents(item.net_amount)
  const { paid, total } = item.number_of_installments
  return paid === total ? net : Math.floor(net / total) * paid
}

describe("a merchant's receivables and its settlement account", () => {
  // The data sets whose account history starts with the sales ("low" keeps a three-month window at the bank).
  for (const profile of ['full', 'negative']) {
    it(`${profile}: the account's card settlement credits are the sales' paid installments, to the cent`, async () => {
      const c = ctx(profile)
      const receivables = (await createSandboxConnector(MERCHANT).fetch('RECEIVABLES', c, { period: ALL })) as Json[]
      expect(receivables.length).toBeGreaterThan(0)
      const account = receivables[0].account_internal_identification
      const transactions: AccountScopedRecord[] = []
      for await (const batch of sandboxResources(MERCHANT).transactions(c, ALL, account)) transactions.push(...batch)
      const credits = transactions.filter((t) => t.description === 'LIQUIDACAO VENDAS CARTAO')
      expect(credits.length).toBeGreaterThan(0)
      for (const credit of credits) expect(credit).toMatchObject({ type: 'INFLOW', category: 'Income & Payments' })
      const settled = credits.reduce((sum, t) => sum + cents(t.amount as number), 0)
      expect(settled).toBe(receivables.reduce((sum, item) => sum + paidCents(item), 0))
      // Voided and charged-back sales are never paid.
      for (const item of receivables.filter((i) => i.status !== 'APPROVED')) expect(item.number_of_installments.paid).toBe(0)
    })
  }
})
