import closeWithGrace from 'close-with-grace'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Cipher } from './lib/crypto.ts'
import { buildApp, type Api } from './app.ts'
import { webhookSettings, type Config } from './config.ts'
import { createSecretKey, ensureSecretKey, hasAnySecretKey } from './domain/keys.ts'
import { openDb, type Db } from './store/db.ts'
import { syncCatalog } from './store/institutions.ts'
import { migrate } from './store/migrate.ts'
import { openQueue } from './jobs/queue.ts'
import { startWorker } from './jobs/worker.ts'
import { ConnectorRegistry } from './connectors/registry.ts'
import { systemClock } from './lib/clock.ts'
import { createLogger, flushLogs, type Logger } from './lib/logger.ts'

/** Opens the configured database (PostgreSQL, or embedded PGlite on disk) and brings its schema up to date. */
export async function openStore(config: Config): Promise<Db> {
  const db = await openDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATABASE_URL ? undefined : resolve(config.PONTE_DATA_DIR, 'db'),
    poolSize: config.PONTE_DB_POOL_SIZE,
  })
  try {
    await migrate(db)
    await syncCatalog(db)
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

function queueOptions(config: Config, db: Db, log: Logger) {
  // The embedded database is locked to this process (store/data-dir-lock): it runs every job.
  return { jobTimeoutSeconds: config.PONTE_JOB_TIMEOUT_SECONDS, maintenanceSeconds: config.PONTE_JOB_MAINTENANCE_SECONDS, soleProcess: db.kind === 'pglite', log }
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
  // One logger for the process: Fastify's, the inline worker's, the queue's.
  const log = createLogger(config.LOG_LEVEL)
  const db = await openStore(config)
  await provisionKeys(db, config, options.print ?? ((t) => process.stdout.write(`${t}\n`)))
  const jobs = await openQueue(db, queueOptions(config, db, log))
  const app = await buildApp({ db, config, cipher: loadCipher(config), jobs, logger: log })
  options.configure?.(app)
  const worker = config.PONTE_WORKER === 'inline'
    ? await startWorker(app.deps.domain, { log })
    : undefined
  // app.close() waits for in-flight requests; then the worker finishes its jobs and deliveries,
  // and the database closes last.
  app.addHook('onClose', async () => {
    await worker?.stop()
    await jobs.stop()
    await db.close()
  })
  const url = await app.listen({ port: config.PORT, host: config.HOST })
  return { app, db, url, close: () => app.close() }
}

/** `ponte serve`: runs until SIGINT/SIGTERM, then drains in-flight requests and exits. */
export async function serve(config: Config): Promise<void> {
  const server = await startServer(config)
  closeWithGrace({ delay: config.PONTE_REQUEST_TIMEOUT_MS + 1000 }, async ({ err, signal }) => {
    if (err) server.app.log.error({ err }, 'shutting down after an error')
    else server.app.log.info({ signal }, 'shutting down')
    await server.close()
    server.app.log.info('stopped')
    await flushLogs()
  })
}

/** `ponte worker`: background jobs and webhook deliveries only, no HTTP; any number per database. */
export async function work(config: Config): Promise<void> {
  // The same logger and line format as `ponte serve`.
  const log = createLogger(config.LOG_LEVEL)
  const db = await openStore(config)
  const jobs = await openQueue(db, queueOptions(config, db, log))
  const ctx = { db, clock: systemClock, cipher: loadCipher(config), jobs, connectors: new ConnectorRegistry(), webhooks: webhookSettings(config) }
  const worker = await startWorker(ctx, { log })
  log.info({ database: db.kind }, 'worker started')
  closeWithGrace({ delay: 30_000 }, async ({ err, signal }) => {
    if (err) log.error({ err }, 'shutting down after an error')
    else log.info({ signal }, 'shutting down')
    await worker.stop()
    await jobs.stop()
    await db.close()
    log.info('stopped')
    await flushLogs()
  })
}
