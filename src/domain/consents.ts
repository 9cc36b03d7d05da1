import { institutionWire } from '../connectors/catalog.ts'
import { byIdOr404 } from './by-id.ts'
import { normalizeCpf, openFinanceCustomer } from '../connectors/sandbox/personas.ts'
import { PageProblemError, PonteError } from '../lib/errors.ts'
import { isUuid, secretHex32, uuidv7 } from '../lib/ids.ts'
import type { FilterField, ListRequest } from '../lib/list-query.ts'
import * as store from '../store/consents.ts'
import type { ConsentPermissions, ConsentRow } from '../store/consents.ts'
import { organizationName } from '../store/keys.ts'
import { findLink } from '../store/links.ts'
import { findWidgetToken, markWidgetTokenUsed, type WidgetTokenRow } from '../store/widget-tokens.ts'
import type { Queryable } from '../store/db.ts'
import type { Actor, DomainContext } from './context.ts'
import { describeLink, getLinkRow, registerConsentLink, renewConsentLink, type LinkWire } from './links.ts'
import { institutionOrFail } from './sessions.ts'
import { emitWebhook } from './webhooks.ts'

/**
 * Open Finance Brasil consents (issue 15; Belvo's `Consents`, INVENTORY 3 and 7.2). An
 * open-finance institution (`ofmockbank_br_retail`) has no credentials: the widget creates a
 * consent from its token's `widget.consent` settings, sends the person to the institution's
 * authorization page (the sandbox serves a mock bank, http/routes/mock-bank.ts), and an
 * AUTHORISED consent becomes the link. Consents expire on their duration; the
 * openfinance_consent_about_to_expire webhook goes out ABOUT_TO_EXPIRE_DAYS before; renewing is the
 * widget's update mode (a token with the link's id starts a new consent for that link). A consent
 * the person does not authorise within AUTHORISATION_MINUTES of its creation is REJECTED.
 */

export type { ConsentRow }

/**
 * How long before its expiry a consent is announced (openfinance_consent_about_to_expire). Belvo
 * documents the webhook, not its lead time; a week gives the customer time to bring the person
 * back through the widget, and is longer than the scheduler's slowest pass.
 */
export const ABOUT_TO_EXPIRE_DAYS = 7

/**
 * Open Finance Brasil: a consent still AWAITING_AUTHORISATION 60 minutes after its creation is
 * rejected by the institution (rejection reason CONSENT_EXPIRED). The scheduler rejects them
 * (runConsentSchedule), and every read of one consent checks it first (withDeadline), so the bank
 * page and the widget see it at the deadline, whenever the scheduler last ran.
 */
export const AUTHORISATION_MINUTES = 60
const AUTHORISATION_MS = AUTHORISATION_MINUTES * 60_000

/** Consents created at or before this instant are past their authorisation deadline at `now`. */
function deadlineCutoff(now: Date): string {
  return new Date(now.getTime() - AUTHORISATION_MS).toISOString()
}

function pastDeadline(consent: ConsentRow, now: Date): boolean {
  return consent.status === 'AWAITING_AUTHORISATION' && Date.parse(consent.created_at) + AUTHORISATION_MS <= now.getTime()
}

/**
 * Whether a REJECTED consent was rejected by the deadline rather than by the person. The table
 * has no reason column (0013): the bank's rejection always records who logged in (display_name),
 * the deadline's never does; no other path rejects a consent.
 */
export function timedOut(consent: ConsentRow): boolean {
  return consent.status === 'REJECTED' && consent.display_name === null
}

/** The consent as of now: one past its authorisation deadline is rejected first (and re-read). */
async function withDeadline(ctx: DomainContext, consent: ConsentRow): Promise<ConsentRow> {
  const now = ctx.clock.now()
  if (!pastDeadline(consent, now)) return consent
  await store.rejectUnauthorised(ctx.db, deadlineCutoff(now), now.toISOString(), { id: consent.id })
  return (await store.findConsentById(ctx.db, consent.id)) ?? consent
}

/** The durations Belvo's widget offers (`default_consent_duration_days`); anything else is indefinite. */
export const CONSENT_DURATIONS = [92, 183, 275, 366] as const

