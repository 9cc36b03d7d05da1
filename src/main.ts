import closeWithGrace from 'close-with-grace'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Cipher } from './lib/crypto.ts'
import type { Api } from './app.ts'
import { webhookSettings, type Config } from './config.ts'
import { serveControl } from './control.ts'
import { createSecretKey, ensureSecretKey, hasAnySecretKey } from './domain/keys.ts'
import { openDb, type Db } from './store/db.ts'
import { syncCatalog } from './store/institutions.ts'
import { migrate } from './store/migrate.ts'
import { systemClock } from './lib/clock.ts'

// The HTTP application, the job queue (pg-boss) and the worker (with the sandbox's data
// libraries) are imported by the commands that run them only: `ponte keys list` loads none of it.
const loadApp = () => import('./app.ts')
const loadQueue = () => import('./jobs/queue.ts')
const loadWorker = () => import('./jobs/worker.ts')
const loadConnectors = () => import('./connectors/registry.ts')

/**
 * Opens the configured database (PostgreSQL, or embedded PGlite on disk) and brings its schema up
 * to date; with `catalog` (servers and workers) also the institution catalog, which CLI commands
 * on keys, jobs and webhooks do not read.
 */
export async function openStore(config: Config, options: { catalog?: boolean } = {}): Promise<Db> {
  const db = await openDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATABASE_URL ? undefined : resolve(config.PONTE_DATA_DIR, 'db'),
    poolSize: config.PONTE_DB_POOL_SIZE,
  })
  try {
    await migrate(db)
    if (options.catalog ?? true) await syncCatalog(db)
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}

/**
 * Guarantees a usable secret key: the configured one, or on a first start a new one, printed once
 * to standard output (never logged: logs are shipped and kept; the terminal is the operator's).
 */
export async function provisionKeys(db: Db, config: Config, print: (text: string) => void): Promise<void> {
  if (config.PONTE_SECRET_KEY_ID && config.PONTE_SECRET_KEY_PASSWORD) {
    await ensureSecretKey(db, config.PONTE_SECRET_KEY_ID, config.PONTE_SECRET_KEY_PASSWORD)
    return
  }
  if (await hasAnySecretKey(db)) return
  const key = await createSecretKey(db, { name: 'first start' })
  print([
    '',
    'Ponte created a secret key for you. It is shown only this once:',
    `  secret key id:       ${key.id}`,
    `  secret key password: ${key.password}`,
    'Use them as HTTP Basic credentials (or `new Client(id, password, url)` with the belvo SDK).',
    '',
  ].join('\n'))
}

/**
 * The key that encrypts institution credentials: PONTE_ENCRYPTION_KEY (32 bytes, base64 or hex),
 * or one generated on the first start into the data directory (readable by its owner only).
 * Several processes on one PostgreSQL must share PONTE_ENCRYPTION_KEY.
 */
export function loadCipher(config: Config): Cipher {
  if (config.PONTE_ENCRYPTION_KEY) {
    const raw = config.PONTE_ENCRYPTION_KEY.trim()
    const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64')
    if (key.length !== 32) throw new Error('Invalid configuration: PONTE_ENCRYPTION_KEY must be 32 bytes, in base64 or hex')
    return new Cipher(key)
  }
  const file = resolve(config.PONTE_DATA_DIR, 'encryption.key')
  if (!existsSync(file)) {
    mkdirSync(config.PONTE_DATA_DIR, { recursive: true })
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' })
  }
  return new Cipher(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'))
}

function queueOptions(config: Config, db: Db) {
  // The embedded database is locked to this process (store/data-dir-lock): it runs every job.
  return {
    jobTimeoutSeconds: config.PONTE_JOB_TIMEOUT_SECONDS, maintenanceSeconds: config.PONTE_JOB_MAINTENANCE_SECONDS, soleProcess: db.kind === 'pglite',
    tracking: { heartbeatSeconds: config.PONTE_WORKER_HEARTBEAT_SECONDS, deadAfterSeconds: config.PONTE_WORKER_DEAD_AFTER_SECONDS },
  }
}

export interface RunningServer {
  app: Api
  db: Db
  url: string
  close(): Promise<void>
}

export interface StartOptions {
  print?: (text: string) => void
  /** Adds routes or hooks before the server listens (tests, embedding). */
  configure?: (app: Api) => void
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const db = await openStore(config)
  await provisionKeys(db, config, options.print ?? ((t) => process.stdout.write(`${t}\n`)))
  const jobs = await (await loadQueue()).openQueue(db, queueOptions(config, db))
  const app = await (await loadApp()).buildApp({ db, config, cipher: loadCipher(config), jobs })
  options.configure?.(app)
  const control = db.kind === 'pglite'
    ? serveControl(app, config.PONTE_DATA_DIR, {
      db: async () => db, cipher: () => app.deps.domain.cipher, queue: async () => jobs, keyRevoked: (id) => app.deps.verifier.forget(id),
    })
    : undefined
  const worker = config.PONTE_WORKER === 'inline'
    ? await (await loadWorker()).startWorker(app.deps.domain, { log: (message, extra) => app.log.error(extra ?? {}, message) })
    : undefined
  // app.close() waits for in-flight requests; then the worker finishes its jobs and deliveries,
  // and the database closes last.
  app.addHook('onClose', async () => {
    await worker?.stop()
    await jobs.stop()
    await db.close()
  })
  const url = await app.listen({ port: config.PORT, host: config.HOST })
  control?.publish()
  return { app, db, url, close: () => app.close() }
}

/** `ponte serve`: runs until SIGINT/SIGTERM, then drains in-flight requests and exits. */
export async function serve(config: Config): Promise<void> {
  const server = await startServer(config)
  closeWithGrace({ delay: config.PONTE_REQUEST_TIMEOUT_MS + 1000 }, async ({ err, signal }) => {
    if (err) server.app.log.error({ err }, 'shutting down after an error')
    else server.app.log.info({ signal }, 'shutting down')
    await server.close()
  })
}

/** `ponte worker`: background jobs and webhook deliveries only, no HTTP; any number per database. */
export async function work(config: Config): Promise<void> {
  const db = await openStore(config)
  const jobs = await (await loadQueue()).openQueue(db, queueOptions(config, db))
  const ctx = { db, clock: systemClock, cipher: loadCipher(config), jobs, connectors: new (await loadConnectors()).ConnectorRegistry(), webhooks: webhookSettings(config) }
  const worker = await (await loadWorker()).startWorker(ctx, { log: (message, extra) => process.stderr.write(`${JSON.stringify({ level: 'error', msg: message, ...extra })}\n`) })
  process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'worker started', database: db.kind })}\n`)
  closeWithGrace({ delay: 30_000 }, async () => {
    await worker.stop()
    await jobs.stop()
    await db.close()
  })
}
