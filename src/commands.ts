import { parseArgs } from 'node:util'
import { createSecretKey, listSecretKeys, revokeSecretKey } from './domain/keys.ts'
import {
  cliOrganization,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  webhookDeliveryWire,
  webhookEndpointWire,
  type WebhookContext,
} from './domain/webhooks.ts'
import { messageFor } from './http/messages.ts'
import { contextualClock, systemClock } from './lib/clock.ts'
import type { Cipher } from './lib/crypto.ts'
import { PonteError } from './lib/errors.ts'
import type { WebhookSettings } from './jobs/dispatcher.ts'
import type { JobQueue } from './jobs/queue.ts'
import type { Db } from './store/db.ts'
import { isoTimestamp } from './store/sql.ts'

/**
 * The operator commands that work on a database (`ponte migrate|keys|jobs|webhooks ...`), written
 * once: the CLI runs them on the database it opens, and a running embedded server runs the same
 * ones on its own database when the CLI asks it to (src/control.ts), since an embedded data
 * directory belongs to one process. They print through `Output` and return the exit code.
 */

/** pg-boss 10's job states, the values of `jobs list --state`. */
const JOB_STATES = ['created', 'retry', 'active', 'completed', 'cancelled', 'failed']

export const USAGE = `Usage: ponte <command>

Commands:
  serve                      Start the API server (default), with an inline worker unless PONTE_WORKER=off
  worker                     Run background jobs and webhook deliveries only (any number of processes)
  migrate                    Apply database migrations and exit
  keys create [--json] [--organization NAME] [--organization-id ID]
                             Create a secret key (in a new organization NAME when given; with ID,
                             in the organization of that id, created if new: docs/determinism.md)
  keys list [--json]         List secret keys (ids only; passwords are never stored)
  keys revoke ID             Revoke a secret key
  jobs list [--state STATE] [--queue NAME] [--all] [--limit N] [--before JOB_ID] [--json]
                             Background jobs, newest first, N per page (default 100); --before takes
                             the last id of the previous page. Retention jobs only with --all or
                             --queue retention. States: ${JOB_STATES.join(', ')}
  jobs retry ID              Put a failed job back in its queue
  webhooks create --url URL [--authorization VALUE] [--organization-id ID] [--json]
                             Register a webhook endpoint; prints its signing secret once
  webhooks list [--organization-id ID] [--json]
                             List webhook endpoints
  webhooks delete ID         Delete a webhook endpoint and its deliveries
  webhooks deliveries ID [--json]
                             List the latest deliveries of an endpoint, with their attempts
  webhooks redeliver DELIVERY_ID
                             Send a delivery again (pending, due now)
                             Webhook commands act for --organization-id, or the first organization
  sandbox clock [get | set INSTANT | advance DURATION | reset] [--organization-id ID] [--json]
                             The organization's sandbox clock (as /sandbox/clock/): read it, pin it
                             forward to INSTANT, advance it by an ISO-8601 DURATION (P1D, PT6H)
                             running what falls due in between, or follow the server's clock again
  sandbox seed [get | set SEED | reset] [--organization-id ID] [--json]
                             The organization's sandbox seed (as /sandbox/seed/): ids drawn from
                             SEED instead of randomness (docs/determinism.md), or random again
  snapshot save FILE [--organization-id ID]
                             Write the whole state of an organization (default: the first) to FILE
                             (gzip JSON lines; docs/snapshots.md)
  snapshot load FILE [--replace]
                             Load a snapshot in one transaction; --replace deletes the organization's
                             rows first. Needs the same migration level and PONTE_ENCRYPTION_KEY
  seed --links N --years Y [--accounts A] [--organization-id ID]
                             A large synthetic tenant: N sandbox links with Y years of transactions on
                             A accounts each (default 3), in a new organization unless given one

While \`ponte serve\` runs on an embedded data directory, these commands are run by that server.
Dates are ISO-8601 UTC. Configuration comes from environment variables; see README.md.`

export interface Output {
  out(text: string): void
  err(text: string): void
  /** A terminal's progress line, each call replacing the last ('' clears it); absent when standard error is no terminal. */
  status?(line: string): void
}

