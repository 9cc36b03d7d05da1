import type { CatalogInstitution } from '../connectors/catalog.ts'
import { loginAt } from './sandbox-faults.ts'
import type { Credentials, LoginOutcome } from '../connectors/types.ts'
import { PonteError } from '../lib/errors.ts'
import { hex32, uuidv7 } from '../lib/ids.ts'
import { INSTITUTION_FORMAT, type FilterField, type ListRequest } from '../lib/list-query.ts'
import * as store from '../store/links.ts'
import type { LinkRow } from '../store/links.ts'
import type { Queryable } from '../store/db.ts'
import { lineOf, QUEUES } from '../jobs/queue.ts'
import { lineActivity, type LineActivity } from '../jobs/tracking.ts'
import type { Actor, DomainContext } from './context.ts'
import { enqueueForLink, nextRefreshAt, scheduleHistoricalUpdate } from './schedule.ts'
import { assertCanLogIn, canLogInAgain, getLinkRow, institutionOrFail, openCredentials, requireToken, takeSession, type ResumeInput } from './sessions.ts'

export const LINK_FILTERS: readonly FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'institution', type: 'text', lookups: ['exact', 'in'], format: INSTITUTION_FORMAT },
  { param: 'access_mode', type: 'text', lookups: ['exact'], choices: ['single', 'recurrent'] },
  { param: 'created_at', type: 'datetime', lookups: ['exact', 'gt', 'gte', 'lt', 'lte', 'range'] },
  { param: 'created_by', type: 'uuid', lookups: ['not_in'] },
  { param: 'external_id', type: 'text', lookups: ['exact', 'in'] },
  { param: 'institution_user_id', type: 'text', lookups: ['exact', 'in'] },
  { param: 'refresh_rate', type: 'text', lookups: ['exact'], choices: ['6h', '12h', '24h', '7d', '30d'] },
  { param: 'status', type: 'text', lookups: ['exact', 'in'], choices: ['valid', 'invalid', 'unconfirmed', 'token_required'] },
]
export type { LinkRow, ResumeInput }
export { getLinkRow }

/**
 * How long a `nostore` link keeps its credentials, sealed: Belvo keeps them "for a maximum of 15
 * minutes, calculated from the time the link was created" while an MFA token is pending (data
 * retention controls). Ponte also keeps them for the historical update that follows the creation,
 * which forgets them as soon as it ends (domain/sync.ts).
 */
export const NOSTORE_CREDENTIALS_SECONDS = 900
/** Resources a link fetches when `fetch_resources` is not given: the institution's data, not the enrichment products. */
const ENRICHMENT = new Set(['INCOMES', 'RECURRING_EXPENSES', 'RISK_INSIGHTS', 'EMPLOYMENT_METRICS'])

export interface RegisterLinkInput {
  institution: string
  username: string
  password?: string | null
  username2?: string | null
  username3?: string | null
  password2?: string | null
  token?: string | null
  username_type?: string | null
  external_id?: string | null
  access_mode?: 'single' | 'recurrent' | null
  fetch_resources?: string[] | null
  credentials_storage?: string | null
  stale_in?: string | null
}

/** Belvo's Link object, with Ponte's `background_work` (null when none, or not looked up). */
export function linkWire(link: LinkRow, background: LineActivity | null = null) {
  return {
    id: link.id,
    institution: link.institution,
    access_mode: link.access_mode,
    last_accessed_at: link.last_accessed_at,
    created_at: link.created_at,
    external_id: link.external_id,
    institution_user_id: link.institution_user_id,
    status: link.status,
    created_by: link.created_by,
    refresh_rate: link.refresh_rate,
    credentials_storage: link.credentials_storage,
    fetch_resources: link.fetch_resources,
    stale_in: link.stale_in,
    background_work: background,
  }
}
export type LinkWire = ReturnType<typeof linkWire>

/**
 * Links as the API shows them: each with what its background work is doing (queued, running,
 * stalled, retrying, with times), so a fetch in progress or stuck is visible (jobs/tracking.ts).
 */
