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

const QUEUE_NAMES: string[] = Object.values(QUEUES)

/**
 * Jobs for operators (`ponte jobs list`): newest first, optionally one state (created, retry,
 * active, completed, cancelled, failed). Sealed secrets in job data are left out.
 */
export async function listJobs(db: Db, options: { state?: string; queue?: string; limit?: number } = {}): Promise<JobSummary[]> {
  const rows = await db.query<JobSummary & { data: Record<string, unknown> }>(
    `SELECT id, name AS queue, state::text AS state, retry_count, retry_limit, created_on::text, started_on::text, completed_on::text, output, data
     FROM pgboss.job WHERE name = ANY($1::text[]) AND ($2::text IS NULL OR state::text = $2) AND ($3::text IS NULL OR name = $3)
     ORDER BY created_on DESC LIMIT $4`,
    [QUEUE_NAMES, options.state ?? null, options.queue ?? null, options.limit ?? 100],
  )
  const runners = await jobRunners(db, rows.filter((job) => job.state === 'active').map((job) => job.id))
  return rows.map(({ data, ...job }) => {
    const { sealedToken: _sealed, ...visible } = data ?? {}
    return { ...job, data: visible, worker: runners.get(job.id)?.worker ?? null, stalled: runners.get(job.id)?.stalled ?? false }
  })
}

/** Puts a failed (dead) job back in the queue (`ponte jobs retry ID`). */
export async function retryJob(db: Db, queue: JobQueue, id: string): Promise<boolean> {
  const rows = await db.query<{ name: string; state: string }>('SELECT name, state::text AS state FROM pgboss.job WHERE id = $1 AND name = ANY($2::text[])', [id, QUEUE_NAMES])
  if (rows.length === 0 || rows[0].state !== 'failed') return false
  await queue.boss.retry(rows[0].name, id)
  return true
}
