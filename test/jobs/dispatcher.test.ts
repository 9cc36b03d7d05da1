import { randomBytes, randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSecretKey } from '../../src/domain/keys.ts'
import { createWebhookEndpoint, deleteWebhookEndpoint, emitWebhook, getWebhookDelivery, redeliverWebhook, type WebhookContext } from '../../src/domain/webhooks.ts'
import { MAX_ATTEMPTS, MIN_LEASE_MS, RETRY_DELAYS_MS, retryDelayMs, WebhookDispatcher } from '../../src/jobs/dispatcher.ts'
import { ManualClock } from '../../src/lib/clock.ts'
import { Cipher } from '../../src/lib/crypto.ts'
import type { Actor } from '../../src/domain/context.ts'
import { openDb, type Db } from '../../src/store/db.ts'
import { claimDueDeliveries, recordAttempt } from '../../src/store/webhooks.ts'
import { backend, openTestDb } from '../helpers/db.ts'
import { startReceiver as startSharedReceiver, type Hit } from '../helpers/receiver.ts'

/** The shared receiver, answering through `answer(hit, res)`. */
const startReceiver = (answer: (hit: Hit, res: ServerResponse) => void = (_hit, res) => res.end('ok')) => startSharedReceiver((hit, _n, res) => answer(hit, res))

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
    ctx = { db, clock: new ManualClock(), cipher: new Cipher(randomBytes(32)) }
    actor = { organizationId: (await createSecretKey(db, { name: 'dispatcher' })).organizationId }
  })
  afterAll(async () => db.dropDatabase())
  // Every test starts without endpoints (deliveries go with them) and closes what it opened.
  beforeEach(async () => { await db.query('DELETE FROM webhook_endpoints') })
  afterEach(async () => { while (cleanups.length) await cleanups.pop()!() })

  const receiver = async (answer?: Parameters<typeof startReceiver>[0]) => {
    const r = await startReceiver(answer)
    cleanups.push(r.close)
    return r
  }
  const dispatcher = (options: ConstructorParameters<typeof WebhookDispatcher>[1] = {}, on: Db = db, log?: (msg: string, extra?: object) => void) =>
    new WebhookDispatcher({ db: on, clock: ctx.clock, cipher: ctx.cipher, log }, options)
  const endpoint = async (url: string, authorization?: string) => (await createWebhookEndpoint(ctx, actor, { url, authorization })).endpoint
  const emit = (webhookCode = 'historical_update') => db.tx((tx) => emitWebhook(tx, ctx, {
    organizationId: actor.organizationId, linkId: randomUUID(), externalId: null, requestId: null,
    webhookType: 'ACCOUNTS', webhookCode, processType: 'historical_update', data: { total_accounts: 1 },
  }))
  const deliveriesOf = (eventId: string) => db.query<{ id: string; status: string; attempts: number }>('SELECT id, status, attempts FROM webhook_deliveries WHERE event_id = $1', [eventId])

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
    const dispatchers = [dispatcher({ batchSize: 25 }), dispatcher({ batchSize: 25 }, other), dispatcher({ batchSize: 7 }), dispatcher({ batchSize: 7 }, other)]
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
    const [{ logged }] = await db.query<{ logged: number }>('SELECT count(*)::int AS logged FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id')
    expect(logged).toBe(60)
  })

  it('takes back the deliveries of a dispatcher that died mid-pass once the lease runs out', async () => {
    const r = await receiver()
    await endpoint(r.url)
    const eventId = await emit()
    const now = ctx.clock.now().getTime()
    // A dispatcher claims and then never reports back.
    const claimed = await claimDueDeliveries(db, { now: new Date(now).toISOString(), leaseUntil: new Date(now + MIN_LEASE_MS).toISOString(), limit: 10 })
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
    const [claim] = await claimDueDeliveries(db, { now, leaseUntil: new Date(Date.parse(now) + MIN_LEASE_MS).toISOString(), limit: 1 })
    // Redelivered while the first attempt was still in flight.
    await redeliverWebhook(ctx, actor, claim.id)
    const applied = await recordAttempt(db, {
      deliveryId: claim.id, lease: claim.lease, status: 'failed', attempts: 6, nextAttemptAt: null, finishedAt: now,
      attempt: { attempted_at: now, status_code: 500, latency_ms: 12, error: 'HTTP 500', response_snippet: '' },
    })
    expect(applied).toBe(false)
    const delivery = await getWebhookDelivery(ctx, actor, claim.id)
    expect(delivery).toMatchObject({ status: 'pending', attempts: 0, last_status_code: null })
    expect(delivery.attempts_log).toEqual([expect.objectContaining({ status_code: 500 })])
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
      'SELECT d.endpoint_id, a.status_code, a.error, a.response_snippet FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.event_id = $1', [eventId])
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
    const wrongKey = new WebhookDispatcher({ db, clock: ctx.clock, cipher: new Cipher(randomBytes(32)) })
    expect(await wrongKey.deliverDue()).toBe(1)
    expect(r.hits).toHaveLength(0)
    const [row] = await deliveriesOf(eventId)
    const delivery = await getWebhookDelivery(ctx, actor, row.id)
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1 })
    expect(delivery.attempts_log[0]).toMatchObject({ status_code: null, error: expect.any(String) })
  })

  it('never logs the secret, the Authorization value or the payload', async () => {
    const logs: unknown[] = []
    const r = await receiver((hit, res) => { res.statusCode = hit.path === '/ok' ? 204 : 401; res.end() })
    const ok = await createWebhookEndpoint(ctx, actor, { url: `${r.url}/ok`, authorization: 'Bearer very-secret-token-1' })
    await endpoint(`${r.url}/no`, 'Basic c2VjcmV0OnBhc3N3b3Jk')
    const eventId = await emit('secret-payload-code')
    expect(await dispatcher({}, db, (msg, extra) => logs.push({ msg, ...extra })).deliverDue()).toBe(2)
    const text = JSON.stringify(logs)
    expect(text).toContain('webhook delivered')
    expect(text).toContain('webhook attempt failed')
    expect(text).toContain(eventId)
    for (const secret of ['very-secret-token-1', 'c2VjcmV0OnBhc3N3b3Jk', ok.secret, 'secret-payload-code']) expect(text).not.toContain(secret)
  })
})
