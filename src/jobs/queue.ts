import PgBoss from 'pg-boss'
import type { Logger } from '../lib/logger.ts'
import type { Db, Queryable } from '../store/db.ts'
import { observeJob } from './metrics.ts'

/**
 * Background jobs on PostgreSQL with pg-boss, on PGlite too (pg-boss accepts any object with
 * `executeSql`). A job is enqueued with the same transaction as the change that causes it, so a
 * rolled-back change never leaves a job behind and a committed one always has its job.
 */
export const QUEUES = {
  /** Fetch a link's resources and send historical_update webhooks. */
  historicalUpdate: 'link-historical-update',
  /** Scheduled refresh of a recurrent link: new/updated/deleted data webhooks. */
  recurrentUpdate: 'link-recurrent-update',
  /** `X-Belvo-Request-Mode: async` requests, answered by webhook. */
  asyncRequest: 'async-request',
  /** Data retention: stale data and expired credentials (stale_in, credentials_storage). */
  retention: 'retention',
} as const

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES]

/** Retries for infrastructure failures (the institution or the database hiccuping): 3 s, 6 s, 12 s ... */
const RETRY = { retryLimit: 5, retryDelay: 3, retryBackoff: true }

export interface Job<T> {
  id: string
  name: string
  data: T
  /** Retries already used, and allowed (pg-boss metadata). */
  retryCount?: number
  retryLimit?: number
}

export interface WorkOptions {
  pollingIntervalSeconds?: number
  concurrency?: number
  /** Each job's failure (and completion) is logged here and counted in jobs/metrics.ts. */
  log?: Logger
}

export interface JobQueue {
  /** Enqueues in the transaction `tx` (the caller's). `singletonKey` collapses duplicates. */
  send(tx: Queryable, name: QueueName, data: object, options?: { singletonKey?: string; startAfterSeconds?: number }): Promise<string | null>
  work<T>(name: QueueName, handler: (job: Job<T>) => Promise<void>, options?: WorkOptions): Promise<void>
  stopWork(): Promise<void>
  stop(): Promise<void>
  boss: PgBoss
}

function executor(db: Pick<Db, 'raw'> | Queryable) {
  return {
    executeSql: async (text: string, values?: unknown[]) => ({
      rows: 'raw' in db ? await db.raw(text, values) : await db.query(text, values),
    }),
  }
}

export interface QueueOptions {
  /** A job running longer is presumed abandoned (its worker died) and retried. */
  jobTimeoutSeconds?: number
  /** How often pg-boss looks for such jobs. */
  maintenanceSeconds?: number
  /**
   * No other process can be running jobs on this database (the embedded data directory is locked
   * to this one): a job left active was interrupted with its process, so it goes back to its queue
   * at once instead of after `jobTimeoutSeconds`.
   */
  soleProcess?: boolean
  /** pg-boss's own background errors (maintenance, polling) go here. */
  log?: Logger
}

/** Installs pg-boss's schema (its own migrations, under an advisory lock) and creates Ponte's queues. */
export async function openQueue(db: Db, options: QueueOptions = {}): Promise<JobQueue> {
  const boss = new PgBoss({
    db: executor(db) as PgBoss.Db,
    schema: 'pgboss',
    // Completed jobs are kept a day for inspection, then archived and deleted by pg-boss.
    archiveCompletedAfterSeconds: 86_400,
    deleteAfterDays: 7,
    monitorStateIntervalSeconds: 60,
    maintenanceIntervalSeconds: options.maintenanceSeconds ?? 60,
  })
  boss.on('error', (error) => options.log?.error({ error: error.message }, 'job queue error'))
  await boss.start()
  for (const name of Object.values(QUEUES)) {
    await boss.createQueue(name, { name, ...RETRY, expireInSeconds: options.jobTimeoutSeconds ?? 900 })
  }
  if (options.soleProcess) await requeueInterrupted(db, boss)
  let working = false
  return {
    boss,
    async send(tx, name, data, options = {}) {
      return boss.send(name, data, {
        db: executor(tx) as PgBoss.Db,
        ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
        ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
      })
    },
    async work<T>(name: QueueName, handler: (job: Job<T>) => Promise<void>, options: WorkOptions = {}) {
      working = true
      for (let i = 0; i < (options.concurrency ?? 2); i++) {
        // pg-boss fetches once per polling interval; waking the worker when a job ends makes a
        // busy queue drain back to back, while an empty one still waits the interval.
        const workerId: string = await boss.work<T>(name, { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5, includeMetadata: true }, async ([job]) => {
          try {
            await observeJob(name, job, options.log, () => handler(job))
          } finally {
            boss.notifyWorker(workerId)
          }
        })
      }
    },
    async stopWork() {
      if (!working) return
      for (const name of Object.values(QUEUES)) await boss.offWork(name)
      working = false
    },
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 })
    },
  }
}

/** Fails the jobs a stopped process left active; pg-boss retries them while they have retries left. */
async function requeueInterrupted(db: Db, boss: PgBoss): Promise<void> {
  const active = await db.query<{ id: string; name: string }>(
    `SELECT id, name FROM pgboss.job WHERE state = 'active' AND name = ANY($1::text[])`, [Object.values(QUEUES)],
  )
  for (const job of active) await boss.fail(job.name, job.id, { message: 'interrupted: the process running it stopped' })
}
