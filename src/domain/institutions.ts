import { CATALOG, institutionWire, type InstitutionWire } from '../connectors/catalog.ts'
import { PonteError } from '../lib/errors.ts'
import type { FilterField, ListRequest } from '../lib/list-query.ts'
import type { Db } from '../store/db.ts'
import * as store from '../store/institutions.ts'

export const INSTITUTION_FILTERS: readonly FilterField[] = [
  { param: 'id', type: 'integer', lookups: ['exact', 'in'] },
  { param: 'name', type: 'text', lookups: ['exact', 'in'], description: 'Belvo-designated name, such as erebor_mx_retail' },
  { param: 'display_name', type: 'text', lookups: ['exact', 'icontains'], partial: true, description: 'Partial match of the display name' },
  { param: 'type', type: 'text', lookups: ['exact', 'in'], choices: ['bank', 'fiscal', 'employment'] },
  { param: 'country_code', source: { column: 'country_codes' }, type: 'text', lookups: ['exact', 'in'], array: true, description: 'Two-letter country code' },
  { param: 'resources', type: 'text', lookups: ['allin', 'in'], array: true, description: 'Institutions that support all these resources' },
  { param: 'status', type: 'text', lookups: ['exact', 'in'], choices: ['healthy', 'down'] },
  { param: 'website', type: 'text', lookups: ['exact'] },
  { param: 'integration_type', type: 'text', lookups: ['exact', 'in'], choices: ['credentials', 'openfinance'] },
]

/** Writes the connectors' catalog into the database, where lists filter it (at start-up). */
export function syncCatalog(db: Db): Promise<void> {
  return store.syncCatalog(db, CATALOG.map(institutionWire))
}

export function listInstitutions(db: Db, { conditions, page }: ListRequest) {
  return store.listInstitutions<InstitutionWire>(db, conditions, page)
}

/** Belvo's detail path takes the integer id; an unknown or non-numeric id is a 404. */
export async function getInstitution(db: Db, id: string) {
  const institution = /^\d{1,9}$/.test(id) ? await store.findInstitution<InstitutionWire>(db, { id: Number(id) }) : undefined
  if (!institution) throw new PonteError('not_found')
  return institution
}
