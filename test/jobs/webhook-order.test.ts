import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createSecretKey } from '../../src/domain/keys.ts'
import { createWebhookEndpoint, emitWebhook, type WebhookContext } from '../../src/domain/webhooks.ts'
import { MAX_ATTEMPTS, WebhookDispatcher } from '../../src/jobs/dispatcher.ts'
import { ManualClock } from '../../src/lib/clock.ts'
import { Cipher } from '../../src/lib/crypto.ts'
import { openDb, type Db } from '../../src/store/db.ts'
import { backend, openTestDb } from '../helpers/db.ts'
import { startReceiver } from '../helpers/receiver.ts'

describe(`webhook delivery in order per object on ${backend}`, () => {
  let db: Db & { url?: string; dropDatabase(): Promise<void> }
  let ctx: WebhookContext & { clock: ManualClock }
  let organizationId: string

  beforeAll(async () => {
    db = await openTestDb()
    ctx = { db, clock: new ManualClock(), cipher: new Cipher(randomBytes(32)), webhooks: { allowPrivateDestinations: true } }
    organizationId = (await createSecretKey(db, { name: 'order' })).organizationId
  })
  afterAll(async () => db.dropDatabase())

  it(
    "delivers an object's events one after the other, waiting out a slow answer, a retry and a delivery that ran out of retries",
    { timeout: 60_000 },
    async () => {
      // What the receiver saw and answered, in order. A1 fails once, B1 answers slowly, D1 always fails.
      const log: string[] = []
      const receiver = await startReceiver((hit, _n, res) => {
        const label = String(hit.body.data.label)
        const tries = log.filter((entry) => entry === `arrive ${label}`).length
        log.push(`arrive ${label}`)
        const answer = (status: number) => {
          log.push(`answer ${label} ${status}`)
          res.statusCode = status
          res.end()
        }
        if ((label === 'A1' && tries === 0) || label === 'D1') answer(500)
        else if (label === 'B1') setTimeout(() => answer(200), 400)
        else answer(200)
      })
      await createWebhookEndpoint(ctx, { organizationId }, { url: `${receiver.url}/hooks` })
      const objects = { A: randomUUID(), B: randomUUID(), C: randomUUID(), D: randomUUID() }
      // Each event in a transaction of its own, the objects' events interleaved, as changes come.
      for (const n of [1, 2, 3])
        for (const [name, objectId] of Object.entries(objects))
          await db.tx((tx) =>
            emitWebhook(tx, ctx, {
              organizationId,
              linkId: null,
              externalId: null,
              requestId: null,
              webhookType: 'PAYMENT_INTENTS',
              webhookCode: 'STATUS_UPDATE',
              processType: 'payments',
              objectId,
              data: { label: `${name}${n}` },
            }),
          )

      // Two dispatchers, as two processes (on PostgreSQL each has its own pool), with room for every
      // delivery at once: only the order per object holds the later events back.
      const other = db.url ? await openDb({ databaseUrl: db.url, poolSize: 5 }) : db
      const options = { allowPrivateDestinations: true, concurrency: 20, endpointConcurrency: 20, pollIntervalMs: 20 }
      const dispatchers = [
        new WebhookDispatcher({ db, clock: ctx.clock, cipher: ctx.cipher }, options),
        new WebhookDispatcher({ db: other, clock: ctx.clock, cipher: ctx.cipher }, options),
      ]
      for (const d of dispatchers) d.start()
      const answered = (label: string) => log.some((entry) => entry.startsWith(`answer ${label} 200`))
      try {
        await receiver.waitFor(() => answered('B3') && answered('C3'), 30_000)
        // A1 waits out its backoff (the clock stands still): A2 and A3 wait with it. D likewise.
        expect(log.filter((entry) => entry.startsWith('arrive A') || entry.startsWith('arrive D')).sort()).toEqual(['arrive A1', 'arrive D1'])
        // D1 runs out of retries; A1 succeeds at its second attempt.
        // Each attempt is recorded (its backoff counted from the clock then) before the clock moves on.
        const attemptsOf = async (label: string) =>
          (
            await db.query<{ attempts: number }>(
              'SELECT d.attempts FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.payload LIKE $1',
              [`%"label":"${label}"%`],
            )
          )[0].attempts
        await vi.waitFor(async () => expect(await attemptsOf('A1')).toBe(1), { timeout: 30_000, interval: 20 })
        for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
          await vi.waitFor(async () => expect(await attemptsOf('D1')).toBe(attempt), { timeout: 30_000, interval: 20 })
          // Past the longest backoff (48 s), short of a claim's lease (60 s): nothing in flight is due again.
          ctx.clock.advance(50_000)
        }
        await receiver.waitFor(() => answered('A3') && answered('D3'), 30_000)
      } finally {
        await Promise.all(dispatchers.map((d) => d.stop()))
        await receiver.close()
        if (other !== db) await other.close()
      }
      const of = (name: string) => log.filter((entry) => entry.split(' ')[1].startsWith(name))
      expect(of('A')).toEqual(['arrive A1', 'answer A1 500', 'arrive A1', 'answer A1 200', 'arrive A2', 'answer A2 200', 'arrive A3', 'answer A3 200'])
      // B2 arrived only once B1's slow answer had been given.
      expect(of('B')).toEqual(['arrive B1', 'answer B1 200', 'arrive B2', 'answer B2 200', 'arrive B3', 'answer B3 200'])
      expect(of('C')).toEqual(['arrive C1', 'answer C1 200', 'arrive C2', 'answer C2 200', 'arrive C3', 'answer C3 200'])
      const d1 = Array.from({ length: MAX_ATTEMPTS }, () => ['arrive D1', 'answer D1 500']).flat()
      expect(of('D')).toEqual([...d1, 'arrive D2', 'answer D2 200', 'arrive D3', 'answer D3 200'])
      // The objects did not wait for each other: C was done before A's retry, and C1 went while B1
      // was still being answered.
      expect(log.indexOf('answer C3 200')).toBeLessThan(log.lastIndexOf('arrive A1'))
      expect(log.indexOf('arrive C1')).toBeLessThan(log.indexOf('answer B1 200'))
      const rows = await db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM webhook_deliveries GROUP BY status ORDER BY status')
      expect(rows).toEqual([
        { status: 'failed', n: 1 },
        { status: 'succeeded', n: 11 },
      ])
    },
  )
})
