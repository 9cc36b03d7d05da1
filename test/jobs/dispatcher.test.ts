import { randomBytes, randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSecretKey } from '../../src/domain/keys.ts'
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  emitWebhook,
  getWebhookDelivery,
  redeliverWebhook,
  type WebhookContext,
} from '../../src/domain/webhooks.ts'
import { MAX_ATTEMPTS, MIN_LEASE_MS, RETRY_DELAYS_MS, retryDelayMs, WebhookDispatcher, type DispatcherOptions } from '../../src/jobs/dispatcher.ts'
import { ManualClock } from '../../src/lib/clock.ts'
import { Cipher } from '../../src/lib/crypto.ts'
import type { Logger } from '../../src/lib/logger.ts'
import type { Actor } from '../../src/domain/context.ts'
import { openDb, type Db } from '../../src/store/db.ts'
import { claimDueDeliveries, recordAttempt } from '../../src/store/webhooks.ts'
import type { Resolver } from '../../src/jobs/webhook-post.ts'
import { backend, openTestDb } from '../helpers/db.ts'
import { captureLogs, LEVEL } from '../helpers/logs.ts'
import { startReceiver as startSharedReceiver, type Hit } from '../helpers/receiver.ts'

/** The shared receiver, answering through `answer(hit, res)`. */
const startReceiver = (answer: (hit: Hit, res: ServerResponse) => void = (_hit, res) => res.end('ok')) =>
  startSharedReceiver((hit, _n, res) => answer(hit, res))

