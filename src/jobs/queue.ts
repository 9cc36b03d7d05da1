import PgBoss from 'pg-boss'
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Logger } from '../lib/logger.ts'
import type { Db, Queryable } from '../store/db.ts'
import { observeJob } from './metrics.ts'
import {
  beat,
  DEFAULT_TRACKING,
  finishJob,
  handOverDeadWorkers,
  interrupt,
  pruneTracking,
  registerWorker,
  startJob,
  trackJob,
  unregisterWorker,
  type TrackingSettings,
} from './tracking.ts'

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
  /**
   * When this attempt started (pg-boss metadata): text, as both stores read timestamps (typed Date
   * by pg-boss), so it keeps PostgreSQL's microseconds and fences the attempt against later ones.
   */
  startedOn?: string | Date
}

export interface SendOptions {
  /** pg-boss's singletonKey (it collapses duplicates only on queues with a singleton, stately or short policy, or with a throttle). */
  singletonKey?: string
  startAfterSeconds?: number
  /**
   * Jobs of one line (Ponte gives each link one: lineOf) run one at a time, in the order they
   * were enqueued, across every process (jobs/tracking.ts).
   */
  line?: string
}

export interface WorkOptions {
  pollingIntervalSeconds?: number
  concurrency?: number
  /** Background failures (a heartbeat not written, a process presumed dead while alive). */
  /**
   * Each job's failure (and completion), counted in jobs/metrics.ts too, and background failures
   * (a heartbeat not written, a process presumed dead while alive).
   */
  log?: Logger
}

export interface JobQueue {
  /** Enqueues in the transaction `tx` (the caller's). */
  send(tx: Queryable, name: QueueName, data: object, options?: SendOptions): Promise<string | null>
  /**
   * Runs `handler` for the jobs of `name`, `concurrency` at a time. The first call registers this
   * process as a worker: it beats a heartbeat and hands the jobs of dead workers over.
   */
  work<T>(name: QueueName, handler: (job: Job<T>) => Promise<void>, options?: WorkOptions): Promise<void>
  /** Stops fetching, waits for the running jobs, and unregisters this worker. */
  stopWork(): Promise<void>
  stop(): Promise<void>
  /** This process as a worker, once it works. */
  readonly workerId: string
  boss: PgBoss
}

/** The line of a link's jobs: they run one at a time, in order. */
export function lineOf(linkId: string): string {
  return `link:${linkId}`
}

function executor(db: Pick<Db, 'raw'> | Queryable) {
  return {
    executeSql: async (text: string, values?: unknown[]) => ({
      rows: 'raw' in db ? await db.raw(text, values) : await db.query(text, values),
    }),
  } as PgBoss.Db
}

export interface QueueOptions {
  /** A job running longer is presumed abandoned and retried: the last resort when a dead worker was not detected. */
  jobTimeoutSeconds?: number
  /** How often pg-boss looks for such jobs. */
  maintenanceSeconds?: number
  /**
   * No other process can be running jobs on this database (the embedded data directory is locked
   * to this one): a job left active was interrupted with its process, so it goes back to its queue
   * at once instead of after `jobTimeoutSeconds`.
   */
  soleProcess?: boolean
  /** Heartbeat of working processes and when a silent one is presumed dead. */
  tracking?: TrackingSettings
  /** pg-boss's own background errors (maintenance, polling) and the worker's, until work() gives its own. */
  log?: Logger
}

const QUEUE_NAMES: string[] = Object.values(QUEUES)
/** How long stopping waits for running jobs before giving them back to their queues. */
const STOP_GRACE_MS = 10_000

