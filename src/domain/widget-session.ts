import { toString as qrSvg } from 'qrcode'
import { CATALOG, institutionWire, type InstitutionWire } from '../connectors/catalog.ts'
import type { TokenGenerationData } from '../connectors/types.ts'
import { PonteError } from '../lib/errors.ts'
import { hex32 } from '../lib/ids.ts'
import { findSecretKey, organizationName } from '../store/keys.ts'
import { claimWidgetToken, findWidgetToken, markWidgetTokenUsed, releaseWidgetToken } from '../store/widget-tokens.ts'
import type { DomainContext } from './context.ts'
import type { Principal } from './keys.ts'
import {
  describeLink,
  getLinkRow,
  registerLink,
  resumeLink,
  updateLinkCredentials,
  type LinkRow,
  type LinkWire,
  type ResumeInput,
  type UpdateLinkInput,
} from './links.ts'
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

// ---------------------------------------------------------------------------------------------
// What the widget shows and does with its token.

/** What the widget learns about its token at start-up (GET /widget/api/session): nothing secret. */
export interface WidgetSessionWire {
  mode: 'create' | 'update'
  scopes: string[]
  expires_at: string
  organization_name: string | null
  link: { id: string; institution: string; status: LinkRow['status']; access_mode: LinkRow['access_mode'] } | null
  fetch_resources: string[] | null
  stale_in: string | null
  credentials_storage: string | null
  access_mode: AccessMode | null
  external_id: string | null
  widget: {
    callback_urls: unknown
    branding: unknown
    theme: unknown
    purpose: unknown
    consent: unknown
    openfinance_feature: unknown
  }
}

type AccessMode = 'single' | 'recurrent'

/**
 * The token's own access mode and external id, Ponte's extension of the `widget` object: Belvo's
 * token request has neither (they are start-up parameters of the widget's URL), so a customer who
 * must not let the URL decide puts them in the token, where the end user cannot change them.
 */
function tokenLinkSettings(session: WidgetTokenRow): { access_mode: AccessMode | null; external_id: string | null } {
  const widget = session.widget ?? {}
  const mode = widget.access_mode
  const externalId = widget.external_id
  return {
    access_mode: mode === 'single' || mode === 'recurrent' ? mode : null,
    external_id: typeof externalId === 'string' && externalId !== '' ? externalId : null,
  }
}

export async function describeWidgetSession(ctx: DomainContext, caller: WidgetCaller): Promise<WidgetSessionWire> {
  const { session, principal } = caller
  const link = session.link_id ? await getLinkRow(ctx, principal, session.link_id) : undefined
  const widget = session.widget ?? {}
  const part = (key: string) => widget[key] ?? null
  return {
    mode: link ? 'update' : 'create',
    scopes: session.scopes,
    expires_at: session.expires_at,
    organization_name: (await organizationName(ctx.db, session.organization_id)) ?? null,
    link: link ? { id: link.id, institution: link.institution, status: link.status, access_mode: link.access_mode } : null,
    fetch_resources: session.fetch_resources,
    stale_in: session.stale_in,
    credentials_storage: session.credentials_storage,
    ...tokenLinkSettings(session),
    widget: {
      callback_urls: part('callback_urls'),
      branding: part('branding'),
      theme: part('theme'),
      purpose: part('purpose'),
      consent: part('consent'),
      openfinance_feature: part('openfinance_feature'),
    },
  }
}

/** The widget's start-up parameters that narrow the institution list, each comma-separated. */
export interface WidgetInstitutionFilters {
  country_codes?: string
  institution_types?: string
  institutions?: string
  integration_type?: string
  resources?: string
  /** Part of the display name or of the Belvo name, any case. */
  search?: string
}

const INSTITUTION_TYPES = ['bank', 'fiscal', 'employment']
const INTEGRATION_TYPES = ['credentials', 'openfinance']

/** A comma-separated parameter as a list (empty parts dropped); each value checked by `valid`. */
function listParam(raw: string | undefined, field: string, valid?: (value: string) => boolean): string[] | undefined {
  if (raw === undefined) return undefined
  const values = raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
  const wrong = valid ? values.find((v) => !valid(v)) : undefined
  if (wrong !== undefined) throw new PonteError('invalid_choice', { field, params: { value: wrong } })
  return values.length > 0 ? values : undefined
}

/**
 * The institutions the widget may offer: those the parameters ask for, among those the token
 * allows. A token of a link (update mode) allows its institution only; a token with
 * fetch_resources, the institutions offering all of them (any other would refuse the link).
 * Open Finance institutions are listed too: their `integration_type` tells the widget to take
 * the consent flow instead of the credential form.
 */
