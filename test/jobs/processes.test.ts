import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import pg from 'pg'
import { listJobs } from '../../src/jobs/admin.ts'
import { openDb } from '../../src/store/db.ts'
import { backend, createTestDatabase } from '../helpers/db.ts'
import { basic } from '../helpers/harness.ts'
import { startReceiver } from '../helpers/receiver.ts'
import { PROCESS_MS, processTestTimeout } from '../helpers/processes.ts'

const BIN = new URL('../../bin/ponte.js', import.meta.url).pathname
const KEY = { id: 'process-test-key', password: 'process-test-password' }

/** Starts `ponte <command>` and resolves once it is ready (the API's URL for `serve`). */
function startPonte(children: ChildProcess[], env: Record<string, string>, command: 'serve' | 'worker'): Promise<{ child: ChildProcess; url?: string }> {
  const child = spawn(process.execPath, [BIN, command], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`ponte ${command} did not start: ${out}`)), PROCESS_MS)
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (command === 'serve' && listening) {
        clearTimeout(timer)
        resolve({ child, url: listening[1] })
      }
      if (command === 'worker' && out.includes('worker started')) {
        clearTimeout(timer)
        resolve({ child })
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`ponte ${command} exited with ${code}: ${out}`))
    })
  })
}

async function request(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: basic(KEY), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: await res.json() }
}

/**
 * Ponte as separate processes on one PostgreSQL (`ponte serve` with PONTE_WORKER=off and
 * `ponte worker`). PGlite is embedded in a single process, so these run on PostgreSQL only.
 */
