import type { Condition } from '../lib/list-query.ts'
import type { Queryable } from './db.ts'
import { clockScope } from './sandbox-clocks.ts'
import { filteredPage, type PageRequest } from './pagination.ts'
import { isoUtc as ISO } from './sql.ts'

/**
 * SQL of Payments Brazil (migration 0014). Every statement is scoped by organization; amounts are
 * read as numeric text ("100.00") and timestamps as ISO-8601 UTC, never as floats or Dates.
 */

type Json = Record<string, unknown>

/**
 * `/payments/br/` sees Brazil's rows only: the same tables hold Colombia's PSE objects of the
 * earlier API (migration 0019, src/store/payments-legacy.ts).
 */
const BRAZIL = {
  institution: "i.country = 'BRA'",
  customer: "c.country = 'BRA'",
  bankAccount: "b.country = 'BRA'",
  intent: "p.kind <> 'pse'",
  transaction: "t.currency = 'BRL'",
} as const

// ---------------------------------------------------------------------------------------------
// Institutions

export interface PaymentInstitutionRow {
  id: string
  code: string
  name: string
  display_name: string
  institution_type: 'INDIVIDUAL' | 'BUSINESS'
  active: boolean
  sort_priority: number
  body: Json
  /** BRA, or COL for the PSE banks of the earlier API (migration 0019). */
  country: 'BRA' | 'COL'
}

export const INSTITUTION_COLUMNS = 'i.id, i.code, i.name, i.display_name, i.institution_type, i.active, i.sort_priority, i.body, i.country'

export function listPaymentInstitutions(db: Queryable, conditions: Condition[], page: PageRequest) {
  return filteredPage<PaymentInstitutionRow>(
    db,
    { from: 'payment_institutions i', alias: 'i', select: INSTITUTION_COLUMNS, orderBy: 'i.sort_priority, i.id', where: [BRAZIL.institution], params: [] },
    conditions,
    page,
  )
}

/** Institutions found, per process: the catalog is written by migrations only (0014), never at run time. */
const institutionCache = new Map<string, PaymentInstitutionRow>()

export async function findPaymentInstitution(db: Queryable, id: string): Promise<PaymentInstitutionRow | undefined> {
  const cached = institutionCache.get(id)
  if (cached) return cached
  const found = (await db.query<PaymentInstitutionRow>(`SELECT ${INSTITUTION_COLUMNS} FROM payment_institutions i WHERE i.id = $1`, [id]))[0]
  if (found) institutionCache.set(id, found)
  return found
}

// ---------------------------------------------------------------------------------------------
// Customers

export interface CustomerRow {
  id: string
  organization_id: string
  customer_type: 'INDIVIDUAL' | 'BUSINESS'
  identifier_type: 'CPF' | 'CNPJ'
  identifier: string
  name: string | null
  email: string | null
  phone: string | null
  address: string | null
  external_id: string | null
  version: 'V1' | 'V2'
  created_by: string
  created_at: string
  updated_at: string
}

export const CUSTOMER_COLUMNS = `c.id, c.organization_id, c.customer_type, c.identifier_type, c.identifier, c.name, c.email, c.phone, c.address,
  c.external_id, c.version, c.created_by, ${ISO('c.created_at')} AS created_at, ${ISO('c.updated_at')} AS updated_at`

export type NewCustomer = Omit<CustomerRow, 'updated_at'>

/** Inserts the customer; undefined when the organization already has one with this document. */
export async function insertCustomer(db: Queryable, c: NewCustomer): Promise<CustomerRow | undefined> {
  const rows = await db.query<CustomerRow>(
    `INSERT INTO payment_customers AS c (id, organization_id, customer_type, identifier_type, identifier, name, email, phone, address,
       external_id, version, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
     ON CONFLICT (organization_id, identifier) DO NOTHING
     RETURNING ${CUSTOMER_COLUMNS}`,
    [
      c.id,
      c.organization_id,
      c.customer_type,
      c.identifier_type,
      c.identifier,
      c.name,
      c.email,
      c.phone,
      c.address,
      c.external_id,
      c.version,
      c.created_by,
      c.created_at,
    ],
  )
  return rows[0]
}

