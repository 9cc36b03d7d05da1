import type { ResourceSpec } from './resource-spec.ts'

/**
 * Belvo's enrichment of a link's data (INVENTORY 3.2: incomes, recurring expenses, risk
 * insights), the enrichment family of the registry (registry.ts). Unlike the other families these
 * are not the institution's data: each spec fetches the link's transactions from the connector
 * (`connectorResource: 'TRANSACTIONS'`) and computes its records with `derive`, by the documented
 * methods of src/domain/enrichment/ (docs/enrichment.md).
 */

// Incomes.

// Recurring expenses.

// Risk insights.

/** The enrichment resources, in the order of Belvo's reference. */
export const ENRICHMENT_RESOURCES: readonly ResourceSpec[] = []
