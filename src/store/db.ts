import type { Db } from './queryable.ts'

/**
 * The storage seam (queryable.ts): everything above `store/` talks to these interfaces only, so
 * the same SQL runs on embedded PGlite and on PostgreSQL. openDb opens one or the other.
 */
export type { Db, Queryable, QueryOptions } from './queryable.ts'

export interface OpenDbOptions {
  databaseUrl?: string
  dataDir?: string
  poolSize?: number
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  if (options.databaseUrl) {
    const { openPostgres } = await import('./postgres.ts')
    return openPostgres(options.databaseUrl, options.poolSize ?? 10)
  }
  const { openPglite } = await import('./pglite.ts')
  return openPglite(options.dataDir)
}
