import { wireShape, type CatalogInstitution } from '../connectors/catalog.ts'
import { loginAt, markedLike } from './sandbox-faults.ts'
import type { ConnectorContext, Credentials, InstitutionConnector, LoginOutcome, TokenGenerationData } from '../connectors/types.ts'
import { PonteError } from '../lib/errors.ts'
import { hex32, isUuid } from '../lib/ids.ts'
import { linkConsentState } from '../store/consents.ts'
import * as store from '../store/links.ts'
import type { LinkRow } from '../store/links.ts'
import type { Actor, DomainContext } from './context.ts'

/**
 * Logging in to an institution for an existing link, and the MFA sessions that let a PATCH finish
 * what a 428 interrupted: which credentials a link may still log in with, the 428 answer and its
 * session, taking a session back, the session with the institution a fetch runs in. Links
 * (links.ts) and resource retrievals (resources.ts) both build on it.
 */

/** How long a 428 session can be resumed (Belvo's `expiry`, in seconds). */
export const MFA_SESSION_SECONDS = 600

/** The organization's link `id`: unknown, a 404, or Belvo's does_not_exist on `field` when a request body names it. */
export async function getLinkRow(ctx: DomainContext, actor: Actor, id: string, options: { field?: string } = {}): Promise<LinkRow> {
  const link = isUuid(id) ? await store.findLink(ctx.db, actor.organizationId, id) : undefined
  if (!link) {
    // In a request body an unknown link is a field error; in a path it is a 404.
    if (options.field) throw new PonteError('does_not_exist', { field: options.field, variant: 'id', params: { value: id } })
    throw new PonteError('not_found')
  }
  return link
}

/** The catalog institution of this name, or Belvo's does_not_exist on `institution`. */
export function institutionOrFail(ctx: DomainContext, name: string): CatalogInstitution {
  const institution = ctx.connectors.institution(name)
  if (!institution) throw new PonteError('does_not_exist', { field: 'institution', params: { key: 'name', value: name } })
  return institution
}

function credentialsExpired(ctx: DomainContext, link: LinkRow): boolean {
  return link.credentials_expire_at !== null && Date.parse(link.credentials_expire_at) <= ctx.clock.now().getTime()
}

export function openCredentials(ctx: DomainContext, link: LinkRow): Credentials | undefined {
  if (!link.credentials || credentialsExpired(ctx, link)) return undefined
  return JSON.parse(ctx.cipher.decrypt(link.credentials)) as Credentials
}

/**
 * Whether Ponte can still log in for this link on its own: not once a `nostore` link was created
 * (what it kept serves its first fetch only), nor after the `credentials_storage` days.
 */
export function canLogInAgain(ctx: DomainContext, link: LinkRow): boolean {
  return link.credentials_storage !== 'nostore' && link.credentials !== null && !credentialsExpired(ctx, link)
}

/**
 * For requests that log in later, in a job (refresh, async retrieves): the 400 they would end
 * with, now, instead of a 202 followed by an invalid_credentials webhook.
 */
export async function assertCanLogIn(ctx: DomainContext, link: LinkRow): Promise<void> {
  await assertConsentValid(ctx, link)
  credentialsToLogIn(ctx, link)
}

/**
 * An open-finance link logs in on the person's consent (domain/consents.ts): once its consents
 * have all expired, every update fails with consent_expired until the widget renews one.
 */
async function assertConsentValid(ctx: DomainContext, link: LinkRow): Promise<void> {
  if (ctx.connectors.institution(link.institution)?.integration_type !== 'openfinance') return
  if ((await linkConsentState(ctx.db, link.id, ctx.clock.now().toISOString())) === 'expired') throw new PonteError('consent_expired')
}

/**
 * The credentials to log in with for this link, or the error that login would end with. A
 * `nostore` link's serve its first fetch only (`firstFetch`): Belvo's "you will not be able to
 * retrieve any information using POST calls about the link".
 */
function credentialsToLogIn(ctx: DomainContext, link: LinkRow, options: { firstFetch?: boolean } = {}): Credentials {
  if (link.status === 'invalid') throw new PonteError('invalid_link')
  if (link.status === 'unconfirmed') throw new PonteError('unconfirmed_link')
  const credentials = link.credentials_storage !== 'nostore' || options.firstFetch ? openCredentials(ctx, link) : undefined
  if (!credentials) throw new PonteError('login_error', { variant: 'missing' })
  return credentials
}

