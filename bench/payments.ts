import autocannon from 'autocannon'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDb, type Db } from '../src/store/db.ts'
import { singleRowCommitCeiling } from './ceilings.ts'
import { CONNECTIONS, DURATION, dropDatabase, fmt, postgresUrl, report, startPonte } from './lib.ts'

/**
 * Issue 16's figure, on PGlite (on disk) and on PostgreSQL when BENCH_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) answers: payment intents created per second over
 * real HTTP (`POST /payments/br/payment-intents/`, a fresh Belvo-Idempotency-Key each, so every
 * request claims a key, creates an intent with its ledger row and stores its response), with p50
 * and p99 latency, against the single-row-commit ceiling (PERF.md C6/C7) measured on the same
 * database kind in the same run. Target: >= 0.3 of the ceiling.
 */
const RETAIL = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001'
const CPF = '52998224725'
const CNPJ = '11222333000181'

interface Created {
  requestsPerSecond: number
  p50: number
  p99: number
  created: number
  failed: number
}

async function post(url: string, auth: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (res.status !== 201) throw new Error(`${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as { id: string }
}

/** One autocannon run of intent creations, each with its own key. */
async function createIntents(url: string, auth: string, body: string, duration: number): Promise<Created> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    timeout: 60,
    requests: [
      {
        method: 'POST',
        path: '/payments/br/payment-intents/',
        body,
        setupRequest: (request: { headers?: Record<string, string> }) => ({
          ...request,
          headers: { ...request.headers, authorization: auth, 'content-type': 'application/json', 'belvo-idempotency-key': randomUUID() },
        }),
      },
    ],
  })
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    created: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
  }
}

async function ceilingOn(open: () => Promise<Db>): Promise<number> {
  const db = await open()
  try {
    return await singleRowCommitCeiling(db)
  } finally {
    await db.close()
  }
}

async function runBackend(name: string, env: Record<string, string>, ceiling: number): Promise<void> {
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')
  const ponte = await startPonte({ PONTE_DB_POOL_SIZE: '10', ...env })
  try {
    const customer = await post(`${ponte.url}/payments/br/customers/`, ponte.auth, { identifier: CPF, name: 'Maria da Silva', email: 'maria@example.com' })
    const account = await post(`${ponte.url}/payments/br/bank-accounts/`, ponte.auth, {
      institution: RETAIL,
      holder: { type: 'BUSINESS', information: { name: 'Loja Exemplo Ltda', identifier_type: 'CNPJ', identifier: CNPJ } },
      details: { account_type: 'CHECKINGS', agency: '0001', number: '1234567' },
    })
    const body = JSON.stringify({
      amount: '123.45',
      customer: customer.id,
      description: 'Pedido 1234',
      allowed_payment_method_types: ['open_finance'],
      payment_method_details: {
        open_finance: { beneficiary_bank_account: account.id, payer_institution: RETAIL, callback_url: 'https://merchant.example/callback' },
      },
      confirm: true,
    })
    // A 3-second warm-up (discarded), then the best of two runs, as PERF.md did.
    await createIntents(ponte.url, ponte.auth, body, 3)
    const runs = [await createIntents(ponte.url, ponte.auth, body, DURATION), await createIntents(ponte.url, ponte.auth, body, DURATION)]
    const best = runs.sort((a, b) => b.requestsPerSecond - a.requestsPerSecond)[0]
    report(`payment intents on ${name} (load average before: ${load})`, [
      {
        figure: `payment intents created (-c ${CONNECTIONS}, fresh idempotency key each)`,
        value: `${fmt(best.requestsPerSecond)}/s`,
        ceiling: `${fmt(ceiling)} single-row commits/s (C6/C7)`,
        ratio: fmt(best.requestsPerSecond / ceiling, 2),
        target: '>= 0.3',
      },
      { figure: 'latency', value: `p50 ${fmt(best.p50)} ms, p99 ${fmt(best.p99)} ms`, ceiling: '-', ratio: '-', target: '-' },
    ])
    if (best.failed > 0) console.log(`warning: ${best.failed} of ${best.created + best.failed} requests failed`)
  } finally {
    await ponte.stop()
  }
}

const BACKENDS = (process.env.BENCH_BACKENDS ?? 'pglite,postgres').split(',')
if (BACKENDS.includes('pglite')) {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-bench-pay-'))
  try {
    const ceiling = await ceilingOn(() => openDb({ dataDir: dir }))
    await runBackend('PGlite (on disk)', {}, ceiling)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
if (BACKENDS.includes('postgres')) {
  const url = await postgresUrl('ponte_bench_pay')
  if (url) {
    try {
      const ceiling = await ceilingOn(() => openDb({ databaseUrl: url, poolSize: 1 }))
      await runBackend('PostgreSQL', { DATABASE_URL: url, PONTE_ENCRYPTION_KEY: randomBytes(32).toString('base64') }, ceiling)
    } finally {
      await dropDatabase(url)
    }
  } else console.log('\nPostgreSQL not reachable: skipped (set BENCH_DATABASE_URL).')
}
