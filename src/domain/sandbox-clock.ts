import { withPinnedNow } from '../lib/clock.ts'
import { PonteError } from '../lib/errors.ts'
import { hex32, isUuid } from '../lib/ids.ts'
import * as store from '../store/sandbox-clocks.ts'
import type { PageObject } from '../store/sandbox-clocks.ts'
export type { PageObject }
import { claimDueRefreshes } from '../store/schedule.ts'
import { runConsentSchedule } from './consents.ts'
import type { DomainContext } from './context.ts'
import { expireAuthorizations, settleDueAuthorizationCharges } from './payments/authorizations.ts'
import { settleDueCharges } from './payments/intents.ts'
import { applyRetention, runRecurrentUpdate } from './sync.ts'

/**
 * Sandbox clocks (issue 18, /sandbox/clock/, `npx ponte sandbox clock`).
 *
 * An organization follows the server's clock until its clock is pinned (a row in sandbox_clocks,
 * 0021). From then on its time is that instant, frozen: it moves only when the organization moves
 * it forward (PUT to a later instant, or POST advance/ by a duration), never backwards (400), and
 * goes back to the server's clock on DELETE (what already ran stays done).
 * - Requests: the secret-key API and the widget API run under the organization's time
 *   (lib/clock.ts withPinnedNow, set by http/plugins/sandbox-clock.ts), so MFA sessions, widget
 *   tokens, consent deadlines, payment dates and timestamps follow it with no code of their own.
 *   So do the pages reached without a key (the sandbox bank's consent and enrollment pages, the PSE
 *   bank and payment-link pages), under the time of the organization whose object they serve
 *   (organizationOfPage, http/plugins/sandbox-clock.ts pageOrganizationTime).
 *   "No clock" is cached for a second per process (invalidated at once in the process that pins).
 * - Background: the scheduler's passes (domain/sync.ts runScheduler, applyRetention) skip
 *   organizations with a clock (store/sandbox-clocks.ts clockScope); their jobs (historical
 *   updates, async requests) run under the organization's time as read when the job starts.
 * - Moving forward steps through the span in time order: at each instant when something falls due
 *   (a recurrent refresh, credentials or data retention, a consent expiry, a payment authorization's deadline; each UTC midnight, for
 *   payment dates) and at the target, the organization's pass runs under that instant: recurrent
 *   refreshes run inline (new days of data, their webhooks), then the consent schedule, scheduled
 *   payment settlements and Pix Automático charges, payment authorizations the payer let expire, then retention (stale_in, credentials_storage,
 *   expired widget-token issuances). The answer counts what ran.
 * - One move of an organization's clock at a time (PUT, advance, DELETE; API and CLI, any number of
 *   processes: store/sandbox-clocks.ts exclusivelyForClock): a second advance starts where the
 *   first ended, so both count and what falls due runs once.
 * - On real time still: webhook deliveries and their retries, webhook event retention, job retries.
 * - Only for sandbox organizations: moving the clock is refused (400) while the organization has a
 *   link at an institution a real connector serves.
 */

/** The longest move forward at once. */
export const MAX_ADVANCE_SECONDS = 366 * 86_400

export interface ClockView {
  now: string
  pinned: boolean
}

export interface Ran {
  steps: number
  refreshes: number
  consents_rejected: number
  consents_expired: number
  consents_announced: number
  payment_settlements: number
  authorization_charges: number
  authorizations_expired: number
  data_purged: number
  credentials_forgotten: number
  widget_tokens_expired: number
}

/** Organizations known, for a second, to follow the server's clock: most requests then cost no query. */
const knownUnpinned = new Map<string, number>()
const UNPINNED_CACHE_MS = 1000

/** true while the organization is known (for a second) to follow the server's clock: no query, no await. */
export function knownToFollowServer(organizationId: string): boolean {
  return (knownUnpinned.get(organizationId) ?? 0) > Date.now()
}

