import { CATALOG, institutionWire, type InstitutionWire } from '../connectors/catalog.ts'
import type { Db, Queryable } from './db.ts'
import { type Condition, type FilterField } from './filters.ts'
import { filteredPage, type PageRequest } from './pagination.ts'

export const INSTITUTION_FILTERS: readonly FilterField[] = [
  { param: 'id', column: 'i.id', type: 'integer', lookups: ['exact', 'in'] },
  { param: 'name', column: 'i.name', type: 'text', lookups: ['exact', 'in'], description: "Belvo-designated name, such as erebor_mx_retail" },
  { param: 'display_name', column: 'i.display_name', type: 'text', lookups: ['exact', 'icontains'], partial: true, description: 'Partial match of the display name' },
  { param: 'type', column: 'i.type', type: 'text', lookups: ['exact', 'in'], choices: ['bank', 'fiscal', 'employment'] },
  { param: 'country_code', column: 'i.country_codes', type: 'text', lookups: ['exact', 'in'], array: true, description: 'Two-letter country code' },
  { param: 'resources', column: 'i.resources', type: 'text', lookups: ['allin', 'in'], array: true, description: 'Institutions that support all these resources' },
  { param: 'status', column: 'i.status', type: 'text', lookups: ['exact', 'in'], choices: ['healthy', 'down'] },
  { param: 'website', column: 'i.website', type: 'text', lookups: ['exact'] },
  { param: 'integration_type', column: 'i.integration_type', type: 'text', lookups: ['exact', 'in'], choices: ['credentials', 'openfinance'] },
]

/**
 * Writes the catalog into the table so lists filter in SQL like every other resource. Idempotent
 * (upsert on id), and harmless when several processes start at once.
 */
export async function syncCatalog(db: Db): Promise<void> {
  await db.tx(async (tx) => {
    for (const institution of CATALOG) {
      const wire = institutionWire(institution)
      await tx.query(
        `INSERT INTO institutions (id, name, type, display_name, website, country_codes, resources, integration_type, status, body)
         VALUES ($1, $2, $3, $4, $5, $6::text[], $7::text[], $8, $9, $10::jsonb)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, display_name = EXCLUDED.display_name,
           website = EXCLUDED.website, country_codes = EXCLUDED.country_codes, resources = EXCLUDED.resources,
           integration_type = EXCLUDED.integration_type, status = EXCLUDED.status, body = EXCLUDED.body`,
        [wire.id, wire.name, wire.type, wire.display_name, wire.website, wire.country_codes, wire.resources, wire.integration_type, wire.status, JSON.stringify(wire)],
      )
    }
  })
}

export async function listInstitutions(db: Queryable, conditions: Condition[], page: PageRequest) {
  const result = await filteredPage<{ body: InstitutionWire }>(db, { from: 'institutions i', select: 'i.body', orderBy: 'i.id', where: [], params: [] }, conditions, page)
  return { count: result.count, results: result.rows.map((r) => r.body) }
}

export async function findInstitution(db: Queryable, by: { id?: number; name?: string }): Promise<InstitutionWire | undefined> {
  const rows = by.id !== undefined
    ? await db.query<{ body: InstitutionWire }>('SELECT body FROM institutions WHERE id = $1', [by.id])
    : await db.query<{ body: InstitutionWire }>('SELECT body FROM institutions WHERE name = $1', [by.name])
  return rows[0]?.body
}
