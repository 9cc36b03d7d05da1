import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { PGlite, types } from '@electric-sql/pglite'
import { lockDataDir } from './data-dir-lock.ts'
import type { Db, Queryable, QueryOptions } from './seam.ts'
import { copyInRaw, queryTextRows } from './pglite-rows.ts'
import { pgliteTransaction } from './pglite-tx.ts'

// Dates and timestamps stay text: the API emits them as strings anyway, and parsing them into
// JS Dates costs time and invites time-zone bugs. SQL formats timestamps (see store/sql.ts).
const parsers = {
  [types.DATE]: (value: string) => value,
  [types.TIMESTAMPTZ]: (value: string) => value,
  [types.TIMESTAMP]: (value: string) => value,
}

export interface PgliteDb extends Db {
  /** The whole database as a tarball, for `OpenDbOptions.initialDataDir`. */
  dumpDataDir(): Promise<Blob>
}

/**
 * Embedded PostgreSQL (WebAssembly), on disk at `dataDir` or in memory when it is undefined;
 * starting from `initialDataDir` (a `dumpDataDir` tarball) when given, which skips initdb.
 * PGlite has a single connection; its `query` waits for any open transaction, and a transaction
 * (store/pglite-tx.ts, holding PGlite's transaction lock) rolls back on error, so concurrent
 * requests cannot interleave inside each other's transactions.
 * A directory is opened by one process at a time (store/data-dir-lock.ts): a second one gets
 * DataDirInUseError until the first closes.
 */
export async function openPglite(dataDir?: string, initialDataDir?: Blob): Promise<PgliteDb> {
  let unlock = () => {}
  if (dataDir) {
    dataDir = resolve(dataDir)
    mkdirSync(dataDir, { recursive: true })
    unlock = lockDataDir(dataDir)
  }
  const pg = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(initialDataDir ? { loadDataDir: initialDataDir } : {}), parsers }).catch(
    (error: unknown) => {
      unlock()
      throw error
    },
  )
  return {
    kind: 'pglite',
    async query<T>(text: string, params?: unknown[], options?: QueryOptions) {
      if (options?.prepared) return queryTextRows(pg, text, params) as Promise<T[]>
      return (await pg.query<T>(text, params)).rows
    },
    async copyIn(target: string, data: string) {
      await copyInRaw(pg, target, data)
    },
    async exec(sql: string) {
      await pg.exec(sql)
    },
    async raw(text: string, values?: unknown[]) {
      if (values && values.length > 0) return (await pg.query<Record<string, unknown>>(text, values)).rows
      const results = await pg.exec(text)
      return (results[results.length - 1]?.rows ?? []) as Record<string, unknown>[]
    },
    async tx<T>(fn: (tx: Queryable) => Promise<T>) {
      await pg.waitReady
      return pgliteTransaction(pg, fn)
    },
    async exclusively<T>(_key: number, fn: () => Promise<T>) {
      // store/data-dir-lock.ts already keeps every other process out of this database.
      return fn()
    },
    async dumpDataDir() {
      // Uncompressed: a gzipped one loads no faster (the unpacked 40 MB is the cost either way).
      return pg.dumpDataDir('none')
    },
    async close() {
      try {
        if (!pg.closed) await pg.close()
      } finally {
        unlock()
      }
    },
  }
}
