import { Type } from 'typebox'
import type { InstitutionRecord } from '../connectors/types.ts'
import { PonteError } from '../lib/errors.ts'
import { ACCOUNT_FILTERS_OF_RECORDS, recurringExpenseRecords } from './enrichment/recurring-records.ts'
import { bodyDate, checkPeriod, MfaToken, recordResource, retrieveBody, type FetchRequest, type ResourceSpec } from './resource-spec.ts'

/**
 * Belvo's enrichment of a link's data (INVENTORY 3.2: incomes, recurring expenses, risk
 * insights), the enrichment family of the registry (registry.ts). Unlike the other families these
 * are not the institution's data: each spec fetches the link's transactions from the connector
 * (`connectorResource: 'TRANSACTIONS'`) and computes its records with `derive`, by the documented
 * methods of src/domain/enrichment/ (docs/enrichment.md).
 */

// Incomes.

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
export const ENRICHMENT_RESOURCES: readonly ResourceSpec[] = [RECURRING_EXPENSES]
