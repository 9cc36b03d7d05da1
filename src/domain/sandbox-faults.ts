import { FAULT_STATUSES, INSTITUTION_FAULTS, MAX_FAULT_LATENCY_MS, requestInstitutionFault, type InstitutionFault, type RequestFault } from '../lib/faults.ts'
import { PonteError } from '../lib/errors.ts'
import { isUuid, uuidv7 } from '../lib/ids.ts'
import type { ListRequest } from '../lib/list-query.ts'
import type { Queryable } from '../store/db.ts'
import * as store from '../store/faults.ts'
import { heldEventCount, releaseInReverse } from '../store/webhooks.ts'
import { findLink } from '../store/links.ts'
import { findSecretKey, firstOrganizationId, organizationName } from '../store/keys.ts'
import type { CatalogInstitution } from '../connectors/catalog.ts'
import { CONNECTOR_ERROR_MESSAGES, SANDBOX_MFA_TOKEN, tokenGenerationData } from '../connectors/sandbox/personas.ts'
import type { ConnectorErrorCode, Credentials, LoginOutcome } from '../connectors/types.ts'
import type { FaultRuleRow } from '../store/faults.ts'
import { byIdOr404 } from './by-id.ts'
import { RESOURCES } from './registry.ts'
import type { Actor, DomainContext } from './context.ts'

/**
 * Sandbox fault rules (issue 18): standing instructions, per organization, to slow or fail some of
 * its requests (`latency_ms`, `status`), or to make a sandbox institution refuse its links' logins
 * (`institution_error`), a number of times or with a probability. X-Ponte-Fault does the same for
 * one request (lib/faults.ts); rules reach what a header cannot: the background work (a historical
 * update that meets `token_required` halfway), and a client that does not know it is being tested.
 */
export type FaultsContext = Pick<DomainContext, 'db' | 'clock' | 'cipher' | 'connectors' | 'jobs' | 'webhooks'>

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

export interface FaultRuleInput {
  match?: {
    method?: string | null
    path?: string | null
    link?: string | null
    institution?: string | null
    webhook_type?: string | null
    resource?: string | null
  } | null
  effect: {
    latency_ms?: number | null
    status?: number | null
    institution_error?: string | null
    webhook_delay_ms?: number | null
    webhook_duplicates?: number | null
    webhook_lost_answers?: number | null
    webhook_reorder?: number | null
  }
  count?: number | null
  probability?: number | null
}

function invalid(field: string, detail: string): PonteError {
  return new PonteError('invalid', { field, params: { detail } })
}

/** Organizations known, for a second, to have no rule left: most requests then cost no query. */
const knownWithoutRules = new Map<string, number>()
const NO_RULES_CACHE_MS = 1000
/**
 * Rules created in this process, per organization: a lookup that began before a rule was created
 * may answer "no rule", and must not then be cached, or the new rule would be missed for a second.
 */
const rulesCreated = new Map<string, number>()

async function mayHaveRules(db: Queryable, organizationId: string): Promise<boolean> {
  if ((knownWithoutRules.get(organizationId) ?? 0) > Date.now()) return false
  const generation = rulesCreated.get(organizationId) ?? 0
  const has = await store.hasFaultRules(db, organizationId)
  if (has) knownWithoutRules.delete(organizationId)
  else if ((rulesCreated.get(organizationId) ?? 0) === generation) knownWithoutRules.set(organizationId, Date.now() + NO_RULES_CACHE_MS)
  return has
}

/** A rule was created: no "no rule" answer cached before, or begun before, holds any more. */
function ruleCreated(organizationId: string): void {
  rulesCreated.set(organizationId, (rulesCreated.get(organizationId) ?? 0) + 1)
  knownWithoutRules.delete(organizationId)
}

async function linkOf(ctx: FaultsContext, actor: Actor, id: string) {
  const link = isUuid(id) ? await findLink(ctx.db, actor.organizationId, id.toLowerCase()) : undefined
  if (!link) throw new PonteError('does_not_exist', { field: 'match.link' })
  return link
}