/**
 * Each permission group a token's `widget.consent.permissions` names, with the Open Finance
 * Brasil permissions it stands for (Belvo's Consents.permissions examples, spec 1.223.0).
 * RESOURCES_READ comes with every consent: the network requires it to list what was shared.
 */
export const PERMISSION_GROUPS: Record<string, readonly string[]> = {
  REGISTER: ['CUSTOMERS_PERSONAL_IDENTIFICATIONS_READ', 'CUSTOMERS_PERSONAL_ADITTIONALINFO_READ'],
  ACCOUNTS: ['ACCOUNTS_READ', 'ACCOUNTS_BALANCES_READ', 'ACCOUNTS_TRANSACTIONS_READ', 'ACCOUNTS_OVERDRAFT_LIMITS_READ'],
  CREDIT_CARDS: [
    'CREDIT_CARDS_ACCOUNTS_READ',
    'CREDIT_CARDS_ACCOUNTS_LIMITS_READ',
    'CREDIT_CARDS_ACCOUNTS_BILLS_READ',
    'CREDIT_CARDS_ACCOUNTS_TRANSACTIONS_READ',
    'CREDIT_CARDS_ACCOUNTS_BILLS_TRANSACTIONS_READ',
  ],
  CREDIT_OPERATIONS: [
    'LOANS_READ',
    'LOANS_WARRANTIES_READ',
    'LOANS_SCHEDULED_INSTALMENTS_READ',
    'LOANS_PAYMENTS_READ',
    'FINANCINGS_READ',
    'FINANCINGS_WARRANTIES_READ',
    'FINANCINGS_SCHEDULED_INSTALMENTS_READ',
    'FINANCINGS_PAYMENTS_READ',
    'UNARRANGED_ACCOUNTS_OVERDRAFT_READ',
    'UNARRANGED_ACCOUNTS_OVERDRAFT_WARRANTIES_READ',
    'UNARRANGED_ACCOUNTS_OVERDRAFT_SCHEDULED_INSTALMENTS_READ',
    'UNARRANGED_ACCOUNTS_OVERDRAFT_PAYMENTS_READ',
    'INVOICE_FINANCINGS_READ',
    'INVOICE_FINANCINGS_WARRANTIES_READ',
    'INVOICE_FINANCINGS_SCHEDULED_INSTALMENTS_READ',
    'INVOICE_FINANCINGS_PAYMENTS_READ',
  ],
  INVESTMENTS: ['BANK_FIXED_INCOMES_READ', 'CREDIT_FIXED_INCOMES_READ', 'FUNDS_READ', 'VARIABLE_INCOMES_READ', 'TREASURE_TITLES_READ'],
}
/** What Belvo's OFDA token must ask for ("must be set to REGISTER, ACCOUNTS, CREDIT_CARDS, CREDIT_OPERATIONS"). */
const DEFAULT_GROUPS = ['REGISTER', 'ACCOUNTS', 'CREDIT_CARDS', 'CREDIT_OPERATIONS']

export const CONSENT_FILTERS: readonly FilterField[] = [
  // Required; matched against the person's CPF or the business's CNPJ (listConsents).
  { param: 'user_document', type: 'text', lookups: ['exact'], description: 'The CPF or CNPJ of the user (required)' },
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'link_id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'status', type: 'text', lookups: ['exact', 'in'], choices: ['AWAITING_AUTHORISATION', 'AUTHORISED', 'REJECTED', 'EXPIRED'] },
  { param: 'created_at', type: 'datetime', lookups: ['exact', 'gt', 'gte', 'lt', 'lte', 'range'] },
]

/** Belvo's Consents object (spec 1.223.0). */
export function consentWire(ctx: DomainContext, row: ConsentRow, organization: string) {
  const institution = ctx.connectors.institution(row.institution)
  const wire = institution ? institutionWire(institution) : undefined
  const permissions: ConsentPermissions = {}
  for (const group of [...Object.keys(PERMISSION_GROUPS), 'RESOURCES']) permissions[group] = row.permissions[group] ?? []
  return {
    id: row.id,
    display_name: row.display_name,
    document_number: row.document_number,
    belvo_institution_name: row.institution,
    institution_display_name: wire?.display_name ?? row.institution,
    institution_icon_logo: wire?.icon_logo ?? '',
    belvo_organization_name: organization,
    link_id: row.link_id,
    user_name: row.user_name,
    expired_at: row.expired_at,
    undefined_consent_expiration: row.consent_duration === null,
    consent_duration: row.consent_duration,
    created_at: row.created_at,
    status: row.status,
    permissions,
  }
}
export type ConsentWire = ReturnType<typeof consentWire>

