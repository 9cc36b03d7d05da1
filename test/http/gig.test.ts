import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { createLink, expectError, expectItems, QUARTER } from '../helpers/resources.ts'
import { expectSpec } from '../helpers/spec.ts'

/**
 * The gig platforms through the API: listed as employment institutions, linked with the gig
 * personas, their earnings account served by the banking resources with Belvo's items, and the
 * resources they do not offer refused.
 */

type Json = Record<string, any>

describe('gig platforms through the API', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
  })
  afterAll(async () => h.close())

  it("lists Goonies and Planet Express in each country, as Belvo's InstitutionPublicApi", async () => {
    const res = await h.call('GET', '/api/institutions/?name__in=goonies_mx_gig,planet_mx_gig,goonies_co_gig,planet_co_gig,goonies_br_gig,planet_br_gig')
    expect(res.body.count).toBe(6)
    for (const institution of res.body.results as Json[]) {
      expectSpec('current', 'InstitutionPublicApi', institution)
      expect(institution).toMatchObject({ type: 'employment', resources: ['ACCOUNTS', 'TRANSACTIONS', 'OWNERS', 'BALANCES'] })
    }
  })

  it.each([
    ['goonies_mx_gig', 'multiregion', '/api/balances/'],
    ['planet_br_gig', 'ofda', '/api/br/balances/'],
  ] as const)('serves the earnings account of %s: accounts, owners, transactions and balances, as Belvo items', async (institution, shape, balances) => {
    const link = await createLink(h, { institution, persona: 'gig100/full' })
    const accounts = await h.call('POST', '/api/accounts/', { link: link.id })
    expect(accounts.status).toBe(201)
    expect(accounts.body).toHaveLength(1)
    expectItems({ ofda: ['AccountOpenFinanceBrazil'], multiregion: ['Account'] }, shape, accounts.body)
    expect(accounts.body[0].institution).toEqual({ name: institution, type: 'employment' })
    const owners = await h.call('POST', '/api/owners/', { link: link.id })
    expect(owners.status).toBe(201)
    expectItems({ ofda: ['OwnerIndividualOpenFinanceBrazil'], multiregion: ['Owner'] }, shape, owners.body)
    const transactions = await h.call('POST', '/api/transactions/', { link: link.id, ...QUARTER })
    expect(transactions.status).toBe(201)
    expect(transactions.body.length).toBeGreaterThan(100)
    expectItems({ ofda: ['TransactionOpenFinanceBrazil'], multiregion: ['Transaction'] }, shape, transactions.body)
    const balance = await h.call('POST', balances, { link: link.id, ...(shape === 'multiregion' ? QUARTER : {}) })
    expect(balance.status, JSON.stringify(balance.body).slice(0, 300)).toBe(201)
    expectItems({ ofda: ['BalanceOFDA'], multiregion: ['Balance'] }, shape, balance.body)
  })

  it('refuses what a gig platform does not offer, and gives the no-data persona nothing', async () => {
    const link = await createLink(h, { institution: 'planet_br_gig', persona: 'gig100/full' })
    expectError(await h.call('POST', '/api/bills/', { link: link.id }), 400, 'unsupported_operation')
    expectError(await h.call('POST', '/receivables/transactions/', { link: link.id, ...QUARTER }), 400, 'unsupported_operation')
    const empty = await createLink(h, { institution: 'goonies_co_gig', persona: 'gig101/nodata' })
    const res = await h.call('POST', '/api/accounts/', { link: empty.id })
    expect(res.status).toBe(201)
    expect(res.body).toEqual([])
    expectError(
      await h.call('POST', '/api/links/', { institution: 'goonies_mx_gig', username: 'gig103', password: 'full', access_mode: 'single' }),
      400,
      'login_error',
    )
  })
})