/** Installs pg-boss's schema (its own migrations, under an advisory lock) and creates Ponte's queues. */
export async function openQueue(db: Db, options: QueueOptions = {}): Promise<JobQueue> {
  let log: Logger | undefined = options.log
  const boss = new PgBoss({
    db: executor(db),
    schema: 'pgboss',
    // Completed jobs are kept a day for inspection, then archived and deleted by pg-boss.
    archiveCompletedAfterSeconds: 86_400,
    deleteAfterDays: 7,
    monitorStateIntervalSeconds: 60,
    maintenanceIntervalSeconds: options.maintenanceSeconds ?? 60,
  })
  boss.on('error', (error) => log?.error({ error: error.message }, 'job queue error'))
  await boss.start()
  for (const name of QUEUE_NAMES) {
    await boss.createQueue(name, { name, ...RETRY, expireInSeconds: options.jobTimeoutSeconds ?? 900 })
  }
  if (options.soleProcess) await requeueInterrupted(db, boss)
  const settings = options.tracking ?? DEFAULT_TRACKING
  const workerId = randomUUID()
  const runners: Runner[] = []
  let watch: ReturnType<typeof setInterval> | undefined
  let watching: Promise<void> = Promise.resolve()
  let passes = 0

  const watchOthers = async () => {
    if (!(await beat(db, workerId))) {
      log?.error({ worker: workerId }, 'this worker was presumed dead (no heartbeat written in time): its jobs were handed to others')
      await registerWorker(db, { id: workerId, host: hostname(), pid: process.pid }, settings)
    }
    // The embedded database has no other process whose jobs could be handed over.
    const handed = options.soleProcess ? 0 : await handOverDeadWorkers(db, boss, QUEUE_NAMES, settings, workerId, executor)
    if (handed > 0) log?.warn({ jobs: handed }, 'jobs of a dead worker handed over')
    if (++passes % 60 === 0) await pruneTracking(db)
  }

  return {
    boss,
    workerId,
    async send(tx, name, data, options = {}) {
      const id = await boss.send(name, data, {
        db: executor(tx),
        ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
        ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
      })
      if (id) await trackJob(tx, { id, name }, options.line ?? null)
      return id
    },
    async work<T>(name: QueueName, handler: (job: Job<T>) => Promise<void>, options: WorkOptions = {}) {
      if (options.log) log = options.log
      if (!watch) {
        await registerWorker(db, { id: workerId, host: hostname(), pid: process.pid }, settings)
        watch = setInterval(() => {
          watching = watching.then(watchOthers).catch((error) => log?.error({ error: errorText(error) }, 'worker heartbeat failed'))
        }, settings.heartbeatSeconds * 1000)
        watch.unref()
      }
      for (let i = 0; i < (options.concurrency ?? 2); i++) {
        const runner = new Runner(
          db,
          boss,
          name,
          workerId,
          handler as (job: Job<unknown>) => Promise<void>,
          (options.pollingIntervalSeconds ?? 0.5) * 1000,
          log,
        )
        runners.push(runner)
        runner.start()
      }
    },
    async stopWork() {
      if (!watch) return
      await Promise.all(runners.splice(0).map((r) => r.stop(STOP_GRACE_MS)))
      clearInterval(watch)
      watch = undefined
      await watching
      await unregisterWorker(db, workerId)
    },
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 })
    },
  }
}

/**
 * One job at a time from one queue: fetch, start (jobs/tracking: its line may defer it), run,
 * finish (fenced by the attempt). A busy queue drains back to back; an empty one is polled every
 * `intervalMs`.
 */
class Runner {
  private stopping = false
  /** The attempt being run, to give it back if stopping takes too long. */
  private current: { job: Job<unknown>; attempt: string } | undefined
  private loop: Promise<void> = Promise.resolve()
  private wake: (() => void) | undefined

  constructor(
    private readonly db: Db,
    private readonly boss: PgBoss,
    private readonly name: string,
    private readonly workerId: string,
    private readonly handler: (job: Job<unknown>) => Promise<void>,
    private readonly intervalMs: number,
    private readonly log: Logger | undefined,
  ) {}

  start(): void {
    this.loop = this.run()
  }

  /**
   * Lets the running job finish for up to `graceMs`; one still running then is given back to its
   * queue for another worker (its late outcome here is fenced out), instead of waiting for this
   * process to be presumed dead.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true
    this.wake?.()
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs)
    })
    const outcome = await Promise.race([this.loop, late])
    clearTimeout(timer)
    if (outcome === 'late' && this.current) {
      const { job, attempt } = this.current
      await interrupt(this.db, this.boss, job, attempt, 'interrupted: its worker stopped', executor)
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let worked = false
      try {
        const [job] = await this.boss.fetch<unknown>(this.name, { batchSize: 1, includeMetadata: true })
        if (job) {
          worked = true
          await this.runOne(job)
        }
      } catch (error) {
        this.log?.error({ error: errorText(error), queue: this.name }, 'job runner failed')
      }
      if (!worked && !this.stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.intervalMs)
          this.wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        this.wake = undefined
      }
    }
  }

  private async runOne(job: Job<unknown>): Promise<void> {
    const start = await startJob(this.db, job, this.workerId)
    if (!start.run) return
    this.current = { job, attempt: start.attempt }
    let failure: unknown
    try {
      await observeJob(this.name, job, this.log, () => this.handler(job))
    } catch (error) {
      failure = error ?? new Error('job failed')
    } finally {
      this.current = undefined
    }
    const current = await finishJob(this.db, this.boss, job, start.attempt, failure, executor)
    if (!current) this.log?.warn({ job_id: job.id, queue: this.name }, 'a job ended after it was handed to another worker (this one was presumed dead)')
  }
}

/** Gives back the jobs a stopped process left active (see QueueOptions.soleProcess). */
async function requeueInterrupted(db: Db, boss: PgBoss): Promise<void> {
  const active = await db.query<{ id: string; name: string; attempt: string }>(
    `SELECT id, name, started_on::text AS attempt FROM pgboss.job WHERE state = 'active' AND name = ANY($1::text[])`,
    [QUEUE_NAMES],
  )
  for (const job of active) await interrupt(db, boss, job, job.attempt, 'interrupted: the process running it stopped', executor)
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
