import { performance } from 'node:perf_hooks'
import type { Clock } from '../lib/clock.ts'
import { hmacSha256, type Cipher } from '../lib/crypto.ts'
import type { Db } from '../store/db.ts'
import { claimDueDeliveries, recordAttempt, type ClaimedDelivery, type DeliveryStatus } from '../store/webhooks.ts'

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

export const USER_AGENT = 'Ponte-Webhooks/1'

export interface DispatcherContext {
  db: Db
  clock: Clock
  cipher: Cipher
  /** Never receives secrets, Authorization values or payloads. */
  log?: (msg: string, extra?: object) => void
}

export interface DispatcherOptions {
  /** Wait between passes that found less than a full batch. */
  pollIntervalMs?: number
  /** Longest an attempt may take, response headers included; then it is a failed attempt. */
  timeoutMs?: number
  /** Deliveries claimed (and sent concurrently) per pass. */
  batchSize?: number
}

interface AttemptResult {
  statusCode: number | null
  error: string | null
  snippet: string | null
  latencyMs: number
}

/**
 * Sends due webhook deliveries. Any number of dispatchers (in-process or in `ponte worker`
 * processes) may share one database: a pass claims rows with FOR UPDATE SKIP LOCKED and a lease
 * (store/webhooks.ts claimDueDeliveries), so two passes never take the same due delivery, and the
 * deliveries of a dispatcher that dies mid-pass become due again when the lease ends.
 * Delivery is at-least-once: receivers de-duplicate with X-Ponte-Event-Id.
 */