/** What the commands work on, opened on first use: listing usage needs no database. */
export interface CommandContext {
  /** The database, migrated. */
  db(): Promise<Db>
  /** The encryption key, checked against the database's. */
  cipher(): Promise<Cipher>
  /** Where webhooks may be sent (config.ts webhookSettings): `webhooks create` saves under the API's policy. */
  webhooks: Pick<WebhookSettings, 'allowPrivateDestinations'>
  /** The job queue (pg-boss) on that database, for `jobs retry`. */
  queue(): Promise<JobQueue>
  /** A server running the command forgets its cached verdicts on a revoked key: the revocation applies at once. */
  keyRevoked?(id: string): void
}

const OPTIONS = {
  json: { type: 'boolean', default: false },
  organization: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  url: { type: 'string' },
  authorization: { type: 'string' },
  'organization-id': { type: 'string' },
  state: { type: 'string' },
  queue: { type: 'string' },
  all: { type: 'boolean', default: false },
  limit: { type: 'string' },
  before: { type: 'string' },
  replace: { type: 'boolean', default: false },
  links: { type: 'string' },
  years: { type: 'string' },
  accounts: { type: 'string' },
} as const

export interface Command {
  name: string
  sub?: string
  arg?: string
  /** A second argument (`sandbox clock set INSTANT`). */
  arg2?: string
  values: {
    json: boolean
    all: boolean
    help?: boolean
    organization?: string
    url?: string
    authorization?: string
    'organization-id'?: string
    state?: string
    queue?: string
    limit?: string
    before?: string
    replace?: boolean
    links?: string
    years?: string
    accounts?: string
  }
}

/** A command line the CLI cannot run: exit 2 with one line saying why (`ponte help` shows the usage). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Commands that work on a database: the ones a running embedded server runs for the CLI. */
export const DATABASE_COMMANDS = ['migrate', 'keys', 'jobs', 'webhooks', 'sandbox', 'snapshot', 'seed']

/** Reads a command line; throws UsageError for an unknown option or a missing value. */
export function parseCommand(argv: string[]): Command {
  let parsed
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS })
  } catch (error) {
    // node:util's messages name the option: "Unknown option '--bogus'. To specify a positional ...".
    throw new UsageError((error as Error).message.split('. ')[0])
  }
  const [name = 'serve', sub, arg, arg2] = parsed.positionals
  return { name, sub, arg, ...(arg2 === undefined ? {} : { arg2 }), values: parsed.values }
}

/** Runs a database command; returns the process's exit code (0 done, 1 refused or not found, 2 usage). */
export async function runCommand(ctx: CommandContext, command: Command, output: Output): Promise<number> {
  try {
    return await dispatch(ctx, command, output)
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(error.message)
      return 2
    }
    if (!(error instanceof PonteError)) throw error
    const message = error.fixedMessage ?? messageFor(error.code, 'en', error.params, error.variant)
    output.err(`${error.field ? `${error.field}: ` : ''}${message}${error.code === 'not_found' && command.arg ? `: ${command.arg}` : ''}`)
    return 1
  }
}

