import { PonteError } from '../../lib/errors.ts'
import type {
  ConnectorContext,
  ConnectorResource,
  Credentials,
  FetchParams,
  InstitutionConnector,
  InstitutionRecord,
  LoginOutcome,
  WireShape,
} from '../types.ts'
import { accountRecords } from './accounts.ts'
import { balanceRecords, statementRecords, transactionBatches } from './banking.ts'
import { billRecords } from './bills.ts'
import { chileDebtReportRecords } from './fiscal/chile-debt-reports.ts'
import { chileInvoiceRecords } from './fiscal/chile-invoices.ts'
import { chileTaxStatusRecords } from './fiscal/chile-tax-status.ts'
import { financialStatementRecords } from './fiscal/mexico-financial-statements.ts'
import { taxDeclarationRecords } from './fiscal/mexico-tax-declarations.ts'
import { taxReturnRecords } from './fiscal/mexico-tax-returns.ts'
import { mexicoInvoiceRecords } from './fiscal/mexico-invoices.ts'
import { mexicoRetentionRecords } from './fiscal/mexico-retentions.ts'
import { employmentBrazilRecords } from './employment/brazil.ts'
import { currentEmploymentRecords } from './employment/current.ts'
import { employmentMetricRecords } from './employment/metrics.ts'
import { employmentRecordRecords } from './employment/records.ts'
import { mexicoComplianceRecords } from './fiscal/mexico-compliance.ts'
import { mexicoTaxStatusRecords } from './fiscal/mexico-tax-status.ts'
import { exchangeHistoryRecords, exchangeRecords, investmentRecords, investmentTransactionRecords, portfolioRecords } from './investments.ts'
import { ownerRecords } from './owners.ts'
import { sandboxLogin } from './personas.ts'
import { receivableTransactionRecords } from './receivables.ts'
import { buildWorld, type World } from './world.ts'

/**
 * The sandbox institution connector: Belvo's sandbox personas (personas.ts) over deterministic,
 * coherent banking data (world.ts -> ledger.ts -> accounts.ts, banking.ts, bills.ts, owners.ts,
 * investments.ts).
 *
 * Every fetch is a pure function of its arguments: the same context and params give
 * byte-identical records on any machine and any day.
 */

export interface SandboxInstitution {
  name: string
  country: string
  shape: WireShape
}

/** The link's world and the fetch's params; the context for what only the login says (the RUT a Chilean taxpayer logs in with). */
type Generator = (world: World, params: FetchParams, ctx: ConnectorContext) => InstitutionRecord[] | AsyncIterable<InstitutionRecord[]>

/** A parameter the server always passes for this resource (FetchParams); missing, it is a bug in the caller. */
function given<T>(value: T | undefined, resource: ConnectorResource, name: keyof FetchParams): T {
  if (value === undefined) throw new Error(`The sandbox fetches ${resource} only with params.${name}`)
  return value
}

