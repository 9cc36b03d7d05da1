import { errors as jose, jwtVerify, SignJWT, type JWTPayload } from 'jose'
import { CATALOG } from '../connectors/catalog.ts'
import type { Cipher } from '../lib/crypto.ts'
import { PonteError } from '../lib/errors.ts'
import { hex32 } from '../lib/ids.ts'
import { findSecretKey, organizationName } from '../store/keys.ts'
import * as store from '../store/widget-tokens.ts'
import type { WidgetTokenRow } from '../store/widget-tokens.ts'
import type { DomainContext } from './context.ts'
import type { Principal, SecretKeyVerifier } from './keys.ts'
import { checkInstitutionResources, credentialsStorageDays, getLinkRow, type LinkRow } from './links.ts'

export type { WidgetTokenRow }

/** Belvo's hosted-widget docs: "The returned values are valid for 10 minutes". */
export const ACCESS_TOKEN_SECONDS = 600
/**
 * Belvo documents no separate life for the refresh token (the docs say 10 minutes for both, the
 * spec's example token lasts years). One hour lets the widget renew its access token through a
 * slow flow (MFA, Open Finance redirects) while a leaked token stays short-lived.
 */
export const REFRESH_TOKEN_SECONDS = 3600

/** Belvo's widget scopes (multi-region, then Brazil Open Finance consents). */
export const WIDGET_SCOPES = [
  'read_institutions',
  'write_links',
  'read_links',
  'delete_links',
  'read_consents',
  'write_consents',
  'write_consent_callback',
  'delete_consents',
] as const
/** What the official SDKs send when their caller gives no scopes. */
const DEFAULT_SCOPES = 'read_institutions,write_links'

/** The `environment` claim: Ponte serves Belvo's sandbox behaviour. */
const ENVIRONMENT = 'sandbox'
// Belvo's own tokens are HS512; the algorithm is invisible to clients (only Ponte verifies its
// tokens), and HS256 with a 256-bit key is the conventional pairing.
const ALGORITHM = 'HS256'
// Changing the purpose string (e.g. to v2) invalidates every outstanding token: a key rotation.
const SIGNING_PURPOSE = 'ponte widget token signing v1'

/** Every resource some institution of the catalog can fetch: the widget can link no other. */
const KNOWN_RESOURCES: ReadonlySet<string> = new Set(CATALOG.flatMap((i) => i.resources))

export interface WidgetTokenInput {
  id?: string
  password?: string
  scopes?: string
  link_id?: string | null
  fetch_resources?: string[] | null
  stale_in?: string | null
  credentials_storage?: string | null
  widget?: Record<string, unknown>
}

export interface IssueOptions {
  /** The `iss` claim (see widgetTokenIssuer). */
  issuer: string
}

export interface WidgetTokens {
  access: string
  refresh: string
}

/** `iss`: the host of the public URL, as Belvo's tokens say `sandbox.belvo.com`; else "ponte". */
export function widgetTokenIssuer(publicUrl: string | undefined): string {
  if (!publicUrl) return 'ponte'
  try {
    return new URL(publicUrl).host || 'ponte'
  } catch {
    return 'ponte'
  }
}

/**
 * POST /api/token/: access and refresh tokens for the hosted widget, with the widget
 * configuration stored under the access token's `jti`. Basic auth already identifies the caller;
 * the `id`/`password` Belvo also asks for in the body, when sent, must be that same key (the
 * SDK's `links.token()` does not send them).
 */
export async function issueWidgetToken(
  ctx: DomainContext,
  actor: Principal,
  verifier: SecretKeyVerifier,
  input: WidgetTokenInput,
  options: IssueOptions,
): Promise<WidgetTokens> {
  if (input.id !== undefined || input.password !== undefined) {
    // The verifier that checked the Basic credentials: cached, constant-time, revocation-aware.
    const principal = await verifier.verify(input.id ?? '', input.password ?? '')
    if (!principal || principal.keyId !== actor.keyId) throw new PonteError('authentication_failed')
  }
  const scopes = parseScopes(input.scopes)
  const link = input.link_id ? await getLinkRow(ctx, actor, input.link_id, { field: 'link_id' }) : undefined
  checkFetchResources(ctx, input.fetch_resources ?? null, link)
  if (input.credentials_storage) credentialsStorageDays(input.credentials_storage)
  return issue(ctx, actor, { ...input, scopes, link }, options)
}

/** The deprecated POST /api/links/{id}/token/: a token to update that link (404 if unknown). */
export async function issueLinkToken(
  ctx: DomainContext,
  actor: Principal,
  linkId: string,
  input: { scopes?: string },
  options: IssueOptions,
): Promise<WidgetTokens> {
  const link = await getLinkRow(ctx, actor, linkId)
  return issue(ctx, actor, { scopes: parseScopes(input.scopes), link }, options)
}

