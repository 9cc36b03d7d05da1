import closeWithGrace from 'close-with-grace'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Cipher } from './lib/crypto.ts'
import { StartupRefusal } from './lib/errors.ts'
import type { Api } from './http/api.ts'
import { webhookSettings, type Config } from './config.ts'
import { serveControl } from './control.ts'
import { createSecretKey, ensureSecretKey, hasAnySecretKey } from './domain/keys.ts'
import { anySealedValue, findEncryptionCheck, insertEncryptionCheck } from './store/encryption-check.ts'
import { openDb, type Db } from './store/db.ts'
import { syncCatalog } from './domain/institutions.ts'
import { migrate } from './store/migrate.ts'
import type { JobQueue } from './jobs/queue.ts'
import { systemClock } from './lib/clock.ts'
import { createLogger, flushLogs, type Logger } from './lib/logger.ts'

// The HTTP application, the job queue (pg-boss) and the worker (with the sandbox's data
// libraries) are imported by the commands that run them only: `ponte keys list` loads none of it.
const loadApp = () => import('./app.ts')
const loadQueue = () => import('./jobs/queue.ts')
const loadWorker = () => import('./worker.ts')
const loadConnectors = () => import('./connectors/registry.ts')

/** Any fixed 64-bit number: every Ponte process holds this lock for its whole start-up sequence. */
const STARTUP_LOCK = 7_404_211_902

export interface StartupSteps {
  /** Writes the institution catalog (default); CLI commands on keys, jobs and webhooks skip it. */
  catalog?: boolean
  /** Seals or opens credentials: needs the encryption key, checked against the database's. */
  cipher?: boolean
  /** Installs pg-boss's schema and Ponte's queues, and opens the queue. */
  queue?: boolean
  /** Guarantees a secret key (serve): the configured one, or a first one printed with `print`. */
  keys?: (text: string) => void
  /** Start-up progress for the operator (see `progressLines`). */
  progress?: (line: string) => void
  /** The process's logger, for the job queue's background errors. */
  log?: Logger
}

export type Started<S extends StartupSteps> = { db: Db } & (S extends { cipher: true } ? { cipher: Cipher } : unknown) &
  (S extends { queue: true } ? { jobs: JobQueue } : unknown)

/**
 * Opens the configured database (PostgreSQL, or embedded PGlite on disk) and runs every start-up
 * step that writes shared state (Ponte's migrations, the encryption key's check value, the
 * institution catalog, the first secret key, pg-boss's schema and queues) under one cluster-wide
 * lock. Processes started together on an empty database then take turns: the first does the work,
 * the others wait and find it done, instead of racing each other into deadlocks, duplicate
 * schemas and one "first" key each.
 */
export async function startUp<const S extends StartupSteps>(config: Config, steps: S): Promise<Started<S>> {
  const progress = steps.progress ?? (() => {})
  // On PostgreSQL the key comes from the environment: refuse before connecting to anything. The
  // embedded key file is read once the data directory is this process's (store/data-dir-lock.ts).
  let cipher = steps.cipher && config.DATABASE_URL ? loadCipher(config) : undefined
  const db = await openDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATABASE_URL ? undefined : resolve(config.PONTE_DATA_DIR, 'db'),
    poolSize: config.PONTE_DB_POOL_SIZE,
  })
  let jobs: JobQueue | undefined
  try {
    await db.exclusively(
      STARTUP_LOCK,
      async () => {
        progress('migrating the database')
        await migrate(db)
        if (steps.cipher) {
          cipher ??= loadCipher(config)
          await checkEncryptionKey(db, cipher, config)
        }
        if (steps.catalog ?? true) {
          progress('syncing the institution catalog')
          await syncCatalog(db)
        }
        if (steps.keys) await provisionKeys(db, config, steps.keys)
        if (steps.queue) {
          progress('starting the job queue')
          jobs = await (await loadQueue()).openQueue(db, queueOptions(config, db, steps.log))
        }
      },
      () => progress('waiting for another Ponte process to finish starting up'),
    )
  } catch (error) {
    await jobs?.stop()
    await db.close()
    throw error
  }
  return { db, cipher, jobs } as unknown as Started<S>
}

/** The database with its schema up to date, for commands that need nothing else (keys, jobs). */
export async function openStore(config: Config, options: { catalog?: boolean } = {}): Promise<Db> {
  return (await startUp(config, options)).db
}

/**
 * The encryption key for a command on an already open database (`ponte webhooks ...`), refused
 * like a server's when it is missing or is not the database's.
 */
export async function openCipher(db: Db, config: Config): Promise<Cipher> {
  const cipher = loadCipher(config)
  await db.exclusively(STARTUP_LOCK, () => checkEncryptionKey(db, cipher, config))
  return cipher
}