async function dispatch(ctx: CommandContext, command: Command, output: Output): Promise<number> {
  const { name, sub, arg, values } = command
  const print = (json: unknown, text: () => string) => {
    const printed = values.json ? JSON.stringify(json) : text()
    if (printed !== '') output.out(printed)
  }
  if (name === 'migrate') {
    // Ponte's migrations (ctx.db) and the job queue's schema and queues.
    await ctx.queue()
    output.out('Database is up to date.')
  } else if (name === 'keys' && sub === 'create') {
    const newOrganizationId = values['organization-id']
    if (newOrganizationId !== undefined && !UUID.test(newOrganizationId)) throw new UsageError(`--organization-id takes a UUID: ${newOrganizationId}`)
    const key = await createSecretKey(await ctx.db(), { newOrganization: values.organization, newOrganizationId })
    print(
      { id: key.id, password: key.password, organization_id: key.organizationId },
      () => `secret key id:       ${key.id}\nsecret key password: ${key.password}\norganization:        ${key.organizationId}`,
    )
  } else if (name === 'keys' && sub === 'list') {
    const keys = (await listSecretKeys(await ctx.db())).map((k) => ({
      id: k.id,
      organization_id: k.organization_id,
      name: k.name,
      created_at: isoTimestamp(k.created_at),
      revoked_at: k.revoked_at && isoTimestamp(k.revoked_at),
    }))
    print(keys, () =>
      lines(keys, (k) => `${k.id}  org ${k.organization_id}  created ${textTime(k.created_at)}${k.revoked_at ? `  REVOKED ${textTime(k.revoked_at)}` : ''}`),
    )
  } else if (name === 'keys' && sub === 'revoke' && arg) {
    if (!(await revokeSecretKey(await ctx.db(), arg))) {
      output.err(`No active secret key with id ${arg}.`)
      return 1
    }
    ctx.keyRevoked?.(arg)
    output.out(`Revoked ${arg}.`)
  } else if (name === 'jobs' && sub === 'list') {
    return listJobsCommand(ctx, values, output)
  } else if (name === 'jobs' && sub === 'retry' && arg) {
    const { retryJob } = await import('./jobs/admin.ts')
    if (!(await retryJob(await ctx.db(), await ctx.queue(), arg))) {
      output.err(`No failed job with id ${arg}.`)
      return 1
    }
    output.out(`Job ${arg} is queued again.`)
  } else if (name === 'webhooks') {
    const db = await ctx.db()
    return webhooksCommand({ db, clock: systemClock, cipher: await ctx.cipher(), webhooks: ctx.webhooks }, command, print, output)
  } else if (name === 'sandbox' && sub === 'clock') {
    return sandboxClockCommand(ctx, command, print, output)
  } else if (name === 'sandbox' && sub === 'seed') {
    return sandboxSeedCommand(ctx, command, print, output)
  } else if (name === 'snapshot') {
    return snapshotCommand(ctx, command, output)
  } else if (name === 'seed') {
    return seedCommand(ctx, command, print, output)
  } else {
    output.err(USAGE)
    return 2
  }
  return 0
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** `ponte jobs list`: options are checked before the database is opened. */
async function listJobsCommand(ctx: CommandContext, values: Command['values'], output: Output): Promise<number> {
  // Loaded here: pg-boss is the heaviest import of the commands, and only jobs need it.
  const { QUEUE_NAMES, listJobs } = await import('./jobs/admin.ts')
  const { QUEUES } = await import('./jobs/queue.ts')
  if (values.state !== undefined && !JOB_STATES.includes(values.state)) {
    throw new UsageError(`Unknown --state ${values.state}; valid states: ${JOB_STATES.join(', ')}`)
  }
  if (values.queue !== undefined && !QUEUE_NAMES.includes(values.queue)) {
    throw new UsageError(`Unknown --queue ${values.queue}; valid queues: ${QUEUE_NAMES.join(', ')}`)
  }
  const limit = values.limit === undefined ? 100 : Number(values.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || !/^\d+$/.test(values.limit ?? '100')) {
    throw new UsageError(`Invalid --limit ${values.limit}; give a whole number from 1 to 1000`)
  }
  if (values.before !== undefined && !UUID.test(values.before)) {
    throw new UsageError(`Invalid --before ${values.before}; give the id of the last job of the previous page`)
  }
  const jobs = (
    await listJobs(await ctx.db(), {
      state: values.state,
      queue: values.queue,
      limit,
      before: values.before,
      hideQueues: values.all ? [] : [QUEUES.retention],
    })
  ).map((job) => ({
    ...job,
    created_on: isoTimestamp(job.created_on),
    started_on: job.started_on && isoTimestamp(job.started_on),
    completed_on: job.completed_on && isoTimestamp(job.completed_on),
  }))
  if (values.json) {
    output.out(JSON.stringify(jobs))
    return 0
  }
  const text = jobs.map((j) => {
    const linkId = typeof j.data.linkId === 'string' ? j.data.linkId : undefined
    const error = j.state === 'failed' || j.state === 'retry' ? failureMessage(j.output) : undefined
    return `${j.id}  ${j.queue}  ${j.state}  retries ${j.retry_count}/${j.retry_limit}  created ${textTime(j.created_on)}  link ${linkId ?? '-'}${error ? `  error: ${error}` : ''}`
  })
  if (jobs.length === limit) text.push(`(more: add --before ${jobs[jobs.length - 1].id})`)
  if (text.length > 0) output.out(text.join('\n'))
  return 0
}

/** The reason a job failed, on one line: pg-boss keeps the handler's error (or fail()'s value) as output. */
function failureMessage(output: unknown): string | undefined {
  if (output === null || output === undefined) return undefined
  const message =
    typeof output === 'object' && typeof (output as { message?: unknown }).message === 'string'
      ? (output as { message: string }).message
      : typeof output === 'string'
        ? output
        : JSON.stringify(output)
  return message.replace(/\s+/g, ' ').trim()
}

const CLI_PAGE = { page: 1, pageSize: 1000 }

/** `ponte webhooks ...`: the API's webhook operations for operators. */
async function webhooksCommand(ctx: WebhookContext, command: Command, print: (json: unknown, text: () => string) => void, output: Output): Promise<number> {
  const { sub, arg, values } = command
  const actor = await cliOrganization(ctx, values['organization-id'])
  if (sub === 'create') {
    if (!values.url) throw new PonteError('required', { field: 'url' })
    const { endpoint, secret } = await createWebhookEndpoint(ctx, actor, { url: values.url, authorization: values.authorization })
    const wire = { ...webhookEndpointWire(endpoint), secret }
    print(wire, () =>
      [
        `webhook endpoint: ${wire.id}`,
        `url:              ${wire.url}`,
        `authorization:    ${wire.authorization ?? '(none)'}`,
        `signing secret:   ${secret}   (shown only this once)`,
        `organization:     ${actor.organizationId}`,
      ].join('\n'),
    )
  } else if (sub === 'list') {
    const endpoints = (await listWebhookEndpoints(ctx, actor, { conditions: [], page: CLI_PAGE })).rows.map(webhookEndpointWire)
    print(endpoints, () =>
      lines(
        endpoints,
        (e) =>
          `${e.id}  ${e.disabled ? 'DISABLED  ' : ''}${e.url}  types ${e.event_types?.join(',') ?? 'all'}  auth ${e.authorization ?? '-'}  created ${textTime(e.created_at)}`,
      ),
    )
  } else if (sub === 'delete' && arg) {
    await deleteWebhookEndpoint(ctx, actor, arg)
    output.out(`Deleted ${arg}.`)
  } else if (sub === 'deliveries' && arg) {
    const deliveries = (await listWebhookDeliveries(ctx, actor, arg, { conditions: [], page: CLI_PAGE })).rows.map(webhookDeliveryWire)
    print(deliveries, () =>
      lines(
        deliveries,
        (d) =>
          `${d.id}  ${d.status}  ${d.webhook_type}/${d.webhook_code}  event ${d.webhook_id}  attempts ${d.attempts}  last status ${d.last_status_code ?? '-'}  next ${d.next_attempt_at ? textTime(d.next_attempt_at) : '-'}  created ${textTime(d.created_at)}`,
      ),
    )
  } else if (sub === 'redeliver' && arg) {
    const delivery = webhookDeliveryWire(await redeliverWebhook(ctx, actor, arg))
    output.out(`Delivery ${delivery.id} is pending again, due ${delivery.next_attempt_at ? textTime(delivery.next_attempt_at) : 'now'}.`)
  } else {
    output.err(USAGE)
    return 2
  }
  return 0
}

/** What the domain's operations need, for the commands that run them (`sandbox clock`, `seed`). */
async function domainContext(ctx: CommandContext) {
  const { ConnectorRegistry } = await import('./connectors/registry.ts')
  return {
    db: await ctx.db(),
    clock: contextualClock(systemClock),
    cipher: await ctx.cipher(),
    jobs: await ctx.queue(),
    connectors: new ConnectorRegistry(),
    webhooks: { concurrency: 1, endpointConcurrency: 1, ...ctx.webhooks },
  }
}

/** `ponte sandbox clock ...`: the organization's sandbox clock (domain/sandbox-clock.ts), as the API's /sandbox/clock/. */
async function sandboxClockCommand(ctx: CommandContext, command: Command, print: (json: unknown, text: () => string) => void, output: Output): Promise<number> {
  const { arg: action = 'get', arg2, values } = command
  if (!['get', 'set', 'advance', 'reset'].includes(action) || ((action === 'set' || action === 'advance') && !arg2)) {
    output.err(USAGE)
    return 2
  }
  const clocks = await import('./domain/sandbox-clock.ts')
  const { underOrganizationIds } = await import('./domain/sandbox-seed.ts')
  const domain = await domainContext(ctx)
  const { organizationId } = await cliOrganization(domain, values['organization-id'])
  // What a move runs (refreshes, webhooks) draws its ids from the organization's seed, if it has
  // one, in a stream of the command line's own (docs/determinism.md).
  const clock = await underOrganizationIds(domain, organizationId, 'cli', () =>
    action === 'set'
      ? clocks.setClock(domain, organizationId, arg2!)
      : action === 'advance'
        ? clocks.advanceClock(domain, organizationId, arg2!)
        : action === 'reset'
          ? clocks.resetClock(domain, organizationId)
          : clocks.getClock(domain, organizationId),
  )
  print(clock, () => {
    const ran = Object.entries((clock as { ran?: Record<string, number> }).ran ?? {}).filter(([kind, n]) => kind !== 'steps' && n > 0)
    return [
      `now:    ${textTime(clock.now)} (${clock.pinned ? 'pinned' : "the server's clock"})`,
      ...(ran.length > 0 ? [`ran:    ${ran.map(([kind, n]) => `${kind} ${n}`).join(', ')}`] : []),
      `organization: ${organizationId}`,
    ].join('\n')
  })
  return 0
}

/** `ponte sandbox seed ...`: the organization's sandbox seed (domain/sandbox-seed.ts), as the API's /sandbox/seed/. */
async function sandboxSeedCommand(ctx: CommandContext, command: Command, print: (json: unknown, text: () => string) => void, output: Output): Promise<number> {
  const { arg: action = 'get', arg2, values } = command
  if (!['get', 'set', 'reset'].includes(action) || (action === 'set' && !arg2)) {
    output.err(USAGE)
    return 2
  }
  const seeds = await import('./domain/sandbox-seed.ts')
  const domain = { db: await ctx.db(), clock: systemClock }
  const { organizationId } = await cliOrganization({ ...domain, cipher: await ctx.cipher(), webhooks: ctx.webhooks }, values['organization-id'])
  const seed =
    action === 'set'
      ? await seeds.setSeed(domain, organizationId, arg2!)
      : action === 'reset'
        ? await seeds.resetSeed(domain, organizationId)
        : await seeds.getSeed(domain, organizationId)
  print(seed, () =>
    [seed.seed === null ? 'seed:   none (ids are random)' : `seed:   ${seed.seed} (set ${textTime(seed.updated_at!)})`, `organization: ${organizationId}`].join(
      '\n',
    ),
  )
  return 0
}

/** A fingerprint of the encryption key, written into snapshots: a load with another key is refused. */
function keyCheck(cipher: Cipher): string {
  return Buffer.from(cipher.deriveKey('snapshot key check', 16)).toString('base64url')
}

/** `ponte snapshot save|load FILE` (store/snapshot.ts, docs/snapshots.md). */
async function snapshotCommand(ctx: CommandContext, command: Command, output: Output): Promise<number> {
  const { sub, arg: file, values } = command
  if ((sub !== 'save' && sub !== 'load') || !file) {
    output.err(USAGE)
    return 2
  }
  const snapshots = await import('./store/snapshot.ts')
  const db = await ctx.db()
  const cipher = await ctx.cipher()
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0)
  const tablesWithRows = (counts: Record<string, number>) => Object.values(counts).filter((n) => n > 0).length
  try {
    if (sub === 'save') {
      const { organizationId } = await cliOrganization({ db, clock: systemClock, cipher, webhooks: ctx.webhooks }, values['organization-id'])
      const counts = await snapshots.saveSnapshot(db, file, organizationId, keyCheck(cipher))
      output.out(`Saved organization ${organizationId}: ${total(counts)} rows of ${tablesWithRows(counts)} tables to ${file}.`)
      return 0
    }
    const snapshot = await snapshots.openSnapshot(file)
    try {
      if (snapshot.header.key_check !== keyCheck(cipher)) {
        throw new snapshots.SnapshotRefusal(
          "The snapshot's credentials are sealed with another encryption key: load it where PONTE_ENCRYPTION_KEY is the key of the server that saved it (docs/snapshots.md).",
        )
      }
      const counts = await snapshots.loadSnapshot(db, snapshot, { replace: values.replace === true })
      output.out(`Loaded organization ${snapshot.header.organization_id}: ${total(counts)} rows of ${tablesWithRows(counts)} tables from ${file}.`)
    } finally {
      snapshot.close()
    }
    return 0
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') {
      output.err(`No such file: ${file}`)
      return 1
    }
    if ((error as { code?: string }).code === '23505') {
      output.err(`The snapshot's rows collide with rows of another organization in this database (${(error as Error).message}): load it into a fresh database.`)
      return 1
    }
    if (!(error instanceof snapshots.SnapshotRefusal)) throw error
    output.err(error.message)
    return 1
  }
}

