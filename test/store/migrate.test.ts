import { afterEach, describe, expect, it } from 'vitest'
import { openDb, type Db } from '../../src/store/db.ts'
import { loadMigrations, migrate, splitStatements } from '../../src/store/migrate.ts'
import { backend, createTestDatabase } from '../helpers/db.ts'
import { processTestTimeout } from '../helpers/processes.ts'

describe(`migrations on ${backend}`, () => {
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })

  async function freshDatabase(): Promise<{ url?: string; open(): Promise<Db> }> {
    const database = await createTestDatabase()
    cleanups.push(database.drop)
    return {
      url: database.url,
      async open() {
        const db = await openDb({ databaseUrl: database.url, poolSize: 2 })
        cleanups.push(() => db.close())
        return db
      },
    }
  }

  it(
    'applies every numbered file once, in order, and is a no-op the second time',
    async () => {
      const db = await (await freshDatabase()).open()
      const all = loadMigrations().map((m) => m.id)
      expect(all).toEqual([...all].sort((a, b) => a - b))
      expect(await migrate(db)).toEqual(all)
      expect(await migrate(db)).toEqual([])
      const rows = await db.query<{ id: number }>('SELECT id FROM _migrations ORDER BY id')
      expect(rows.map((r) => r.id)).toEqual(all)
    },
    processTestTimeout(1),
  )

  it(
    'is safe when several processes migrate the same database at once',
    async () => {
      const database = await freshDatabase()
      // On PostgreSQL these are separate connection pools, like separate processes; PGlite is
      // embedded, so there the concurrency is within one instance.
      const first = await database.open()
      const dbs = database.url ? [first, await database.open(), await database.open()] : [first, first, first]
      const results = await Promise.all(dbs.map((db) => migrate(db)))
      const applied = results.flat().sort((a, b) => a - b)
      expect(applied).toEqual(loadMigrations().map((m) => m.id))
    },
    processTestTimeout(1),
  )

  it('rolls a failing migration back entirely', async () => {
    const db = await (await freshDatabase()).open()
    const broken = [{ id: 9001, name: '9001_broken', sql: 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;' }]
    await expect(migrate(db, broken)).rejects.toThrow()
    expect(await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'")).toEqual([])
    expect(await db.query('SELECT 1 FROM _migrations WHERE id = 9001')).toEqual([])
  })

  it('splits statements without breaking dollar-quoted bodies', () => {
    const sql = 'CREATE TABLE a (id int);\n-- a comment\nCREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\nSELECT 1;'
    expect(splitStatements(sql)).toHaveLength(3)
  })
})