async function describe(ctx: DomainContext, rows: ConsentRow[]): Promise<ConsentWire[]> {
  if (rows.length === 0) return []
  const organization = (await organizationName(ctx.db, rows[0].organization_id)) ?? ''
  return rows.map((row) => consentWire(ctx, row, organization))
}

/** `761.092.776-73` and `76109277673` are one CPF; a CNPJ keeps its 14 digits. */
function documentDigits(value: string): string {
  return value.replace(/[.\-/\s]/g, '')
}

/** GET /api/consents/: `user_document` is required (Belvo's 400 without it). */
export async function listConsents(ctx: DomainContext, actor: Actor, { conditions, page }: ListRequest) {
  const document = conditions.find((c) => c.field.param === 'user_document')
  if (!document) throw new PonteError('required', { field: 'user_document' })
  const digits = documentDigits(String(document.values[0]))
  if (!/^(\d{11}|\d{14})$/.test(digits)) throw new PonteError('invalid', { field: 'user_document', variant: 'user_document' })
  const rest = conditions.filter((c) => c !== document)
  // The listed statuses are those of now (the `status` filter included): this person's consents
  // past their authorisation deadline are rejected first, as a single read does.
  const now = ctx.clock.now()
  await store.rejectUnauthorised(ctx.db, deadlineCutoff(now), now.toISOString(), { organizationId: actor.organizationId, document: digits })
  const { count, rows } = await store.listConsents(ctx.db, actor.organizationId, digits, rest, page)
  return { count, results: await describe(ctx, rows) }
}

export async function getConsentRow(ctx: DomainContext, actor: Actor, id: string): Promise<ConsentRow> {
  return withDeadline(ctx, await byIdOr404(id, (uuid) => store.findConsent(ctx.db, actor.organizationId, uuid)))
}

/** GET /api/consents/{id}/ (another organization's consent is a 404). */
export async function getConsent(ctx: DomainContext, actor: Actor, id: string): Promise<ConsentWire> {
  return (await describe(ctx, [await getConsentRow(ctx, actor, id)]))[0]
}

export interface CreateConsentInput {
  institution: string
  identification?: { type: 'CPF' | 'CNPJ'; number: string; name?: string | null } | null
  permissions?: string[] | null
  duration_days?: number | null
  /** Where the authorization page sends the person back (see allowedRedirect); the widget's page by default. */
  redirect_uri?: string | null
}

/** The token's `widget.consent` (Belvo's OFDA widget token), loosely typed as stored. */
interface TokenConsentSettings {
  purpose?: string
  permissions?: string[]
  identification_info?: { type?: string; number?: string | number; name?: string }[]
  default_consent_duration_days?: number
}

function tokenConsent(session: WidgetTokenRow): TokenConsentSettings {
  const consent = session.widget?.consent
  return consent && typeof consent === 'object' ? (consent as TokenConsentSettings) : {}
}

/** The widget's page on this server: where the authorization page returns by default. */
const WIDGET_PATH = '/widget/'

/** `scheme://host` of each callback URL of the token: the places outside Ponte a person may be sent back to. */
function callbackOrigins(session: WidgetTokenRow): string[] {
  const urls = session.widget?.callback_urls
  if (!urls || typeof urls !== 'object') return []
  const origins = new Set<string>()
  for (const value of Object.values(urls as Record<string, unknown>)) {
    if (typeof value !== 'string') continue
    try {
      const url = new URL(value)
      // No host, no origin: `javascript:` or `data:` URLs never become redirect targets.
      if (url.host) origins.add(`${url.protocol}//${url.host}`)
    } catch {
      /* not a URL: nothing to allow */
    }
  }
  return [...origins]
}

/**
 * Where the authorization page may send the person back: the widget on this server (a path
 * under /widget/, or this origin's URL of one) or the host of one of the token's callback URLs.
 * Anything else (another site, `//evil`, `javascript:`) is refused: no open redirect.
 */
