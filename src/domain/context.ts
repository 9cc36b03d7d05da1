import type { ConnectorRegistry } from '../connectors/registry.ts'
import type { WebhookSettings } from '../jobs/dispatcher.ts'
import type { JobQueue } from '../jobs/queue.ts'
import type { Clock } from '../lib/clock.ts'
import type { Cipher } from '../lib/crypto.ts'
import type { Db } from '../store/db.ts'

/** What domain operations need; built once per process (app.ts) and passed in explicitly. */
export interface DomainContext {
  db: Db
  clock: Clock
  cipher: Cipher
  connectors: ConnectorRegistry
  jobs: JobQueue
  /** From config.ts webhookSettings: where webhooks may go, and how many attempts run at once. */
  webhooks: WebhookSettings
}

/** The caller: every query is scoped to its organization. */
export interface Actor {
  organizationId: string
}
