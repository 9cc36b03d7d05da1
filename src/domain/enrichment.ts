import type { InstitutionRecord } from '../connectors/types.ts'
import { computeRiskInsights } from './enrichment/risk.ts'
import { accountCategoriesOf, toEnrichTransactions } from './enrichment/adapters.ts'
import { categorize } from './enrichment/categorize.ts'
import { MfaToken, recordResource, retrieveBody, type FetchRequest, type ResourceSpec, type WireShape } from './resource-spec.ts'

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

// Risk insights reach 12 months back, and their trends compare each window with the one before.
const RISK_HISTORY_DAYS = 2 * 365 + 1

/**
 * The wire shape the connector answered in. The derive hook is not told it; Open Finance Brasil's
 * transactions (`TransactionOpenFinanceBrazil`) are the ones that carry `operation_type`.
 */
function shapeOf(records: readonly InstitutionRecord[]): WireShape {
  return records.some((record) => 'operation_type' in record) ? 'ofda' : 'multiregion'
}

/** The link's risk insights from all its accounts and the transactions of the last two years. */
function deriveRiskInsights(records: InstitutionRecord[], { accounts, today }: FetchRequest): InstitutionRecord[] {
  const { insights } = computeRiskInsights(
    toEnrichTransactions(records, shapeOf(records), accountCategoriesOf(accounts)),
    // In the institution's order of ids: the same whether the accounts were just fetched or stored.
    [...accounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([internalId, account]) => ({ internalId, wire: account.wire })),
    { today, categorize: (tx) => categorize(tx) },
  )
  // One per link and day: retrieving again the same day updates it in place.
  return [{ internal_identification: `risk-insights/${today}`, ...insights }]
}

/** Belvo `RiskInsights`: balances, cash flow, credit and loan usage of the link (docs/enrichment.md). */
export const RISK_INSIGHTS = recordResource({
  name: 'risk-insights',
  path: '/api/risk-insights/',
  answer: 'single',
  tag: 'Risk Insights',
  institutionResource: 'RISK_INSIGHTS',
  recordKey: 'RISK_INSIGHTS',
  wireFields: { link: true, account: 'none' },
  body: retrieveBody({ token: MfaToken }),
  items: { ofda: ['RiskInsights'], multiregion: ['RiskInsights'] },
  operationIds: {
    retrieve: 'RetrieveRiskInsights',
    resume: 'PatchRiskInsights',
    list: 'ListRiskInsights',
    detail: 'DetailRiskInsights',
    delete: 'DestroyRiskInsights',
  },
  filters: [
    { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
    { param: 'link', source: { column: 'link_id' }, type: 'uuid', lookups: ['exact', 'in'], description: 'The link the data belongs to' },
    // The insights cover several accounts: `account` matches those whose `accounts` name it.
    { param: 'account', source: { body: 'accounts' }, type: 'uuid', lookups: ['exact', 'in'], array: true, description: 'An account the insights cover' },
  ],
  listNeedsLink: false,
  needsAccounts: true,
  deletable: true,
  rateLimitedDelete: false,
  async: false,
  linkingFields: ['internal_identification'],
  background: { fetchResource: 'RISK_INSIGHTS', historyDays: 365, summary: 'count' },
  connectorResource: 'TRANSACTIONS',
  fetchParams: ({ today }) => ({
    period: { dateFrom: new Date(Date.parse(today) - RISK_HISTORY_DAYS * 86_400_000).toISOString().slice(0, 10), dateTo: today },
  }),
  derive: deriveRiskInsights,
  toRow: (_record, _accounts, plain) => ({ accountId: null, recordDate: null, kind: null, prefix: {}, body: plain }),
})

/** The enrichment resources, in the order of Belvo's reference. */
export const ENRICHMENT_RESOURCES: readonly ResourceSpec[] = [RISK_INSIGHTS]
