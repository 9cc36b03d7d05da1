import type { Queryable } from './db.ts'

/** The check value sealed with the database's encryption key (store/migrations/0009), if recorded. */
export async function findEncryptionCheck(db: Queryable): Promise<string | undefined> {
  const rows = await db.query<{ sealed: string }>('SELECT sealed FROM encryption_check')
  return rows[0]?.sealed
}

export async function insertEncryptionCheck(db: Queryable, sealed: string): Promise<void> {
  await db.query('INSERT INTO encryption_check (sealed) VALUES ($1)', [sealed])
}

/**
 * One credential already sealed with the database's key, if any: how a database set up before
 * the check value existed tells whether a key is its own.
 */
export async function anySealedValue(db: Queryable): Promise<string | undefined> {
  const rows = await db.query<{ sealed: string }>(
    `(SELECT secret_sealed AS sealed FROM webhook_endpoints LIMIT 1)
     UNION ALL (SELECT credentials FROM links WHERE credentials IS NOT NULL LIMIT 1) LIMIT 1`,
  )
  return rows[0]?.sealed
}
