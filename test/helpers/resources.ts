import { expect } from 'vitest'
import { CATALOG, wireShape, type CatalogInstitution, type Country } from '../../src/connectors/catalog.ts'
import { SANDBOX_MFA_TOKEN } from '../../src/connectors/sandbox/personas.ts'
import type { ResourceName } from '../../src/connectors/types.ts'
import { RESOURCES, type ResourceSpec, type WireShape } from '../../src/domain/registry.ts'
import type { CallResult, Harness } from './harness.ts'
import { schemaErrors, schemaOf, SPECS, type SpecName } from './spec.ts'

/**
 * Test set-up for resources, written against the registry (src/domain/registry.ts) only: links on
 * the sandbox institutions, retrieve bodies built from a resource's body schema, and checks of
 * answers against Belvo's specs. A newly registered resource family gets them without changes.
 */

type Json = Record<string, any>

export const SHAPES: readonly WireShape[] = ['ofda', 'multiregion']

/** The country whose institutions the tests use for each wire shape (Brazil speaks Open Finance Brazil). */
export const COUNTRY_OF_SHAPE: Record<WireShape, Country> = { ofda: 'BR', multiregion: 'MX' }

/** The shapes a resource exists in: its own, or both. */
export function shapesOf(spec: Pick<ResourceSpec, 'shape'>): WireShape[] {
  return spec.shape ? [spec.shape] : [...SHAPES]
}

/** Belvo's sandbox personas with a full data set, by institution type (INVENTORY 8). */
const FULL_PERSONA: Record<CatalogInstitution['type'], string> = { bank: 'bnk100/full', fiscal: 'fiscal100/full', employment: 'gig100/full' }
/** And those with no data at all. */
export const EMPTY_PERSONA: Record<CatalogInstitution['type'], string> = { bank: 'bnk101/nodata', fiscal: 'fiscal101/nodata', employment: 'gig101/nodata' }
/** The sandbox persona that the MFA institutions challenge with a token on every login. */
export const MFA_PERSONA = 'mfa_default/pass_valid'

export interface InstitutionChoice {
  country?: Country
  /**
   * Only institutions of this wire shape, those of its test country (COUNTRY_OF_SHAPE) first: a
   * resource of one country only (Chile's fiscal data) is found at that country's institutions.
   */
  shape?: WireShape
  /** Only institutions that offer this resource. */
  resource?: ResourceName
  /** An institution that asks for a token (Belvo's sandbox MFA institutions), or one that never does. */
  mfa?: boolean
}

/**
 * The first catalog institution that fits: healthy, plain credentials (no document type to choose,
 * no open-finance redirect) and offering `resource`.
 */
export function institutionFor(choice: InstitutionChoice): CatalogInstitution {
  const found = findInstitution(choice)
  if (!found) throw new Error(`no sandbox institution fits ${JSON.stringify(choice)}`)
  return found
}

/** Whether some catalog institution fits (institutionFor would find one). */
export function hasInstitution(choice: InstitutionChoice): boolean {
  return findInstitution(choice) !== undefined
}

function findInstitution(choice: InstitutionChoice): CatalogInstitution | undefined {
  const preferred = choice.shape ? COUNTRY_OF_SHAPE[choice.shape] : undefined
  const candidates = preferred ? [...CATALOG].sort((a, b) => Number(b.country === preferred) - Number(a.country === preferred)) : CATALOG
  return candidates.find(
    (i) =>
      (!choice.country || i.country === choice.country) &&
      (!choice.shape || wireShape(i) === choice.shape) &&
      (!choice.resource || i.resources.includes(choice.resource)) &&
      i.status === 'healthy' &&
      i.integration_type === 'credentials' &&
      !i.form_fields.some((f) => f.name === 'username_type') &&
      i.features.some((f) => f.name === 'token_required') === (choice.mfa === true),
  )
}

/**
 * A worker's document for the institutions that log in with one (the CURP of Mexico's IMSS, a
 * Brazilian CPF): there a persona name fails the username's form validation, and the sandbox takes
 * any valid document with the persona's name as the password (personas.ts).
 */
export const SAMPLE_DOCUMENT: Partial<Record<Country, string>> = { MX: 'GOMA850412HDFRRN09', BR: '52998224725' }

/** The username a persona logs in with at `institution`: its own, or the country's sample document where the form wants a document. */
export function loginUsername(institution: CatalogInstitution, persona: string): string {
  const field = institution.form_fields.find((f) => f.name === 'username')
  const fits = !field || new RegExp(`^(?:${field.validation.replace(/^\^|\$$/g, '')})$`).test(persona)
  return fits ? persona : (SAMPLE_DOCUMENT[institution.country] ?? persona)
}