export async function findCustomer(db: Queryable, organizationId: string, id: string): Promise<CustomerRow | undefined> {
  return (
    await db.query<CustomerRow>(`SELECT ${CUSTOMER_COLUMNS} FROM payment_customers c WHERE c.organization_id = $1 AND c.id = $2 AND ${BRAZIL.customer}`, [
      organizationId,
      id,
    ])
  )[0]
}

export async function findCustomerByIdentifier(db: Queryable, organizationId: string, identifier: string): Promise<CustomerRow | undefined> {
  return (
    await db.query<CustomerRow>(`SELECT ${CUSTOMER_COLUMNS} FROM payment_customers c WHERE c.organization_id = $1 AND c.identifier = $2`, [
      organizationId,
      identifier,
    ])
  )[0]
}

export function listCustomers(db: Queryable, organizationId: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<CustomerRow>(
    db,
    {
      from: 'payment_customers c',
      alias: 'c',
      select: CUSTOMER_COLUMNS,
      orderBy: 'c.created_at DESC, c.id DESC',
      where: ['c.organization_id = $1', BRAZIL.customer],
      params: [organizationId],
    },
    conditions,
    page,
  )
}

// ---------------------------------------------------------------------------------------------
// Bank accounts

export interface BankAccountRow {
  id: string
  organization_id: string
  customer_id: string | null
  institution_id: string
  holder_type: 'INDIVIDUAL' | 'BUSINESS'
  holder_name: string
  holder_identifier: string
  holder: Json
  account_type: 'CHECKINGS' | 'SAVINGS' | 'SALARY' | 'PAYMENTS'
  agency: string
  number: string
  external_id: string | null
  metadata: Json
  version: 'V1' | 'V2'
  active: boolean
  /** numeric text, e.g. "150.00" */
  balance: string
  created_by: string
  created_at: string
  updated_at: string
}

export const BANK_ACCOUNT_COLUMNS = `b.id, b.organization_id, b.customer_id, b.institution_id, b.holder_type, b.holder_name, b.holder_identifier, b.holder,
  b.account_type, b.agency, b.number, b.external_id, b.metadata, b.version, b.active, b.balance::text AS balance, b.created_by,
  ${ISO('b.created_at')} AS created_at, ${ISO('b.updated_at')} AS updated_at`

export type NewBankAccount = Omit<BankAccountRow, 'updated_at' | 'balance' | 'active'>

/** Inserts the account; undefined when the organization already registered this institution, agency and number. */
export async function insertBankAccount(db: Queryable, b: NewBankAccount): Promise<BankAccountRow | undefined> {
  const rows = await db.query<BankAccountRow>(
    `INSERT INTO payment_bank_accounts AS b (id, organization_id, customer_id, institution_id, holder_type, holder_name, holder_identifier, holder,
       account_type, agency, number, external_id, metadata, version, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13::jsonb, $14, $15, $16, $16)
     ON CONFLICT (organization_id, institution_id, agency, number) DO NOTHING
     RETURNING ${BANK_ACCOUNT_COLUMNS}`,
    [
      b.id,
      b.organization_id,
      b.customer_id,
      b.institution_id,
      b.holder_type,
      b.holder_name,
      b.holder_identifier,
      JSON.stringify(b.holder),
      b.account_type,
      b.agency,
      b.number,
      b.external_id,
      JSON.stringify(b.metadata),
      b.version,
      b.created_by,
      b.created_at,
    ],
  )
  return rows[0]
}

export async function findBankAccount(db: Queryable, organizationId: string, id: string): Promise<BankAccountRow | undefined> {
  return (
    await db.query<BankAccountRow>(
      `SELECT ${BANK_ACCOUNT_COLUMNS} FROM payment_bank_accounts b WHERE b.organization_id = $1 AND b.id = $2 AND ${BRAZIL.bankAccount}`,
      [organizationId, id],
    )
  )[0]
}

export async function findBankAccountByNumber(
  db: Queryable,
  organizationId: string,
  institutionId: string,
  agency: string,
  number: string,
): Promise<BankAccountRow | undefined> {
  return (
    await db.query<BankAccountRow>(
      `SELECT ${BANK_ACCOUNT_COLUMNS} FROM payment_bank_accounts b WHERE b.organization_id = $1 AND b.institution_id = $2 AND b.agency = $3 AND b.number = $4`,
      [organizationId, institutionId, agency, number],
    )
  )[0]
}

