import { performance } from 'node:perf_hooks'
import { Counter, Gauge, Histogram, type Metric } from 'prom-client'
import type { Logger } from '../lib/logger.ts'
import type { Db } from '../store/db.ts'
import { pendingDeliveryStats } from '../store/webhooks.ts'
import { activity } from './tracking.ts'

/**
 * What the background work reports to /metrics: jobs completed and failed per queue, webhook
 * attempts by outcome with their latency (counted where they finish, in this process), and, read
 * from the database at scrape time, how many jobs wait in each queue and for how long.
 * The counters belong to the process (its job runner and dispatcher), not to one HTTP app: they are
 * registered in no registry here, and http/plugins/metrics.ts adds them to the app's.
 */
const jobsCompleted = new Counter({
  name: 'ponte_jobs_completed_total',
  help: 'Background jobs that finished, by queue',
  labelNames: ['queue'],
  registers: [],
})
const jobsFailed = new Counter({
  name: 'ponte_jobs_failed_total',
  help: 'Background job runs that failed, by queue; will_retry="false" when no retry was left (the job is dead)',
  labelNames: ['queue', 'will_retry'],
  registers: [],
})

export type DeliveryOutcome = 'succeeded' | 'retrying' | 'failed'

const deliveries = new Counter({
  name: 'ponte_webhook_deliveries_total',
  help: 'Webhook delivery attempts by outcome: succeeded, retrying (failed, another attempt is scheduled) or failed (no retries left)',
  labelNames: ['outcome'],
  registers: [],
})
const deliveryLatency = new Histogram({
  name: 'ponte_webhook_delivery_duration_seconds',
  help: 'Webhook delivery attempt latency (request sent to response or error), by outcome',
  labelNames: ['outcome'],
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [],
})

/** Counts one webhook attempt (WebhookDispatcher, once per attempt). */
export function recordDelivery(outcome: DeliveryOutcome, latencyMs: number): void {
  deliveries.labels(outcome).inc()
  deliveryLatency.labels(outcome).observe(latencyMs / 1000)
}

/** Enough of a pg-boss job (fetched with its metadata) to say which one failed and whether it comes back. */
export interface ObservedJob {
  id: string
  data: unknown
  retryCount?: number
  retryLimit?: number
}

/**
 * Runs a job handler, counts its outcome and logs it. A failure is logged with the job id, queue,
 * link and reason, at warn while retries remain and at error when the job is dead, then rethrown
 * for pg-boss to record. Job data is never logged whole: it may hold a sealed MFA token.
 * A link's jobs log their completion at info (the trail of what happened to a link); housekeeping
 * (retention, every 15 s per worker) at debug, where it does not drown the rest.
 */
export async function observeJob(queue: string, job: ObservedJob, log: Logger | undefined, run: () => Promise<void>): Promise<void> {
  const started = performance.now()
  const linkId = linkOf(job.data)
  try {
    await run()
  } catch (error) {
    const willRetry = (job.retryCount ?? 0) < (job.retryLimit ?? 0)
    jobsFailed.labels(queue, String(willRetry)).inc()
    log?.[willRetry ? 'warn' : 'error'](
      {
        job_id: job.id,
        queue,
        link_id: linkId,
        retry_count: job.retryCount,
        retry_limit: job.retryLimit,
        error: error instanceof Error ? error.message : String(error),
        ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
      },
      willRetry ? 'job failed, will retry' : 'job failed, no retries left',
    )
    throw error
  }
  jobsCompleted.labels(queue).inc()
  log?.[linkId ? 'info' : 'debug']({ job_id: job.id, queue, link_id: linkId, duration_ms: Math.round(performance.now() - started) }, 'job completed')
}

/** The link a job works on: `linkId` (link jobs, async deletes) or the async request's `link`. */
function linkOf(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined
  const { linkId, request } = data as { linkId?: unknown; request?: { link?: unknown } }
  const id = linkId ?? request?.link
  return typeof id === 'string' ? id : undefined
}

/** One row per queue with work waiting: how many jobs, and since when the oldest due one waits. */
interface QueueStats {
  queue: string
  depth: number
  oldest_seconds: number
}