/** A whole number from 1 to `max`, or a usage error naming the option. */
function countOption(values: Command['values'], option: 'links' | 'years' | 'accounts', max: number, fallback?: number): number {
  const text = values[option]
  if (text === undefined && fallback !== undefined) return fallback
  if (text === undefined) throw new UsageError(`seed needs --${option}`)
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new UsageError(`Invalid --${option} ${text}; give a whole number from 1 to ${max}`)
  return n
}

/** `ponte seed`: a large synthetic tenant (domain/seed.ts), with a progress bar and an ETA on standard error. */
async function seedCommand(ctx: CommandContext, command: Command, print: (json: unknown, text: () => string) => void, output: Output): Promise<number> {
  const { values } = command
  const { SEED_LIMITS, seedTenant } = await import('./domain/seed.ts')
  const options = {
    links: countOption(values, 'links', SEED_LIMITS.links),
    years: countOption(values, 'years', SEED_LIMITS.years),
    accounts: countOption(values, 'accounts', SEED_LIMITS.accounts, 3),
  }
  const domain = await domainContext(ctx)
  let key: { id: string; password: string } | undefined
  let organizationId: string
  if (values['organization-id'] !== undefined) {
    organizationId = (await cliOrganization(domain, values['organization-id'])).organizationId
  } else {
    const created = await createSecretKey(domain.db, { newOrganization: 'seed', name: 'seed' })
    key = { id: created.id, password: created.password }
    organizationId = created.organizationId
  }
  const started = performance.now()
  let lastLine = 0
  const result = await seedTenant(domain, { organizationId }, options, (p) => {
    const now = performance.now()
    const done = p.linksDone === p.links
    // A terminal gets a bar redrawn in place; a log or a pipe a line every few seconds.
    if (!done && now - lastLine < (output.status ? 200 : 5000)) return
    lastLine = now
    const line = seedProgressLine(p, (now - started) / 1000)
    if (output.status) output.status(done ? '' : line)
    else if (!done) output.err(line)
  })
  const seconds = (performance.now() - started) / 1000
  const summary = {
    organization_id: organizationId,
    links: result.links,
    transactions: result.rows,
    seconds: Math.round(seconds * 10) / 10,
    ...(key ? { key } : {}),
  }
  print(summary, () =>
    [
      `Seeded ${result.links.length} links with ${result.rows} transactions in ${seconds.toFixed(1)} s (${Math.round(result.rows / Math.max(seconds, 0.001))} rows/s).`,
      `organization:        ${organizationId}`,
      ...(key ? [`secret key id:       ${key.id}`, `secret key password: ${key.password}`] : []),
    ].join('\n'),
  )
  return 0
}

/** `[#######-------------]  35%  3/10 links  123456 rows  45000 rows/s  ETA 1m20s` */
export function seedProgressLine(p: { linksDone: number; links: number; rows: number; rowsPerLink?: number }, elapsedSeconds: number): string {
  const fraction = p.rowsPerLink ? Math.min(p.rows / (p.rowsPerLink * p.links), 1) : p.linksDone / p.links
  const width = 20
  const filled = Math.round(fraction * width)
  const rate = p.rows / Math.max(elapsedSeconds, 0.001)
  const eta = fraction > 0 ? (elapsedSeconds * (1 - fraction)) / fraction : undefined
  return [
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`,
    `${String(Math.floor(fraction * 100)).padStart(3)}%`,
    `${p.linksDone}/${p.links} links`,
    `${p.rows} rows`,
    `${Math.round(rate)} rows/s`,
    `ETA ${eta === undefined ? '--' : duration(eta)}`,
  ].join('  ')
}

function duration(seconds: number): string {
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

function lines<T>(rows: T[], line: (row: T) => string): string {
  return rows.map(line).join('\n')
}

/** Text output's one date format: ISO-8601 UTC to the second (`2026-12-06T05:37:00Z`). */
function textTime(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z')
}