export function listBankAccounts(db: Queryable, organizationId: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<BankAccountRow>(
    db,
    {
      from: 'payment_bank_accounts b',
      alias: 'b',
      select: BANK_ACCOUNT_COLUMNS,
      orderBy: 'b.created_at DESC, b.id DESC',
      where: ['b.organization_id = $1', BRAZIL.bankAccount],
      params: [organizationId],
    },
    conditions,
    page,
  )
}

/** Moves a receiving account's sandbox balance by a settled amount (numeric arithmetic in SQL: exact). */
export async function creditBankAccount(db: Queryable, organizationId: string, id: string, amount: string, now: string): Promise<void> {
  await db.query('UPDATE payment_bank_accounts SET balance = balance + $3::numeric, updated_at = $4 WHERE organization_id = $1 AND id = $2', [
    organizationId,
    id,
    amount,
    now,
  ])
}

// ---------------------------------------------------------------------------------------------
// Payment intents

export interface PaymentIntentRow {
  id: string
  organization_id: string
  customer_id: string
  kind: 'bank_account' | 'pix_key'
  status: string
  confirmed: boolean
  amount: string
  currency: string
  description: string
  statement_description: string | null
  allowed_payment_method_types: string[]
  selected_payment_method_type: string
  beneficiary_bank_account_id: string | null
  payer_institution_id: string | null
  pix_key: string | null
  pix_key_type: string | null
  details: Json
  schedule_date: string | null
  external_id: string | null
  metadata: Json
  failure_code: string | null
  failure_message: string | null
  end_to_end_id: string | null
  created_by: string
  created_at: string
  updated_at: string
}

export const INTENT_COLUMNS = `p.id, p.organization_id, p.customer_id, p.kind, p.status, p.confirmed, p.amount::text AS amount, p.currency, p.description,
  p.statement_description, p.allowed_payment_method_types, p.selected_payment_method_type, p.beneficiary_bank_account_id,
  p.payer_institution_id, p.pix_key, p.pix_key_type, p.details, to_char(p.schedule_date, 'YYYY-MM-DD') AS schedule_date, p.external_id,
  p.metadata, p.failure_code, p.failure_message, p.end_to_end_id, p.created_by,
  ${ISO('p.created_at')} AS created_at, ${ISO('p.updated_at')} AS updated_at`

export type NewPaymentIntent = Omit<PaymentIntentRow, 'updated_at' | 'failure_code' | 'failure_message' | 'end_to_end_id' | 'currency'>

/** The 21 values of a new intent, in the column order of its INSERT ($1..$21; $21 is also updated_at). */
export function intentValues(p: NewPaymentIntent): unknown[] {
  return [
    p.id,
    p.organization_id,
    p.customer_id,
    p.kind,
    p.status,
    p.confirmed,
    p.amount,
    p.description,
    p.statement_description,
    p.allowed_payment_method_types,
    p.selected_payment_method_type,
    p.beneficiary_bank_account_id,
    p.payer_institution_id,
    p.pix_key,
    p.pix_key_type,
    JSON.stringify(p.details),
    p.schedule_date,
    p.external_id,
    JSON.stringify(p.metadata),
    p.created_by,
    p.created_at,
  ]
}

/** An intent read back as stored. The API's create uses store/payment-intent-create.ts (intent and ledger row in one statement). */
export async function insertPaymentIntent(db: Queryable, p: NewPaymentIntent): Promise<PaymentIntentRow> {
  const rows = await db.query<PaymentIntentRow>(
    `INSERT INTO payment_intents AS p (id, organization_id, customer_id, kind, status, confirmed, amount, description, statement_description,
       allowed_payment_method_types, selected_payment_method_type, beneficiary_bank_account_id, payer_institution_id, pix_key, pix_key_type,
       details, schedule_date, external_id, metadata, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $8, $9, $10::text[], $11, $12, $13, $14, $15, $16::jsonb, $17::date, $18, $19::jsonb, $20, $21, $21)
     RETURNING ${INTENT_COLUMNS}`,
    intentValues(p),
  )
  return rows[0]
}