/**
 * Checks a widget token (signature, expiry on the injected clock, type) and returns the session it
 * was issued with. Every failure is a 401; an expired token says so, for the widget to tell the
 * user to start again.
 */
export async function verifyWidgetToken(ctx: DomainContext, token: string, options: { type: 'access' | 'refresh' }): Promise<WidgetTokenRow> {
  const refresh = options.type === 'refresh'
  const invalid = () => new PonteError('authentication_failed', { variant: refresh ? 'widget_refresh' : 'widget_token' })
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(token, signingKey(ctx.cipher), {
      algorithms: [ALGORITHM],
      currentDate: ctx.clock.now(),
      requiredClaims: ['exp', 'iat', 'jti'],
    }))
  } catch (error) {
    if (error instanceof jose.JWTExpired) {
      throw new PonteError('authentication_failed', { variant: refresh ? 'widget_refresh_expired' : 'widget_token_expired' })
    }
    if (error instanceof jose.JOSEError) throw invalid()
    throw error
  }
  const organizationId = payload.organization_id
  const { jti, sid } = payload
  if (payload.token_type !== options.type || typeof organizationId !== 'string' || typeof jti !== 'string' || (sid !== undefined && typeof sid !== 'string')) {
    throw invalid()
  }
  // `sid` names the row (0012); tokens signed before it existed are found by their own id.
  const session =
    typeof sid === 'string'
      ? await store.findWidgetToken(ctx.db, organizationId, { jti: sid })
      : await store.findWidgetToken(ctx.db, organizationId, refresh ? { refreshJti: jti } : { jti })
  // Gone when its link was deleted (the row cascades).
  if (!session) throw invalid()
  // A refresh replaced this pair: the row accepts only the newest access and refresh tokens.
  if (refresh && session.refresh_jti !== jti) throw new PonteError('authentication_failed', { variant: 'widget_refresh_used' })
  if (!refresh && (session.access_jti ?? session.jti) !== jti) throw new PonteError('authentication_failed', { variant: 'widget_token_replaced' })
  return session
}

/**
 * POST /widget/api/session/refresh: a new token pair for the same stored configuration, so a slow
 * MFA or consent flow outlives the access token's 10 minutes. The refresh token is single-use
 * (its row then only accepts the new pair, the old access token included: it is refused as
 * replaced), and the new refresh token keeps the old one's expiry: refreshing renews the access
 * token, never the issuance, which ends REFRESH_TOKEN_SECONDS after POST /api/token/ at the latest.
 */
export async function refreshWidgetToken(ctx: DomainContext, refreshToken: string, options: IssueOptions): Promise<WidgetTokens> {
  const session = await verifyWidgetToken(ctx, refreshToken, { type: 'refresh' })
  // As for the access token (openWidgetSession): a revoked key revokes its tokens, a spent
  // issuance renews nothing.
  const key = await findSecretKey(ctx.db, session.secret_key_id)
  if (!key || key.revoked_at) throw new PonteError('authentication_failed', { variant: 'widget_refresh' })
  if (session.used_at) throw new PonteError('authentication_failed', { variant: 'widget_token_used' })
  const now = ctx.clock.now()
  const iat = Math.floor(now.getTime() / 1000)
  const refreshExp = Math.floor(Date.parse(session.refresh_expires_at) / 1000)
  const accessExp = Math.min(iat + ACCESS_TOKEN_SECONDS, refreshExp)
  const next = { access_jti: hex32(), refresh_jti: hex32(), expires_at: new Date(accessExp * 1000).toISOString() }
  const actor = { organizationId: session.organization_id, keyId: session.secret_key_id }
  // Two refreshes racing with one refresh token: the conditional UPDATE lets one win.
  if (!(await store.rotateWidgetToken(ctx.db, session.organization_id, session.jti, session.refresh_jti, next))) {
    const row = await store.findWidgetToken(ctx.db, session.organization_id, { jti: session.jti })
    throw new PonteError('authentication_failed', { variant: row?.used_at ? 'widget_token_used' : 'widget_refresh_used' })
  }
  const link = session.link_id ? await getLinkRow(ctx, actor, session.link_id) : undefined
  return sign(ctx, { ...session, ...next }, { link, iat, accessExp, refreshExp, issuer: options.issuer })
}