export async function describeLinks(ctx: DomainContext, links: LinkRow[]): Promise<LinkWire[]> {
  const activity = await lineActivity(
    ctx.db,
    links.map((link) => lineOf(link.id)),
  )
  return links.map((link) => linkWire(link, activity.get(lineOf(link.id)) ?? null))
}

export async function describeLink(ctx: DomainContext, link: LinkRow): Promise<LinkWire> {
  return (await describeLinks(ctx, [link]))[0]
}

/** Checks each credential against the regular expression the institution publishes in `form_fields`. */
function checkFormFields(institution: CatalogInstitution, credentials: Credentials): void {
  const values: Record<string, string | undefined> = {
    username: credentials.username,
    username2: credentials.username2,
    username3: credentials.username3,
    password: credentials.password,
    password2: credentials.password2,
    username_type: credentials.usernameType,
  }
  for (const field of institution.form_fields) {
    const value = values[field.name]
    if (value === undefined || field.type === 'hidden' || field.type === 'select') continue
    if (!new RegExp(`^(?:${field.validation.replace(/^\^|\$$/g, '')})$`).test(value)) {
      throw new PonteError('invalid', { field: field.name, variant: 'form_field', params: { validation: field.validation } })
    }
  }
  const select = institution.form_fields.find((f) => f.type === 'select' && f.values)
  if (select && values[select.name] !== undefined && !select.values!.some((v) => v.code === values[select.name])) {
    throw new PonteError('invalid_choice', { field: select.name, params: { value: String(values[select.name]) } })
  }
}

function addDays(now: Date, days: number): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString()
}

/**
 * The number of days of a `credentials_storage` such as `30d` (null for store and nostore). The
 * spec's pattern lets `0d` or `999d` through, but its text says "any value between 1d and 365d".
 */
export function credentialsStorageDays(value: string): number | null {
  const days = /^(\d{1,3})d$/.exec(value)
  if (!days) return null
  const n = Number(days[1])
  if (n < 1 || n > 365) throw new PonteError('invalid_credentials_storage', { field: 'credentials_storage', variant: 'range' })
  return n
}

/** Seals the credentials; `nostore` links keep them only until their first fetch (NOSTORE_CREDENTIALS_SECONDS). */
function sealCredentials(ctx: DomainContext, credentials: Credentials): string {
  return ctx.cipher.encrypt(JSON.stringify(credentials))
}

/** Belvo's 400 for `fetch_resources` naming a resource the link's institution does not offer. */
export function checkInstitutionResources(institution: { resources: readonly string[] }, resources: readonly string[]): void {
  if (resources.some((r) => !institution.resources.includes(r))) {
    throw new PonteError('invalid', { field: 'resources', variant: 'resources', params: { resources: institution.resources.join(', ') } })
  }
}

/** The settings of a new link, as POST /api/links/ (and the widget) ask for them. */
export type LinkSettingsInput = Pick<RegisterLinkInput, 'access_mode' | 'credentials_storage' | 'fetch_resources' | 'stale_in' | 'external_id'>

interface LinkSettings {
  accessMode: 'single' | 'recurrent'
  credentialsStorage: string
  storageDays: number | null
  fetchResources: string[]
  staleIn: string
  externalId: string | null
}

/** Belvo's defaults and checks of a new link's settings (access mode, credentials storage, resources). */
function linkSettings(institution: CatalogInstitution, input: LinkSettingsInput): LinkSettings {
  const accessMode = input.access_mode ?? 'recurrent'
  const credentialsStorage = input.credentials_storage ?? (accessMode === 'recurrent' ? 'store' : '365d')
  const storageDays = credentialsStorageDays(credentialsStorage)
  if (accessMode === 'recurrent' && credentialsStorage !== 'store') {
    throw new PonteError('invalid_credentials_storage', { field: 'credentials_storage' })
  }
  // Each resource once, however often the request names it.
  const fetchResources = input.fetch_resources ? [...new Set(input.fetch_resources)] : institution.resources.filter((r) => !ENRICHMENT.has(r))
  checkInstitutionResources(institution, fetchResources)
  if (accessMode === 'single' && credentialsStorage === 'nostore' && (input.fetch_resources ?? []).length === 0) {
    throw new PonteError('invalid_fetch_resources', { field: 'fetch_resources' })
  }
  return { accessMode, credentialsStorage, storageDays, fetchResources, staleIn: input.stale_in ?? '365d', externalId: input.external_id ?? null }
}