export class WebhookDispatcher {
  private readonly pollIntervalMs: number
  private readonly timeoutMs: number
  private readonly batchSize: number
  private readonly leaseMs: number
  private readonly passes = new Set<Promise<number>>()
  private running = false
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly ctx: DispatcherContext, options: DispatcherOptions = {}) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250
    this.timeoutMs = options.timeoutMs ?? 5000
    this.batchSize = options.batchSize ?? 20
    this.leaseMs = Math.max(MIN_LEASE_MS, 4 * this.timeoutMs)
  }

  /** Polls until stop(). A pass that found a full batch is followed at once by the next one. */
  start(): void {
    if (this.running) return
    this.running = true
    const tick = async () => {
      this.timer = undefined
      if (!this.running) return
      let attempted = 0
      try {
        attempted = await this.deliverDue()
      } catch (error) {
        // A database hiccup must not end the loop; the next pass tries again.
        this.ctx.log?.('webhook dispatcher pass failed', { error: errorText(error) })
      }
      if (this.running) this.timer = setTimeout(tick, attempted >= this.batchSize ? 0 : this.pollIntervalMs)
    }
    this.timer = setTimeout(tick, 0)
  }

  /** Stops polling and resolves once the attempts in flight have been sent and recorded. */
  async stop(): Promise<void> {
    this.running = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await Promise.allSettled([...this.passes])
  }

  /** One pass: claims the deliveries due now (by ctx.clock), attempts them all, records the outcomes. */
  deliverDue(): Promise<number> {
    const pass = this.pass()
    this.passes.add(pass)
    pass.finally(() => this.passes.delete(pass)).catch(() => {})
    return pass
  }

  private async pass(): Promise<number> {
    const now = this.ctx.clock.now().getTime()
    const claimed = await claimDueDeliveries(this.ctx.db, {
      now: new Date(now).toISOString(), leaseUntil: new Date(now + this.leaseMs).toISOString(), limit: this.batchSize,
    })
    await Promise.all(claimed.map((delivery) => this.deliver(delivery).catch((error) => {
      // Recording failed (database down): the lease runs out and the delivery is attempted again.
      this.ctx.log?.('webhook attempt not recorded', { delivery_id: delivery.id, error: errorText(error) })
    })))
    return claimed.length
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const attemptedAt = this.ctx.clock.now()
    const result = await this.attempt(delivery, attemptedAt)
    const attempts = delivery.attempts + 1
    const succeeded = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300
    const delay = succeeded ? null : retryDelayMs(attempts)
    const status: DeliveryStatus = succeeded ? 'succeeded' : delay === null ? 'failed' : 'pending'
    // Backoff counts from the end of the attempt, so a slow failure does not shorten the wait.
    const finishedAt = this.ctx.clock.now()
    const applied = await recordAttempt(this.ctx.db, {
      deliveryId: delivery.id,
      lease: delivery.lease,
      attempt: {
        attempted_at: attemptedAt.toISOString(), status_code: result.statusCode, latency_ms: result.latencyMs,
        error: result.error, response_snippet: result.snippet,
      },
      status,
      attempts,
      nextAttemptAt: delay === null ? null : new Date(finishedAt.getTime() + delay).toISOString(),
      finishedAt: finishedAt.toISOString(),
    })
    this.ctx.log?.(succeeded ? 'webhook delivered' : status === 'failed' ? 'webhook delivery failed, no retries left' : 'webhook attempt failed', {
      delivery_id: delivery.id, endpoint_id: delivery.endpoint_id, webhook_id: delivery.event_id, attempt: attempts,
      status_code: result.statusCode, error: result.error, latency_ms: result.latencyMs,
      // False when the delivery was redelivered, deleted or re-claimed meanwhile: state left as is.
      recorded: applied,
    })
  }

  /** One HTTP POST. Never throws: every failure becomes the attempt's `error`. */
  private async attempt(delivery: ClaimedDelivery, attemptedAt: Date): Promise<AttemptResult> {
    const started = performance.now()
    const secrets: string[] = []
    try {
      const secret = this.ctx.cipher.decrypt(delivery.secret_sealed)
      secrets.push(secret)
      const timestamp = String(Math.floor(attemptedAt.getTime() / 1000))
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'User-Agent': USER_AGENT,
        'X-Ponte-Event-Id': delivery.event_id,
        'X-Ponte-Timestamp': timestamp,
        'X-Ponte-Signature': `v1=${signature(secret, timestamp, delivery.payload)}`,
      }
      if (delivery.authorization_sealed) {
        headers.Authorization = this.ctx.cipher.decrypt(delivery.authorization_sealed)
        secrets.push(headers.Authorization)
      }
      // A redirect is an answer, not a 2xx: following it would send the Authorization header and
      // payload to a URL nobody configured.
      const response = await fetch(delivery.url, {
        method: 'POST', headers, body: delivery.payload, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs),
      })
      const latencyMs = Math.round(performance.now() - started)
      const snippet = await readSnippet(response)
      const ok = response.status >= 200 && response.status < 300
      return { statusCode: response.status, error: ok ? null : `HTTP ${response.status}`, snippet, latencyMs }
    } catch (error) {
      const text = isTimeout(error) ? `timed out after ${this.timeoutMs} ms` : errorText(error)
      return { statusCode: null, error: redact(text, secrets), snippet: null, latencyMs: Math.round(performance.now() - started) }
    }
  }
}

/** `X-Ponte-Signature` without its `v1=` prefix: hex HMAC-SHA256(secret, `${timestamp}.${body}`). */
export function signature(secret: string, timestamp: string, body: string): string {
  return hmacSha256(secret, `${timestamp}.${body}`)
}

/**
 * The first RESPONSE_SNIPPET_CHARS characters of the body. Stops reading there (a receiver may
 * answer with megabytes), and keeps what arrived if the body is cut short or the timeout hits.
 */
async function readSnippet(response: Response): Promise<string | null> {
  if (!response.body) return null
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    while (text.length < RESPONSE_SNIPPET_CHARS) {
      const { done, value } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
  } catch {
    // Partial body: the status code already decided the outcome.
  } finally {
    reader.cancel().catch(() => {})
  }
  return text.slice(0, RESPONSE_SNIPPET_CHARS)
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || (error.cause instanceof Error && error.cause.name === 'TimeoutError'))
}

/** fetch reports "fetch failed" and hides the reason (ECONNREFUSED, ENOTFOUND...) in `cause`. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause as { code?: string; message?: string } | undefined
  if (cause && typeof cause === 'object' && (cause.message || cause.code)) return String(cause.message || cause.code)
  return error.message
}

/** Error texts are stored and shown by the API; make sure no secret rides along in one. */
function redact(text: string, secrets: string[]): string {
  return secrets.reduce((acc, secret) => (secret ? acc.split(secret).join('[redacted]') : acc), text)
}
