import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from '../helpers/harness.ts'

type Json = Record<string, any>

/** What a random session does to a link's transactions, between checkpoints where a client syncs. */
type Op =
  | { kind: 'refresh'; daysAgo: number; days: number }
  | { kind: 'simulate'; event: 'new_transactions' | 'transactions_updated' | 'transactions_deleted' }
  | { kind: 'delete'; target: number }
  | { kind: 'checkpoint'; pageSize: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('refresh' as const), daysAgo: fc.integer({ min: 0, max: 60 }), days: fc.integer({ min: 1, max: 20 }) }),
  fc.record({
    kind: fc.constant('simulate' as const),
    event: fc.constantFrom('new_transactions' as const, 'transactions_updated' as const, 'transactions_deleted' as const),
  }),
  fc.record({ kind: fc.constant('delete' as const), target: fc.nat(500) }),
  fc.record({ kind: fc.constant('checkpoint' as const), pageSize: fc.integer({ min: 1, max: 60 }) }),
)

/**
 * Any interleaving of refreshes (upserts of a random period), sandbox updates, inserts and
 * deletions, and API deletions, followed by a sync from any earlier cursor in pages of any size,
 * brings the mirror taken at that cursor to exactly the server's final list.
 */
describe('sync: a mirror from any earlier cursor reaches the final state', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())

  const day = (offset: number) => new Date(h.clock.now().getTime() - offset * 86_400_000).toISOString().slice(0, 10)
  /**
   * What a sync keeps in step (docs/sync.md): a transaction's data, with its account by id (the
   * accounts sync carries the account) and without `collected_at` (when it was last read, which
   * every refresh moves without changing the transaction).
   */
  const comparable = (rows: Map<string, Json>) =>
    new Map([...rows].map(([id, { collected_at: _read, account, ...data }]) => [id, { ...data, account: account?.id }]))
  const listAll = async (linkId: string) => {
    const rows: Json[] = []
    for (let page = 1; ; page++) {
      const res = await h.call('GET', `/api/transactions/?link=${linkId}&page_size=1000&page=${page}`)
      if (res.status === 404) break
      rows.push(...res.body.results)
      if (!res.body.next) break
    }
    return new Map(rows.map((r) => [r.id, r]))
  }
  const syncInto = async (linkId: string, mirror: Map<string, Json>, cursor: string | undefined, pageSize: number) => {
    for (;;) {
      const res = await h.call('GET', `/api/transactions/sync/?link=${linkId}&page_size=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`)
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      expect(res.body.added.length + res.body.modified.length + res.body.removed.length).toBeLessThanOrEqual(pageSize)
      for (const row of [...res.body.added, ...res.body.modified]) mirror.set(row.id, row)
      for (const { id } of res.body.removed) mirror.delete(id)
      cursor = res.body.next_cursor as string
      if (!res.body.has_more) return cursor
    }
  }

  it('holds for every session', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 2, maxLength: 8 }), fc.integer({ min: 1, max: 80 }), async (ops, finalPageSize) => {
        const created = await h.call('POST', '/api/links/', {
          institution: 'erebor_mx_retail',
          username: 'bnk100',
          password: 'full',
          access_mode: 'recurrent',
          fetch_resources: ['ACCOUNTS'],
        })
        expect(created.status).toBe(201)
        const linkId = created.body.id as string
        const checkpoints: { cursor: string; mirror: Map<string, Json> }[] = [{ cursor: '', mirror: new Map() }]
        // Something stored, a client that has it, and one that has sandbox-edited bodies which a
        // refresh of the recent days at the end puts back (modified rows), around the random part.
        const start: Op[] = [
          { kind: 'refresh', daysAgo: 0, days: 30 },
          { kind: 'checkpoint', pageSize: 50 },
          { kind: 'simulate', event: 'transactions_updated' },
          { kind: 'checkpoint', pageSize: 50 },
        ]
        for (const step of [...start, ...ops, { kind: 'refresh', daysAgo: 0, days: 30 } as Op]) {
          if (step.kind === 'refresh') {
            const res = await h.call('POST', '/api/transactions/', { link: linkId, date_from: day(step.daysAgo + step.days), date_to: day(step.daysAgo) })
            expect([200, 201]).toContain(res.status)
          } else if (step.kind === 'simulate') {
            const res = await h.call('POST', `/sandbox/links/${linkId}/simulate/`, { event: step.event })
            // 400 while the link has no transactions yet.
            expect([202, 400]).toContain(res.status)
          } else if (step.kind === 'delete') {
            const ids = [...(await listAll(linkId)).keys()]
            // Past the 5-a-minute limit on deletes of the one before.
            h.clock.advance(61_000)
            if (ids.length > 0) expect((await h.call('DELETE', `/api/transactions/${ids[step.target % ids.length]}/`)).status).toBe(204)
          } else {
            // A client syncing from scratch gets the whole list.
            const mirror = new Map<string, Json>()
            const cursor = await syncInto(linkId, mirror, undefined, step.pageSize)
            expect(comparable(mirror)).toEqual(comparable(await listAll(linkId)))
            checkpoints.push({ cursor, mirror })
          }
        }
        const final = await listAll(linkId)
        for (const { cursor, mirror } of checkpoints) {
          await syncInto(linkId, mirror, cursor || undefined, finalPageSize)
          expect(comparable(mirror)).toEqual(comparable(final))
        }
      }),
      { numRuns: 6 },
    )
  })
})
