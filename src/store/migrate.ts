import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Db } from './db.ts'

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url))
// Any fixed 64-bit number; every Ponte process takes this lock to migrate.
const MIGRATION_LOCK = 7_404_211_901

export interface Migration {
  id: number
  name: string
  sql: string
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ id: Number(file.slice(0, 4)), name: file.replace(/\.sql$/, ''), sql: readFileSync(dir + file, 'utf8') }))
}

/**
 * Applies every migration not applied yet, one transaction per file, in order. Safe when several
 * processes start at once: each file runs under a transaction-scoped advisory lock and re-checks
 * `_migrations` after taking it, so exactly one process applies it and the others skip it.
 * Applied files are never edited; a change is a new numbered file.
 */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<number[]> {
  await db
    .exec(
      `CREATE TABLE IF NOT EXISTS _migrations (
    id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    )
    .catch(async (error) => {
      // Two processes creating the table at the same instant: one wins, the other sees a
      // unique violation on pg_type; the table exists either way.
      if (!String(error?.message).includes('duplicate key')) throw error
    })
  const applied: number[] = []
  for (const migration of migrations) {
    const done = await db.tx(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
      const rows = await tx.query('SELECT 1 FROM _migrations WHERE id = $1', [migration.id])
      if (rows.length > 0) return false
      for (const statement of splitStatements(migration.sql)) await tx.query(statement)
      await tx.query('INSERT INTO _migrations (id, name) VALUES ($1, $2)', [migration.id, migration.name])
      return true
    })
    if (done) applied.push(migration.id)
  }
  return applied
}

/**
 * Splits a migration file into statements so each runs through the parameterised path inside the
 * transaction. Statements end with `;` at the end of a line; `$$` bodies are kept whole.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = []
  let current: string[] = []
  let inDollar = false
  for (const line of sql.split('\n')) {
    if (/^\s*--/.test(line) && current.length === 0) continue
    current.push(line)
    if ((line.match(/\$\$/g) ?? []).length % 2 === 1) inDollar = !inDollar
    if (!inDollar && /;\s*$/.test(line)) {
      statements.push(current.join('\n').trim())
      current = []
    }
  }
  const rest = current.join('\n').trim()
  if (rest) statements.push(rest)
  return statements
}
