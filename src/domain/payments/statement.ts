import type { PageRequest } from '../../lib/list-query.ts'
import type { Queryable } from '../../store/db.ts'
import { statementPage } from '../../store/payment-statement.ts'
import type { PaymentsCaller } from './audit.ts'
import { formatAmount } from './money.ts'
import { getBankAccount } from './objects.ts'

/**
 * The sandbox statement of a receiving bank account (a Ponte addition; Belvo's sandbox shows it
 * in its dashboard): one credit per settled transaction, oldest first, with its end_to_end_id and
 * the running balance after it, and the account's balance. The balance is the one settlement
 * keeps (store creditBankAccount); the running balances are summed from the transactions, so the
 * last one equals it to the cent. A 404 for an account of another organization.
 */
export async function bankAccountStatement(db: Queryable, caller: PaymentsCaller, id: string, page: PageRequest) {
  const account = await getBankAccount(db, caller, id)
  const { count, rows } = await statementPage(db, caller.organizationId, account.id, page)
  return {
    account: { id: account.id, balance: formatAmount(account.balance) },
    count,
    entries: rows.map((row) => ({
      transaction: row.transaction_id,
      payment_intent: row.payment_intent_id,
      charge: row.charge_id,
      end_to_end_id: row.end_to_end_id,
      type: 'CREDIT' as const,
      description: row.description,
      amount: formatAmount(row.amount),
      balance: formatAmount(row.balance),
      created_at: row.created_at,
    })),
  }
}
