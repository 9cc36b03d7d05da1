import { loadConfig, webhookSettings } from '../src/config.ts'
import { TRANSACTIONS } from '../src/domain/banking.ts'
import { registerLink } from '../src/domain/links.ts'
import { createSecretKey } from '../src/domain/keys.ts'
import { retrieve } from '../src/domain/resources.ts'
import { ConnectorRegistry } from '../src/connectors/registry.ts'
import { ManualClock } from '../src/lib/clock.ts'
import { startUp } from '../src/main.ts'
import { loadQuerySet, offsetCeiling, unnestCeiling } from './ceilings.ts'
import { fmt, forEachBackend, measure, report, startServer } from './lib.ts'

/**
 * Issue 3's figures, on PGlite (on disk) and on PostgreSQL when BENCH_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) answers. For each backend: ingest a scale
 * persona of >= 1,000,000 transactions through the sandbox connector, then serve lists over it.
 *
 *   ingest rows/s                     / C6-C7 unnest ceiling
 *   first page, page_size=100  req/s  / C12 (raw first-page query behind Fastify)
 *   page_size=1000             MB/s   / C2 (a static 1000-item page, JSON.stringify per request)
 *   page=21 and page=71        req/s  / C10 (raw OFFSET 2000 / 7000 queries per second, one connection)
 *   sync page, page_size=500   req/s  / C12 (GET /api/transactions/sync/, issue 18)
 *
 * Every ceiling is measured in the same run on the same database by PERF.md's own method
 * (bench/ceilings.ts).
 *   12-month bnk100/full retrieve, end to end over HTTP
 */
const SCALE = process.env.BENCH_SCALE ?? 'scale_8y_100a'
const SANDBOX_TODAY = '2026-06-30T12:00:00Z'

/** Queries per second of `sql` in a closed loop on one connection for `seconds`. */
async function loop(db: { query: (sql: string, params?: unknown[]) => Promise<unknown> }, sql: string, params: unknown[], seconds = 3): Promise<number> {
  const end = performance.now() + seconds * 1000
  let n = 0
  while (performance.now() < end) {
    await db.query(sql, params)
    n++
  }
  return n / seconds
}

