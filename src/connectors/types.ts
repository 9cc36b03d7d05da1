/**
 * The seam between Ponte and a financial institution. The sandbox implements it for every
 * synthetic institution; a real integration (scraper or open-finance API client) implements the
 * same interface and registers itself by institution name.
 *
 * Records come back in Belvo's wire field names for the institution's region ("shape"), minus the
 * fields the server owns (`id`, `link`, `created_at`, `collected_at`): the server adds those,
 * stores the record and serves it. `internal_identification` (the institution's own id) is how
 * re-fetching the same data updates rows instead of duplicating them.
 */

/** Which of Belvo's two families of wire shapes an institution's data uses. */
export type WireShape = 'ofda' | 'multiregion'

/** The resources an institution offers in the catalog (its `resources`, a link's `fetch_resources`). */
export type ResourceName =
  | 'ACCOUNTS'
  | 'TRANSACTIONS'
  | 'BALANCES'
  | 'OWNERS'
  | 'BILLS'
  | 'INVESTMENTS'
  | 'INVESTMENT_TRANSACTIONS'
  | 'EXCHANGES'
  | 'STATEMENTS'
  | 'INCOMES'
  | 'RECURRING_EXPENSES'
  | 'RISK_INSIGHTS'
  | 'EMPLOYMENTS'
  | 'EMPLOYMENT_RECORDS'
  | 'CURRENT_EMPLOYMENTS'
  | 'EMPLOYMENT_METRICS'
  | 'FINANCIAL_STATEMENTS'
  | 'INVOICES'
  | 'TAX_COMPLIANCE_STATUS'
  | 'TAX_RETENTIONS'
  | 'TAX_RETURNS'
  | 'TAX_STATUS'
  | 'TAX_DECLARATIONS'
  | 'DEBT_REPORTS'
  /** Ponte's name for Belvo's legacy Brazilian card receivables (`/receivables/transactions/`), which Belvo's catalog does not list. */
  | 'RECEIVABLES'

/**
 * What a connector can be asked for: the catalog's resources, the records Belvo serves under no
 * catalog name of their own (legacy multi-region investment portfolios, an exchange's history),
 * and Chile's invoices and tax status, which Chile's institutions offer under the catalog's
 * INVOICES and TAX_STATUS but whose records are not Mexico's.
 */
export type ConnectorResource = ResourceName | 'PORTFOLIOS' | 'EXCHANGE_HISTORY' | 'CL_INVOICES' | 'CL_TAX_STATUS'

export interface Credentials {
  username: string
  password?: string
  username2?: string
  username3?: string
  password2?: string
  usernameType?: string
}

/** What the institution shows the user to produce a second factor (Belvo's token_generation_data). */
export interface TokenGenerationData {
  instructions: string
  type: string
  value: string | null
  expects_user_input: boolean
}

export type LoginOutcome =
  /** `profile` names the data the institution holds for this user (sandbox persona). */
  | { status: 'ok'; institutionUserId: string; profile: string }
  | { status: 'token_required'; tokenGenerationData: TokenGenerationData }
  | { status: 'error'; code: ConnectorErrorCode; message?: string }

export type ConnectorErrorCode =
  'login_error' | 'too_many_sessions' | 'institution_down' | 'institution_unavailable' | 'institution_inactive' | 'unsupported_operation' | 'request_timeout'

/** Everything a connector needs to act for one link. */
export interface ConnectorContext {
  institution: { id: number; name: string; country: string; shape: WireShape }
  credentials: Credentials
  /** Stable per link: the sandbox derives its data from it, so the same link gets the same data. */
  linkSeed: string
  /** The login's profile (from LoginOutcome.ok). */
  profile: string
  /** "Today" at the institution, YYYY-MM-DD (the sandbox clock). */
  today: string
  /**
   * When this access to the institution happened: ISO-8601 UTC from the server's clock, the
   * link's new `last_accessed_at`. The server stamps it on what the access collects (Belvo's
   * `last_accessed_at` and `collected_at` fields, domain/resources.ts), so connectors need not
   * report it; the sandbox ignores it (its data depends on the day only, never on the time).
   */
  accessedAt: string
}