export function allowedRedirect(consent: Pick<ConsentRow, 'redirect_hosts'>, uri: string, origin: string): URL | undefined {
  if (uri.includes('\\')) return undefined
  let url: URL
  try {
    url = new URL(uri, origin)
  } catch {
    return undefined
  }
  if (url.origin === origin && url.pathname.startsWith(WIDGET_PATH)) return url
  if (url.host && consent.redirect_hosts.includes(`${url.protocol}//${url.host}`)) return url
  return undefined
}

/**
 * POST /widget/api/consents: a consent awaiting the person's authorisation at the institution,
 * from the request and the token's `widget.consent` (permissions, identification_info, purpose,
 * default duration). In update mode (token with a link) it renews that link's consent.
 */
export async function createConsent(
  ctx: DomainContext,
  actor: Actor,
  session: WidgetTokenRow,
  input: CreateConsentInput,
  origin: string,
): Promise<{ consent: ConsentWire; authorization_url: string }> {
  const institution = institutionOrFail(ctx, input.institution)
  if (institution.integration_type !== 'openfinance') throw new PonteError('invalid', { field: 'institution', variant: 'not_openfinance' })
  if (institution.status === 'down') throw new PonteError('institution_down')
  if (session.link_id) {
    const link = await getLinkRow(ctx, actor, session.link_id)
    if (link.institution !== institution.name) throw new PonteError('invalid', { field: 'institution', variant: 'token_link_institution' })
  }
  const settings = tokenConsent(session)
  const identification = identificationOf(input, settings)
  const groups = input.permissions ?? settings.permissions ?? DEFAULT_GROUPS
  const unknown = groups.find((g) => !(g in PERMISSION_GROUPS))
  if (unknown !== undefined) throw new PonteError('invalid_choice', { field: 'permissions', params: { value: unknown } })
  const permissions: ConsentPermissions = { RESOURCES: ['RESOURCES_READ'] }
  for (const group of new Set(groups)) permissions[group] = [...PERMISSION_GROUPS[group]]
  const duration = durationOf(input, settings)
  const consentSettings = session.widget?.consent as { purpose?: unknown } | undefined
  const purpose =
    typeof consentSettings?.purpose === 'string' ? consentSettings.purpose : typeof session.widget?.purpose === 'string' ? session.widget.purpose : null

  const now = ctx.clock.now()
  const row: ConsentRow = {
    id: uuidv7(now.getTime()),
    organization_id: actor.organizationId,
    link_id: session.link_id,
    widget_token_jti: session.jti,
    institution: institution.name,
    document_type: identification.business ? 'CNPJ' : 'CPF',
    document_number: identification.cpf,
    user_name: identification.name,
    display_name: null,
    business_document_number: identification.business,
    permissions,
    purpose,
    status: 'AWAITING_AUTHORISATION',
    consent_duration: duration,
    expired_at: duration === null ? null : addDays(now, duration),
    about_to_expire_sent_at: null,
    nonce: secretHex32(),
    redirect_uri: null,
    redirect_hosts: callbackOrigins(session),
    authorised_at: null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  }
  const redirect = allowedRedirect(row, input.redirect_uri ?? WIDGET_PATH, origin)
  if (!redirect) throw new PonteError('invalid', { field: 'redirect_uri', variant: 'redirect_uri' })
  row.redirect_uri = redirect.toString()
  await store.insertConsent(ctx.db, row)
  const authorization = new URL('/sandbox/openfinance/authorize', origin)
  authorization.searchParams.set('consent_id', row.id)
  authorization.searchParams.set('redirect_uri', row.redirect_uri)
  return { consent: (await describe(ctx, [row]))[0], authorization_url: authorization.toString() }
}