export async function createFaultRule(ctx: FaultsContext, actor: Actor, input: FaultRuleInput): Promise<FaultRuleRow> {
  const match = input.match ?? {}
  const { latency_ms: latency = null, status = null, institution_error: institutionError = null } = input.effect
  const { webhook_delay_ms: delay = null, webhook_duplicates: duplicates = null, webhook_lost_answers: lostAnswers = null } = input.effect
  const { webhook_reorder: reorder = null } = input.effect
  const kinds = [
    latency !== null || status !== null,
    institutionError !== null,
    delay !== null || duplicates !== null || lostAnswers !== null || reorder !== null,
  ]
  if (!kinds.some(Boolean)) throw invalid('effect', 'give latency_ms, status, institution_error or a webhook_ effect.')
  if (kinds.filter(Boolean).length > 1) {
    throw invalid('effect', 'latency_ms and status apply to a request, institution_error to a login, webhook_ effects to a webhook: make one rule each.')
  }
  const webhookRule = kinds[2]
  for (const [name, value, max] of [
    ['webhook_delay_ms', delay, 600_000],
    ['webhook_duplicates', duplicates, 5],
    ['webhook_lost_answers', lostAnswers, 5],
  ] as const) {
    if (value !== null && (!Number.isInteger(value) || value < 1 || value > max)) throw invalid(`effect.${name}`, `a whole number from 1 to ${max}.`)
  }
  if (reorder !== null && (!Number.isInteger(reorder) || reorder < 2 || reorder > MAX_REORDER)) {
    throw invalid('effect.webhook_reorder', `how many webhooks to hold and send in reverse: a whole number from 2 to ${MAX_REORDER}.`)
  }
  if (reorder !== null && (delay !== null || duplicates !== null || lostAnswers !== null)) {
    throw invalid('effect', 'webhook_reorder holds webhooks and sends them in reverse: make another rule for the other webhook_ effects.')
  }
  if (match.resource && institutionError === null) throw invalid('match.resource', 'only an institution_error rule matches a resource.')
  if (match.resource && !FETCH_RESOURCES.has(match.resource)) {
    throw new PonteError('invalid_choice', { field: 'match.resource', params: { value: match.resource } })
  }
  if (match.webhook_type && !webhookRule) throw invalid('match.webhook_type', 'only a webhook rule matches a webhook_type.')
  if (webhookRule && (match.method || match.path || match.institution)) throw invalid('match', 'a webhook rule matches webhook_type and link only.')
  if (latency !== null && (!Number.isInteger(latency) || latency < 0 || latency > MAX_FAULT_LATENCY_MS)) {
    throw invalid('effect.latency_ms', `whole milliseconds from 0 to ${MAX_FAULT_LATENCY_MS}.`)
  }
  if (status !== null && !(status in FAULT_STATUSES)) throw new PonteError('invalid_choice', { field: 'effect.status', params: { value: String(status) } })
  if (institutionError !== null && !(INSTITUTION_FAULTS as readonly string[]).includes(institutionError)) {
    throw new PonteError('invalid_choice', { field: 'effect.institution_error', params: { value: institutionError } })
  }
  const method = match.method ? match.method.toUpperCase() : null
  if (method !== null && !(HTTP_METHODS as readonly string[]).includes(method))
    throw new PonteError('invalid_choice', { field: 'match.method', params: { value: method } })
  if (match.path && !match.path.startsWith('/')) throw invalid('match.path', 'a path starts with /, such as /api/transactions/.')
  if (institutionError !== null && (method !== null || match.path))
    throw invalid('match', 'an institution_error rule matches link, institution and resource only.')
  if (institutionError === null && match.institution) throw invalid('match.institution', 'a request rule matches method, path and link.')
  const link = match.link ? await linkOf(ctx, actor, match.link) : undefined
  const institution = match.institution ?? link?.institution ?? null
  if (match.institution && !ctx.connectors.institution(match.institution)) throw new PonteError('does_not_exist', { field: 'match.institution' })
  if (institution && ctx.connectors.hasRealConnector(institution))
    throw invalid(match.link ? 'match.link' : 'match.institution', 'only institutions the sandbox serves take faults.')
  if (input.count !== undefined && input.count !== null && (!Number.isInteger(input.count) || input.count < 1)) throw invalid('count', 'a whole number from 1.')
  const probability = input.probability ?? 1
  if (!(probability > 0 && probability <= 1)) throw invalid('probability', 'more than 0, at most 1.')

  const rule = await store.insertFaultRule(ctx.db, {
    id: uuidv7(ctx.clock.now().getTime()),
    organization_id: actor.organizationId,
    method,
    path_prefix: match.path ?? null,
    link_id: link?.id ?? null,
    institution: match.institution ?? null,
    latency_ms: latency,
    status,
    institution_error: institutionError,
    webhook_type: match.webhook_type ?? null,
    webhook_delay_ms: delay,
    webhook_duplicates: duplicates,
    webhook_lost_answers: lostAnswers,
    resource: match.resource ?? null,
    webhook_reorder: reorder,
    remaining: input.count ?? null,
    probability: probability.toFixed(3),
    created_at: ctx.clock.now().toISOString(),
  })
  ruleCreated(actor.organizationId)
  return rule
}

