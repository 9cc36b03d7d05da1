import { deleteExpiredWidgetTokens } from '../store/widget-tokens.ts'
import { wireShape } from '../connectors/catalog.ts'
import { PonteError } from '../lib/errors.ts'
import { hex32 } from '../lib/ids.ts'
import * as links from '../store/links.ts'
import * as store from '../store/resources.ts'
import { claimDueRefreshes, forgetExpiredCredentials, markDataPurged, staleLinkIds } from '../store/schedule.ts'
import { QUEUES } from '../jobs/queue.ts'
import type { Actor, DomainContext } from './context.ts'
import { ACCOUNTS_RESOURCE, backgroundResource, existsAt, RESOURCES, resourceNamed, type ResourceSpec } from './registry.ts'
import { connectorSupports, newChanges, retrieve, type RetrieveResult } from './resources.ts'
import { enqueueForLink, type AsyncRequestJob, type HistoricalUpdateJob, type ProcessType } from './schedule.ts'
import { deleteOldWebhookEvents, emitWebhook } from './webhooks.ts'
import { runConsentSchedule } from './consents.ts'
import { isResourceFault, resourceErrorData } from './sandbox-faults.ts'
import { settleDueCharges } from './payments/intents.ts'
import { expireAuthorizations, settleDueAuthorizationCharges } from './payments/authorizations.ts'

/**
 * Belvo's asynchronous side (INVENTORY 2.5, 4.3, 7): historical updates after a link is created,
 * updated or refreshed; `X-Belvo-Request-Mode: async` requests; scheduled refreshes of recurrent
 * links with new/updated/deleted data; data retention. Everything here runs as a job (jobs/),
 * is enqueued in the transaction of the change that causes it, and is idempotent: a retried job
 * upserts the same rows and re-sends webhooks with the same event ids.
 */

/** How far back a recurrent update looks for new, changed and removed transactions. */
export const RECURRENT_WINDOW_DAYS = 30

function daysBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10)
}

/** Stable event ids per job and resource: a retried job re-sends the same webhook, not a new one. */
function eventKey(jobId: string, part: string): string {
  return `${jobId}:${part}`
}

/** A resource's historical_update webhook (a historical update, or an async request's answer), sent once per job and resource. */
async function emitHistoricalUpdate(
  ctx: DomainContext,
  jobId: string,
  link: links.LinkRow,
  requestId: string,
  processType: ProcessType,
  resource: string,
  data: Record<string, unknown>,
): Promise<void> {
  await ctx.db.tx((tx) =>
    emitWebhook(tx, ctx, {
      organizationId: link.organization_id,
      linkId: link.id,
      externalId: link.external_id,
      requestId,
      webhookType: resource,
      webhookCode: 'historical_update',
      processType,
      data,
      eventKey: eventKey(jobId, resource),
    }),
  )
}

/** A historical_update webhook's data for a resource: the link's stored count (and for transactions, their span). */
export async function summaryFor(ctx: DomainContext, spec: ResourceSpec, linkId: string): Promise<Record<string, unknown>> {
  if (spec.background?.summary === 'transactions') return store.transactionSummary(ctx.db, linkId)
  const total = await store.countStored(ctx.db, spec.storage === 'accounts' ? 'accounts' : 'records', linkId, spec.recordKey)
  return { [`total_${spec.institutionResource.toLowerCase()}`]: total }
}

/** The same for one retrieval (an async request): its counts, not the link's totals. */
function retrievedSummary(spec: ResourceSpec, result: RetrieveResult): Record<string, unknown> {
  const tally = result.transactions
  if (spec.background?.summary === 'transactions' && tally) {
    return {
      total_transactions: result.total,
      total_inflow_transactions: tally.inflow,
      total_outflow_transactions: tally.outflow,
      first_transaction_date: tally.first,
      last_transaction_date: tally.last,
    }
  }
  return { [`total_${spec.institutionResource.toLowerCase()}`]: result.total }
}

/**
 * Fetches every requested resource of the link and sends one historical_update webhook per
 * resource, with Belvo's counts. A link whose credentials are refused turns invalid (LINK
 * invalid_credentials webhook); one that needs a token turns token_required (LINK token_required).
 */