/** The job queue on an already open database (`ponte migrate`, `jobs retry`), under the start-up lock. */
export async function openJobQueue(db: Db, config: Config): Promise<JobQueue> {
  const { openQueue } = await loadQueue()
  return db.exclusively(STARTUP_LOCK, () => openQueue(db, queueOptions(config, db)))
}

/**
 * Start-up progress: a plain line on standard error per step, so a first start that takes a while
 * visibly works. Standard output keeps the first key and the logs; LOG_LEVEL above info silences it.
 */
function progressLines(config: Config): (line: string) => void {
  if (!['info', 'debug', 'trace'].includes(config.LOG_LEVEL)) return () => {}
  return (line) => process.stderr.write(`ponte: ${line}\n`)
}

/**
 * Guarantees a usable secret key: the configured one, or on a first start a new one, printed once
 * to standard output (never logged: logs are shipped and kept; the terminal is the operator's).
 * Runs under the start-up lock: of processes started together, exactly one creates it.
 */
async function provisionKeys(db: Db, config: Config, print: (text: string) => void): Promise<void> {
  if (config.PONTE_SECRET_KEY_ID && config.PONTE_SECRET_KEY_PASSWORD) {
    await ensureSecretKey(db, config.PONTE_SECRET_KEY_ID, config.PONTE_SECRET_KEY_PASSWORD)
    return
  }
  if (await hasAnySecretKey(db)) return
  const key = await createSecretKey(db, { name: 'first start' })
  print(
    [
      '',
      'Ponte created a secret key for you. It is shown only this once:',
      `  secret key id:       ${key.id}`,
      `  secret key password: ${key.password}`,
      'Use them as HTTP Basic credentials (or `new Client(id, password, url)` with the belvo SDK).',
      '',
    ].join('\n'),
  )
}

const MISSING_KEY =
  'PONTE_ENCRYPTION_KEY is required with DATABASE_URL: set it to 32 random bytes in base64 or hex ' +
  '(for example from `openssl rand -base64 32`), the same in every process of the cluster; it encrypts institution credentials at rest.'

/**
 * The key that encrypts institution credentials: PONTE_ENCRYPTION_KEY (32 bytes, base64 or hex),
 * required on PostgreSQL, where every process must share it (a process that made up its own key
 * could open none of the cluster's credentials, and would fail the jobs it took). The embedded
 * server generates one on its first start into the data directory (readable by its owner only).
 */
