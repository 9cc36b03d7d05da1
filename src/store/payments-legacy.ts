import type { Condition } from '../lib/list-query.ts'
import type { Queryable } from './db.ts'
import { filteredPage, type PageRequest } from './pagination.ts'
import * as brazil from './payments.ts'
import type { BankAccountRow, CustomerRow, PaymentInstitutionRow, PaymentIntentRow, PaymentTransactionRow } from './payments.ts'
import { isoUtc as ISO } from './sql.ts'

/**
 * SQL of Belvo's earlier payments API (`/payments/...` without `br/`, migration 0019): the rows of
 * Payments Brazil's tables (0014) of both countries, with the columns 0019 added, and the payment
 * links. Every statement is scoped by organization, as in store/payments.ts.
 */

type Json = Record<string, unknown>
export type Country = 'BRA' | 'COL'

// ---------------------------------------------------------------------------------------------
// Institutions

export type LegacyInstitutionRow = PaymentInstitutionRow

const INSTITUTION_COLUMNS = brazil.INSTITUTION_COLUMNS

export function listInstitutions(db: Queryable, conditions: Condition[], page: PageRequest) {
  return filteredPage<LegacyInstitutionRow>(
    db,
    { from: 'payment_institutions i', alias: 'i', select: INSTITUTION_COLUMNS, orderBy: 'i.sort_priority, i.id', where: [], params: [] },
    conditions,
    page,
  )
}

export async function findInstitution(db: Queryable, id: string): Promise<LegacyInstitutionRow | undefined> {
  return (await db.query<LegacyInstitutionRow>(`SELECT ${INSTITUTION_COLUMNS} FROM payment_institutions i WHERE i.id = $1`, [id]))[0]
}

export function institutionsOf(db: Queryable, country: Country): Promise<LegacyInstitutionRow[]> {
  return db.query<LegacyInstitutionRow>(
    `SELECT ${INSTITUTION_COLUMNS} FROM payment_institutions i WHERE i.country = $1 AND i.active ORDER BY i.sort_priority, i.id`,
    [country],
  )
}

// ---------------------------------------------------------------------------------------------
// Customers

export interface LegacyCustomerRow extends Omit<CustomerRow, 'identifier_type'> {
  identifier_type: string
  country: Country
}

const CUSTOMER_COLUMNS = `${brazil.CUSTOMER_COLUMNS}, c.country`

/**
 * Inserts a Colombian customer (Payments Brazil's insert, then its country, in the caller's
 * transaction); undefined when the organization already has one with this document.
 */
export async function insertColombianCustomer(db: Queryable, c: Omit<LegacyCustomerRow, 'updated_at' | 'country'>): Promise<LegacyCustomerRow | undefined> {
  const row = await brazil.insertCustomer(db, c as brazil.NewCustomer)
  if (!row) return undefined
  await db.query("UPDATE payment_customers SET country = 'COL' WHERE id = $1", [row.id])
  return { ...row, country: 'COL' }
}

export async function findCustomer(db: Queryable, organizationId: string, id: string): Promise<LegacyCustomerRow | undefined> {
  return (
    await db.query<LegacyCustomerRow>(`SELECT ${CUSTOMER_COLUMNS} FROM payment_customers c WHERE c.organization_id = $1 AND c.id = $2`, [organizationId, id])
  )[0]
}

export function listCustomers(db: Queryable, organizationId: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<LegacyCustomerRow>(
    db,
    {
      from: 'payment_customers c',
      alias: 'c',
      select: CUSTOMER_COLUMNS,
      orderBy: 'c.created_at DESC, c.id DESC',
      where: ['c.organization_id = $1'],
      params: [organizationId],
    },
    conditions,
    page,
  )
}

// ---------------------------------------------------------------------------------------------
// Bank accounts

