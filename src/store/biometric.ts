import type { Queryable } from './db.ts'
import { isoUtc } from './sql.ts'

/**
 * SQL of biometric Pix (migration 0016): the sandbox bank page's answer to an enrollment, the
 * enrollment a biometric payment intent is paid with, and what a payments widget token created.
 */

/** An enrollment as the sandbox bank page sees it: found by its state alone (the page has no key). */
export interface BankEnrollmentRow {
  id: string
  organization_id: string
  customer_id: string
  institution_id: string
  status: string
  platform: string
  name: string | null
  callback_url: string | null
  state: string
  expires_at: string
  bank_decision: 'approved' | 'refused' | null
  bank_code_sha256: string | null
}

const BANK_COLUMNS = `id, organization_id, customer_id, institution_id, status, platform, name, callback_url, state,
  ${isoUtc('expires_at')} AS expires_at, bank_decision, bank_code_sha256`

/** The enrollment of `state`, of any organization (the state is the secret); `lock` takes its row lock. */
export async function findEnrollmentByState(db: Queryable, state: string, lock = false): Promise<BankEnrollmentRow | undefined> {
  return (await db.query<BankEnrollmentRow>(`SELECT ${BANK_COLUMNS} FROM payment_enrollments WHERE state = $1${lock ? ' FOR UPDATE' : ''}`, [state]))[0]
}

/** Records the person's answer at the bank page, once: true for the one caller that recorded it. */
export async function recordBankDecision(
  db: Queryable,
  id: string,
  decision: 'approved' | 'refused',
  codeSha256: string | null,
  now: string,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE payment_enrollments SET bank_decision = $2, bank_code_sha256 = $3, bank_decided_at = $4
     WHERE id = $1 AND bank_decision IS NULL AND status = 'PENDING' RETURNING 1`,
    [id, decision, codeSha256, now],
  )
  return rows.length === 1
}

/** The bank page's answer of an organization's enrollment (for complete-redirection). */
export async function bankDecisionOf(
  db: Queryable,
  organizationId: string,
  id: string,
): Promise<{ bank_decision: 'approved' | 'refused' | null; bank_code_sha256: string | null } | undefined> {
  return (
    await db.query<{ bank_decision: 'approved' | 'refused' | null; bank_code_sha256: string | null }>(
      'SELECT bank_decision, bank_code_sha256 FROM payment_enrollments WHERE organization_id = $1 AND id = $2',
      [organizationId, id],
    )
  )[0]
}

/** Names the enrollment a biometric payment intent is paid with (the column's foreign key guards it). */
export async function setIntentEnrollment(db: Queryable, organizationId: string, intentId: string, enrollmentId: string): Promise<void> {
  await db.query('UPDATE payment_intents SET enrollment_id = $3 WHERE organization_id = $1 AND id = $2', [organizationId, intentId, enrollmentId])
}

/** What a payments widget token created so far. */
export interface TokenPayments {
  payment_enrollment_id: string | null
  payment_intent_id: string | null
}

export async function tokenPayments(db: Queryable, organizationId: string, jti: string): Promise<TokenPayments | undefined> {
  return (
    await db.query<TokenPayments>('SELECT payment_enrollment_id, payment_intent_id FROM widget_tokens WHERE organization_id = $1 AND jti = $2', [
      organizationId,
      jti,
    ])
  )[0]
}

/**
 * Records the enrollment the token's widget created. A token keeps one enrollment unless it
 * failed (`replaceable`: the ids the person may start over from), so a second request cannot
 * swap an enrollment in progress. True when recorded.
 */
export async function setTokenEnrollment(db: Queryable, organizationId: string, jti: string, enrollmentId: string, replaceable: string[]): Promise<boolean> {
  const rows = await db.query(
    `UPDATE widget_tokens SET payment_enrollment_id = $3
     WHERE organization_id = $1 AND jti = $2 AND (payment_enrollment_id IS NULL OR payment_enrollment_id = ANY($4::uuid[])) RETURNING 1`,
    [organizationId, jti, enrollmentId, replaceable],
  )
  return rows.length === 1
}

/** Records the payment intent the token's widget created, once: true for the one caller that recorded it. */
export async function setTokenIntent(db: Queryable, organizationId: string, jti: string, intentId: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE widget_tokens SET payment_intent_id = $3 WHERE organization_id = $1 AND jti = $2 AND payment_intent_id IS NULL RETURNING 1`,
    [organizationId, jti, intentId],
  )
  return rows.length === 1
}

/** The token row's lock: two widget requests of one token that create something run one after the other. */
export async function lockToken(db: Queryable, organizationId: string, jti: string): Promise<void> {
  await db.query('SELECT 1 FROM widget_tokens WHERE organization_id = $1 AND jti = $2 FOR UPDATE', [organizationId, jti])
}

/** The active Brazilian payment institutions (not PSE's banks), in the catalog's order (the payments widget's list). */
export async function listActivePaymentInstitutions(
  db: Queryable,
): Promise<{ id: string; name: string; display_name: string; institution_type: string; primary_color: string }[]> {
  return db.query(
    `SELECT id, name, display_name, institution_type, COALESCE(body->>'primary_color', '#000000') AS primary_color
     FROM payment_institutions WHERE active AND country = 'BRA' ORDER BY sort_priority, name`,
  )
}

/** The company a payments widget token named (branding.company_name) for the enrollment it created, if any. */
export async function enrollmentRequester(db: Queryable, enrollmentId: string): Promise<string | undefined> {
  const rows = await db.query<{ name: string | null }>(
    `SELECT widget->'branding'->>'company_name' AS name FROM widget_tokens WHERE payment_enrollment_id = $1 LIMIT 1`,
    [enrollmentId],
  )
  return rows[0]?.name ?? undefined
}
