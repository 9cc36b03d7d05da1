import type PgBoss from 'pg-boss'
import type { Db, Queryable } from '../store/db.ts'

/**
 * Ponte's bookkeeping beside pg-boss's tables (migration 0010): which process runs which job, a
 * heartbeat per process, and lines of jobs that run one at a time in the order they were enqueued.
 *
 * - A process that runs jobs registers in `job_workers` and beats every `heartbeatSeconds`. Every
 *   such process also watches the others: the active jobs of one silent for `deadAfterSeconds` go
 *   back to their queue at once (a SIGKILLed worker's fetch resumes elsewhere within seconds; the
 *   job timeout stays as the last resort).
 * - Each job has a row in `job_tracking`, written in the transaction that enqueues it. Jobs of one
 *   line (every job of one link) start only when no other job of the line is running and none
 *   enqueued before it is still waiting; otherwise they are deferred, which costs no attempt.
 * - Every attempt is fenced by its pgboss.job `started_on`: an attempt that was taken away (its
 *   process was presumed dead) or deferred cannot complete or fail the job's next attempt.
 */

export interface TrackingSettings {
  /** How often a working process writes its heartbeat and looks for dead ones. */
  heartbeatSeconds: number
  /** A process silent this long is presumed dead and its jobs are given to others. */
  deadAfterSeconds: number
}

export const DEFAULT_TRACKING: TrackingSettings = { heartbeatSeconds: 5, deadAfterSeconds: 15 }

/**
 * A dead worker is no fault of the job it was running: the first FREE_INTERRUPTIONS times, the
 * interrupted attempt is given back (and the job retried at once). A job that keeps losing its
 * worker is likely what kills it (memory, a crash in the handler): from then on an interruption
 * counts as a failed attempt, with the usual backoff, so the job ends dead instead of felling
 * workers forever.
 */
export const FREE_INTERRUPTIONS = 2

/**
 * A job deferred behind its line is woken as soon as the job before it finishes (wakeLine); this
 * is only the latest it is looked at again (when that job ends dead, cancelled, or in another way
 * than through this module).
 */
const DEFER_SECONDS = 5

/** A fetched job with no worker recorded yet, for this long, counts as stalled (its process died between fetch and start). */
const UNRECORDED_GRACE_SECONDS = 10

/**
 * When an active job is stalled: its worker missed two heartbeats (or is gone, or none was ever
 * recorded for a while). `j`: pgboss.job, `w`: job_workers (left-joined through job_tracking).
 */
const STALLED = `(CASE WHEN w.id IS NULL THEN j.started_on < now() - interval '${UNRECORDED_GRACE_SECONDS} seconds'
  ELSE w.beat_at < now() - 2 * w.heartbeat_seconds * interval '1 second' END)`

export interface JobRef {
  id: string
  name: string
}

/** Records a job enqueued in `tx` (same transaction): its line, and its place in it. */
export async function trackJob(tx: Queryable, job: JobRef, line: string | null): Promise<void> {
  await tx.query('INSERT INTO job_tracking (job_id, queue, line) VALUES ($1, $2, $3) ON CONFLICT (job_id) DO NOTHING', [job.id, job.name, line])
}

export async function registerWorker(db: Db, worker: { id: string; host: string; pid: number }, settings: TrackingSettings): Promise<void> {
  await db.query(
    `INSERT INTO job_workers (id, host, pid, heartbeat_seconds) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET beat_at = now(), heartbeat_seconds = EXCLUDED.heartbeat_seconds`,
    [worker.id, worker.host, worker.pid, settings.heartbeatSeconds],
  )
}

/** Writes the heartbeat; false when the row was gone (others presumed this process dead). */
export async function beat(db: Db, workerId: string): Promise<boolean> {
  return (await db.query('UPDATE job_workers SET beat_at = now() WHERE id = $1 RETURNING id', [workerId])).length > 0
}

export async function unregisterWorker(db: Db, workerId: string): Promise<void> {
  await db.query('DELETE FROM job_workers WHERE id = $1', [workerId])
}

/** Serialises the decisions about one line (who starts, who is woken), across processes. */
async function lockLine(tx: Queryable, line: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [line])
}

/**
 * Puts an active job back in its queue as if this attempt had not been made: pg-boss counts an
 * attempt when it fetches a job that was started before (retry_count + 1), so the count goes back
 * by one, or, for a first attempt, the job is made unstarted again.
 */
