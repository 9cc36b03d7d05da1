import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { Db, Queryable, QueryOptions } from './seam.ts'
import { statementName } from './statement-names.ts'

// Same choice as the PGlite adapter: DATE and TIMESTAMPTZ stay text. pg would otherwise build a
// JS Date at *local* midnight for a DATE column, and parsing costs ~35% of a page query.
for (const oid of [pg.types.builtins.DATE, pg.types.builtins.TIMESTAMPTZ, pg.types.builtins.TIMESTAMP]) {
  pg.types.setTypeParser(oid, (value: string) => value)
}

async function copyIn(client: pg.PoolClient, target: string, data: string): Promise<void> {
  await pipeline(Readable.from([data]), client.query(copyFrom(`COPY ${target} FROM STDIN`)))
}

export async function openPostgres(connectionString: string, max: number): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max })
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  await pool.query('SELECT 1')
  return {
    kind: 'postgres',
    async query<T>(text: string, params?: unknown[], options?: QueryOptions) {
      if (options?.prepared) return (await pool.query({ name: statementName(text), text, values: params })).rows as T[]
      return (await pool.query(text, params)).rows as T[]
    },
    async copyIn(target: string, data: string) {
      const client = await pool.connect()
      try {
        await copyIn(client, target, data)
      } finally {
        client.release()
      }
    },
    async exec(sql: string) {
      await pool.query(sql)
    },
    async raw(text: string, values?: unknown[]) {
      // Several statements without values come back as one result each.
      const result = (await pool.query(text, values)) as unknown as pg.QueryResult | pg.QueryResult[]
      return (Array.isArray(result) ? (result[result.length - 1]?.rows ?? []) : result.rows) as Record<string, unknown>[]
    },
    async tx<T>(fn: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await fn({
          query: async <R>(text: string, params?: unknown[], options?: QueryOptions) =>
            (options?.prepared ? await client.query({ name: statementName(text), text, values: params }) : await client.query(text, params)).rows as R[],
          copyIn: (target: string, data: string) => copyIn(client, target, data),
        })
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
    async exclusively<T>(key: number, fn: () => Promise<T>, onWait?: () => void) {
      // Keep-alive probes: the session of a host that vanished without closing it (and its lock)
      // is dropped by the server after minutes, not the kernel's default two hours. The lock needs
      // a real session: behind a transaction-mode pooler (PgBouncer) the unlock could land on
      // another server connection, so DATABASE_URL must reach PostgreSQL directly (README).
      const client = new pg.Client({ connectionString, keepAlive: true, keepAliveInitialDelayMillis: 10_000 })
      // A lost connection shows in the unlock below; it must not crash the process meanwhile.
      client.on('error', () => {})
      await client.connect()
      try {
        const [{ locked }] = (await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key])).rows
        if (!locked) {
          onWait?.()
          await client.query('SELECT pg_advisory_lock($1)', [key])
        }
        return await fn()
      } finally {
        // Closing the session releases the lock too; unlocking first makes it free at once.
        await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => {})
        await client.end().catch(() => {})
      }
    },
    async close() {
      await pool.end()
    },
  }
}
