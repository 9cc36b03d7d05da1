import { parseArgs } from 'node:util'
import { loadConfig } from './config.ts'
import { createSecretKey, listSecretKeys, revokeSecretKey } from './domain/keys.ts'
import {
  cliOrganization, createWebhookEndpoint, deleteWebhookEndpoint, listWebhookDeliveries, listWebhookEndpoints, redeliverWebhook,
  webhookDeliveryWire, webhookEndpointWire, type WebhookContext,
} from './domain/webhooks.ts'
import { messageFor } from './http/messages.ts'
import { systemClock } from './lib/clock.ts'
import { PonteError } from './lib/errors.ts'
import { migrateDatabase, openCipher, openStore, serve, StartupRefusal, work } from './main.ts'
import { listJobs, retryJob } from './jobs/admin.ts'
import { openQueue } from './jobs/queue.ts'
import { DataDirInUseError } from './store/data-dir-lock.ts'

const USAGE = `Usage: ponte <command>

Commands:
  serve                      Start the API server (default), with an inline worker unless PONTE_WORKER=off
  worker                     Run background jobs and webhook deliveries only (any number of processes)
  migrate                    Apply database migrations and exit
  keys create [--json] [--organization NAME]
                             Create a secret key (in a new organization NAME when given)
  keys list [--json]         List secret keys (ids only; passwords are never stored)
  keys revoke ID             Revoke a secret key
  jobs list [--state STATE] [--json]
                             Background jobs, newest first (states: created, retry, active, completed, failed)
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

Configuration comes from environment variables; see README.md.`

export async function main(argv: string[]): Promise<void> {
  try {
    await run(argv)
  } catch (error) {
    // An operator's situation, not a bug: one line, no stack trace. The CLI cannot ask the running
    // server instead: that would need a secret key, which is what `keys create` is for.
    if (!(error instanceof DataDirInUseError || error instanceof StartupRefusal)) throw error
    console.error(error.message)
    process.exitCode = 1
  }
}

async function run(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      json: { type: 'boolean', default: false }, organization: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      url: { type: 'string' }, authorization: { type: 'string' }, 'organization-id': { type: 'string' }, state: { type: 'string' },
    },
  })
  const [command = 'serve', sub, arg] = positionals
  if (values.help || command === 'help') return void console.log(USAGE)
  const config = loadConfig()

  if (command === 'serve') return serve(config)
  if (command === 'worker') return work(config)
  if (command === 'migrate') {
    await migrateDatabase(config)
    return void console.log('Database is up to date.')
  }

  const db = await openStore(config)
  try {
    if (command === 'keys' && sub === 'create') {
      const key = await createSecretKey(db, { newOrganization: values.organization })
      if (values.json) console.log(JSON.stringify({ id: key.id, password: key.password, organization_id: key.organizationId }))
      else console.log(`secret key id:       ${key.id}\nsecret key password: ${key.password}\norganization:        ${key.organizationId}`)
    } else if (command === 'keys' && sub === 'list') {
      const keys = (await listSecretKeys(db)).map((k) => ({ id: k.id, organization_id: k.organization_id, name: k.name, created_at: k.created_at, revoked_at: k.revoked_at }))
      if (values.json) console.log(JSON.stringify(keys))
      else for (const k of keys) console.log(`${k.id}  org ${k.organization_id}  created ${k.created_at}${k.revoked_at ? `  REVOKED ${k.revoked_at}` : ''}`)
    } else if (command === 'keys' && sub === 'revoke' && arg) {
      if (!(await revokeSecretKey(db, arg))) {
        console.error(`No active secret key with id ${arg}.`)
        process.exitCode = 1
      } else console.log(`Revoked ${arg}.`)
    } else if (command === 'jobs' && sub === 'list') {
      const jobs = await listJobs(db, { state: values.state })
      if (values.json) console.log(JSON.stringify(jobs))
      else for (const j of jobs) console.log(`${j.id}  ${j.queue}  ${j.state}  retries ${j.retry_count}/${j.retry_limit}  created ${j.created_on}`)
    } else if (command === 'jobs' && sub === 'retry' && arg) {
      const queue = await openQueue(db)
      try {
        if (await retryJob(db, queue, arg)) console.log(`Job ${arg} is queued again.`)
        else {
          console.error(`No failed job with id ${arg}.`)
          process.exitCode = 1
        }
      } finally {
        await queue.stop()
      }
    } else if (command === 'webhooks') {
      await webhooksCommand({ db, clock: systemClock, cipher: await openCipher(db, config) }, sub, arg, values)
    } else {
      console.error(USAGE)
      process.exitCode = 2
    }
  } finally {
    await db.close()
  }
}

