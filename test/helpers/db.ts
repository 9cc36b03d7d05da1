import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { openDb, type Db } from '../../src/store/db.ts'
import { syncCatalog } from '../../src/domain/institutions.ts'
import { migrate } from '../../src/store/migrate.ts'

/**
 * The suite runs on embedded PGlite by default and on PostgreSQL when PONTE_TEST_DATABASE_URL
 * names a server (CI runs both). On PostgreSQL every call gets a fresh database, dropped by
 * `dropTestDatabase` (or left behind for inspection when the process dies).
 */
export const TEST_DATABASE_URL = process.env.PONTE_TEST_DATABASE_URL
export const backend: 'pglite' | 'postgres' = TEST_DATABASE_URL ? 'postgres' : 'pglite'

export async function createTestDatabase(): Promise<{ url?: string; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) return { drop: async () => {} }
  const name = `ponte_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(TEST_DATABASE_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
    },
  }
}

/** A migrated database with the institution catalog, on the backend under test. */
export async function openTestDb(options: { migrated?: boolean; dataDir?: string } = {}): Promise<Db & { dropDatabase(): Promise<void>; url?: string }> {
  const database = await createTestDatabase()
  const db = await openDb({ databaseUrl: database.url, dataDir: options.dataDir, poolSize: 5 })
  if (options.migrated !== false) {
    await migrate(db)
    await syncCatalog(db)
  }
  return Object.assign(db, {
    url: database.url,
    async dropDatabase() {
      await db.close()
      await database.drop()
    },
  })
}