export interface LinkOptions extends InstitutionChoice {
  /** An institution by name; otherwise institutionFor(options). */
  institution?: string
  /** `username/password`; the full data set of the institution's type (or the MFA persona) by default. */
  persona?: string
  /** Extra fields of the link request (access_mode, fetch_resources, external_id...). */
  body?: Json
  auth?: string
}

/**
 * Registers a link and returns its wire object (throws on anything but 201). By default a single
 * link that fetches nothing in the background, so that only what a test retrieves is stored; an
 * MFA link is registered with the sandbox's token, and then asks for one on every retrieval.
 */
export async function createLink(h: Harness, options: LinkOptions = {}): Promise<Json> {
  const institution = options.institution ? CATALOG.find((i) => i.name === options.institution) : institutionFor(options)
  if (!institution) throw new Error(`unknown institution ${options.institution}`)
  const mfa = institution.features.some((f) => f.name === 'token_required')
  const [persona, password] = (options.persona ?? (mfa ? MFA_PERSONA : FULL_PERSONA[institution.type])).split('/')
  const username = loginUsername(institution, persona)
  // Where the username is a document, the password names the persona.
  const secret = username === persona ? password : persona
  const res = await h.call(
    'POST',
    '/api/links/',
    {
      institution: institution.name,
      username,
      password: secret,
      access_mode: 'single',
      fetch_resources: [],
      ...(mfa ? { token: SANDBOX_MFA_TOKEN } : {}),
      ...options.body,
    },
    { auth: options.auth },
  )
  if (res.status !== 201) throw new Error(`link on ${institution.name} not created: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

/**
 * Retrieves what `spec` is computed from (its `computedFrom`, employment metrics from employment
 * records) on `link`, as Belvo asks before the resource can be retrieved; nothing for the others.
 */
export async function retrievePrerequisites(h: Harness, spec: Pick<ResourceSpec, 'computedFrom'>, link: string): Promise<void> {
  if (!spec.computedFrom) return
  const source = RESOURCES.find((other) => other.storage === 'records' && other.recordKey === spec.computedFrom)
  if (!source) throw new Error(`no registered resource stores ${spec.computedFrom}`)
  let res = await h.call('POST', source.path, retrieveBody(source, link))
  // An MFA link asks for the token on every retrieval: the sandbox's completes it.
  if (res.status === 428) res = await h.call('PATCH', source.path, { session: res.body[0].session, token: SANDBOX_MFA_TOKEN, link })
  if (res.status !== 201) throw new Error(`${source.name} not retrieved first: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`)
}

/** A link on an institution of `shape` that offers `spec`'s resource. */
export function linkFor(h: Harness, spec: Pick<ResourceSpec, 'institutionResource' | 'country'>, shape: WireShape, options: LinkOptions = {}): Promise<Json> {
  return createLink(h, { shape, resource: spec.institutionResource, country: spec.country, ...options })
}

/** Three months that end before the sandbox clock the tests set (2026-03-10): short, so retrievals stay quick. */
export const QUARTER = { date_from: '2025-12-01', date_to: '2026-02-28' } as const
/** A year, for tests that need a long history. */
export const YEAR = { date_from: '2025-03-01', date_to: '2026-02-28' } as const

const ACCOUNT_FIELDS = new Set(['account', 'account_id'])

/** The body fields a retrieve cannot do without (the body schema's `required`). */
export function requiredFields(spec: Pick<ResourceSpec, 'body'>): string[] {
  return [...(spec.body.required ?? [])]
}

/** Whether a retrieve of `spec` must name one of the link's accounts. */
export function needsAccountInBody(spec: Pick<ResourceSpec, 'body'>): boolean {
  return requiredFields(spec).some((field) => ACCOUNT_FIELDS.has(field))
}

/** A date field of a body schema: Belvo's `YYYY-MM-DD` strings. */
export function isDateField(name: string, schema: Json): boolean {
  return schema.format === 'date' || /YYYY-MM-DD/.test(String(schema.description ?? '')) || /^date_(from|to)$/.test(name)
}

/**
 * A retrieve body for `spec` on `link`, from its body schema: the link and every other required
 * field (the period's dates, an account of `accounts`, the year and month of the period's last
 * day); optional fields are left out. A required field it cannot fill is a loud error, for the
 * next resource family to teach it.
 */
export function retrieveBody(
  spec: Pick<ResourceSpec, 'name' | 'body'>,
  link: string,
  accounts: readonly Json[] = [],
  period: { date_from: string; date_to: string } = QUARTER,
): Json {
  const required = new Set(requiredFields(spec))
  const body: Json = {}
  for (const [name, schema] of Object.entries(spec.body.properties as Record<string, Json>)) {
    if (name === 'link') body.link = link
    // Fiscal years (tax returns and declarations, where they are optional only because a monthly
    // request has a period instead): the year before the period's, whose yearly returns are filed.
    else if (name === 'year_from' || name === 'year_to') body[name] = String(Number(period.date_from.slice(0, 4)) - 1)
    // Optional fields keep the server's default (a year back, where a period is optional).
    else if (!required.has(name)) continue
    else if (isDateField(name, schema)) body[name] = name === 'date_to' ? period.date_to : period.date_from
    else if (ACCOUNT_FIELDS.has(name)) {
      if (accounts.length === 0) throw new Error(`${spec.name} needs an account in its body: retrieve the link's accounts first`)
      body[name] = accounts[0].id
    } else if (name === 'year') body.year = Number(period.date_to.slice(0, 4))
    else if (name === 'month') body.month = Number(period.date_to.slice(5, 7))
    // A choice among literals (the SAT's INFLOW or OUTFLOW): the first one.
    else if (Array.isArray(schema.anyOf) && schema.anyOf.every((branch: Json) => 'const' in branch)) body[name] = schema.anyOf[0].const
    else throw new Error(`retrieveBody cannot fill the required field ${name} of ${spec.name}: teach it (test/helpers/resources.ts)`)
  }
  return body
}

