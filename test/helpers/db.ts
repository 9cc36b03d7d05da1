import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { openDb, type Db } from '../../src/store/db.ts'
import { databaseUrl, pgliteTemplateImage, postgresTemplate } from './template.ts'

/**
 * The suite runs on embedded PGlite by default and on PostgreSQL when PONTE_TEST_DATABASE_URL
 * names a server (CI runs both). On PostgreSQL every call gets a fresh database, dropped by its
 * `drop` (`dropDatabase`), or left behind for inspection when the process dies.
 */
export const TEST_DATABASE_URL = process.env.PONTE_TEST_DATABASE_URL
export const backend: 'pglite' | 'postgres' = TEST_DATABASE_URL ? 'postgres' : 'pglite'

/**
 * A fresh database on PostgreSQL (a URL; nothing on PGlite, whose database is the process's
 * own): empty, or a copy of `template`.
 */
export async function createTestDatabase(options: { template?: string } = {}): Promise<{ url?: string; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) return { drop: async () => {} }
  const serverUrl = TEST_DATABASE_URL
  const name = `ponte_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}${options.template ? ` TEMPLATE ${options.template}` : ''}`)
  } finally {
    await admin.end()
  }
  return {
    url: databaseUrl(serverUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
    },
  }
}

/** A copy of the template database (test/helpers/template.ts), rebuilt once if another run removed it meanwhile. */
async function cloneTemplate(serverUrl: string) {
  try {
    return await createTestDatabase({ template: await postgresTemplate(serverUrl) })
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error
    return createTestDatabase({ template: await postgresTemplate(serverUrl, { rebuild: true }) })
  }
}

/**
 * A database on the backend under test: by default migrated, with the institution catalog and
 * pg-boss's schema (a copy of the template); empty with `migrated: false`.
 */
export async function openTestDb(options: { migrated?: boolean; dataDir?: string } = {}): Promise<Db & { dropDatabase(): Promise<void>; url?: string }> {
  const migrated = options.migrated !== false
  const database = migrated && TEST_DATABASE_URL ? await cloneTemplate(TEST_DATABASE_URL) : await createTestDatabase()
  const initialDataDir = migrated && !TEST_DATABASE_URL ? await pgliteTemplateImage() : undefined
  const db = await openDb({ databaseUrl: database.url, dataDir: options.dataDir, initialDataDir, poolSize: 5 })
  return Object.assign(db, {
    url: database.url,
    async dropDatabase() {
      await db.close()
      await database.drop()
    },
  })
}
