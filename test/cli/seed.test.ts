import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedProgressLine } from '../../src/commands.ts'
import { commandRunner } from '../helpers/commands.ts'
import { basic, createHarness, type Harness } from '../helpers/harness.ts'

/** `ponte seed` (issue 18): a synthetic tenant whose data the API serves like any other. */
describe('ponte seed', () => {
  let h: Harness
  let ponte: ReturnType<typeof commandRunner>
  beforeAll(async () => {
    h = await createHarness()
    ponte = commandRunner({
      db: async () => h.db,
      cipher: async () => h.app.deps.domain.cipher,
      queue: async () => h.app.deps.domain.jobs,
      webhooks: { allowPrivateDestinations: true },
    })
  })
  afterAll(async () => h?.close())

  it('builds N links with Y years of transactions in a new organization, listed by the API with its new key', async () => {
    const seeded = await ponte('seed', '--links', '2', '--years', '1', '--accounts', '1', '--json')
    expect(seeded).toMatchObject({ code: 0 })
    const summary = JSON.parse(seeded.stdout)
    expect(summary.links).toHaveLength(2)
    const auth = basic(summary.key)
    const links = await h.call('GET', '/api/links/', undefined, { auth })
    expect(links.body.results.map((l: { id: string }) => l.id).sort()).toEqual([...summary.links].sort())
    let listed = 0
    for (const link of summary.links) {
      const transactions = await h.call('GET', `/api/transactions/?link=${link}&page_size=1`, undefined, { auth })
      expect(transactions.status).toBe(200)
      expect(transactions.body.count).toBeGreaterThan(100)
      expect(transactions.body.results[0].value_date >= new Date(Date.now() - 366 * 86_400_000).toISOString().slice(0, 10)).toBe(true)
      listed += transactions.body.count
    }
    expect(listed).toBe(summary.transactions)
    // Not in the harness's organizations.
    expect((await h.call('GET', '/api/links/')).body.count).toBe(0)
  })

  it('refuses missing and out-of-range counts with exit code 2 and one line', async () => {
    expect(await ponte('seed', '--years', '1')).toEqual({ code: 2, stdout: '', stderr: 'seed needs --links\n' })
    expect(await ponte('seed', '--links', '0', '--years', '1')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Invalid --links 0; give a whole number from 1 to 10000\n',
    })
    expect((await ponte('seed', '--links', '2', '--years', '99')).stderr).toBe('Invalid --years 99; give a whole number from 1 to 30\n')
    expect((await ponte('seed', '--links', '1.5', '--years', '1')).code).toBe(2)
    expect(await ponte('seed', '--links', '1', '--years', '1', '--organization-id', '6a1f0d2e-0000-4000-8000-000000000000')).toMatchObject({ code: 1 })
  })

  it('draws a progress bar with the rate and an ETA', () => {
    expect(seedProgressLine({ linksDone: 1, links: 4, rows: 100, rowsPerLink: 100 }, 10)).toBe(
      '[#####---------------]   25%  1/4 links  100 rows  10 rows/s  ETA 30s',
    )
    expect(seedProgressLine({ linksDone: 0, links: 4, rows: 50 }, 5)).toBe('[--------------------]    0%  0/4 links  50 rows  10 rows/s  ETA --')
  })
})
