import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { PonteError } from '../../lib/errors.ts'
import {
  linkStatus,
  linkTokenOfIntent,
  openPaymentPage,
  payAtPaymentPage,
  paymentPageContext,
  type PaymentLinkView,
} from '../../domain/payments/legacy/links.ts'
import { decideAtPseBank, openPseBankPage, type BankPageView } from '../../domain/payments/legacy/pse.ts'
import { linkLocale, paymentLinkPage, paymentProblemPage, paymentStatusPage, pseBankPage } from '../pages/payments-legacy.ts'
import { baseUrl } from '../plugins/pagination.ts'
import { pageOrganizationTime } from '../plugins/sandbox-clock.ts'
import { html } from './mock-bank.ts'
import { paymentSecretKeyLogin } from './payments-legacy.ts'

/**
 * The payer's pages of the earlier payments API (issue 17): the sandbox PSE bank
 * (`/payments/sandbox/pse/{token}/`) and the payment link page (`/payments/pay/{access_token}/`).
 * Not Belvo's API: no secret key (the payer's browser has none; the token in the path is the
 * secret), HTML, failures shown on the page. Registered in a scope of its own in app.ts, as the
 * mock bank's pages (it parses HTML forms, which the Belvo API refuses).
 */

const Token = Type.Object({ token: Type.String() })
const Form = Type.Object({ decision: Type.Optional(Type.String()), institution: Type.Optional(Type.String()) }, { additionalProperties: true })

const redirect = (reply: FastifyReply, url: string) => reply.code(303).header('Location', url).header('Cache-Control', 'no-store').send()

export function paymentLegacyPages(api: Api): void {
  const ctx = api.deps.domain
  const { db } = ctx
  const publicBase = (request: FastifyRequest) => baseUrl(request, api.deps.config.PONTE_PUBLIC_URL)
  const schema = { hide: true }
  // Deadlines (a payment link's expiry, the intent's) are judged on the organization's time (its sandbox clock, if pinned).
  const tokenOf = (request: FastifyRequest) => (request.params as { token?: string }).token
  const pseTime = pageOrganizationTime(ctx, 'payment_redirect_token', tokenOf)
  const linkTime = pageOrganizationTime(ctx, 'payment_link_token', tokenOf)
  paymentSecretKeyLogin(api)

  api.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))))
  })

  /** After the bank: back to the link's page when the intent is a link's, else the intent's callback_url, else the status here. */
  async function afterBank(reply: FastifyReply, view: BankPageView, request: FastifyRequest) {
    const token = await linkTokenOfIntent(db, view.intent.organization_id, view.intent.id)
    if (token) return redirect(reply, `${publicBase(request)}/payments/pay/${token}/`)
    if (view.callbackUrl) return redirect(reply, view.callbackUrl)
    return html(reply, 200, paymentStatusPage('es', view.payer?.display_name ?? 'PSE', view.intent.status, view.intent.failure_message, null))
  }

  api.get('/payments/sandbox/pse/:token/', { schema: { ...schema, params: Token }, preHandler: pseTime }, async (request, reply) => {
    const view = await openPseBankPage(db, request.params.token)
    if (!view) return html(reply, 404, paymentProblemPage('es', 'notFound'))
    if (view.intent.status !== 'REQUIRES_ACTION') return afterBank(reply, view, request)
    return html(reply, 200, pseBankPage(view, request.params.token))
  })

  api.post('/payments/sandbox/pse/:token/', { schema: { ...schema, params: Token, body: Form }, preHandler: pseTime }, async (request, reply) => {
    const decision = (request.body as { decision?: string }).decision
    if (decision !== 'complete' && decision !== 'abandon') {
      const view = await openPseBankPage(db, request.params.token)
      return view ? html(reply, 400, pseBankPage(view, request.params.token)) : html(reply, 404, paymentProblemPage('es', 'notFound'))
    }
    const view = await decideAtPseBank(ctx, request.params.token, decision)
    if (!view) return html(reply, 404, paymentProblemPage('es', 'notFound'))
    return afterBank(reply, view, request)
  })

  async function linkPage(reply: FastifyReply, view: PaymentLinkView, status = 200, problem = false) {
    const locale = linkLocale(view)
    const intent = view.intent.view.intent
    const { beneficiary, institutions } = await paymentPageContext(db, view)
    const urls = view.link.callback_urls as { success?: string; cancel?: string }
    if (intent.status === 'PROCESSING' || intent.status === 'SUCCEEDED' || intent.status === 'FAILED' || (locale === 'es' && intent.confirmed)) {
      const back = intent.status === 'SUCCEEDED' ? (urls.success ?? null) : (urls.cancel ?? null)
      return html(reply, 200, paymentStatusPage(locale, beneficiary, intent.status, intent.failure_message, back))
    }
    if (linkStatus(view.link, ctx.clock.now()) !== 'ACTIVE') return html(reply, 410, paymentProblemPage(locale, 'unavailable'))
    return html(reply, status, paymentLinkPage(view, institutions, beneficiary, problem))
  }

  api.get('/payments/pay/:token/', { schema: { ...schema, params: Token }, preHandler: linkTime }, async (request, reply) => {
    const view = await openPaymentPage(db, request.params.token)
    if (!view) return html(reply, 404, paymentProblemPage('es', 'notFound'))
    return linkPage(reply, view)
  })

  api.post('/payments/pay/:token/', { schema: { ...schema, params: Token, body: Form }, preHandler: linkTime }, async (request, reply) => {
    const institution = (request.body as { institution?: string }).institution ?? ''
    try {
      const outcome = await payAtPaymentPage(ctx, request.params.token, institution, publicBase(request))
      if (!outcome) return html(reply, 404, paymentProblemPage('es', 'notFound'))
      if (outcome.kind === 'redirect') return redirect(reply, outcome.url)
      return linkPage(reply, outcome.view)
    } catch (error) {
      // A bank that is not on the list (a forged form): the same page, asking to choose one.
      if (!(error instanceof PonteError) || error.code === 'not_found') throw error
      const view = await openPaymentPage(db, request.params.token)
      if (!view) return html(reply, 404, paymentProblemPage('es', 'notFound'))
      return linkPage(reply, view, 400, true)
    }
  })
}