describe.skipIf(backend !== 'postgres')('several processes on one PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  let env: Record<string, string>
  const children: ChildProcess[] = []
  beforeAll(async () => {
    database = await createTestDatabase()
    env = {
      ...(process.env as Record<string, string>),
      DATABASE_URL: database.url!,
      PONTE_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      PONTE_SECRET_KEY_ID: KEY.id,
      PONTE_SECRET_KEY_PASSWORD: KEY.password,
      LOG_LEVEL: 'info',
      PORT: '0',
      PONTE_JOB_TIMEOUT_SECONDS: '4',
      PONTE_JOB_MAINTENANCE_SECONDS: '1',
      // The test's webhook receiver listens on 127.0.0.1, which production refuses by default.
      PONTE_WEBHOOK_ALLOW_PRIVATE: 'true',
    }
  })
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    await database.drop()
  })
  const start = (command: 'serve' | 'worker', extra: Record<string, string> = {}) => startPonte(children, { ...env, ...extra }, command)
  const post = (url: string, path: string, body: unknown) => request(url, 'POST', path, body)

  it(
    'two API processes and two workers handle every job exactly once',
    async () => {
      const receiver = await startReceiver()
      try {
        // The API starts first: it applies the migrations that the others then find done.
        const api1 = await start('serve', { PONTE_WORKER: 'off' })
        const [api2] = await Promise.all([start('serve', { PONTE_WORKER: 'off' }), start('worker'), start('worker')])
        expect((await post(api1.url!, '/api/webhooks/', { url: receiver.url })).status).toBe(201)
        const links: string[] = []
        for (let i = 0; i < 6; i++) {
          const api = i % 2 === 0 ? api1 : api2
          const res = await post(api.url!, '/api/links/', {
            institution: 'erebor_mx_retail',
            username: `user_${i}`,
            password: 'secret',
            fetch_resources: ['ACCOUNTS', 'OWNERS'],
          })
          expect(res.status).toBe(201)
          links.push(res.body.id)
        }
        await receiver.waitFor((all) => all.length >= 12, 60_000)
        await new Promise((r) => setTimeout(r, 1500))
        const events = receiver.received.map((r) => r.body)
        expect(events).toHaveLength(12)
        expect(new Set(events.map((e) => e.webhook_id)).size).toBe(12)
        expect(new Set(events.map((e) => `${e.link_id}:${e.webhook_type}`)).size).toBe(12)
        expect(events.every((e) => links.includes(e.link_id))).toBe(true)
      } finally {
        await receiver.close()
        for (const child of children.splice(0)) child.kill('SIGTERM')
      }
    },
    processTestTimeout(4),
  )

  it(
    'a worker killed in the middle of a historical update: the update completes on restart, without duplicates',
    async () => {
      const receiver = await startReceiver()
      const db = new pg.Client({ connectionString: database.url })
      await db.connect()
      try {
        const api = await start('serve', { PONTE_WORKER: 'off' })
        expect((await post(api.url!, '/api/webhooks/', { url: receiver.url })).status).toBe(201)
        let worker = await start('worker')
        const link = (
          await post(api.url!, '/api/links/', {
            institution: 'erebor_mx_retail',
            username: 'scale_1y_40a',
            password: 'full',
            fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'],
          })
        ).body
        // Accounts are stored and announced first; transactions (about 73,000) take longer.
        await receiver.waitFor((all) => all.some((r) => r.body.link_id === link.id && r.body.webhook_type === 'ACCOUNTS'), 60_000)
        worker.child.kill('SIGKILL')
        await new Promise((r) => worker.child.once('exit', r))
        const partial = Number((await db.query('SELECT count(*) AS n FROM transactions WHERE link_id = $1', [link.id])).rows[0].n)

        worker = await start('worker')
        await receiver.waitFor((all) => all.some((r) => r.body.link_id === link.id && r.body.webhook_type === 'TRANSACTIONS'), 90_000)
        const counts = (
          await db.query(
            'SELECT count(*) AS n, count(DISTINCT internal_identification) AS d, (SELECT transaction_count FROM links WHERE id = $1) AS kept FROM transactions WHERE link_id = $1',
            [link.id],
          )
        ).rows[0]
        expect(Number(counts.n)).toBeGreaterThan(partial)
        expect(Number(counts.d)).toBe(Number(counts.n))
        expect(Number(counts.kept)).toBe(Number(counts.n))
        const hooks = receiver.received.map((r) => r.body).filter((b) => b.link_id === link.id)
        const transactions = hooks.filter((b) => b.webhook_type === 'TRANSACTIONS')
        expect(transactions[0].data.total_transactions).toBe(Number(counts.n))
        // At least once, and always under one event id per resource.
        expect(new Set(hooks.filter((b) => b.webhook_type === 'ACCOUNTS').map((b) => b.webhook_id)).size).toBe(1)
        expect(new Set(transactions.map((b) => b.webhook_id)).size).toBe(1)
      } finally {
        await db.end()
        await receiver.close()
        for (const child of children.splice(0)) child.kill('SIGTERM')
      }
    },
    processTestTimeout(3),
  )

  it(
    'a SIGKILLed worker: its job shows stalled, then runs again in another worker within 30 s, and completes',
    async () => {
      const receiver = await startReceiver()
      const db = await openDb({ databaseUrl: database.url, poolSize: 2 })
      // The defaults: a 15-minute job timeout, heartbeats every 5 s, presumed dead after 15 s.
      const defaults = { PONTE_JOB_TIMEOUT_SECONDS: '900', PONTE_JOB_MAINTENANCE_SECONDS: '60' }
      try {
        const api = await start('serve', { PONTE_WORKER: 'off', ...defaults })
        const get = async (id: string) => (await request(api.url!, 'GET', `/api/links/${id}/`)).body
        // This link's: an earlier test's jobs on the same database may still be cycling through their 4 s timeout.
        const activeJobsOf = async (linkId: string) =>
          (await listJobs(db, { state: 'active', queue: 'link-historical-update' })).filter((j) => j.data.linkId === linkId)
        expect((await post(api.url!, '/api/webhooks/', { url: receiver.url })).status).toBe(201)
        const first = await start('worker', defaults)
        const link = (
          await post(api.url!, '/api/links/', {
            institution: 'erebor_mx_retail',
            username: 'scale_2y_40a',
            password: 'full',
            fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'],
          })
        ).body
        await receiver.waitFor((all) => all.some((r) => r.body.link_id === link.id && r.body.webhook_type === 'ACCOUNTS'), 60_000)
        expect((await get(link.id)).background_work).toMatchObject({ state: 'running', pending_jobs: 1 })
        // Only now a second worker: the job is the first one's.
        const second = await start('worker', defaults)
        const [job] = await activeJobsOf(link.id)
        expect(job).toMatchObject({ queue: 'link-historical-update', worker: expect.stringMatching(new RegExp(`:${first.child.pid}$`)), stalled: false })

        first.child.kill('SIGKILL')
        await new Promise((r) => first.child.once('exit', r))
        const killedAt = Date.now()
        // Stalled: its worker stopped beating, and it is not handed over yet.
        await vi.waitFor(async () => expect((await get(link.id)).background_work).toMatchObject({ state: 'stalled' }), { timeout: 30_000, interval: 200 })
        expect(await activeJobsOf(link.id)).toEqual([expect.objectContaining({ id: job.id, stalled: true })])
        // (A retention job of the scheduler may be active too.)
        // The API process's /metrics shows it too.
        expect(await activeJobs(api.url!, 'stalled')).toBeGreaterThanOrEqual(1)
        // Running again, in the other worker, within the 30 s the defaults promise.
        await vi.waitFor(
          async () => {
            expect(await activeJobsOf(link.id)).toEqual([
              expect.objectContaining({ id: job.id, worker: expect.stringMatching(new RegExp(`:${second.child.pid}$`)), stalled: false }),
            ])
          },
          { timeout: Math.max(1, 30_000 - (Date.now() - killedAt)), interval: 200 },
        )
        expect((await get(link.id)).background_work).toMatchObject({ state: 'running', pending_jobs: 1 })
        expect(await activeJobs(api.url!, 'running')).toBeGreaterThanOrEqual(1)

        await receiver.waitFor((all) => all.some((r) => r.body.link_id === link.id && r.body.webhook_type === 'TRANSACTIONS'), 180_000)
        const [stored] = await db.query<{ n: string }>('SELECT count(*) AS n FROM transactions WHERE link_id = $1', [link.id])
        const transactions = receiver.received.map((r) => r.body).filter((b) => b.link_id === link.id && b.webhook_type === 'TRANSACTIONS')
        expect(transactions[0].data.total_transactions).toBe(Number(stored.n))
        // The job ends after its last webhook (statistics of a large ingest, the commit): on a loaded machine, seconds.
        await vi.waitFor(async () => expect((await get(link.id)).background_work).toBeNull(), { timeout: 60_000, interval: 200 })
        // The worker's death cost the job no attempt.
        const [done] = await db.query<{ state: string; retry_count: number }>('SELECT state::text AS state, retry_count FROM pgboss.job WHERE id = $1', [
          job.id,
        ])
        expect(done).toEqual({ state: 'completed', retry_count: 0 })
      } finally {
        await db.close()
        await receiver.close()
        for (const child of children.splice(0)) child.kill('SIGTERM')
      }
    },
    processTestTimeout(4),
  )
})

