import { performance } from 'node:perf_hooks'
import type { Clock } from '../lib/clock.ts'
import { hmacSha256, type Cipher } from '../lib/crypto.ts'
import type { Logger } from '../lib/logger.ts'
import type { Db } from '../store/db.ts'
import { PONTE_VERSION } from '../lib/version.ts'
import { claimDueDeliveries, onDeliveriesDue, recordAttempt, type ClaimedDelivery, type DeliveryStatus } from '../store/webhooks.ts'
import { recordDelivery } from './metrics.ts'
import { postWebhook, systemResolver, webhookAgents, type Resolver } from './webhook-post.ts'

/**
 * The retry policy of DESIGN.md (the one Belvo asks of its own clients): exponential backoff, base
 * 3 s, factor 2, five retries. `RETRY_DELAYS_MS[n - 1]` is the wait after the n-th failed attempt.
 */
export const RETRY_DELAYS_MS: readonly number[] = Object.freeze([1, 2, 3, 4, 5].map((retry) => 3_000 * 2 ** (retry - 1)))
/** The first attempt plus one per retry. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1

/** How long to wait after `failedAttempts` failures before trying again; null when none is left. */
export function retryDelayMs(failedAttempts: number): number | null {
  return RETRY_DELAYS_MS[failedAttempts - 1] ?? null
}

/** How much of a receiver's answer the attempt log keeps. */
export const RESPONSE_SNIPPET_CHARS = 500
/**
 * A claimed delivery is not due again for this long, unless its dispatcher records an outcome
 * first. It must outlast an attempt (the timeout) by a wide margin, or a slow but live dispatcher
 * would see its deliveries claimed twice.
 */
export const MIN_LEASE_MS = 60_000

/** Who calls: receivers' logs and firewalls see Ponte and its version, not a browser. */
export const USER_AGENT = `Ponte/${PONTE_VERSION} (+webhooks)`

/**
 * After an in-process enqueue, a dispatcher claims at once and once more this long after: on
 * PostgreSQL the first claim can run before the emitting transaction commits and see nothing.
 */
const WAKE_SETTLE_MS = 50

export interface DispatcherContext {
  db: Db
  clock: Clock
  cipher: Cipher
  /** Never receives secrets, Authorization values or payloads. */
  log?: Logger
}

export interface DispatcherOptions {
  /**
   * False in production (config.ts webhookSettings): loopback, private, link-local, metadata and
   * other non-public addresses are refused at each attempt, after DNS (lib/destinations.ts).
   */
  allowPrivateDestinations: boolean
  /** Most attempts this dispatcher has in flight at once. */
  concurrency?: number
  /** Most attempts in flight at one endpoint, across every dispatcher on the database. */
  endpointConcurrency?: number
  /** Longest wait before looking for due deliveries again when nothing woke the dispatcher. */
  pollIntervalMs?: number
  /** Longest an attempt may take, from connecting to reading the answer; then it is a failed attempt. */
  timeoutMs?: number
  /** Resolves webhook hosts (tests inject one); dns.lookup by default. */
  resolver?: Resolver
}

/** What configuration decides about webhook sending (config.ts webhookSettings). */
export type WebhookSettings = Pick<DispatcherOptions, 'allowPrivateDestinations' | 'concurrency' | 'endpointConcurrency'>

interface AttemptResult {
  statusCode: number | null
  error: string | null
  snippet: string | null
  latencyMs: number
}

/**
 * Sends due webhook deliveries, each attempt on its own: a hung receiver holds only its own
 * attempts (at most `endpointConcurrency` of them, until the timeout), never anyone else's.
 *
 * Once started, the dispatcher keeps up to `concurrency` attempts in flight and claims more as
 * soon as a slot frees, a delivery is enqueued in this process, or the poll interval passes. Any
 * number of dispatchers (in-process or in `ponte worker` processes) may share one database: claims
 * use FOR UPDATE SKIP LOCKED and a lease (store/webhooks.ts claimDueDeliveries), so two never take
 * the same due delivery, the per-endpoint limit holds across them, and the deliveries of a
 * dispatcher that dies mid-attempt become due again when the lease ends.
 * Delivery is at-least-once: receivers de-duplicate with X-Ponte-Event-Id.
 */
export class WebhookDispatcher {
  private readonly pollIntervalMs: number
  private readonly timeoutMs: number
  private readonly concurrency: number
  private readonly endpointConcurrency: number
  private readonly leaseMs: number
  private readonly allowPrivate: boolean
  private readonly resolver: Resolver
  private readonly agents = webhookAgents()
  private readonly inFlight = new Set<Promise<void>>()
  /** Slots reserved by claims under way. */
  private claiming = 0
  private running = false
  private loop: Promise<void> | undefined
  private woken = false
  private wakeSleeper: (() => void) | undefined
  private unsubscribe: (() => void) | undefined