async function runBackend(name: string, env: Record<string, string>): Promise<void> {
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' })
  const { db, cipher, jobs } = await startUp(config, { cipher: true, queue: true })
  const clock = new ManualClock(SANDBOX_TODAY)
  const ctx = { db, clock, cipher, jobs, connectors: new ConnectorRegistry(), webhooks: webhookSettings(config) }
  const key = await createSecretKey(db)
  const actor = { organizationId: key.organizationId }

  // C6/C7, by PERF.md's method on this database.
  const unnestRate = await unnestCeiling(db)

  // Ingest: the scale persona through the sandbox connector into the store.
  // A single link with nothing to fetch in the background: the figures measure lists, not jobs.
  const scaleLink = await registerLink(ctx, actor, {
    institution: 'erebor_mx_retail',
    username: SCALE,
    password: 'full',
    access_mode: 'single',
    fetch_resources: [],
  })
  const years = Number(/scale_(\d+)y/.exec(SCALE)![1])
  const from = new Date(Date.parse(SANDBOX_TODAY) - years * 365 * 86_400_000).toISOString().slice(0, 10)
  const t0 = performance.now()
  const result = await retrieve(ctx, actor, TRANSACTIONS, { link: scaleLink.id, date_from: from, date_to: SANDBOX_TODAY.slice(0, 10) }, { collect: false })
  const ingestSeconds = (performance.now() - t0) / 1000
  const ingestRate = result.total / ingestSeconds
  if (db.kind === 'postgres') await db.exec('VACUUM ANALYZE transactions')
  if (process.env.BENCH_INGEST_ONLY) {
    // The ingest figure alone (a quick before/after check of a change to the write path).
    report(`ingest on ${name}`, [
      {
        figure: `ingest (${fmt(result.total)} rows)`,
        value: `${fmt(ingestRate)} rows/s (${fmt(ingestSeconds, 1)} s)`,
        ceiling: `${fmt(unnestRate)} rows/s (unnest)`,
        ratio: fmt(ingestRate / unnestRate, 2),
        target: '>= 0.5',
      },
    ])
    await jobs.stop()
    await db.close()
    return
  }

  // For the record: bare OFFSET over the persona's own rows, which one link wrote in order, so a
  // deep page reads contiguous heap pages (PERF.md's C10 interleaves 100 links).
  const offsetSql = 'SELECT * FROM transactions WHERE link_id = $1 ORDER BY value_date DESC, id LIMIT 100 OFFSET $2'
  const ownP21 = await loop(db, offsetSql, [scaleLink.id, 2000])
  const ownP71 = await loop(db, offsetSql, [scaleLink.id, 7000])

  // C10 and the data of C12, by PERF.md's method on this database.
  await loadQuerySet(db)
  const c10p21 = await offsetCeiling(db, 2000)
  const c10p71 = await offsetCeiling(db, 7000)
  await jobs.stop()
  await db.close()

  const serverEnv = { ...env, BENCH_LINK: scaleLink.id, PONTE_WORKER: 'off' }
  const ceiling = await startServer('ceiling-db', serverEnv)
  const c12 = await measure(`${ceiling.url}/db/tx`)
  const c2 = await measure(`${ceiling.url}/static/1000`, { connections: 10 })
  await ceiling.stop()

  const ponte = await startServer('ponte', serverEnv)
  const list = `${ponte.url}/api/transactions/?link=${scaleLink.id}`
  const headers = { authorization: `Basic ${Buffer.from(`${key.id}:${key.password}`).toString('base64')}` }
  const page100 = await measure(`${list}&page_size=100`, { headers })
  const page1000 = await measure(`${list}&page_size=1000`, { headers, connections: 10 })
  const page21 = await measure(`${list}&page_size=100&page=21`, { headers })
  const page71 = await measure(`${list}&page_size=100&page=71`, { headers })
  // Issue 18: the first page of an incremental sync, 500 transactions in change order.
  const sync500 = await measure(`${ponte.url}/api/transactions/sync/?link=${scaleLink.id}&page_size=500`, { headers })
  const failures = [page100, page1000, page21, page71, sync500].reduce((n, r) => n + r.non2xx + r.errors, 0)

  // 12 months of bnk100/full, end to end: register the link and retrieve over HTTP.
  const link = await (
    await fetch(`${ponte.url}/api/links/`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ institution: 'erebor_mx_retail', username: 'bnk100', password: 'full' }),
    })
  ).json()
  const today = new Date().toISOString().slice(0, 10)
  const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10)
  const r0 = performance.now()
  const retrieved = await (
    await fetch(`${ponte.url}/api/transactions/`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ link: link.id, date_from: yearAgo, date_to: today }),
    })
  ).json()
  const retrieveMs = performance.now() - r0
  await ponte.stop()

  const rows = [
    {
      figure: `ingest (${fmt(result.total)} rows)`,
      value: `${fmt(ingestRate)} rows/s (${fmt(ingestSeconds, 1)} s)`,
      ceiling: `${fmt(unnestRate)} rows/s (unnest)`,
      ratio: fmt(ingestRate / unnestRate, 2),
      target: '>= 0.5',
    },
    {
      figure: 'first page, page_size=100',
      value: `${fmt(page100.requestsPerSecond)} req/s (p99 ${page100.p99} ms)`,
      ceiling: `${fmt(c12.requestsPerSecond)} req/s (C12)`,
      ratio: fmt(page100.requestsPerSecond / c12.requestsPerSecond, 2),
      target: '>= 0.7',
    },
    {
      figure: 'sync page, page_size=500',
      value: `${fmt(sync500.requestsPerSecond)} req/s (p99 ${sync500.p99} ms)`,
      ceiling: `${fmt(c12.requestsPerSecond)} req/s (C12)`,
      ratio: fmt(sync500.requestsPerSecond / c12.requestsPerSecond, 2),
      target: '>= 0.7',
    },
    {
      figure: 'page_size=1000',
      value: `${fmt(page1000.bytesPerSecond / 1e6, 1)} MB/s`,
      ceiling: `${fmt(c2.bytesPerSecond / 1e6, 1)} MB/s (C2)`,
      ratio: fmt(page1000.bytesPerSecond / c2.bytesPerSecond, 2),
      target: '>= 0.6',
    },
    {
      figure: 'page=21',
      value: `${fmt(page21.requestsPerSecond)} req/s`,
      ceiling: `${fmt(c10p21)} q/s (C10, OFFSET 2000)`,
      ratio: fmt(page21.requestsPerSecond / c10p21, 2),
      target: '>= 1.0',
    },
    {
      figure: 'page=71',
      value: `${fmt(page71.requestsPerSecond)} req/s`,
      ceiling: `${fmt(c10p71)} q/s (C10, OFFSET 7000)`,
      ratio: fmt(page71.requestsPerSecond / c10p71, 2),
      target: '>= 1.0',
    },
    {
      figure: 'page=21 / page=71 (informative)',
      value: `${fmt(page21.requestsPerSecond)} / ${fmt(page71.requestsPerSecond)} req/s`,
      ceiling: `${fmt(ownP21)} / ${fmt(ownP71)} q/s (OFFSET on the persona's contiguous rows)`,
      ratio: `${fmt(page21.requestsPerSecond / ownP21, 2)} / ${fmt(page71.requestsPerSecond / ownP71, 2)}`,
      target: '-',
    },
    {
      figure: '12-month bnk100/full retrieve (HTTP)',
      value: `${fmt(retrieveMs)} ms for ${fmt(retrieved.length)} transactions`,
      ceiling: '-',
      ratio: '-',
      target: '-',
    },
  ]
  report(`transactions on ${name}`, rows)
  if (failures > 0) console.log(`warning: ${failures} requests failed or timed out during the list runs`)
}

await forEachBackend('ponte_bench', runBackend)