async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe(`webhook dispatcher on ${backend}`, () => {
  let db: Db & { url?: string; dropDatabase(): Promise<void> }
  let ctx: WebhookContext & { clock: ManualClock }
  let actor: Actor
  const cleanups: (() => Promise<void>)[] = []

  beforeAll(async () => {
    db = await openTestDb()
    ctx = { db, clock: new ManualClock(), cipher: new Cipher(randomBytes(32)), webhooks: { allowPrivateDestinations: true } }
    actor = { organizationId: (await createSecretKey(db, { name: 'dispatcher' })).organizationId }
  })
  afterAll(async () => db.dropDatabase())
  // Every test starts without endpoints (deliveries go with them) and closes what it opened.
  beforeEach(async () => {
    await db.query('DELETE FROM webhook_endpoints')
  })
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })

  const receiver = async (answer?: Parameters<typeof startReceiver>[0]) => {
    const r = await startReceiver(answer)
    cleanups.push(r.close)
    return r
  }
  // The embedded sandbox's policy (receivers on 127.0.0.1) unless a test says otherwise.
  const dispatcher = (options: Partial<DispatcherOptions> = {}, on: Db = db, log?: Logger) =>
    new WebhookDispatcher({ db: on, clock: ctx.clock, cipher: ctx.cipher, log }, { allowPrivateDestinations: true, ...options })
  const endpoint = async (url: string, authorization?: string) => (await createWebhookEndpoint(ctx, actor, { url, authorization })).endpoint
  const emit = (webhookCode = 'historical_update') =>
    db.tx((tx) =>
      emitWebhook(tx, ctx, {
        organizationId: actor.organizationId,
        linkId: randomUUID(),
        externalId: null,
        requestId: null,
        webhookType: 'ACCOUNTS',
        webhookCode,
        processType: 'historical_update',
        data: { total_accounts: 1 },
      }),
    )
  const deliveriesOf = (eventId: string) =>
    db.query<{ id: string; status: string; attempts: number }>('SELECT id, status, attempts FROM webhook_deliveries WHERE event_id = $1', [eventId])

  it('exports the retry schedule: 3, 6, 12, 24, 48 s, six attempts in all', () => {
    expect(RETRY_DELAYS_MS).toEqual([3_000, 6_000, 12_000, 24_000, 48_000])
    expect(MAX_ATTEMPTS).toBe(6)
    expect([1, 2, 3, 4, 5, 6].map(retryDelayMs)).toEqual([3_000, 6_000, 12_000, 24_000, 48_000, null])
  })

  it('never lets two dispatchers on one database deliver the same due delivery', async () => {
    // On PostgreSQL the second dispatcher has its own connection pool, as another process would.
    let other: Db = db
    if (db.url) {
      const second = await openDb({ databaseUrl: db.url, poolSize: 5 })
      cleanups.push(() => second.close())
      other = second
    }
    const r = await receiver((_hit, res) => setTimeout(() => res.end('ok'), 5))
    for (const path of ['/a', '/b', '/c']) await endpoint(`${r.url}${path}`)
    const events: string[] = []
    for (let i = 0; i < 20; i++) events.push(await emit())
    const dispatchers = [
      dispatcher({ concurrency: 25, endpointConcurrency: 25 }),
      dispatcher({ concurrency: 25, endpointConcurrency: 25 }, other),
      dispatcher({ concurrency: 7 }),
      dispatcher({ concurrency: 7 }, other),
    ]
    let attempted = 0
    for (let round = 0; round < 10; round++) {
      const counts = await Promise.all(dispatchers.map((d) => d.deliverDue()))
      attempted += counts.reduce((a, b) => a + b, 0)
      if (counts.every((n) => n === 0)) break
    }
    expect(attempted).toBe(60)
    expect(r.hits).toHaveLength(60)
    expect(new Set(r.hits.map((hit) => `${hit.eventId} ${hit.path}`)).size).toBe(60)
    expect(new Set(r.hits.map((hit) => hit.eventId))).toEqual(new Set(events))
    const [{ n }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'succeeded'")
    expect(n).toBe(60)
    const [{ logged }] = await db.query<{ logged: number }>(
      'SELECT count(*)::int AS logged FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id',
    )
    expect(logged).toBe(60)
  })

  it('takes back the deliveries of a dispatcher that died mid-pass once the lease runs out', async () => {
    const r = await receiver()
    await endpoint(r.url)
    const eventId = await emit()
    const now = ctx.clock.now().getTime()
    // A dispatcher claims and then never reports back.
    const claimed = await claimDueDeliveries(db, {
      now: new Date(now).toISOString(),
      leaseUntil: new Date(now + MIN_LEASE_MS).toISOString(),
      limit: 10,
      perEndpoint: 5,
    })
    expect(claimed.map((c) => c.event_id)).toEqual([eventId])
    const d = dispatcher()
    expect(await d.deliverDue()).toBe(0)
    ctx.clock.advance(MIN_LEASE_MS - 1)
    expect(await d.deliverDue()).toBe(0)
    ctx.clock.advance(1)
    expect(await d.deliverDue()).toBe(1)
    expect(r.hits.map((hit) => hit.eventId)).toEqual([eventId])
    expect((await deliveriesOf(eventId))[0]).toMatchObject({ status: 'succeeded', attempts: 1 })
  })

  it('logs the attempt of a dispatcher that lost its lease, but keeps the newer state', async () => {
    const r = await receiver()
    await endpoint(r.url)
    const eventId = await emit()
    const now = ctx.clock.now().toISOString()
    const [claim] = await claimDueDeliveries(db, { now, leaseUntil: new Date(Date.parse(now) + MIN_LEASE_MS).toISOString(), limit: 1, perEndpoint: 5 })
    // Redelivered while the first attempt was still in flight.
    await redeliverWebhook(ctx, actor, claim.id)
    const applied = await recordAttempt(db, {
      deliveryId: claim.id,
      lease: claim.lease,
      status: 'failed',
      attempts: 6,
      nextAttemptAt: null,
      finishedAt: now,
      attempt: { attempted_at: now, status_code: 500, latency_ms: 12, error: 'HTTP 500', response_snippet: '' },
    })
    expect(applied).toBe(false)
    const delivery = await getWebhookDelivery(ctx, actor, claim.id)
    expect(delivery).toMatchObject({ status: 'pending', attempts: 0, last_status_code: null })
    expect(delivery.attempts_log).toEqual([expect.objectContaining({ status_code: 500 })])
    // Not twice at once: the redelivery is due when the claim of the attempt in flight ends.
    expect(await dispatcher().deliverDue()).toBe(0)
    ctx.clock.advance(MIN_LEASE_MS)
    expect(await dispatcher().deliverDue()).toBe(1)
    expect((await deliveriesOf(eventId))[0]).toMatchObject({ status: 'succeeded', attempts: 1 })
  })

  it('polls after start(); stop() waits for the attempts in flight', async () => {
    const r = await receiver((_hit, res) => setTimeout(() => res.end('slow ok'), 300))
    await endpoint(r.url)
    const d = dispatcher({ pollIntervalMs: 10 })
    d.start()
    d.start()
    const first = await emit()
    await until(() => r.hits.length === 1)
    await d.stop()
    expect((await deliveriesOf(first))[0]).toMatchObject({ status: 'succeeded', attempts: 1 })
    const second = await emit()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(r.hits).toHaveLength(1)
    expect((await deliveriesOf(second))[0]).toMatchObject({ status: 'pending', attempts: 0 })
  })

  it('keeps the first 500 characters of an answer and does not follow redirects', async () => {
    const r = await receiver((hit, res) => {
      if (hit.path === '/redirect') {
        res.writeHead(302, { Location: '/big' })
        return res.end()
      }
      res.statusCode = 500
      res.end('é'.repeat(5000))
    })
    const big = await endpoint(`${r.url}/big`)
    const redirect = await endpoint(`${r.url}/redirect`)
    const eventId = await emit()
    expect(await dispatcher().deliverDue()).toBe(2)
    expect(r.hits.map((hit) => hit.path).sort()).toEqual(['/big', '/redirect'])
    const byEndpoint = await db.query<{ endpoint_id: string; status_code: number; error: string; response_snippet: string }>(
      'SELECT d.endpoint_id, a.status_code, a.error, a.response_snippet FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.event_id = $1',
      [eventId],
    )
    const of = (id: string) => byEndpoint.find((row) => row.endpoint_id === id)!
    expect(of(big.id)).toMatchObject({ status_code: 500, error: 'HTTP 500', response_snippet: 'é'.repeat(500) })
    expect(of(redirect.id)).toMatchObject({ status_code: 302, error: 'HTTP 302' })
  })

  it('survives an endpoint deleted during an attempt', async () => {
    const r = await receiver((_hit, res) => setTimeout(() => res.end('ok'), 200))
    const e = await endpoint(r.url)
    await emit()
    const pass = dispatcher().deliverDue()
    await until(() => r.hits.length === 1)
    await deleteWebhookEndpoint(ctx, actor, e.id)
    expect(await pass).toBe(1)
    expect(await db.query('SELECT 1 FROM webhook_attempts')).toEqual([])
  })

  it('records an attempt it cannot even sign (wrong encryption key) as failed', async () => {
    const r = await receiver()
    await endpoint(r.url)
    const eventId = await emit()
    const wrongKey = new WebhookDispatcher({ db, clock: ctx.clock, cipher: new Cipher(randomBytes(32)) }, { allowPrivateDestinations: true })
    expect(await wrongKey.deliverDue()).toBe(1)
    expect(r.hits).toHaveLength(0)
    const [row] = await deliveriesOf(eventId)
    const delivery = await getWebhookDelivery(ctx, actor, row.id)
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1 })
    expect(delivery.attempts_log[0]).toMatchObject({ status_code: null, error: expect.any(String) })
  })

  it('keeps delivering to a healthy endpoint while another one hangs, within the per-endpoint limit', { timeout: 120_000 }, async () => {
    // Two dispatchers, as two processes would be (on PostgreSQL each has its own pool): the
    // per-endpoint limit holds across them.
    let other: Db = db
    if (db.url) {
      const second = await openDb({ databaseUrl: db.url, poolSize: 5 })
      cleanups.push(() => second.close())
      other = second
    }
    const hung = await startReceiver(() => {
      /* never answers */
    })
    const healthy = await receiver()
    await endpoint(`${hung.url}/hung`)
    const ok = await endpoint(`${healthy.url}/ok`)
    const events: string[] = []
    // More than one pass of the old dispatcher (20) could claim: a batch that waits for all its
    // attempts would hold the healthy rest behind the hung ones.
    for (let i = 0; i < 30; i++) events.push(await emit())
    // A timeout far beyond the test: the hung attempts are still in flight at every assertion.
    const options = { timeoutMs: 600_000, concurrency: 6, endpointConcurrency: 2, pollIntervalMs: 20 }
    const dispatchers = [dispatcher(options), dispatcher(options, other)]
    for (const d of dispatchers) d.start()
    try {
      await healthy.waitFor((hits) => hits.length === 30, 60_000)
      expect(new Set(healthy.hits.map((hit) => hit.eventId))).toEqual(new Set(events))
      await vi.waitFor(
        async () => {
          const [{ n }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'succeeded'", [
            ok.id,
          ])
          expect(n).toBe(30)
        },
        { timeout: 30_000, interval: 50 },
      )
      // The hung endpoint got its limit's worth of requests, no more, and none of its attempts
      // has ended (no timeout, no record): the healthy deliveries did not wait for them.
      await hung.waitFor((hits) => hits.length >= 2)
      expect(hung.hits.length).toBe(2)
      const [{ attempts }] = await db.query<{ attempts: number }>(
        'SELECT count(*)::int AS attempts FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE e.url LIKE $1',
        ['%/hung'],
      )
      expect(attempts).toBe(0)
    } finally {
      // Closing the hung receiver ends its attempts (connection reset), so stop() returns.
      await hung.close()
      await Promise.all(dispatchers.map((d) => d.stop()))
    }
    expect(hung.hits.length).toBe(2)
  })

  it('claims no more than the per-endpoint limit in one pass, then the rest as attempts finish', async () => {
    const r = await receiver()
    await endpoint(r.url)
    for (let i = 0; i < 5; i++) await emit()
    const d = dispatcher({ endpointConcurrency: 2 })
    expect(await d.deliverDue()).toBe(2)
    expect(await d.deliverDue()).toBe(2)
    expect(await d.deliverDue()).toBe(1)
    expect(r.hits).toHaveLength(5)
  })

  it('wakes up at once when a delivery is enqueued in its process', async () => {
    const r = await receiver()
    await endpoint(r.url)
    // Polls once an hour: only the wake-up can deliver this in time.
    const d = dispatcher({ pollIntervalMs: 3_600_000 })
    d.start()
    cleanups.push(() => d.stop())
    await new Promise((resolve) => setTimeout(resolve, 100))
    const eventId = await emit()
    await r.waitFor((hits) => hits.length === 1, 20_000)
    expect(r.hits[0].eventId).toBe(eventId)
  })

  describe('destinations', () => {
    /** Resolves every name to `addresses`, whatever DNS says. */
    const resolveTo =
      (...addresses: string[]): Resolver =>
      (_hostname, callback) =>
        callback(
          null,
          addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
        )
    const attemptsOf = async (eventId: string) => {
      const [row] = await deliveriesOf(eventId)
      return (await getWebhookDelivery(ctx, actor, row.id)).attempts_log
    }

    it('refuses, at delivery, a name that resolves to a private address (DNS rebinding)', async () => {
      const r = await receiver()
      const port = new URL(r.url).port
      // Public when saved; the receiver on 127.0.0.1 is what the name points at now.
      await endpoint(`http://hooks.example.com:${port}/hook`)
      const eventId = await emit()
      expect(await dispatcher({ allowPrivateDestinations: false, resolver: resolveTo('127.0.0.1') }).deliverDue()).toBe(1)
      expect(r.hits).toHaveLength(0)
      const [attempt] = await attemptsOf(eventId)
      expect(attempt).toMatchObject({ status_code: null, response_snippet: null })
      expect(attempt.error).toBe(
        'refused: hooks.example.com resolving to a loopback address; this server sends webhooks to public addresses only (PONTE_WEBHOOK_ALLOW_PRIVATE)',
      )
      // A failed attempt like any other: retried on the normal schedule.
      expect((await deliveriesOf(eventId))[0]).toMatchObject({ status: 'pending', attempts: 1 })

      // One private address among public ones refuses the name too.
      ctx.clock.advance(RETRY_DELAYS_MS[0])
      expect(await dispatcher({ allowPrivateDestinations: false, resolver: resolveTo('93.184.215.14', '::ffff:169.254.169.254') }).deliverDue()).toBe(1)
      // The organization is told why, not which internal address the name resolved to.
      expect((await attemptsOf(eventId))[1].error).toMatch(/^refused: hooks\.example\.com resolving to a cloud metadata address;/)
      expect((await attemptsOf(eventId))[1].error).not.toContain('169.254')
      expect(r.hits).toHaveLength(0)
    })

    it('refuses an address literal at delivery, whatever was saved', async () => {
      const r = await receiver()
      await endpoint(`${r.url}/literal`)
      const eventId = await emit()
      expect(await dispatcher({ allowPrivateDestinations: false }).deliverDue()).toBe(1)
      expect(r.hits).toHaveLength(0)
      expect((await attemptsOf(eventId))[0].error).toMatch(/^refused: 127\.0\.0\.1 is a loopback address/)
    })

    it('delivers to loopback, by address or by name, in the sandbox', async () => {
      const r = await receiver()
      const port = new URL(r.url).port
      await endpoint(`http://127.0.0.1:${port}/literal`)
      await endpoint(`http://receiver.example.com:${port}/named`)
      const eventId = await emit()
      expect(await dispatcher({ allowPrivateDestinations: true, resolver: resolveTo('127.0.0.1') }).deliverDue()).toBe(2)
      expect(r.hits.map((hit) => hit.path).sort()).toEqual(['/literal', '/named'])
      expect((await deliveriesOf(eventId)).map((d) => d.status)).toEqual(['succeeded', 'succeeded'])
    })
  })

  it('logs every attempt, a success at info and a failure at warn with its link and reason, never the secret, the Authorization value or the payload', async () => {
    const { log, lines, text: logged } = captureLogs()
    const r = await receiver((hit, res) => {
      res.statusCode = hit.path === '/ok' ? 204 : 401
      res.end()
    })
    const ok = await createWebhookEndpoint(ctx, actor, { url: `${r.url}/ok`, authorization: 'Bearer very-secret-token-1' })
    await endpoint(`${r.url}/no`, 'Basic c2VjcmV0OnBhc3N3b3Jk')
    const eventId = await emit('secret-payload-code')
    expect(await dispatcher({}, db, log).deliverDue()).toBe(2)
    const [link] = await db.query<{ link_id: string }>('SELECT link_id FROM webhook_events WHERE id = $1', [eventId])
    expect(lines.find((l) => l.msg === 'webhook delivered')).toMatchObject({ level: LEVEL.info, webhook_id: eventId, link_id: link.link_id, status_code: 204 })
    expect(lines.find((l) => l.msg === 'webhook attempt failed, will retry')).toMatchObject({
      level: LEVEL.warn,
      webhook_id: eventId,
      link_id: link.link_id,
      status_code: 401,
      error: 'HTTP 401',
      attempt: 1,
    })
    const text = logged()
    for (const secret of ['very-secret-token-1', 'c2VjcmV0OnBhc3N3b3Jk', ok.secret, 'secret-payload-code']) expect(text).not.toContain(secret)
  })
})
