import { randomBytes, randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { HistoricalUpdateJob } from '../../src/domain/schedule.ts'
import { Cipher } from '../../src/lib/crypto.ts'
import { QUEUES } from '../../src/jobs/queue.ts'
import { emitWebhook } from '../../src/domain/webhooks.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { startReceiver } from '../helpers/receiver.ts'
import { captureLogs, LEVEL } from '../helpers/logs.ts'

/**
 * What the background work tells an operator: its log lines (lib/logger.ts, one format for every
 * process) and its /metrics series (jobs/metrics.ts). Counters belong to the process and this
 * file's tests share one, so each test compares a series before and after what it does.
 */
describe('background work in logs and metrics', () => {
  // A fresh Ponte per test (its own database and queues), made outside the test's own time.
  let h: Harness
  const cleanups: (() => Promise<void>)[] = []
  beforeEach(async () => {
    h = await createHarness()
  })
  afterEach(async () => {
    await h.close()
    while (cleanups.length) await cleanups.pop()!()
  })
  const scrape = async () => {
    const res = await h.app.inject({ method: 'GET', url: '/metrics' })
    expect(res.statusCode).toBe(200)
    return res.body
  }
  /** The value of one series (`name{labels}`), 0 when absent. */
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `))
    return line ? Number(line.slice(series.length + 1)) : 0
  }
  const createLink = async (username: string) => {
    const res = await h.call('POST', '/api/links/', { institution: 'erebor_mx_retail', username, password: 'secret', fetch_resources: ['ACCOUNTS'] })
    expect(res.status).toBe(201)
    return res.body.id as string
  }

  it('logs a failed job at warn with its id, queue, link and reason (never its sealed token), and counts it by queue', async () => {
    const { log, lines, text } = captureLogs()
    const linkId = await createLink('observed_user')
    const before = await scrape()
    await h.startWorker({ log })
    // A token sealed with another key, as a process started with the wrong PONTE_ENCRYPTION_KEY
    // would have left: the handler throws when it opens it.
    const sealedToken = new Cipher(randomBytes(32)).encrypt('123456')
    const jobId = await h.db.tx((tx) =>
      h.app.deps.domain.jobs.send(tx, QUEUES.historicalUpdate, {
        organizationId: h.key.organizationId,
        linkId,
        requestId: randomUUID().replaceAll('-', ''),
        processType: 'historical_update',
        sealedToken,
      } satisfies HistoricalUpdateJob),
    )
    const failed = await vi.waitFor(
      () => {
        const line = lines.find((l) => l.job_id === jobId && l.msg.startsWith('job failed'))
        if (!line) throw new Error('no failure logged yet')
        return line
      },
      { timeout: 30_000, interval: 100 },
    )
    expect(failed).toMatchObject({
      level: LEVEL.warn,
      msg: 'job failed, will retry',
      queue: QUEUES.historicalUpdate,
      link_id: linkId,
      retry_count: 0,
      retry_limit: 5,
      error: expect.stringMatching(/authenticate/),
    })
    expect(text()).not.toContain(sealedToken)
    // The link's first fetch (created above, before the worker) completed, and says so at info.
    expect(lines.find((l) => l.msg === 'job completed' && l.link_id === linkId)).toMatchObject({ level: LEVEL.info, queue: QUEUES.historicalUpdate })
    expect(lines.filter((l) => l.level >= LEVEL.error)).toEqual([])

    const after = await scrape()
    const failedSeries = `ponte_jobs_failed_total{queue="${QUEUES.historicalUpdate}",will_retry="true"}`
    expect(value(after, failedSeries) - value(before, failedSeries)).toBeGreaterThanOrEqual(1)
    const completed = `ponte_jobs_completed_total{queue="${QUEUES.historicalUpdate}"}`
    expect(value(after, completed) - value(before, completed)).toBeGreaterThanOrEqual(1)
  }, 90_000)

  it('logs delivered webhooks at info, retried and dead ones at warn and error, and counts each outcome with its latency', async () => {
    const { log, lines } = captureLogs()
    const ok = await h.receiveWebhooks('Bearer ok')
    const down = await startReceiver((_hit, _n, res) => {
      res.statusCode = 500
      res.end('down')
    })
    cleanups.push(down.close)
    expect((await h.call('POST', '/api/webhooks/', { url: down.url })).status).toBe(201)
    const before = await scrape()
    await h.startWorker({ log })
    const linkId = await createLink('webhook_user')
    await ok.waitFor((all) => all.some((hit) => hit.body.link_id === linkId), 30_000)
    const [{ events }] = await h.db.query<{ events: number }>('SELECT count(*)::int AS events FROM webhook_events WHERE link_id = $1', [linkId])
    // The second receiver refuses every attempt: move the clock past each backoff until none is left.
    // Never while an attempt is in flight (claimed_until set): on a busy machine its lease would run
    // out on the test clock and a second dispatcher loop would attempt it again.
    await vi.waitFor(
      async () => {
        const [{ open, in_flight }] = await h.db.query<{ open: number; in_flight: number }>(
          `SELECT count(*)::int AS open, count(d.claimed_until)::int AS in_flight FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
        WHERE e.link_id = $1 AND d.status <> 'succeeded' AND d.status <> 'failed'`,
          [linkId],
        )
        if (in_flight === 0) h.clock.advance(3_600_000)
        if (open > 0) throw new Error(`${open} deliveries still open`)
      },
      { timeout: 60_000, interval: 200 },
    )

    const delivered = lines.filter((l) => l.msg === 'webhook delivered' && l.link_id === linkId)
    expect(delivered).toHaveLength(events)
    expect(delivered.every((l) => l.level === LEVEL.info)).toBe(true)
    const retried = lines.filter((l) => l.msg === 'webhook attempt failed, will retry' && l.link_id === linkId)
    expect(retried).toHaveLength(5 * events)
    expect(retried[0]).toMatchObject({ level: LEVEL.warn, status_code: 500, error: 'HTTP 500', attempt: 1 })
    const dead = lines.filter((l) => l.msg === 'webhook delivery failed, no retries left' && l.link_id === linkId)
    expect(dead).toHaveLength(events)
    expect(dead[0]).toMatchObject({ level: LEVEL.error, attempt: 6 })

    const after = await scrape()
    const delta = (series: string) => value(after, series) - value(before, series)
    expect(delta('ponte_webhook_deliveries_total{outcome="succeeded"}')).toBe(events)
    expect(delta('ponte_webhook_deliveries_total{outcome="retrying"}')).toBe(5 * events)
    expect(delta('ponte_webhook_deliveries_total{outcome="failed"}')).toBe(events)
    expect(delta('ponte_webhook_delivery_duration_seconds_count{outcome="succeeded"}')).toBe(events)
    expect(delta('ponte_webhook_delivery_duration_seconds_bucket{le="+Inf",outcome="failed"}')).toBe(events)
  }, 120_000)

  it('reports the jobs waiting in each queue and how long the oldest due one has waited', async () => {
    const send = (options?: { startAfterSeconds?: number }) =>
      h.db.tx((tx) =>
        h.app.deps.domain.jobs.send(tx, QUEUES.asyncRequest, { organizationId: h.key.organizationId, kind: 'delete_link', linkId: randomUUID() }, options),
      )
    const empty = await scrape()
    expect(value(empty, `ponte_queue_depth{queue="${QUEUES.asyncRequest}"}`)).toBe(0)
    expect(value(empty, `ponte_queue_oldest_waiting_seconds{queue="${QUEUES.asyncRequest}"}`)).toBe(0)
    const oldest = await send()
    await send()
    await send({ startAfterSeconds: 3600 })
    // The first job has been due for two minutes.
    await h.db.query(`UPDATE pgboss.job SET start_after = now() - interval '120 seconds' WHERE id = $1`, [oldest])
    const text = await scrape()
    expect(value(text, `ponte_queue_depth{queue="${QUEUES.asyncRequest}"}`)).toBe(3)
    expect(value(text, `ponte_queue_oldest_waiting_seconds{queue="${QUEUES.asyncRequest}"}`)).toBeGreaterThanOrEqual(120)
    expect(value(text, `ponte_queue_oldest_waiting_seconds{queue="${QUEUES.asyncRequest}"}`)).toBeLessThan(3600)
    expect(text).toContain(`ponte_queue_depth{queue="${QUEUES.historicalUpdate}"} 0`)
    // Pending webhook deliveries are a queue too: one endpoint, two events, nobody delivering.
    expect(value(text, 'ponte_queue_depth{queue="webhook-deliveries"}')).toBe(0)
    await h.receiveWebhooks('Bearer x')
    for (let i = 0; i < 2; i++) {
      await h.db.tx((tx) =>
        emitWebhook(tx, h.app.deps.domain, {
          organizationId: h.key.organizationId,
          linkId: randomUUID(),
          externalId: null,
          requestId: null,
          webhookType: 'ACCOUNTS',
          webhookCode: 'historical_update',
          processType: 'historical_update',
          data: { total_accounts: 1 },
        }),
      )
    }
    const withDeliveries = await scrape()
    expect(value(withDeliveries, 'ponte_queue_depth{queue="webhook-deliveries"}')).toBe(2)
    expect(value(withDeliveries, 'ponte_queue_oldest_waiting_seconds{queue="webhook-deliveries"}')).toBeGreaterThanOrEqual(0)
  })
})
