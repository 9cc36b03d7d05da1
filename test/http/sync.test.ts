import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backend } from '../helpers/db.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { expectSpec } from '../helpers/spec.ts'

type Json = Record<string, any>

/**
 * GET /api/<resource>/sync/ (issue 18, docs/sync.md): a mirror kept in step by cursors through
 * first syncs, sandbox-simulated refreshes run by the worker, and pages.
 */
describe('incremental sync', () => {
  let h: Harness
  let link: Json

  /** Every page from `cursor` on, with the page size; answers the changes and the last cursor. */
  const syncAll = async (resource: string, cursor: string | undefined, pageSize = 1000) => {
    const changes = { added: [] as Json[], modified: [] as Json[], removed: [] as string[], pages: 0, cursor }
    for (;;) {
      const res = await h.call('GET', `/api/${resource}/sync/?link=${link.id}&page_size=${pageSize}${changes.cursor ? `&cursor=${changes.cursor}` : ''}`)
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      changes.added.push(...res.body.added)
      changes.modified.push(...res.body.modified)
      changes.removed.push(...res.body.removed.map((r: Json) => r.id))
      changes.cursor = res.body.next_cursor
      changes.pages++
      if (!res.body.has_more) return changes
    }
  }
  const listAll = async (resource: string) => {
    const rows: Json[] = []
    for (let page = 1; ; page++) {
      const res = await h.call('GET', `/api/${resource}/?link=${link.id}&page_size=1000&page=${page}`)
      rows.push(...res.body.results)
      if (!res.body.next) return new Map(rows.map((r) => [r.id, r]))
    }
  }
  const apply = (mirror: Map<string, Json>, changes: { added: Json[]; modified: Json[]; removed: string[] }) => {
    for (const row of [...changes.added, ...changes.modified]) mirror.set(row.id, row)
    for (const id of changes.removed) mirror.delete(id)
    return mirror
  }
  /** Until the link has no job queued or running (the simulated refresh has run). */
  const settled = async () => {
    const end = Date.now() + 30_000
    while ((await h.db.query(`SELECT 1 FROM pgboss.job WHERE data->>'linkId' = $1 AND state IN ('created', 'retry', 'active')`, [link.id])).length > 0) {
      if (Date.now() > end) throw new Error("the link's jobs did not finish")
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  const simulate = async (event: string) => {
    expect((await h.call('POST', `/sandbox/links/${link.id}/simulate/`, { event })).status).toBe(202)
    await settled()
  }

  beforeAll(async () => {
    h = await createHarness()
    const created = await h.call('POST', '/api/links/', {
      institution: 'erebor_mx_retail',
      username: 'bnk100',
      password: 'full',
      access_mode: 'recurrent',
      fetch_resources: ['ACCOUNTS', 'TRANSACTIONS', 'OWNERS'],
    })
    expect(created.status).toBe(201)
    link = created.body
    await h.startWorker()
    await settled()
  })
  afterAll(async () => h?.close())

  it('gives everything stored at first, in pages, in the list’s wire shape, then nothing', async () => {
    const transactions = await listAll('transactions')
    expect(transactions.size).toBeGreaterThan(150)
    const first = await syncAll('transactions', undefined, 100)
    expect(first.pages).toBeGreaterThan(1)
    expect(first.modified).toEqual([])
    expect(first.removed).toEqual([])
    expect(apply(new Map(), first)).toEqual(transactions)
    expectSpec('multiregion', 'Transaction', first.added[0])
    const again = await syncAll('transactions', first.cursor)
    expect([again.added, again.modified, again.removed, again.pages]).toEqual([[], [], [], 1])

    // Accounts and a records resource, from the same registry-generated routes.
    for (const resource of ['accounts', 'owners']) {
      const all = await syncAll(resource, undefined)
      expect(all.added.length).toBeGreaterThan(0)
      expect(apply(new Map(), all)).toEqual(await listAll(resource))
    }
  })

  it('after simulated refreshes, a sync from the old cursor gives exactly the change', async () => {
    const mirror = apply(new Map(), await syncAll('transactions', undefined))
    let cursor = (await syncAll('transactions', undefined)).cursor

    const before = new Set(mirror.keys())
    await simulate('new_transactions')
    let changes = await syncAll('transactions', cursor)
    // The bank's three newest come back under new ids; the ones they replace are removed.
    expect([changes.added.length, changes.modified.length, changes.removed.length]).toEqual([3, 0, 3])
    expect(changes.removed.every((id) => before.has(id))).toBe(true)
    expect(apply(mirror, changes)).toEqual(await listAll('transactions'))
    cursor = changes.cursor

    await simulate('transactions_updated')
    changes = await syncAll('transactions', cursor)
    expect([changes.added.length, changes.modified.length, changes.removed.length]).toEqual([0, 2, 0])
    expect(changes.modified.every((t) => !t.description?.includes('sandbox: before update'))).toBe(true)
    expect(apply(mirror, changes)).toEqual(await listAll('transactions'))
    cursor = changes.cursor

    await simulate('transactions_deleted')
    changes = await syncAll('transactions', cursor)
    // Created and removed after the cursor: only its removal, for an id the mirror never had.
    expect([changes.added.length, changes.modified.length, changes.removed.length]).toEqual([0, 0, 1])
    expect(mirror.has(changes.removed[0])).toBe(false)
    expect(apply(mirror, changes)).toEqual(await listAll('transactions'))

    // An account deleted through the API takes its transactions with it: all removed.
    const [account] = (await syncAll('accounts', undefined)).added
    const accountCursor = (await syncAll('accounts', undefined)).cursor
    const txCursor = (await syncAll('transactions', undefined)).cursor
    expect((await h.call('DELETE', `/api/accounts/${account.id}/`)).status).toBe(204)
    expect((await syncAll('accounts', accountCursor)).removed).toEqual([account.id])
    const gone = await syncAll('transactions', txCursor)
    expect(gone.removed.length).toBe([...mirror.values()].filter((t) => t.account.id === account.id).length)
    expect(apply(mirror, gone)).toEqual(await listAll('transactions'))
  })

  // PGlite has one connection: nothing is ever in flight beside a sync there.
  it.skipIf(backend !== 'postgres')('waits for a write to the link in flight instead of passing its change', async () => {
    const cursor = (await syncAll('transactions', undefined)).cursor
    const [victim] = (await listAll('transactions')).keys()
    let syncing: ReturnType<Harness['call']> | undefined
    await h.db.tx(async (tx) => {
      // What a refresh's deletion does: the link's key-share lock, then the change (a tombstone).
      await tx.query('SELECT 1 FROM links WHERE id = $1 FOR KEY SHARE', [link.id])
      await tx.query('DELETE FROM transactions WHERE id = $1', [victim])
      syncing = h.call('GET', `/api/transactions/sync/?link=${link.id}&cursor=${cursor}`)
      // Until the sync waits for this transaction's lock.
      for (let waited = 0; ; waited++) {
        const waiting = await h.db.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%sync_horizon%'")
        if (waiting.length > 0) break
        if (waited > 300) throw new Error('the sync never waited for the write')
        await new Promise((r) => setTimeout(r, 20))
      }
    })
    const res = await syncing!
    expect(res.status).toBe(200)
    expect(res.body.removed).toEqual([{ id: victim }])
  })

  it('answers Belvo errors for a missing or foreign link, a bad cursor, a bad page size', async () => {
    const other = await h.call(
      'POST',
      '/api/links/',
      { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' },
      { auth: h.otherAuth },
    )
    expect(other.status).toBe(201)
    const cases: [string, string][] = [
      ['/api/transactions/sync/', 'link'],
      [`/api/transactions/sync/?link=${other.body.id}`, 'link'],
      ['/api/transactions/sync/?link=not-a-uuid', 'link'],
      [`/api/transactions/sync/?link=${link.id}&cursor=nope!`, 'cursor'],
      [`/api/transactions/sync/?link=${link.id}&cursor=${Buffer.from(`1:${link.id}:99999999999`).toString('base64url')}`, 'cursor'],
      [`/api/transactions/sync/?link=${link.id}&cursor=${Buffer.from(`1:${other.body.id}:1`).toString('base64url')}`, 'cursor'],
      [`/api/transactions/sync/?link=${link.id}&page_size=0`, 'page_size'],
      [`/api/transactions/sync/?link=${link.id}&page_size=1001`, 'page_size'],
    ]
    for (const [url, field] of cases) {
      const res = await h.call('GET', url)
      expect([url, res.status, res.body[0]?.field]).toEqual([url, 400, field])
      expect(res.body[0]).toMatchObject({ request_id: expect.any(String), code: expect.any(String), message: expect.any(String) })
    }
    expect((await h.call('GET', `/api/transactions/sync/?link=${link.id}`, undefined, { auth: null })).status).toBe(401)
  })
})