/** POST /api/links/: validates, logs in at the institution and stores the link (428 when it asks for a token). */
export async function registerLink(ctx: DomainContext, actor: Actor, input: RegisterLinkInput): Promise<LinkRow> {
  const institution = institutionOrFail(ctx, input.institution)
  if (institution.status === 'down') throw new PonteError('institution_down')
  // Belvo: an Open Finance Brasil link exists only through the person's consent at their bank,
  // which the widget's consent flow obtains (domain/consents.ts); no credentials make one.
  if (institution.integration_type === 'openfinance') throw new PonteError('unsupported_operation', { field: 'institution', variant: 'openfinance' })
  const settings = linkSettings(institution, input)
  const hidden = institution.form_fields.find((f) => f.name === 'password' && f.type === 'hidden')
  const credentials: Credentials = compact({
    username: input.username,
    password: input.password ?? hidden?.value,
    username2: input.username2,
    username3: input.username3,
    password2: input.password2,
    usernameType: input.username_type,
  })
  if (credentials.password === undefined && institution.form_fields.some((f) => f.name === 'password')) {
    throw new PonteError('required', { field: 'password' })
  }
  checkFormFields(institution, credentials)

  const outcome = await loginAt(ctx, actor.organizationId, institution, null, credentials, input.token ?? undefined)
  if (outcome.status === 'error') throw new PonteError(outcome.code)
  const link = await storeNewLink(ctx, actor, institution, settings, credentials, outcome, input.token ?? undefined)
  if (outcome.status === 'token_required') {
    await requireToken(ctx, actor, link.id, 'link_register', {}, outcome.tokenGenerationData)
  }
  return link
}

/**
 * A link of an open-finance institution, made from the person's authorised consent (the widget's
 * consent flow, domain/consents.ts): the same settings, storage and historical update as POST
 * /api/links/, logged in with the consent's document. `withLink` runs in the transaction that
 * stores it (the consent gets its link there).
 */
export async function registerConsentLink(
  ctx: DomainContext,
  actor: Actor,
  input: LinkSettingsInput & { institution: string; document: string },
  withLink: (tx: Queryable, link: LinkRow) => Promise<void>,
): Promise<LinkRow> {
  const institution = institutionOrFail(ctx, input.institution)
  if (institution.status === 'down') throw new PonteError('institution_down')
  const settings = linkSettings(institution, input)
  const credentials: Credentials = { username: input.document }
  const outcome = await loginAt(ctx, actor.organizationId, institution, null, credentials)
  if (outcome.status !== 'ok') throw new PonteError(outcome.status === 'error' ? outcome.code : 'login_error')
  return storeNewLink(ctx, actor, institution, settings, credentials, outcome, undefined, withLink)
}

