import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { BankPageError, bankLogin, decideAtBank, openAuthorization, type BankPageProblem } from '../../domain/consents.ts'
import { loginPage, pageLocale, problemPage, reviewPage, type PageLocale } from '../pages/mock-bank.ts'
import { baseUrl } from '../plugins/pagination.ts'
import { pageOrganizationTime } from '../plugins/sandbox-clock.ts'

/**
 * The sandbox's Open Finance Brasil institution page (issue 15): where the widget sends the person
 * to authorise a consent, as a real bank's authorization server would. Not part of Belvo's API:
 * no secret key (the person's browser has none), HTML, and its failures are shown on the page.
 * Registered in a scope of its own in app.ts (it parses HTML forms, which the Belvo API refuses).
 */

const PROBLEM_STATUS: Record<BankPageProblem, number> = {
  not_found: 404,
  redirect: 400,
  decided: 409,
  // Gone for good: the consent was rejected at its authorisation deadline.
  expired: 410,
  form: 400,
  cpf_invalid: 400,
  cpf_unknown: 400,
  cpf_mismatch: 400,
}

const Form = Type.Object(
  {
    consent_id: Type.Optional(Type.String()),
    redirect_uri: Type.Optional(Type.String()),
    nonce: Type.Optional(Type.String()),
    locale: Type.Optional(Type.String()),
    cpf: Type.Optional(Type.String()),
    decision: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
)
type FormFields = { consent_id?: string; redirect_uri?: string; nonce?: string; locale?: string; cpf?: string; decision?: string }

/** HTML responses: never cached (they carry the form nonce), never framed by another site, no referrer. */
export function html(reply: FastifyReply, status: number, page: string) {
  return reply
    .code(status)
    .header('Content-Type', 'text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'no-referrer')
    .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'; base-uri 'none'")
    .send(page)
}

export function mockBankRoutes(api: Api): void {
  const ctx = api.deps.domain
  const origin = (request: FastifyRequest) => new URL(baseUrl(request, api.deps.config.PONTE_PUBLIC_URL)).origin

  // Forms post application/x-www-form-urlencoded; only this scope parses it.
  api.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))))
  })

  const fail = (reply: FastifyReply, locale: PageLocale, error: unknown) => {
    if (error instanceof BankPageError) return html(reply, PROBLEM_STATUS[error.problem], problemPage(locale, error.problem))
    throw error
  }

  const schema = { hide: true }
  // The consent's deadlines are judged on its organization's time (its sandbox clock, if pinned).
  const consentTime = pageOrganizationTime(ctx, 'consent', (request) => ((request.body ?? request.query) as FormFields | undefined)?.consent_id)

  api.get('/sandbox/openfinance/authorize', { schema: { ...schema, querystring: Form }, preHandler: consentTime }, async (request, reply) => {
    const query = request.query as FormFields
    const locale = pageLocale(query.locale)
    try {
      const view = await openAuthorization(ctx, query.consent_id ?? '', query.redirect_uri ?? '', origin(request))
      const state = { consentId: view.consent.id, redirectUri: query.redirect_uri ?? '', nonce: view.consent.nonce ?? '', locale, now: ctx.clock.now() }
      return html(reply, 200, loginPage(view, state))
    } catch (error) {
      return fail(reply, locale, error)
    }
  })

  api.post('/sandbox/openfinance/authorize/login', { schema: { ...schema, body: Form }, preHandler: consentTime }, async (request, reply) => {
    const form = request.body as FormFields
    const locale = pageLocale(form.locale)
    const redirectUri = form.redirect_uri ?? ''
    try {
      const view = await bankLogin(ctx, form.consent_id ?? '', redirectUri, origin(request), form.nonce ?? '', form.cpf ?? '')
      return html(reply, 200, reviewPage(view, { consentId: view.consent.id, redirectUri, nonce: form.nonce ?? '', locale, now: ctx.clock.now() }))
    } catch (error) {
      // A wrong CPF is the person's to correct: the same form again, with the problem on it.
      if (error instanceof BankPageError && error.problem.startsWith('cpf_')) {
        const view = await openAuthorization(ctx, form.consent_id ?? '', redirectUri, origin(request))
        const state = { consentId: view.consent.id, redirectUri, nonce: form.nonce ?? '', locale, now: ctx.clock.now() }
        return html(reply, PROBLEM_STATUS[error.problem], loginPage(view, state, error.problem, form.cpf ?? ''))
      }
      return fail(reply, locale, error)
    }
  })

  api.post('/sandbox/openfinance/authorize/decision', { schema: { ...schema, body: Form }, preHandler: consentTime }, async (request, reply) => {
    const form = request.body as FormFields
    const locale = pageLocale(form.locale)
    if (form.decision !== 'approve' && form.decision !== 'reject') return html(reply, 400, problemPage(locale, 'form'))
    try {
      const target = await decideAtBank(
        ctx,
        form.consent_id ?? '',
        form.redirect_uri ?? '',
        origin(request),
        form.nonce ?? '',
        form.cpf ?? '',
        form.decision === 'approve',
      )
      // 303: the browser follows with a GET, as after any form post.
      return reply.code(303).header('Location', target).header('Cache-Control', 'no-store').send()
    } catch (error) {
      return fail(reply, locale, error)
    }
  })
}
