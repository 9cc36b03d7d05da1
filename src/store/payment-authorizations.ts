import type { Condition } from '../lib/list-query.ts'
import type { Queryable } from './db.ts'
import { clockScope } from './sandbox-clocks.ts'
import { filteredPage, type PageRequest } from './pagination.ts'
import { isoUtc as ISO } from './sql.ts'

/**
 * SQL of payment authorizations and their charges (migration 0015). Scoped by organization like
 * store/payments.ts; amounts as numeric text, dates as YYYY-MM-DD, timestamps as ISO-8601 UTC.
 */

export interface PaymentAuthorizationRow {
  id: string
  organization_id: string
  customer_id: string
  payer_institution_id: string | null
  representative_identifier: string | null
  beneficiary_bank_account_id: string
  payment_method: 'PIX_OF_IMMEDIATE' | 'PIX_OF_SCHEDULED'
  status: string
  status_reason_code: string | null
  status_reason_message: string | null
  status_updated_at: string
  authorized_at: string | null
  amount: string
  statement_description: string
  dates: string[]
  description: string
  return_url: string
  external_id: string | null
  metadata: Record<string, unknown>
  /** The sandbox bank page's token (0026): authorization_url ends with it. */
  bank_token: string
  /** When it fails with AUTHORIZATION_EXPIRED if the payer has not authorized it (0027). */
  expires_at: string
  created_at: string
  updated_at: string
}

const AUTHORIZATION_COLUMNS = `a.id, a.organization_id, a.customer_id, a.payer_institution_id, a.representative_identifier,
  a.beneficiary_bank_account_id, a.payment_method, a.status, a.status_reason_code, a.status_reason_message,
  ${ISO('a.status_updated_at')} AS status_updated_at, ${ISO('a.authorized_at')} AS authorized_at, a.amount::text AS amount,
  a.statement_description, ARRAY(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(a.dates) d) AS dates, a.description, a.return_url,
  a.external_id, a.metadata, a.bank_token, ${ISO('a.expires_at')} AS expires_at, ${ISO('a.created_at')} AS created_at, ${ISO('a.updated_at')} AS updated_at`

export type NewPaymentAuthorization = Omit<
  PaymentAuthorizationRow,
  'updated_at' | 'status_updated_at' | 'status_reason_code' | 'status_reason_message' | 'authorized_at'
>

export async function insertPaymentAuthorization(db: Queryable, a: NewPaymentAuthorization): Promise<PaymentAuthorizationRow> {
  const rows = await db.query<PaymentAuthorizationRow>(
    `INSERT INTO payment_authorizations AS a (id, organization_id, customer_id, payer_institution_id, representative_identifier,
       beneficiary_bank_account_id, payment_method, status, status_updated_at, amount, statement_description, dates, description, return_url,
       external_id, metadata, bank_token, expires_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $16, $9::numeric, $10, $11::date[], $12, $13, $14, $15::jsonb, $17, $18, $16, $16)
     RETURNING ${AUTHORIZATION_COLUMNS}`,
    [
      a.id,
      a.organization_id,
      a.customer_id,
      a.payer_institution_id,
      a.representative_identifier,
      a.beneficiary_bank_account_id,
      a.payment_method,
      a.status,
      a.amount,
      a.statement_description,
      a.dates,
      a.description,
      a.return_url,
      a.external_id,
      JSON.stringify(a.metadata),
      a.created_at,
      a.bank_token,
      a.expires_at,
    ],
  )
  return rows[0]
}

/**
 * The organization's payment authorization; `lock` takes its row lock (FOR UPDATE) for the rest
 * of the transaction. Every change of the authorization or of one of its charges reads it this
 * way first, so concurrent changes (a scheduler settling, the organization canceling) serialize.
 */
export async function findPaymentAuthorization(db: Queryable, organizationId: string, id: string, lock = false): Promise<PaymentAuthorizationRow | undefined> {
  return (
    await db.query<PaymentAuthorizationRow>(
      `SELECT ${AUTHORIZATION_COLUMNS} FROM payment_authorizations a WHERE a.organization_id = $1 AND a.id = $2${lock ? ' FOR UPDATE' : ''}`,
      [organizationId, id],
    )
  )[0]
}