function identificationOf(input: CreateConsentInput, settings: TokenConsentSettings): { cpf: string; business: string | null; name: string | null } {
  const info = (settings.identification_info ?? []).map((i) => ({ type: String(i.type ?? ''), number: String(i.number ?? ''), name: i.name ?? null }))
  if (input.identification) info.unshift({ type: input.identification.type, number: input.identification.number, name: input.identification.name ?? null })
  const cpfEntry = info.find((i) => i.type === 'CPF')
  const cnpjEntry = info.find((i) => i.type === 'CNPJ')
  // Belvo: an individual gives a CPF; a business gives its CNPJ and the CPF of a person with access to it.
  if (!cpfEntry) throw new PonteError('required', { field: 'identification' })
  const cpf = normalizeCpf(cpfEntry.number)
  if (!cpf) throw new PonteError('invalid', { field: 'identification', variant: 'cpf' })
  const business = cnpjEntry ? documentDigits(cnpjEntry.number) : null
  if (business !== null && !/^\d{14}$/.test(business)) throw new PonteError('invalid', { field: 'identification', variant: 'cnpj' })
  return { cpf, business, name: cpfEntry.name ?? cnpjEntry?.name ?? null }
}

function durationOf(input: CreateConsentInput, settings: TokenConsentSettings): number | null {
  if (input.duration_days !== undefined) {
    if (input.duration_days === null) return null
    if (!(CONSENT_DURATIONS as readonly number[]).includes(input.duration_days)) {
      throw new PonteError('invalid_choice', { field: 'duration_days', params: { value: input.duration_days } })
    }
    return input.duration_days
  }
  // Belvo's widget: any other default preselects "Indeterminado" (indefinite).
  const preset = settings.default_consent_duration_days
  return typeof preset === 'number' && (CONSENT_DURATIONS as readonly number[]).includes(preset) ? preset : null
}

function addDays(from: Date, days: number): string {
  return new Date(from.getTime() + days * 86_400_000).toISOString()
}

/** GET /widget/api/consents/{id}: the token's own consents only. */
export async function getWidgetConsent(ctx: DomainContext, actor: Actor, session: WidgetTokenRow, id: string): Promise<ConsentWire> {
  const row = await getConsentRow(ctx, actor, id)
  if (row.widget_token_jti !== session.jti) throw new PonteError('not_found')
  return (await describe(ctx, [row]))[0]
}

export interface ConsentLinkInput {
  access_mode?: 'single' | 'recurrent' | null
  external_id?: string | null
}

/**
 * POST /widget/api/consents/{id}/link: the link of an AUTHORISED consent, with the token's
 * settings and its historical update started (or, in update mode, the token's link made valid
 * again). A consent not authorised is Belvo's error: REJECTED is the login error "The user
 * account access was forbidden by the institution", AWAITING_AUTHORISATION an unconfirmed link,
 * EXPIRED consent_expired.
 */
export async function linkFromConsent(
  ctx: DomainContext,
  actor: Actor,
  session: WidgetTokenRow,
  id: string,
  input: ConsentLinkInput,
): Promise<{ link: LinkWire; institution: string }> {
  const consent = await getConsentRow(ctx, actor, id)
  if (consent.widget_token_jti !== session.jti) throw new PonteError('not_found')
  assertAuthorised(ctx, consent)
  if (consent.link_id) {
    const existing = await getLinkRow(ctx, actor, consent.link_id)
    // Update mode: the renewed consent makes the token's link valid and fetching again.
    if (session.link_id !== existing.id) throw new PonteError('invalid', { field: 'consent', variant: 'consent_used' })
    const link = await renewConsentLink(ctx, actor, existing, (tx) => spendToken(ctx, tx, session))
    return { link: await describeLink(ctx, link), institution: link.institution }
  }
  const link = await registerConsentLink(
    ctx,
    actor,
    {
      institution: consent.institution,
      document: consent.document_number,
      ...connectionSettings(session, input),
      fetch_resources: session.fetch_resources,
      stale_in: session.stale_in,
      credentials_storage: session.credentials_storage,
    },
    async (tx, created) => {
      // Of two concurrent requests, one gives the consent its link; the other's link is rolled back.
      if (!(await store.attachLink(tx, actor.organizationId, consent.id, created.id, ctx.clock.now().toISOString()))) {
        throw new PonteError('invalid', { field: 'consent', variant: 'consent_used' })
      }
      await spendToken(ctx, tx, session)
    },
  )
  return { link: await describeLink(ctx, link), institution: link.institution }
}

/**
 * The access mode and external id of the link, as widget-api's POST /widget/api/links chooses
 * them (widget-session.ts tokenLinkSettings; to share at merge): the token's `widget` values when
 * it has them, else the widget URL's; with neither, a token that does not store credentials makes
 * a single link (a recurrent one must store them).
 */