/** Stores a new link after its login, schedules its refreshes and, when logged in, its first fetch. */
async function storeNewLink(
  ctx: DomainContext,
  actor: Actor,
  institution: CatalogInstitution,
  settings: LinkSettings,
  credentials: Credentials,
  outcome: Exclude<LoginOutcome, { status: 'error' }>,
  token: string | undefined,
  withLink?: (tx: Queryable, link: LinkRow) => Promise<void>,
): Promise<LinkRow> {
  const now = ctx.clock.now()
  const { accessMode, credentialsStorage, storageDays } = settings
  const link: LinkRow = {
    id: uuidv7(now.getTime()),
    organization_id: actor.organizationId,
    institution_id: institution.id,
    institution: institution.name,
    access_mode: accessMode,
    status: outcome.status === 'ok' ? 'valid' : 'unconfirmed',
    external_id: settings.externalId,
    institution_user_id: outcome.status === 'ok' ? outcome.institutionUserId : null,
    credentials_storage: credentialsStorage,
    // nostore too: the fetch below (or the PATCH that completes an MFA login) still needs them.
    credentials: sealCredentials(ctx, credentials),
    credentials_expire_at:
      storageDays !== null
        ? addDays(now, storageDays)
        : credentialsStorage === 'nostore'
          ? new Date(now.getTime() + NOSTORE_CREDENTIALS_SECONDS * 1000).toISOString()
          : null,
    stale_in: settings.staleIn,
    fetch_resources: settings.fetchResources,
    refresh_rate: accessMode === 'recurrent' ? '7d' : null,
    created_by: actor.organizationId,
    profile: outcome.status === 'ok' ? outcome.profile : null,
    created_at: now.toISOString(),
    last_accessed_at: outcome.status === 'ok' ? now.toISOString() : null,
    refresh_requested_at: null,
    data_updated_at: null,
  }
  const recurrentNext = link.access_mode === 'recurrent' ? nextRefreshAt(now, link.refresh_rate) : null
  await ctx.db.tx(async (tx) => {
    await store.insertLink(tx, link)
    if (recurrentNext) await store.updateLink(tx, actor.organizationId, link.id, { next_refresh_at: recurrentNext })
    if (outcome.status === 'ok') await startHistoricalUpdate(ctx, tx, actor, link, { token, firstFetch: true })
    if (withLink) await withLink(tx, link)
  })
  return link
}

/**
 * A renewed consent (domain/consents.ts) for an existing open-finance link: the link is valid
 * again and fetches its resources anew, in the transaction `withLink` also runs in.
 */
export async function renewConsentLink(
  ctx: DomainContext,
  actor: Actor,
  link: LinkRow,
  withLink: (tx: Queryable, link: LinkRow) => Promise<void>,
): Promise<LinkRow> {
  const now = ctx.clock.now().toISOString()
  const changes = { status: 'valid' as const, last_accessed_at: now }
  const updated = { ...link, ...changes }
  await ctx.db.tx(async (tx) => {
    await store.updateLink(tx, actor.organizationId, link.id, changes)
    await startHistoricalUpdate(ctx, tx, actor, updated)
    await withLink(tx, updated)
  })
  return updated
}

/**
 * The background fetch of a link's fetch_resources (historical_update webhooks), enqueued in `tx`.
 * A token that was just accepted travels sealed with the job: the institution's session is
 * still open for it, as at Belvo. `firstFetch` marks the one that follows the link's creation,
 * the only one that may use a `nostore` link's credentials.
 */
async function startHistoricalUpdate(
  ctx: DomainContext,
  tx: Queryable,
  actor: Actor,
  link: LinkRow,
  options: { token?: string; firstFetch?: boolean } = {},
): Promise<void> {
  if (link.fetch_resources.length === 0) return
  await scheduleHistoricalUpdate(ctx, tx, {
    organizationId: actor.organizationId,
    linkId: link.id,
    requestId: hex32(),
    processType: 'historical_update',
    ...(options.token ? { sealedToken: ctx.cipher.encrypt(options.token) } : {}),
    ...(options.firstFetch ? { firstFetch: true } : {}),
  })
}

/** Drops absent (undefined or null) credential parts. */
function compact(value: Record<string, string | null | undefined>): Credentials {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as unknown as Credentials
}

/** PATCH /api/links/: finishes a link registration (or credentials update) that asked for a token. */
export async function resumeLink(ctx: DomainContext, actor: Actor, input: ResumeInput): Promise<LinkRow> {
  const { link, operation, request } = await takeSession(ctx, actor, input, ['link_register', 'link_update'])
  // An update keeps the new credentials in its session until the institution accepts them; a
  // registration has them on the link, until its credentials_storage ends (15 minutes for nostore).
  const pending = (request as { credentials?: string }).credentials
  const credentials =
    operation === 'link_update' ? (pending ? (JSON.parse(ctx.cipher.decrypt(pending)) as Credentials) : undefined) : openCredentials(ctx, link)
  if (!credentials) throw new PonteError('login_error', { variant: 'missing' })
  return completeLogin(ctx, actor, link, credentials, input.token ?? undefined, operation, request)
}