export async function widgetInstitutions(ctx: DomainContext, caller: WidgetCaller, filters: WidgetInstitutionFilters): Promise<InstitutionWire[]> {
  const countries = listParam(filters.country_codes, 'country_codes', (v) => /^[A-Za-z]{2}$/.test(v))?.map((v) => v.toUpperCase())
  const types = listParam(filters.institution_types, 'institution_types', (v) => INSTITUTION_TYPES.includes(v))
  const names = listParam(filters.institutions, 'institutions')
  const integrations = listParam(filters.integration_type, 'integration_type', (v) => INTEGRATION_TYPES.includes(v))
  const resources = listParam(filters.resources, 'resources')
  const search = filters.search?.trim().toLowerCase()
  const { session, principal } = caller
  const linked = session.link_id ? (await getLinkRow(ctx, principal, session.link_id)).institution : undefined
  const required = session.fetch_resources ?? []
  return CATALOG.filter(
    (i) =>
      (linked === undefined || i.name === linked) &&
      required.every((r) => i.resources.includes(r)) &&
      (!countries || countries.includes(i.country)) &&
      (!types || types.includes(i.type)) &&
      (!names || names.includes(i.name)) &&
      (!integrations || integrations.includes(i.integration_type)) &&
      (!resources || resources.every((r) => i.resources.includes(r))) &&
      (!search || i.display_name.toLowerCase().includes(search) || i.name.toLowerCase().includes(search)),
  ).map(institutionWire)
}

/** Credentials as the widget's form sends them, and the URL's access_mode and external_id. */
export interface WidgetLinkInput {
  institution: string
  username: string
  password?: string | null
  username2?: string | null
  username3?: string | null
  password2?: string | null
  username_type?: string | null
  token?: string | null
  access_mode?: AccessMode | null
  external_id?: string | null
}

/** What a successful connection gives the widget, for its success callback. */
export interface WidgetConnection {
  link: LinkWire
  institution: string
}

/** Open Finance institutions connect through a consent (POST /widget/api/consents), not credentials. */
function refuseOpenFinance(ctx: DomainContext, name: string, field: string): void {
  if (ctx.connectors.institution(name)?.integration_type === 'openfinance') {
    throw new PonteError('invalid', { field, variant: 'openfinance_institution' })
  }
}

/**
 * POST /widget/api/links: registers the link as POST /api/links/ does (registerLink: same checks,
 * same 428, historical update started), with the token's link settings. The access mode and
 * external id are the token's when it has them, else the widget URL's; with neither, a token
 * that does not store credentials makes a single link (a recurrent one must store them).
 */
export async function connectWidgetLink(ctx: DomainContext, caller: WidgetCaller, input: WidgetLinkInput): Promise<WidgetConnection> {
  const { session, principal } = caller
  requireScope(session, 'write_links')
  if (session.link_id) throw new PonteError('access_to_resource_denied', { variant: 'widget_update_mode' })
  refuseOpenFinance(ctx, input.institution, 'institution')
  const fixed = tokenLinkSettings(session)
  const storage = session.credentials_storage
  const accessMode = fixed.access_mode ?? input.access_mode ?? (storage && storage !== 'store' ? 'single' : null)
  return connectOnce(ctx, caller, () =>
    registerLink(ctx, principal, {
      institution: input.institution,
      username: input.username,
      password: input.password,
      username2: input.username2,
      username3: input.username3,
      password2: input.password2,
      username_type: input.username_type,
      token: input.token,
      external_id: fixed.external_id ?? input.external_id,
      ...(accessMode ? { access_mode: accessMode } : {}),
      fetch_resources: session.fetch_resources,
      credentials_storage: storage,
      stale_in: session.stale_in,
    }),
  )
}

/**
 * POST /widget/api/links/resume: answers the institution's token request (resumeLink). The link
 * must be the one this token may touch: its own link in update mode, else the link this token's
 * own registration created (recorded on the token row when the institution asked for the MFA
 * token). Any other link, even of the same organization, does not exist for this token.
 */
export async function resumeWidgetLink(ctx: DomainContext, caller: WidgetCaller, input: ResumeInput): Promise<WidgetConnection> {
  const { session, principal } = caller
  requireScope(session, 'write_links')
  const link = await getLinkRow(ctx, principal, input.link, { field: 'link' })
  const mine = link.id === (session.link_id ?? session.created_link_id)
  if (!mine) throw new PonteError('does_not_exist', { field: 'link', variant: 'id', params: { value: input.link } })
  return connectOnce(ctx, caller, () => resumeLink(ctx, principal, input))
}

