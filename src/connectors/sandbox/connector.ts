import type {
  AccountScopedRecord, ConnectorContext, Credentials, InstitutionConnector, InstitutionRecord, LoginOutcome, Period, ResourceName, WireShape,
} from '../types.ts'
import { accountRecords } from './accounts.ts'
import { balanceRecords, statementRecords, transactionBatches } from './banking.ts'
import { billRecords } from './bills.ts'
import { exchangeHistoryRecords, exchangeRecords, investmentRecords, investmentTransactionRecords, portfolioRecords } from './investments.ts'
import { ownerRecords } from './owners.ts'
import { sandboxLogin } from './personas.ts'
import { buildWorld } from './world.ts'

/**
 * The sandbox institution connector: Belvo's sandbox personas (personas.ts) over deterministic,
 * coherent banking data (world.ts -> ledger.ts -> accounts.ts, banking.ts, bills.ts, owners.ts,
 * investments.ts).
 *
 * Every method is a pure function of its arguments: the same context and period give
 * byte-identical records on any machine and any day.
 */

export interface SandboxInstitution {
  name: string
  country: string
  shape: WireShape
}

export function createSandboxConnector(institution: SandboxInstitution): InstitutionConnector {
  return {
    async login(credentials: Credentials, token?: string): Promise<LoginOutcome> {
      return sandboxLogin(institution.name, credentials, token)
    },
    async accounts(ctx: ConnectorContext): Promise<InstitutionRecord[]> {
      return accountRecords(buildWorld(ctx))
    },
    transactions(ctx: ConnectorContext, period: Period, accountInternalId?: string): AsyncIterable<AccountScopedRecord[]> {
      return transactionBatches(buildWorld(ctx), period, accountInternalId)
    },
    async owners(ctx: ConnectorContext): Promise<InstitutionRecord[]> {
      return ownerRecords(buildWorld(ctx))
    },
    async balances(ctx: ConnectorContext, period?: Period, accountInternalId?: string): Promise<AccountScopedRecord[]> {
      return balanceRecords(buildWorld(ctx), period, accountInternalId)
    },
    async bills(ctx: ConnectorContext): Promise<AccountScopedRecord[]> {
      return billRecords(buildWorld(ctx))
    },
    async investments(ctx: ConnectorContext): Promise<InstitutionRecord[]> {
      return investmentRecords(buildWorld(ctx))
    },
    async investmentTransactions(ctx: ConnectorContext, period: Period): Promise<InstitutionRecord[]> {
      return investmentTransactionRecords(buildWorld(ctx), period)
    },
    async exchanges(ctx: ConnectorContext, period: Period): Promise<InstitutionRecord[]> {
      return exchangeRecords(buildWorld(ctx), period)
    },
    async exchangeHistory(ctx: ConnectorContext, exchangeInternalIds: string[]): Promise<InstitutionRecord[]> {
      return exchangeHistoryRecords(buildWorld(ctx), exchangeInternalIds)
    },
    async statements(ctx: ConnectorContext, accountInternalId: string, year: number, month: number): Promise<AccountScopedRecord[]> {
      return statementRecords(buildWorld(ctx), accountInternalId, year, month)
    },
    async portfolios(ctx: ConnectorContext): Promise<InstitutionRecord[]> {
      return portfolioRecords(buildWorld(ctx))
    },
  }
}

/**
 * Keys of the sandbox's records that are not fields of the resource's wire schema: the
 * connector envelope (`internal_identification`, `account_internal_identification`) where the
 * schema has no such field, and the investment a transaction belongs to. The server keeps them
 * for storage and leaves them out of responses; `Exchange` even forbids extra keys
 * (additionalProperties: false).
 */
export function connectorOnlyFields(resource: ResourceName | 'PORTFOLIOS' | 'EXCHANGE_HISTORY', shape: WireShape): string[] {
  switch (resource) {
    case 'TRANSACTIONS':
    case 'BILLS':
      return ['account_internal_identification']
    case 'BALANCES':
      return shape === 'ofda' ? ['internal_identification'] : ['internal_identification', 'account_internal_identification']
    case 'STATEMENTS':
      return ['internal_identification', 'account_internal_identification']
    case 'INVESTMENTS':
    case 'EXCHANGES':
    case 'PORTFOLIOS':
      return ['internal_identification']
    case 'INVESTMENT_TRANSACTIONS':
      return ['investment_internal_identification']
    case 'EXCHANGE_HISTORY':
      return ['internal_identification', 'exchange_internal_identification']
    default:
      return []
  }
}