/**
 * The organization's payment intent. `lock` takes its row lock (FOR UPDATE) for the rest of the
 * transaction: every status change reads the intent this way first, so two concurrent changes of
 * one intent run one after the other and the second sees the first's outcome.
 */
export async function findPaymentIntent(db: Queryable, organizationId: string, id: string, lock = false): Promise<PaymentIntentRow | undefined> {
  return (
    await db.query<PaymentIntentRow>(
      `SELECT ${INTENT_COLUMNS} FROM payment_intents p WHERE p.organization_id = $1 AND p.id = $2 AND ${BRAZIL.intent}${lock ? ' FOR UPDATE' : ''}`,
      [organizationId, id],
    )
  )[0]
}

export async function findPaymentIntents(db: Queryable, organizationId: string, ids: string[]): Promise<PaymentIntentRow[]> {
  if (ids.length === 0) return []
  return db.query<PaymentIntentRow>(`SELECT ${INTENT_COLUMNS} FROM payment_intents p WHERE p.organization_id = $1 AND p.id = ANY($2::uuid[])`, [
    organizationId,
    ids,
  ])
}

export interface PaymentIntentChanges {
  status?: string
  confirmed?: boolean
  payer_institution_id?: string | null
  beneficiary_bank_account_id?: string | null
  details?: Json
  failure_code?: string | null
  failure_message?: string | null
  end_to_end_id?: string | null
}
const INTENT_UPDATABLE = [
  'status',
  'confirmed',
  'payer_institution_id',
  'beneficiary_bank_account_id',
  'details',
  'failure_code',
  'failure_message',
  'end_to_end_id',
] as const

export async function updatePaymentIntent(db: Queryable, organizationId: string, id: string, changes: PaymentIntentChanges, now: string): Promise<void> {
  const sets: string[] = []
  const params: unknown[] = [organizationId, id, now]
  for (const column of INTENT_UPDATABLE) {
    if (changes[column] === undefined) continue
    params.push(column === 'details' ? JSON.stringify(changes[column]) : changes[column])
    sets.push(`${column} = $${params.length}${column === 'details' ? '::jsonb' : ''}`)
  }
  await db.query(`UPDATE payment_intents SET ${[...sets, 'updated_at = $3'].join(', ')} WHERE organization_id = $1 AND id = $2`, params)
}

/** Belvo's `ordering` values for payment intents; newest first by default. */
export const INTENT_ORDERINGS = {
  '-created_at': 'p.created_at DESC, p.id DESC',
  created_at: 'p.created_at, p.id',
  '-updated_at': 'p.updated_at DESC, p.id DESC',
  updated_at: 'p.updated_at, p.id',
} as const
export type IntentOrdering = keyof typeof INTENT_ORDERINGS

export function listPaymentIntents(
  db: Queryable,
  organizationId: string,
  conditions: Condition[],
  page: PageRequest,
  ordering: IntentOrdering = '-created_at',
) {
  return filteredPage<PaymentIntentRow>(
    db,
    {
      from: 'payment_intents p',
      alias: 'p',
      select: INTENT_COLUMNS,
      orderBy: INTENT_ORDERINGS[ordering],
      where: ['p.organization_id = $1', BRAZIL.intent],
      params: [organizationId],
    },
    conditions,
    page,
  )
}

// ---------------------------------------------------------------------------------------------
// Charges

export interface ChargeRow {
  id: string
  organization_id: string
  payment_intent_id: string
  customer_id: string
  status: string
  amount: string
  beneficiary_bank_account_id: string | null
  payer_institution_id: string | null
  settlement_date: string | null
  end_to_end_id: string | null
  failure_code: string | null
  failure_message: string | null
  created_at: string
  updated_at: string
}

const CHARGE_COLUMNS = `ch.id, ch.organization_id, ch.payment_intent_id, ch.customer_id, ch.status, ch.amount::text AS amount,
  ch.beneficiary_bank_account_id, ch.payer_institution_id, to_char(ch.settlement_date, 'YYYY-MM-DD') AS settlement_date, ch.end_to_end_id,
  ch.failure_code, ch.failure_message, ${ISO('ch.created_at')} AS created_at, ${ISO('ch.updated_at')} AS updated_at`

