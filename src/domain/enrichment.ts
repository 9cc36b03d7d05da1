import { Type } from 'typebox'
import type { InstitutionRecord } from '../connectors/types.ts'
import { PonteError } from '../lib/errors.ts'
import type { FilterField } from '../lib/list-query.ts'
import { accountCategoriesOf, toEnrichTransactions } from './enrichment/adapters.ts'
import { CONFIDENCE_LEVELS, findIncomeStreams, INCOME_TYPES, incomeBody, summarizeIncomes, type Confidence, type IncomeType } from './enrichment/incomes.ts'
import { ACCOUNT_FILTERS_OF_RECORDS, recurringExpenseRecords } from './enrichment/recurring-records.ts'
import { bodyDate, checkPeriod, MfaToken, optionalField, recordResource, retrieveBody, type FetchRequest, type ResourceSpec } from './resource-spec.ts'

/**
 * Belvo's enrichment of a link's data (INVENTORY 3.2: incomes, recurring expenses, risk
 * insights), the enrichment family of the registry (registry.ts). Unlike the other families these
 * are not the institution's data: each spec fetches the link's transactions from the connector
 * (`connectorResource: 'TRANSACTIONS'`) and computes its records with `derive`, by the documented
 * methods of src/domain/enrichment/ (docs/enrichment.md).
 */

// Incomes.

/** Belvo's incomes period: both dates or neither, at least 90 days apart, at most 365 (INVENTORY 4.4, `InvalidPeriodError`). */
const INCOME_MIN_DAYS = 90
const INCOME_MAX_DAYS = 365

/** The period an incomes request analyses, validated as Belvo does; a year back from today by default. */
export function incomePeriod(today: string, request: Record<string, unknown>): { dateFrom: string; dateTo: string } {
  // Each date's own checks (format, not in the future, in order) first.
  const period = checkPeriod(today, request, { required: false, defaultDays: INCOME_MAX_DAYS })
  const given = (field: string) => request[field] !== undefined && request[field] !== null
  // "When you use this parameter, you must also send date_to" (and the other way round).
  if (given('date_from') !== given('date_to')) throw new PonteError('required', { field: given('date_from') ? 'date_to' : 'date_from' })
  const days = (Date.parse(period.dateTo) - Date.parse(period.dateFrom)) / 86_400_000
  if (days < INCOME_MIN_DAYS) throw new PonteError('invalid_period')
  if (days > INCOME_MAX_DAYS) {
    throw new PonteError('invalid', { field: 'date_from', params: { detail: `date_from must be at most ${INCOME_MAX_DAYS} days before date_to.` } })
  }
  return period
}

/** The request's income filters, as findIncomeStreams takes them (the body schema checked their values). */
export function incomeFilters(request: Record<string, unknown>): { allowedIncomeTypes?: IncomeType[]; minimumConfidence?: Confidence } {
  const types = request.allowed_income_types as IncomeType[] | null | undefined
  const minimum = request.minimum_confidence_level as Confidence | null | undefined
  return { ...(types && types.length > 0 ? { allowedIncomeTypes: types } : {}), ...(minimum ? { minimumConfidence: minimum } : {}) }
}

/**
 * The link's Income (Belvo `Income`), computed from all its transactions of the period by the
 * income method (enrichment/incomes.ts). One per link and request: its institution id names the
 * period and the filters, so the same request again updates it in place. Streams name Ponte's
 * account ids; the row's account is the one that receives the most income (the `account` filter).
 */
function deriveIncome(records: InstitutionRecord[], { request, accounts, today }: FetchRequest): InstitutionRecord[] {
  const period = incomePeriod(today, request)
  const filters = incomeFilters(request)
  // Open Finance Brasil's records carry a `counterparty` (null or not); the multi-region ones never do.
  const shape = records.some((record) => 'counterparty' in record) ? 'ofda' : 'multiregion'
  const txs = toEnrichTransactions(records, shape, accountCategoriesOf(accounts))
  const options = { today, ...period, ...filters }
  const summary = summarizeIncomes(findIncomeStreams(txs, options), txs, options)
  const received = new Map<string, number>()
  for (const stream of summary.streams) received.set(stream.accountId, (received.get(stream.accountId) ?? 0) + stream.totalCents)
  const main = [...received].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
  const key = [period.dateFrom, period.dateTo, [...(filters.allowedIncomeTypes ?? [])].sort().join('+') || 'ALL', filters.minimumConfidence ?? 'LOW'].join('/')
  return [
    {
      internal_identification: `incomes/${key}`,
      account_internal_identification: main,
      ...incomeBody(summary, (internalId) => accounts.get(internalId)?.id ?? internalId),
    },
  ]
}

const INCOME_FILTERS: FilterField[] = [
  { param: 'link', source: { column: 'link_id' }, type: 'uuid', lookups: ['exact', 'in'], description: 'The link the incomes were computed for' },
  { param: 'account', source: { column: 'account_id' }, type: 'uuid', lookups: ['exact', 'in'], description: 'The account that receives the most income' },
]

