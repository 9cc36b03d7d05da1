import { isoUtc } from './sql.ts'
import type { Queryable } from './db.ts'
import { TRANSACTION_COLUMNS } from './resources.ts'

/**
 * What the sandbox's simulated events (domain/sandbox.ts) change in a link's stored data, so that
 * the refresh they start finds a difference at the institution.
 */

export interface RecentTransaction {
  id: string
  body: string
  account_id: string
}

/** The link's `limit` transactions of latest value date. */
export async function recentTransactions(tx: Queryable, linkId: string, limit: number): Promise<RecentTransaction[]> {
  return tx.query<RecentTransaction>('SELECT id, body, account_id FROM transactions WHERE link_id = $1 ORDER BY value_date DESC, id LIMIT $2', [linkId, limit])
}

/** The id of the link's account created last. */
export async function newestAccountId(tx: Queryable, linkId: string): Promise<string | undefined> {
  const [account] = await tx.query<{ id: string }>('SELECT id FROM accounts WHERE link_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1', [linkId])
  return account?.id
}

/** Forgets an account and its transactions, as if it had never been fetched. */
export async function forgetAccount(tx: Queryable, accountId: string): Promise<void> {
  await tx.query('DELETE FROM transactions WHERE account_id = $1', [accountId])
  await tx.query('DELETE FROM accounts WHERE id = $1', [accountId])
}

/** Replaces a stored transaction's wire body (not its typed columns). */
export async function setTransactionBody(tx: Queryable, id: string, body: string): Promise<void> {
  // A change a sync reports (migration 0022).
  await tx.query(
    "UPDATE transactions SET body = $2, created_seq = coalesce(created_seq, change_seq), change_seq = nextval('change_seq') WHERE id = $1 AND body IS DISTINCT FROM $2",
    [id, body],
  )
}

/** Stores a copy of transaction `sourceId` under another id, internal id and body. */
export async function copyTransaction(tx: Queryable, sourceId: string, copy: { id: string; internalId: string; body: string }): Promise<void> {
  const given: Record<string, string> = { id: '$1', internal_identification: '$2', body: '$3' }
  await tx.query(
    `INSERT INTO transactions (${TRANSACTION_COLUMNS.join(', ')})
     SELECT ${TRANSACTION_COLUMNS.map((column) => given[column] ?? column).join(', ')} FROM transactions WHERE id = $4`,
    [copy.id, copy.internalId, copy.body, sourceId],
  )
}

/** The link's newest consent (Open Finance Brasil links), for its about-to-expire webhook. */
export async function newestConsentOfLink(
  tx: Queryable,
  organizationId: string,
  linkId: string,
): Promise<{ id: string; expired_at: string | null; institution: string; document_number: string } | undefined> {
  const [row] = await tx.query<{ id: string; expired_at: string | null; institution: string; document_number: string }>(
    `SELECT id, ${isoUtc('expired_at')} AS expired_at, institution, document_number
     FROM consents WHERE organization_id = $1 AND link_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [organizationId, linkId],
  )
  return row
}

/** The newest stored event of one payments object with this type and code (its exact payload). */
export async function newestObjectEvent(
  tx: Queryable,
  organizationId: string,
  webhookType: string,
  webhookCode: string,
  objectId: string,
): Promise<string | undefined> {
  const [row] = await tx.query<{ payload: string }>(
    `SELECT payload FROM webhook_events
     WHERE organization_id = $1 AND webhook_type = $2 AND webhook_code = $3 AND link_id IS NULL AND strpos(payload, $4) > 0
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [organizationId, webhookType, webhookCode, `"object_id":${JSON.stringify(objectId)}`],
  )
  return row?.payload
}
