import type { Condition } from '../lib/list-query.ts'
import type { Queryable } from './db.ts'
import { filteredPage, type PageRequest } from './pagination.ts'
import { isoUtc } from './sql.ts'
import { releaseHeldDeliveries } from './webhooks.ts'

/** A sandbox fault rule (migration 0020). */
export interface FaultRuleRow {
  id: string
  method: string | null
  path_prefix: string | null
  link_id: string | null
  institution: string | null
  latency_ms: number | null
  status: number | null
  institution_error: string | null
  webhook_type: string | null
  webhook_delay_ms: number | null
  webhook_duplicates: number | null
  webhook_lost_answers: number | null
  /** Migration 0024: the resource (fetch_resources name) an institution rule's logins fetch. */
  resource: string | null
  /** Migration 0025: hold this many matching events, then release them in reverse order. */
  webhook_reorder: number | null
  remaining: number | null
  probability: string
  matched: number
  created_at: string
}

export type NewFaultRule = Omit<FaultRuleRow, 'matched'> & { organization_id: string }

const COLUMNS = `r.id, r.method, r.path_prefix, r.link_id, r.institution, r.latency_ms, r.status, r.institution_error, r.webhook_type,
  r.webhook_delay_ms, r.webhook_duplicates, r.webhook_lost_answers, r.resource, r.webhook_reorder, r.remaining,
  r.probability::text AS probability, r.matched, ${isoUtc('r.created_at')} AS created_at`

export async function insertFaultRule(db: Queryable, rule: NewFaultRule): Promise<FaultRuleRow> {
  const [row] = await db.query<FaultRuleRow>(
    `INSERT INTO sandbox_fault_rules AS r (id, organization_id, method, path_prefix, link_id, institution, latency_ms, status, institution_error, remaining, probability, created_at,
       webhook_type, webhook_delay_ms, webhook_duplicates, webhook_lost_answers, resource, webhook_reorder)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING ${COLUMNS}`,
    [
      rule.id,
      rule.organization_id,
      rule.method,
      rule.path_prefix,
      rule.link_id,
      rule.institution,
      rule.latency_ms,
      rule.status,
      rule.institution_error,
      rule.remaining,
      rule.probability,
      rule.created_at,
      rule.webhook_type,
      rule.webhook_delay_ms,
      rule.webhook_duplicates,
      rule.webhook_lost_answers,
      rule.resource,
      rule.webhook_reorder,
    ],
  )
  return row
}

export function listFaultRules(db: Queryable, organizationId: string, conditions: readonly Condition[], page: PageRequest) {
  return filteredPage<FaultRuleRow>(
    db,
    { from: 'sandbox_fault_rules r', alias: 'r', select: COLUMNS, orderBy: 'r.seq', where: ['r.organization_id = $1'], params: [organizationId] },
    conditions,
    page,
  )
}

export async function findFaultRule(db: Queryable, organizationId: string, id: string): Promise<FaultRuleRow | undefined> {
  const [row] = await db.query<FaultRuleRow>(`SELECT ${COLUMNS} FROM sandbox_fault_rules r WHERE r.organization_id = $1 AND r.id = $2`, [organizationId, id])
  return row
}

export async function deleteFaultRules(db: Queryable, organizationId: string, id?: string): Promise<number> {
  // What a reordering rule holds goes out as it came (migration 0025): deleting it never loses a webhook.
  await releaseHeldDeliveries(
    db,
    `SELECT id FROM sandbox_fault_rules WHERE organization_id = $1 ${id ? 'AND id = $2' : ''}`,
    id ? [organizationId, id] : [organizationId],
  )
  const rows = await db.query(
    `DELETE FROM sandbox_fault_rules WHERE organization_id = $1 ${id ? 'AND id = $2' : ''} RETURNING id`,
    id ? [organizationId, id] : [organizationId],
  )
  return rows.length
}

export async function hasFaultRules(db: Queryable, organizationId: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM sandbox_fault_rules WHERE organization_id = $1 AND (remaining IS NULL OR remaining > 0) LIMIT 1', [organizationId])
  return rows.length > 0
}

/**
 * Takes one application of the first created rule of `kind` that matches and wins its draw, if any: the
 * rule's row is locked, its count spent and its use counted in this one statement.
 */
async function takeRule<T>(db: Queryable, organizationId: string, match: string, params: unknown[], returning: string): Promise<T | undefined> {
  const [row] = await db.query<T>(
    `UPDATE sandbox_fault_rules r SET matched = r.matched + 1, remaining = r.remaining - 1
     WHERE r.id = (
       SELECT id FROM sandbox_fault_rules
       WHERE organization_id = $1 AND (remaining IS NULL OR remaining > 0) AND ${match} AND random() < probability
       ORDER BY seq LIMIT 1 FOR UPDATE
     ) AND (r.remaining IS NULL OR r.remaining > 0)
     RETURNING ${returning}`,
    [organizationId, ...params],
  )
  return row
}

export function takeRequestRule(db: Queryable, organizationId: string, request: { method: string; path: string; linkId: string | null }) {
  return takeRule<{ latency_ms: number | null; status: number | null }>(
    db,
    organizationId,
    `(latency_ms IS NOT NULL OR status IS NOT NULL) AND (method IS NULL OR method = $2) AND (path_prefix IS NULL OR starts_with($3, path_prefix))
       AND (link_id IS NULL OR link_id = $4::uuid)`,
    [request.method, request.path, request.linkId],
    'r.latency_ms, r.status',
  )
}

/** An institution rule for a login; one that names a resource meets only the logins that fetch it (migration 0024). */
export function takeInstitutionRule(db: Queryable, organizationId: string, login: { institution: string; linkId: string | null; resource?: string | null }) {
  return takeRule<{ institution_error: string; resource: string | null }>(
    db,
    organizationId,
    `institution_error IS NOT NULL AND (institution IS NULL OR institution = $2) AND (link_id IS NULL OR link_id = $3::uuid)
       AND (resource IS NULL OR resource = $4::text)`,
    [login.institution, login.linkId, login.resource ?? null],
    'r.institution_error, r.resource',
  )
}

/** A webhook rule for an event; a reordering rule (migration 0025) never takes an event kept in order per object. */
export function takeWebhookRule(db: Queryable, organizationId: string, event: { webhookType: string; linkId: string | null; ordered?: boolean }) {
  return takeRule<{
    id: string
    webhook_delay_ms: number | null
    webhook_duplicates: number | null
    webhook_lost_answers: number | null
    webhook_reorder: number | null
    remaining: number | null
  }>(
    db,
    organizationId,
    `(webhook_delay_ms IS NOT NULL OR webhook_duplicates IS NOT NULL OR webhook_lost_answers IS NOT NULL OR webhook_reorder IS NOT NULL)
       AND (webhook_type IS NULL OR webhook_type = $2) AND (link_id IS NULL OR link_id = $3::uuid) AND (webhook_reorder IS NULL OR NOT $4::boolean)`,
    [event.webhookType, event.linkId, event.ordered ?? false],
    'r.id, r.webhook_delay_ms, r.webhook_duplicates, r.webhook_lost_answers, r.webhook_reorder, r.remaining',
  )
}
