import { PonteError } from '../lib/errors.ts'
import { isUuid } from '../lib/ids.ts'

/**
 * The object a path's `{id}` names, or Belvo's 404. An id that is not a UUID names nothing (and
 * never reaches a uuid column, where PostgreSQL would refuse it); a UUID is looked up in lower case.
 */
export async function byIdOr404<T>(id: string, find: (uuid: string) => Promise<T | null | undefined>): Promise<T> {
  const found = isUuid(id) ? await find(id.toLowerCase()) : undefined
  if (found === undefined || found === null) throw new PonteError('not_found')
  return found
}