/** The authorization a sandbox bank page's token names (any organization's: the token is the page's credential). */
export async function findPaymentAuthorizationByBankToken(db: Queryable, token: string, lock = false): Promise<PaymentAuthorizationRow | undefined> {
  return (
    await db.query<PaymentAuthorizationRow>(
      `SELECT ${AUTHORIZATION_COLUMNS} FROM payment_authorizations a WHERE a.bank_token = $1${lock ? ' FOR UPDATE' : ''}`,
      [token],
    )
  )[0]
}

/** Authorizations still waiting for the payer whose deadline has come (organizations on the server's clock, or one). */
export async function expiredAuthorizations(
  db: Queryable,
  now: string,
  limit: number,
  organizationId?: string,
): Promise<{ id: string; organization_id: string }[]> {
  const params: unknown[] = [now, limit]
  const scope = clockScope('a.organization_id', organizationId, params)
  return db.query(
    `SELECT a.id, a.organization_id FROM payment_authorizations a
     WHERE a.status IN ('AWAITING_AUTHORIZATION', 'PARTIALLY_ACCEPTED') AND a.expires_at <= $1::timestamptz AND ${scope}
     ORDER BY a.expires_at, a.id LIMIT $2`,
    params,
  )
}

export interface AuthorizationChanges {
  status: string
  status_reason_code: string | null
  status_reason_message: string | null
  payer_institution_id?: string
  authorized_at?: string
}

export async function updatePaymentAuthorization(db: Queryable, organizationId: string, id: string, c: AuthorizationChanges, now: string): Promise<void> {
  await db.query(
    `UPDATE payment_authorizations SET status = $3, status_reason_code = $4, status_reason_message = $5,
       payer_institution_id = COALESCE($6, payer_institution_id), authorized_at = COALESCE($7, authorized_at), status_updated_at = $8, updated_at = $8
     WHERE organization_id = $1 AND id = $2`,
    [organizationId, id, c.status, c.status_reason_code, c.status_reason_message, c.payer_institution_id ?? null, c.authorized_at ?? null, now],
  )
}

export function listPaymentAuthorizations(db: Queryable, organizationId: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<PaymentAuthorizationRow>(
    db,
    {
      from: 'payment_authorizations a',
      alias: 'a',
      select: AUTHORIZATION_COLUMNS,
      orderBy: 'a.created_at DESC, a.id DESC',
      where: ['a.organization_id = $1'],
      params: [organizationId],
    },
    conditions,
    page,
  )
}

// ---------------------------------------------------------------------------------------------
// Charges

export interface AuthorizationChargeRow {
  id: string
  organization_id: string
  payment_authorization_id: string
  status: string
  amount: string
  date: string
  end_to_end_id: string | null
  status_reason_code: string | null
  status_reason_message: string | null
  previous_id: string | null
  /** The retry of this charge, when there is one. */
  next_id: string | null
  created_at: string
  updated_at: string
}

const CHARGE_COLUMNS = `c.id, c.organization_id, c.payment_authorization_id, c.status, c.amount::text AS amount, to_char(c.date, 'YYYY-MM-DD') AS date,
  c.end_to_end_id, c.status_reason_code, c.status_reason_message, c.previous_id,
  (SELECT n.id FROM payment_authorization_charges n WHERE n.previous_id = c.id) AS next_id,
  ${ISO('c.created_at')} AS created_at, ${ISO('c.updated_at')} AS updated_at`

export type NewAuthorizationCharge = Pick<
  AuthorizationChargeRow,
  'id' | 'organization_id' | 'payment_authorization_id' | 'status' | 'amount' | 'date' | 'previous_id' | 'created_at'
>

export async function insertAuthorizationCharge(db: Queryable, c: NewAuthorizationCharge): Promise<AuthorizationChargeRow> {
  const rows = await db.query<AuthorizationChargeRow>(
    `INSERT INTO payment_authorization_charges AS c (id, organization_id, payment_authorization_id, status, amount, date, previous_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5::numeric, $6::date, $7, $8, $8)
     RETURNING ${CHARGE_COLUMNS}`,
    [c.id, c.organization_id, c.payment_authorization_id, c.status, c.amount, c.date, c.previous_id, c.created_at],
  )
  return rows[0]
}