/** The webhook deliveries' table is a queue too; it reports under this name. */
export const DELIVERY_QUEUE = 'webhook-deliveries'

/**
 * Scrape-time gauges: queue depth and the age of the oldest due job per pg-boss queue (one query
 * on pg-boss's fetch index: waiting jobs only, never the completed ones kept for a day) and the
 * same for pending webhook deliveries (one query on their due index), read once per scrape. A
 * database that does not answer leaves them empty rather than failing the whole scrape.
 */
function queueGauges(db: Db, queues: readonly string[]): Metric[] {
  // The depth gauge reads (it is collected first) and the age gauge reuses that reading.
  let reading: Promise<QueueStats[]> | undefined
  const read = () => queueStats(db, queues).catch(() => [])
  const depth: Gauge = new Gauge({
    name: 'ponte_queue_depth',
    help: 'Jobs waiting to run (queued or waiting for a retry), by queue; webhook-deliveries counts pending deliveries',
    labelNames: ['queue'],
    registers: [],
    async collect() {
      reading = read()
      depth.reset()
      for (const row of await reading) depth.labels(row.queue).set(row.depth)
    },
  })
  const age: Gauge = new Gauge({
    name: 'ponte_queue_oldest_waiting_seconds',
    help: 'How long the oldest job that is due has waited to start, by queue (0: none is due)',
    labelNames: ['queue'],
    registers: [],
    async collect() {
      const rows = await (reading ?? read())
      reading = undefined
      age.reset()
      for (const row of rows) age.labels(row.queue).set(row.oldest_seconds)
    },
  })
  return [depth, age]
}

async function queueStats(db: Db, queues: readonly string[]): Promise<QueueStats[]> {
  const [jobs, pending] = await Promise.all([
    db.query<{ queue: string; depth: string; oldest_seconds: string | null }>(
      `SELECT name AS queue, count(*) AS depth,
              COALESCE(EXTRACT(EPOCH FROM now() - min(start_after) FILTER (WHERE start_after <= now())), 0) AS oldest_seconds
         FROM pgboss.job WHERE state < 'active' AND name = ANY($1::text[]) GROUP BY name`,
      [queues],
    ),
    pendingDeliveryStats(db),
  ])
  const waiting = new Map(jobs.map((row) => [row.queue, { depth: Number(row.depth), oldest_seconds: Math.max(0, Number(row.oldest_seconds ?? 0)) }]))
  // Every queue reports, an empty one as 0, so a dashboard tells "empty" from "not scraped".
  return [
    ...queues.map((queue) => ({ queue, ...(waiting.get(queue) ?? { depth: 0, oldest_seconds: 0 }) })),
    { queue: DELIVERY_QUEUE, depth: pending.depth, oldest_seconds: pending.oldestSeconds },
  ]
}

/**
 * Jobs being run, split into running and stalled (their worker stopped beating and they are not
 * handed over yet: jobs/tracking.ts), read at scrape time across the cluster. A stalled count that
 * stays above 0 for longer than PONTE_WORKER_DEAD_AFTER_SECONDS means no live worker is watching.
 */
function activeJobsGauge(db: Db, queues: readonly string[]): Metric {
  const gauge: Gauge = new Gauge({
    name: 'ponte_jobs_active',
    help: 'Jobs being run across the cluster: state="running", or "stalled" when their worker stopped beating',
    labelNames: ['state'],
    registers: [],
    async collect() {
      const counts = await activity(db, [...queues]).catch(() => undefined)
      gauge.reset()
      if (!counts) return
      gauge.labels('running').set(counts.running)
      gauge.labels('stalled').set(counts.stalled)
    },
  })
  return gauge
}

/** Everything above, for the HTTP app's registry (app.ts hands them to http/plugins/metrics.ts). */
export function backgroundMetrics(db: Db, queues: readonly string[]): Metric[] {
  return [jobsCompleted, jobsFailed, deliveries, deliveryLatency, ...queueGauges(db, queues), activeJobsGauge(db, queues)]
}
