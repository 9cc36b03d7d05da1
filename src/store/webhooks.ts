import type { Condition } from '../lib/list-query.ts'
import type { Db, Queryable } from './db.ts'
import { filteredPage, type PageRequest } from './pagination.ts'
import { isoUtc as ISO } from './sql.ts'

/** A webhook endpoint as reads see it: the sealed Authorization value and secret are never selected. */
export interface WebhookEndpointRow {
  id: string
  organization_id: string
  url: string
  description: string | null
  event_types: string[] | null
  authorization_hint: string | null
  disabled: boolean
  created_at: string
  updated_at: string
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed'

export interface AttemptLogEntry {
  attempted_at: string
  status_code: number | null
  latency_ms: number
  error: string | null
  response_snippet: string | null
}

export interface WebhookDeliveryRow {
  id: string
  organization_id: string
  webhook_id: string
  endpoint: string
  webhook_type: string
  webhook_code: string
  status: DeliveryStatus
  attempts: number
  next_attempt_at: string | null
  last_status_code: number | null
  created_at: string
  updated_at: string
  /** The event's JSON body, as text: exactly what is sent. */
  payload: string
  attempts_log: AttemptLogEntry[]
}

const ENDPOINT_COLUMNS = `w.id, w.organization_id, w.url, w.description, w.event_types, w.authorization_hint, w.disabled,
  ${ISO('w.created_at')} AS created_at, ${ISO('w.updated_at')} AS updated_at`

// The attempts ride along as one JSON array per delivery: a page of deliveries is one query,
// not one per row.
const DELIVERY_COLUMNS = `d.id, d.organization_id, d.event_id AS webhook_id, d.endpoint_id AS endpoint, d.webhook_type, d.webhook_code,
  d.status, d.attempts, ${ISO('d.next_attempt_at')} AS next_attempt_at, d.last_status_code,
  ${ISO('d.created_at')} AS created_at, ${ISO('d.updated_at')} AS updated_at, ev.payload,
  COALESCE((SELECT json_agg(json_build_object(
      'attempted_at', ${ISO('a.attempted_at')}, 'status_code', a.status_code, 'latency_ms', a.latency_ms,
      'error', a.error, 'response_snippet', a.response_snippet) ORDER BY a.id)
    FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::json) AS attempts_log`
const DELIVERY_FROM = 'webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id'

export interface NewEndpoint {
  id: string
  organizationId: string
  url: string
  description: string | null
  eventTypes: string[] | null
  authorizationSealed: string | null
  authorizationHint: string | null
  secretSealed: string
  now: string
}

export async function insertEndpoint(db: Queryable, e: NewEndpoint): Promise<WebhookEndpointRow> {
  const rows = await db.query<WebhookEndpointRow>(
    `INSERT INTO webhook_endpoints AS w (id, organization_id, url, description, event_types, authorization_sealed, authorization_hint,
       secret_sealed, disabled, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8, false, $9, $9)
     RETURNING ${ENDPOINT_COLUMNS}`,
    [e.id, e.organizationId, e.url, e.description, e.eventTypes, e.authorizationSealed, e.authorizationHint, e.secretSealed, e.now],
  )
  return rows[0]
}

export async function findEndpoint(db: Queryable, organizationId: string, id: string): Promise<WebhookEndpointRow | undefined> {
  const rows = await db.query<WebhookEndpointRow>(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints w WHERE w.organization_id = $1 AND w.id = $2`, [
    organizationId,
    id,
  ])
  return rows[0]
}

export async function listEndpoints(db: Queryable, organizationId: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<WebhookEndpointRow>(
    db,
    {
      from: 'webhook_endpoints w',
      alias: 'w',
      select: ENDPOINT_COLUMNS,
      orderBy: 'w.created_at DESC, w.id DESC',
      where: ['w.organization_id = $1'],
      params: [organizationId],
    },
    conditions,
    page,
  )
}

export interface EndpointChanges {
  url?: string
  description?: string | null
  event_types?: string[] | null
  authorization_sealed?: string | null
  authorization_hint?: string | null
  secret_sealed?: string
  disabled?: boolean
}
const UPDATABLE = ['url', 'description', 'event_types', 'authorization_sealed', 'authorization_hint', 'secret_sealed', 'disabled'] as const

/** Applies `changes` (and `updated_at`); undefined when the endpoint is not the organization's. */
export async function updateEndpoint(
  db: Queryable,
  organizationId: string,
  id: string,
  changes: EndpointChanges,
  now: string,
): Promise<WebhookEndpointRow | undefined> {
  const keys = UPDATABLE.filter((k) => changes[k] !== undefined)
  const sets = keys.map((k, i) => `${k} = $${i + 4}${k === 'event_types' ? '::text[]' : ''}`)
  const rows = await db.query<WebhookEndpointRow>(
    `UPDATE webhook_endpoints w SET ${['updated_at = $3', ...sets].join(', ')} WHERE w.organization_id = $1 AND w.id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
    [organizationId, id, now, ...keys.map((k) => changes[k])],
  )
  return rows[0]
}

/** Deletes the endpoint with its deliveries and their attempts (ON DELETE CASCADE); events stay. */
export async function deleteEndpoint(db: Queryable, organizationId: string, id: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM webhook_endpoints WHERE organization_id = $1 AND id = $2 RETURNING id', [organizationId, id])
  return rows.length > 0
}

export interface NewEvent {
  id: string
  organizationId: string
  eventKey: string | null
  linkId: string | null
  webhookType: string
  webhookCode: string
  payload: string
  createdAt: string
}

/**
 * Stores the event; with an `eventKey` already used by the organization, stores nothing and
 * returns false. (A unique index on (organization_id, event_key): NULL keys never collide, and a
 * concurrent insert of the same key waits for the first transaction, then does nothing.)
 */
export async function insertEvent(db: Queryable, event: NewEvent): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO webhook_events (id, organization_id, event_key, link_id, webhook_type, webhook_code, payload, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (organization_id, event_key) DO NOTHING RETURNING id`,
    [event.id, event.organizationId, event.eventKey, event.linkId, event.webhookType, event.webhookCode, event.payload, event.createdAt],
  )
  return rows.length > 0
}

/**
 * Deletes the events created before `before` that no delivery still waits on, with their
 * deliveries and attempts (cascade). Returns how many events went.
 */
export async function deleteFinishedEventsBefore(db: Queryable, before: string): Promise<number> {
  const rows = await db.query(
    `DELETE FROM webhook_events e WHERE e.created_at < $1::timestamptz
       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
     RETURNING e.id`,
    [before],
  )
  return rows.length
}

export async function findEventIdByKey(db: Queryable, organizationId: string, eventKey: string): Promise<string | undefined> {
  const rows = await db.query<{ id: string }>('SELECT id FROM webhook_events WHERE organization_id = $1 AND event_key = $2', [organizationId, eventKey])
  return rows[0]?.id
}

/** Enabled endpoints of the organization that take `webhookType` (NULL event_types = every type). */
export async function subscribedEndpointIds(db: Queryable, organizationId: string, webhookType: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM webhook_endpoints
     WHERE organization_id = $1 AND NOT disabled AND (event_types IS NULL OR $2::text = ANY(event_types))
     ORDER BY created_at, id`,
    [organizationId, webhookType],
  )
  return rows.map((r) => r.id)
}