  constructor(
    private readonly ctx: DispatcherContext,
    options: DispatcherOptions,
  ) {
    this.allowPrivate = options.allowPrivateDestinations
    this.pollIntervalMs = options.pollIntervalMs ?? 250
    this.timeoutMs = options.timeoutMs ?? 5000
    this.concurrency = options.concurrency ?? 50
    this.endpointConcurrency = options.endpointConcurrency ?? 5
    this.resolver = options.resolver ?? systemResolver
    this.leaseMs = Math.max(MIN_LEASE_MS, 4 * this.timeoutMs)
  }

  /** Delivers continuously until stop(). */
  start(): void {
    if (this.running) return
    this.running = true
    this.unsubscribe = onDeliveriesDue(() => {
      this.wake()
      setTimeout(() => this.wake(), WAKE_SETTLE_MS).unref()
    })
    this.loop = this.run()
  }

  /** Stops claiming and resolves once the attempts in flight have been sent and recorded. */
  async stop(): Promise<void> {
    this.running = false
    this.unsubscribe?.()
    this.wake()
    await this.loop
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
    this.agents.http.destroy()
    this.agents.https.destroy()
  }

  /**
   * Claims the deliveries due now (by ctx.clock), as many as there are free slots, and resolves
   * once their attempts are recorded, with how many there were. Tests drive time with it.
   */
  async deliverDue(): Promise<number> {
    const attempts = await this.claim()
    await Promise.all(attempts)
    return attempts.length
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false
      const free = this.freeSlots()
      let claimed = 0
      if (free > 0) {
        try {
          claimed = (await this.claim()).length
        } catch (error) {
          // A database hiccup must not end the loop; the next turn tries again.
          this.ctx.log?.error({ error: errorText(error) }, 'webhook dispatcher pass failed')
        }
      }
      // A full claim may have left more due: go again at once while slots are free.
      if (!this.running || this.woken || (claimed > 0 && claimed === free && this.freeSlots() > 0)) continue
      await this.sleep(this.pollIntervalMs)
    }
  }

  private freeSlots(): number {
    return this.concurrency - this.inFlight.size - this.claiming
  }

  /** Claims up to the free slots and starts an attempt for each; returns the attempts. */
  private async claim(): Promise<Promise<void>[]> {
    const free = this.freeSlots()
    if (free <= 0) return []
    this.claiming += free
    let claimed: ClaimedDelivery[]
    try {
      const now = this.ctx.clock.now().getTime()
      claimed = await claimDueDeliveries(this.ctx.db, {
        now: new Date(now).toISOString(),
        leaseUntil: new Date(now + this.leaseMs).toISOString(),
        limit: free,
        perEndpoint: this.endpointConcurrency,
      })
    } finally {
      this.claiming -= free
    }
    return claimed.map((delivery) => {
      const attempt = this.deliver(delivery)
        .catch((error) => {
          // Recording failed (database down): the lease runs out and the delivery is attempted again.
          this.ctx.log?.error({ delivery_id: delivery.id, error: errorText(error) }, 'webhook attempt not recorded')
        })
        .finally(() => {
          this.inFlight.delete(attempt)
          // A slot is free, and the endpoint has room for one more of its own.
          this.wake()
        })
      this.inFlight.add(attempt)
      return attempt
    })
  }

  private wake(): void {
    this.woken = true
    this.wakeSleeper?.()
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wakeSleeper = undefined
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.wakeSleeper = done
      if (this.woken) done()
    })
  }

  /** One attempt and its record: the outcome and latency of every attempt are known here. */
  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const attemptedAt = this.ctx.clock.now()
    const sent = await this.attempt(delivery, attemptedAt)
    const answered = sent.statusCode !== null && sent.statusCode >= 200 && sent.statusCode < 300
    // A sandbox webhook rule: the receiver got it, but its answer is counted as lost, so the
    // delivery is retried on its schedule and arrives again (an at-least-once receiver's test).
    const lostAnswer = answered && Number(delivery.sandbox_lost_answers) > 0
    const result = lostAnswer ? { ...sent, error: 'sandbox fault: the answer was lost (a webhook rule of /sandbox/faults/)' } : sent
    const attempts = delivery.attempts + 1
    const succeeded = answered && !lostAnswer
    const delay = succeeded ? null : retryDelayMs(attempts)
    const status: DeliveryStatus = succeeded ? 'succeeded' : delay === null ? 'failed' : 'pending'
    // Backoff counts from the end of the attempt, so a slow failure does not shorten the wait.
    const finishedAt = this.ctx.clock.now()
    const applied = await recordAttempt(this.ctx.db, {
      deliveryId: delivery.id,
      lease: delivery.lease,
      attempt: {
        attempted_at: attemptedAt.toISOString(),
        status_code: result.statusCode,
        latency_ms: result.latencyMs,
        error: result.error,
        response_snippet: result.snippet,
      },
      status,
      attempts,
      nextAttemptAt: delay === null ? null : new Date(finishedAt.getTime() + delay).toISOString(),
      finishedAt: finishedAt.toISOString(),
      lostAnswer,
    })
    recordDelivery(succeeded ? 'succeeded' : status === 'failed' ? 'failed' : 'retrying', result.latencyMs)
    // Every attempt is logged (DESIGN.md): a success at info, the trail an integrator asks about,
    // bounded by events, not requests; a failure at warn while it will be retried, error when not.
    this.ctx.log?.[succeeded ? 'info' : status === 'failed' ? 'error' : 'warn'](
      {
        delivery_id: delivery.id,
        endpoint_id: delivery.endpoint_id,
        webhook_id: delivery.event_id,
        link_id: delivery.link_id,
        attempt: attempts,
        status_code: result.statusCode,
        error: result.error,
        latency_ms: result.latencyMs,
        // False when the delivery was redelivered, deleted or re-claimed meanwhile: state left as is.
        recorded: applied,
      },
      succeeded ? 'webhook delivered' : status === 'failed' ? 'webhook delivery failed, no retries left' : 'webhook attempt failed, will retry',
    )
  }

  /**
   * One HTTP POST. Never throws: every failure becomes the attempt's `error`. A destination the
   * policy refuses is a failed attempt like a refused connection, retried on the normal schedule:
   * the name may point elsewhere again by then, and six attempts cost nothing worth a special case.
   */
  private async attempt(delivery: ClaimedDelivery, attemptedAt: Date): Promise<AttemptResult> {
    const started = performance.now()
    const secrets: string[] = []
    try {
      const secret = this.ctx.cipher.decrypt(delivery.secret_sealed)
      secrets.push(secret)
      const timestamp = String(Math.floor(attemptedAt.getTime() / 1000))
      const body = Buffer.from(delivery.payload, 'utf8')
      // Exactly what Ponte means to say; node adds only Host and Connection.
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'Content-Length': String(body.length),
        'User-Agent': USER_AGENT,
        'X-Ponte-Event-Id': delivery.event_id,
        'X-Ponte-Timestamp': timestamp,
        'X-Ponte-Signature': `v1=${signature(secret, timestamp, delivery.payload)}`,
      }
      if (delivery.authorization_sealed) {
        headers.Authorization = this.ctx.cipher.decrypt(delivery.authorization_sealed)
        secrets.push(headers.Authorization)
      }
      const send = () =>
        postWebhook(new URL(delivery.url), {
          headers,
          body,
          timeoutMs: this.timeoutMs,
          snippetChars: RESPONSE_SNIPPET_CHARS,
          allowPrivate: this.allowPrivate,
          resolver: this.resolver,
          agents: this.agents,
        })
      const response = await send()
      // A sandbox webhook rule (domain/sandbox-faults.ts): the receiver gets the same delivery again,
      // byte for byte, as a network that repeats a request would do. Their answers do not count.
      for (let copy = 0; copy < Number(delivery.sandbox_duplicates); copy++) await send().catch(() => undefined)
      const latencyMs = Math.round(performance.now() - started)
      const ok = response.statusCode >= 200 && response.statusCode < 300
      return { statusCode: response.statusCode, error: ok ? null : `HTTP ${response.statusCode}`, snippet: response.snippet, latencyMs }
    } catch (error) {
      return { statusCode: null, error: redact(errorText(error), secrets), snippet: null, latencyMs: Math.round(performance.now() - started) }
    }
  }
}

/** `X-Ponte-Signature` without its `v1=` prefix: hex HMAC-SHA256(secret, `${timestamp}.${body}`). */
export function signature(secret: string, timestamp: string, body: string): string {
  return hmacSha256(secret, `${timestamp}.${body}`)
}

/**
 * The reason of a failed attempt, as stored and shown. A connection that tried several addresses
 * (happy eyeballs) fails with an AggregateError whose own message is empty.
 */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  if (error instanceof AggregateError && !error.message) {
    return [...new Set(error.errors.map(errorText))].join('; ') || String((error as NodeJS.ErrnoException).code ?? error.name)
  }
  return error.message || String((error as NodeJS.ErrnoException).code ?? error.name)
}

/** Error texts are stored and shown by the API; make sure no secret rides along in one. */
function redact(text: string, secrets: string[]): string {
  return secrets.reduce((acc, secret) => (secret ? acc.split(secret).join('[redacted]') : acc), text)
}