export type NewCharge = Omit<ChargeRow, 'updated_at' | 'end_to_end_id' | 'failure_code' | 'failure_message'>

export async function insertCharge(db: Queryable, c: NewCharge): Promise<ChargeRow> {
  const rows = await db.query<ChargeRow>(
    `INSERT INTO payment_charges AS ch (id, organization_id, payment_intent_id, customer_id, status, amount, beneficiary_bank_account_id,
       payer_institution_id, settlement_date, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6::numeric, $7, $8, $9::date, $10, $10)
     RETURNING ${CHARGE_COLUMNS}`,
    [
      c.id,
      c.organization_id,
      c.payment_intent_id,
      c.customer_id,
      c.status,
      c.amount,
      c.beneficiary_bank_account_id,
      c.payer_institution_id,
      c.settlement_date,
      c.created_at,
    ],
  )
  return rows[0]
}

export interface ChargeChanges {
  status: string
  end_to_end_id?: string | null
  failure_code?: string | null
  failure_message?: string | null
}

export async function updateCharge(db: Queryable, organizationId: string, id: string, c: ChargeChanges, now: string): Promise<void> {
  await db.query(
    `UPDATE payment_charges SET status = $3, end_to_end_id = COALESCE($4, end_to_end_id), failure_code = $5, failure_message = $6, updated_at = $7
     WHERE organization_id = $1 AND id = $2`,
    [organizationId, id, c.status, c.end_to_end_id ?? null, c.failure_code ?? null, c.failure_message ?? null, now],
  )
}

export async function findCharge(db: Queryable, organizationId: string, id: string, intentId?: string): Promise<ChargeRow | undefined> {
  return (
    await db.query<ChargeRow>(
      `SELECT ${CHARGE_COLUMNS} FROM payment_charges ch WHERE ch.organization_id = $1 AND ch.id = $2 AND ($3::uuid IS NULL OR ch.payment_intent_id = $3::uuid)`,
      [organizationId, id, intentId ?? null],
    )
  )[0]
}

/** SCHEDULED charges whose settlement date has come (every organization's), oldest date first. */
export async function dueScheduledCharges(
  db: Queryable,
  today: string,
  limit: number,
  organizationId?: string,
): Promise<{ id: string; organization_id: string; payment_intent_id: string }[]> {
  const params: unknown[] = [today, limit]
  const scope = clockScope('ch.organization_id', organizationId, params)
  return db.query(
    `SELECT ch.id, ch.organization_id, ch.payment_intent_id FROM payment_charges ch
     WHERE ch.status = 'SCHEDULED' AND ch.settlement_date <= $1::date AND ${scope} ORDER BY ch.settlement_date, ch.id LIMIT $2`,
    params,
  )
}

/** The charges of some intents, oldest first (intents embed theirs). */
export async function chargesOfIntents(db: Queryable, organizationId: string, intentIds: string[]): Promise<ChargeRow[]> {
  if (intentIds.length === 0) return []
  return db.query<ChargeRow>(
    `SELECT ${CHARGE_COLUMNS} FROM payment_charges ch WHERE ch.organization_id = $1 AND ch.payment_intent_id = ANY($2::uuid[]) ORDER BY ch.created_at, ch.id`,
    [organizationId, intentIds],
  )
}

export function listCharges(db: Queryable, organizationId: string, conditions: Condition[], page: PageRequest, intentId?: string) {
  const where = ['ch.organization_id = $1']
  const params: unknown[] = [organizationId]
  if (intentId) {
    params.push(intentId)
    where.push('ch.payment_intent_id = $2')
  }
  return filteredPage<ChargeRow>(
    db,
    { from: 'payment_charges ch', alias: 'ch', select: CHARGE_COLUMNS, orderBy: 'ch.created_at DESC, ch.id DESC', where, params },
    conditions,
    page,
  )
}

// ---------------------------------------------------------------------------------------------
// Transactions

