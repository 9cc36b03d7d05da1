import type { PageRequest } from '../lib/list-query.ts'
import type { Queryable } from './db.ts'
import { isoUtc as ISO } from './sql.ts'

/** One credit of a receiving account's sandbox statement: a settled transaction and the balance after it. */
export interface StatementEntryRow {
  transaction_id: string
  payment_intent_id: string
  charge_id: string
  end_to_end_id: string
  description: string
  amount: string
  balance: string
  created_at: string
}

/**
 * A page of the account's credits, oldest first, each with the running balance after it: a window
 * sum over every credit of the account (numeric, exact), computed before the page is cut. The
 * organization is checked by the caller (the account is its own).
 */
export async function statementPage(db: Queryable, organizationId: string, accountId: string, { page, pageSize }: PageRequest) {
  const [rows, count] = await Promise.all([
    db.query<StatementEntryRow>(
      `SELECT id AS transaction_id, payment_intent_id, charge_id, end_to_end_id, description, amount::text AS amount, balance::text AS balance, ${ISO('created_at')} AS created_at
       FROM (
         SELECT t.*, sum(t.amount) OVER (ORDER BY t.created_at, t.id) AS balance
         FROM payment_transactions t
         WHERE t.organization_id = $1 AND t.beneficiary_bank_account_id = $2 AND t.transaction_type = 'INFLOW'
       ) s
       ORDER BY created_at, id LIMIT $3 OFFSET $4`,
      [organizationId, accountId, pageSize, (page - 1) * pageSize],
    ),
    db
      .query<{ n: number }>(
        `SELECT count(*)::int AS n FROM payment_transactions WHERE organization_id = $1 AND beneficiary_bank_account_id = $2 AND transaction_type = 'INFLOW'`,
        [organizationId, accountId],
      )
      .then((r) => r[0].n),
  ])
  return { count, rows }
}