export async function runHistoricalUpdate(ctx: DomainContext, jobId: string, job: HistoricalUpdateJob): Promise<void> {
  const actor: Actor = { organizationId: job.organizationId }
  const link = await links.findLink(ctx.db, job.organizationId, job.linkId)
  if (!link || link.status === 'unconfirmed') return
  const institution = ctx.connectors.institution(link.institution)
  if (!institution) return
  const where = { country: institution.country, shape: wireShape(institution) }
  const today = ctx.clock.now().toISOString().slice(0, 10)
  const token = job.sealedToken ? ctx.cipher.decrypt(job.sealedToken) : undefined
  const requested = job.resources ?? link.fetch_resources
  // In the registry's order (accounts first: others hang off them), what the link asks for, its
  // institution offers and the institution's connector serves.
  const specs = RESOURCES.filter(
    (spec) =>
      spec.background &&
      requested.includes(spec.background.fetchResource) &&
      institution.resources.includes(spec.background.fetchResource) &&
      existsAt(spec, where) &&
      connectorSupports(ctx, institution, spec),
  )
  for (const spec of specs) {
    const { fetchResource: resource, historyDays } = spec.background!
    if (await nothingToComputeFrom(ctx, spec, link.id)) continue
    const request = { link: link.id, token, date_from: daysBefore(today, historyDays), date_to: today }
    let failed: PonteError | undefined
    const ok = await inBackground(ctx, actor, jobId, link, job.requestId, job.processType, async () => {
      failed = await unlessResourceFault(() => retrieve(ctx, actor, spec, request, { collect: false, firstFetch: job.firstFetch }))
    })
    if (!ok) break
    // A resource a sandbox rule failed is reported as failed, and the others still come (partial success).
    const data = failed ? resourceErrorData(failed) : await summaryFor(ctx, spec, link.id)
    await emitHistoricalUpdate(ctx, jobId, link, job.requestId, job.processType, resource, data)
  }
  // A nostore link kept its credentials (sealed) for this fetch only: forget them now, however it
  // ended. A thrown error leaves them for the job's retries; they expire 15 minutes after the
  // creation anyway (NOSTORE_CREDENTIALS_SECONDS, applyRetention).
  if (link.credentials_storage === 'nostore') await links.updateLink(ctx.db, actor.organizationId, link.id, { credentials: null })
}

/**
 * Runs one resource's fetch. A sandbox fault rule that names the resource (domain/sandbox-faults.ts)
 * fails that resource alone: its error is returned, for the caller to report and go on with the
 * other resources (partial success); any other error is thrown as before.
 */
async function unlessResourceFault(run: () => Promise<unknown>): Promise<PonteError | undefined> {
  try {
    await run()
    return undefined
  } catch (error) {
    if (isResourceFault(error)) return error
    throw error
  }
}

/**
 * A resource computed from other stored records (employment metrics) with none of them stored:
 * a retrieval would be Belvo's 404, so a background update skips it rather than fail and retry.
 */
async function nothingToComputeFrom(ctx: DomainContext, spec: ResourceSpec, linkId: string): Promise<boolean> {
  return spec.computedFrom !== undefined && (await store.countStored(ctx.db, 'records', linkId, spec.computedFrom)) === 0
}

/** The data of Belvo's LINK webhooks that report a link stopped by its institution (INVENTORY 7.2). */
export const LINK_ERROR_DATA = {
  token_required: { error_code: 'token_required', error_message: 'A MFA token is required by the institution to login', status: 428 },
  invalid_credentials: { error_code: 'login_error', error_message: 'Invalid credentials provided to login to the institution', status: 400 },
} as const

/**
 * Runs a fetch on behalf of a link with nobody waiting on the other end: a refused login or a
 * token request becomes the link's new status and a LINK webhook. Returns false when it stopped.
 * Transient institution errors are rethrown so the job is retried with backoff.
 */
async function inBackground(
  ctx: DomainContext,
  actor: Actor,
  jobId: string,
  link: links.LinkRow,
  requestId: string,
  processType: ProcessType,
  run: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await run()
    return true
  } catch (error) {
    if (!(error instanceof PonteError)) throw error
    const code = error.code
    if (code === 'login_error' || code === 'invalid_link' || code === 'token_required') {
      const status = code === 'token_required' ? 'token_required' : 'invalid'
      await ctx.db.tx(async (tx) => {
        await links.updateLink(tx, actor.organizationId, link.id, { status })
        await emitWebhook(tx, ctx, {
          organizationId: actor.organizationId,
          linkId: link.id,
          externalId: link.external_id,
          requestId,
          webhookType: 'LINK',
          webhookCode: code === 'token_required' ? 'token_required' : 'invalid_credentials',
          processType,
          data: LINK_ERROR_DATA[code === 'token_required' ? 'token_required' : 'invalid_credentials'],
          eventKey: eventKey(jobId, 'LINK'),
        })
      })
      return false
    }
    // An expired consent stops the update; the link fetches again once the widget renews it.
    if (code === 'unsupported_operation' || code === 'unconfirmed_link' || code === 'consent_expired') return false
    throw error
  }
}

