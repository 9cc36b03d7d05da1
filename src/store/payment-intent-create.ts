import type { Queryable } from './db.ts'
import {
  answerInsert,
  answerValues,
  keyColumns,
  keyLock,
  rowOf,
  type AnswerOutcome,
  type IdempotencyRow,
  type KeyColumns,
  type StoredAnswer,
} from './payment-idempotency.ts'
import { intentValues, type LedgerEntry, type NewPaymentIntent, type PaymentIntentRow } from './payments.ts'

/**
 * The statements of a payment intent's creation (domain/payments/intents.ts), few and cheap: on
 * PGlite a statement costs about a single-row commit whatever it does (bench/payments.ts), so the
 * lookups are one statement and the intent goes in with its ledger row and its idempotency key's
 * answer in another. Both run `prepared` (one engine call on PGlite, a prepared statement per
 * connection on PostgreSQL), so every value they read comes back as text.
 */

export interface IntentParties {
  /** The customer's type, or null when the organization has no customer with that id. */
  customer_type: 'INDIVIDUAL' | 'BUSINESS' | null
  /** The beneficiary account's id, or null when the organization has none with that id (or none was asked). */
  account_id: string | null
  /** The idempotency key's row, when `key` was given and has one. */
  key?: IdempotencyRow
}

const PARTIES = `(SELECT c.customer_type FROM payment_customers c WHERE c.organization_id = $1::uuid AND c.id = $2::uuid) AS customer_type,
       (SELECT b.id::text FROM payment_bank_accounts b WHERE b.organization_id = $1::uuid AND b.id = $3::uuid) AS account_id`

/**
 * The organization's customer and, when `accountId` is given, its beneficiary account, in one
 * statement; with `key`, that idempotency key's row too (domain/payments/idempotency.ts
 * `idempotentOneWrite`).
 */
export async function findIntentParties(
  db: Queryable,
  organizationId: string,
  customerId: string,
  accountId: string | null,
  key?: string,
): Promise<IntentParties> {
  if (key === undefined) {
    const [row] = await db.query<IntentParties>(`SELECT ${PARTIES}`, [organizationId, customerId, accountId], { prepared: true })
    return row
  }
  const [row] = await db.query<Omit<IntentParties, 'key'> & KeyColumns>(
    `SELECT ${PARTIES}, ${keyColumns('k')}
     FROM (SELECT 1) one LEFT JOIN payment_idempotency_keys k ON k.organization_id = $1::uuid AND k.key = $4::text`,
    [organizationId, customerId, accountId, key],
    { prepared: true },
  )
  return { customer_type: row.customer_type, account_id: row.account_id, key: rowOf(row) }
}

// An intent's columns and the types of their parameters, $1 to $21 (updated_at is created_at).
const INTENT_COLUMNS_TYPED: [string, string][] = [
  ['id', 'uuid'],
  ['organization_id', 'uuid'],
  ['customer_id', 'uuid'],
  ['kind', 'text'],
  ['status', 'text'],
  ['confirmed', 'boolean'],
  ['amount', 'numeric'],
  ['description', 'text'],
  ['statement_description', 'text'],
  ['allowed_payment_method_types', 'text[]'],
  ['selected_payment_method_type', 'text'],
  ['beneficiary_bank_account_id', 'uuid'],
  ['payer_institution_id', 'uuid'],
  ['pix_key', 'text'],
  ['pix_key_type', 'text'],
  ['details', 'jsonb'],
  ['schedule_date', 'date'],
  ['external_id', 'uuid'],
  ['metadata', 'jsonb'],
  ['created_by', 'uuid'],
  ['created_at', 'timestamptz'],
]
const INTENT_COLUMNS = `${INTENT_COLUMNS_TYPED.map(([column]) => column).join(', ')}, updated_at`
// Typed: in an INSERT ... SELECT, an untyped parameter would be taken for text.
const INTENT_VALUES = `${INTENT_COLUMNS_TYPED.map(([, type], i) => `$${i + 1}::${type}`).join(', ')}, $21::timestamptz`
// The creation's ledger row (recordChange's), $22 to $30, for the intent inserted by `intent`.
const LEDGER_INSERT = `INSERT INTO payment_ledger (organization_id, object_type, object_id, from_status, to_status, amount, actor, reason, request_id, at)
     SELECT $22::uuid, $23::text, intent.id, $24::text, $25::text, $26::numeric, $27::text, $28::text, $29::text, $30::timestamptz FROM intent`

