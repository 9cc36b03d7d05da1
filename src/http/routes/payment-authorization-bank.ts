import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import type { Api } from '../api.ts'
import {
  AuthorizationPageError,
  decideAuthorizationAtBank,
  loginAtBank,
  openAuthorizationAtBank,
  type AuthorizationPageProblem,
} from '../../domain/payments/authorization-bank.ts'
import { AUTHORIZATION_BANK_PATH } from '../../domain/payments/authorizations.ts'
import { authorizationLoginPage, authorizationProblemPage, authorizationReviewPage } from '../pages/payment-authorization-bank.ts'
import { pageLocale, type PageLocale } from '../pages/mock-bank.ts'
import { html } from './mock-bank.ts'

/**
 * The sandbox bank's payment authorization page (issue 16): a payment authorization's
 * payment_method_configuration.authorization_url. The payer logs in with their CPF, then approves
 * or rejects; the browser then goes to the authorization's return_url. Not Belvo's API: no secret
 * key, HTML answers, every failure a page (never a 500). Registered in the mock bank's scope
 * (app.ts), which parses forms.
 */

const PROBLEM_STATUS: Record<AuthorizationPageProblem, number> = { not_found: 404, decided: 409, expired: 410, cpf_invalid: 400, cpf_mismatch: 400 }

const Params = Type.Object({ token: Type.String() })
const Fields = Type.Object(
  { locale: Type.Optional(Type.String()), cpf: Type.Optional(Type.String()), decision: Type.Optional(Type.String()) },
  { additionalProperties: true },
)
type FieldValues = { locale?: string; cpf?: string; decision?: string }

export function paymentAuthorizationBankRoutes(api: Api): void {
  const ctx = api.deps.domain
  const schema = { hide: true, params: Params }
  const fail = (reply: FastifyReply, locale: PageLocale, error: unknown) => {
    if (error instanceof AuthorizationPageError) return html(reply, PROBLEM_STATUS[error.problem], authorizationProblemPage(locale, error.problem))
    throw error
  }
  const tokenOf = (params: unknown) => (params as { token: string }).token

  api.get(`${AUTHORIZATION_BANK_PATH}/:token/`, { schema: { ...schema, querystring: Fields } }, async (request, reply) => {
    const locale = pageLocale((request.query as FieldValues).locale)
    try {
      return html(reply, 200, authorizationLoginPage(await openAuthorizationAtBank(ctx, tokenOf(request.params)), locale))
    } catch (error) {
      return fail(reply, locale, error)
    }
  })

  api.post(`${AUTHORIZATION_BANK_PATH}/:token/login`, { schema: { ...schema, body: Fields } }, async (request, reply) => {
    const form = (request.body ?? {}) as FieldValues
    const locale = pageLocale(form.locale)
    const token = tokenOf(request.params)
    try {
      return html(reply, 200, authorizationReviewPage(await loginAtBank(ctx, token, form.cpf ?? ''), locale, form.cpf ?? ''))
    } catch (error) {
      // A wrong CPF is the payer's to correct: the same form again, with the problem on it.
      if (error instanceof AuthorizationPageError && error.problem.startsWith('cpf_')) {
        try {
          const view = await openAuthorizationAtBank(ctx, token)
          return html(reply, PROBLEM_STATUS[error.problem], authorizationLoginPage(view, locale, error.problem, form.cpf ?? ''))
        } catch (again) {
          return fail(reply, locale, again)
        }
      }
      return fail(reply, locale, error)
    }
  })

  api.post(`${AUTHORIZATION_BANK_PATH}/:token/decision`, { schema: { ...schema, body: Fields } }, async (request, reply) => {
    const form = (request.body ?? {}) as FieldValues
    const locale = pageLocale(form.locale)
    if (form.decision !== 'approve' && form.decision !== 'reject') return html(reply, 400, authorizationProblemPage(locale, 'form'))
    try {
      const target = await decideAuthorizationAtBank(ctx, tokenOf(request.params), form.cpf ?? '', form.decision === 'approve')
      // 303: the browser follows with a GET, as after any form post.
      return reply.code(303).header('Location', target).header('Cache-Control', 'no-store').send()
    } catch (error) {
      // A forged or stale form's CPF: the flow starts again at the page.
      if (error instanceof AuthorizationPageError && error.problem.startsWith('cpf_')) return html(reply, 400, authorizationProblemPage(locale, 'form'))
      return fail(reply, locale, error)
    }
  })
}
