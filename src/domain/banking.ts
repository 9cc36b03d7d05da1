import type { InstitutionRecord, Period } from '../connectors/types.ts'
import { PonteError } from '../lib/errors.ts'
import { CURRENCY_FORMAT, EMAIL_FORMAT, INSTITUTION_FORMAT, type FilterField, type Lookup } from '../lib/list-query.ts'
import { ACCOUNT_WIRE, recordWire, TRANSACTION_WIRE } from '../store/resources.ts'
import { checkPeriod, type AccountIndex, type ChildResource, type EmbeddedRecord, type FetchArgs, type ResourceSpec } from './resources.ts'

/**
 * Belvo's banking resources (INVENTORY 3.2 and 3.3): where each is stored, what it filters on,
 * and how it asks the institution. Brazil institutions answer with the Open Finance shapes,
 * Mexico and Colombia with the multi-region ones (the connector chooses); the `br/` paths exist
 * for the former and the legacy paths only for the latter.
 */

const RANGE: Lookup[] = ['exact', 'gt', 'gte', 'lt', 'lte', 'range']
const NUMBER: Lookup[] = ['exact', 'gt', 'gte', 'lt', 'lte', 'range']

const COMMON: FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'link', source: { column: 'link_id' }, type: 'uuid', lookups: ['exact', 'in'], description: 'The link the data belongs to' },
  { param: 'created_at', type: 'datetime', lookups: RANGE },
  { param: 'collected_at', type: 'datetime', lookups: RANGE },
]

/** The institution of the row's link, for filters that reach across. */
const INSTITUTION: FilterField = { param: 'institution', source: { link: 'institution' }, type: 'text', lookups: ['exact', 'in'], format: INSTITUTION_FORMAT }

const ACCOUNT_FILTERS: FilterField[] = [
  ...COMMON,
  { param: 'balance__available', source: { column: 'balance_available' }, type: 'number', lookups: NUMBER },
  { param: 'balance__current', source: { column: 'balance_current' }, type: 'number', lookups: NUMBER },
  { param: 'category', type: 'text', lookups: ['exact', 'in'] },
  { param: 'currency', type: 'text', lookups: ['exact', 'in'], format: CURRENCY_FORMAT },
  INSTITUTION,
  { param: 'name', type: 'text', lookups: ['exact', 'icontains'], minLength: 3 },
  { param: 'number', type: 'text', lookups: ['exact', 'in'] },
  { param: 'public_identification_name', type: 'text', lookups: ['exact'] },
  { param: 'public_identification_value', type: 'text', lookups: ['exact'] },
  { param: 'type', type: 'text', lookups: ['exact', 'in'] },
]

const TRANSACTION_FILTERS: FilterField[] = [
  ...COMMON,
  { param: 'account', source: { column: 'account_id' }, type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'account__balance__available', source: { account: 'balance_available' }, type: 'number', lookups: NUMBER },
  { param: 'account__balance__current', source: { account: 'balance_current' }, type: 'number', lookups: NUMBER },
  { param: 'account_type', source: { account: 'type' }, type: 'text', lookups: ['exact', 'in'] },
  { param: 'accounting_date', type: 'datetime', lookups: RANGE },
  { param: 'amount', type: 'number', lookups: NUMBER },
  { param: 'currency', type: 'text', lookups: ['exact', 'in'], format: CURRENCY_FORMAT },
  { param: 'credit_card_data__bill_name', source: { column: 'bill_name' }, type: 'text', lookups: ['exact', 'in'] },
  { param: 'reference', type: 'text', lookups: ['exact', 'in'] },
  { param: 'status', type: 'text', lookups: ['exact', 'in'], choices: ['PENDING', 'PROCESSED', 'UNCATEGORIZED'] },
  { param: 'type', type: 'text', lookups: ['exact', 'in'], choices: ['INFLOW', 'OUTFLOW'] },
  { param: 'value_date', type: 'date', lookups: RANGE },
]

const RECORD_FILTERS = (extra: FilterField[] = []): FilterField[] => [
  ...COMMON,
  { param: 'account', source: { column: 'account_id' }, type: 'uuid', lookups: ['exact', 'in'] },
  ...extra,
]

