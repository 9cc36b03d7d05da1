import type { Queryable } from './db.ts'
import type { StoredAnswer } from './payment-idempotency.ts'
import { intentValues, type LedgerEntry, type NewPaymentIntent, type PaymentIntentRow } from './payments.ts'

/**
 * The statements of a payment intent's creation (domain/payments/intents.ts), few and cheap: on
 * PGlite a statement costs about a single-row commit whatever it does (bench/payments.ts), so the
 * lookups are one statement and the intent goes in with its ledger row in another. Both run
 * `prepared` (one engine call on PGlite, a prepared statement per connection on PostgreSQL), so
 * every value they read comes back as text.
 */

export interface IntentParties {
  /** The customer's type, or null when the organization has no customer with that id. */
  customer_type: 'INDIVIDUAL' | 'BUSINESS' | null
  /** The beneficiary account's id, or null when the organization has none with that id (or none was asked). */
  account_id: string | null
}

/** The organization's customer and, when `accountId` is given, its beneficiary account, in one statement. */
export async function findIntentParties(db: Queryable, organizationId: string, customerId: string, accountId: string | null): Promise<IntentParties> {
  const [row] = await db.query<IntentParties>(
    `SELECT (SELECT c.customer_type FROM payment_customers c WHERE c.organization_id = $1::uuid AND c.id = $2::uuid) AS customer_type,
       (SELECT b.id::text FROM payment_bank_accounts b WHERE b.organization_id = $1::uuid AND b.id = $3::uuid) AS account_id`,
    [organizationId, customerId, accountId],
    { prepared: true },
  )
  return row
}

// The key's completion as completeIdempotencyKeyIn writes it (a data-modifying CTE runs whether read or not).
const ANSWER_CTE = `answer AS (
       UPDATE payment_idempotency_keys SET state = 'completed', response_status = $33::integer, response_body = $34::text, completed_at = $35::timestamptz
       WHERE organization_id = $31::uuid AND key = $32::text),
     `

/**
 * Inserts a new intent and the ledger row of its creation in one statement (one transaction, as
 * `recordChange` writes them), and answers the row as it was written, without reading it back:
 * everything in it is known here (the database adds only defaults: BRL, no failure, no end-to-end
 * id, updated_at = created_at). With `answerOf`, the same statement marks the request's idempotency
 * key completed with the response made of that row (known before the insert: nothing is read back).
 */
export async function insertPaymentIntentWithLedger(
  db: Queryable,
  p: NewPaymentIntent,
  ledger: LedgerEntry,
  answerOf?: (row: PaymentIntentRow) => StoredAnswer,
): Promise<PaymentIntentRow> {
  const row: PaymentIntentRow = { ...p, currency: 'BRL', failure_code: null, failure_message: null, end_to_end_id: null, updated_at: p.created_at }
  const answer = answerOf?.(row)
  await db.query(
    `WITH ${answer ? ANSWER_CTE : ''}intent AS (
       INSERT INTO payment_intents (id, organization_id, customer_id, kind, status, confirmed, amount, description, statement_description,
         allowed_payment_method_types, selected_payment_method_type, beneficiary_bank_account_id, payer_institution_id, pix_key, pix_key_type,
         details, schedule_date, external_id, metadata, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21)
       RETURNING id)
     INSERT INTO payment_ledger (organization_id, object_type, object_id, from_status, to_status, amount, actor, reason, request_id, at)
     SELECT $22::uuid, $23::text, intent.id, $24::text, $25::text, $26::numeric, $27::text, $28::text, $29::text, $30::timestamptz FROM intent`,
    [
      ...intentValues(p),
      ledger.organization_id,
      ledger.object_type,
      ledger.from_status,
      ledger.to_status,
      ledger.amount,
      ledger.actor,
      ledger.reason,
      ledger.request_id,
      ledger.at,
      ...(answer ? [answer.organizationId, answer.key, answer.status, answer.body, answer.at] : []),
    ],
    { prepared: true },
  )
  return row
}