/** A bank account of either country: a PSE account has no institution, agency, number nor document. */
export interface LegacyBankAccountRow extends Omit<BankAccountRow, 'institution_id' | 'holder_identifier' | 'account_type' | 'agency' | 'number'> {
  institution_id: string | null
  holder_identifier: string | null
  account_type: string | null
  agency: string | null
  number: string | null
  country: Country
  providers: Json | null
}

const BANK_ACCOUNT_COLUMNS = `${brazil.BANK_ACCOUNT_COLUMNS}, b.country, b.providers`

export async function insertPseBankAccount(
  db: Queryable,
  b: Pick<LegacyBankAccountRow, 'id' | 'organization_id' | 'holder_name' | 'holder' | 'providers' | 'metadata' | 'created_by' | 'created_at'>,
): Promise<LegacyBankAccountRow> {
  const rows = await db.query<LegacyBankAccountRow>(
    `INSERT INTO payment_bank_accounts AS b (id, organization_id, holder_type, holder_name, holder, providers, metadata, version, country,
       created_by, created_at, updated_at)
     VALUES ($1, $2, 'BUSINESS', $3, $4::jsonb, $5::jsonb, $6::jsonb, 'V1', 'COL', $7, $8, $8)
     RETURNING ${BANK_ACCOUNT_COLUMNS}`,
    [b.id, b.organization_id, b.holder_name, JSON.stringify(b.holder), JSON.stringify(b.providers), JSON.stringify(b.metadata), b.created_by, b.created_at],
  )
  return rows[0]
}

export async function findBankAccount(db: Queryable, organizationId: string, id: string): Promise<LegacyBankAccountRow | undefined> {
  return (
    await db.query<LegacyBankAccountRow>(`SELECT ${BANK_ACCOUNT_COLUMNS} FROM payment_bank_accounts b WHERE b.organization_id = $1 AND b.id = $2`, [
      organizationId,
      id,
    ])
  )[0]
}

export function listBankAccounts(db: Queryable, organizationId: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<LegacyBankAccountRow>(
    db,
    {
      from: 'payment_bank_accounts b',
      alias: 'b',
      select: BANK_ACCOUNT_COLUMNS,
      orderBy: 'b.created_at DESC, b.id DESC',
      where: ['b.organization_id = $1'],
      params: [organizationId],
    },
    conditions,
    page,
  )
}

// ---------------------------------------------------------------------------------------------
// PSE payment intents

export interface PseIntentRow extends Omit<PaymentIntentRow, 'kind'> {
  kind: 'pse' | 'bank_account' | 'pix_key'
  provider: string | null
  redirect_token: string | null
}

const INTENT_COLUMNS = `${brazil.INTENT_COLUMNS}, p.provider, p.redirect_token`

export async function insertPseIntent(
  db: Queryable,
  p: Pick<
    PseIntentRow,
    | 'id'
    | 'organization_id'
    | 'customer_id'
    | 'amount'
    | 'description'
    | 'beneficiary_bank_account_id'
    | 'details'
    | 'metadata'
    | 'provider'
    | 'created_by'
    | 'created_at'
  >,
): Promise<PseIntentRow> {
  const rows = await db.query<PseIntentRow>(
    `INSERT INTO payment_intents AS p (id, organization_id, customer_id, kind, status, confirmed, amount, currency, description,
       allowed_payment_method_types, selected_payment_method_type, beneficiary_bank_account_id, details, metadata, provider, created_by,
       created_at, updated_at)
     VALUES ($1, $2, $3, 'pse', 'REQUIRES_PAYMENT_METHOD', false, $4::numeric, 'COP', $5, ARRAY['pse'], 'pse', $6, $7::jsonb, $8::jsonb, $9, $10,
       $11, $11)
     RETURNING ${INTENT_COLUMNS}`,
    [
      p.id,
      p.organization_id,
      p.customer_id,
      p.amount,
      p.description,
      p.beneficiary_bank_account_id,
      JSON.stringify(p.details),
      JSON.stringify(p.metadata),
      p.provider,
      p.created_by,
      p.created_at,
    ],
  )
  return rows[0]
}