function connectionSettings(session: WidgetTokenRow, input: ConsentLinkInput): { access_mode: 'single' | 'recurrent' | null; external_id: string | null } {
  const widget = session.widget ?? {}
  const mode = widget.access_mode === 'single' || widget.access_mode === 'recurrent' ? widget.access_mode : null
  const externalId = typeof widget.external_id === 'string' && widget.external_id !== '' ? widget.external_id : null
  const storage = session.credentials_storage
  return {
    access_mode: mode ?? input.access_mode ?? (storage && storage !== 'store' ? 'single' : null),
    external_id: externalId ?? input.external_id ?? null,
  }
}

/**
 * Belvo: the access token "is invalidated as soon as a user connects an account successfully"
 * (migration 0012). Spent in the transaction that makes the link: of two racing requests, one wins.
 */
async function spendToken(ctx: DomainContext, tx: Queryable, session: WidgetTokenRow): Promise<void> {
  if (!(await markWidgetTokenUsed(tx, session.organization_id, session.jti, ctx.clock.now().toISOString()))) {
    throw new PonteError('authentication_failed', { variant: 'widget_token_used' })
  }
}

function assertAuthorised(ctx: DomainContext, consent: ConsentRow): void {
  if (consent.status === 'REJECTED') throw new PonteError('login_error', { variant: 'consent_rejected' })
  if (consent.status === 'AWAITING_AUTHORISATION') throw new PonteError('unconfirmed_link', { variant: 'consent' })
  if (consent.status === 'EXPIRED' || (consent.expired_at !== null && Date.parse(consent.expired_at) <= ctx.clock.now().getTime())) {
    throw new PonteError('consent_expired')
  }
}

/** The failures the authorization page shows on itself (http/routes/mock-bank.ts words them). */
export type BankPageProblem = 'not_found' | 'redirect' | 'decided' | 'expired' | 'form' | 'cpf_invalid' | 'cpf_unknown' | 'cpf_mismatch'

export class BankPageError extends PageProblemError<BankPageProblem> {}

export interface AuthorizationView {
  consent: ConsentRow
  institutionName: string
  /**
   * Who asks for the data: the `widget.branding.company_name` of the token that created the
   * consent (what the person saw in the widget), else the organization's name.
   */
  requesterName: string
  redirect: URL
  /** The person logged in at the bank (after the CPF step). */
  customer?: { cpf: string; name: string }
}

/**
 * The authorization page's consent: unknown ids, a redirect_uri that is not allowed and consents
 * already decided are problems the page shows, never a redirect.
 */
export async function openAuthorization(ctx: DomainContext, consentId: string, redirectUri: string, origin: string): Promise<AuthorizationView> {
  const found = isUuid(consentId) ? await store.findConsentById(ctx.db, consentId) : undefined
  if (!found) throw new BankPageError('not_found')
  const redirect = allowedRedirect(found, redirectUri, origin)
  if (!redirect) throw new BankPageError('redirect')
  const consent = await withDeadline(ctx, found)
  if (timedOut(consent)) throw new BankPageError('expired')
  if (consent.status !== 'AWAITING_AUTHORISATION' || consent.nonce === null) throw new BankPageError('decided')
  const institution = ctx.connectors.institution(consent.institution)
  return {
    consent,
    institutionName: institution?.display_name ?? consent.institution,
    requesterName: await requesterName(ctx, consent),
    redirect,
  }
}

/**
 * The name the bank page gives the requester: the creating token's branding company, else the
 * organization. The token row is looked up by its id; retention deletes it once its refresh
 * token has expired (at most an hour after POST /api/token/), and then the organization's name shows.
 */
async function requesterName(ctx: DomainContext, consent: ConsentRow): Promise<string> {
  const token = consent.widget_token_jti ? await findWidgetToken(ctx.db, consent.organization_id, { jti: consent.widget_token_jti }) : undefined
  const branding = token?.widget?.branding
  const company = branding && typeof branding === 'object' ? (branding as { company_name?: unknown }).company_name : undefined
  if (typeof company === 'string' && company.trim() !== '') return company.trim()
  return (await organizationName(ctx.db, consent.organization_id)) ?? ''
}

