import type { Db, Queryable } from './seam.ts'

/**
 * Opening the storage seam (store/seam.ts): PostgreSQL with a URL, embedded PGlite otherwise. The
 * seam's types live in their own module, which the two adapters import: imported from here, each
 * adapter would close an import circle through the `import()` below.
 */
export type { Db, Queryable, QueryOptions } from './seam.ts'

export interface OpenDbOptions {
  databaseUrl?: string
  dataDir?: string
  poolSize?: number
  /**
   * Embedded only: start from this copy of a whole database (PGlite's `dumpDataDir` tarball)
   * instead of an empty one. Tests clone one migrated database this way instead of migrating each.
   */
  initialDataDir?: Blob
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  if (options.databaseUrl) {
    const { openPostgres } = await import('./postgres.ts')
    return openPostgres(options.databaseUrl, options.poolSize ?? 10)
  }
  const { openPglite } = await import('./pglite.ts')
  return openPglite(options.dataDir, options.initialDataDir)
}

/** Whether the database answers a trivial statement (GET /health). */
export async function databaseAnswers(db: Queryable): Promise<boolean> {
  try {
    await db.query('SELECT 1')
    return true
  } catch {
    return false
  }
}
