import type { DomainContext } from './domain/context.ts'
import type { AsyncRequestJob, HistoricalUpdateJob } from './domain/schedule.ts'
import { applyRetention, runAsyncRequest, runHistoricalUpdate, runRecurrentUpdate, runScheduler } from './domain/sync.ts'
import { WebhookDispatcher } from './jobs/dispatcher.ts'
import { QUEUES } from './jobs/queue.ts'
import type { Logger } from './lib/logger.ts'
import { contextualClock } from './lib/clock.ts'
import { underOrganizationTime } from './domain/sandbox-clock.ts'
import { jobStream, underOrganizationIds } from './domain/sandbox-seed.ts'

export interface WorkerOptions {
  /** How often due recurrent refreshes and retention are looked for. */
  schedulerIntervalMs?: number
  /** pg-boss polling interval (seconds, at least 0.5). */
  pollingIntervalSeconds?: number
  /** Webhook dispatcher polling interval. */
  deliveryIntervalMs?: number
  /** Job failures and completions, webhook attempts, scheduler failures (lib/logger.ts). */
  log?: Logger
}

export interface Worker {
  dispatcher: WebhookDispatcher
  stop(): Promise<void>
}

/**
 * Everything that runs in the background: job handlers, webhook deliveries and the scheduler. A
 * composition root (as app.ts): it wires the domain's handlers to the queue, so jobs/ never
 * imports the domain.
 * Runs inside `ponte serve` by default and alone in `ponte worker` processes; any number of them
 * can share one PostgreSQL (jobs and deliveries are claimed with SKIP LOCKED).
 */
export async function startWorker(base: DomainContext, options: WorkerOptions = {}): Promise<Worker> {
  // Jobs of an organization with a sandbox clock run under its time (domain/sandbox-clock.ts).
  const ctx = { ...base, clock: contextualClock(base.clock) }
  // Their ids come from its sandbox seed, if it has one (domain/sandbox-seed.ts), in a stream
  // named by the queue and the job's cause.
  const timed =
    <T extends { organizationId: string; requestId: string }>(run: (id: string, data: T) => Promise<void>, queue: string) =>
    (job: { id: string; data: T }) =>
      underOrganizationTime(ctx, job.data.organizationId, () =>
        underOrganizationIds(ctx, job.data.organizationId, jobStream(queue, job.data), () => run(job.id, job.data)),
      )
  const log = options.log
  const polling = { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5, log }
  await ctx.jobs.work<HistoricalUpdateJob>(
    QUEUES.historicalUpdate,
    timed((id, data) => runHistoricalUpdate(ctx, id, data), QUEUES.historicalUpdate),
    polling,
  )
  await ctx.jobs.work<HistoricalUpdateJob>(
    QUEUES.recurrentUpdate,
    timed((id, data) => runRecurrentUpdate(ctx, id, data), QUEUES.recurrentUpdate),
    polling,
  )
  await ctx.jobs.work<AsyncRequestJob>(
    QUEUES.asyncRequest,
    timed((id, data) => runAsyncRequest(ctx, id, data), QUEUES.asyncRequest),
    polling,
  )
  await ctx.jobs.work(
    QUEUES.retention,
    async () => {
      await applyRetention(ctx, ctx.clock.now())
    },
    { ...polling, concurrency: 1 },
  )

  const dispatcher = new WebhookDispatcher(
    { db: ctx.db, clock: ctx.clock, cipher: ctx.cipher, log },
    { ...ctx.webhooks, pollIntervalMs: options.deliveryIntervalMs },
  )
  dispatcher.start()

  let scheduling = Promise.resolve()
  const timer = setInterval(() => {
    scheduling = runScheduler(ctx).then(
      () => {},
      (error) => log?.error({ error: error instanceof Error ? error.message : String(error) }, 'scheduler failed'),
    )
  }, options.schedulerIntervalMs ?? 15_000)
  timer.unref()

  return {
    dispatcher,
    async stop() {
      clearInterval(timer)
      await scheduling
      await ctx.jobs.stopWork()
      await dispatcher.stop()
    },
  }
}