const BALANCE_FILTERS = RECORD_FILTERS([
  { param: 'value_date', source: { column: 'record_date' }, type: 'date', lookups: RANGE },
  { param: 'balance', source: { body: 'balance' }, type: 'number', lookups: NUMBER },
  // On the account the balance embeds.
  { param: 'currency', source: { account: 'currency' }, type: 'text', lookups: ['exact', 'in'], format: CURRENCY_FORMAT },
  { param: 'account__type', source: { account: 'type' }, type: 'text', lookups: ['exact', 'in'] },
  INSTITUTION,
])

const OWNER_FILTERS = RECORD_FILTERS([
  { param: 'email', source: { body: 'email' }, type: 'text', lookups: ['exact'], format: EMAIL_FORMAT },
  { param: 'display_name', source: { body: 'display_name' }, type: 'text', lookups: ['exact', 'icontains'], minLength: 3 },
])

const BILL_FILTERS = RECORD_FILTERS([{ param: 'due_date', source: { column: 'record_date' }, type: 'date', lookups: RANGE }])

/** Investments and their transactions, by the `type` kept in the record's `kind`. */
const KIND_FILTERS = RECORD_FILTERS([{ param: 'type', source: { column: 'kind' }, type: 'text', lookups: ['exact', 'in'] }])

/** Ponte's account id in a request body, translated to the institution's own id. */
function accountInternalId(accounts: AccountIndex, id: unknown, field: string): string | undefined {
  if (id === undefined || id === null || id === '') return undefined
  for (const [internalId, account] of accounts) if (account.id === id) return internalId
  throw new PonteError('does_not_exist', { field, variant: 'id', params: { value: String(id) } })
}

function accountOf(accounts: AccountIndex, record: InstitutionRecord) {
  return accounts.get(String(record.account_internal_identification))
}

function period(args: FetchArgs, required: boolean, defaultDays = 365): Period {
  return checkPeriod(args.session.today, args.request, { required, defaultDays })
}

/** A resource kept in `records`: its wire query follows from its key and wire fields. */
function recordResource(spec: Omit<ResourceSpec, 'storage' | 'wire'> & { recordKey: string; wireFields: { link: boolean; account: 'object' | 'none' } }): ResourceSpec {
  return { ...spec, storage: 'records', wire: recordWire(spec.recordKey, spec.wireFields) }
}

/**
 * The record without the keys that only tie it to other records at the institution (and, where
 * the wire schema has no such field, its own `internal_identification`): wire bodies carry Belvo's
 * fields only (`Exchange`, for one, allows no others).
 */
function plain(record: InstitutionRecord, omit: readonly string[] = ['account_internal_identification']): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !omit.includes(key)))
}
const LINKING = ['internal_identification', 'account_internal_identification']

export const ACCOUNTS: ResourceSpec = {
  name: 'accounts', institutionResource: 'ACCOUNTS', storage: 'accounts', wire: ACCOUNT_WIRE,
  filters: ACCOUNT_FILTERS, listNeedsLink: false, needsAccounts: false, deletable: true, rateLimitedDelete: true,
  fetch: ({ connector, session }) => connector.accounts(session),
}

type Json = Record<string, unknown>

/** A Brazilian card transaction names the closed bill it appears on (`credit_card_data.credit_card_bill`). */
const CARD_BILL: EmbeddedRecord = {
  recordKey: 'BILLS',
  internalId: (record) => ((record.credit_card_data as Json | null)?.credit_card_bill as Json | null)?.internal_identification as string | undefined,
  withId: (record, id) => {
    const card = record.credit_card_data as Json
    return { ...record, credit_card_data: { ...card, credit_card_bill: { id, ...(card.credit_card_bill as Json) } } }
  },
}

export const TRANSACTIONS: ResourceSpec = {
  name: 'transactions', institutionResource: 'TRANSACTIONS', storage: 'transactions', wire: TRANSACTION_WIRE,
  filters: TRANSACTION_FILTERS, listNeedsLink: true, needsAccounts: true, deletable: true, rateLimitedDelete: true, asyncAllowed: true,
  fetch: (args) => args.connector.transactions(args.session, period(args, true), accountInternalId(args.accounts, args.request.account, 'account')),
  embeds: CARD_BILL,
}

