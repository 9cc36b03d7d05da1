import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { lineOf, QUEUES } from '../../src/jobs/queue.ts'
import { FREE_INTERRUPTIONS, interrupt, startJob } from '../../src/jobs/tracking.ts'
import type { Queryable } from '../../src/store/db.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import type { Receiver } from '../helpers/receiver.ts'

type Json = Record<string, any>

/** The jobs that carry `requestId`, oldest first, with their last attempt's times (pg-boss's clock: real time). */
async function jobsOf(h: Harness, requestId: string) {
  return h.db.query<{ name: string; state: string; started_on: string; completed_on: string | null; retry_count: number }>(
    `SELECT name, state::text AS state, started_on::text, completed_on::text, retry_count FROM pgboss.job WHERE data->>'requestId' = $1 ORDER BY created_on`,
    [requestId],
  )
}

describe('background work on one link runs one job at a time, in order', () => {
  let h: Harness
  let receiver: Receiver
  beforeAll(async () => {
    // A fast heartbeat, so that the stand-in worker below is presumed dead within seconds.
    h = await createHarness({ env: { PONTE_WORKER_HEARTBEAT_SECONDS: '1', PONTE_WORKER_DEAD_AFTER_SECONDS: '3' } })
    h.clock.set('2026-03-10T15:00:00Z')
    receiver = await h.receiveWebhooks('Bearer ordering')
    await h.startWorker()
  })
  afterAll(async () => h.close())

  const call: Harness['call'] = (...args) => h.call(...args)
  const hooksOf = async (requestId: string, n: number) =>
    (await receiver.waitFor((all) => all.filter((r) => r.body.request_id === requestId).length >= n, 60_000))
      .filter((r) => r.body.request_id === requestId)
      .map((r) => r.body)

  it('a simulated change and a refresh sent right after it: the change is reported, then the refresh runs', async () => {
    const link = (
      await call('POST', '/api/links/', {
        institution: 'gringotts_mx_retail',
        username: 'bnk100',
        password: 'full',
        fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'],
      })
    ).body
    await receiver.waitFor((all) => all.filter((r) => r.body.link_id === link.id).length >= 2, 60_000)
    for (let round = 0; round < 3; round++) {
      h.clock.advance(11 * 60_000)
      const simulated = await call('POST', `/sandbox/links/${link.id}/simulate/`, { event: 'new_transactions' })
      const refresh = await call('POST', `/api/links/${link.id}/refresh/`, {})
      expect([simulated.status, refresh.status]).toEqual([202, 202])
      const [change] = await hooksOf(simulated.body.request_id, 1)
      expect(change).toMatchObject({
        webhook_type: 'TRANSACTIONS',
        webhook_code: 'new_transactions_available',
        process_type: 'recurrent_update',
        data: { new_transactions: 3 },
      })
      const history = await hooksOf(refresh.body.request_id, 2)
      expect(history.map((b: Json) => b.webhook_type).sort()).toEqual(['ACCOUNTS', 'TRANSACTIONS'])
      // The refresh's update started only once the simulated change's had finished.
      const [recurrent] = await jobsOf(h, simulated.body.request_id)
      const [historical] = await jobsOf(h, refresh.body.request_id)
      await expect.poll(async () => (await jobsOf(h, refresh.body.request_id))[0].state).toBe('completed')
      expect(recurrent.name).toBe(QUEUES.recurrentUpdate)
      expect(historical.name).toBe(QUEUES.historicalUpdate)
      expect(Date.parse(historical.started_on)).toBeGreaterThanOrEqual(Date.parse(recurrent.completed_on!))
    }
  }, 120_000)

  it('a runner whose fetched attempt was handed over meanwhile does not start the job again', async () => {
    const jobs = h.app.deps.domain.jobs
    // Enqueued for later, so that no runner of this process takes it.
    const id = await h.db.tx((tx) =>
      jobs.send(
        tx,
        QUEUES.asyncRequest,
        { organizationId: randomUUID(), requestId: 'stale', kind: 'retrieve', resource: 'NONE', request: { link: randomUUID() } },
        { startAfterSeconds: 3600 },
      ),
    )
    const [fetched] = await jobs.boss.fetch(QUEUES.asyncRequest, { batchSize: 1, ignoreStartAfter: true, includeMetadata: true } as {
      batchSize: number
      includeMetadata: true
    })
    expect(fetched.id).toBe(id)
    // Meanwhile the job was handed over and fetched again: a later attempt of the same job.
    await h.db.query(`UPDATE pgboss.job SET started_on = started_on + interval '20 seconds' WHERE name = $1 AND id = $2`, [QUEUES.asyncRequest, id])
    expect(await startJob(h.db, fetched, randomUUID())).toEqual({ run: false })
    const [current] = await h.db.query<{ started_on: string }>('SELECT started_on::text FROM pgboss.job WHERE name = $1 AND id = $2', [QUEUES.asyncRequest, id])
    expect(await startJob(h.db, { ...fetched, startedOn: current.started_on }, randomUUID())).toMatchObject({ run: true })
  })

  it("a busy link holds back only its own jobs, without taking worker slots from other links'", async () => {
    const register = async () =>
      (await call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk102', password: 'low', fetch_resources: ['ACCOUNTS'] })).body
    const [busy, free] = [await register(), await register()]
    await receiver.waitFor((all) => [busy.id, free.id].every((id) => all.some((r) => r.body.link_id === id)), 60_000)

    // A stand-in worker process takes a job of the busy link and keeps beating while "running" it.
    const standIn = randomUUID()
    await h.db.query(`INSERT INTO job_workers (id, host, pid, heartbeat_seconds) VALUES ($1, 'stand-in', 1, 1)`, [standIn])
    const jobs = h.app.deps.domain.jobs
    // Enqueued for later, so that no runner of this process takes it: the stand-in takes it now.
    const held = await h.db.tx((tx) =>
      jobs.send(
        tx,
        QUEUES.asyncRequest,
        { organizationId: randomUUID(), requestId: 'held', kind: 'retrieve', resource: 'NONE', request: { link: busy.id } },
        { line: lineOf(busy.id), startAfterSeconds: 3600 },
      ),
    )
    const [job] = await jobs.boss.fetch(QUEUES.asyncRequest, { batchSize: 1, ignoreStartAfter: true } as { batchSize: number })
    expect(job.id).toBe(held)
    expect(await startJob(h.db, job!, standIn)).toMatchObject({ run: true })
    const beating = setInterval(() => {
      h.db.query('UPDATE job_workers SET beat_at = now() WHERE id = $1', [standIn]).catch(() => {})
    }, 300)
    // More waiting jobs on the busy link than the queue has slots in this process (2).
    const waiting: string[] = []
    try {
      for (let i = 0; i < 3; i++) {
        h.clock.advance(11 * 60_000)
        waiting.push((await call('POST', `/api/links/${busy.id}/refresh/`, {})).body.request_id)
      }
      const other = (await call('POST', `/api/links/${free.id}/refresh/`, {})).body.request_id
      await hooksOf(other, 1)
      const shown = (await call('GET', `/api/links/${busy.id}/`)).body
      expect(shown.background_work).toMatchObject({ state: 'running', pending_jobs: 4 })
      expect(receiver.received.some((r) => waiting.includes(r.body.request_id))).toBe(false)
      const listed = (await call('GET', '/api/links/?page_size=1000')).body.results as Json[]
      expect(listed.find((l) => l.id === busy.id)!.background_work).toMatchObject({ state: 'running', pending_jobs: 4 })
      await expect.poll(async () => (await call('GET', `/api/links/${free.id}/`)).body.background_work).toBeNull()
    } finally {
      clearInterval(beating)
    }
    // The stand-in stops beating: presumed dead, its job is handed to the real worker, and the
    // busy link's refreshes follow, in the order they were asked for.
    for (const requestId of waiting) await hooksOf(requestId, 1)
    const started = await Promise.all(waiting.map(async (id) => (await jobsOf(h, id))[0]))
    for (let i = 1; i < started.length; i++) {
      expect(Date.parse(started[i].started_on)).toBeGreaterThanOrEqual(Date.parse(started[i - 1].completed_on!))
    }
    // Waiting, however often they were looked at, cost them no attempt.
    expect(started.map((job) => job.retry_count)).toEqual([0, 0, 0])
    const [handed] = await h.db.query<{ state: string; retry_count: number }>('SELECT state::text AS state, retry_count FROM pgboss.job WHERE id = $1', [held])
    // Its interrupted attempt was given back: not a retry.
    expect(handed).toEqual({ state: 'completed', retry_count: 0 })
    expect((await call('GET', `/api/links/${busy.id}/`)).body.background_work).toBeNull()
  }, 120_000)
})

describe('a job cut off by a dead worker', () => {
  let h: Harness
  // No worker here: the job is fetched by the test alone.
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())
  it('gives back the attempts a dead worker cut off, twice; then an interruption counts as a failed attempt', async () => {
    const jobs = h.app.deps.domain.jobs
    const id = await h.db.tx((tx) =>
      jobs.send(
        tx,
        QUEUES.asyncRequest,
        { organizationId: randomUUID(), requestId: 'interrupted', kind: 'retrieve', resource: 'NONE', request: {} },
        { startAfterSeconds: 3600 },
      ),
    )
    const executor = (tx: Queryable) => ({ executeSql: async (text: string, values?: unknown[]) => ({ rows: await tx.query(text, values) }) })
    const attemptOf = async () =>
      (await h.db.query<{ state: string; retry_count: number }>('SELECT state::text AS state, retry_count FROM pgboss.job WHERE id = $1', [id]))[0]
    for (let cut = 1; cut <= FREE_INTERRUPTIONS + 1; cut++) {
      const [job] = await jobs.boss.fetch(QUEUES.asyncRequest, { batchSize: 1, ignoreStartAfter: true } as { batchSize: number })
      expect(job.id).toBe(id)
      const start = await startJob(h.db, job, randomUUID())
      if (!start.run) throw new Error('the job did not start')
      expect(await interrupt(h.db, jobs.boss, job, start.attempt, 'interrupted: test', executor)).toBe(true)
      // A second hand-over of the same attempt is a no-op.
      expect(await interrupt(h.db, jobs.boss, job, start.attempt, 'interrupted: test', executor)).toBe(false)
      if (cut <= FREE_INTERRUPTIONS) expect(await attemptOf()).toEqual({ state: 'created', retry_count: 0 })
      // pg-boss counts the attempt when the job is fetched again.
      else expect(await attemptOf()).toMatchObject({ state: 'retry' })
      await h.db.query("UPDATE pgboss.job SET start_after = now() + interval '1 hour' WHERE id = $1", [id])
    }
    const [again] = await jobs.boss.fetch(QUEUES.asyncRequest, { batchSize: 1, ignoreStartAfter: true } as { batchSize: number })
    expect(again.id).toBe(id)
    expect(await attemptOf()).toEqual({ state: 'active', retry_count: 1 })
  })

  it('is presumed dead only after two missed heartbeats at least: a shorter setting is refused', () => {
    expect(() => loadConfig({ PONTE_WORKER_HEARTBEAT_SECONDS: '5', PONTE_WORKER_DEAD_AFTER_SECONDS: '9' })).toThrow(
      'PONTE_WORKER_DEAD_AFTER_SECONDS must be at least twice PONTE_WORKER_HEARTBEAT_SECONDS',
    )
    expect(loadConfig({})).toMatchObject({ PONTE_WORKER_HEARTBEAT_SECONDS: 5, PONTE_WORKER_DEAD_AFTER_SECONDS: 15 })
  })
})