/** Logs in with `credentials` (+ token) and, on success, makes the link valid with them. */
async function completeLogin(
  ctx: DomainContext,
  actor: Actor,
  link: LinkRow,
  credentials: Credentials,
  token: string | undefined,
  operation: string,
  request: unknown,
): Promise<LinkRow> {
  const institution = institutionOrFail(ctx, link.institution)
  const outcome = await loginAt(ctx, actor.organizationId, institution, link.id, credentials, token)
  if (outcome.status === 'token_required') {
    return requireToken(ctx, actor, link.id, operation, request, outcome.tokenGenerationData)
  }
  if (outcome.status === 'error') throw new PonteError(outcome.code)
  const now = ctx.clock.now().toISOString()
  const changes = {
    status: 'valid' as const,
    institution_user_id: outcome.institutionUserId,
    profile: outcome.profile,
    last_accessed_at: now,
    // A nostore registration keeps them, sealed, for the fetch it starts, which then forgets them.
    credentials: link.credentials_storage === 'nostore' && operation !== 'link_register' ? null : sealCredentials(ctx, credentials),
  }
  const updated = { ...link, ...changes }
  await ctx.db.tx(async (tx) => {
    await store.updateLink(tx, actor.organizationId, link.id, changes)
    // A finished registration fetches its resources; new credentials refresh a recurrent link.
    if (operation === 'link_register' || link.access_mode === 'recurrent') {
      await startHistoricalUpdate(ctx, tx, actor, updated, { token, firstFetch: operation === 'link_register' })
    }
  })
  return updated
}

export function listLinks(ctx: DomainContext, actor: Actor, { conditions, page }: ListRequest) {
  return store.listLinks(ctx.db, actor.organizationId, conditions, page)
}

export interface UpdateLinkInput {
  password?: string | null
  password2?: string | null
  token?: string | null
  username_type?: string | null
}

/**
 * PUT /api/links/{id}/: new credentials for a link (typically after it turned `invalid`). The
 * institution must accept them; a token may be asked for (428, resumed with PATCH /api/links/).
 */
export async function updateLinkCredentials(ctx: DomainContext, actor: Actor, id: string, input: UpdateLinkInput): Promise<LinkRow> {
  const link = await getLinkRow(ctx, actor, id)
  const institution = institutionOrFail(ctx, link.institution)
  // The username is the stored one: a nostore link, or one past its credentials_storage, has
  // none left (Belvo: create the link again).
  const previous: Partial<Credentials> = (canLogInAgain(ctx, link) ? openCredentials(ctx, link) : undefined) ?? {}
  const username = previous.username
  if (!username) throw new PonteError('login_error', { variant: 'missing' })
  const credentials: Credentials = compact({
    ...previous,
    username,
    password: input.password ?? previous.password,
    password2: input.password2 ?? previous.password2,
    usernameType: input.username_type ?? previous.usernameType,
  })
  checkFormFields(institution, credentials)
  const outcome = await loginAt(ctx, actor.organizationId, institution, link.id, credentials, input.token ?? undefined)
  if (outcome.status === 'token_required') {
    return requireToken(ctx, actor, link.id, 'link_update', { credentials: sealCredentials(ctx, credentials) }, outcome.tokenGenerationData)
  }
  if (outcome.status === 'error') throw new PonteError(outcome.code)
  return completeLogin(ctx, actor, link, credentials, input.token ?? undefined, 'link_update', {})
}

export interface PatchLinkInput {
  access_mode?: 'single' | 'recurrent' | null
  stale_in?: string | null
  fetch_resources?: string[] | null
}