export function listFaultRules(ctx: FaultsContext, actor: Actor, { conditions, page }: ListRequest) {
  return store.listFaultRules(ctx.db, actor.organizationId, conditions, page)
}

export function getFaultRule(ctx: FaultsContext, actor: Actor, id: string): Promise<FaultRuleRow> {
  return byIdOr404(id, (uuid) => store.findFaultRule(ctx.db, actor.organizationId, uuid))
}

export async function deleteFaultRule(ctx: FaultsContext, actor: Actor, id?: string): Promise<void> {
  if (id !== undefined) await getFaultRule(ctx, actor, id)
  await store.deleteFaultRules(ctx.db, actor.organizationId, id?.toLowerCase())
}

export function faultRuleWire(row: FaultRuleRow) {
  return {
    id: row.id,
    match: {
      method: row.method,
      path: row.path_prefix,
      link: row.link_id,
      institution: row.institution,
      webhook_type: row.webhook_type,
      resource: row.resource,
    },
    effect: {
      latency_ms: row.latency_ms,
      status: row.status,
      institution_error: row.institution_error,
      webhook_delay_ms: row.webhook_delay_ms,
      webhook_duplicates: row.webhook_duplicates,
      webhook_lost_answers: row.webhook_lost_answers,
      webhook_reorder: row.webhook_reorder,
    },
    remaining: row.remaining,
    probability: Number(row.probability),
    matched: row.matched,
    created_at: row.created_at,
  }
}

/** The request-level fault the organization's rules give this request, if any (one rule's use is spent). */
export async function requestRuleFault(
  ctx: FaultsContext,
  organizationId: string,
  request: { method: string; path: string; linkId: string | null },
): Promise<RequestFault | undefined> {
  if (!(await mayHaveRules(ctx.db, organizationId))) return undefined
  const taken = await store.takeRequestRule(ctx.db, organizationId, request)
  if (!taken) return undefined
  return {
    ...(taken.latency_ms !== null ? { latencyMs: taken.latency_ms } : {}),
    ...(taken.status !== null ? { status: taken.status as RequestFault['status'] } : {}),
  }
}

/**
 * The institution error the organization's rules give this login at a sandbox institution, if any;
 * `resource` when a rule that names the login's resource (migration 0024) gave it.
 */
export async function institutionRuleFault(
  ctx: FaultsContext,
  organizationId: string,
  login: { institution: string; linkId: string | null; resource?: string | null },
): Promise<{ error: InstitutionFault; resource: string | null } | undefined> {
  if (ctx.connectors.hasRealConnector(login.institution) || !(await mayHaveRules(ctx.db, organizationId))) return undefined
  const taken = await store.takeInstitutionRule(ctx.db, organizationId, login)
  return taken && { error: taken.institution_error as InstitutionFault, resource: taken.resource }
}

