import { Type } from 'typebox'
import type { InstitutionRecord, Period } from '../connectors/types.ts'
import { PonteError } from '../lib/errors.ts'
import { CURRENCY_FORMAT, EMAIL_FORMAT, INSTITUTION_FORMAT, type FilterField, type Lookup } from '../lib/list-query.ts'
import { ACCOUNT_WIRE, recordWire, TRANSACTION_WIRE } from '../store/resources.ts'
import {
  bodyDate,
  bodyId,
  checkPeriod,
  MfaToken,
  optionalField,
  recordResource,
  retrieveBody,
  withoutFields,
  type AccountIndex,
  type ChildResource,
  type EmbeddedRecord,
  type FetchRequest,
  type ResourceSpec,
} from './resource-spec.ts'

/**
 * Belvo's banking resources (INVENTORY 3.2 and 3.3), the banking family of the registry
 * (registry.ts): each one's paths, request body, item schemas, operationIds, where it is stored,
 * what it filters on, how it asks the institution and what historical updates fetch of it.
 * Brazil institutions answer with the Open Finance shapes, Mexico and Colombia with the
 * multi-region ones (the connector chooses); the `br/` paths exist for the former and the legacy
 * paths only for the latter.
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

function period(args: FetchRequest, required: boolean, defaultDays = 365): Period {
  return checkPeriod(args.today, args.request, { required, defaultDays })
}

/** What every banking resource shares: its tag, a list answer, synchronous retrieves, free deletes. */
const BANKING = { tag: 'Banking', answer: 'list', async: false, rateLimitedDelete: false } as const

/** A history window of a historical update: a year, as Belvo's. */
const HISTORY_DAYS = 365

// Linking fields: the account a record belongs to at the institution, and the record's own id there
// where its wire schema has no such field.
const ACCOUNT_SCOPED = ['account_internal_identification'] as const
const ACCOUNT_SCOPED_NO_ID = ['internal_identification', 'account_internal_identification'] as const
const NO_ID = ['internal_identification'] as const

const thisAccount = optionalField(bodyId('Only this account (its id).'))
const firstDay = (description: string) => Type.Optional(bodyDate(description))

