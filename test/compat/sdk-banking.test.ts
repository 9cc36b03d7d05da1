import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectedClient, type BelvoClient } from '../helpers/belvo.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'

type Json = Record<string, any>

/** Every links and banking method of the official belvo@0.28.0 SDK, over real HTTP. */
describe('official belvo SDK: links and banking', () => {
  let h: Harness
  let client: BelvoClient
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
    client = await connectedClient(h)
  })
  afterAll(async () => h.close())

  it('registers, lists, details, updates, patches and deletes links', async () => {
    const link = await client.links.register('erebor_mx_retail', 'bnk100', 'full', { externalId: 'sdk-user-1', accessMode: 'recurrent' })
    expect(link).toMatchObject({ institution: 'erebor_mx_retail', status: 'valid', access_mode: 'recurrent', external_id: 'sdk-user-1' })
    const listed = await client.links.list({ filters: { external_id: 'sdk-user-1' } })
    expect(listed.map((l: Json) => l.id)).toEqual([link.id])
    expect(await client.links.detail(link.id)).toMatchObject({ id: link.id })
    expect(await client.links.update(link.id, { password: 'full' })).toMatchObject({ id: link.id, status: 'valid' })
    expect(await client.links.patch(link.id, { accessMode: 'single' })).toMatchObject({ access_mode: 'single' })
    expect(await client.links.delete(link.id)).toBe(true)
    expect(await client.links.delete(link.id)).toBe(false)
  })

  it('surfaces Belvo errors as RequestError with the error array', async () => {
    const error = await client.links.register('erebor_mx_retail', 'user_invalid', 'pass_invalid').catch((e: unknown) => e)
    expect(error).toMatchObject({ statusCode: 400, detail: [{ code: 'login_error', request_id: expect.stringMatching(/^[a-f0-9]{32}$/) }] })
    const missing = await client.links.detail('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e)
    expect(missing).toMatchObject({ statusCode: 404, detail: [{ code: 'not_found' }] })
  })

  it('updates link credentials with links.update, which needs the password', async () => {
    const link = await client.links.register('erebor_mx_retail', 'user_valid', 'pass_valid', { accessMode: 'single' })
    expect(await client.links.update(link.id, { password: 'pass_valid', password2: undefined })).toMatchObject({ id: link.id, status: 'valid' })
    // The SDK sends {} (undefined options are dropped): Belvo's LinksPutRequest requires password.
    const error = await client.links.update(link.id, { token: undefined }).catch((e: unknown) => e)
    expect(error).toMatchObject({ statusCode: 400, detail: [{ code: 'required', field: 'password', message: 'This field is required.' }] })
  })

  it('completes the MFA flow with resume', async () => {
    const challenge = await client.links.register('heimdall_mx_retail', 'mfa_numeric', 'numeric_code').catch((e: any) => e)
    expect(challenge.statusCode).toBe(428)
    const { session, link, token_generation_data: data } = challenge.detail[0]
    expect(data).toMatchObject({ type: expect.any(String), expects_user_input: expect.any(Boolean) })
    const retry = await client.links.resume(session, '999999', link).catch((e: any) => e)
    expect(retry.statusCode).toBe(428)
    const done = await client.links.resume(retry.detail[0].session, '111111', link)
    expect(done).toMatchObject({ id: link, status: 'valid' })

    const accountsChallenge = await client.accounts.retrieve(link).catch((e: any) => e)
    expect(accountsChallenge.statusCode).toBe(428)
    const accounts = await client.accounts.resume(accountsChallenge.detail[0].session, '111111', link)
    expect(accounts.length).toBeGreaterThan(0)
  })

  it('retrieves and lists accounts, transactions (following next), balances and owners', async () => {
    const link = await client.links.register('gringotts_mx_retail', 'bnk100', 'full')
    const accounts = await client.accounts.retrieve(link.id)
    expect(accounts.length).toBeGreaterThan(0)
    expect(await client.accounts.list({ filters: { link: link.id } })).toHaveLength(accounts.length)
    expect(await client.accounts.detail(accounts[0].id)).toMatchObject({ id: accounts[0].id })

    const transactions = await client.transactions.retrieve(link.id, '2025-09-01', { dateTo: '2026-02-28' })
    expect(transactions.length).toBeGreaterThan(100)
    // Pages of 25 through `next`, the way the SDK walks a list.
    const listed = await client.transactions.list({ limit: 10_000, filters: { link: link.id, page_size: 25 } })
    expect(listed.map((t: Json) => t.id).sort()).toEqual(transactions.map((t: Json) => t.id).sort())
    const inflows = await client.transactions.list({ filters: { link: link.id, type: 'INFLOW', account__in: [accounts[0].id] } })
    expect(inflows.every((t: Json) => t.type === 'INFLOW' && t.account.id === accounts[0].id)).toBe(true)
    await expect(client.transactions.list({ filters: {} })).rejects.toMatchObject({ statusCode: 400 })
    expect(await client.transactions.detail(transactions[0].id)).toMatchObject({ id: transactions[0].id })
    expect(await client.transactions.delete(transactions[0].id)).toBe(true)

    const balances = await client.balances.retrieve(link.id, '2026-02-01', { dateTo: '2026-02-28', account: accounts[0].id })
    expect(balances.length).toBeGreaterThan(0)
    expect(balances.every((b: Json) => b.account.id === accounts[0].id)).toBe(true)
    expect((await client.balances.list({ filters: { link: link.id } })).length).toBe(balances.length)

    const owners = await client.owners.retrieve(link.id)
    expect(owners[0]).toMatchObject({ link: link.id, display_name: expect.any(String) })
    expect(await client.owners.detail(owners[0].id)).toMatchObject({ id: owners[0].id })
    expect(await client.owners.list({ filters: { link: link.id } })).toHaveLength(owners.length)
  })

  it('retrieves statements and investment portfolios', async () => {
    const link = await client.links.register('erebor_mx_retail', 'bnk100', 'full')
    const accounts = await client.accounts.retrieve(link.id)
    const checking = accounts.find((a: Json) => a.category === 'CHECKING_ACCOUNT')
    const statements = await client.statements.retrieve(link.id, checking.id, 2026, 1)
    expect(statements.length).toBeGreaterThan(0)
    expect(await client.statements.list({ filters: { link: link.id } })).toHaveLength(statements.length)
    expect(await client.statements.detail(statements[0].id)).toMatchObject({ id: statements[0].id })
    const portfolio = await client.investmentsPortfolios.retrieve(link.id)
    expect(portfolio).toMatchObject({ name: expect.any(String), currency: 'MXN' })
    // Belvo's legacy POST answers one InvestmentsPortfolio; every portfolio is stored and listed.
    const portfolios = await client.investmentsPortfolios.list({ filters: { link: link.id } })
    expect(portfolios.map((p: Json) => p.id)).toContain(portfolio.id)
    expect(await client.statements.delete(statements[0].id)).toBe(true)
  })
})
