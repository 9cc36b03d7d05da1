import autocannon from 'autocannon'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

/**
 * Shared benchmark plumbing. Servers run in their own process (as in PERF.md, where the server
 * and the load generator share the machine's two cores), autocannon drives them from this one.
 */
export const DURATION = Number(process.env.BENCH_DURATION ?? 10)
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)

export interface ServerProcess {
  url: string
  child: ChildProcess
  /** The server's standard output: its logs. */
  logFile: string
  stop(): Promise<void>
}

/**
 * Starts `bench/servers/<name>.ts`; it prints `LISTENING <url>` once ready. Servers log as a user
 * gets by default (LOG_LEVEL=info unless `env` says otherwise), to a file, as `npm start > ponte.log`
 * would: the figures include the cost of logging, and no pipe reader shares the CPU with them.
 */
export async function startServer(name: string, env: Record<string, string> = {}, nodeOptions: string[] = []): Promise<ServerProcess> {
  const script = fileURLToPath(new URL(`./servers/${name}.ts`, import.meta.url))
  const logDir = mkdtempSync(join(tmpdir(), `ponte-bench-${name}-`))
  const logFile = join(logDir, 'stdout.log')
  const out = openSync(logFile, 'w')
  // BENCH_SERVER_ARGS adds Node options to the servers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = [...nodeOptions, ...(process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean)]
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', out, 'inherit'],
  })
  closeSync(out)
  const url = await new Promise<string>((resolve, reject) => {
    const started = Date.now()
    const poll = setInterval(() => {
      const match = /LISTENING (\S+)/.exec(readFileSync(logFile, 'utf8'))
      if (match || Date.now() - started > 120_000) {
        clearInterval(poll)
        child.off('exit', exited)
        if (match) resolve(match[1])
        else reject(new Error(`${name} did not start within 120 s`))
      }
    }, 100)
    const exited = (code: number | null) => {
      clearInterval(poll)
      reject(new Error(`${name} exited with ${code}`))
    }
    child.once('exit', exited)
  })
  return {
    url,
    child,
    logFile,
    stop: () =>
      new Promise((resolve) => {
        const done = () => {
          rmSync(logDir, { recursive: true, force: true })
          resolve()
        }
        if (child.exitCode !== null) return done()
        child.once('exit', done)
        child.kill('SIGTERM')
      }),
  }
}

/**
 * The Node options `npm start` gives Ponte (package.json: `node <options> bin/ponte.js serve`,
 * the same as bin/ponte.js's first line), so a benchmarked Ponte runs as a user's does.
 */
function npmStartNodeOptions(): string[] {
  const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }
  const words = scripts.start.split(/\s+/)
  return words.slice(words.indexOf('node') + 1, words.indexOf('bin/ponte.js'))
}

/** Compiles src/ to dist/ (scripts/build.js, which `npm ci` runs too) once per bench, before the first Ponte starts. */
let built = false
function buildOnce(): void {
  if (!built) execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.js', import.meta.url))], { stdio: 'inherit' })
  built = true
}

/**
 * A fresh Ponte (its own embedded data directory) with a known secret key, as `npm start` runs it:
 * the compiled dist/, with npm start's Node options.
 */
export async function startPonte(env: Record<string, string> = {}): Promise<ServerProcess & { auth: string }> {
  buildOnce()
  const dataDir = mkdtempSync(join(tmpdir(), 'ponte-bench-data-'))
  const key = { id: 'bench-key', password: 'bench-password-1234' }
  const server = await startServer(
    'ponte',
    { PONTE_DATA_DIR: dataDir, PONTE_SECRET_KEY_ID: key.id, PONTE_SECRET_KEY_PASSWORD: key.password, ...env },
    npmStartNodeOptions(),
  )
  return {
    ...server,
    auth: `Basic ${Buffer.from(`${key.id}:${key.password}`).toString('base64')}`,
    stop: async () => {
      await server.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface LoadResult {
  requestsPerSecond: number
  bytesPerSecond: number
  p50: number
  p99: number
  errors: number
  non2xx: number
}

export async function load(url: string, options: { headers?: Record<string, string>; duration?: number; connections?: number } = {}): Promise<LoadResult> {
  const result = await autocannon({
    url,
    headers: options.headers,
    duration: options.duration ?? DURATION,
    connections: options.connections ?? CONNECTIONS,
    // Large pages on the embedded database can take seconds under load: count them, do not drop them.
    timeout: 60,
  })
  return {
    requestsPerSecond: result.requests.average,
    bytesPerSecond: result.throughput.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}

/** A 3-second warm-up (discarded), then the best of `runs` measured runs, as PERF.md did. */
export async function measure(url: string, options: Parameters<typeof load>[1] = {}, runs = 2): Promise<LoadResult> {
  await load(url, { ...options, duration: 3 })
  const results: LoadResult[] = []
  for (let i = 0; i < runs; i++) results.push(await load(url, options))
  return results.sort((a, b) => b.requestsPerSecond - a.requestsPerSecond)[0]
}

export function report(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n${title}`)
  console.table(rows)
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** A scratch database `<prefix>_<now>` on BENCH_DATABASE_URL's server; undefined when it does not answer. */
export async function postgresUrl(prefix: string): Promise<string | undefined> {
  const admin = ADMIN_URL
  const client = new pg.Client({ connectionString: admin })
  try {
    await client.connect()
    const name = `${prefix}_${Date.now()}`
    await client.query(`CREATE DATABASE ${name}`)
    const url = new URL(admin)
    url.pathname = `/${name}`
    return url.toString()
  } catch {
    return undefined
  } finally {
    await client.end().catch(() => {})
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`)
  await admin.end()
}

/**
 * Runs a benchmark on each backend of BENCH_BACKENDS (default both): PGlite on disk in a scratch
 * data directory, then PostgreSQL in a scratch database on BENCH_DATABASE_URL's server, when it answers.
 */
export async function forEachBackend(prefix: string, run: (name: string, env: Record<string, string>) => Promise<void>): Promise<void> {
  const backends = (process.env.BENCH_BACKENDS ?? 'pglite,postgres').split(',')
  const dataDir = mkdtempSync(join(tmpdir(), `${prefix.replace(/_/g, '-')}-`))
  try {
    if (backends.includes('pglite')) await run('PGlite (on disk)', { PONTE_DATA_DIR: dataDir })
    const url = backends.includes('postgres') ? await postgresUrl(prefix) : undefined
    if (url) {
      try {
        await run('PostgreSQL', { DATABASE_URL: url, PONTE_DATA_DIR: dataDir, PONTE_ENCRYPTION_KEY: randomBytes(32).toString('base64') })
      } finally {
        await dropDatabase(url)
      }
    } else if (backends.includes('postgres')) console.log('\nPostgreSQL not reachable: skipped (set BENCH_DATABASE_URL).')
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}
