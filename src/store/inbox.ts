import type { Condition } from '../lib/list-query.ts'
import type { Db, Queryable } from './db.ts'
import { filteredPage, type PageRequest } from './pagination.ts'
import { isoUtc } from './sql.ts'

/** What the sandbox's webhook inbox keeps of one request (migration 0018). */
export interface InboxMessageRow {
  id: string
  received_at: string
  event_id: string | null
  webhook_type: string | null
  webhook_code: string | null
  signature: 'valid' | 'invalid' | 'missing'
  endpoint_id: string | null
  headers: Record<string, string>
  body: string
}

export type NewInboxMessage = InboxMessageRow & { organization_id: string }

/** How many messages an organization's inbox keeps: the newest. */
export const INBOX_CAPACITY = 500

const COLUMNS = `m.id, ${isoUtc('m.received_at')} AS received_at, m.event_id, m.webhook_type,
  m.webhook_code, m.signature, m.endpoint_id, m.headers, m.body`

/** Stores a message and drops what the inbox no longer keeps, in one transaction. */
export async function insertInboxMessage(db: Db, message: NewInboxMessage): Promise<void> {
  await db.tx(async (tx) => {
    await tx.query(
      `INSERT INTO webhook_inbox_messages (id, organization_id, received_at, event_id, webhook_type, webhook_code, signature, endpoint_id, headers, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        message.id,
        message.organization_id,
        message.received_at,
        message.event_id,
        message.webhook_type,
        message.webhook_code,
        message.signature,
        message.endpoint_id,
        JSON.stringify(message.headers),
        message.body,
      ],
    )
    await tx.query(
      `DELETE FROM webhook_inbox_messages WHERE organization_id = $1 AND id IN (
         SELECT id FROM webhook_inbox_messages WHERE organization_id = $1 ORDER BY seq DESC OFFSET $2)`,
      [message.organization_id, INBOX_CAPACITY],
    )
  })
}

export function listInboxMessages(db: Queryable, organizationId: string, conditions: readonly Condition[], page: PageRequest) {
  return filteredPage<InboxMessageRow>(
    db,
    {
      from: 'webhook_inbox_messages m',
      alias: 'm',
      select: COLUMNS,
      orderBy: 'm.seq DESC',
      where: ['m.organization_id = $1'],
      params: [organizationId],
    },
    conditions,
    page,
  )
}

export async function findInboxMessage(db: Queryable, organizationId: string, id: string): Promise<InboxMessageRow | undefined> {
  const [row] = await db.query<InboxMessageRow>(`SELECT ${COLUMNS} FROM webhook_inbox_messages m WHERE m.organization_id = $1 AND m.id = $2`, [
    organizationId,
    id,
  ])
  return row
}

export async function clearInbox(db: Queryable, organizationId: string): Promise<number> {
  const rows = await db.query('DELETE FROM webhook_inbox_messages WHERE organization_id = $1 RETURNING id', [organizationId])
  return rows.length
}

/** The organization's endpoints whose URL contains `marker` (the inbox's path), with their sealed secrets. */
export async function endpointsPointingAt(db: Queryable, organizationId: string, marker: string): Promise<{ id: string; secret_sealed: string }[]> {
  return db.query<{ id: string; secret_sealed: string }>(
    `SELECT id, secret_sealed FROM webhook_endpoints WHERE organization_id = $1 AND strpos(url, $2) > 0 ORDER BY created_at, id`,
    [organizationId, marker],
  )
}

export async function organizationExists(db: Queryable, organizationId: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM organizations WHERE id = $1', [organizationId])
  return rows.length > 0
}
