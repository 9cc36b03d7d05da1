import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Api } from '../api.ts'
import { openWidgetSession, requireScope, type WidgetCaller } from '../../domain/widget-session.ts'

export { requireScope }
export type { WidgetCaller }

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on /widget/api/* routes by widgetAuth: the token's session and its organization's principal. */
    widget: WidgetCaller
  }
  interface FastifyContextConfig {
    /**
     * false on the one /widget/api/* route the access token does not open: the refresh, which
     * carries the refresh token in its body because the access token may have expired.
     */
    widgetAuth?: false
  }
}

/** Reads `Authorization: Bearer <token>`; undefined for anything else (Basic included). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^bearer\s+(.*)$/i.exec(header.trim()) : null
  return match?.[1]?.trim() || undefined
}

/**
 * The hook that authenticates the widget's JSON API by its access token (the JWT from POST
 * /api/token/). Added to the /widget/api/ scope only, as `authenticate` (auth.ts) is to the
 * Basic-auth one, so neither sees the other's routes. Best added as an onRequest hook (it also
 * works as a preHandler): an unauthenticated request then gets its 401 before its body is read.
 */
export function widgetAuth(api: Api): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const ctx = api.deps.domain
  return async (request) => {
    if (request.routeOptions.config?.widgetAuth === false) return
    request.widget = await openWidgetSession(ctx, bearerToken(request.headers.authorization))
    // Routes shared with the Basic-auth API's helpers read the caller from here.
    request.principal = request.widget.principal
  }
}