/**
 * A scheduled refresh of a recurrent link: new accounts, and the last RECURRENT_WINDOW_DAYS of
 * transactions compared with what is stored: new ones (new_transactions_available), changed ones
 * (transactions_updated), and ones the institution no longer reports, which are deleted
 * (transactions_deleted). Other resources of fetch_resources are refreshed silently.
 */
export async function runRecurrentUpdate(ctx: DomainContext, jobId: string, job: HistoricalUpdateJob): Promise<void> {
  const actor: Actor = { organizationId: job.organizationId }
  const link = await links.findLink(ctx.db, job.organizationId, job.linkId)
  if (!link || link.status !== 'valid' || link.access_mode !== 'recurrent') return
  const institution = ctx.connectors.institution(link.institution)
  if (!institution) return
  const where = { country: institution.country, shape: wireShape(institution) }
  const today = ctx.clock.now().toISOString().slice(0, 10)
  const period = { date_from: daysBefore(today, RECURRENT_WINDOW_DAYS), date_to: today }
  const emit = (webhookType: string, webhookCode: string, data: unknown) =>
    ctx.db.tx((tx) =>
      emitWebhook(tx, ctx, {
        organizationId: actor.organizationId,
        linkId: link.id,
        externalId: link.external_id,
        requestId: job.requestId,
        webhookType,
        webhookCode,
        processType: 'recurrent_update',
        data,
        eventKey: eventKey(jobId, webhookCode),
      }),
    )
  // A resource a sandbox rule fails is reported (historical_update webhook with the error) and skipped: the others go on.
  const background = (resource: string, run: () => Promise<unknown>) =>
    inBackground(ctx, actor, jobId, link, job.requestId, 'recurrent_update', async () => {
      const failed = await unlessResourceFault(run)
      if (!failed) return
      skipped.add(resource)
      await ctx.db.tx((tx) =>
        emitWebhook(tx, ctx, {
          organizationId: actor.organizationId,
          linkId: link.id,
          externalId: link.external_id,
          requestId: job.requestId,
          webhookType: resource,
          webhookCode: 'historical_update',
          processType: 'recurrent_update',
          data: resourceErrorData(failed),
          eventKey: eventKey(jobId, `${resource}:failed`),
        }),
      )
    })
  const skipped = new Set<string>()

  // What the institution's connector does not serve is skipped, as in historical updates.
  const served = (spec: ResourceSpec | undefined): spec is ResourceSpec => spec !== undefined && connectorSupports(ctx, institution, spec)
  // Only where the institution has accounts: an employment or fiscal institution has none.
  if (served(ACCOUNTS_RESOURCE) && institution.resources.includes(ACCOUNTS_RESOURCE.institutionResource)) {
    const accountChanges = newChanges()
    if (!(await background('ACCOUNTS', () => retrieve(ctx, actor, ACCOUNTS_RESOURCE, { link: link.id }, { collect: false, changes: accountChanges })))) return
    if (accountChanges.inserted.length > 0) await emit('ACCOUNTS', 'new_accounts_available', { new_accounts: accountChanges.inserted.length })
  }

  const transactions = backgroundResource('TRANSACTIONS', where)
  if (served(transactions) && link.fetch_resources.includes('TRANSACTIONS') && institution.resources.includes('TRANSACTIONS')) {
    const changes = newChanges()
    if (!(await background('TRANSACTIONS', () => retrieve(ctx, actor, transactions, { link: link.id, ...period }, { collect: false, changes })))) return
    // Failed by a sandbox rule: nothing was seen, and nothing is taken for deleted.
    if (!skipped.has('TRANSACTIONS')) {
      const stored = await store.transactionsInPeriod(ctx.db, link.id, period.date_from, period.date_to)
      const removed = stored.filter((t) => !changes.seen.has(t.internal_identification)).map((t) => t.id)
      await ctx.db.tx((tx) => store.deleteTransactions(tx, link.id, removed))
      if (changes.inserted.length > 0) await emit('TRANSACTIONS', 'new_transactions_available', { new_transactions: changes.inserted.length })
      if (changes.updated.length > 0) await emit('TRANSACTIONS', 'transactions_updated', { transactions: changes.updated })
      if (removed.length > 0) await emit('TRANSACTIONS', 'transactions_deleted', { transactions: removed })
    }
  }
  for (const resource of link.fetch_resources.filter((r) => r !== 'ACCOUNTS' && r !== 'TRANSACTIONS' && institution.resources.includes(r))) {
    const spec = backgroundResource(resource, where)
    if (!served(spec) || (await nothingToComputeFrom(ctx, spec, link.id))) continue
    if (!(await background(resource, () => retrieve(ctx, actor, spec, { link: link.id, ...period }, { collect: false })))) return
  }
}