/** The organization's pinned instant, or undefined when it follows the server's clock. */
export async function pinnedNow(ctx: Pick<DomainContext, 'db'>, organizationId: string): Promise<Date | undefined> {
  if (knownToFollowServer(organizationId)) return undefined
  const now = await store.findSandboxClock(ctx.db, organizationId)
  if (now) knownUnpinned.delete(organizationId)
  else knownUnpinned.set(organizationId, Date.now() + UNPINNED_CACHE_MS)
  return now ? new Date(now) : undefined
}

/** Runs `fn` under the organization's time (its pinned instant, else the server's clock). */
export async function underOrganizationTime<T>(ctx: Pick<DomainContext, 'db'>, organizationId: string, fn: () => Promise<T>): Promise<T> {
  const now = await pinnedNow(ctx, organizationId)
  return now ? withPinnedNow(now, fn) : fn()
}

/**
 * The organization whose object a page reached without a key serves (the sandbox bank pages, the
 * payment pages): the page judges its deadlines on that organization's time. A key of the wrong
 * shape finds none (the page answers it as unknown).
 */
export async function organizationOfPage(ctx: Pick<DomainContext, 'db'>, kind: PageObject, key: string | undefined): Promise<string | undefined> {
  const shaped = kind === 'consent' ? isUuid(key ?? '') : /^[0-9a-f]{32}$/.test(key ?? '')
  return shaped ? store.organizationOfPageObject(ctx.db, kind, key!) : undefined
}

export async function getClock(ctx: DomainContext, organizationId: string): Promise<ClockView> {
  const now = await store.findSandboxClock(ctx.db, organizationId)
  // Outside any pinned context: the server's clock.
  return now ? { now, pinned: true } : { now: ctx.clock.now().toISOString(), pinned: false }
}

export async function resetClock(ctx: DomainContext, organizationId: string): Promise<ClockView> {
  // After a move under way, which would pin the clock again when it ends.
  await store.exclusivelyForClock(ctx.db, organizationId, () => store.deleteSandboxClock(ctx.db, organizationId))
  knownUnpinned.delete(organizationId)
  return { now: ctx.clock.now().toISOString(), pinned: false }
}

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/

/** Seconds in an ISO-8601 duration of weeks, days, hours, minutes and seconds (`P1D`, `PT6H`, `P1DT12H`). */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim().toUpperCase())
  if (!match || text.trim().toUpperCase().endsWith('T')) return undefined
  const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0))
  return (((weeks! * 7 + days!) * 24 + hours!) * 60 + minutes!) * 60 + seconds!
}

/** Moves the organization's time forward by an ISO-8601 duration (see parseDuration). */
export async function advanceClock(ctx: DomainContext, organizationId: string, by: string): Promise<ClockView & { ran: Ran }> {
  const seconds = parseDuration(by)
  if (seconds === undefined || seconds < 1 || seconds > MAX_ADVANCE_SECONDS) {
    throw new PonteError('invalid', {
      field: 'by',
      params: {
        detail: `an ISO-8601 duration of weeks, days, hours, minutes or seconds (P1D, PT6H, P1DT30M), from 1 second to ${MAX_ADVANCE_SECONDS / 86_400} days.`,
      },
    })
  }
  // From where the move before it (if any) ended: see store.exclusivelyForClock.
  return store.exclusivelyForClock(ctx.db, organizationId, async () => {
    const from = new Date((await getClock(ctx, organizationId)).now)
    return moveTo(ctx, organizationId, from, new Date(from.getTime() + seconds * 1000), 'by')
  })
}