export const BALANCES_BR = recordResource({
  name: 'br/balances', institutionResource: 'BALANCES', recordKey: 'BALANCES', shape: 'ofda', wireFields: { link: true, account: 'none' },
  filters: RECORD_FILTERS(), listNeedsLink: true,
  needsAccounts: true, deletable: false,
  fetch: (args) => args.connector.balances(args.session, undefined, accountInternalId(args.accounts, args.request.account_id, 'account_id')),
  toRow: (record, accounts) => {
    const account = accountOf(accounts, record)
    return { accountId: account?.id ?? null, recordDate: null, kind: null, prefix: {}, body: { account_id: account?.id ?? null, ...plain(record, ['internal_identification']) } }
  },
})

export const BALANCES_LEGACY = recordResource({
  name: 'balances', institutionResource: 'BALANCES', recordKey: 'DAILY_BALANCES', shape: 'multiregion', wireFields: { link: false, account: 'object' },
  filters: BALANCE_FILTERS,
  listNeedsLink: false,
  needsAccounts: true, deletable: true,
  fetch: (args) => args.connector.balances(args.session, period(args, true), accountInternalId(args.accounts, args.request.account, 'account')),
  toRow: (record, accounts) => {
    const account = accountOf(accounts, record)
    return { accountId: account?.id ?? null, recordDate: (record.value_date as string) ?? null, kind: null, prefix: { account: account?.wire ?? null }, body: plain(record, LINKING) }
  },
})

export const OWNERS = recordResource({
  name: 'owners', institutionResource: 'OWNERS', recordKey: 'OWNERS', wireFields: { link: true, account: 'none' },
  filters: OWNER_FILTERS,
  listNeedsLink: false, needsAccounts: false, deletable: true,
  fetch: ({ connector, session }) => connector.owners(session),
  toRow: (record) => ({ accountId: null, recordDate: null, kind: null, prefix: {}, body: plain(record) }),
})

export const BILLS = recordResource({
  name: 'bills', institutionResource: 'BILLS', recordKey: 'BILLS', shape: 'ofda', wireFields: { link: false, account: 'object' },
  filters: BILL_FILTERS, listNeedsLink: true,
  needsAccounts: true, deletable: true,
  fetch: ({ connector, session }) => connector.bills(session),
  toRow: (record, accounts) => {
    const account = accountOf(accounts, record)
    return { accountId: account?.id ?? null, recordDate: (record.due_date as string) ?? null, kind: null, prefix: { account: account?.wire ?? null }, body: plain(record) }
  },
})

export const INVESTMENTS_BR = recordResource({
  name: 'br/investments', institutionResource: 'INVESTMENTS', recordKey: 'INVESTMENTS', shape: 'ofda', wireFields: { link: false, account: 'none' },
  filters: KIND_FILTERS, listNeedsLink: true,
  needsAccounts: false, deletable: true,
  fetch: ({ connector, session }) => connector.investments(session),
  toRow: (record) => ({ accountId: null, recordDate: null, kind: (record.type as string) ?? null, prefix: {}, body: plain(record, ['internal_identification']) }),
})

export const INVESTMENT_TRANSACTIONS_BR = recordResource({
  name: 'br/investment-transactions', institutionResource: 'INVESTMENT_TRANSACTIONS', recordKey: 'INVESTMENT_TRANSACTIONS', shape: 'ofda', wireFields: { link: true, account: 'none' },
  filters: KIND_FILTERS, listNeedsLink: true,
  needsAccounts: false, deletable: true,
  fetch: (args) => args.connector.investmentTransactions(args.session, period(args, false)),
  embeds: {
    recordKey: 'INVESTMENTS',
    internalId: (record) => record.investment_internal_identification as string | undefined,
    withId: (record, id) => ({ ...record, investment: { id, ...(record.investment as Json) } }),
  },
  toRow: (record) => ({ accountId: null, recordDate: (record.value_date as string) ?? null, kind: (record.type as string) ?? null, prefix: {}, body: plain(record, ['investment_internal_identification']) }),
})