/**
 * One pass of the scheduler (every worker runs it; claims are row-locked updates, so each due
 * link is enqueued once): due recurrent refreshes, a retention job (one at a time), consent
 * expiry with its advance notice (domain/consents.ts), and the sandbox payment network's
 * scheduled payments whose date has come (payments/intents.ts), and payment authorizations the
 * payer let expire (payments/authorizations.ts).
 */
export async function runScheduler(ctx: DomainContext): Promise<{
  refreshes: number
  consents: { rejected: number; expired: number; announced: number }
  settlements: number
  authorizationCharges: number
  authorizationsExpired: number
}> {
  const now = ctx.clock.now()
  const refreshes = await ctx.db.tx(async (tx) => {
    const due = await claimDueRefreshes(tx, now.toISOString())
    for (const link of due) {
      await enqueueForLink(
        ctx,
        tx,
        QUEUES.recurrentUpdate,
        link.id,
        {
          organizationId: link.organization_id,
          linkId: link.id,
          requestId: hex32(),
          processType: 'recurrent_update',
        } satisfies HistoricalUpdateJob,
        { singletonKey: `recurrent:${link.id}` },
      )
    }
    await ctx.jobs.send(tx, QUEUES.retention, {}, { singletonKey: 'retention' })
    return due.length
  })
  const consents = await runConsentSchedule(ctx, now)
  const settlements = await settleDueCharges(ctx, now)
  const authorizationCharges = await settleDueAuthorizationCharges(ctx, now)
  const authorizationsExpired = await expireAuthorizations(ctx, now)
  return { refreshes, consents, settlements, authorizationCharges, authorizationsExpired }
}

/**
 * Data retention: a link's data is deleted `stale_in` after its last update, and credentials are
 * forgotten when their `credentials_storage` period ends (single links). Expired widget-token
 * issuances and webhook events past their retention go too. Organizations on the server's clock, or
 * `organizationId` only (an advance of its sandbox clock, domain/sandbox-clock.ts).
 */
export async function applyRetention(
  ctx: DomainContext,
  now: Date,
  organizationId?: string,
): Promise<{ purged: number; forgotten: number; expiredWidgetTokens: number; oldWebhookEvents: number }> {
  const stale = await staleLinkIds(ctx.db, now.toISOString(), organizationId)
  for (const id of stale) {
    await ctx.db.tx(async (tx) => {
      await store.purgeLinkData(tx, id)
      await markDataPurged(tx, id)
    })
  }
  const forgotten = await forgetExpiredCredentials(ctx.db, now.toISOString(), organizationId)
  const expiredWidgetTokens = await deleteExpiredWidgetTokens(ctx.db, now.toISOString(), organizationId)
  // Webhook events' retention follows the server's clock only.
  const oldWebhookEvents = organizationId === undefined ? await deleteOldWebhookEvents(ctx, now) : 0
  return { purged: stale.length, forgotten, expiredWidgetTokens, oldWebhookEvents }
}

/** `X-Belvo-Request-Mode: async`: the 202's request_id comes back in the webhook. */
export async function runAsyncRequest(ctx: DomainContext, jobId: string, job: AsyncRequestJob): Promise<void> {
  const actor: Actor = { organizationId: job.organizationId }
  if (job.kind === 'delete_link') {
    const link = await links.findLink(ctx.db, job.organizationId, job.linkId!)
    await ctx.db.tx(async (tx) => {
      if (link) await links.deleteLink(tx, job.organizationId, link.id)
      await emitWebhook(tx, ctx, {
        organizationId: actor.organizationId,
        linkId: job.linkId!,
        externalId: link?.external_id ?? null,
        requestId: job.requestId,
        webhookType: 'LINK',
        webhookCode: 'link_deleted',
        processType: 'historical_update',
        data: {},
        eventKey: eventKey(jobId, 'link_deleted'),
      })
    })
    return
  }
  const spec = resourceNamed(job.resource!)
  const link = await links.findLink(ctx.db, job.organizationId, String(job.request!.link))
  if (!spec || !link) return
  const token = job.sealedToken ? ctx.cipher.decrypt(job.sealedToken) : undefined
  const resource = spec.institutionResource
  let retrieved: RetrieveResult | undefined
  let failed: PonteError | undefined
  const ok = await inBackground(ctx, actor, jobId, link, job.requestId, 'historical_update', async () => {
    failed = await unlessResourceFault(async () => {
      retrieved = await retrieve(ctx, actor, spec, { ...job.request, token }, { collect: false })
    })
  })
  if (!ok || !(retrieved || failed)) return
  // What this request retrieved (its period), as Belvo's webhook says: not the link's totals.
  const data = failed ? resourceErrorData(failed) : retrievedSummary(spec, retrieved!)
  await emitHistoricalUpdate(ctx, jobId, link, job.requestId, 'historical_update', resource, data)
}