/** Constant-time comparison of the form's nonce with the consent's. */
function sameNonce(expected: string | null, given: string): boolean {
  if (expected === null || expected.length !== given.length) return false
  let diff = 0
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i)
  return diff === 0
}

/**
 * The bank's log-in step: the CPF must be one the bank knows (the sandbox: OF Mock Bank's user)
 * and the consent's own (the token's identification_info), and the form must carry the consent's nonce.
 */
export async function bankLogin(
  ctx: DomainContext,
  consentId: string,
  redirectUri: string,
  origin: string,
  nonce: string,
  cpf: string,
): Promise<AuthorizationView> {
  const view = await openAuthorization(ctx, consentId, redirectUri, origin)
  if (!sameNonce(view.consent.nonce, nonce)) throw new BankPageError('form')
  const normalized = normalizeCpf(cpf.trim())
  if (!normalized) throw new BankPageError('cpf_invalid')
  const customer = openFinanceCustomer(view.consent.institution, normalized)
  if (!customer) throw new BankPageError('cpf_unknown')
  if (customer.cpf !== view.consent.document_number) throw new BankPageError('cpf_mismatch')
  return { ...view, customer }
}

/**
 * Approve or reject at the bank: the consent becomes AUTHORISED (its expiry counted from now) or
 * REJECTED, once (the nonce is spent), and the answer is where to send the person: the
 * redirect_uri with `consent_id` and `result=approved|rejected`.
 */
export async function decideAtBank(
  ctx: DomainContext,
  consentId: string,
  redirectUri: string,
  origin: string,
  nonce: string,
  cpf: string,
  approve: boolean,
): Promise<string> {
  const view = await bankLogin(ctx, consentId, redirectUri, origin, nonce, cpf)
  const now = ctx.clock.now()
  const duration = view.consent.consent_duration
  const decided = await store.decideConsent(ctx.db, view.consent.id, nonce, {
    status: approve ? 'AUTHORISED' : 'REJECTED',
    displayName: view.customer!.name,
    expiredAt: duration === null ? null : addDays(now, duration),
    at: now.toISOString(),
    createdAfter: deadlineCutoff(now),
  })
  if (!decided) throw new BankPageError(pastDeadline(view.consent, now) ? 'expired' : 'decided')
  const target = new URL(view.redirect)
  target.searchParams.set('consent_id', decided.id)
  target.searchParams.set('result', approve ? 'approved' : 'rejected')
  return target.toString()
}

/**
 * The scheduler's consent pass (domain/sync.ts runScheduler): consents still awaiting
 * authorisation AUTHORISATION_MINUTES after their creation become REJECTED, AUTHORISED consents
 * past their expiry become EXPIRED, and those of recurrent links that expire within ABOUT_TO_EXPIRE_DAYS are
 * announced once with Belvo's CONSENT openfinance_consent_about_to_expire webhook. Organizations on
 * the server's clock, or `organizationId` only (an advance of its sandbox clock).
 */
export async function runConsentSchedule(
  ctx: DomainContext,
  now: Date,
  organizationId?: string,
): Promise<{ rejected: number; expired: number; announced: number }> {
  const rejected = await store.rejectUnauthorised(ctx.db, deadlineCutoff(now), now.toISOString(), { clockOf: organizationId })
  const expired = await store.expireConsents(ctx.db, now.toISOString(), organizationId)
  const horizon = addDays(now, ABOUT_TO_EXPIRE_DAYS)
  const announced = await ctx.db.tx(async (tx) => {
    const due = await store.claimAboutToExpire(tx, now.toISOString(), horizon, undefined, organizationId)
    for (const consent of due) {
      const link = consent.link_id ? await findLink(tx, consent.organization_id, consent.link_id) : undefined
      await emitWebhook(tx, ctx, {
        organizationId: consent.organization_id,
        linkId: consent.link_id,
        externalId: link?.external_id ?? null,
        requestId: null,
        webhookType: 'CONSENT',
        webhookCode: 'openfinance_consent_about_to_expire',
        processType: 'recurrent_update',
        data: {
          consent_id: consent.id,
          consent_due_date: consent.expired_at,
          institution: consent.institution,
          document_number: consent.document_number,
        },
        eventKey: `consent:${consent.id}:about_to_expire`,
      })
    }
    return due.length
  })
  return { rejected: rejected.length, expired: expired.length, announced }
}