export const ACCOUNTS: ResourceSpec = {
  ...BANKING,
  name: 'accounts',
  path: '/api/accounts/',
  institutionResource: 'ACCOUNTS',
  storage: 'accounts',
  wire: ACCOUNT_WIRE,
  body: retrieveBody({ token: MfaToken }),
  items: { ofda: ['AccountOpenFinanceBrazil'], multiregion: ['Account'] },
  operationIds: { retrieve: 'RetrieveAccounts', resume: 'PatchAccounts', list: 'ListAccounts', detail: 'DetailAccount', delete: 'DestroyAccount' },
  filters: ACCOUNT_FILTERS,
  listNeedsLink: false,
  needsAccounts: false,
  deletable: true,
  rateLimitedDelete: true,
  linkingFields: [],
  background: { fetchResource: 'ACCOUNTS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'ACCOUNTS',
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
  ...BANKING,
  name: 'transactions',
  path: '/api/transactions/',
  institutionResource: 'TRANSACTIONS',
  storage: 'transactions',
  wire: TRANSACTION_WIRE,
  body: retrieveBody({
    account: thisAccount,
    date_from: bodyDate('First day of the period'),
    date_to: bodyDate('Last day of the period'),
    token: MfaToken,
  }),
  items: { ofda: ['TransactionOpenFinanceBrazil'], multiregion: ['Transaction'] },
  operationIds: {
    retrieve: 'RetrieveTransactions',
    resume: 'PatchTransactions',
    list: 'ListTransactions',
    detail: 'DetailTransaction',
    delete: 'DestroyTransaction',
  },
  filters: TRANSACTION_FILTERS,
  listNeedsLink: true,
  needsAccounts: true,
  deletable: true,
  rateLimitedDelete: true,
  async: true,
  linkingFields: ACCOUNT_SCOPED,
  background: { fetchResource: 'TRANSACTIONS', historyDays: HISTORY_DAYS, summary: 'transactions' },
  connectorResource: 'TRANSACTIONS',
  fetchParams: (args) => ({ period: period(args, true), accountInternalId: accountInternalId(args.accounts, args.request.account, 'account') }),
  embeds: CARD_BILL,
}

// Both balances count back 90 days in a historical update: the daily balances of a quarter.
const BALANCE_HISTORY_DAYS = 90

/**
 * Current balances of Brazilian accounts (`BalanceOFDA`). Belvo gives the legacy daily balances'
 * routes the same operationIds: this path, in the current spec, keeps them.
 */
export const BALANCES_BR = recordResource({
  ...BANKING,
  name: 'br/balances',
  path: '/api/br/balances/',
  institutionResource: 'BALANCES',
  recordKey: 'BALANCES',
  shape: 'ofda',
  wireFields: { link: true, account: 'none' },
  body: retrieveBody({ account_id: thisAccount }),
  items: { ofda: ['BalanceOFDA'] },
  // Belvo publishes no PATCH here (PatchBalances is the legacy path's): Ponte's resume is named for Brazil.
  operationIds: { retrieve: 'RetrieveBalances', resume: 'PatchBalancesBrazil', list: 'ListBalances', detail: 'DetailBalance' },
  filters: RECORD_FILTERS(),
  listNeedsLink: true,
  needsAccounts: true,
  deletable: false,
  linkingFields: NO_ID,
  background: { fetchResource: 'BALANCES', historyDays: BALANCE_HISTORY_DAYS, summary: 'count' },
  // Current balances: no period.
  connectorResource: 'BALANCES',
  fetchParams: (args) => ({ accountInternalId: accountInternalId(args.accounts, args.request.account_id, 'account_id') }),
  toRow: (record, accounts, plain) => {
    const account = accountOf(accounts, record)
    return { accountId: account?.id ?? null, recordDate: null, kind: null, prefix: {}, body: { account_id: account?.id ?? null, ...plain } }
  },
})

/** Daily balances of Mexican and Colombian accounts (legacy `/api/balances/`, multi-region `Balance`). */
export const BALANCES_LEGACY = recordResource({
  ...BANKING,
  name: 'balances',
  path: '/api/balances/',
  institutionResource: 'BALANCES',
  recordKey: 'DAILY_BALANCES',
  shape: 'multiregion',
  wireFields: { link: false, account: 'object' },
  body: retrieveBody({ account: thisAccount, date_from: bodyDate('First day'), date_to: bodyDate('Last day'), token: MfaToken }),
  items: { multiregion: ['Balance'] },
  // Belvo's names, but those the current /api/br/balances/ has take `Legacy` (operationIds are unique).
  operationIds: {
    retrieve: 'RetrieveBalancesLegacy',
    resume: 'PatchBalances',
    list: 'ListBalancesLegacy',
    detail: 'DetailBalanceLegacy',
    delete: 'DestroyBalance',
  },
  filters: BALANCE_FILTERS,
  listNeedsLink: false,
  needsAccounts: true,
  deletable: true,
  linkingFields: ACCOUNT_SCOPED_NO_ID,
  background: { fetchResource: 'BALANCES', historyDays: BALANCE_HISTORY_DAYS, summary: 'count' },
  // Daily balances: over a period.
  connectorResource: 'BALANCES',
  fetchParams: (args) => ({ period: period(args, true), accountInternalId: accountInternalId(args.accounts, args.request.account, 'account') }),
  toRow: (record, accounts, plain) => {
    const account = accountOf(accounts, record)
    return {
      accountId: account?.id ?? null,
      recordDate: (record.value_date as string) ?? null,
      kind: null,
      prefix: { account: account?.wire ?? null },
      body: plain,
    }
  },
})

export const OWNERS = recordResource({
  ...BANKING,
  name: 'owners',
  path: '/api/owners/',
  institutionResource: 'OWNERS',
  recordKey: 'OWNERS',
  wireFields: { link: true, account: 'none' },
  body: retrieveBody({ token: MfaToken }),
  items: { ofda: ['OwnerIndividualOpenFinanceBrazil', 'OwnerBusinessOpenFinanceBrazil'], multiregion: ['Owner'] },
  operationIds: { retrieve: 'RetrieveOwners', resume: 'PatchOwners', list: 'ListOwners', detail: 'DetailOwner', delete: 'DestroyOwner' },
  filters: OWNER_FILTERS,
  listNeedsLink: false,
  needsAccounts: false,
  deletable: true,
  linkingFields: [],
  background: { fetchResource: 'OWNERS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'OWNERS',
  toRow: (_record, _accounts, plain) => ({ accountId: null, recordDate: null, kind: null, prefix: {}, body: plain }),
})

export const BILLS = recordResource({
  ...BANKING,
  name: 'bills',
  path: '/api/bills/',
  institutionResource: 'BILLS',
  recordKey: 'BILLS',
  shape: 'ofda',
  wireFields: { link: false, account: 'object' },
  body: retrieveBody({}),
  items: { ofda: ['Bill'] },
  // Belvo publishes no PATCH here: Ponte's resume follows the family's names.
  operationIds: { retrieve: 'RetrieveBills', resume: 'PatchBills', list: 'ListBills', detail: 'DetailBills', delete: 'DestroyBills' },
  filters: BILL_FILTERS,
  listNeedsLink: true,
  needsAccounts: true,
  deletable: true,
  linkingFields: ACCOUNT_SCOPED,
  background: { fetchResource: 'BILLS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'BILLS',
  toRow: (record, accounts, plain) => {
    const account = accountOf(accounts, record)
    return {
      accountId: account?.id ?? null,
      recordDate: (record.due_date as string) ?? null,
      kind: null,
      prefix: { account: account?.wire ?? null },
      body: plain,
    }
  },
})

export const INVESTMENTS_BR = recordResource({
  ...BANKING,
  name: 'br/investments',
  path: '/api/br/investments/',
  institutionResource: 'INVESTMENTS',
  recordKey: 'INVESTMENTS',
  shape: 'ofda',
  wireFields: { link: false, account: 'none' },
  body: retrieveBody({}),
  items: { ofda: ['InvestmentBrazil'] },
  operationIds: {
    retrieve: 'RetrieveInvestmentsBrazil',
    resume: 'PatchInvestmentsBrazil',
    list: 'ListInvestmentsBrazil',
    detail: 'DetailInvestmentBrazil',
    delete: 'DestroyInvestmentBrazil',
  },
  filters: KIND_FILTERS,
  listNeedsLink: true,
  needsAccounts: false,
  deletable: true,
  linkingFields: NO_ID,
  background: { fetchResource: 'INVESTMENTS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'INVESTMENTS',
  toRow: (record, _accounts, plain) => ({ accountId: null, recordDate: null, kind: (record.type as string) ?? null, prefix: {}, body: plain }),
})

export const INVESTMENT_TRANSACTIONS_BR = recordResource({
  ...BANKING,
  name: 'br/investment-transactions',
  path: '/api/br/investment-transactions/',
  institutionResource: 'INVESTMENT_TRANSACTIONS',
  recordKey: 'INVESTMENT_TRANSACTIONS',
  shape: 'ofda',
  wireFields: { link: true, account: 'none' },
  body: retrieveBody({ date_from: firstDay('First day'), date_to: firstDay('Last day') }),
  items: { ofda: ['InvestmentTransactionBrazil'] },
  operationIds: {
    retrieve: 'RetrieveInvestmentTransactionsBrazil',
    resume: 'PatchInvestmentTransactionsBrazil',
    list: 'ListInvestmentTransactionsBrazil',
    detail: 'DetailInvestmentTransactionBrazil',
    delete: 'DestroyInvestmentTransactionBrazil',
  },
  filters: KIND_FILTERS,
  listNeedsLink: true,
  needsAccounts: false,
  deletable: true,
  linkingFields: ['investment_internal_identification'],
  background: { fetchResource: 'INVESTMENT_TRANSACTIONS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'INVESTMENT_TRANSACTIONS',
  fetchParams: (args) => ({ period: period(args, false) }),
  embeds: {
    recordKey: 'INVESTMENTS',
    internalId: (record) => record.investment_internal_identification as string | undefined,
    withId: (record, id) => ({ ...record, investment: { id, ...(record.investment as Json) } }),
  },
  toRow: (record, _accounts, plain) => ({
    accountId: null,
    recordDate: (record.value_date as string) ?? null,
    kind: (record.type as string) ?? null,
    prefix: {},
    body: plain,
  }),
})

/**
 * An exchange operation's history (Belvo `ExchangeHistory`, the operation's events at Bacen):
 * fetched for the operations a retrieval stores, kept under their exchange (`exchange_id`), listed
 * oldest event first at `/api/br/exchanges/{id}/history/`.
 */
export const EXCHANGE_HISTORY: ChildResource = {
  path: 'history',
  recordKey: 'EXCHANGE_HISTORY',
  items: { ofda: ['ExchangeHistory'] },
  operationId: 'ListExchangeHistory',
  wire: recordWire('EXCHANGE_HISTORY', { link: true, account: 'none', orderByBodyField: 'event_created_at' }),
  linkingFields: ['internal_identification', 'exchange_internal_identification'],
  connectorResource: 'EXCHANGE_HISTORY',
  parentOf: (record) => String(record.exchange_internal_identification),
  toRow: (record, exchangeId, plain) => ({
    recordDate: typeof record.event_created_at === 'string' ? record.event_created_at.slice(0, 10) : null,
    kind: record.event_type === undefined || record.event_type === null ? null : String(record.event_type),
    body: { exchange_id: exchangeId, ...plain },
  }),
}

export const EXCHANGES_BR = recordResource({
  ...BANKING,
  name: 'br/exchanges',
  path: '/api/br/exchanges/',
  institutionResource: 'EXCHANGES',
  recordKey: 'EXCHANGES',
  shape: 'ofda',
  wireFields: { link: true, account: 'none' },
  body: retrieveBody({ date_from: firstDay('First day; a year ago by default'), date_to: firstDay('Last day; today by default') }),
  items: { ofda: ['Exchange'] },
  // Belvo publishes no PATCH here: Ponte's resume follows the family's names.
  operationIds: { retrieve: 'RetrieveExchanges', resume: 'PatchExchanges', list: 'ListExchanges', detail: 'DetailExchange', delete: 'DeleteExchange' },
  filters: RECORD_FILTERS(),
  listNeedsLink: true,
  needsAccounts: false,
  deletable: true,
  linkingFields: NO_ID,
  background: { fetchResource: 'EXCHANGES', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'EXCHANGES',
  fetchParams: (args) => ({ period: period(args, false) }),
  toRow: (_record, _accounts, plain) => ({ accountId: null, recordDate: null, kind: null, prefix: {}, body: plain }),
  children: EXCHANGE_HISTORY,
})

// The SDKs send numbers; form-minded clients send strings. Either names a real month.
const Year = Type.Union([Type.Integer({ minimum: 1900, maximum: 9999 }), Type.String({ pattern: '^(19|[2-9]\\d)\\d{2}$' })], {
  description: 'The year (YYYY).',
})
const Month = Type.Union([Type.Integer({ minimum: 1, maximum: 12 }), Type.String({ pattern: '^(0?[1-9]|1[0-2])$' })], { description: 'The month (1-12).' })

/**
 * A month's statement of a Mexican or Colombian account (legacy `/api/statements/`, a BETA
 * endpoint the SDKs call and no published spec documents: its names follow Belvo's patterns).
 */
export const STATEMENTS = recordResource({
  ...BANKING,
  name: 'statements',
  path: '/api/statements/',
  institutionResource: 'ACCOUNTS',
  recordKey: 'STATEMENTS',
  shape: 'multiregion',
  wireFields: { link: true, account: 'object' },
  body: retrieveBody({ account: bodyId('The account id.'), year: Year, month: Month, token: MfaToken, attach_pdf: optionalField(Type.Boolean()) }),
  items: { multiregion: ['Statement'] },
  operationIds: { retrieve: 'RetrieveStatements', resume: 'PatchStatements', list: 'ListStatements', detail: 'DetailStatement', delete: 'DestroyStatement' },
  filters: RECORD_FILTERS(),
  listNeedsLink: false,
  needsAccounts: true,
  deletable: true,
  linkingFields: ACCOUNT_SCOPED_NO_ID,
  connectorResource: 'STATEMENTS',
  fetchParams: (args) => {
    const account = accountInternalId(args.accounts, args.request.account, 'account')
    if (!account) throw new PonteError('required', { field: 'account' })
    return { accountInternalId: account, year: Number(args.request.year), month: Number(args.request.month) }
  },
  toRow: (record, accounts, plain) => {
    const account = accountOf(accounts, record)
    // A statement lists its transactions in the multi-region shape, each with its account and
    // the time it was collected (stamped with the access, as every nested collected_at).
    const transactions = Array.isArray(record.transactions)
      ? (record.transactions as InstitutionRecord[]).map((t) => ({
          ...withoutFields(t, TRANSACTIONS.linkingFields),
          account: account?.wire ?? null,
          collected_at: null,
        }))
      : record.transactions
    return { accountId: account?.id ?? null, recordDate: null, kind: null, prefix: { account: account?.wire ?? null }, body: { ...plain, transactions } }
  },
})

/** Legacy multi-region investment portfolios (`/investments/portfolios/`): the POST answers one object. */
export const PORTFOLIOS = recordResource({
  ...BANKING,
  name: 'investments/portfolios',
  path: '/investments/portfolios/',
  answer: 'single',
  institutionResource: 'ACCOUNTS',
  recordKey: 'PORTFOLIOS',
  shape: 'multiregion',
  wireFields: { link: false, account: 'none' },
  body: retrieveBody({ token: MfaToken }),
  items: { multiregion: ['InvestmentsPortfolio'] },
  operationIds: { retrieve: 'RetrievePortfolio', resume: 'PatchPortfolio', list: 'ListPortfolio', detail: 'DetailPortfolio', delete: 'DestroyPortfolio' },
  filters: RECORD_FILTERS(),
  listNeedsLink: false,
  needsAccounts: false,
  deletable: true,
  linkingFields: NO_ID,
  connectorResource: 'PORTFOLIOS',
  toRow: (record, _accounts, plain) => ({ accountId: null, recordDate: null, kind: (record.type as string) ?? null, prefix: {}, body: plain }),
})

/**
 * Brazilian card receivables (legacy `/receivables/transactions/`, Belvo 1.35.0): a merchant's card
 * sales with the acquirer's fees and the net it receives, registered to its settlement account.
 * Belvo's legacy document publishes one `ReceivablesTransaction` as the POST's answer, but the
 * retrieve is of a period and its list pages many: Ponte answers the period's sales, as a list.
 * `RECEIVABLES` is Ponte's catalog name for it (Belvo's catalog lists none for this legacy resource).
 */
export const RECEIVABLES_TRANSACTIONS = recordResource({
  ...BANKING,
  name: 'receivables/transactions',
  path: '/receivables/transactions/',
  tag: 'Receivable Transactions',
  institutionResource: 'RECEIVABLES',
  recordKey: 'RECEIVABLES_TRANSACTIONS',
  shape: 'ofda',
  // ReceivablesTransaction names no link, and its account only by id and institution (kept in the body).
  wireFields: { link: false, account: 'none' },
  body: retrieveBody({ date_from: bodyDate('First day of the period'), date_to: bodyDate('Last day of the period'), token: MfaToken }),
  items: { ofda: ['ReceivablesTransaction'] },
  // Belvo publishes no PATCH here: Ponte's resume follows the family's names.
  operationIds: {
    retrieve: 'RetrieveReceivableTransactions',
    resume: 'PatchReceivableTransactions',
    list: 'ListReceivableTransactions',
    detail: 'DetailReceivableTransaction',
    delete: 'DestroyReceivableTransaction',
  },
  // Belvo's: link, account, created_at (ranges) and value_date; and the id, as Belvo's other lists.
  filters: [
    ...COMMON.filter((filter) => filter.param === 'id' || filter.param === 'link'),
    { param: 'account', source: { column: 'account_id' }, type: 'uuid', lookups: ['exact', 'in'] },
    { param: 'created_at', type: 'datetime', lookups: ['gt', 'gte', 'lt', 'lte', 'range'] },
    { param: 'value_date', source: { column: 'record_date' }, type: 'date', lookups: RANGE },
  ],
  listNeedsLink: false,
  needsAccounts: true,
  deletable: true,
  linkingFields: ACCOUNT_SCOPED_NO_ID,
  background: { fetchResource: 'RECEIVABLES', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'RECEIVABLES',
  fetchParams: (args) => ({ period: period(args, true) }),
  toRow: (record, accounts, plain) => {
    const account = accountOf(accounts, record)
    const institution = (account?.wire.institution as Json | undefined) ?? null
    return {
      accountId: account?.id ?? null,
      recordDate: (record.value_date as string) ?? null,
      kind: null,
      prefix: {},
      body: { account: account ? { id: account.id, institution } : null, ...plain },
    }
  },
})

/**
 * Every banking resource, in the order historical updates fetch them (accounts first: others
 * hang off them) and the reference lists them.
 */
export const BANKING_RESOURCES: readonly ResourceSpec[] = [
  ACCOUNTS,
  OWNERS,
  TRANSACTIONS,
  BALANCES_BR,
  BALANCES_LEGACY,
  BILLS,
  INVESTMENTS_BR,
  INVESTMENT_TRANSACTIONS_BR,
  EXCHANGES_BR,
  STATEMENTS,
  PORTFOLIOS,
  RECEIVABLES_TRANSACTIONS,
]