function loadCipher(config: Config): Cipher {
  if (config.PONTE_ENCRYPTION_KEY) {
    const raw = config.PONTE_ENCRYPTION_KEY.trim()
    const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64')
    if (key.length !== 32) throw new StartupRefusal('PONTE_ENCRYPTION_KEY must be 32 bytes, in base64 or hex (for example from `openssl rand -base64 32`).')
    return new Cipher(key)
  }
  if (config.DATABASE_URL) throw new StartupRefusal(MISSING_KEY)
  const file = keyFile(config)
  if (!existsSync(file)) {
    mkdirSync(config.PONTE_DATA_DIR, { recursive: true })
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' })
  }
  return new Cipher(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'))
}

const keyFile = (config: Config) => resolve(config.PONTE_DATA_DIR, 'encryption.key')

const CHECK_PLAINTEXT = 'ponte encryption key check'

/**
 * Refuses a key that cannot open what the database holds, then records the check value when the
 * database has none yet (its first start with a key, or one set up before check values existed,
 * whose key is then tested on a credential it already stores). Call under the start-up lock.
 */
async function checkEncryptionKey(db: Db, cipher: Cipher, config: Config): Promise<void> {
  const check = await findEncryptionCheck(db)
  const sealed = check ?? (await anySealedValue(db))
  if (sealed !== undefined && !opens(cipher, sealed, check === undefined ? undefined : CHECK_PLAINTEXT)) {
    throw new StartupRefusal(
      config.PONTE_ENCRYPTION_KEY
        ? 'PONTE_ENCRYPTION_KEY does not match the key this database was set up with: set the key that its other processes use (credentials sealed with one key cannot be opened with another).'
        : `The encryption key in ${keyFile(config)} does not match the key this database was set up with: put the original file back (or set PONTE_ENCRYPTION_KEY to the original key).`,
    )
  }
  if (check === undefined) await insertEncryptionCheck(db, cipher.encrypt(CHECK_PLAINTEXT))
}

function opens(cipher: Cipher, sealed: string, expected?: string): boolean {
  try {
    const plaintext = cipher.decrypt(sealed)
    return expected === undefined || plaintext === expected
  } catch {
    return false
  }
}

function queueOptions(config: Config, db: Db, log?: Logger) {
  // The embedded database is locked to this process (store/data-dir-lock): it runs every job.
  return {
    jobTimeoutSeconds: config.PONTE_JOB_TIMEOUT_SECONDS,
    maintenanceSeconds: config.PONTE_JOB_MAINTENANCE_SECONDS,
    soleProcess: db.kind === 'pglite',
    log,
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
  /** Runs once the server listens, before it says so (`serve` installs its signal handlers here). */
  listening?: (server: RunningServer) => void
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  // One logger for the process: Fastify's, the inline worker's, the queue's.
  const log = createLogger(config.LOG_LEVEL)
  const progress = progressLines(config)
  const { db, cipher, jobs } = await startUp(config, {
    cipher: true,
    queue: true,
    keys: options.print ?? ((t) => process.stdout.write(`${t}\n`)),
    progress,
    log,
  })
  const app = await (await loadApp()).buildApp({ db, config, cipher, jobs, logger: log })
  options.configure?.(app)
  if (config.PONTE_SANDBOX_SCENARIO) {
    await loadScenarioFile(app, config.PONTE_SANDBOX_SCENARIO, progress).catch(async (error: unknown) => {
      await app.close()
      await jobs.stop()
      await db.close()
      throw error
    })
  }
  const control =
    db.kind === 'pglite'
      ? serveControl(app, config.PONTE_DATA_DIR, {
          db: async () => db,
          cipher: async () => cipher,
          queue: async () => jobs,
          webhooks: app.deps.domain.webhooks,
          keyRevoked: (id) => app.deps.verifier.forget(id),
        })
      : undefined
  const worker = config.PONTE_WORKER === 'inline' ? await (await loadWorker()).startWorker(app.deps.domain, { log }) : undefined
  // app.close() waits for in-flight requests; then the worker finishes its jobs and deliveries,
  // and the database closes last.
  app.addHook('onClose', async () => {
    await worker?.stop()
    await jobs.stop()
    await db.close()
  })
  const url = await app.listen({ port: config.PORT, host: config.HOST })
  control?.publish()
  const server = { app, db, url, close: () => app.close() }
  options.listening?.(server)
  progress(`listening on ${url}`)
  return server
}

/** PONTE_SANDBOX_SCENARIO: the sandbox's fault rules, before the first request; a bad file stops the start. */
async function loadScenarioFile(app: Api, file: string, progress: (line: string) => void): Promise<void> {
  let scenario: unknown
  try {
    scenario = JSON.parse(readFileSync(resolve(file), 'utf8'))
  } catch (error) {
    throw new StartupRefusal(`PONTE_SANDBOX_SCENARIO: cannot read ${file} as JSON (${(error as Error).message})`)
  }
  try {
    const loaded = await (await import('./domain/sandbox-faults.ts')).loadScenario(app.deps.domain, scenario)
    progress(
      `sandbox scenario ${file}: ${loaded.rules} fault rule${loaded.rules === 1 ? '' : 's'} for ${loaded.organizations} organization${loaded.organizations === 1 ? '' : 's'}`,
    )
  } catch (error) {
    throw new StartupRefusal(`PONTE_SANDBOX_SCENARIO ${file}: ${(error as Error).message}`)
  }
}

/** `ponte serve`: runs until SIGINT/SIGTERM, then drains in-flight requests and exits. */
export async function serve(config: Config): Promise<void> {
  // The signal handlers go in before the server says it listens: a SIGTERM sent on reading that
  // line would otherwise find none and end the process at once, as it did `ponte worker`'s.
  await startServer(config, {
    listening: (server) =>
      closeWithGrace({ delay: config.PONTE_REQUEST_TIMEOUT_MS + 1000 }, async ({ err, signal }) => {
        if (err) server.app.log.error({ err }, 'shutting down after an error')
        else server.app.log.info({ signal }, 'shutting down')
        await server.close()
        server.app.log.info('stopped')
        await flushLogs()
      }),
  })
}

/** `ponte worker`: background jobs and webhook deliveries only, no HTTP; any number per database. */
export async function work(config: Config): Promise<void> {
  // The same logger and line format as `ponte serve`.
  const log = createLogger(config.LOG_LEVEL)
  const progress = progressLines(config)
  const { db, cipher, jobs } = await startUp(config, { cipher: true, queue: true, progress, log })
  const ctx = { db, clock: systemClock, cipher, jobs, connectors: new (await loadConnectors()).ConnectorRegistry(), webhooks: webhookSettings(config) }
  const worker = await (await loadWorker()).startWorker(ctx, { log })
  // The signal handlers go in before the worker says it runs: a SIGTERM sent on reading that line
  // would otherwise find none and end the process at once (a CI run saw it on a loaded machine).
  closeWithGrace({ delay: 30_000 }, async ({ err, signal }) => {
    if (err) log.error({ err }, 'shutting down after an error')
    else log.info({ signal }, 'shutting down')
    await worker.stop()
    await jobs.stop()
    await db.close()
    log.info('stopped')
    await flushLogs()
  })
  log.info({ database: db.kind }, 'worker started')
  progress('running background jobs and webhook deliveries')
}
