import { PonteError } from '../lib/errors.ts'
import type { Db } from '../store/db.ts'
import { QUEUES, type JobQueue } from './queue.ts'
import { jobRunners } from './tracking.ts'

export interface JobSummary {
  id: string
  queue: string
  state: string
  retry_count: number
  retry_limit: number
  created_on: string
  started_on: string | null
  completed_on: string | null
  /** The handler's error for failed jobs (pg-boss keeps it as the job's output). */
  output: unknown
  data: Record<string, unknown>
  /** Active jobs: the process running it (`host:pid`) and whether it stopped beating (jobs/tracking.ts). */
  worker: string | null
  stalled: boolean
}

export const QUEUE_NAMES: string[] = Object.values(QUEUES)

export interface ListJobsOptions {
  state?: string
  queue?: string
  /** Queues left out unless `queue` names one of them (the retention queue's routine runs). */
  hideQueues?: string[]
  limit?: number
  /** A job id: only jobs older than it (the last id of the previous page). */
  before?: string
}

/**
 * Jobs for operators (`ponte jobs list`): newest first, optionally one state (created, retry,
 * active, completed, cancelled, failed). Sealed secrets in job data are left out. Pages follow
 * (created_on, id), so jobs created while someone pages do not shift the pages.
 */
export async function listJobs(db: Db, options: ListJobsOptions = {}): Promise<JobSummary[]> {
  // Before any process has started the queue there is no pgboss schema yet, and no job.
  const [schema] = await db.query<{ present: boolean }>("SELECT to_regclass('pgboss.job') IS NOT NULL AS present")
  if (!schema.present) {
    if (options.before) throw new PonteError('not_found', { field: 'before' })
    return []
  }
  if (options.before) {
    const cursor = await db.query('SELECT 1 FROM pgboss.job WHERE id = $1::uuid AND name = ANY($2::text[])', [options.before, QUEUE_NAMES])
    if (cursor.length === 0) throw new PonteError('not_found', { field: 'before' })
  }
  const hidden = (options.hideQueues ?? []).filter((name) => name !== options.queue)
  const rows = await db.query<JobSummary & { data: Record<string, unknown> }>(
    `SELECT id, name AS queue, state::text AS state, retry_count, retry_limit, created_on::text, started_on::text, completed_on::text, output, data
     FROM pgboss.job WHERE name = ANY($1::text[]) AND ($2::text IS NULL OR state::text = $2) AND ($3::text IS NULL OR name = $3)
       AND NOT (name = ANY($5::text[]))
       AND ($6::uuid IS NULL OR (created_on, id) < (SELECT created_on, id FROM pgboss.job WHERE id = $6::uuid AND name = ANY($1::text[])))
     ORDER BY created_on DESC, id DESC LIMIT $4`,
    [QUEUE_NAMES, options.state ?? null, options.queue ?? null, options.limit ?? 100, hidden, options.before ?? null],
  )
  const runners = await jobRunners(
    db,
    rows.filter((job) => job.state === 'active').map((job) => job.id),
  )
  return rows.map(({ data, ...job }) => {
    const { sealedToken: _sealed, ...visible } = data ?? {}
    return { ...job, data: visible, worker: runners.get(job.id)?.worker ?? null, stalled: runners.get(job.id)?.stalled ?? false }
  })
}

/** Puts a failed (dead) job back in the queue (`ponte jobs retry ID`). */
export async function retryJob(db: Db, queue: JobQueue, id: string): Promise<boolean> {
  const rows = await db.query<{ name: string; state: string }>('SELECT name, state::text AS state FROM pgboss.job WHERE id = $1 AND name = ANY($2::text[])', [
    id,
    QUEUE_NAMES,
  ])
  if (rows.length === 0 || rows[0].state !== 'failed') return false
  await queue.boss.retry(rows[0].name, id)
  // A fresh start: the dead-worker interruptions it used up (jobs/tracking.ts) are forgiven too.
  await db.query('UPDATE job_tracking SET interruptions = 0 WHERE job_id = $1', [id])
  return true
}
