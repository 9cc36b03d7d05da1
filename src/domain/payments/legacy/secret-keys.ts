import { PonteError } from '../../../lib/errors.ts'
import { isUuid } from '../../../lib/ids.ts'
import type { Db, Queryable } from '../../../store/db.ts'
import type { PageRequest } from '../../../store/pagination.ts'
import { listOrganizationKeys } from '../../../store/payments-legacy.ts'
import { createSecretKey, type SecretKeyVerifier } from '../../keys.ts'
import { requiredString } from '../objects.ts'

/**
 * `/payments/secret-keys/` of the earlier payments API (1.35.0). Belvo lists an organization's
 * keys, and makes a new pair for a dashboard login. Ponte has no dashboard: its login is one of
 * the organization's own secret keys, `{"email": <secret key id>, "password": <its password>}`,
 * and the answer is a new key of the same organization (its password shown this once, stored
 * hashed, as `ponte keys create` does). A login that is not a key: Belvo's 401.
 */

export function listKeys(db: Queryable, organizationId: string, page: PageRequest) {
  return listOrganizationKeys(db, organizationId, page)
}

export async function createKeyWithLogin(db: Db, verifier: SecretKeyVerifier, body: Record<string, unknown>): Promise<{ id: string; password: string }[]> {
  const email = requiredString(body, 'email')
  const password = requiredString(body, 'password')
  const principal = isUuid(email) ? await verifier.verify(email.toLowerCase(), password) : null
  if (!principal) throw new PonteError('authentication_failed', { variant: 'dashboard_login' })
  const key = await createSecretKey(db, { organizationId: principal.organizationId, name: 'payments secret-keys' })
  return [{ id: key.id, password: key.password }]
}
