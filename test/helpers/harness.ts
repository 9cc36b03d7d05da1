import { randomBytes } from 'node:crypto'
import { buildApp } from '../../src/app.ts'
import type { Api } from '../../src/http/api.ts'
import { Cipher } from '../../src/lib/crypto.ts'
import { openQueue } from '../../src/jobs/queue.ts'
import { startWorker, type Worker, type WorkerOptions } from '../../src/worker.ts'
import { loadConfig, type Config } from '../../src/config.ts'
import { createSecretKey, type SecretKey } from '../../src/domain/keys.ts'
import { ManualClock } from '../../src/lib/clock.ts'
import type { Db } from '../../src/store/db.ts'
import { openTestDb } from './db.ts'
import { startReceiver, type Receiver } from './receiver.ts'

export interface Harness {
  app: Api
  db: Db
  config: Config
  clock: ManualClock
  key: SecretKey
  /** `Authorization` header value for `key`. */
  auth: string
  /** A second organization, for isolation tests. */
  otherKey: SecretKey
  otherAuth: string
  /**
   * One JSON request through `app.inject`, authenticated as `key` unless `auth` says otherwise
   * (null: no Authorization header); `raw` sends a body text as is.
   */
  call(method: string, url: string, payload?: unknown, options?: CallOptions): Promise<CallResult>
  /** Starts real HTTP on a random port; returns the base URL. */
  listen(): Promise<string>
  /** A webhook receiver subscribed to every event of `key`'s organization; closed with the harness. */
  receiveWebhooks(authorization: string): Promise<Receiver>
  /** Starts the background worker (jobs, webhook deliveries, scheduler), polling fast. */
  startWorker(options?: WorkerOptions): Promise<Worker>
  close(): Promise<void>
}

export interface CallOptions {
  auth?: string | null
  headers?: Record<string, string>
  raw?: string
}

export interface CallResult {
  status: number
  // Tests read whatever the response holds.
  body: any
  headers: Record<string, unknown>
}

export function basic(key: { id: string; password: string }): string {
  return `Basic ${Buffer.from(`${key.id}:${key.password}`).toString('base64')}`
}

/**
 * A whole Ponte on a fresh database: migrated, with the catalog, two organizations with a key
 * each, and a manual clock. `configure` may add test-only routes before the app is ready.
 */
export async function createHarness(options: { env?: Record<string, string>; configure?: (app: Api) => void; cipher?: Cipher } = {}): Promise<Harness> {
  const db = await openTestDb()
  const config = loadConfig({ LOG_LEVEL: 'silent', ...options.env })
  const clock = new ManualClock()
  const jobs = await openQueue(db, {
    tracking: { heartbeatSeconds: config.PONTE_WORKER_HEARTBEAT_SECONDS, deadAfterSeconds: config.PONTE_WORKER_DEAD_AFTER_SECONDS },
  })
  const app = await buildApp({ db, config, clock, logger: false, cipher: options.cipher ?? new Cipher(randomBytes(32)), jobs })
  let worker: Worker | undefined
  const receivers: Receiver[] = []
  options.configure?.(app)
  await app.ready()
  const key = await createSecretKey(db, { name: 'test' })
  const otherKey = await createSecretKey(db, { newOrganization: 'other', name: 'other' })
  const call: Harness['call'] = async (method, url, payload, options = {}) => {
    const auth = options.auth === undefined ? basic(key) : options.auth
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: { ...(auth ? { authorization: auth } : {}), 'content-type': 'application/json', ...options.headers },
      payload: options.raw ?? (payload === undefined ? undefined : JSON.stringify(payload)),
    })
    return { status: res.statusCode, body: res.body ? res.json() : undefined, headers: res.headers }
  }
  return {
    app,
    db,
    config,
    clock,
    key,
    auth: basic(key),
    otherKey,
    otherAuth: basic(otherKey),
    call,
    async listen() {
      return app.listen({ port: 0, host: '127.0.0.1' })
    },
    async receiveWebhooks(authorization) {
      const receiver = await startReceiver()
      receivers.push(receiver)
      const endpoint = await call('POST', '/api/webhooks/', { url: receiver.url, authorization })
      if (endpoint.status !== 201) throw new Error(`webhook endpoint not created: ${JSON.stringify(endpoint.body)}`)
      return receiver
    },
    async startWorker(options = {}) {
      worker = await startWorker(app.deps.domain, { schedulerIntervalMs: 3_600_000, deliveryIntervalMs: 50, ...options })
      return worker
    },
    async close() {
      await app.close()
      await worker?.stop()
      await jobs.stop()
      await db.dropDatabase()
      await Promise.all(receivers.map((r) => r.close()))
    },
  }
}