/** The resources a rule may name: those of fetch_resources and of the historical_update webhooks. */
const FETCH_RESOURCES: ReadonlySet<string> = new Set(RESOURCES.map((spec) => spec.institutionResource))

const MAX_REORDER = 10

/**
 * Login outcomes, then errors, that a rule naming a resource gave (partial success): the
 * background work fails that resource alone, reports it, and goes on with the others.
 */
const resourceFaults = new WeakSet<object>()

/** Carries the mark of a resource rule's outcome over to the error thrown for it. */
export function markedLike<T extends object>(outcome: object, error: T): T {
  if (resourceFaults.has(outcome)) resourceFaults.add(error)
  return error
}

/** Whether a rule naming the resource being fetched caused this error (not `token_required`, which stops the update). */
export function isResourceFault(error: unknown): error is PonteError {
  return error instanceof PonteError && resourceFaults.has(error)
}

/**
 * What a historical_update webhook says of a resource a rule failed: Belvo's error fields, as its
 * LINK webhooks carry them (INVENTORY 7.2), in place of the resource's counts.
 */
export function resourceErrorData(error: PonteError): { error_code: string; error_message: string; status: number } {
  const code = error.code as ConnectorErrorCode
  return { error_code: code, error_message: CONNECTOR_ERROR_MESSAGES[code] ?? code, status: code === 'request_timeout' ? 408 : 400 }
}

/**
 * Logs in at an institution on behalf of the organization (a new link, or link `linkId`): the
 * institution's connector answers, unless the request's X-Ponte-Fault or one of the
 * organization's rules gives a sandbox institution an error to answer instead. `token_required`
 * asks for a token the way the sandbox's MFA institutions do, and the sandbox token satisfies it.
 */
export async function loginAt(
  ctx: FaultsContext,
  organizationId: string,
  institution: CatalogInstitution,
  linkId: string | null,
  credentials: Credentials,
  token?: string,
  resource?: string,
): Promise<LoginOutcome> {
  const sandbox = !ctx.connectors.hasRealConnector(institution.name)
  const header = sandbox ? requestInstitutionFault() : undefined
  const rule = sandbox && !header ? await institutionRuleFault(ctx, organizationId, { institution: institution.name, linkId, resource }) : undefined
  const fault = header ?? rule?.error
  if (fault === 'token_required' && token !== SANDBOX_MFA_TOKEN) {
    return { status: 'token_required', tokenGenerationData: tokenGenerationData('device', institution.name, credentials.username, token ?? '') }
  }
  if (fault && fault !== 'token_required') {
    const outcome: LoginOutcome = { status: 'error', code: fault }
    if (rule?.resource && fault !== 'login_error') resourceFaults.add(outcome)
    return outcome
  }
  return ctx.connectors.connectorFor(institution).login(credentials, token)
}

/** One rule of a scenario file: a rule's body, and whose it is (by default the first organization). */
type ScenarioRule = FaultRuleInput & { organization?: string; key?: string }

/**
 * PONTE_SANDBOX_SCENARIO: fault rules loaded when the server starts, from a JSON file
 * `{"faults": [{"key": "<secret key id>" | "organization": "<id>", "match": ..., "effect": ...,
 * "count": ..., "probability": ...}]}`. Each organization the file names gets exactly the file's
 * rules (its earlier ones are deleted), so a restart does not add them twice. A rule that names no
 * organization belongs to the first one (whose key the server prints at its first start). Any
 * mistake stops the start with a message naming the rule and the field.
 */