/** PUT /widget/api/links/{id}: new credentials for the token's link (update mode), as PUT /api/links/{id}/. */
export async function updateWidgetLink(ctx: DomainContext, caller: WidgetCaller, id: string, input: UpdateLinkInput): Promise<WidgetConnection> {
  const { session, principal } = caller
  requireScope(session, 'write_links')
  // Any other link, of this organization or not, is not there for this token.
  if (!session.link_id || id !== session.link_id) throw new PonteError('not_found')
  const link = await getLinkRow(ctx, principal, id)
  refuseOpenFinance(ctx, link.institution, 'institution')
  return connectOnce(ctx, caller, () => updateLinkCredentials(ctx, principal, id, input))
}

/**
 * The longest a claim protects an attempt: far longer than any request may last (PONTE_REQUEST_
 * TIMEOUT_MS, 30 s by default, answers 408 before), so only a claim left by a process that died
 * mid-attempt gets this old, and the user can then try again instead of waiting for a new token.
 */
export const CLAIM_SECONDS = 300

/**
 * Runs one connection attempt with the token, at most one at a time per token across every API
 * process: a conditional UPDATE claims the token row first, then the attempt either connects
 * (the token is spent and the link recorded on the row, in the same UPDATE that drops the claim)
 * or fails, which releases the claim so the user can retry: wrong credentials, an institution
 * error, or its MFA request (whose link is recorded on the row, the one link the resume accepts).
 * A second attempt while the first runs gets Belvo's too_many_sessions; after it connected, the
 * spent token's 401. Exported for the widget's other ways to a link (the Open Finance consent flow).
 */
export async function connectOnce(ctx: DomainContext, caller: WidgetCaller, attempt: () => Promise<LinkRow>): Promise<WidgetConnection> {
  const { session } = caller
  const org = session.organization_id
  const claim = hex32()
  const now = ctx.clock.now()
  const staleBefore = new Date(now.getTime() - CLAIM_SECONDS * 1000).toISOString()
  if (!(await claimWidgetToken(ctx.db, org, session.jti, session.access_jti ?? session.jti, claim, now.toISOString(), staleBefore))) {
    // Why not: re-read the row (the hook's copy predates the race).
    const row = await findWidgetToken(ctx.db, org, { jti: session.jti })
    if (!row) throw new PonteError('authentication_failed', { variant: 'widget_token' })
    if (row.used_at) throw new PonteError('authentication_failed', { variant: 'widget_token_used' })
    if ((row.access_jti ?? row.jti) !== (session.access_jti ?? session.jti)) throw new PonteError('authentication_failed', { variant: 'widget_token_replaced' })
    throw new PonteError('too_many_sessions', { variant: 'widget_in_progress' })
  }
  let link: LinkRow
  try {
    link = await withQrImage(attempt())
  } catch (error) {
    // The MFA request's link is the one this token's resume may answer.
    const waiting = error instanceof PonteError && error.code === 'token_required' && typeof error.extra?.link === 'string' ? error.extra.link : undefined
    await releaseWidgetToken(ctx.db, org, session.jti, claim, waiting)
    throw error
  }
  return completeWidgetConnection(ctx, caller, link)
}

/**
 * A connection succeeded: the token is spent (Belvo invalidates it) with the link recorded on its
 * row, and the widget gets the link. Prefer connectOnce, which also keeps a second attempt with
 * the same token from connecting meanwhile.
 */
export async function completeWidgetConnection(ctx: DomainContext, caller: WidgetCaller, link: LinkRow): Promise<WidgetConnection> {
  await markWidgetTokenUsed(ctx.db, caller.session.organization_id, caller.session.jti, ctx.clock.now().toISOString(), link.id)
  return { link: await describeLink(ctx, link), institution: link.institution }
}

/**
 * A 428 whose challenge is a QR code also carries it drawn, as an SVG data URL: the widget shows
 * an image without bundling a QR encoder (issue 15 keeps its JavaScript small).
 */
async function withQrImage<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation
  } catch (error) {
    if (!(error instanceof PonteError) || error.code !== 'token_required' || !error.extra) throw error
    const data = error.extra.token_generation_data as TokenGenerationData | undefined
    if (data?.type === 'qr' && data.value) {
      // A value too long for any QR version (a real institution's, one day) leaves the image out:
      // the widget still has the value and the instructions, and the 428 stays a 428.
      const svg = await qrSvg(data.value, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }).catch(() => undefined)
      if (svg) error.extra.qr_image = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
    }
    throw error
  }
}
