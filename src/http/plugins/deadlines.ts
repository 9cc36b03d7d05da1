import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * Belvo answers 408 when a request takes too long. One sweeper for all in-flight requests
 * instead of a timer each: tracking a request is then a Map insert, which matters on the
 * per-request path. Deadlines fire up to a quarter of the timeout late, at most one second.
 */
export class RequestDeadlines {
  private readonly inflight = new Map<FastifyRequest, { reply: FastifyReply; deadline: number }>()
  private readonly sweeper: NodeJS.Timeout

  constructor(
    private readonly timeoutMs: number,
    private readonly onTimeout: (request: FastifyRequest, reply: FastifyReply) => void,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, Math.max(50, timeoutMs / 4)))
    this.sweeper.unref()
  }

  track(request: FastifyRequest, reply: FastifyReply): void {
    this.inflight.set(request, { reply, deadline: Date.now() + this.timeoutMs })
  }

  untrack(request: FastifyRequest): void {
    this.inflight.delete(request)
  }

  stop(): void {
    clearInterval(this.sweeper)
  }

  private sweep(): void {
    const now = Date.now()
    for (const [request, { reply, deadline }] of this.inflight) {
      if (deadline > now) continue
      this.inflight.delete(request)
      this.onTimeout(request, reply)
    }
  }
}
