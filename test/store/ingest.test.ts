import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InstitutionRecord } from '../../src/connectors/types.ts'
import { uuidv7 } from '../../src/lib/ids.ts'
import { insertNewTransactions, transactionsCopyData, type TransactionInsert } from '../../src/store/resources.ts'
import { backend } from '../helpers/db.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'

type Json = Record<string, any>

/**
 * A link's first transactions go in by COPY (store/resources.ts insertNewTransactions), later
 * ones by upsert. These check what a user would see go wrong: duplicates, wrong counts, mangled
 * text, a half-written batch.
 */
describe(`transaction ingest on ${backend}`, () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
  })
  afterAll(async () => h.close())

  const call: Harness['call'] = (...args) => h.call(...args)

  async function stored(linkId: string) {
    const [row] = await h.db.query<{ rows: string; distinct_ids: string; kept: number }>(
      `SELECT count(*) AS rows, count(DISTINCT internal_identification) AS distinct_ids,
         (SELECT transaction_count FROM links WHERE id = $1) AS kept FROM transactions WHERE link_id = $1`,
      [linkId],
    )
    return { rows: Number(row.rows), distinct: Number(row.distinct_ids), kept: Number(row.kept) }
  }

  it('stores each transaction once when two retrieves of a new link run at once, and both answer the stored ids', async () => {
    const link = (await call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' })).body
    const body = { link: link.id, date_from: '2025-03-01', date_to: '2026-03-09' }
    const [a, b] = await Promise.all([call('POST', '/api/transactions/', body), call('POST', '/api/transactions/', body)])
    expect(a.status).toBe(201)
    expect(b.status).toBe(201)
    expect(a.body.length).toBeGreaterThan(500)
    expect(b.body.length).toBe(a.body.length)
    const idsOf = (items: Json[]) => new Map(items.map((t) => [t.internal_identification, t.id]))
    expect(idsOf(b.body)).toEqual(idsOf(a.body))
    expect(await stored(link.id)).toEqual({ rows: a.body.length, distinct: a.body.length, kept: a.body.length })
    // Every stored transaction lists, under an account that exists (and the one both answered).
    const list = await call('GET', `/api/transactions/?link=${link.id}&page_size=1000`)
    expect(list.body.count).toBe(a.body.length)
    expect(list.body.results.length).toBe(a.body.length)
    expect(idsOf(list.body.results)).toEqual(idsOf(a.body))
    const accounts = (await call('GET', `/api/accounts/?link=${link.id}`)).body
    expect(accounts.count).toBe(new Set(a.body.map((t: Json) => t.account.internal_identification)).size)
    const accountIds = new Set(accounts.results.map((x: Json) => x.id))
    for (const t of [...a.body, ...b.body]) expect(accountIds).toContain(t.account.id)
  })

  it('re-retrieving the same period after the first ingest updates in place', async () => {
    const link = (await call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' })).body
    const body = { link: link.id, date_from: '2025-09-01', date_to: '2026-03-09' }
    const first = await call('POST', '/api/transactions/', body)
    const second = await call('POST', '/api/transactions/', body)
    expect(second.body.map((t: Json) => t.id).sort()).toEqual(first.body.map((t: Json) => t.id).sort())
    expect(await stored(link.id)).toEqual({ rows: first.body.length, distinct: first.body.length, kept: first.body.length })
  })

  it('keeps the link count (what list count says) equal to the stored rows through deletes', async () => {
    const link = (await call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' })).body
    const fetched = (await call('POST', '/api/transactions/', { link: link.id, date_from: '2025-12-01', date_to: '2026-03-09' })).body
    expect((await call('DELETE', `/api/transactions/${fetched[0].id}/`)).status).toBe(204)
    let now = await stored(link.id)
    expect(now).toMatchObject({ rows: fetched.length - 1, kept: fetched.length - 1 })
    const account = fetched.find((t: Json) => t.account.id !== fetched[0].account.id)?.account ?? fetched[0].account
    expect((await call('DELETE', `/api/accounts/${account.id}/`)).status).toBe(204)
    now = await stored(link.id)
    expect(now.rows).toBeLessThan(fetched.length - 1)
    expect(now.kept).toBe(now.rows)
    expect((await call('GET', `/api/transactions/?link=${link.id}`)).body.count).toBe(now.rows)
  })

  it('serves deep pages (past the deferred-join depth) in the same order as shallow ones, with or without filters', async () => {
    const link = (await call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' })).body
    const fetched = (await call('POST', '/api/transactions/', { link: link.id, date_from: '2024-03-11', date_to: '2026-03-09' })).body
    expect(fetched.length).toBeGreaterThan(1100)
    const all: Json[] = []
    for (let p = 1; all.length < fetched.length; p++)
      all.push(...(await call('GET', `/api/transactions/?link=${link.id}&page_size=1000&page=${p}`)).body.results)
    const deep = (await call('GET', `/api/transactions/?link=${link.id}&page_size=100&page=11`)).body
    expect(deep.count).toBe(fetched.length)
    expect(deep.results.map((t: Json) => t.id)).toEqual(all.slice(1000, 1100).map((t) => t.id))
    expect(deep.results[0]).toEqual(all[1000])
    const inflows = all.filter((t) => t.type === 'INFLOW')
    const filtered = (await call('GET', `/api/transactions/?link=${link.id}&type=INFLOW&page_size=10&page=${Math.floor(inflows.length / 10)}`)).body
    expect(filtered.count).toBe(inflows.length)
    expect(filtered.results.map((t: Json) => t.id)).toEqual(
      inflows.slice((Math.floor(inflows.length / 10) - 1) * 10, Math.floor(inflows.length / 10) * 10).map((t) => t.id),
    )
    expect((await call('GET', `/api/transactions/?link=${link.id}&page_size=1000&page=${Math.ceil(fetched.length / 1000) + 1}`)).status).toBe(404)
  })

  it('walks deep pages by remembered boundaries, and never serves a boundary the data moved past', async () => {
    const link = (await call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' })).body
    await call('POST', '/api/transactions/', { link: link.id, date_from: '2024-03-11', date_to: '2026-03-09' })
    const truth = async () => {
      const all: Json[] = []
      for (let p = 1; ; p++) {
        const res = await call('GET', `/api/transactions/?link=${link.id}&page_size=1000&page=${p}`)
        if (res.status === 404) return all
        all.push(...res.body.results)
      }
    }
    const page = async (n: number) => (await call('GET', `/api/transactions/?link=${link.id}&page_size=100&page=${n}`)).body
    let all = await truth()
    // Pages 10, 11, 12 in order (11 and 12 start where the page before ended), then 12 again.
    for (const n of [10, 11, 12, 12, 11]) {
      const body = await page(n)
      expect(body.count).toBe(all.length)
      expect(body.results.map((t: Json) => t.id)).toEqual(all.slice((n - 1) * 100, n * 100).map((t) => t.id))
    }
    // Another organization gets nothing of it, remembered boundaries or not.
    const foreign = async (url: string) => {
      const res = await h.app.inject({ method: 'GET', url, headers: { authorization: h.otherAuth } })
      return { status: res.statusCode, body: res.json() }
    }
    expect(await foreign(`/api/transactions/?link=${link.id}&page_size=100&page=12`)).toMatchObject({ status: 404 })
    expect((await foreign(`/api/transactions/?link=${link.id}&page_size=100`)).body).toMatchObject({ count: 0, results: [] })
    // A delete before page 12 shifts it by one row: the remembered boundary must not be used.
    expect((await call('DELETE', `/api/transactions/${all[5].id}/`)).status).toBe(204)
    all = await truth()
    for (const n of [12, 11, 12]) expect((await page(n)).results.map((t: Json) => t.id)).toEqual(all.slice((n - 1) * 100, n * 100).map((t) => t.id))
    // Re-fetching brings the deleted one back (an upsert, which may move rows): same rule.
    await page(12)
    expect((await call('POST', '/api/transactions/', { link: link.id, date_from: '2026-01-01', date_to: '2026-03-09' })).status).toBe(201)
    all = await truth()
    expect((await page(12)).results.map((t: Json) => t.id)).toEqual(all.slice(1100, 1200).map((t) => t.id))
  })

  it("embeds each account as it is now in a link's transaction pages, whoever changed it", async () => {
    const link = (await call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' })).body
    await call('POST', '/api/transactions/', { link: link.id, date_from: '2026-01-01', date_to: '2026-03-09' })
    const first = async () => (await call('GET', `/api/transactions/?link=${link.id}&page_size=5`)).body.results[0]
    const before = await first()
    expect(before.account.name).toBeTruthy()
    // Another process (here, plain SQL) renames the account: the next page shows the new name.
    await h.db.query(`UPDATE accounts SET body = jsonb_set(body::jsonb, '{name}', '"Renamed"')::text WHERE id = $1`, [before.account.id])
    expect((await first()).account).toEqual({ ...before.account, name: 'Renamed' })
    // A re-retrieve of the accounts writes the institution's name back.
    expect((await call('POST', '/api/accounts/', { link: link.id })).status).toBe(201)
    expect((await first()).account.name).toBe(before.account.name)
    // Deleting the account takes its transactions with it: no page embeds it any more.
    expect((await call('DELETE', `/api/accounts/${before.account.id}/`)).status).toBe(204)
    const after = (await call('GET', `/api/transactions/?link=${link.id}&page_size=1000`)).body.results as Json[]
    expect(after.length).toBeGreaterThan(0)
    expect(after.every((t) => t.account.id !== before.account.id && t.account.link === link.id)).toBe(true)
  })

  describe('deleting the link or an account while a retrieve writes', () => {
    const registry = () => h.app.deps.domain.connectors
    const connector = () => registry().connectorFor(registry().institution('erebor_mx_retail')!)
    const newLink = async () =>
      (await call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' })).body
    const orphans = async () =>
      Number(
        (await h.db.query<{ n: string }>('SELECT count(*) AS n FROM transactions t WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.account_id)'))[0]
          .n,
      )

    /** Hands the institution's transactions over in small batches and runs `between` after the third. */
    async function withDeleteBetweenBatches<T>(between: () => Promise<void>, run: () => Promise<T>): Promise<T> {
      const c = connector()
      const original = c.fetch
      c.fetch = (resource, ctx, params) => {
        const answer = original.call(c, resource, ctx, params)
        if (resource !== 'TRANSACTIONS') return answer
        return (async function* () {
          let handed = 0
          for await (const batch of answer as AsyncIterable<InstitutionRecord[]>) {
            for (let i = 0; i < batch.length; i += 100) {
              // By now the first batches are stored and the next one may be writing.
              if (handed++ === 3) await between()
              yield batch.slice(i, i + 100)
            }
          }
        })()
      }
      try {
        return await run()
      } finally {
        c.fetch = original
      }
    }

    it('leaves none of a link deleted between batches, and answers 400 does_not_exist', async () => {
      const link = await newLink()
      let deleted = 0
      const res = await withDeleteBetweenBatches(
        async () => {
          deleted = (await call('DELETE', `/api/links/${link.id}/`)).status
        },
        () => call('POST', '/api/transactions/', { link: link.id, date_from: '2025-03-01', date_to: '2026-03-09' }),
      )
      expect(deleted).toBe(204)
      expect(res.status).toBe(400)
      expect(res.body[0]).toMatchObject({ code: 'does_not_exist', field: 'link' })
      expect(Number((await h.db.query<{ n: string }>('SELECT count(*) AS n FROM transactions WHERE link_id = $1', [link.id]))[0].n)).toBe(0)
      expect(await orphans()).toBe(0)
    })

    it('leaves none of an account deleted between batches, and answers 404', async () => {
      const link = await newLink()
      const accounts = (await call('POST', '/api/accounts/', { link: link.id })).body as Json[]
      const account = accounts[0]
      const res = await withDeleteBetweenBatches(
        async () => {
          expect((await call('DELETE', `/api/accounts/${account.id}/`)).status).toBe(204)
        },
        () => call('POST', '/api/transactions/', { link: link.id, date_from: '2025-03-01', date_to: '2026-03-09' }),
      )
      expect(res.status).toBe(404)
      expect(Number((await h.db.query<{ n: string }>('SELECT count(*) AS n FROM transactions WHERE account_id = $1', [account.id]))[0].n)).toBe(0)
      expect(await orphans()).toBe(0)
      expect(await stored(link.id)).toMatchObject({ rows: expect.any(Number) })
      const now = await stored(link.id)
      expect(now.kept).toBe(now.rows)
      expect((await call('GET', `/api/transactions/?link=${link.id}`)).body.count).toBe(now.rows)
    })

    it('answers 400 does_not_exist, not 500, for balances of a link deleted before they are stored', async () => {
      const link = await newLink()
      expect((await call('POST', '/api/accounts/', { link: link.id })).status).toBe(201)
      const c = connector()
      const original = c.fetch
      c.fetch = (resource, ctx, params) => {
        const answer = original.call(c, resource, ctx, params)
        if (resource !== 'BALANCES') return answer
        return (async () => {
          const records = await (answer as Promise<InstitutionRecord[]>)
          expect((await call('DELETE', `/api/links/${link.id}/`)).status).toBe(204)
          return records
        })()
      }
      try {
        const res = await call('POST', '/api/balances/', { link: link.id, date_from: '2026-01-01', date_to: '2026-03-09' })
        expect(res.status).toBe(400)
        expect(res.body[0]).toMatchObject({ code: 'does_not_exist', field: 'link' })
      } finally {
        c.fetch = original
      }
      expect(Number((await h.db.query<{ n: string }>('SELECT count(*) AS n FROM records WHERE link_id = $1', [link.id]))[0].n)).toBe(0)
    })
  })

  describe('COPY batches', () => {
    let linkId: string
    let accountId: string
    let organizationId: string
    beforeAll(async () => {
      const link = (await call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' })).body
      const accounts = (await call('POST', '/api/accounts/', { link: link.id })).body
      linkId = link.id
      accountId = accounts[0].id
      organizationId = h.key.organizationId
    })

    const row = (internalId: string, description: string | null, extra: Partial<TransactionInsert> = {}): TransactionInsert => ({
      id: uuidv7(),
      account_id: accountId,
      internal_identification: internalId,
      value_date: '2026-01-02',
      accounting_date: '2026-01-02T10:00:00.000Z',
      amount: 10.5,
      currency: 'MXN',
      type: 'OUTFLOW',
      status: 'PROCESSED',
      category: null,
      reference: null,
      bill_name: null,
      collected_at: '2026-03-10T15:00:00.000Z',
      created_at: '2026-03-10T15:00:00.000Z',
      body: JSON.stringify({ created_at: '2026-03-10T15:00:00.000Z', description, internal_identification: internalId }),
      ...extra,
    })

    it('keeps text with tabs, newlines, backslashes and non-ASCII exactly', async () => {
      const tricky = 'tab\there\nnew line\r\\N back\\slash "quoted" ação 🚀 \\t'
      const rows = [row('copy-text-1', tricky, { reference: 'ref\twith\ttabs\\', category: null }), row('copy-text-2', null)]
      expect(await insertNewTransactions(h.db, transactionsCopyData(organizationId, linkId, rows))).toBe(true)
      const back = await h.db.query<{ body: string; reference: string | null; category: string | null; amount: string }>(
        "SELECT body, reference, category, amount::text AS amount FROM transactions WHERE link_id = $1 AND internal_identification LIKE 'copy-text-%' ORDER BY internal_identification",
        [linkId],
      )
      expect(JSON.parse(back[0].body).description).toBe(tricky)
      expect(back[0]).toMatchObject({ reference: 'ref\twith\ttabs\\', category: null, amount: '10.5' })
      expect(JSON.parse(back[1].body).description).toBeNull()
      const one = await call('GET', `/api/transactions/${rows[0].id}/`)
      expect(one.body.description).toBe(tricky)
    })

    it('writes nothing of a batch that meets an existing transaction, and says so', async () => {
      const before = await stored(linkId)
      const rows = [row('copy-dup-new', 'new'), row('copy-text-1', 'already there')]
      expect(await insertNewTransactions(h.db, transactionsCopyData(organizationId, linkId, rows))).toBe(false)
      expect(await stored(linkId)).toEqual(before)
      const [kept] = await h.db.query<{ n: string }>("SELECT count(*) AS n FROM transactions WHERE internal_identification = 'copy-dup-new'")
      expect(Number(kept.n)).toBe(0)
    })
  })
})