/** The items of a retrieve's answer: its array, or the one object of a `single` resource. */
export function answerItems(spec: Pick<ResourceSpec, 'answer'>, body: unknown): Json[] {
  return spec.answer === 'single' ? [body as Json] : (body as Json[])
}

/** The spec a schema name is read from: the shape's own first, then any other vendored spec. */
const PREFERRED: Record<WireShape, SpecName> = { ofda: 'current', multiregion: 'multiregion' }

function defines(specName: SpecName, schema: string): boolean {
  try {
    schemaOf(specName, schema)
    return true
  } catch {
    return false
  }
}

const definingSpecs = new Map<string, SpecName | undefined>()

/** Which vendored spec defines `schema` for an institution of `shape`, if any does. */
export function specDefining(schema: string, shape: WireShape): SpecName | undefined {
  const key = `${shape}:${schema}`
  if (!definingSpecs.has(key)) {
    const names = Object.keys(SPECS) as SpecName[]
    definingSpecs.set(
      key,
      [PREFERRED[shape], ...names.filter((n) => n !== PREFERRED[shape])].find((n) => defines(n, schema)),
    )
  }
  return definingSpecs.get(key)
}

/**
 * Schema names Belvo publishes in none of its specs: `/api/statements/` is an endpoint of the SDKs
 * only (INVENTORY 2, "SDK-only legacy endpoints in neither spec"), so its `Statement` cannot be
 * checked against Belvo; every other registered name must be defined by a vendored spec.
 */
export const UNPUBLISHED_SCHEMAS: ReadonlySet<string> = new Set(['Statement'])

/** The item schema names of `items` for `shape` that no vendored spec defines (unpublished ones aside). */
export function undefinedSchemas(items: Partial<Record<WireShape, readonly string[]>>, shape: WireShape): string[] {
  return (items[shape] ?? []).filter((name) => !UNPUBLISHED_SCHEMAS.has(name) && !specDefining(name, shape))
}

/**
 * Asserts that each item validates against one of the schemas the registry names for `shape`
 * (several for a oneOf, as Brazil's individual and business owners). Only UNPUBLISHED_SCHEMAS
 * go unchecked.
 */
export function expectItems(items: Partial<Record<WireShape, readonly string[]>>, shape: WireShape, values: readonly unknown[], what = 'item'): void {
  const names = items[shape] ?? []
  expect(names.length, `no item schema registered for ${shape}`).toBeGreaterThan(0)
  const checkable = names
    .filter((name) => !UNPUBLISHED_SCHEMAS.has(name))
    .map((name) => {
      const specName = specDefining(name, shape)
      if (!specName) throw new Error(`${name} is in none of Belvo's vendored specs`)
      return [specName, name] as const
    })
  if (checkable.length === 0) return
  for (const value of values) {
    const failures = checkable.map(([specName, name]) => schemaErrors(specName, name, value))
    if (failures.some((errors) => errors.length === 0)) continue
    throw new Error(
      `${what} is none of ${names.join(', ')} (${shape}):\n${failures.flatMap((errors) => errors.slice(0, 4)).join('\n')}\n${JSON.stringify(value).slice(0, 600)}`,
    )
  }
}