/** Creates the 428 answer and the session that lets PATCH finish `operation` later. */
export async function requireToken(
  ctx: DomainContext,
  actor: Actor,
  linkId: string,
  operation: string,
  request: unknown,
  data: TokenGenerationData,
): Promise<never> {
  const session = hex32()
  const now = ctx.clock.now()
  await store.insertMfaSession(ctx.db, {
    id: session,
    organizationId: actor.organizationId,
    linkId,
    operation,
    request,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + MFA_SESSION_SECONDS * 1000).toISOString(),
  })
  throw new PonteError('token_required', {
    extra: { session, expiry: MFA_SESSION_SECONDS, link: linkId, token_generation_data: data },
  })
}

export interface ResumeInput {
  session: string
  token?: string | null
  link: string
  save_data?: boolean | null
}

/**
 * Takes the MFA session named by a PATCH: unknown, expired or already used sessions are
 * `session_expired`; a session of another link is invalid, one of another endpoint unknown there.
 * Those checks come before the session is taken: a PATCH that fails them leaves it usable, and
 * only a PATCH that goes on to answer the institution (right or wrong token) uses it up.
 */
export async function takeSession(ctx: DomainContext, actor: Actor, input: ResumeInput, operations: string[]) {
  const link = await getLinkRow(ctx, actor, input.link, { field: 'link' })
  const now = ctx.clock.now().toISOString()
  const session = await store.findMfaSession(ctx.db, actor.organizationId, input.session, now)
  if (!session) throw new PonteError('session_expired')
  if (session.expired) {
    await store.takeMfaSession(ctx.db, actor.organizationId, session.id, now)
    throw new PonteError('session_expired')
  }
  if (session.link_id !== link.id) throw new PonteError('invalid', { field: 'link', variant: 'session_link' })
  if (!operations.includes(session.operation)) throw new PonteError('session_expired')
  // A session resumes once: of two concurrent PATCHes with it, only one takes it.
  const taken = await store.takeMfaSession(ctx.db, actor.organizationId, session.id, now)
  if (!taken || taken.expired) throw new PonteError('session_expired')
  return { link, operation: session.operation, request: session.request }
}

/**
 * Sandbox: the login outcome a simulation asked for (POST /sandbox/links/{id}/simulate/), used
 * once, as if the end user had changed the password or the bank started asking for a token.
 */
function simulatedLogin(simulated: string): LoginOutcome {
  if (simulated === 'token_required') {
    return {
      status: 'token_required',
      tokenGenerationData: {
        instructions: 'Enter the 6-digit token sent by SMS to the phone number registered with your bank',
        type: 'numeric',
        value: '+** *** *** 0000',
        expects_user_input: true,
      },
    }
  }
  return { status: 'error', code: 'login_error' }
}

/**
 * Logs in to the institution on behalf of an existing link before fetching data. A link must be
 * valid; stored credentials are used with the request's token, if any; a token request becomes a
 * 428 whose session finishes `operation` with `request`; rejected credentials invalidate the link.
 */
export async function openInstitutionSession(
  ctx: DomainContext,
  actor: Actor,
  link: LinkRow,
  operation: string,
  request: { token?: string | null },
  options: { firstFetch?: boolean; resource?: string } = {},
): Promise<ConnectorContext> {
  await assertConsentValid(ctx, link)
  const credentials = credentialsToLogIn(ctx, link, options)
  const institution = institutionOrFail(ctx, link.institution)
  const simulated = ctx.connectors.hasRealConnector(link.institution) ? null : await store.takeSandboxLogin(ctx.db, actor.organizationId, link.id)
  const outcome = simulated
    ? simulatedLogin(simulated)
    : await loginAt(ctx, actor.organizationId, institution, link.id, credentials, request.token ?? undefined, options.resource)
  if (outcome.status === 'token_required') {
    const { token: _token, ...rest } = request
    return requireToken(ctx, actor, link.id, operation, rest, outcome.tokenGenerationData)
  }
  if (outcome.status === 'error') {
    if (outcome.code === 'login_error') await store.updateLink(ctx.db, actor.organizationId, link.id, { status: 'invalid' })
    // A sandbox fault rule naming this resource fails it alone (domain/sandbox-faults.ts): the mark goes with the error.
    throw markedLike(outcome, new PonteError(outcome.code))
  }
  const now = ctx.clock.now()
  await store.markLoggedIn(ctx.db, actor.organizationId, link.id, link.status, now.toISOString())
  return {
    institution: { id: institution.id, name: institution.name, country: institution.country, shape: wireShape(institution) },
    credentials,
    linkSeed: outcome.institutionUserId,
    profile: outcome.profile,
    today: now.toISOString().slice(0, 10),
    accessedAt: now.toISOString(),
  }
}