/** Each resource the sandbox serves, and the generator module that makes its records. */
const GENERATORS: { readonly [R in ConnectorResource]?: Generator } = {
  ACCOUNTS: (world) => accountRecords(world),
  TRANSACTIONS: (world, { period, accountInternalId }) => transactionBatches(world, given(period, 'TRANSACTIONS', 'period'), accountInternalId),
  OWNERS: (world) => ownerRecords(world),
  BALANCES: (world, { period, accountInternalId }) => balanceRecords(world, period, accountInternalId),
  BILLS: (world) => billRecords(world),
  INVESTMENTS: (world) => investmentRecords(world),
  INVESTMENT_TRANSACTIONS: (world, { period }) => investmentTransactionRecords(world, given(period, 'INVESTMENT_TRANSACTIONS', 'period')),
  EXCHANGES: (world, { period }) => exchangeRecords(world, given(period, 'EXCHANGES', 'period')),
  EXCHANGE_HISTORY: (world, { parentInternalIds }) => exchangeHistoryRecords(world, given(parentInternalIds, 'EXCHANGE_HISTORY', 'parentInternalIds')),
  STATEMENTS: (world, { accountInternalId, year, month }) =>
    statementRecords(
      world,
      given(accountInternalId, 'STATEMENTS', 'accountInternalId'),
      given(year, 'STATEMENTS', 'year'),
      given(month, 'STATEMENTS', 'month'),
    ),
  PORTFOLIOS: (world) => portfolioRecords(world),
  RECEIVABLES: (world, { period }) => receivableTransactionRecords(world, given(period, 'RECEIVABLES', 'period')),
  CL_INVOICES: (world, { period, invoiceType }, ctx) =>
    chileInvoiceRecords(world, ctx.credentials.username, given(period, 'CL_INVOICES', 'period'), invoiceType),
  CL_TAX_STATUS: (world, _params, ctx) => chileTaxStatusRecords(world, ctx.credentials.username),
  DEBT_REPORTS: (world, _params, ctx) => chileDebtReportRecords(world, ctx.credentials.username),
  EMPLOYMENT_RECORDS: (world, { attachPdf }) => employmentRecordRecords(world, attachPdf === true),
  TAX_STATUS: (world, { attachPdf }) => mexicoTaxStatusRecords(world, attachPdf === true),
  TAX_COMPLIANCE_STATUS: (world, { attachPdf }) => mexicoComplianceRecords(world, attachPdf === true),
  INVOICES: (world, { period, invoiceType, attachXml }) => mexicoInvoiceRecords(world, given(period, 'INVOICES', 'period'), invoiceType, attachXml === true),
  TAX_RETENTIONS: (world, { period, invoiceType, attachXml }) =>
    mexicoRetentionRecords(world, given(period, 'TAX_RETENTIONS', 'period'), invoiceType, attachXml === true),
  CURRENT_EMPLOYMENTS: (world) => currentEmploymentRecords(world),
  EMPLOYMENT_METRICS: (world, params) => employmentMetricRecords(world.todayStr, params),
  EMPLOYMENTS: (world, { period }) => employmentBrazilRecords(world, given(period, 'EMPLOYMENTS', 'period')),
  TAX_RETURNS: (world, { taxReturnType, years, period, attachPdf = false }) => {
    if (given(taxReturnType, 'TAX_RETURNS', 'taxReturnType') === 'monthly') {
      return taxReturnRecords(world, { type: 'monthly', period: given(period, 'TAX_RETURNS', 'period'), attachPdf })
    }
    const { from, to } = given(years, 'TAX_RETURNS', 'years')
    return taxReturnRecords(world, { type: 'yearly', yearFrom: from, yearTo: to, attachPdf })
  },
  TAX_DECLARATIONS: (world, { years, attachPdf = false }) => {
    const { from, to } = given(years, 'TAX_DECLARATIONS', 'years')
    return taxDeclarationRecords(world, { yearFrom: from, yearTo: to, attachPdf })
  },
  FINANCIAL_STATEMENTS: (world) => financialStatementRecords(world),
}

export function createSandboxConnector(institution: SandboxInstitution): InstitutionConnector {
  return {
    async login(credentials: Credentials, token?: string): Promise<LoginOutcome> {
      return sandboxLogin(institution.name, credentials, token)
    },
    supports(resource: ConnectorResource): boolean {
      return GENERATORS[resource] !== undefined
    },
    fetch(resource: ConnectorResource, ctx: ConnectorContext, params: FetchParams) {
      const generate = GENERATORS[resource]
      if (!generate) return Promise.reject(new PonteError('unsupported_operation'))
      // A failure comes back as a rejected promise, where the caller awaits, as from any institution call.
      try {
        const records = generate(buildWorld(ctx), params, ctx)
        return Array.isArray(records) ? Promise.resolve(records) : records
      } catch (error) {
        return Promise.reject(error)
      }
    },
  }
}
