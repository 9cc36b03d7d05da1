import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/store/db.ts'
import { backend, openTestDb } from '../helpers/db.ts'

/**
 * The fast read path of the PGlite adapter (store/pglite-rows.ts, `prepared` queries) talks to
 * the engine's wire protocol itself: it must answer what `query` answers, fail as loudly, and
 * wait for other callers' transactions like `query` does.
 */
describe.skipIf(backend !== 'pglite')('PGlite text rows', () => {
  let db: Db & { dropDatabase(): Promise<void> }
  beforeAll(async () => {
    db = await openTestDb({ migrated: false })
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, label text, at timestamptz, tags text[])')
  })
  afterAll(async () => db.dropDatabase())

  it('returns the same rows as a plain query, as text, across replies of many chunks', async () => {
    await db.query(
      `INSERT INTO t SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE repeat('ação 🚀 "q" \\ ', 40) || g END, '2026-01-02T03:04:05.678Z', ARRAY['a', 'b"c'] FROM generate_series(1, 5000) g`,
    )
    const sql = 'SELECT id::text AS id, label, at, tags::text AS tags FROM t WHERE id > $1 ORDER BY t.id'
    const plain = await db.query<Record<string, unknown>>(sql, [10])
    const fast = await db.query<Record<string, unknown>>(sql, [10], { prepared: true })
    expect(fast.length).toBe(4990)
    expect(fast).toEqual(plain)
    expect(fast[3]).toMatchObject({ id: '14', label: null })
  })

  it('passes arrays and NULLs as parameters', async () => {
    const rows = await db.query<{ id: string }>(
      'SELECT id::text AS id FROM t WHERE id = ANY($1::int[]) AND ($2::text IS NULL) ORDER BY id',
      [[3, 1, 2], null],
      { prepared: true },
    )
    expect(rows.map((r) => r.id)).toEqual(['1', '2', '3'])
    const [quoted] = await db.query<{ n: string }>('SELECT cardinality($1::text[])::text AS n', [['x"y', 'a\\b', 'c,d']], { prepared: true })
    expect(quoted.n).toBe('3')
  })

  it('passes every parameter back unchanged: multi-byte text, empty strings, NULLs, numbers, dozens at once', async () => {
    const values = ['São Paulo 🚀 ação', '', null, 42, 12.5, true, 'a\tb "c" \\ d', ...Array.from({ length: 30 }, (_, i) => `v${i}ç`)]
    const sql = `SELECT ${values.map((_, i) => `$${i + 1}::text AS p${i}`).join(', ')}`
    const [row] = await db.query<Record<string, string | null>>(sql, values, { prepared: true })
    expect(Object.values(row)).toEqual(values.map((v) => (v === null ? null : String(v))))
  })

  it('runs a statement new to the engine from concurrent callers, prepared once (no "already exists")', async () => {
    const sql = 'SELECT count(*)::text AS n FROM t WHERE id <= $1'
    const answers = await Promise.all([1, 2, 3, 4].map((n) => db.query<{ n: string }>(sql, [n], { prepared: true })))
    expect(answers.map(([row]) => row.n)).toEqual(['1', '2', '3', '4'])
    const inTransaction = await db.tx((tx) => Promise.all([5, 6].map((n) => tx.query<{ n: string }>(`${sql} AND true`, [n], { prepared: true }))))
    expect(inTransaction.map(([row]) => row.n)).toEqual(['5', '6'])
  })

  it('throws database errors with their code, and the next query works', async () => {
    await expect(db.query('SELECT * FROM missing_table', [], { prepared: true })).rejects.toMatchObject({ code: '42P01' })
    await expect(db.query('SELECT $1::uuid', ['not-a-uuid'], { prepared: true })).rejects.toMatchObject({ code: '22P02' })
    expect(await db.query('SELECT 1::text AS one', [], { prepared: true })).toEqual([{ one: '1' }])
  })

  it("waits for another caller's open transaction and sees only what it committed", async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const order: string[] = []
    let inserted!: () => void
    const insideTx = new Promise<void>((resolve) => {
      inserted = resolve
    })
    const writer = db.tx(async (tx) => {
      await tx.query("INSERT INTO t (id, label) VALUES (-1, 'inside')")
      inserted()
      await held
      order.push('commit')
    })
    await insideTx
    const reader = db.query<{ label: string }>('SELECT label FROM t WHERE id = -1', [], { prepared: true }).then((rows) => {
      order.push('read')
      return rows
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(order).toEqual([])
    release()
    await writer
    expect(await reader).toEqual([{ label: 'inside' }])
    expect(order).toEqual(['commit', 'read'])
  })
})

