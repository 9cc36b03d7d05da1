import { describe, expect, it } from 'vitest'
import { CATALOG, wireShape } from '../../src/connectors/catalog.ts'
import type { AccountScopedRecord, ConnectorContext, Period } from '../../src/connectors/types.ts'
import { sandboxResources } from '../helpers/sandbox-connector.ts'

/**
 * Belvo's gig platforms in the sandbox: Goonies (ride sharing) and Planet Express (delivery) in
 * Mexico, Colombia and Brazil. A link is a worker's earnings account: trips or deliveries credited
 * as they happen, the platform's commission on cash trips, and every Monday the previous week's
 * net paid out to the worker's bank, with balances that follow from the movements.
 */

type Json = Record<string, any>

const TODAY = '2026-03-10'
const PERIOD: Period = { dateFrom: '2025-12-01', dateTo: '2026-03-09' }
const GIGS = CATALOG.filter((i) => i.name.endsWith('_gig')).map((i) => ({ id: i.id, name: i.name, country: i.country, shape: wireShape(i) }))

function ctx(inst: (typeof GIGS)[number], profile: string, username = `gig10${['full', 'nodata', 'low', 'negative'].indexOf(profile)}`): ConnectorContext {
  return {
    institution: inst,
    credentials: { username, password: profile },
    linkSeed: `gig-${profile}`,
    profile,
    today: TODAY,
    accessedAt: `${TODAY}T12:00:00.000Z`,
  }
}

async function transactionsOf(inst: (typeof GIGS)[number], c: ConnectorContext, period = PERIOD): Promise<AccountScopedRecord[]> {
  const out: AccountScopedRecord[] = []
  for await (const batch of sandboxResources(inst).transactions(c, period)) out.push(...batch)
  return out
}

const cents = (value: number) => Math.round(value * 100)
const signed = (t: Json) => (t.type === 'INFLOW' ? cents(t.amount) : -cents(t.amount))
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000
const isPayout = (t: Json) => /^(PAGO SEMANAL|REPASSE SEMANAL)/.test(t.description)

