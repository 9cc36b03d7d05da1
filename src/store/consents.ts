import type { Condition } from '../lib/list-query.ts'
import type { Queryable } from './db.ts'
import { clockScope } from './sandbox-clocks.ts'
import { filteredPage, type PageRequest } from './pagination.ts'
import { isoUtc } from './sql.ts'

/** Open Finance Brasil consents (0013_consents.sql); the domain is domain/consents.ts. */

export type ConsentStatus = 'AWAITING_AUTHORISATION' | 'AUTHORISED' | 'REJECTED' | 'EXPIRED'

/** Belvo's permission groups (Consents.permissions), each with its Open Finance Brasil permission codes. */
export type ConsentPermissions = Record<string, string[]>

export interface ConsentRow {
  id: string
  organization_id: string
  link_id: string | null
  widget_token_jti: string | null
  institution: string
  document_type: 'CPF' | 'CNPJ'
  document_number: string
  user_name: string | null
  display_name: string | null
  business_document_number: string | null
  permissions: ConsentPermissions
  purpose: string | null
  status: ConsentStatus
  consent_duration: number | null
  expired_at: string | null
  about_to_expire_sent_at: string | null
  nonce: string | null
  redirect_uri: string | null
  redirect_hosts: string[]
  authorised_at: string | null
  created_at: string
  updated_at: string
}

const COLUMNS = `c.id, c.organization_id, c.link_id, c.widget_token_jti, c.institution, c.document_type, c.document_number,
  c.user_name, c.display_name, c.business_document_number, c.permissions, c.purpose, c.status, c.consent_duration,
  ${isoUtc('c.expired_at')} AS expired_at, ${isoUtc('c.about_to_expire_sent_at')} AS about_to_expire_sent_at, c.nonce,
  c.redirect_uri, c.redirect_hosts, ${isoUtc('c.authorised_at')} AS authorised_at, ${isoUtc('c.created_at')} AS created_at,
  ${isoUtc('c.updated_at')} AS updated_at`

export async function insertConsent(db: Queryable, row: ConsentRow): Promise<void> {
  await db.query(
    `INSERT INTO consents (id, organization_id, link_id, widget_token_jti, institution, document_type, document_number, user_name,
       display_name, business_document_number, permissions, purpose, status, consent_duration, expired_at, about_to_expire_sent_at,
       nonce, redirect_uri, redirect_hosts, authorised_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $16, $17, $18, $19::text[], $20, $21, $22)`,
    [
      row.id,
      row.organization_id,
      row.link_id,
      row.widget_token_jti,
      row.institution,
      row.document_type,
      row.document_number,
      row.user_name,
      row.display_name,
      row.business_document_number,
      JSON.stringify(row.permissions),
      row.purpose,
      row.status,
      row.consent_duration,
      row.expired_at,
      row.about_to_expire_sent_at,
      row.nonce,
      row.redirect_uri,
      row.redirect_hosts,
      row.authorised_at,
      row.created_at,
      row.updated_at,
    ],
  )
}

export async function findConsent(db: Queryable, organizationId: string, id: string): Promise<ConsentRow | undefined> {
  const rows = await db.query<ConsentRow>(`SELECT ${COLUMNS} FROM consents c WHERE c.organization_id = $1 AND c.id = $2`, [organizationId, id])
  return rows[0]
}

/**
 * The authorization page knows a consent by its id only (the person's browser carries no key):
 * the id is a random UUID handed to the widget, and the page's decisions need its nonce too.
 */
export async function findConsentById(db: Queryable, id: string): Promise<ConsentRow | undefined> {
  const rows = await db.query<ConsentRow>(`SELECT ${COLUMNS} FROM consents c WHERE c.id = $1`, [id])
  return rows[0]
}

/**
 * Decides a consent awaiting authorisation, if `nonce` is still its nonce: the update's WHERE is
 * the replay guard (a second submission, or a concurrent one, changes nothing and gets undefined).
 */
export async function decideConsent(
  db: Queryable,
  id: string,
  nonce: string,
  decision: { status: 'AUTHORISED' | 'REJECTED'; displayName: string | null; expiredAt: string | null; at: string; createdAfter: string },
): Promise<ConsentRow | undefined> {
  // `createdAfter`: a consent past its authorisation deadline is no longer the person's to decide
  // (a decision racing the deadline loses to it).
  const rows = await db.query<{ id: string }>(
    `UPDATE consents SET status = $3, display_name = $4, expired_at = CASE WHEN $3 = 'AUTHORISED' THEN $5::timestamptz ELSE expired_at END,
       authorised_at = CASE WHEN $3 = 'AUTHORISED' THEN $6::timestamptz ELSE NULL END, nonce = NULL, updated_at = $6
     WHERE id = $1 AND nonce = $2 AND status = 'AWAITING_AUTHORISATION' AND created_at > $7::timestamptz RETURNING id`,
    [id, nonce, decision.status, decision.displayName, decision.expiredAt, decision.at, decision.createdAfter],
  )
  return rows[0] ? findConsentById(db, id) : undefined
}

/** Gives the consent its link (once: a consent makes one link). Answers whether it did. */
export async function attachLink(db: Queryable, organizationId: string, id: string, linkId: string, at: string, options: { renewal?: boolean } = {}) {
  const rows = await db.query(
    `UPDATE consents SET link_id = $3, updated_at = $4 WHERE organization_id = $1 AND id = $2 AND ${options.renewal ? 'link_id = $3' : 'link_id IS NULL'} RETURNING id`,
    [organizationId, id, linkId, at],
  )
  return rows.length > 0
}

