import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * The one source of "now". Production uses the system clock; tests and the sandbox inject a
 * settable clock so schedules, cooldowns and expiries are reproducible.
 */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

export class ManualClock implements Clock {
  private current: number
  constructor(start: Date | string = '2026-01-15T12:00:00.000Z') {
    this.current = new Date(start).getTime()
  }
  now(): Date {
    return new Date(this.current)
  }
  set(to: Date | string): void {
    this.current = new Date(to).getTime()
  }
  advance(ms: number): void {
    this.current += ms
  }
}

/**
 * The sandbox clock of an organization (issue 18, domain/sandbox-clock.ts): while work for an
 * organization whose clock is pinned runs (its requests, its jobs, an advance), "now" is that
 * instant. `contextualClock` wraps the process's clock so that every `ctx.clock.now()` sees it.
 */
const pinned = new AsyncLocalStorage<Date>()

/** Runs `fn` with `now` as every contextual clock's time (frozen: each read gives `now`). */
export function withPinnedNow<T>(now: Date, fn: () => T): T {
  return pinned.run(now, fn)
}

/**
 * The process's own time, even under withPinnedNow: what real-time machinery schedules by (webhook
 * deliveries, which the dispatcher runs on the server's clock).
 */
export function serverNow(clock: Clock): Date {
  return pinned.exit(() => clock.now())
}

const CONTEXTUAL = Symbol('contextual clock')

/** `base`, unless the code runs under withPinnedNow. Wrapping twice is wrapping once. */
export function contextualClock(base: Clock): Clock {
  if ((base as { [CONTEXTUAL]?: true })[CONTEXTUAL]) return base
  return {
    [CONTEXTUAL]: true,
    now: () => {
      const at = pinned.getStore()
      return at ? new Date(at.getTime()) : base.now()
    },
  } as Clock
}