interface WebhookOptions {
  json?: boolean
  url?: string
  authorization?: string
  'organization-id'?: string
}

const CLI_PAGE = { page: 1, pageSize: 1000 }

/** `ponte webhooks ...`: the API's webhook operations for operators, on the configured database. */
async function webhooksCommand(ctx: WebhookContext, sub: string | undefined, arg: string | undefined, values: WebhookOptions): Promise<void> {
  const print = (json: unknown, text: () => string) => console.log(values.json ? JSON.stringify(json) : text())
  try {
    const actor = await cliOrganization(ctx, values['organization-id'])
    if (sub === 'create') {
      if (!values.url) throw new PonteError('required', { field: 'url' })
      const { endpoint, secret } = await createWebhookEndpoint(ctx, actor, { url: values.url, authorization: values.authorization })
      const wire = { ...webhookEndpointWire(endpoint), secret }
      print(wire, () => [
        `webhook endpoint: ${wire.id}`,
        `url:              ${wire.url}`,
        `authorization:    ${wire.authorization ?? '(none)'}`,
        `signing secret:   ${secret}   (shown only this once)`,
        `organization:     ${actor.organizationId}`,
      ].join('\n'))
    } else if (sub === 'list') {
      const endpoints = (await listWebhookEndpoints(ctx, actor, [], CLI_PAGE)).rows.map(webhookEndpointWire)
      print(endpoints, () => endpoints.map((e) =>
        `${e.id}  ${e.disabled ? 'DISABLED  ' : ''}${e.url}  types ${e.event_types?.join(',') ?? 'all'}  auth ${e.authorization ?? '-'}  created ${e.created_at}`).join('\n'))
    } else if (sub === 'delete' && arg) {
      await deleteWebhookEndpoint(ctx, actor, arg)
      console.log(`Deleted ${arg}.`)
    } else if (sub === 'deliveries' && arg) {
      const deliveries = (await listWebhookDeliveries(ctx, actor, arg, [], CLI_PAGE)).rows.map(webhookDeliveryWire)
      print(deliveries, () => deliveries.map((d) =>
        `${d.id}  ${d.status}  ${d.webhook_type}/${d.webhook_code}  event ${d.webhook_id}  attempts ${d.attempts}  last status ${d.last_status_code ?? '-'}  next ${d.next_attempt_at ?? '-'}  created ${d.created_at}`).join('\n'))
    } else if (sub === 'redeliver' && arg) {
      const delivery = webhookDeliveryWire(await redeliverWebhook(ctx, actor, arg))
      console.log(`Delivery ${delivery.id} is pending again, due ${delivery.next_attempt_at}.`)
    } else {
      console.error(USAGE)
      process.exitCode = 2
    }
  } catch (error) {
    if (!(error instanceof PonteError)) throw error
    const message = error.fixedMessage ?? messageFor(error.code, 'en', error.params, error.variant)
    console.error(`${error.field ? `${error.field}: ` : ''}${message}${error.code === 'not_found' && arg ? `: ${arg}` : ''}`)
    process.exitCode = 1
  }
}
