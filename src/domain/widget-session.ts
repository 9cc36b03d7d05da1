import { PonteError } from '../lib/errors.ts'
import { findSecretKey } from '../store/keys.ts'
import type { DomainContext } from './context.ts'
import type { Principal } from './keys.ts'
import { verifyWidgetToken, type WidgetTokenRow } from './widget-tokens.ts'

/**
 * The connect widget's side of a widget access token (issue 15): who the widget acts for, what it
 * may do, and the connection it makes with it. The widget calls /widget/api/* with the access
 * token as a Bearer token; Basic-auth secret keys never reach the browser.
 */

export interface WidgetCaller {
  /** The issuance the token belongs to: scopes, link, link settings, widget configuration. */
  session: WidgetTokenRow
  /** The organization (and key) that issued the token: the widget acts as it, as the API does. */
  principal: Principal
}

// Three base64url parts: anything else is not a JWT at all, a different mistake (a truncated
// copy, the refresh token's JSON...) from a well-formed token this server did not sign.
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/**
 * Authenticates the widget by its access token: missing, malformed, foreign or tampered, expired,
 * issued by a key revoked since, or already spent on a successful connection are each a 401 with
 * a message of its own.
 */
export async function openWidgetSession(ctx: DomainContext, token: string | undefined): Promise<WidgetCaller> {
  if (!token) throw new PonteError('authentication_failed', { variant: 'widget_token_missing' })
  if (!JWT_SHAPE.test(token)) throw new PonteError('authentication_failed', { variant: 'widget_token_malformed' })
  const session = await verifyWidgetToken(ctx, token, { type: 'access' })
  // Revoking a secret key revokes what it issued; the token is then no better than a foreign one.
  const key = await findSecretKey(ctx.db, session.secret_key_id)
  if (!key || key.revoked_at) throw new PonteError('authentication_failed', { variant: 'widget_token' })
  if (session.used_at) throw new PonteError('authentication_failed', { variant: 'widget_token_used' })
  return { session, principal: { organizationId: session.organization_id, keyId: session.secret_key_id } }
}

/** Belvo's 403 when the token was issued without `scope` (e.g. write_links to create a link). */
export function requireScope(session: WidgetTokenRow, scope: string): void {
  if (!session.scopes.includes(scope)) throw new PonteError('access_to_resource_denied', { variant: 'widget_scope', params: { scope } })
}