describe('gig platforms (goonies_*_gig, planet_*_gig)', () => {
  it('are six employment institutions of the catalog, one per platform and country, with the banking resources', () => {
    expect(GIGS.map((i) => i.name).sort()).toEqual(['goonies_br_gig', 'goonies_co_gig', 'goonies_mx_gig', 'planet_br_gig', 'planet_co_gig', 'planet_mx_gig'])
    for (const inst of CATALOG.filter((i) => i.name.endsWith('_gig'))) {
      expect(inst.type).toBe('employment')
      expect(inst.resources).toEqual(['ACCOUNTS', 'TRANSACTIONS', 'OWNERS', 'BALANCES'])
    }
  })

  it('log the gig personas in with their data sets', async () => {
    const login = sandboxResources(GIGS[0]).login
    for (const [i, profile] of ['full', 'nodata', 'low', 'negative'].entries()) {
      expect(await login({ username: `gig10${i}`, password: profile })).toMatchObject({ status: 'ok', profile })
      expect(await login({ username: `gig10${i}`, password: 'wrong' })).toMatchObject({ status: 'error', code: 'login_error' })
    }
  })

  for (const inst of GIGS) {
    it(`${inst.name}: one earnings account whose movements are the work, paid out every Monday, and balances that add up`, async () => {
      const c = ctx(inst, 'full')
      const conn = sandboxResources(inst)
      const accounts = (await conn.accounts(c)) as Json[]
      expect(accounts).toHaveLength(1)
      const [account] = accounts
      expect(account).toMatchObject({ category: 'CHECKING_ACCOUNT', institution: { name: inst.name, type: 'employment' } })
      const brand = inst.name.startsWith('goonies_') ? 'Goonies' : 'Planet Express'
      expect(account.name).toContain(brand)

      const txs = (await transactionsOf(inst, c)) as Json[]
      const work = txs.filter((t) => !isPayout(t))
      const ride = brand === 'Goonies'
      const fares = work.filter((t) => (ride ? /^(VIAJE|CORRIDA) /.test(t.description) : /^ENTREGA PEDIDO /.test(t.description)))
      expect(fares.length).toBeGreaterThan(300)
      for (const fare of fares) expect(fare).toMatchObject({ type: 'INFLOW', category: 'Income & Payments', subcategory: 'Freelance' })
      // Tips come with deliveries, cash commissions with rides.
      expect(work.some((t) => /^(PROPINA|GORJETA) /.test(t.description))).toBe(!ride)
      expect(work.some((t) => /EFECTIVO|DINHEIRO/.test(t.description))).toBe(ride)

      // Each Monday pays the net of the seven days before it, when the whole week is in the period.
      const payouts = txs.filter(isPayout)
      expect(payouts.length).toBeGreaterThanOrEqual(12)
      let checked = 0
      for (const payout of payouts) {
        expect(new Date(`${payout.value_date}T00:00:00Z`).getUTCDay()).toBe(1)
        expect(payout.type).toBe('OUTFLOW')
        const monday = dayNumber(payout.value_date)
        if (monday - 7 < dayNumber(PERIOD.dateFrom)) continue
        const week = work.filter(
          (t) => dayNumber(t.value_date) >= monday - 7 && dayNumber(t.value_date) < monday && !/^(BONO|BONUS|RETIRO|SAQUE)/.test(t.description),
        )
        expect(cents(payout.amount), payout.value_date).toBe(week.reduce((sum, t) => sum + signed(t), 0))
        checked++
      }
      expect(checked).toBeGreaterThan(10)

      if (inst.shape === 'multiregion') {
        // The running balance moves by each movement, and ends where the account stands.
        for (let i = 1; i < txs.length; i++) expect(cents(txs[i].balance) - cents(txs[i - 1].balance), txs[i].description).toBe(signed(txs[i]))
        expect(txs.at(-1)!.balance).toBe(account.balance.current)
      }
      // What the platform holds is the week's unpaid earnings: never more than a couple of weeks' pay.
      expect(account.balance.current).toBeGreaterThanOrEqual(0)
      expect(cents(account.balance.current)).toBeLessThan(3 * Math.max(...payouts.map((p) => cents(p.amount))))
    })
  }

  it('gives the other data sets their shape: no account (nodata), part-time work (low), a commission debt (negative)', async () => {
    const inst = GIGS.find((i) => i.name === 'goonies_mx_gig')!
    const conn = sandboxResources(inst)
    expect(await conn.accounts(ctx(inst, 'nodata'))).toEqual([])
    const full = (await transactionsOf(inst, ctx(inst, 'full'))).filter((t) => !isPayout(t))
    const low = (await transactionsOf(inst, ctx(inst, 'low'))).filter((t) => !isPayout(t))
    expect(low.length).toBeGreaterThan(0)
    expect(low.length * 3).toBeLessThan(full.length)
    const [negative] = (await conn.accounts(ctx(inst, 'negative'))) as Json[]
    expect(negative.balance.current).toBeLessThan(0)
    const debt = (await transactionsOf(inst, ctx(inst, 'negative'))) as Json[]
    expect(debt.filter((t) => /EFECTIVO/.test(t.description)).length).toBeGreaterThan(debt.filter((t) => /^VIAJE /.test(t.description)).length)
    expect(debt.some((t) => t.description === 'ABONO A SALDO DEUDOR' && t.type === 'INFLOW')).toBe(true)
  })

  it('is deterministic, and a day reads the same from any period that has it', async () => {
    const inst = GIGS.find((i) => i.name === 'planet_br_gig')!
    const c = ctx(inst, 'full')
    const all = await transactionsOf(inst, c)
    expect(await transactionsOf(inst, c)).toEqual(all)
    const january = await transactionsOf(inst, c, { dateFrom: '2026-01-01', dateTo: '2026-01-31' })
    expect(january).toEqual(all.filter((t) => String(t.value_date).startsWith('2026-01')))
  })

  it('names the worker as the owner, paid out to an account in their own name', async () => {
    const inst = GIGS.find((i) => i.name === 'goonies_mx_gig')!
    const [owner] = (await sandboxResources(inst).owners(ctx(inst, 'full'))) as Json[]
    const payout = (await transactionsOf(inst, ctx(inst, 'full'))).find(isPayout)!
    expect(owner.display_name).toBeTruthy()
    expect(String(payout.description)).toMatch(/\*\*\*\*\d{4}$/)
  })
})