/** A link's income streams and their aggregates (Belvo `Income`): POST answers one object. */
export const INCOMES = recordResource({
  name: 'incomes',
  path: '/api/incomes/',
  answer: 'single',
  tag: 'Incomes',
  institutionResource: 'INCOMES',
  recordKey: 'INCOMES',
  wireFields: { link: true, account: 'none' },
  body: retrieveBody({
    allowed_income_types: optionalField(
      Type.Array(Type.Union(INCOME_TYPES.map((type) => Type.Literal(type))), { description: 'Only income streams of these types.' }),
    ),
    minimum_confidence_level: optionalField(
      Type.Union(
        CONFIDENCE_LEVELS.map((level) => Type.Literal(level)),
        { description: 'Only income streams at least this confident.' },
      ),
    ),
    date_from: Type.Optional(bodyDate('First day analysed, at least 90 days before date_to; a year before today by default')),
    date_to: Type.Optional(bodyDate('Last day analysed; today by default')),
    token: MfaToken,
  }),
  items: { ofda: ['Income'], multiregion: ['Income'] },
  operationIds: { retrieve: 'RetrieveIncome', resume: 'PatchIncomes', list: 'ListIncomes', detail: 'DetailIncome', delete: 'DestroyIncomes' },
  filters: INCOME_FILTERS,
  listNeedsLink: false,
  needsAccounts: true,
  deletable: true,
  rateLimitedDelete: false,
  async: false,
  // The period key and the main account only tie the record to the institution's data.
  linkingFields: ['internal_identification', 'account_internal_identification'],
  background: { fetchResource: 'INCOMES', historyDays: INCOME_MAX_DAYS, summary: 'count' },
  connectorResource: 'TRANSACTIONS',
  fetchParams: ({ request, today }) => ({ period: incomePeriod(today, request) }),
  derive: deriveIncome,
  toRow: (record, accounts, plain) => ({
    accountId: accounts.get(String(record.account_internal_identification))?.id ?? null,
    recordDate: null,
    kind: null,
    prefix: {},
    body: plain,
  }),
})

// Recurring expenses.

/**
 * `/api/recurring-expenses/` (INVENTORY 3.2, 4.4): the link's transactions over `date_from` to
 * `date_to` (both or neither, within the last 365 days; a year back from today by default), and
 * the recurring expenses found in them (enrichment/recurring.ts, in Belvo's shape by
 * enrichment/recurring-belvo.ts).
 */
export const RECURRING_EXPENSES = recordResource({
  name: 'recurring-expenses',
  path: '/api/recurring-expenses/',
  answer: 'list',
  tag: 'Recurring Expenses',
  institutionResource: 'RECURRING_EXPENSES',
  recordKey: 'RECURRING_EXPENSES',
  wireFields: { link: false, account: 'object' },
  body: retrieveBody({
    token: MfaToken,
    date_from: Type.Optional(bodyDate('First day of the transactions to look at, within the last 365 days; with date_to')),
    date_to: Type.Optional(bodyDate('Last day of the transactions to look at, not in the future; with date_from')),
  }),
  items: { ofda: ['RecurringExpenses'], multiregion: ['RecurringExpenses'] },
  operationIds: {
    retrieve: 'RetrieveRecurringExpenses',
    resume: 'PatchRecurringExpenses',
    list: 'ListRecurringExpenses',
    detail: 'DetailRecurringExpense',
    delete: 'DestroyRecurringExpense',
  },
  filters: ACCOUNT_FILTERS_OF_RECORDS,
  async: false,
  listNeedsLink: false,
  needsAccounts: true,
  deletable: true,
  rateLimitedDelete: false,
  linkingFields: ['internal_identification', 'account_internal_identification'],
  background: { fetchResource: 'RECURRING_EXPENSES', historyDays: 365, summary: 'count' },
  connectorResource: 'TRANSACTIONS',
  fetchParams: (args) => ({ period: recurringPeriod(args) }),
  derive: (records: InstitutionRecord[], request: FetchRequest) => recurringExpenseRecords(records, request),
  toRow: (record, accounts, plain) => {
    const account = accounts.get(String(record.account_internal_identification))
    return { accountId: account?.id ?? null, recordDate: null, kind: null, prefix: { account: account?.wire ?? null }, body: plain }
  },
})

/** Belvo's period of a recurring expenses request: both dates or neither, within the last 365 days. */
function recurringPeriod(args: FetchRequest) {
  // Formats, order and future dates first, as Belvo checks each date on its own before the pair.
  const period = checkPeriod(args.today, args.request, { required: false, defaultDays: 365 })
  const { date_from: from, date_to: to } = args.request
  if (from !== undefined && from !== null && (to === undefined || to === null)) throw new PonteError('required', { field: 'date_to' })
  if (to !== undefined && to !== null && (from === undefined || from === null)) throw new PonteError('required', { field: 'date_from' })
  const earliest = new Date(Date.parse(args.today) - 365 * 86_400_000).toISOString().slice(0, 10)
  if (period.dateFrom < earliest) {
    throw new PonteError('invalid', { field: 'date_from', params: { detail: `date_from must be within the last 365 days (on or after ${earliest}).` } })
  }
  return period
}

// Risk insights.

/** The enrichment resources, in the order of Belvo's reference. */
export const ENRICHMENT_RESOURCES: readonly ResourceSpec[] = [INCOMES, RECURRING_EXPENSES]