/**
 * The statement that inserts an intent with its ledger row: `answer`, with the idempotency key's
 * answer ($31 to $37, `answerValues`); `checked`, only when the organization has the customer ($3)
 * and the beneficiary account ($12, when one is named) the intent names, the customer being a
 * business only if `$n::boolean` (the last parameter) says a business may pay. It answers `ok`
 * (the parties were as named), `free` (no other transaction held the key) and `inserted`.
 *
 * With an answer, the key's lock is taken here (again, harmlessly, by a transaction that took it
 * first): the answer goes in only while no other transaction holds the key and the key has no row
 * (`answerInsert`), and the intent only with its answer.
 */
function intentInsert(answer: boolean, checked: boolean): string {
  const businessMayPay = `$${answer ? 38 : 31}::boolean`
  const conditions = checked ? ['(SELECT ok FROM parties)'] : []
  const ctes = checked
    ? [
        `parties AS (SELECT EXISTS (SELECT 1 FROM payment_customers c WHERE c.organization_id = $2::uuid AND c.id = $3::uuid AND (c.customer_type <> 'BUSINESS' OR ${businessMayPay}))
         AND ($12::uuid IS NULL OR EXISTS (SELECT 1 FROM payment_bank_accounts b WHERE b.organization_id = $2::uuid AND b.id = $12::uuid)) AS ok)`,
      ]
    : []
  if (answer) {
    ctes.push(
      `lock AS (SELECT ${keyLock('$31', '$32')} AS free)`,
      `answer AS (${answerInsert(31, ['(SELECT free FROM lock)', ...conditions].join(' AND '))})`,
      `intent AS (INSERT INTO payment_intents (${INTENT_COLUMNS}) SELECT ${INTENT_VALUES} FROM answer RETURNING id)`,
    )
  } else {
    ctes.push(`intent AS (INSERT INTO payment_intents (${INTENT_COLUMNS}) SELECT ${INTENT_VALUES} WHERE ${conditions.join(' AND ') || 'true'} RETURNING id)`)
  }
  ctes.push(`ledger AS (${LEDGER_INSERT})`)
  return `WITH ${ctes.join(',\n     ')}
     SELECT ${checked ? '(SELECT ok FROM parties)::text' : "'true'"} AS ok, ${answer ? '(SELECT free FROM lock)::text' : "'true'"} AS free,
       (SELECT count(*) FROM intent)::text AS inserted`
}

/** The four forms of `intentInsert`, made once: each is a prepared statement of its own. */
const INTENT_INSERTS = new Map([false, true].flatMap((answer) => [false, true].map((checked) => [`${answer}/${checked}`, intentInsert(answer, checked)])))

/**
 * Inserts a new intent and the ledger row of its creation in one statement (one transaction, as
 * `recordChange` writes them), and answers the row as it was written, without reading it back:
 * everything in it is known here (the database adds only defaults: BRL, no failure, no end-to-end
 * id, updated_at = created_at). With `answerOf`, the same statement stores the request's idempotency
 * key with the response made of that row (known before the insert: nothing is read back), and
 * `stored` says how that went: when the answer did not go in, neither did the intent. With
 * `unread`, the customer and beneficiary account were not read: the statement checks them, and
 * writes nothing when they are not as the intent names them (`stored`: `parties`).
 */
export async function insertPaymentIntentWithLedger(
  db: Queryable,
  p: NewPaymentIntent,
  ledger: LedgerEntry,
  answerOf?: (row: PaymentIntentRow) => StoredAnswer,
  unread?: { businessMayPay: boolean },
): Promise<{ row: PaymentIntentRow; stored?: AnswerOutcome | 'parties' }> {
  const row: PaymentIntentRow = { ...p, currency: 'BRL', failure_code: null, failure_message: null, end_to_end_id: null, updated_at: p.created_at }
  const answer = answerOf?.(row)
  const [inserted] = await db.query<{ ok: string; free: string; inserted: string }>(
    INTENT_INSERTS.get(`${answer !== undefined}/${unread !== undefined}`)!,
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
      ...(answer ? answerValues(answer) : []),
      ...(unread ? [unread.businessMayPay] : []),
    ],
    { prepared: true },
  )
  if (inserted.ok !== 'true') return { row, stored: 'parties' }
  if (!answer) return { row }
  return { row, stored: inserted.free !== 'true' ? 'busy' : inserted.inserted === '1' ? 'stored' : 'exists' }
}