/** Any payment intent of the organization (both countries), optionally with its row lock. */
export async function findIntent(db: Queryable, organizationId: string, id: string, lock = false): Promise<PseIntentRow | undefined> {
  return (
    await db.query<PseIntentRow>(`SELECT ${INTENT_COLUMNS} FROM payment_intents p WHERE p.organization_id = $1 AND p.id = $2${lock ? ' FOR UPDATE' : ''}`, [
      organizationId,
      id,
    ])
  )[0]
}

/** The intent a sandbox bank page names by its redirect token (any organization: the token is the secret), with its row lock. */
export async function findIntentByRedirectToken(db: Queryable, token: string, lock = false): Promise<PseIntentRow | undefined> {
  return (await db.query<PseIntentRow>(`SELECT ${INTENT_COLUMNS} FROM payment_intents p WHERE p.redirect_token = $1${lock ? ' FOR UPDATE' : ''}`, [token]))[0]
}

export async function setRedirectToken(db: Queryable, organizationId: string, id: string, token: string): Promise<void> {
  await db.query('UPDATE payment_intents SET redirect_token = $3 WHERE organization_id = $1 AND id = $2 AND redirect_token IS NULL', [
    organizationId,
    id,
    token,
  ])
}

export function listPseIntents(db: Queryable, organizationId: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<PseIntentRow>(
    db,
    {
      from: 'payment_intents p',
      alias: 'p',
      select: INTENT_COLUMNS,
      orderBy: 'p.created_at DESC, p.id DESC',
      where: ['p.organization_id = $1', "p.kind = 'pse'"],
      params: [organizationId],
    },
    conditions,
    page,
  )
}

// ---------------------------------------------------------------------------------------------
// Transactions (both countries), with what the earlier API shows of the payer

export interface LegacyTransactionRow extends PaymentTransactionRow {
  payer_institution_id: string | null
  payer_bank_account_id: string | null
}

const TRANSACTION_COLUMNS = `${brazil.TRANSACTION_COLUMNS},
  (SELECT ch.payer_institution_id FROM payment_charges ch WHERE ch.id = t.charge_id) AS payer_institution_id,
  (SELECT (p.details->>'payer_bank_account')::uuid FROM payment_intents p WHERE p.id = t.payment_intent_id) AS payer_bank_account_id`

export async function findTransaction(db: Queryable, organizationId: string, id: string): Promise<LegacyTransactionRow | undefined> {
  return (
    await db.query<LegacyTransactionRow>(`SELECT ${TRANSACTION_COLUMNS} FROM payment_transactions t WHERE t.organization_id = $1 AND t.id = $2`, [
      organizationId,
      id,
    ])
  )[0]
}

export function listTransactions(db: Queryable, organizationId: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<LegacyTransactionRow>(
    db,
    {
      from: 'payment_transactions t',
      alias: 't',
      select: TRANSACTION_COLUMNS,
      orderBy: 't.created_at DESC, t.id DESC',
      where: ['t.organization_id = $1'],
      params: [organizationId],
    },
    conditions,
    page,
  )
}

// ---------------------------------------------------------------------------------------------
// Payment links

export interface PaymentLinkRow {
  id: string
  organization_id: string
  access_token: string
  payment_intent_id: string
  payment_method_type: 'open_finance' | 'pse'
  description: string
  callback_urls: Json
  expires_in: string
  expires_at: string
  status: 'ACTIVE' | 'INACTIVE'
  created_by: string
  created_at: string
  updated_at: string
}

const LINK_COLUMNS = `l.id, l.organization_id, l.access_token, l.payment_intent_id, l.payment_method_type, l.description, l.callback_urls,
  l.expires_in, ${ISO('l.expires_at')} AS expires_at, l.status, l.created_by, ${ISO('l.created_at')} AS created_at, ${ISO('l.updated_at')} AS updated_at`