/** Pins the organization's time at `now`: its current time or later (what falls due in between runs, as in an advance). */
export async function setClock(ctx: DomainContext, organizationId: string, now: string): Promise<ClockView & { ran: Ran }> {
  const target = new Date(now)
  if (Number.isNaN(target.getTime()) || !/^\d{4}-\d\d-\d\dT/.test(now)) {
    throw new PonteError('invalid', { field: 'now', params: { detail: 'an ISO-8601 date-time, such as 2026-03-01T12:00:00Z.' } })
  }
  return store.exclusivelyForClock(ctx.db, organizationId, async () => {
    const from = new Date((await getClock(ctx, organizationId)).now)
    if (target < from) {
      throw new PonteError('invalid', {
        field: 'now',
        params: { detail: `the organization's time is ${from.toISOString()}: a sandbox clock moves forward only (DELETE it to follow the server's clock).` },
      })
    }
    if (target.getTime() - from.getTime() > MAX_ADVANCE_SECONDS * 1000) {
      throw new PonteError('invalid', { field: 'now', params: { detail: `at most ${MAX_ADVANCE_SECONDS / 86_400} days after the organization's time.` } })
    }
    return moveTo(ctx, organizationId, from, target, 'now')
  })
}

const emptyRan = (): Ran => ({
  steps: 0,
  refreshes: 0,
  consents_rejected: 0,
  consents_expired: 0,
  consents_announced: 0,
  payment_settlements: 0,
  authorization_charges: 0,
  authorizations_expired: 0,
  data_purged: 0,
  credentials_forgotten: 0,
  widget_tokens_expired: 0,
})

const nextMidnight = (at: Date): Date => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1))

async function moveTo(ctx: DomainContext, organizationId: string, from: Date, target: Date, field: 'now' | 'by'): Promise<ClockView & { ran: Ran }> {
  // A real bank's links are refreshed on real time only.
  const real = (await store.linkInstitutions(ctx.db, organizationId)).find((institution) => ctx.connectors.hasRealConnector(institution))
  if (real)
    throw new PonteError('invalid', {
      field,
      params: { detail: `the organization has links at ${real}, which a real connector serves: only sandbox organizations have a clock.` },
    })
  const ran = emptyRan()
  // Pinned first: the scheduler's passes leave the organization alone from here on.
  await store.pinSandboxClock(ctx.db, organizationId, from.toISOString(), ctx.clock.now().toISOString())
  knownUnpinned.delete(organizationId)
  let cursor = from
  try {
    for (;;) {
      await withPinnedNow(cursor, () => organizationPass(ctx, organizationId, cursor, ran))
      if (cursor >= target) break
      const due = await store.nextDueInstant(ctx.db, organizationId, cursor.toISOString(), target.toISOString())
      const candidates = [target, nextMidnight(cursor), ...(due ? [new Date(due)] : [])]
      cursor = new Date(Math.min(...candidates.map((c) => c.getTime())))
    }
  } finally {
    // Where the walk got to, even when a step failed: what ran stays done.
    await store.pinSandboxClock(ctx.db, organizationId, cursor.toISOString(), ctx.clock.now().toISOString())
  }
  return { now: cursor.toISOString(), pinned: true, ran }
}

/** What the scheduler would run for the organization at `now` (runScheduler and retention), recurrent refreshes inline. */
async function organizationPass(ctx: DomainContext, organizationId: string, now: Date, ran: Ran): Promise<void> {
  ran.steps++
  const due = await ctx.db.tx((tx) => claimDueRefreshes(tx, now.toISOString(), 500, organizationId))
  for (const link of due) {
    await runRecurrentUpdate(ctx, `clock:${hex32()}`, { organizationId, linkId: link.id, requestId: hex32(), processType: 'recurrent_update' })
    ran.refreshes++
  }
  const consents = await runConsentSchedule(ctx, now, organizationId)
  ran.consents_rejected += consents.rejected
  ran.consents_expired += consents.expired
  ran.consents_announced += consents.announced
  ran.payment_settlements += await settleDueCharges(ctx, now, organizationId)
  ran.authorization_charges += await settleDueAuthorizationCharges(ctx, now, organizationId)
  ran.authorizations_expired += await expireAuthorizations(ctx, now, organizationId)
  const retention = await applyRetention(ctx, now, organizationId)
  ran.data_purged += retention.purged
  ran.credentials_forgotten += retention.forgotten
  ran.widget_tokens_expired += retention.expiredWidgetTokens
}
