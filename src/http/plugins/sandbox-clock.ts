import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { decodeJwt } from 'jose'
import { knownToFollowServer, organizationOfPage, pinnedNow, type PageObject } from '../../domain/sandbox-clock.ts'
import type { DomainContext } from '../../domain/context.ts'
import { withPinnedNow } from '../../lib/clock.ts'
import { isUuid } from '../../lib/ids.ts'
import { bearerToken } from './widget-auth.ts'

/** The organization a widget token names (unverified: it only chooses the clock its check runs on). */
function organizationOf(token: string | undefined): string | undefined {
  try {
    const claim = decodeJwt(token ?? '').organization_id
    return typeof claim === 'string' && isUuid(claim) ? claim : undefined
  } catch {
    // Not a JWT: the token's check answers it.
    return undefined
  }
}

type Hook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void

/** Runs the rest of the request under the organization's sandbox clock, if it has one (domain/sandbox-clock.ts). */
function under(ctx: Pick<DomainContext, 'db'>, organizationId: string | undefined, done: HookHandlerDoneFunction, found?: (now: Date) => void): void {
  // Most requests: the organization is known to have no clock, and the hook costs a map lookup.
  if (!organizationId || knownToFollowServer(organizationId)) return done()
  pinnedNow(ctx, organizationId).then((now) => {
    if (!now) return done()
    found?.(now)
    withPinnedNow(now, () => done())
  }, done)
}

/**
 * The secret-key API's preHandler: the handler runs under the caller's organization's time. Not
 * /sandbox/clock/ itself, which reads and moves that time against the server's clock.
 */
export function organizationTime(ctx: Pick<DomainContext, 'db'>): Hook {
  return (request, _reply, done) => {
    if (request.url.startsWith('/sandbox/clock')) return done()
    under(ctx, request.principal.organizationId, done)
  }
}

/**
 * The widget API's hooks: onRequest, before widgetAuth, so its token is checked against its
 * organization's time (the organization read from the unverified token only chooses the clock; the
 * signature is checked next), and preHandler, for the handler (the body was read in between; the
 * refresh route's token is in it).
 */
export function widgetOrganizationTime(ctx: Pick<DomainContext, 'db'>): { onRequest: Hook; preHandler: Hook } {
  const found = new WeakMap<FastifyRequest, Date>()
  return {
    onRequest: (request, _reply, done) => {
      under(ctx, organizationOf(bearerToken(request.headers.authorization)), done, (now) => found.set(request, now))
    },
    preHandler: (request, _reply, done) => {
      const now = found.get(request)
      if (now) return withPinnedNow(now, () => done())
      // The refresh carries its token in the body, read by now.
      const refresh = (request.body as { refresh?: unknown } | undefined)?.refresh
      if (request.routeOptions.config?.widgetAuth === false && typeof refresh === 'string') return under(ctx, organizationOf(refresh), done)
      done()
    },
  }
}

/**
 * A preHandler for the pages a payer or account holder reaches without a key (the sandbox bank's
 * consent and enrollment pages, the PSE bank and payment-link pages): the handler runs under the
 * time of the organization whose object the page serves, found by `keyOf` (a consent id, a state,
 * a token, from the URL or the form, read by then), so that its deadlines are judged on that time.
 */
export function pageOrganizationTime(ctx: Pick<DomainContext, 'db'>, kind: PageObject, keyOf: (request: FastifyRequest) => string | undefined): Hook {
  return (request, _reply, done) => {
    organizationOfPage(ctx, kind, keyOf(request)).then((organizationId) => under(ctx, organizationId, done), done)
  }
}
