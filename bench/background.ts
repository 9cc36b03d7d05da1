import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { createSecretKey } from '../src/domain/keys.ts'
import { createWebhookEndpoint, emitWebhook } from '../src/domain/webhooks.ts'
import { WebhookDispatcher } from '../src/jobs/dispatcher.ts'
import { openQueue } from '../src/jobs/queue.ts'
import { systemClock } from '../src/lib/clock.ts'
import { Cipher } from '../src/lib/crypto.ts'
import { openDb, type Db } from '../src/store/db.ts'
import { migrate } from '../src/store/migrate.ts'
import { singleRowCommitCeiling } from './ceilings.ts'
import { fmt, report } from './lib.ts'

/**
 * Issue 4's figures, on PGlite (on disk) and PostgreSQL (when reachable):
 *   jobs enqueued per second (one transaction each) and completed per second with a no-op
 *   handler, against the single-row-commit ceiling (PERF.md C6/C7) measured here;
 *   webhooks delivered per second to a loopback receiver, with p50/p99 from event to delivery.
 */
const JOBS = Number(process.env.BENCH_JOBS ?? 2000)
const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 1000)

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function runBackend(name: string, db: Db) {
  await migrate(db)
  const ceiling = await singleRowCommitCeiling(db)
  const queue = await openQueue(db)
  await queue.boss.createQueue('bench-noop', { name: 'bench-noop' })

  let t0 = performance.now()
  for (let i = 0; i < JOBS; i++)
    await db.tx((tx) =>
      queue.boss.send('bench-noop', { i }, { db: { executeSql: async (text: string, values: unknown[]) => ({ rows: await tx.query(text, values) }) } }),
    )
  const enqueueRate = JOBS / ((performance.now() - t0) / 1000)

  // The bench queue goes through Ponte's own worker wrapper, as real jobs do.
  let done = 0
  t0 = performance.now()
  await new Promise<void>((resolve) => {
    void queue.work('bench-noop' as never, async () => {
      if (++done === JOBS) resolve()
    })
  })
  const completeRate = JOBS / ((performance.now() - t0) / 1000)
  await queue.stop()

  // Webhooks: events emitted in their own transactions, delivered to a loopback receiver.
  const arrivals = new Map<string, number>()
  const receiver = createServer((request, response) => {
    const id = String(request.headers['x-ponte-event-id'])
    request.resume()
    request.on('end', () => {
      if (!arrivals.has(id)) arrivals.set(id, performance.now())
      response.end('ok')
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const ctx = { db, clock: systemClock, cipher: new Cipher(randomBytes(32)), webhooks: { allowPrivateDestinations: true } }
  const key = await createSecretKey(db)
  const actor = { organizationId: key.organizationId }
  await createWebhookEndpoint(ctx, actor, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` })
  const dispatcher = new WebhookDispatcher(ctx, { pollIntervalMs: 20, concurrency: 50, endpointConcurrency: 50, allowPrivateDestinations: true })
  dispatcher.start()
  const emitted = new Map<string, number>()
  t0 = performance.now()
  for (let i = 0; i < WEBHOOKS; i++) {
    const id = await db.tx((tx) =>
      emitWebhook(tx, ctx, {
        organizationId: actor.organizationId,
        linkId: null,
        externalId: null,
        requestId: null,
        webhookType: 'TRANSACTIONS',
        webhookCode: 'new_transactions_available',
        processType: 'recurrent_update',
        data: { new_transactions: i },
      }),
    )
    emitted.set(id, performance.now())
  }
  while (arrivals.size < WEBHOOKS) await new Promise((r) => setTimeout(r, 20))
  const deliveredRate = WEBHOOKS / ((Math.max(...arrivals.values()) - t0) / 1000)
  const latencies = [...arrivals].map(([id, at]) => at - emitted.get(id)!)
  await dispatcher.stop()
  await new Promise<void>((resolve) => receiver.close(() => resolve()))

  report(`background work on ${name}`, [
    {
      figure: `jobs enqueued (${JOBS}, one transaction each)`,
      value: `${fmt(enqueueRate)}/s`,
      ceiling: `${fmt(ceiling)} single-row commits/s (C6/C7)`,
      ratio: fmt(enqueueRate / ceiling, 2),
    },
    {
      figure: 'jobs completed (no-op handler)',
      value: `${fmt(completeRate)}/s`,
      ceiling: `${fmt(ceiling)} single-row commits/s`,
      ratio: fmt(completeRate / ceiling, 2),
    },
    {
      figure: `webhooks delivered (${WEBHOOKS}, loopback)`,
      value: `${fmt(deliveredRate)}/s`,
      ceiling: `${fmt(ceiling)} single-row commits/s`,
      ratio: fmt(deliveredRate / ceiling, 2),
    },
    {
      figure: 'event to delivery latency',
      value: `p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms`,
      ceiling: '-',
      ratio: '-',
    },
  ])
}

const dir = mkdtempSync(join(tmpdir(), 'ponte-bench-bg-'))
try {
  const lite = await openDb({ dataDir: dir })
  await runBackend('PGlite (on disk)', lite)
  await lite.close()
  const admin = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const client = new pg.Client({ connectionString: admin })
  const reachable = await client.connect().then(
    () => true,
    () => false,
  )
  if (reachable) {
    const name = `ponte_bench_bg_${Date.now()}`
    await client.query(`CREATE DATABASE ${name}`)
    const url = new URL(admin)
    url.pathname = `/${name}`
    const db = await openDb({ databaseUrl: url.toString(), poolSize: 10 })
    try {
      await runBackend('PostgreSQL', db)
    } finally {
      await db.close()
      await client.query(`DROP DATABASE ${name} WITH (FORCE)`)
    }
  } else console.log('\nPostgreSQL not reachable: skipped.')
  await client.end().catch(() => {})
} finally {
  rmSync(dir, { recursive: true, force: true })
}
