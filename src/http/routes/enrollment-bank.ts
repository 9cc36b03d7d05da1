import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { decideEnrollmentAtBank, EnrollmentPageError, openEnrollmentAtBank, type EnrollmentPageProblem } from '../../domain/payments/biometric.ts'
import { ENROLLMENT_BANK_PATH } from '../../domain/payments/enrollments.ts'
import { enrollmentPage, enrollmentProblemPage } from '../pages/enrollment-bank.ts'
import { pageLocale, type PageLocale } from '../pages/mock-bank.ts'
import { pageOrganizationTime } from '../plugins/sandbox-clock.ts'
import { html } from './mock-bank.ts'

/**
 * The sandbox institution's biometric Pix enrollment page (issue 16): an enrollment's
 * details.redirect_url. The person approves or refuses registering their device; the page then
 * sends the browser to the enrollment's callback_url with `state` and `code` (or `error`), for
 * the integrator's POST /payments/br/enrollments/complete-redirection/. Not Belvo's API: no
 * secret key, HTML answers. Registered in the mock bank's scope (app.ts), which parses forms.
 */

const PROBLEM_STATUS: Record<EnrollmentPageProblem, number> = { not_found: 404, decided: 409, expired: 410, redirect: 400 }

const Fields = Type.Object(
  { state: Type.Optional(Type.String()), locale: Type.Optional(Type.String()), decision: Type.Optional(Type.String()) },
  { additionalProperties: true },
)
type FieldValues = { state?: string; locale?: string; decision?: string }

export function enrollmentBankRoutes(api: Api): void {
  const ctx = api.deps.domain
  const schema = { hide: true }
  // The enrollment's deadline is judged on its organization's time (its sandbox clock, if pinned).
  const enrollmentTime = pageOrganizationTime(ctx, 'enrollment_state', (request) => ((request.body ?? request.query) as FieldValues | undefined)?.state)
  const fail = (reply: FastifyReply, locale: PageLocale, error: unknown) => {
    if (error instanceof EnrollmentPageError) return html(reply, PROBLEM_STATUS[error.problem], enrollmentProblemPage(locale, error.problem))
    throw error
  }

  api.get(ENROLLMENT_BANK_PATH, { schema: { ...schema, querystring: Fields }, preHandler: enrollmentTime }, async (request, reply) => {
    const query = request.query as FieldValues
    const locale = pageLocale(query.locale)
    try {
      return html(reply, 200, enrollmentPage(await openEnrollmentAtBank(ctx, query.state ?? ''), locale))
    } catch (error) {
      return fail(reply, locale, error)
    }
  })

  api.post('/sandbox/openfinance/enrollments/decision', { schema: { ...schema, body: Fields }, preHandler: enrollmentTime }, async (request, reply) => {
    const form = request.body as FieldValues
    const locale = pageLocale(form.locale)
    if (form.decision !== 'approve' && form.decision !== 'refuse') return html(reply, 400, enrollmentProblemPage(locale, 'form'))
    try {
      const target = await decideEnrollmentAtBank(ctx, form.state ?? '', form.decision === 'approve')
      // 303: the browser follows with a GET, as after any form post.
      return reply.code(303).header('Location', target).header('Cache-Control', 'no-store').send()
    } catch (error) {
      return fail(reply, locale, error)
    }
  })
}
