import { PonteError } from '../lib/errors.ts'
import type { Db } from '../store/db.ts'
import type { Condition } from '../store/filters.ts'
import * as store from '../store/institutions.ts'
import type { PageRequest } from '../store/pagination.ts'

export const INSTITUTION_FILTERS = store.INSTITUTION_FILTERS

export function listInstitutions(db: Db, conditions: Condition[], page: PageRequest) {
  return store.listInstitutions(db, conditions, page)
}

/** Belvo's detail path takes the integer id; an unknown or non-numeric id is a 404. */
export async function getInstitution(db: Db, id: string) {
  const institution = /^\d{1,9}$/.test(id) ? await store.findInstitution(db, { id: Number(id) }) : undefined
  if (!institution) throw new PonteError('not_found')
  return institution
}