export async function loadScenario(ctx: FaultsContext, scenario: unknown): Promise<{ organizations: number; rules: number }> {
  const rules = (scenario as { faults?: unknown } | null)?.faults
  if (!Array.isArray(rules)) throw new Error('the scenario must be a JSON object with a "faults" array')
  const owners: string[] = []
  for (const [i, rule] of rules.entries()) {
    if (rule === null || typeof rule !== 'object' || typeof (rule as ScenarioRule).effect !== 'object' || (rule as ScenarioRule).effect === null) {
      throw new Error(`faults[${i}]: a rule is an object with an "effect" object`)
    }
    owners.push(await scenarioOwner(ctx, rule as ScenarioRule, i))
  }
  for (const organizationId of new Set(owners)) await store.deleteFaultRules(ctx.db, organizationId)
  for (const [i, rule] of (rules as ScenarioRule[]).entries()) {
    const { organization: _organization, key: _key, ...body } = rule
    try {
      await createFaultRule(ctx, { organizationId: owners[i] }, body)
    } catch (error) {
      if (!(error instanceof PonteError)) throw error
      throw new Error(`faults[${i}]${error.field ? `.${error.field}` : ''}: ${error.params.detail ?? error.params.value ?? error.code}`)
    }
  }
  return { organizations: new Set(owners).size, rules: rules.length }
}

async function scenarioOwner(ctx: FaultsContext, rule: ScenarioRule, i: number): Promise<string> {
  if (rule.key !== undefined) {
    const key = await findSecretKey(ctx.db, String(rule.key))
    if (!key) throw new Error(`faults[${i}].key: no secret key ${String(rule.key)}`)
    return key.organization_id
  }
  if (rule.organization !== undefined) {
    const id = String(rule.organization).toLowerCase()
    if (!isUuid(id) || !(await organizationName(ctx.db, id))) throw new Error(`faults[${i}].organization: no organization ${String(rule.organization)}`)
    return id
  }
  const first = await firstOrganizationId(ctx.db)
  if (!first) throw new Error(`faults[${i}]: there is no organization yet`)
  return first
}

/**
 * What the organization's webhook rules do to an event being emitted (in its transaction `tx`):
 * one use of the oldest matching rule that wins its draw, if any. Only the events of sandbox
 * institutions' links (and of payments objects, all on the sandbox network) take faults: a link of
 * an institution a real integration serves never does (`connectors` tells which).
 */
export async function webhookRuleFault(
  tx: Queryable,
  organizationId: string,
  event: { webhookType: string; linkId: string | null; ordered?: boolean },
  connectors?: Pick<FaultsContext['connectors'], 'hasRealConnector'>,
): Promise<{ delayMs: number; duplicates: number; lostAnswers: number; reorder?: WebhookHold } | undefined> {
  if (!(await mayHaveRules(tx, organizationId))) return undefined
  if (event.linkId && connectors) {
    const link = await findLink(tx, organizationId, event.linkId)
    if (link && connectors.hasRealConnector(link.institution)) return undefined
  }
  const taken = await store.takeWebhookRule(tx, organizationId, event)
  if (!taken) return undefined
  return {
    delayMs: taken.webhook_delay_ms ?? 0,
    duplicates: taken.webhook_duplicates ?? 0,
    lostAnswers: taken.webhook_lost_answers ?? 0,
    ...(taken.webhook_reorder !== null ? { reorder: { ruleId: taken.id, size: taken.webhook_reorder, last: taken.remaining === 0 } } : {}),
  }
}

/** A reordering rule's hold on an event's deliveries (migration 0025): whose, how many it gathers, and whether it has no use left. */
export interface WebhookHold {
  ruleId: string
  size: number
  last: boolean
}

/**
 * After an event's deliveries were held by a reordering rule: once the rule holds `size` events (or
 * had its last use), all of them go out newest first, from `now`, one after the other.
 */
export async function releaseWhenGathered(tx: Queryable, hold: WebhookHold, now: Date): Promise<void> {
  if (hold.last || (await heldEventCount(tx, hold.ruleId)) >= hold.size) await releaseInReverse(tx, hold.ruleId, now.toISOString())
}