/** PATCH /api/links/{id}/: access mode, data retention and resources to fetch. */
export async function patchLink(ctx: DomainContext, actor: Actor, id: string, input: PatchLinkInput): Promise<LinkRow> {
  const link = await getLinkRow(ctx, actor, id)
  const institution = institutionOrFail(ctx, link.institution)
  const changes: Partial<LinkRow> = {}
  if (input.access_mode && input.access_mode !== link.access_mode) {
    // A recurrent link needs its credentials; one that did not keep them cannot become recurrent.
    if (input.access_mode === 'recurrent' && !canLogInAgain(ctx, link)) {
      throw new PonteError('invalid_access_mode_switch', { field: 'access_mode', params: { value: input.access_mode } })
    }
    changes.access_mode = input.access_mode
    changes.refresh_rate = input.access_mode === 'recurrent' ? '7d' : null
    if (input.access_mode === 'recurrent') {
      changes.credentials_storage = 'store'
      changes.credentials_expire_at = null
    }
  }
  // Belvo: a single link made recurrent gets its first refresh the next day.
  if (changes.access_mode === 'recurrent') changes.next_refresh_at = nextRefreshAt(ctx.clock.now(), '24h')
  if (input.stale_in) changes.stale_in = input.stale_in
  if (input.fetch_resources) {
    checkInstitutionResources(institution, input.fetch_resources)
    changes.fetch_resources = [...new Set(input.fetch_resources)]
  }
  await store.updateLink(ctx.db, actor.organizationId, link.id, changes)
  return { ...link, ...changes }
}

/** The cooldown between two refreshes of one link (Belvo: 10 minutes, else 409 link_refreshed). */
export const REFRESH_COOLDOWN_SECONDS = 600

/**
 * POST /api/links/{id}/refresh/: fetches the link's resources again in the background (or the
 * given subset) and sends historical_update webhooks carrying the returned request_id.
 */
export async function refreshLink(
  ctx: DomainContext,
  actor: Actor,
  id: string,
  input: { fetch_resources?: string[] | null },
  requestId: string,
): Promise<void> {
  const link = await getLinkRow(ctx, actor, id)
  await assertCanLogIn(ctx, link)
  const institution = institutionOrFail(ctx, link.institution)
  const resources = input.fetch_resources ?? link.fetch_resources
  checkInstitutionResources(institution, resources)
  const now = ctx.clock.now()
  await ctx.db.tx(async (tx) => {
    // Locks the link row: two refreshes at the same instant cannot both pass the cooldown.
    const current = await store.findLink(tx, actor.organizationId, link.id, { forUpdate: true })
    const last = current?.refresh_requested_at ? Date.parse(current.refresh_requested_at) : 0
    const waitSeconds = REFRESH_COOLDOWN_SECONDS - (now.getTime() - last) / 1000
    // Retry-After (RFC 9110) tells clients and proxies the exact wait; the message rounds it up.
    if (waitSeconds > 0) {
      throw new PonteError('link_refreshed', { params: { minutes: Math.ceil(waitSeconds / 60) }, headers: { 'Retry-After': String(Math.ceil(waitSeconds)) } })
    }
    await store.updateLink(tx, actor.organizationId, link.id, { refresh_requested_at: now.toISOString() })
    await scheduleHistoricalUpdate(ctx, tx, { organizationId: actor.organizationId, linkId: link.id, requestId, processType: 'historical_update', resources })
  })
}

/** DELETE with `X-Belvo-Request-Mode: async`: 202 now, a LINK link_deleted webhook when done. */
export async function deleteLinkAsync(ctx: DomainContext, actor: Actor, id: string, requestId: string): Promise<void> {
  const link = await getLinkRow(ctx, actor, id)
  await ctx.db.tx((tx) =>
    enqueueForLink(ctx, tx, QUEUES.asyncRequest, link.id, { organizationId: actor.organizationId, requestId, kind: 'delete_link', linkId: link.id }),
  )
}

export async function deleteLink(ctx: DomainContext, actor: Actor, id: string): Promise<void> {
  const link = await getLinkRow(ctx, actor, id)
  const deleted = await ctx.db.tx((tx) => store.deleteLink(tx, actor.organizationId, link.id))
  if (!deleted) throw new PonteError('not_found')
}