/**
 * In-process wake-ups: dispatchers listen, and hear when deliveries were just made due (inserted
 * or reset), so a webhook does not wait for the next poll. Only a hint: the emitting transaction
 * may not have committed yet, and other processes do not hear it (they poll).
 */
const dueListeners = new Set<() => void>()

/** Calls `listener` whenever this process makes deliveries due; returns the unsubscribe. */
export function onDeliveriesDue(listener: () => void): () => void {
  dueListeners.add(listener)
  return () => {
    dueListeners.delete(listener)
  }
}

function deliveriesDue(): void {
  for (const listener of dueListeners) listener()
}

/** One pending delivery per endpoint, due at `now`. */
export async function insertDeliveries(
  db: Queryable,
  d: {
    ids: string[]
    endpointIds: string[]
    organizationId: string
    eventId: string
    webhookType: string
    webhookCode: string
    now: string
    /** Deliveries with the same key reach an endpoint one after the other, in insertion order (migration 0017). */
    orderKey?: string | null
    /** A sandbox webhook rule's effect (migration 0020): due later, sent more than once, first answers lost. */
    sandbox?: { dueAt?: string; duplicates?: number; lostAnswers?: number; heldBy?: string }
  },
): Promise<void> {
  if (d.ids.length === 0) return
  await db.query(
    `INSERT INTO webhook_deliveries (id, organization_id, endpoint_id, event_id, webhook_type, webhook_code, status, attempts, next_attempt_at, created_at, updated_at, order_key,
       sandbox_duplicates, sandbox_lost_answers, sandbox_held_by)
     SELECT u.id, $3, u.endpoint_id, $4, $5, $6, 'pending', 0, COALESCE($9::timestamptz, $7::timestamptz), $7::timestamptz, $7::timestamptz, $8::text, $10::int, $11::int,
       $12::uuid
     FROM unnest($1::uuid[], $2::uuid[]) AS u (id, endpoint_id)`,
    [
      d.ids,
      d.endpointIds,
      d.organizationId,
      d.eventId,
      d.webhookType,
      d.webhookCode,
      d.now,
      d.orderKey ?? null,
      d.sandbox?.dueAt ?? null,
      d.sandbox?.duplicates ?? 0,
      d.sandbox?.lostAnswers ?? 0,
      d.sandbox?.heldBy ?? null,
    ],
  )
  deliveriesDue()
}