/**
 * An exchange operation's history (Belvo `ExchangeHistory`, the operation's events at Bacen):
 * fetched for the operations a retrieval stores, kept under their exchange (`exchange_id`), listed
 * oldest event first at `/api/br/exchanges/{id}/history/`.
 */
export const EXCHANGE_HISTORY: ChildResource = {
  path: 'history', recordKey: 'EXCHANGE_HISTORY',
  wire: { ...recordWire('EXCHANGE_HISTORY', { link: true, account: 'none' }), orderBy: "(r.body::json->>'event_created_at'), r.id" },
  fetch: ({ connector, session }, exchangeIds) => connector.exchangeHistory(session, exchangeIds),
  parentOf: (record) => String(record.exchange_internal_identification),
  toRow: (record, exchangeId) => ({
    recordDate: typeof record.event_created_at === 'string' ? record.event_created_at.slice(0, 10) : null,
    kind: record.event_type === undefined || record.event_type === null ? null : String(record.event_type),
    body: { exchange_id: exchangeId, ...plain(record, ['internal_identification', 'exchange_internal_identification']) },
  }),
}

export const EXCHANGES_BR = recordResource({
  name: 'br/exchanges', institutionResource: 'EXCHANGES', recordKey: 'EXCHANGES', shape: 'ofda', wireFields: { link: true, account: 'none' },
  filters: RECORD_FILTERS(), listNeedsLink: true,
  needsAccounts: false, deletable: true,
  fetch: (args) => args.connector.exchanges(args.session, period(args, false)),
  toRow: (record) => ({ accountId: null, recordDate: null, kind: null, prefix: {}, body: plain(record, ['internal_identification']) }),
  children: EXCHANGE_HISTORY,
})

export const STATEMENTS = recordResource({
  name: 'statements', institutionResource: 'ACCOUNTS', recordKey: 'STATEMENTS', shape: 'multiregion', wireFields: { link: true, account: 'object' },
  filters: RECORD_FILTERS(), listNeedsLink: false,
  needsAccounts: true, deletable: true,
  fetch: (args) => {
    const account = accountInternalId(args.accounts, args.request.account, 'account')
    if (!account) throw new PonteError('required', { field: 'account' })
    return args.connector.statements(args.session, account, Number(args.request.year), Number(args.request.month))
  },
  toRow: (record, accounts) => {
    const account = accountOf(accounts, record)
    // A statement lists its transactions in the multi-region shape, each with its account and
    // the time it was collected (stamped with the access, as every nested collected_at).
    const transactions = Array.isArray(record.transactions)
      ? (record.transactions as InstitutionRecord[]).map((t) => ({ ...plain(t), account: account?.wire ?? null, collected_at: null }))
      : record.transactions
    return { accountId: account?.id ?? null, recordDate: null, kind: null, prefix: { account: account?.wire ?? null }, body: { ...plain(record, LINKING), transactions } }
  },
})

export const PORTFOLIOS = recordResource({
  name: 'investments/portfolios', institutionResource: 'ACCOUNTS', recordKey: 'PORTFOLIOS', shape: 'multiregion', wireFields: { link: false, account: 'none' },
  filters: RECORD_FILTERS(), listNeedsLink: false,
  needsAccounts: false, deletable: true,
  fetch: ({ connector, session }) => connector.portfolios(session),
  toRow: (record) => ({ accountId: null, recordDate: null, kind: (record.type as string) ?? null, prefix: {}, body: plain(record, ['internal_identification']) }),
})

/** Every banking resource, in the order the reference lists them. */
export const BANKING_RESOURCES: readonly ResourceSpec[] = [
  ACCOUNTS, TRANSACTIONS, BALANCES_BR, BALANCES_LEGACY, OWNERS, BILLS, INVESTMENTS_BR, INVESTMENT_TRANSACTIONS_BR, EXCHANGES_BR, STATEMENTS, PORTFOLIOS,
]