/**
 * PGlite transactions (store/pglite-tx.ts) run on the engine's protocol too: BEGIN sent with the
 * first statement, plain statements in two calls. They must answer what PGlite's own `query`
 * answers and keep all-or-nothing.
 */
describe.skipIf(backend !== 'pglite')('PGlite transactions', () => {
  let db: Db & { dropDatabase(): Promise<void> }
  beforeAll(async () => {
    db = await openTestDb({ migrated: false })
    await db.exec('CREATE TABLE w (id int PRIMARY KEY, label text, amount numeric, data jsonb, ok boolean, at timestamptz, tags text[])')
  })
  afterAll(async () => db.dropDatabase())

  it('answers typed rows as a plain query does, and commits plain, prepared and COPY statements together', async () => {
    const sql = 'INSERT INTO w VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *'
    const params = [1, 'ação', '12.50', { a: [1, 'b'] }, true, '2026-01-02T03:04:05.678Z', ['x', 'y"z']]
    const inTx = await db.tx(async (tx) => {
      const [row] = await tx.query(sql, params)
      await tx.query('INSERT INTO w (id, label) VALUES ($1::int, $2::text)', ['2', 'prepared'], { prepared: true })
      await tx.copyIn('w (id, label)', '3\tcopied\n')
      return row
    })
    const [plain] = await db.query('SELECT * FROM w WHERE id = 1')
    expect(inTx).toEqual(plain)
    expect(inTx).toMatchObject({ id: 1, label: 'ação', data: { a: [1, 'b'] }, ok: true, tags: ['x', 'y"z'] })
    expect((await db.query<{ id: number }>('SELECT id FROM w ORDER BY id')).map((r) => r.id)).toEqual([1, 2, 3])
  })

  it('rolls everything back when fn throws, and when it swallows a failed statement', async () => {
    await expect(
      db.tx(async (tx) => {
        await tx.query("INSERT INTO w (id, label) VALUES (10, 'gone')")
        await tx.copyIn('w (id, label)', '11\tgone too\n')
        throw new Error('changed my mind')
      }),
    ).rejects.toThrow('changed my mind')
    await expect(
      db.tx(async (tx) => {
        await tx.query("INSERT INTO w (id, label) VALUES (12, 'gone')", [], { prepared: true })
        await tx.query("INSERT INTO w (id, label) VALUES (1, 'duplicate')").catch(() => undefined)
      }),
    ).rejects.toMatchObject({ name: 'TransactionAbortedError' })
    await expect(db.tx((tx) => tx.query('SELECT * FROM missing_table'))).rejects.toMatchObject({ code: '42P01' })
    expect((await db.query<{ id: number }>('SELECT id FROM w WHERE id >= 10')).map((r) => r.id)).toEqual([])
    // A statement whose values cannot be encoded fails before reaching the engine; if it was the
    // first, the next one still opens the transaction (else it would run on its own and stay).
    const unprintable = {
      toString() {
        throw new Error('no text for this value')
      },
    }
    for (const prepared of [true, false]) {
      await expect(
        db.tx(async (tx) => {
          await expect(tx.query('INSERT INTO w (id, label) VALUES ($1::int, $2::text)', [14, unprintable], { prepared })).rejects.toThrow('no text')
          await tx.query("INSERT INTO w (id, label) VALUES (15, 'gone')")
          throw new Error('changed my mind')
        }),
      ).rejects.toThrow('changed my mind')
    }
    expect((await db.query<{ id: number }>('SELECT id FROM w WHERE id >= 10')).map((r) => r.id)).toEqual([])
    // A constraint checked at COMMIT fails the COMMIT itself: its error, code and all, and nothing stays.
    await db.exec('CREATE TABLE IF NOT EXISTS d (id int UNIQUE DEFERRABLE INITIALLY DEFERRED)')
    await expect(db.tx((tx) => tx.query('INSERT INTO d VALUES (1), (1)'))).rejects.toMatchObject({ code: '23505' })
    expect(await db.query('SELECT * FROM d')).toEqual([])
    // And the engine is out of the transaction: the next one commits.
    await db.tx((tx) => tx.query("INSERT INTO w (id, label) VALUES (13, 'kept')"))
    expect(await db.query('SELECT label FROM w WHERE id = 13')).toEqual([{ label: 'kept' }])
  })
})
