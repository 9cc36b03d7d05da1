import type { Clock } from '../../lib/clock.ts'
import type { Queryable } from '../../store/db.ts'
import { appendLedger, type LedgerEntry } from '../../store/payments.ts'
import { emitWebhook } from '../webhooks.ts'

/** Who asks: the organization, the secret key (the ledger's actor) and the request (its request_id). */
export interface PaymentsCaller {
  organizationId: string
  keyId: string
  requestId: string
}

/** Belvo's Payments Brazil webhook types and codes (INVENTORY 7.3). */
export type PaymentsWebhookType = 'PAYMENT_INTENTS' | 'CHARGES' | 'TRANSACTIONS' | 'BANK_ACCOUNTS' | 'CUSTOMERS' | 'ENROLLMENTS' | 'PAYMENT_AUTHORIZATIONS'
export type PaymentsWebhookCode = 'STATUS_UPDATE' | 'OBJECT_CREATED'

export interface Change {
  objectType: string
  objectId: string
  /** null for a creation. */
  from: string | null
  to: string
  amount?: string | null
  /** Who caused it; by default the caller's key (`key:<id>`). The sandbox network says `sandbox`. */
  actor?: string
  reason?: string | null
  /** The webhook that announces the change, when Belvo sends one. */
  webhook?: { type: PaymentsWebhookType; code: PaymentsWebhookCode; externalId: string | null; data: Record<string, unknown> }
}

/**
 * Records one status change: a ledger row and, when Belvo announces it, one webhook, both in
 * the transaction `tx` of the change itself. Either all of it commits or none: no webhook for a
 * change that rolled back, no change without its audit row. Called in the order the changes
 * happen, so the ledger's `seq` and the events' order follow them.
 */
export async function recordChange(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, change: Change): Promise<void> {
  await appendLedger(tx, ledgerEntry(ctx, caller, change))
  if (change.webhook) {
    await emitWebhook(tx, ctx, {
      organizationId: caller.organizationId,
      linkId: null,
      requestId: caller.requestId,
      externalId: change.webhook.externalId,
      webhookType: change.webhook.type,
      webhookCode: change.webhook.code,
      processType: 'payments',
      objectId: change.objectId,
      data: change.webhook.data,
    })
  }
}

/**
 * The ledger row of a change, as `recordChange` writes it. A creation without a webhook may write
 * it in the statement that inserts the object (store/payment-intent-create.ts): same row, same
 * transaction, one statement less.
 */
export function ledgerEntry(ctx: { clock: Clock }, caller: PaymentsCaller, change: Change): LedgerEntry {
  return {
    organization_id: caller.organizationId,
    object_type: change.objectType,
    object_id: change.objectId,
    from_status: change.from,
    to_status: change.to,
    amount: change.amount ?? null,
    actor: change.actor ?? `key:${caller.keyId}`,
    reason: change.reason ?? null,
    request_id: caller.requestId,
    at: ctx.clock.now().toISOString(),
  }
}
