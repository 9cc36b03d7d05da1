import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { advanceClock, getClock, MAX_ADVANCE_SECONDS, resetClock, setClock } from '../../domain/sandbox-clock.ts'
import { errorResponses } from '../schemas/common.ts'

const tags = ['Sandbox']
const count = (description: string) => Type.Integer({ description })

const Clock = Type.Object({
  now: Type.String({ format: 'date-time', description: "The organization's time." }),
  pinned: Type.Boolean({ description: "true: pinned by the sandbox clock (frozen until moved); false: the server's clock." }),
})

const Moved = Type.Object({
  now: Type.String({ format: 'date-time', description: "The organization's new time." }),
  pinned: Type.Boolean(),
  ran: Type.Object(
    {
      steps: count('Instants the walk stopped at (something due, each UTC midnight, the target), the start included.'),
      refreshes: count('Recurrent refreshes run (with their new data and webhooks).'),
      consents_rejected: count('Consents rejected for want of authorisation in time.'),
      consents_expired: count('Consents expired.'),
      consents_announced: count('openfinance_consent_about_to_expire webhooks.'),
      payment_settlements: count('Scheduled payment charges settled or failed on their date.'),
      authorization_charges: count('Pix Automático charges settled, failed or canceled on their date.'),
      authorizations_expired: count('Payment authorizations the payer did not authorize within 60 minutes, now FAILED (AUTHORIZATION_EXPIRED).'),
      data_purged: count('Links whose data was deleted (stale_in).'),
      credentials_forgotten: count('Links whose credentials were forgotten (credentials_storage).'),
      widget_tokens_expired: count('Widget token issuances past their refresh expiry, deleted.'),
    },
    { description: 'What the time in between ran, in time order, for this organization only.' },
  ),
})

const MOVES =
  'What falls due in between runs in time order, for this organization only: recurrent refreshes (new days of data and their webhooks), consent schedule, scheduled payments, Pix Automático charges, payment authorizations expiring, retention. Webhook deliveries and retries stay on real time.'

/**
 * The organization's sandbox clock (issue 18, domain/sandbox-clock.ts): read it, pin it forward,
 * advance it, or go back to the server's clock. These routes themselves run on the server's clock.
 */
export function sandboxClockRoutes(api: Api): void {
  const ctx = api.deps.domain

  api.get(
    '/sandbox/clock/',
    {
      schema: {
        tags,
        summary: "The organization's time",
        operationId: 'DetailSandboxClock',
        description: 'Ponte addition.',
        response: { 200: Clock, ...errorResponses() },
      },
    },
    async (request) => getClock(ctx, request.principal.organizationId),
  )

  api.put(
    '/sandbox/clock/',
    {
      schema: {
        tags,
        summary: "Pin the organization's time",
        operationId: 'UpdateSandboxClock',
        description: `Ponte addition. From now on the organization's requests and jobs see this instant, frozen, and the scheduler leaves the organization alone. Only forward (400 on an earlier instant: DELETE the clock instead), at most ${MAX_ADVANCE_SECONDS / 86_400} days at once. ${MOVES}`,
        body: Type.Object({ now: Type.String({ description: 'An ISO-8601 date-time, such as 2026-03-01T12:00:00Z.' }) }),
        response: { 200: Moved, ...errorResponses(400) },
      },
    },
    async (request) => setClock(ctx, request.principal.organizationId, request.body.now),
  )

  api.post(
    '/sandbox/clock/advance/',
    {
      schema: {
        tags,
        summary: "Advance the organization's time",
        operationId: 'AdvanceSandboxClock',
        description: `Ponte addition. Pins the clock if it was not, then moves it forward by \`by\`. ${MOVES}`,
        body: Type.Object({
          by: Type.String({
            description: `An ISO-8601 duration in weeks, days, hours, minutes and seconds (P1D, PT6H, P1DT30M, P2W), from 1 second to ${MAX_ADVANCE_SECONDS / 86_400} days.`,
          }),
        }),
        response: { 200: Moved, ...errorResponses(400) },
      },
    },
    async (request) => advanceClock(ctx, request.principal.organizationId, request.body.by),
  )

  api.delete(
    '/sandbox/clock/',
    {
      schema: {
        tags,
        summary: "Follow the server's clock again",
        operationId: 'DestroySandboxClock',
        description: "Ponte addition. The organization's time is the server's again (even if that is earlier); what already ran stays done.",
        response: { 200: Clock, ...errorResponses() },
      },
    },
    async (request) => resetClock(ctx, request.principal.organizationId),
  )
}