/** `id`, or the first organization (by creation) when `id` is undefined; undefined when there is none. */
export async function findOrganizationId(db: Queryable, id?: string): Promise<string | undefined> {
  const rows = await db.query<{ id: string }>('SELECT id FROM organizations WHERE ($1::uuid IS NULL OR id = $1::uuid) ORDER BY created_at, id LIMIT 1', [
    id ?? null,
  ])
  return rows[0]?.id
}

export async function findDelivery(db: Queryable, organizationId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
  const rows = await db.query<WebhookDeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM ${DELIVERY_FROM} WHERE d.organization_id = $1 AND d.id = $2`, [
    organizationId,
    id,
  ])
  return rows[0]
}

export async function listDeliveries(db: Queryable, organizationId: string, endpointId: string, conditions: Condition[], page: PageRequest) {
  return filteredPage<WebhookDeliveryRow>(
    db,
    {
      from: DELIVERY_FROM,
      alias: 'd',
      select: DELIVERY_COLUMNS,
      orderBy: 'd.created_at DESC, d.id DESC',
      where: ['d.organization_id = $1', 'd.endpoint_id = $2'],
      params: [organizationId, endpointId],
    },
    conditions,
    page,
  )
}

/**
 * Makes a delivery pending again, due at `now`, with its attempt count reset (the attempt log is
 * kept). Bumping `lease` voids the outcome of an attempt that may be in flight right now.
 */
export async function resetDelivery(db: Queryable, organizationId: string, id: string, now: string): Promise<boolean> {
  const rows = await db.query(
    // An attempt still in flight (claimed_until ahead) is fenced out by the new lease, but it is
    // still connected: the delivery is due again when that claim ends, so the endpoint never gets
    // the same delivery twice at once nor more than its concurrency limit.
    `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = GREATEST($3::timestamptz, claimed_until), lease = lease + 1, updated_at = $3::timestamptz
     WHERE organization_id = $1 AND id = $2 RETURNING id`,
    [organizationId, id, now],
  )
  if (rows.length > 0) deliveriesDue()
  return rows.length > 0
}

/** A delivery a dispatcher has leased, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string
  event_id: string
  endpoint_id: string
  attempts: number
  lease: number
  url: string
  authorization_sealed: string | null
  secret_sealed: string
  /** A sandbox webhook rule's: extra sends of the payload after this one, and answers to count as lost. */
  sandbox_duplicates: number
  sandbox_lost_answers: number
  payload: string
  /** The event's link (null for events about no link), for the attempt's log line. */
  link_id: string | null
}

export interface ClaimOptions {
  /** The caller's clock, not the database's, so tests can drive time. */
  now: string
  /** The lease's end: the claimed rows are not due again, nor counted in flight, after it. */
  leaseUntil: string
  /** Most deliveries to claim (the caller's free slots). */
  limit: number
  /** Most attempts in flight at one endpoint, counting every dispatcher's. */
  perEndpoint: number
}

/**
 * Claims up to `limit` due deliveries, at most `perEndpoint` in flight per endpoint across every
 * dispatcher process, oldest due first. Deliveries of disabled endpoints wait, pending, until the
 * endpoint is enabled again. A delivery with an `order_key` (a payments object) waits while an
 * earlier one of its endpoint and key is pending, in flight or in backoff (migration 0017).
 *
 * Two statements in one transaction. The first locks the endpoints that have due deliveries and
 * (as far as its snapshot tells) room, with FOR NO KEY UPDATE SKIP LOCKED: concurrent claims take
 * disjoint sets of endpoints instead of waiting on each other, and an endpoint's deliveries can
 * still be inserted meanwhile (FOR KEY SHARE does not conflict). The second statement starts after
 * those locks are held, so its snapshot sees every committed claim on these endpoints: its count of
 * attempts in flight is exact, and the limit holds however many processes claim at once. It leases
 * the rows (FOR UPDATE SKIP LOCKED) by pushing `next_attempt_at` and `claimed_until` to
 * `leaseUntil` and bumping `lease`; a crashed dispatcher's deliveries come back when it ends.
 */
export async function claimDueDeliveries(db: Db, options: ClaimOptions): Promise<ClaimedDelivery[]> {
  return db.tx(async (tx) => {
    const endpoints = await tx.query<{ id: string }>(
      `WITH due AS (
         SELECT d.endpoint_id, min(d.next_attempt_at) AS first_due FROM webhook_deliveries d
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1::timestamptz
           AND (d.order_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM webhook_deliveries o
             WHERE o.endpoint_id = d.endpoint_id AND o.order_key = d.order_key AND o.status = 'pending' AND o.seq < d.seq))
         GROUP BY d.endpoint_id
       ), busy AS (
         SELECT d.endpoint_id, count(*) AS n FROM webhook_deliveries d
         WHERE d.status = 'pending' AND d.claimed_until > $1::timestamptz GROUP BY d.endpoint_id
       )
       SELECT e.id FROM webhook_endpoints e JOIN due ON due.endpoint_id = e.id LEFT JOIN busy ON busy.endpoint_id = e.id
       WHERE NOT e.disabled AND COALESCE(busy.n, 0) < $3
       ORDER BY due.first_due, e.id
       LIMIT $2
       FOR NO KEY UPDATE OF e SKIP LOCKED`,
      [options.now, options.limit, options.perEndpoint],
    )
    if (endpoints.length === 0) return []
    return tx.query<ClaimedDelivery>(
      `WITH candidates AS (
         SELECT next.id FROM unnest($4::uuid[]) AS ep (id)
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS n FROM webhook_deliveries f
           WHERE f.endpoint_id = ep.id AND f.status = 'pending' AND f.claimed_until > $1::timestamptz
         ) busy
         CROSS JOIN LATERAL (
           SELECT p.id FROM webhook_deliveries p
           WHERE p.endpoint_id = ep.id AND p.status = 'pending' AND p.next_attempt_at <= $1::timestamptz
           AND (p.order_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM webhook_deliveries o
             WHERE o.endpoint_id = p.endpoint_id AND o.order_key = p.order_key AND o.status = 'pending' AND o.seq < p.seq))
           ORDER BY p.next_attempt_at, p.id
           LIMIT GREATEST($5::int - busy.n, 0)
         ) next
       ), due AS (
         SELECT d.id FROM webhook_deliveries d
         WHERE d.id IN (SELECT id FROM candidates) AND d.status = 'pending' AND d.next_attempt_at <= $1::timestamptz
         ORDER BY d.next_attempt_at, d.id
         LIMIT $3
         FOR UPDATE OF d SKIP LOCKED
       ), claimed AS (
         UPDATE webhook_deliveries d SET next_attempt_at = $2::timestamptz, claimed_until = $2::timestamptz, lease = d.lease + 1
         FROM due WHERE d.id = due.id
         RETURNING d.id, d.event_id, d.endpoint_id, d.attempts, d.lease, d.sandbox_duplicates, d.sandbox_lost_answers
       )
       SELECT c.id, c.event_id, c.endpoint_id, c.attempts, c.lease, c.sandbox_duplicates, c.sandbox_lost_answers, e.url, e.authorization_sealed, e.secret_sealed, ev.payload, ev.link_id
       FROM claimed c JOIN webhook_endpoints e ON e.id = c.endpoint_id JOIN webhook_events ev ON ev.id = c.event_id
       ORDER BY c.id`,
      [options.now, options.leaseUntil, options.limit, endpoints.map((e) => e.id), options.perEndpoint],
    )
  })
}

export interface AttemptOutcome {
  deliveryId: string
  lease: number
  attempt: AttemptLogEntry
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: string | null
  /** When the attempt ended: the delivery's new `updated_at`. */
  finishedAt: string
  /** A sandbox webhook rule counted this attempt's answer as lost: one fewer to lose. */
  lostAnswer?: boolean
}

/**
 * Logs an attempt and moves the delivery to its new state, in one statement. The attempt is
 * logged whenever the delivery still exists (it did happen); the state changes only if the
 * caller's lease is still the current one. Returns whether the state was applied.
 */
export async function recordAttempt(db: Queryable, o: AttemptOutcome): Promise<boolean> {
  const { attempt } = o
  const rows = await db.query(
    `WITH logged AS (
       INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, error, response_snippet)
       SELECT id, $3::timestamptz, $4::int, $5::int, $6::text, $7::text FROM webhook_deliveries WHERE id = $1
       RETURNING delivery_id
     )
     UPDATE webhook_deliveries SET status = $8, attempts = $9, next_attempt_at = $10::timestamptz, claimed_until = NULL,
       last_status_code = $4::int, updated_at = $11::timestamptz,
       sandbox_duplicates = 0, sandbox_lost_answers = GREATEST(sandbox_lost_answers - $12::int, 0)
     WHERE id = $1 AND lease = $2 AND status = 'pending'
     RETURNING id`,
    [
      o.deliveryId,
      o.lease,
      attempt.attempted_at,
      attempt.status_code,
      attempt.latency_ms,
      attempt.error,
      attempt.response_snippet,
      o.status,
      o.attempts,
      o.nextAttemptAt,
      o.finishedAt,
      o.lostAnswer ? 1 : 0,
    ],
  )
  return rows.length > 0
}

/**
 * Pending deliveries (those of disabled endpoints aside: they wait for no dispatcher) and how long
 * the oldest due one has waited, for /metrics. Reads the pending-only due index.
 */
export async function pendingDeliveryStats(db: Queryable): Promise<{ depth: number; oldestSeconds: number }> {
  const [row] = await db.query<{ depth: string; oldest_seconds: string | null }>(
    `SELECT count(*) AS depth,
            COALESCE(EXTRACT(EPOCH FROM now() - min(d.next_attempt_at) FILTER (WHERE d.next_attempt_at <= now())), 0) AS oldest_seconds
       FROM webhook_deliveries d
      WHERE d.status = 'pending' AND NOT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.disabled)`,
  )
  return { depth: Number(row?.depth ?? 0), oldestSeconds: Math.max(0, Number(row?.oldest_seconds ?? 0)) }
}

/** An event's exact payload (the bytes its deliveries send and sign). */
export async function findEventPayload(db: Queryable, organizationId: string, id: string): Promise<string | undefined> {
  const [row] = await db.query<{ payload: string }>('SELECT payload FROM webhook_events WHERE organization_id = $1 AND id = $2', [organizationId, id])
  return row?.payload
}

/** When a delivery held by a reordering rule is due (migration 0025): not before its rule releases it. */
export const HELD_UNTIL = '9999-12-31T00:00:00.000Z'

/** How many events a reordering rule holds. */
export async function heldEventCount(db: Queryable, ruleId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(DISTINCT event_id)::int AS n FROM webhook_deliveries WHERE sandbox_held_by = $1', [ruleId])
  return Number(row?.n ?? 0)
}

/**
 * Releases what a reordering rule holds, newest first: each delivery gets the rule's order key and
 * a new `seq` (migration 0017), newest smallest, so each endpoint gets them one after the other in
 * reverse, every one due at `now`.
 */
export async function releaseInReverse(db: Queryable, ruleId: string, now: string): Promise<number> {
  const held = await db.query<{ id: string }>('SELECT id FROM webhook_deliveries WHERE sandbox_held_by = $1 ORDER BY seq DESC', [ruleId])
  for (const { id } of held) {
    await db.query(
      `UPDATE webhook_deliveries SET seq = nextval(pg_get_serial_sequence('webhook_deliveries', 'seq')), order_key = $2, sandbox_held_by = NULL,
         next_attempt_at = $3::timestamptz, updated_at = $3::timestamptz
       WHERE id = $1`,
      [id, `sandbox-reorder:${ruleId}`, now],
    )
  }
  if (held.length > 0) deliveriesDue()
  return held.length
}

/** Releases what the rules `rules` (a SELECT of rule ids) hold, as they came: each due when it was first due. */
export async function releaseHeldDeliveries(db: Queryable, rules: string, params: unknown[]): Promise<number> {
  const rows = await db.query(
    `UPDATE webhook_deliveries SET sandbox_held_by = NULL, next_attempt_at = created_at WHERE sandbox_held_by IN (${rules}) RETURNING id`,
    params,
  )
  if (rows.length > 0) deliveriesDue()
  return rows.length
}