/** Belvo's component schema of each error code (1.223.0); codes without one get the structural check only. */
const ERROR_SCHEMAS: Record<string, string> = {
  authentication_failed: 'UnauthorizedError',
  not_found: 'NotFoundError',
  required: 'ValidationError',
  invalid: 'ValidationError',
  null: 'ValidationError',
  blank: 'ValidationError',
  does_not_exist: 'ValidationError',
  invalid_choice: 'ValidationError',
  session_expired: 'SessionExpiredError',
  token_required: 'TokenRequiredResponse',
  unsupported_operation: 'UnsupportedOperationError',
  request_timeout: 'RequestTimeoutError',
}
const ERROR_KEYS = new Set(['request_id', 'code', 'message', 'field'])
const TOKEN_REQUIRED_KEYS = new Set([...ERROR_KEYS, 'session', 'expiry', 'link', 'token_generation_data'])

/**
 * Asserts a Belvo error answer: `status`, and an array of `{request_id, code, message, field?}`
 * (plus the session keys of a 428) whose request_id is the response's, each valid against
 * Belvo's schema for its code. Returns the errors, for assertions on codes and fields.
 */
export function expectErrors(res: CallResult, status: number): Json[] {
  expect(res.status, JSON.stringify(res.body)?.slice(0, 400)).toBe(status)
  expect(Array.isArray(res.body) && res.body.length > 0, JSON.stringify(res.body)).toBe(true)
  for (const error of res.body as Json[]) {
    const allowed = error.code === 'token_required' ? TOKEN_REQUIRED_KEYS : ERROR_KEYS
    expect(
      Object.keys(error).filter((key) => !allowed.has(key)),
      JSON.stringify(error),
    ).toEqual([])
    expect(error.request_id).toBe(res.headers['x-request-id'])
    expect(error.request_id).toMatch(/^[a-f0-9]{32}$/)
    expect(typeof error.code === 'string' && typeof error.message === 'string' && error.message.length > 0, JSON.stringify(error)).toBe(true)
    if ('field' in error) expect(error.field === null || typeof error.field === 'string', JSON.stringify(error)).toBe(true)
    const schema = ERROR_SCHEMAS[error.code]
    if (schema) expect(schemaErrors('current', schema, error)).toEqual([])
  }
  return res.body
}

/** Asserts one Belvo error with `code` (any, when undefined) and `field` (when given) at `status`. */
export function expectError(res: CallResult, status: number, code: string | undefined, field?: string): Json {
  const errors = expectErrors(res, status)
  const match = errors.find((e) => (code === undefined || e.code === code) && (field === undefined || e.field === field))
  expect(match, `no ${code ?? 'error'}${field ? ` on ${field}` : ''} in ${JSON.stringify(errors)}`).toBeDefined()
  return match!
}

/** Top-level keys of `value` that `forbidden` names. */
export function keysAmong(value: unknown, forbidden: readonly string[]): string[] {
  return value && typeof value === 'object' ? Object.keys(value).filter((key) => forbidden.includes(key)) : []
}

/** The items of a stored retrieve, `POST /api/<path>/` with `body` (its `link` included). */
export async function retrieveItems(h: Harness, path: string, body: Json): Promise<Json[]> {
  const res = await h.call('POST', `/api/${path}/`, body)
  if (res.status !== 201) throw new Error(`${path} not retrieved (${res.status}): ${JSON.stringify(res.body).slice(0, 500)}`)
  return res.body
}

/**
 * A fixture made by the first test that asks for it and shared by the others, whichever runs
 * first. Only for data the tests read and leave as they found it.
 */
export function shared<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined
  return () => (made ??= make())
}

/**
 * Registers a link with `fetch_resources` (the harness's worker must run), waits until its
 * historical update is over (`background_work` null), and gives the link and the payloads of the
 * webhooks it recorded, by `<webhook_type> <webhook_code>`.
 */
export async function historicalUpdate(h: Harness, body: Json): Promise<{ link: Json; events: Record<string, Json> }> {
  const res = await h.call('POST', '/api/links/', body)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  const link = res.body as Json
  for (let polls = 0; polls < 600 && (await h.call('GET', `/api/links/${link.id}/`)).body.background_work !== null; polls++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const rows = await h.db.query<{ webhook_type: string; webhook_code: string; payload: string }>(
    'SELECT webhook_type, webhook_code, payload FROM webhook_events WHERE link_id = $1',
    [link.id],
  )
  return { link, events: Object.fromEntries(rows.map((r) => [`${r.webhook_type} ${r.webhook_code}`, JSON.parse(r.payload).data])) }
}