export interface AuthorizationChargeChanges {
  status: string
  end_to_end_id: string | null
  status_reason_code: string | null
  status_reason_message: string | null
}

export async function updateAuthorizationCharge(db: Queryable, organizationId: string, id: string, c: AuthorizationChargeChanges, now: string): Promise<void> {
  await db.query(
    `UPDATE payment_authorization_charges SET status = $3, end_to_end_id = COALESCE($4, end_to_end_id), status_reason_code = $5,
       status_reason_message = $6, updated_at = $7
     WHERE organization_id = $1 AND id = $2`,
    [organizationId, id, c.status, c.end_to_end_id, c.status_reason_code, c.status_reason_message, now],
  )
}

export async function findAuthorizationCharge(
  db: Queryable,
  organizationId: string,
  authorizationId: string,
  id: string,
): Promise<AuthorizationChargeRow | undefined> {
  return (
    await db.query<AuthorizationChargeRow>(
      `SELECT ${CHARGE_COLUMNS} FROM payment_authorization_charges c WHERE c.organization_id = $1 AND c.payment_authorization_id = $2 AND c.id = $3`,
      [organizationId, authorizationId, id],
    )
  )[0]
}

/** The charges of some authorizations, oldest first (an authorization lists their ids). */
export async function chargesOfAuthorizations(db: Queryable, organizationId: string, authorizationIds: string[]): Promise<AuthorizationChargeRow[]> {
  if (authorizationIds.length === 0) return []
  return db.query<AuthorizationChargeRow>(
    `SELECT ${CHARGE_COLUMNS} FROM payment_authorization_charges c
     WHERE c.organization_id = $1 AND c.payment_authorization_id = ANY($2::uuid[]) ORDER BY c.created_at, c.id`,
    [organizationId, authorizationIds],
  )
}

export function listAuthorizationCharges(db: Queryable, organizationId: string, authorizationId: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<AuthorizationChargeRow>(
    db,
    {
      from: 'payment_authorization_charges c',
      alias: 'c',
      select: CHARGE_COLUMNS,
      orderBy: 'c.created_at DESC, c.id DESC',
      where: ['c.organization_id = $1', 'c.payment_authorization_id = $2'],
      params: [organizationId, authorizationId],
    },
    conditions,
    page,
  )
}

/** SCHEDULED charges whose date has come (every organization's), oldest date first. */
export async function dueAuthorizationCharges(
  db: Queryable,
  today: string,
  limit: number,
  organizationId?: string,
): Promise<{ id: string; organization_id: string; payment_authorization_id: string }[]> {
  const params: unknown[] = [today, limit]
  const scope = clockScope('c.organization_id', organizationId, params)
  return db.query(
    `SELECT c.id, c.organization_id, c.payment_authorization_id FROM payment_authorization_charges c
     WHERE c.status = 'SCHEDULED' AND c.date <= $1::date AND ${scope} ORDER BY c.date, c.id LIMIT $2`,
    params,
  )
}

/** How many retries came before this charge (the length of its `previous` chain) and the chain's first date. */
export async function retryChain(db: Queryable, organizationId: string, id: string): Promise<{ retries: number; first_date: string }> {
  const rows = await db.query<{ retries: string | number; first_date: string }>(
    `WITH RECURSIVE chain AS (
       SELECT id, previous_id, date, 0 AS depth FROM payment_authorization_charges WHERE organization_id = $1 AND id = $2
       UNION ALL
       SELECT p.id, p.previous_id, p.date, chain.depth + 1 FROM payment_authorization_charges p JOIN chain ON p.id = chain.previous_id
     )
     SELECT max(depth) AS retries, (SELECT to_char(date, 'YYYY-MM-DD') FROM chain ORDER BY depth DESC LIMIT 1) AS first_date FROM chain`,
    [organizationId, id],
  )
  return { retries: Number(rows[0].retries), first_date: rows[0].first_date }
}
