import type { Condition, PageRequest } from '../lib/list-query.ts'
import type { Db, Queryable } from './db.ts'
import { filteredPage } from './pagination.ts'

/**
 * An institution as the `institutions` table keeps it: the columns lists filter on, and the wire
 * body (any further keys) answered as is. The catalog itself is the connectors' (domain passes it in).
 */
export interface StoredInstitution {
  id: number
  name: string
  type: string
  display_name: string
  website: string | null
  country_codes: string[]
  resources: string[]
  integration_type: string
  status: string
}

/**
 * Writes the catalog into the table so lists filter in SQL like every other resource. Idempotent
 * (upsert on id), and harmless when several processes start at once.
 */
export async function syncCatalog(db: Db, institutions: readonly StoredInstitution[]): Promise<void> {
  await db.tx(async (tx) => {
    for (const wire of institutions) {
      await tx.query(
        `INSERT INTO institutions (id, name, type, display_name, website, country_codes, resources, integration_type, status, body)
         VALUES ($1, $2, $3, $4, $5, $6::text[], $7::text[], $8, $9, $10::jsonb)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, display_name = EXCLUDED.display_name,
           website = EXCLUDED.website, country_codes = EXCLUDED.country_codes, resources = EXCLUDED.resources,
           integration_type = EXCLUDED.integration_type, status = EXCLUDED.status, body = EXCLUDED.body`,
        [
          wire.id,
          wire.name,
          wire.type,
          wire.display_name,
          wire.website,
          wire.country_codes,
          wire.resources,
          wire.integration_type,
          wire.status,
          JSON.stringify(wire),
        ],
      )
    }
  })
}

/** `T` is the body's type as the caller wrote it (domain: the catalog's wire shape). */
export async function listInstitutions<T extends StoredInstitution>(db: Queryable, conditions: Condition[], page: PageRequest) {
  const result = await filteredPage<{ body: T }>(
    db,
    { from: 'institutions i', alias: 'i', select: 'i.body', orderBy: 'i.id', where: [], params: [] },
    conditions,
    page,
  )
  return { count: result.count, results: result.rows.map((r) => r.body) }
}

export async function findInstitution<T extends StoredInstitution>(db: Queryable, by: { id?: number; name?: string }): Promise<T | undefined> {
  const rows =
    by.id !== undefined
      ? await db.query<{ body: T }>('SELECT body FROM institutions WHERE id = $1', [by.id])
      : await db.query<{ body: T }>('SELECT body FROM institutions WHERE name = $1', [by.name])
  return rows[0]?.body
}
