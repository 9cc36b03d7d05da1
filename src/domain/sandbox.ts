import { PonteError } from '../lib/errors.ts'
import { hex32, uuidv7 } from '../lib/ids.ts'
import { QUEUES } from '../jobs/queue.ts'
import * as links from '../store/links.ts'
import { deleteTransactions, lockBatchOwners } from '../store/resources.ts'
import * as sandboxStore from '../store/sandbox.ts'
import type { Actor, DomainContext } from './context.ts'
import { enqueueForLink, type HistoricalUpdateJob } from './schedule.ts'
import { getLinkRow } from './sessions.ts'

/**
 * Sandbox triggers for everything a recurrent refresh can report, so integrators can test their
 * webhook handling on demand (Ponte's addition: Belvo's sandbox offers no such control). Each
 * event changes what Ponte has stored (or what the next login answers) so that the refresh,
 * enqueued at once, finds exactly that difference at the institution.
 */
export const SANDBOX_EVENTS = [
  'new_accounts',
  'new_transactions',
  'transactions_updated',
  'transactions_deleted',
  'invalid_credentials',
  'token_required',
] as const
export type SandboxEvent = (typeof SANDBOX_EVENTS)[number]

export async function simulate(ctx: DomainContext, actor: Actor, linkId: string, event: SandboxEvent): Promise<{ request_id: string }> {
  const link = await getLinkRow(ctx, actor, linkId)
  if (ctx.connectors.hasRealConnector(link.institution)) throw new PonteError('unsupported_operation')
  if (link.access_mode !== 'recurrent' || link.status !== 'valid') {
    throw new PonteError('invalid', { field: 'link', params: { detail: 'only valid recurrent links are refreshed' } })
  }
  const requestId = hex32()
  await ctx.db.tx(async (tx) => {
    // As a batch write does: a sync page waits for what this changes (docs/sync.md).
    await lockBatchOwners(tx, link.id, [])
    const recent = await sandboxStore.recentTransactions(tx, link.id, 3)
    const needsTransactions = event === 'new_transactions' || event === 'transactions_updated' || event === 'transactions_deleted'
    if (needsTransactions && recent.length === 0) {
      throw new PonteError('invalid', { field: 'link', params: { detail: 'the link has no transactions yet: wait for its historical update' } })
    }
    switch (event) {
      case 'new_accounts': {
        const accountId = await sandboxStore.newestAccountId(tx, link.id)
        if (!accountId) throw new PonteError('invalid', { field: 'link', params: { detail: 'the link has no accounts yet' } })
        await sandboxStore.forgetAccount(tx, accountId)
        break
      }
      case 'new_transactions': {
        await deleteTransactions(
          tx,
          link.id,
          recent.map((t) => t.id),
        )
        break
      }
      case 'transactions_updated': {
        // What Ponte stored differs from what the bank now says: the refresh reports an update.
        for (const t of recent.slice(0, 2)) {
          const body = JSON.parse(t.body)
          body.description = `${body.description ?? ''} (sandbox: before update)`
          await sandboxStore.setTransactionBody(tx, t.id, JSON.stringify(body))
        }
        break
      }
      case 'transactions_deleted': {
        // A transaction the bank no longer reports: the refresh removes it.
        const copy = JSON.parse(recent[0].body)
        const internalId = `sandbox-removed-${hex32().slice(0, 12)}`
        copy.internal_identification = internalId
        await sandboxStore.copyTransaction(tx, recent[0].id, { id: uuidv7(), internalId, body: JSON.stringify(copy) })
        break
      }
      case 'invalid_credentials':
        await links.updateLink(tx, actor.organizationId, link.id, { sandbox_next_login: 'login_error' })
        break
      case 'token_required':
        await links.updateLink(tx, actor.organizationId, link.id, { sandbox_next_login: 'token_required' })
        break
    }
    await enqueueForLink(ctx, tx, QUEUES.recurrentUpdate, link.id, {
      organizationId: actor.organizationId,
      linkId: link.id,
      requestId,
      processType: 'recurrent_update',
    } satisfies HistoricalUpdateJob)
  })
  return { request_id: requestId }
}