/** The organization's consents of one person's CPF or one business's CNPJ (`document`, digits only). */
export async function listConsents(db: Queryable, organizationId: string, document: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<ConsentRow>(
    db,
    {
      from: 'consents c',
      alias: 'c',
      select: COLUMNS,
      orderBy: 'c.created_at DESC, c.id DESC',
      where: ['c.organization_id = $1', '(c.document_number = $2 OR c.business_document_number = $2)'],
      params: [organizationId, document],
    },
    conditions,
    page,
  )
}

/**
 * Whether a link may still fetch on its consents: 'none' for a link that never had one (credential
 * links), 'valid' while one of them is AUTHORISED and not past `now`, else 'expired'.
 */
export async function linkConsentState(db: Queryable, linkId: string, now: string): Promise<'none' | 'valid' | 'expired'> {
  const rows = await db.query<{ total: string | number; valid: string | number }>(
    `SELECT count(*) FILTER (WHERE status IN ('AUTHORISED', 'EXPIRED')) AS total,
       count(*) FILTER (WHERE status = 'AUTHORISED' AND (expired_at IS NULL OR expired_at > $2::timestamptz)) AS valid
     FROM consents WHERE link_id = $1`,
    [linkId, now],
  )
  const row = rows[0]
  if (!row || Number(row.total) === 0) return 'none'
  return Number(row.valid) > 0 ? 'valid' : 'expired'
}

/** Scheduler: AUTHORISED consents past their expiry become EXPIRED; answers them. */
export async function expireConsents(db: Queryable, now: string, organizationId?: string): Promise<ConsentRow[]> {
  const params: unknown[] = [now]
  const scope = clockScope('organization_id', organizationId, params)
  const rows = await db.query<{ id: string }>(
    `UPDATE consents SET status = 'EXPIRED', updated_at = $1 WHERE status = 'AUTHORISED' AND expired_at <= $1::timestamptz AND ${scope} RETURNING id`,
    params,
  )
  return rows.length === 0 ? [] : db.query<ConsentRow>(`SELECT ${COLUMNS} FROM consents c WHERE c.id = ANY($1::uuid[])`, [rows.map((r) => r.id)])
}

/**
 * Scheduler: claims the AUTHORISED consents of recurrent links (Belvo sends the webhook for those
 * only) that expire before `horizon` and were not announced yet, marking them announced in the same statement (row locks with SKIP LOCKED: every
 * worker runs the scheduler, each consent is announced by one).
 */
export async function claimAboutToExpire(db: Queryable, now: string, horizon: string, limit = 500, organizationId?: string): Promise<ConsentRow[]> {
  const params: unknown[] = [now, horizon, limit]
  const scope = clockScope('c.organization_id', organizationId, params)
  const rows = await db.query<{ id: string }>(
    `UPDATE consents SET about_to_expire_sent_at = $1 WHERE id IN (
       SELECT c.id FROM consents c JOIN links l ON l.id = c.link_id WHERE c.status = 'AUTHORISED' AND l.access_mode = 'recurrent'
         AND c.about_to_expire_sent_at IS NULL
         AND c.expired_at > $1::timestamptz AND c.expired_at <= $2::timestamptz AND ${scope} ORDER BY c.expired_at LIMIT $3 FOR UPDATE OF c SKIP LOCKED)
     RETURNING id`,
    params,
  )
  return rows.length === 0 ? [] : db.query<ConsentRow>(`SELECT ${COLUMNS} FROM consents c WHERE c.id = ANY($1::uuid[])`, [rows.map((r) => r.id)])
}

/**
 * Open Finance Brasil: a consent not authorised within the hour of its creation is REJECTED (the
 * network's reason CONSENT_EXPIRED). Rejects those created at or before `createdBy` still awaiting
 * authorisation (all of them, or the one `id`, or one person's of an organization) and answers
 * their ids. The nonce goes too: the page's forms of such a consent decide nothing. No reason
 * column (0013): a timed-out consent is the REJECTED one nobody logged in for (display_name NULL;
 * the bank's own rejection records the person's name), see domain/consents.ts timedOut.
 */
export async function rejectUnauthorised(
  db: Queryable,
  createdBy: string,
  at: string,
  only: { id: string } | { organizationId: string; document: string } | { clockOf?: string } = {},
): Promise<string[]> {
  const params: unknown[] = [createdBy, at]
  let where = ''
  if ('clockOf' in only || Object.keys(only).length === 0) {
    // The scheduler's pass: organizations on the server's clock, or the one whose clock advances.
    where = ` AND ${clockScope('organization_id', (only as { clockOf?: string }).clockOf, params)}`
  } else if ('id' in only) {
    params.push(only.id)
    where = ' AND id = $3'
  } else if ('organizationId' in only) {
    params.push(only.organizationId, only.document)
    where = ' AND organization_id = $3 AND (document_number = $4 OR business_document_number = $4)'
  }
  const rows = await db.query<{ id: string }>(
    `UPDATE consents SET status = 'REJECTED', nonce = NULL, updated_at = $2
     WHERE status = 'AWAITING_AUTHORISATION' AND created_at <= $1::timestamptz${where} RETURNING id`,
    params,
  )
  return rows.map((r) => r.id)
}