/** Belvo's comma-separated `scopes`, each one of WIDGET_SCOPES. */
function parseScopes(raw: string = DEFAULT_SCOPES): string[] {
  const scopes = [...new Set(raw.split(',').map((s) => s.trim()))]
  const unknown = scopes.find((s) => !(WIDGET_SCOPES as readonly string[]).includes(s))
  if (unknown !== undefined) throw new PonteError('invalid_choice', { field: 'scopes', params: { value: unknown } })
  return scopes
}

/**
 * For a link's token, the same check (and error) as POST /api/links/ makes against the link's
 * institution; otherwise the institution is not chosen yet, so each name must be one some
 * institution offers.
 */
function checkFetchResources(ctx: DomainContext, resources: string[] | null, link: LinkRow | undefined): void {
  if (!resources) return
  const institution = link ? ctx.connectors.institution(link.institution) : undefined
  if (institution) {
    checkInstitutionResources(institution, resources)
    return
  }
  const unknown = resources.find((r) => !KNOWN_RESOURCES.has(r))
  if (unknown !== undefined) throw new PonteError('invalid_choice', { field: 'fetch_resources', params: { value: unknown } })
}

export interface Grant extends Omit<WidgetTokenInput, 'scopes' | 'id' | 'password' | 'link_id'> {
  scopes: string[]
  link?: LinkRow
}

/** Stores the session and signs its two tokens. */
export async function issue(ctx: DomainContext, actor: Principal, grant: Grant, options: IssueOptions): Promise<WidgetTokens> {
  const now = ctx.clock.now()
  const iat = Math.floor(now.getTime() / 1000)
  const session: WidgetTokenRow = {
    jti: hex32(),
    refresh_jti: hex32(),
    organization_id: actor.organizationId,
    secret_key_id: actor.keyId,
    link_id: grant.link?.id ?? null,
    scopes: grant.scopes,
    fetch_resources: grant.fetch_resources ?? null,
    stale_in: grant.stale_in ?? null,
    credentials_storage: grant.credentials_storage ?? null,
    widget: grant.widget ?? null,
    expires_at: new Date((iat + ACCESS_TOKEN_SECONDS) * 1000).toISOString(),
    refresh_expires_at: new Date((iat + REFRESH_TOKEN_SECONDS) * 1000).toISOString(),
    created_at: now.toISOString(),
  }
  await store.insertWidgetToken(ctx.db, session)
  return sign(ctx, session, { link: grant.link, iat, accessExp: iat + ACCESS_TOKEN_SECONDS, refreshExp: iat + REFRESH_TOKEN_SECONDS, issuer: options.issuer })
}

/** Signs the row's current access and refresh tokens, which share every claim but type, id and expiry. */
async function sign(
  ctx: DomainContext,
  session: WidgetTokenRow,
  at: { link: LinkRow | undefined; iat: number; accessExp: number; refreshExp: number; issuer: string },
): Promise<WidgetTokens> {
  const { link, iat } = at
  const organization = await organizationName(ctx.db, session.organization_id)
  // Claims in the order of Belvo's tokens (spec 1.223.0 WidgetToken example, where `user_id` is
  // the organization id too; `link` from belvo-python PR #92), then `sid`, Ponte's: the row the
  // token belongs to, constant across refreshes. The widget configuration stays in the database.
  const claims = (type: 'access' | 'refresh', jti: string, exp: number) => ({
    token_type: type,
    exp,
    iat,
    jti,
    user_id: session.organization_id,
    organization_name: organization,
    organization_id: session.organization_id,
    ...(link ? { link: { id: link.id, status: link.status, institution: link.institution } } : {}),
    scopes: session.scopes,
    environment: ENVIRONMENT,
    ...(session.credentials_storage ? { credentials_storage: session.credentials_storage } : {}),
    ...(session.stale_in ? { stale_in: session.stale_in } : {}),
    ...(session.fetch_resources ? { fetch_resources: session.fetch_resources } : {}),
    iss: at.issuer,
    sid: session.jti,
  })
  const key = signingKey(ctx.cipher)
  const signed = (payload: JWTPayload) => new SignJWT(payload).setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' }).sign(key)
  return {
    access: await signed(claims('access', session.access_jti ?? session.jti, at.accessExp)),
    refresh: await signed(claims('refresh', session.refresh_jti, at.refreshExp)),
  }
}

const signingKeys = new WeakMap<Cipher, Uint8Array>()

/** The HMAC key, derived from the server's encryption key (one configured secret, never exposed). */
function signingKey(cipher: Cipher): Uint8Array {
  let key = signingKeys.get(cipher)
  if (!key) {
    key = cipher.deriveKey(SIGNING_PURPOSE)
    signingKeys.set(cipher, key)
  }
  return key
}
