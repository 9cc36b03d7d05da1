import pg from 'pg'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CATALOG, institutionWire } from '../../src/connectors/catalog.ts'
import { openQueue } from '../../src/jobs/queue.ts'
import { openDb, type Db } from '../../src/store/db.ts'
import { syncCatalog } from '../../src/domain/institutions.ts'
import { loadMigrations, migrate } from '../../src/store/migrate.ts'
import { openPglite } from '../../src/store/pglite.ts'

/**
 * Every test database starts as a copy of one template: migrated, with the institution catalog
 * and pg-boss's schema and queues (what every harness opens anyway). Building that state takes
 * PGlite an initdb plus every migration, seconds per database on a busy machine; copying it
 * skips both. On PostgreSQL the template is a database (`CREATE DATABASE ... TEMPLATE`), on
 * PGlite a data directory tarball in the system's temporary directory.
 *
 * The template is named after a hash of everything that shapes it, so a changed migration,
 * catalog or queue setting gets a new one instead of a stale copy. The vitest global setup
 * (test/build-once.ts) builds it once per run and removes templates no run has used for an hour;
 * a process that finds none (a script, or a template removed meanwhile) builds it itself. Several
 * runs and workers may do so at once: PostgreSQL builds under an advisory lock, PGlite writes a
 * temporary file and renames it into place.
 */

/** A template no run has used for this long is presumed abandoned (another branch's, an older tree's). */
const UNUSED_FOR_MS = 3_600_000
// Any fixed 64-bit number: the lock under which templates are built and removed on a server.
const TEMPLATE_LOCK = 7_404_211_977
const POSTGRES_PREFIX = 'ponte_template_'
const PGLITE_DIR = join(tmpdir(), 'ponte-test-templates')

let cachedKey: string | undefined

/** A hash of what a template holds: migrations, catalog, queue setup, these build steps, and the engines' versions. */
export function templateKey(): string {
  if (cachedKey) return cachedKey
  const hash = createHash('sha256')
  for (const migration of loadMigrations()) hash.update(`${migration.name}\n${migration.sql}\n`)
  hash.update(JSON.stringify(CATALOG.map(institutionWire)))
  for (const file of [
    '../../src/jobs/queue.ts',
    './template.ts',
    '../../node_modules/pg-boss/package.json',
    '../../node_modules/@electric-sql/pglite/package.json',
  ]) {
    hash.update(readFileSync(new URL(file, import.meta.url)))
  }
  cachedKey = hash.digest('hex').slice(0, 16)
  return cachedKey
}

async function fill(db: Db): Promise<void> {
  await migrate(db)
  await syncCatalog(db)
  const queue = await openQueue(db)
  await queue.stop()
}

export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function withAdmin<T>(serverUrl: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    return await fn(admin)
  } finally {
    await admin.end()
  }
}

async function withTemplateLock<T>(admin: pg.Client, fn: () => Promise<T>): Promise<T> {
  await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK])
  try {
    return await fn()
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK])
  }
}

/**
 * A finished template is marked IS_TEMPLATE and closed to connections, in that last step: a
 * database of that name without the marks is a build a killed process left halfway.
 */
async function isFinished(admin: pg.Client, name: string): Promise<boolean> {
  const rows = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate AND NOT datallowconn', [name])
  return rows.rowCount === 1
}

const postgresTemplates = new Map<string, Promise<string>>()

/** The name of this tree's template database on the server at `serverUrl`, built if missing. */
export function postgresTemplate(serverUrl: string, options: { rebuild?: boolean } = {}): Promise<string> {
  let template = postgresTemplates.get(serverUrl)
  if (!template || options.rebuild) {
    template = buildPostgresTemplate(serverUrl)
    postgresTemplates.set(serverUrl, template)
    template.catch(() => postgresTemplates.delete(serverUrl))
  }
  return template
}

async function buildPostgresTemplate(serverUrl: string): Promise<string> {
  const name = POSTGRES_PREFIX + templateKey()
  return withAdmin(serverUrl, async (admin) => {
    if (await isFinished(admin, name)) return name
    return withTemplateLock(admin, async () => {
      if (await isFinished(admin, name)) return name
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.query(`CREATE DATABASE ${name}`)
      const db = await openDb({ databaseUrl: databaseUrl(serverUrl, name), poolSize: 2 })
      try {
        await fill(db)
      } finally {
        await db.close()
      }
      await markUsed(admin, name)
      await admin.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`)
      return name
    })
  })
}

/** The time of use is the database's comment, as PostgreSQL records no such thing. */
async function markUsed(admin: pg.Client, name: string): Promise<void> {
  await admin.query(`COMMENT ON DATABASE ${name} IS '${new Date().toISOString()}'`)
}

/** Once per run: builds this tree's template, marks it used now, and drops the ones no run has used for an hour. */
export async function prunePostgresTemplates(serverUrl: string): Promise<void> {
  const current = await postgresTemplate(serverUrl)
  await withAdmin(serverUrl, (admin) =>
    withTemplateLock(admin, async () => {
      const { rows } = await admin.query<{ name: string; used: string | null }>(
        `SELECT datname AS name, shobj_description(oid, 'pg_database') AS used FROM pg_database WHERE starts_with(datname, $1)`,
        [POSTGRES_PREFIX],
      )
      for (const { name, used } of rows) {
        if (name === current) {
          await markUsed(admin, name)
          continue
        }
        // Under the lock nobody is building one: a template without a time of use is a build that died.
        const usedAt = used ? Date.parse(used) : Number.NaN
        if (!Number.isNaN(usedAt) && Date.now() - usedAt < UNUSED_FOR_MS) continue
        await admin.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE false`)
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      }
    }),
  )
}

let pgliteTemplate: Promise<Blob> | undefined

/** This tree's PGlite template, read once per process, built if missing. */
export function pgliteTemplateImage(): Promise<Blob> {
  if (!pgliteTemplate) {
    pgliteTemplate = loadPgliteTemplate()
    pgliteTemplate.catch(() => {
      pgliteTemplate = undefined
    })
  }
  return pgliteTemplate
}

function pgliteTemplatePath(): string {
  return join(PGLITE_DIR, `pglite-${templateKey()}.tar`)
}

async function loadPgliteTemplate(): Promise<Blob> {
  const path = pgliteTemplatePath()
  try {
    return new Blob([readFileSync(path)])
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const db = await openPglite()
  let image: Blob
  try {
    await fill(db)
    image = await db.dumpDataDir()
  } finally {
    await db.close()
  }
  // Written aside then renamed: a process reading the template never sees half of it.
  mkdirSync(PGLITE_DIR, { recursive: true })
  const partial = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.partial`
  writeFileSync(partial, Buffer.from(await image.arrayBuffer()))
  renameSync(partial, path)
  return image
}

/** Once per run: builds this tree's PGlite template, marks it used now, and removes the ones unused for an hour. */
export async function prunePgliteTemplates(): Promise<void> {
  await pgliteTemplateImage()
  const current = pgliteTemplatePath()
  const now = new Date()
  utimesSync(current, now, now)
  for (const file of readdirSync(PGLITE_DIR)) {
    const path = join(PGLITE_DIR, file)
    if (path === current) continue
    try {
      if (now.getTime() - statSync(path).mtimeMs >= UNUSED_FOR_MS) rmSync(path, { force: true })
    } catch {
      // Removed by another run meanwhile.
    }
  }
}