export interface Period {
  dateFrom: string
  dateTo: string
}

/** One record as the institution reports it: the wire body, keyed by the institution's own id. */
export interface InstitutionRecord {
  internal_identification: string
  [field: string]: unknown
}

/** Transactions, balances, bills, statements name their account by its internal_identification. */
export interface AccountScopedRecord extends InstitutionRecord {
  account_internal_identification: string
}

/**
 * What a fetch is limited to, as the resource takes it (the server validates requests first and
 * passes only what the resource uses):
 * - TRANSACTIONS: `period` (required), `accountInternalId`;
 * - BALANCES: `accountInternalId`; with a `period`, the daily balances of the multi-region shape
 *   (`Balance`), without one the current balances of the Open Finance shape (`BalanceOFDA`);
 * - INVESTMENT_TRANSACTIONS, EXCHANGES: `period` (required);
 * - STATEMENTS: `accountInternalId`, `year`, `month` (all required);
 * - EMPLOYMENT_METRICS: `basedOn` (the stored employment records), `referenceDate`;
 * - EXCHANGE_HISTORY: `parentInternalIds`, the exchange operations whose events are wanted (each
 *   event names its operation in `exchange_internal_identification`);
 * - ACCOUNTS, OWNERS, BILLS, INVESTMENTS, PORTFOLIOS: nothing.
 * - CL_INVOICES: `period` (required), `invoiceType`; CL_TAX_STATUS, DEBT_REPORTS: nothing.
 * - TAX_STATUS, TAX_COMPLIANCE_STATUS, EMPLOYMENT_RECORDS: `attachPdf`.
 * - TAX_RETURNS: `taxReturnType` (required), with `years` (yearly) or `period` (monthly), `attachPdf`;
 *   TAX_DECLARATIONS: `years` (required), `attachPdf`; FINANCIAL_STATEMENTS: nothing.
 * - INVOICES, TAX_RETENTIONS (Mexico's SAT): `period` (required), `invoiceType` (both when absent,
 *   as in historical updates), `attachXml`.
 * - RECEIVABLES: `period` (required).
 */
export interface FetchParams {
  period?: Period
  accountInternalId?: string
  year?: number
  month?: number
  parentInternalIds?: string[]
  /** Invoices: only those of this direction (the body's `type`); both when absent. */
  invoiceType?: 'INFLOW' | 'OUTFLOW'
  /** Mexico's invoices and tax retentions: attach each document's stamped XML (the body's `attach_xml`). */
  attachXml?: boolean
  /** EMPLOYMENT_METRICS: the day the metrics are computed up to (YYYY-MM-DD). */
  referenceDate?: string
  /** Tax returns: the yearly returns (of `years`) or the monthly ones (of `period`'s months). */
  taxReturnType?: 'yearly' | 'monthly'
  /** Yearly returns and declarations: the fiscal years asked for, both included. */
  years?: { from: number; to: number }
  /** A resource computed from stored data (ResourceSpec.computedFrom): the link's stored wire bodies it is computed from. */
  basedOn?: Record<string, unknown>[]
  /** The body's `attach_pdf`: the records carry the institution's document as a PDF. */
  attachPdf?: boolean
}

/**
 * A connector answers for the resources its institution offers: `supports` says which, `fetch`
 * returns their records. The server never asks for a resource the connector does not support (it
 * answers Belvo's `unsupported_operation` instead, and historical updates skip it).
 */
export interface InstitutionConnector {
  login(credentials: Credentials, token?: string): Promise<LoginOutcome>
  supports(resource: ConnectorResource): boolean
  /**
   * The records of `resource` for the link in `ctx`. A large resource may stream batches (an
   * AsyncIterable: a scale persona yields millions of transactions without holding them all).
   */
  fetch(resource: ConnectorResource, ctx: ConnectorContext, params: FetchParams): Promise<InstitutionRecord[]> | AsyncIterable<InstitutionRecord[]>
}
