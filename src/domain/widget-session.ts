import { toString as qrSvg } from 'qrcode'
import { CATALOG, institutionWire, type InstitutionWire } from '../connectors/catalog.ts'
import type { TokenGenerationData } from '../connectors/types.ts'
import { PonteError } from '../lib/errors.ts'
import { findSecretKey, organizationName } from '../store/keys.ts'
import { markWidgetTokenUsed } from '../store/widget-tokens.ts'
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
  const link = await withQrImage(
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
  return completeWidgetConnection(ctx, caller, link)
}

/**
 * POST /widget/api/links/resume: answers the institution's token request (resumeLink). The link
 * must be the one this token may touch: its own link in update mode, else one created since the
 * token was issued (the MFA session id, which only the 428 gave, does the rest).
 */
export async function resumeWidgetLink(ctx: DomainContext, caller: WidgetCaller, input: ResumeInput): Promise<WidgetConnection> {
  const { session, principal } = caller
  requireScope(session, 'write_links')
  const link = await getLinkRow(ctx, principal, input.link, { field: 'link' })
  const mine = session.link_id ? link.id === session.link_id : Date.parse(link.created_at) >= Date.parse(session.created_at)
  if (!mine) throw new PonteError('does_not_exist', { field: 'link', variant: 'id', params: { value: input.link } })
  return completeWidgetConnection(ctx, caller, await withQrImage(resumeLink(ctx, principal, input)))
}

/** PUT /widget/api/links/{id}: new credentials for the token's link (update mode), as PUT /api/links/{id}/. */
export async function updateWidgetLink(ctx: DomainContext, caller: WidgetCaller, id: string, input: UpdateLinkInput): Promise<WidgetConnection> {
  const { session, principal } = caller
  requireScope(session, 'write_links')
  // Any other link, of this organization or not, is not there for this token.
  if (!session.link_id || id !== session.link_id) throw new PonteError('not_found')
  const link = await getLinkRow(ctx, principal, id)
  refuseOpenFinance(ctx, link.institution, 'institution')
  return completeWidgetConnection(ctx, caller, await withQrImage(updateLinkCredentials(ctx, principal, id, input)))
}

/**
 * A connection succeeded: the token is spent (Belvo invalidates it), and the widget gets the link.
 * Exported for the widget's other ways to a link (the Open Finance consent flow).
 */
export async function completeWidgetConnection(ctx: DomainContext, caller: WidgetCaller, link: LinkRow): Promise<WidgetConnection> {
  await markWidgetTokenUsed(ctx.db, caller.session.organization_id, caller.session.jti, ctx.clock.now().toISOString())
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