export async function insertPaymentLink(db: Queryable, l: Omit<PaymentLinkRow, 'updated_at' | 'status'>): Promise<PaymentLinkRow> {
  const rows = await db.query<PaymentLinkRow>(
    `INSERT INTO payment_links AS l (id, organization_id, access_token, payment_intent_id, payment_method_type, description, callback_urls,
       expires_in, expires_at, status, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, 'ACTIVE', $10, $11, $11)
     RETURNING ${LINK_COLUMNS}`,
    [
      l.id,
      l.organization_id,
      l.access_token,
      l.payment_intent_id,
      l.payment_method_type,
      l.description,
      JSON.stringify(l.callback_urls),
      l.expires_in,
      l.expires_at,
      l.created_by,
      l.created_at,
    ],
  )
  return rows[0]
}

/** A link by its access token; with `organizationId`, only that organization's (the API), without it any (the payer's page). */
export async function findPaymentLink(db: Queryable, accessToken: string, organizationId?: string, lock = false): Promise<PaymentLinkRow | undefined> {
  return (
    await db.query<PaymentLinkRow>(
      `SELECT ${LINK_COLUMNS} FROM payment_links l WHERE l.access_token = $1 AND ($2::uuid IS NULL OR l.organization_id = $2::uuid)${lock ? ' FOR UPDATE' : ''}`,
      [accessToken, organizationId ?? null],
    )
  )[0]
}

export async function findPaymentLinkOfIntent(db: Queryable, organizationId: string, intentId: string): Promise<PaymentLinkRow | undefined> {
  return (
    await db.query<PaymentLinkRow>(`SELECT ${LINK_COLUMNS} FROM payment_links l WHERE l.organization_id = $1 AND l.payment_intent_id = $2`, [
      organizationId,
      intentId,
    ])
  )[0]
}

export async function setPaymentLinkStatus(db: Queryable, organizationId: string, id: string, status: 'ACTIVE' | 'INACTIVE', now: string): Promise<void> {
  await db.query('UPDATE payment_links SET status = $3, updated_at = $4 WHERE organization_id = $1 AND id = $2', [organizationId, id, status, now])
}

export const LINK_ORDERINGS = {
  '-created_at': 'l.created_at DESC, l.id DESC',
  created_at: 'l.created_at, l.id',
  '-expires_at': 'l.expires_at DESC, l.id DESC',
  expires_at: 'l.expires_at, l.id',
} as const
export type LinkOrdering = keyof typeof LINK_ORDERINGS

/**
 * The organization's links. A link past its `expires_at` is INACTIVE even before anything wrote
 * it so: `status` is read, and filtered, as of `now`.
 */
export function listPaymentLinks(db: Queryable, organizationId: string, conditions: Condition[], page: PageRequest, ordering: LinkOrdering, now: string) {
  return filteredPage<PaymentLinkRow>(
    db,
    {
      from: `(SELECT x.*, CASE WHEN x.expires_at <= $2::timestamptz THEN 'INACTIVE' ELSE x.status END AS live_status FROM payment_links x) l`,
      alias: 'l',
      select: LINK_COLUMNS.replace('l.status', 'l.live_status AS status'),
      orderBy: LINK_ORDERINGS[ordering],
      where: ['l.organization_id = $1'],
      params: [organizationId, now],
    },
    conditions,
    page,
  )
}

// ---------------------------------------------------------------------------------------------
// Secret keys (the earlier API's /payments/secret-keys/: the organization's own keys)

export function listOrganizationKeys(db: Queryable, organizationId: string, page: PageRequest) {
  return filteredPage<{ id: string }>(
    db,
    {
      from: 'secret_keys k',
      alias: 'k',
      select: 'k.id',
      orderBy: 'k.created_at, k.id',
      where: ['k.organization_id = $1', 'k.revoked_at IS NULL'],
      params: [organizationId],
    },
    [],
    page,
  )
}
