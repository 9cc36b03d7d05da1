import type { Queryable } from '../store/db.ts'
import { lineOf, QUEUES, type QueueName, type SendOptions } from '../jobs/queue.ts'
import type { DomainContext } from './context.ts'

/**
 * How background work on a link is enqueued and when recurrent links come due: the jobs' payloads,
 * the link's line of jobs, the refresh rates. A leaf of the domain: links, resources, sandbox
 * simulations and the sync handlers (sync.ts) all enqueue through it.
 */

export type ProcessType = 'historical_update' | 'recurrent_update'

export interface HistoricalUpdateJob {
  organizationId: string
  linkId: string
  requestId: string
  processType: ProcessType
  /** Resources to fetch; the link's fetch_resources when absent. */
  resources?: string[]
  /** A token given with the request that started this (MFA institutions), sealed with the cipher. */
  sealedToken?: string
  /** The fetch that follows the link's creation: the only one a `nostore` link's credentials serve. */
  firstFetch?: boolean
}

export interface AsyncRequestJob {
  organizationId: string
  requestId: string
  kind: 'retrieve' | 'delete_link'
  /** Resource name (ResourceSpec.name) for retrieves. */
  resource?: string
  request?: Record<string, unknown>
  linkId?: string
  /** Sealed token, as for historical updates. */
  sealedToken?: string
}

/**
 * Enqueues background work on a link in `tx` (the transaction of the change that causes it). All
 * of a link's jobs (historical and recurrent updates, async requests and deletions) share its line:
 * they run one at a time, in this order, so a refresh cannot overtake a simulated change.
 */
export async function enqueueForLink(
  ctx: DomainContext,
  tx: Queryable,
  queue: QueueName,
  linkId: string,
  data: object,
  options: Omit<SendOptions, 'line'> = {},
): Promise<void> {
  await ctx.jobs.send(tx, queue, data, { ...options, line: lineOf(linkId) })
}

/** Enqueues a historical update in `tx` (the transaction that created, updated or refreshed the link). */
export async function scheduleHistoricalUpdate(ctx: DomainContext, tx: Queryable, job: HistoricalUpdateJob): Promise<void> {
  await enqueueForLink(ctx, tx, QUEUES.historicalUpdate, job.linkId, job)
}

const RATE_SECONDS: Record<string, number> = { '6h': 21_600, '12h': 43_200, '24h': 86_400, '7d': 604_800, '30d': 2_592_000 }

/** When a recurrent link with this refresh_rate is next due after `from`. */
export function nextRefreshAt(from: Date, refreshRate: string | null): string | null {
  const seconds = refreshRate ? RATE_SECONDS[refreshRate] : undefined
  return seconds ? new Date(from.getTime() + seconds * 1000).toISOString() : null
}