async function giveBack(tx: Queryable, job: JobRef, attempt: string, delaySeconds: number, output: object | null): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE pgboss.job SET
       state = (CASE WHEN retry_count > 0 THEN 'retry' ELSE 'created' END)::pgboss.job_state,
       retry_count = greatest(retry_count - 1, 0),
       started_on = CASE WHEN retry_count > 0 THEN started_on END,
       start_after = now() + $4 * interval '1 second',
       output = coalesce($5::jsonb, output)
     WHERE name = $1 AND id = $2 AND state = 'active' AND started_on = $3::timestamptz
     RETURNING id`,
    [job.name, job.id, attempt, delaySeconds, output === null ? null : JSON.stringify(output)],
  )
  return rows.length > 0
}

export type Start = { run: true; attempt: string } | { run: false }

/**
 * Decides whether a fetched job runs now: not when another job of its line is running or one
 * enqueued before it still waits (it is deferred, at no cost to its retries). A job that runs is
 * recorded against `workerId`; `attempt` fences what follows (finishJob).
 */
export async function startJob(db: Db, job: JobRef & { startedOn?: string | Date }, workerId: string): Promise<Start> {
  // A Date has lost the microseconds the comparison needs: only the text form fences.
  const fetchedAttempt = typeof job.startedOn === 'string' ? job.startedOn : null
  return db.tx(async (tx) => {
    const [tracked] = await tx.query<{ line: string | null; position: string }>('SELECT line, position::text FROM job_tracking WHERE job_id = $1', [job.id])
    if (tracked?.line) await lockLine(tx, tracked.line)
    // The attempt this runner fetched, not a later one: had the fetch waited past the dead-worker
    // threshold, the job was handed over and may be another runner's attempt by now.
    const [current] = await tx.query<{ attempt: string }>(
      `SELECT started_on::text AS attempt FROM pgboss.job WHERE name = $1 AND id = $2 AND state = 'active'
         AND ($3::timestamptz IS NULL OR started_on = $3::timestamptz) FOR UPDATE`,
      [job.name, job.id, fetchedAttempt],
    )
    // Taken away meanwhile (presumed dead, then maybe fetched again elsewhere) or cancelled: nothing to run.
    if (!current) return { run: false }
    if (tracked?.line) {
      const blocking = await tx.query(
        `SELECT 1 FROM job_tracking t JOIN pgboss.job j ON j.name = t.queue AND j.id = t.job_id
         WHERE t.line = $1 AND t.job_id <> $2 AND j.state < 'completed'
           AND (t.position < $3::bigint OR (t.worker_id IS NOT NULL AND j.state = 'active'))
         LIMIT 1`,
        [tracked.line, job.id, tracked.position],
      )
      if (blocking.length > 0) {
        await giveBack(tx, job, current.attempt, DEFER_SECONDS, null)
        await tx.query('UPDATE job_tracking SET deferred = true WHERE job_id = $1', [job.id])
        return { run: false }
      }
    }
    await tx.query(
      `INSERT INTO job_tracking (job_id, queue, worker_id) VALUES ($1, $2, $3)
       ON CONFLICT (job_id) DO UPDATE SET worker_id = EXCLUDED.worker_id, deferred = false`,
      [job.id, job.name, workerId],
    )
    return { run: true, attempt: current.attempt }
  })
}

/**
 * Locks the job's line, then its row if `attempt` is still its current one (the order startJob
 * takes them in too, so no two steps wait on each other). Undefined when the attempt was
 * superseded; otherwise the job's line, if it has one.
 */
async function lockAttempt(tx: Queryable, job: JobRef, attempt: string): Promise<{ line: string | null } | undefined> {
  const [tracked] = await tx.query<{ line: string | null }>('SELECT line FROM job_tracking WHERE job_id = $1', [job.id])
  if (tracked?.line) await lockLine(tx, tracked.line)
  const current = await tx.query(`SELECT 1 FROM pgboss.job WHERE name = $1 AND id = $2 AND state = 'active' AND started_on = $3::timestamptz FOR UPDATE`, [
    job.name,
    job.id,
    attempt,
  ])
  return current.length === 0 ? undefined : { line: tracked?.line ?? null }
}

/**
 * Completes (or fails, through pg-boss: retries and backoff are its own) the attempt `attempt`,
 * unless the job was taken away from it meanwhile. Then wakes the next job of the line.
 * Returns false when the attempt had been superseded.
 */
export async function finishJob(
  db: Db,
  boss: PgBoss,
  job: JobRef,
  attempt: string,
  error: unknown | undefined,
  executor: (tx: Queryable) => PgBoss.Db,
): Promise<boolean> {
  return db.tx(async (tx) => {
    const tracked = await lockAttempt(tx, job, attempt)
    if (!tracked) return false
    if (error === undefined) {
      // (name, id, data, options): the typings' (name, id, options) overload would store the options as output.
      await boss.complete(job.name, job.id, null as unknown as object, { db: executor(tx) })
      await tx.query('DELETE FROM job_tracking WHERE job_id = $1', [job.id])
    } else {
      await boss.fail(job.name, job.id, failure(error), { db: executor(tx) })
      await tx.query('UPDATE job_tracking SET worker_id = NULL WHERE job_id = $1', [job.id])
    }
    if (tracked.line) await wakeLine(tx, tracked.line)
    return true
  })
}

/** What pg-boss keeps as a failed attempt's output (`ponte jobs list` shows it). */
function failure(error: unknown): object {
  return error instanceof Error ? { message: error.message, name: error.name } : { message: String(error) }
}

/** The first waiting job of the line, if deferred, may start now (the job before it is done). */
async function wakeLine(tx: Queryable, line: string): Promise<void> {
  await tx.query(
    `UPDATE pgboss.job j SET start_after = now() FROM (
       SELECT t.queue, t.job_id, t.deferred FROM job_tracking t JOIN pgboss.job p ON p.name = t.queue AND p.id = t.job_id
       WHERE t.line = $1 AND p.state < 'completed' ORDER BY t.position LIMIT 1
     ) head
     WHERE head.deferred AND j.name = head.queue AND j.id = head.job_id AND j.state < 'active'`,
    [line],
  )
}

/**
 * Gives the active jobs of dead processes (silent for `deadAfterSeconds`, or never recorded for a
 * job fetched that long ago) back to their queues, then forgets those processes. Safe to run in
 * every process at once: each job is handed over under its row lock, once. Returns how many.
 */
export async function handOverDeadWorkers(
  db: Db,
  boss: PgBoss,
  queues: string[],
  settings: TrackingSettings,
  self: string,
  executor: (tx: Queryable) => PgBoss.Db,
): Promise<number> {
  const dead = await db.query<{ id: string; name: string; attempt: string; host: string | null; pid: number | null }>(
    `SELECT j.id, j.name, j.started_on::text AS attempt, w.host, w.pid
     FROM pgboss.job j LEFT JOIN job_tracking t ON t.job_id = j.id LEFT JOIN job_workers w ON w.id = t.worker_id
     WHERE j.name = ANY($1::text[]) AND j.state = 'active'
       AND (CASE WHEN w.id IS NULL THEN j.started_on ELSE w.beat_at END) < now() - $2 * interval '1 second'
       -- Never its own: a process that runs this is alive, however late its last beat was written.
       AND t.worker_id IS DISTINCT FROM $3::uuid`,
    [queues, settings.deadAfterSeconds, self],
  )
  let handed = 0
  for (const job of dead) {
    const by = job.host ? `its worker (${job.host}, pid ${job.pid}) stopped beating` : 'no live worker was running it'
    if (await interrupt(db, boss, job, job.attempt, `interrupted: ${by}`, executor)) handed++
  }
  await db.query("DELETE FROM job_workers WHERE beat_at < now() - $1 * interval '1 second'", [settings.deadAfterSeconds])
  return handed
}

/**
 * Gives back an attempt cut off with its process (FREE_INTERRUPTIONS times at no cost, then as a
 * failure). False when the attempt was not current any more.
 */
export async function interrupt(db: Db, boss: PgBoss, job: JobRef, attempt: string, message: string, executor: (tx: Queryable) => PgBoss.Db): Promise<boolean> {
  return db.tx(async (tx) => {
    const lined = await lockAttempt(tx, job, attempt)
    if (!lined) return false
    const [tracked] = await tx.query<{ interruptions: number }>(
      `INSERT INTO job_tracking (job_id, queue) VALUES ($1, $2) ON CONFLICT (job_id) DO UPDATE SET job_id = EXCLUDED.job_id
       RETURNING interruptions`,
      [job.id, job.name],
    )
    if (tracked.interruptions < FREE_INTERRUPTIONS) await giveBack(tx, job, attempt, 0, { message })
    else {
      await boss.fail(job.name, job.id, { message }, { db: executor(tx) })
      // Failed for good or waiting out a retry: either way the next job of its line may go first.
      if (lined.line) await wakeLine(tx, lined.line)
    }
    await tx.query('UPDATE job_tracking SET interruptions = interruptions + 1, worker_id = NULL WHERE job_id = $1', [job.id])
    return true
  })
}

/** Tracking rows of jobs pg-boss no longer holds (archived or deleted). */
export async function pruneTracking(db: Db): Promise<void> {
  await db.query(
    `DELETE FROM job_tracking t WHERE t.enqueued_at < now() - interval '1 hour'
       AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = t.queue AND j.id = t.job_id)`,
  )
}

/** Active jobs of `queues`, running or stalled (their worker stopped beating, not yet handed over). */
export async function activity(db: Pick<Db, 'query'>, queues: string[]): Promise<{ running: number; stalled: number }> {
  const [row] = await db.query<{ running: string; stalled: string }>(
    `SELECT count(*) FILTER (WHERE NOT stalled) AS running, count(*) FILTER (WHERE stalled) AS stalled FROM (
       SELECT ${STALLED} AS stalled FROM pgboss.job j
       LEFT JOIN job_tracking t ON t.job_id = j.id LEFT JOIN job_workers w ON w.id = t.worker_id
       WHERE j.name = ANY($1::text[]) AND j.state = 'active'
     ) a`,
    [queues],
  )
  return { running: Number(row.running), stalled: Number(row.stalled) }
}

export interface JobRunner {
  /** `host:pid` of the process running the job, as it registered. */
  worker: string | null
  stalled: boolean
}

/** For active jobs among `ids`: who runs them and whether they are stalled. */
export async function jobRunners(db: Pick<Db, 'query'>, ids: string[]): Promise<Map<string, JobRunner>> {
  if (ids.length === 0) return new Map()
  const rows = await db.query<{ id: string; worker: string | null; stalled: boolean }>(
    `SELECT j.id, w.host || ':' || w.pid AS worker, ${STALLED} AS stalled FROM pgboss.job j
     LEFT JOIN job_tracking t ON t.job_id = j.id LEFT JOIN job_workers w ON w.id = t.worker_id
     WHERE j.id = ANY($1::uuid[]) AND j.state = 'active'`,
    [ids],
  )
  return new Map(rows.map((r) => [r.id, { worker: r.worker, stalled: r.stalled }]))
}

/** What a line is doing, for people: null when idle. */
export interface LineActivity {
  state: 'queued' | 'running' | 'stalled' | 'retrying'
  pending_jobs: number
  queued_at: string
  started_at: string | null
  heartbeat_at: string | null
  retry_at: string | null
}

function iso(value: string | null): string | null {
  return value === null ? null : new Date(value).toISOString()
}

/** The activity of each of `lines` that has unfinished jobs. */
export async function lineActivity(db: Pick<Db, 'query'>, lines: string[]): Promise<Map<string, LineActivity>> {
  if (lines.length === 0) return new Map()
  const rows = await db.query<{
    line: string
    state: string
    enqueued_at: string
    started_on: string | null
    beat_at: string | null
    start_after: string
    stalled: boolean
    attempted: boolean
  }>(
    `SELECT t.line, j.state::text AS state, t.enqueued_at::text, j.started_on::text, w.beat_at::text, j.start_after::text,
       ${STALLED} AS stalled, (j.output IS NOT NULL OR t.interruptions > 0) AS attempted
     FROM job_tracking t JOIN pgboss.job j ON j.name = t.queue AND j.id = t.job_id
     LEFT JOIN job_workers w ON w.id = t.worker_id
     WHERE t.line = ANY($1::text[]) AND j.state < 'completed'
     ORDER BY t.line, t.position`,
    [lines],
  )
  const byLine = new Map<string, typeof rows>()
  for (const row of rows) byLine.set(row.line, [...(byLine.get(row.line) ?? []), row])
  const out = new Map<string, LineActivity>()
  for (const [line, jobs] of byLine) {
    const active = jobs.find((j) => j.state === 'active')
    const head = active ?? jobs[0]
    const state = active ? (active.stalled ? 'stalled' : 'running') : head.state === 'retry' && head.attempted ? 'retrying' : 'queued'
    out.set(line, {
      state,
      pending_jobs: jobs.length,
      queued_at: iso(jobs[0].enqueued_at)!,
      started_at: active ? iso(active.started_on) : null,
      heartbeat_at: active ? iso(active.beat_at) : null,
      retry_at: state === 'retrying' ? iso(head.start_after) : null,
    })
  }
  return out
}