export interface PaymentTransactionRow {
  id: string
  organization_id: string
  /** null for a payment authorization's transaction (migration 0015). */
  payment_intent_id: string | null
  /** The intent's charge, or the payment authorization's charge. */
  charge_id: string
  customer_id: string
  beneficiary_bank_account_id: string
  amount: string
  currency: string
  description: string
  transaction_type: 'INFLOW' | 'OUTFLOW'
  end_to_end_id: string
  created_by: string
  created_at: string
}

export const TRANSACTION_COLUMNS = `t.id, t.organization_id, t.payment_intent_id, COALESCE(t.charge_id, t.authorization_charge_id) AS charge_id, t.customer_id, t.beneficiary_bank_account_id,
  t.amount::text AS amount, t.currency, t.description, t.transaction_type, t.end_to_end_id, t.created_by, ${ISO('t.created_at')} AS created_at`

/** An intent's transaction (`charge_id` a payment_charges row) or, with `payment_authorization_id`, an authorization's (0015). */
export type NewPaymentTransaction = Omit<PaymentTransactionRow, 'currency'> & { payment_authorization_id?: string }

export async function insertPaymentTransaction(db: Queryable, t: NewPaymentTransaction): Promise<PaymentTransactionRow> {
  const authorization = t.payment_authorization_id ?? null
  const rows = await db.query<PaymentTransactionRow>(
    `INSERT INTO payment_transactions AS t (id, organization_id, payment_intent_id, charge_id, customer_id, beneficiary_bank_account_id, amount,
       description, transaction_type, end_to_end_id, created_by, created_at, payment_authorization_id, authorization_charge_id)
     VALUES ($1, $2, $3, CASE WHEN $13::uuid IS NULL THEN $4::uuid END, $5, $6, $7::numeric, $8, $9, $10, $11, $12, $13::uuid,
       CASE WHEN $13::uuid IS NOT NULL THEN $4::uuid END)
     RETURNING ${TRANSACTION_COLUMNS}`,
    [
      t.id,
      t.organization_id,
      t.payment_intent_id,
      t.charge_id,
      t.customer_id,
      t.beneficiary_bank_account_id,
      t.amount,
      t.description,
      t.transaction_type,
      t.end_to_end_id,
      t.created_by,
      t.created_at,
      authorization,
    ],
  )
  return rows[0]
}

export async function findPaymentTransaction(db: Queryable, organizationId: string, id: string): Promise<PaymentTransactionRow | undefined> {
  return (
    await db.query<PaymentTransactionRow>(
      `SELECT ${TRANSACTION_COLUMNS} FROM payment_transactions t WHERE t.organization_id = $1 AND t.id = $2 AND ${BRAZIL.transaction}`,
      [organizationId, id],
    )
  )[0]
}

export async function transactionsOfCharges(db: Queryable, organizationId: string, chargeIds: string[]): Promise<PaymentTransactionRow[]> {
  if (chargeIds.length === 0) return []
  return db.query<PaymentTransactionRow>(
    `SELECT ${TRANSACTION_COLUMNS} FROM payment_transactions t WHERE t.organization_id = $1 AND t.charge_id = ANY($2::uuid[]) ORDER BY t.created_at, t.id`,
    [organizationId, chargeIds],
  )
}

export function listPaymentTransactions(db: Queryable, organizationId: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<PaymentTransactionRow>(
    db,
    {
      from: 'payment_transactions t',
      alias: 't',
      select: TRANSACTION_COLUMNS,
      orderBy: 't.created_at DESC, t.id DESC',
      where: ['t.organization_id = $1', BRAZIL.transaction],
      params: [organizationId],
    },
    conditions,
    page,
  )
}

// ---------------------------------------------------------------------------------------------
// Ledger

export interface LedgerEntry {
  organization_id: string
  object_type: string
  object_id: string
  from_status: string | null
  to_status: string
  amount: string | null
  actor: string
  reason: string | null
  request_id: string | null
  at: string
}

export interface LedgerRow extends LedgerEntry {
  seq: number
}

export async function appendLedger(db: Queryable, e: LedgerEntry): Promise<void> {
  await db.query(
    `INSERT INTO payment_ledger (organization_id, object_type, object_id, from_status, to_status, amount, actor, reason, request_id, at)
     VALUES ($1, $2, $3, $4, $5, $6::numeric, $7, $8, $9, $10)`,
    [e.organization_id, e.object_type, e.object_id, e.from_status, e.to_status, e.amount, e.actor, e.reason, e.request_id, e.at],
  )
}

