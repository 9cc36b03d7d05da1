import { PonteError } from '../lib/errors.ts'
import { hex32, uuidv7 } from '../lib/ids.ts'
import { QUEUES } from '../jobs/queue.ts'
import * as links from '../store/links.ts'
import type { Actor, DomainContext } from './context.ts'
import { getLinkRow } from './links.ts'
import { enqueueForLink, type HistoricalUpdateJob } from './sync.ts'

/**
 * Sandbox triggers for everything a recurrent refresh can report, so integrators can test their
 * webhook handling on demand (Ponte's addition: Belvo's sandbox offers no such control). Each
 * event changes what Ponte has stored (or what the next login answers) so that the refresh,
 * enqueued at once, finds exactly that difference at the institution.
 */
export const SANDBOX_EVENTS = ['new_accounts', 'new_transactions', 'transactions_updated', 'transactions_deleted', 'invalid_credentials', 'token_required'] as const
export type SandboxEvent = (typeof SANDBOX_EVENTS)[number]

export async function simulate(ctx: DomainContext, actor: Actor, linkId: string, event: SandboxEvent): Promise<{ request_id: string }> {
  const link = await getLinkRow(ctx, actor, linkId)
  if (ctx.connectors.hasRealConnector(link.institution)) throw new PonteError('unsupported_operation')
  if (link.access_mode !== 'recurrent' || link.status !== 'valid') {
    throw new PonteError('invalid', { field: 'link', params: { detail: 'only valid recurrent links are refreshed' } })
  }
  const requestId = hex32()
  await ctx.db.tx(async (tx) => {
    const recent = await tx.query<{ id: string; body: string; account_id: string }>(
      'SELECT id, body, account_id FROM transactions WHERE link_id = $1 ORDER BY value_date DESC, id LIMIT 3', [link.id],
    )
    const needsTransactions = event === 'new_transactions' || event === 'transactions_updated' || event === 'transactions_deleted'
    if (needsTransactions && recent.length === 0) {
      throw new PonteError('invalid', { field: 'link', params: { detail: 'the link has no transactions yet: wait for its historical update' } })
    }
    switch (event) {
      case 'new_accounts': {
        const [account] = await tx.query<{ id: string }>('SELECT id FROM accounts WHERE link_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1', [link.id])
        if (!account) throw new PonteError('invalid', { field: 'link', params: { detail: 'the link has no accounts yet' } })
        await tx.query('DELETE FROM transactions WHERE account_id = $1', [account.id])
        await tx.query('DELETE FROM accounts WHERE id = $1', [account.id])
        break
      }
      case 'new_transactions': {
        await tx.query('DELETE FROM transactions WHERE id = ANY($1::uuid[])', [recent.map((t) => t.id)])
        break
      }
      case 'transactions_updated': {
        // What Ponte stored differs from what the bank now says: the refresh reports an update.
        for (const t of recent.slice(0, 2)) {
          const body = JSON.parse(t.body)
          body.description = `${body.description ?? ''} (sandbox: before update)`
          await tx.query('UPDATE transactions SET body = $2 WHERE id = $1', [t.id, JSON.stringify(body)])
        }
        break
      }
      case 'transactions_deleted': {
        // A transaction the bank no longer reports: the refresh removes it.
        const copy = JSON.parse(recent[0].body)
        const internalId = `sandbox-removed-${hex32().slice(0, 12)}`
        copy.internal_identification = internalId
        await tx.query(
          `INSERT INTO transactions (id, organization_id, link_id, account_id, internal_identification, value_date, accounting_date, amount,
             currency, type, status, category, reference, bill_name, collected_at, created_at, body)
           SELECT $1, organization_id, link_id, account_id, $2, value_date, accounting_date, amount, currency, type, status, category,
             reference, bill_name, collected_at, created_at, $3 FROM transactions WHERE id = $4`,
          [uuidv7(), internalId, JSON.stringify(copy), recent[0].id],
        )
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
      organizationId: actor.organizationId, linkId: link.id, requestId, processType: 'recurrent_update',
    } satisfies HistoricalUpdateJob)
  })
  return { request_id: requestId }
}