/**
 * The embedded server runs its own jobs: killed in the middle of one, it picks the job up again on
 * its next start, without waiting for the job timeout (the data-directory lock proves the old
 * process gone). Runs once, on PGlite.
 */
describe.skipIf(backend !== 'pglite')('the embedded server restarted after a crash', () => {
  const children: ChildProcess[] = []
  let dir: string
  let env: Record<string, string>
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-restart-'))
    env = {
      ...(process.env as Record<string, string>),
      PONTE_DATA_DIR: dir,
      PONTE_SECRET_KEY_ID: KEY.id,
      PONTE_SECRET_KEY_PASSWORD: KEY.password,
      LOG_LEVEL: 'info',
      PORT: '0',
      PONTE_JOB_TIMEOUT_SECONDS: '900',
      PONTE_JOB_MAINTENANCE_SECONDS: '1',
    }
    delete env.DATABASE_URL
  })
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it(
    'resumes the historical update it was running, long before the job timeout',
    async () => {
      const receiver = await startReceiver()
      try {
        let server = await startPonte(children, env, 'serve')
        expect((await request(server.url!, 'POST', '/api/webhooks/', { url: receiver.url })).status).toBe(201)
        const link = (
          await request(server.url!, 'POST', '/api/links/', {
            institution: 'erebor_mx_retail',
            username: 'scale_2y_40a',
            password: 'full',
            fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'],
          })
        ).body
        await receiver.waitFor((all) => all.some((r) => r.body.link_id === link.id && r.body.webhook_type === 'ACCOUNTS'), 60_000)
        server.child.kill('SIGKILL')
        await new Promise((r) => server.child.once('exit', r))
        // The job was cut off while active: what a restart has to recover.
        const jobs = JSON.parse((await promisify(execFile)('node', [BIN, 'jobs', 'list', '--state', 'active', '--json'], { env, timeout: PROCESS_MS })).stdout)
        expect(jobs).toEqual([expect.objectContaining({ queue: 'link-historical-update', state: 'active' })])

        server = await startPonte(children, env, 'serve')
        await receiver.waitFor((all) => all.some((r) => r.body.link_id === link.id && r.body.webhook_type === 'TRANSACTIONS'), 90_000)
        const transactions = receiver.received.map((r) => r.body).filter((b) => b.link_id === link.id && b.webhook_type === 'TRANSACTIONS')
        const stored = (await request(server.url!, 'GET', `/api/transactions/?link=${link.id}&page_size=1`)).body
        expect(stored.count).toBe(transactions[0].data.total_transactions)
        expect(stored.count).toBeGreaterThan(50_000)
      } finally {
        await receiver.close()
        for (const child of children.splice(0)) child.kill('SIGTERM')
      }
    },
    processTestTimeout(3),
  )
})

/** `ponte_jobs_active{state}` as the API process's /metrics reports it. */
async function activeJobs(url: string, state: 'running' | 'stalled'): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`ponte_jobs_active{state="${state}"} `))
  return Number(line?.split(' ')[1] ?? NaN)
}