/** The organization's ledger in order, or one object's. */
export async function readLedger(db: Queryable, organizationId: string, objectId?: string): Promise<LedgerRow[]> {
  const rows = await db.query<LedgerRow & { seq: string | number }>(
    `SELECT seq, organization_id, object_type, object_id, from_status, to_status, amount::text AS amount, actor, reason, request_id, ${ISO('at')} AS at
     FROM payment_ledger WHERE organization_id = $1 AND ($2::uuid IS NULL OR object_id = $2::uuid) ORDER BY seq`,
    [organizationId, objectId ?? null],
  )
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }))
}

// ---------------------------------------------------------------------------------------------
// Enrollments

export interface EnrollmentRow {
  id: string
  organization_id: string
  customer_id: string
  institution_id: string
  status: string
  details_status: string
  platform: string
  name: string | null
  callback_url: string | null
  state: string
  external_id: string | null
  metadata: Json
  status_reason_code: string | null
  status_reason_message: string | null
  expires_at: string
  created_by: string
  created_at: string
  updated_at: string
}

const ENROLLMENT_COLUMNS = `e.id, e.organization_id, e.customer_id, e.institution_id, e.status, e.details_status, e.platform, e.name, e.callback_url,
  e.state, e.external_id, e.metadata, e.status_reason_code, e.status_reason_message, ${ISO('e.expires_at')} AS expires_at, e.created_by,
  ${ISO('e.created_at')} AS created_at, ${ISO('e.updated_at')} AS updated_at`

export type NewEnrollment = Omit<EnrollmentRow, 'updated_at' | 'status_reason_code' | 'status_reason_message'>

export async function insertEnrollment(db: Queryable, e: NewEnrollment): Promise<EnrollmentRow> {
  const rows = await db.query<EnrollmentRow>(
    `INSERT INTO payment_enrollments AS e (id, organization_id, customer_id, institution_id, status, details_status, platform, name, callback_url,
       state, external_id, metadata, expires_at, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14, $15, $15)
     RETURNING ${ENROLLMENT_COLUMNS}`,
    [
      e.id,
      e.organization_id,
      e.customer_id,
      e.institution_id,
      e.status,
      e.details_status,
      e.platform,
      e.name,
      e.callback_url,
      e.state,
      e.external_id,
      JSON.stringify(e.metadata),
      e.expires_at,
      e.created_by,
      e.created_at,
    ],
  )
  return rows[0]
}

/** By id within the organization, or (complete-redirection) by its `state`; `lock` takes the row lock. */
export async function findEnrollment(
  db: Queryable,
  organizationId: string,
  by: { id: string } | { state: string },
  lock = false,
): Promise<EnrollmentRow | undefined> {
  const [column, value] = 'id' in by ? ['e.id', by.id] : ['e.state', by.state]
  return (
    await db.query<EnrollmentRow>(
      `SELECT ${ENROLLMENT_COLUMNS} FROM payment_enrollments e WHERE e.organization_id = $1 AND ${column} = $2${lock ? ' FOR UPDATE' : ''}`,
      [organizationId, value],
    )
  )[0]
}

export async function updateEnrollmentStatus(
  db: Queryable,
  organizationId: string,
  id: string,
  c: { status: string; details_status: string; status_reason_code: string | null; status_reason_message: string | null },
  now: string,
): Promise<void> {
  await db.query(
    `UPDATE payment_enrollments SET status = $3, details_status = $4, status_reason_code = $5, status_reason_message = $6, updated_at = $7
     WHERE organization_id = $1 AND id = $2`,
    [organizationId, id, c.status, c.details_status, c.status_reason_code, c.status_reason_message, now],
  )
}

export function listEnrollments(db: Queryable, organizationId: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<EnrollmentRow>(
    db,
    {
      from: 'payment_enrollments e',
      alias: 'e',
      select: ENROLLMENT_COLUMNS,
      orderBy: 'e.created_at DESC, e.id DESC',
      where: ['e.organization_id = $1'],
      params: [organizationId],
    },
    conditions,
    page,
  )
}
