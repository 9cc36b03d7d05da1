import type { FilterField, Lookup } from '../lib/list-query.ts'
import type { ResourceSpec } from './resource-spec.ts'

/**
 * Belvo's Mexico fiscal resources (INVENTORY 3.2 and 3.3: invoices, tax returns, tax status, tax
 * compliance status, tax retentions and financial statements from the SAT, and the legacy tax
 * declarations), the Mexico fiscal family of the registry (registry.ts). The sandbox builds them
 * from one taxpayer per link (connectors/sandbox/fiscal/mexico-taxpayer.ts), so they agree with
 * each other.
 */

export const RANGE: Lookup[] = ['exact', 'gt', 'gte', 'lt', 'lte', 'range']

/** The filters every SAT list has: link, id and created_at. */
export const SAT_FILTERS: FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'link', source: { column: 'link_id' }, type: 'uuid', lookups: ['exact', 'in'], description: 'The link the data belongs to' },
  { param: 'created_at', type: 'datetime', lookups: RANGE },
]

/** What the SAT resources share: Mexico's multi-region shape, no accounts, stored as records. */
export const SAT = {
  shape: 'multiregion',
  country: 'MX',
  listNeedsLink: false,
  needsAccounts: false,
  deletable: true,
  rateLimitedDelete: false,
  wireFields: { link: true, account: 'none' },
} as const

/** A history window of a historical update: a year, as for banking. */
export const HISTORY_DAYS = 365

// Invoices and tax retentions (CFDI XML).

// Tax returns, legacy tax declarations and financial statements.

// Tax status and tax compliance status (PDF certificates).

/** The Mexico fiscal resources, in the order of Belvo's reference. */
export const FISCAL_MEXICO_RESOURCES: readonly ResourceSpec[] = []
