import { createSandboxConnector, type SandboxInstitution } from '../../src/connectors/sandbox/connector.ts'
import type { ConnectorRegistry } from '../../src/connectors/registry.ts'
import type { AccountScopedRecord, ConnectorContext, InstitutionRecord, Period } from '../../src/connectors/types.ts'

/**
 * The sandbox connector's resources as typed calls, each through its one entry point
 * (`fetch(resource, ctx, params)`): what the server asks for, in the tests' words.
 */
export function sandboxResources(institution: SandboxInstitution) {
  const connector = createSandboxConnector(institution)
  const records = <T extends InstitutionRecord = InstitutionRecord>(...args: Parameters<typeof connector.fetch>) => connector.fetch(...args) as Promise<T[]>
  return {
    login: connector.login,
    accounts: (ctx: ConnectorContext) => records('ACCOUNTS', ctx, {}),
    transactions: (ctx: ConnectorContext, period: Period, accountInternalId?: string) =>
      connector.fetch('TRANSACTIONS', ctx, { period, accountInternalId }) as AsyncIterable<AccountScopedRecord[]>,
    owners: (ctx: ConnectorContext) => records('OWNERS', ctx, {}),
    /** Current balances (Open Finance shape), or daily balances over a period (multi-region). */
    balances: (ctx: ConnectorContext, period?: Period, accountInternalId?: string) =>
      records<AccountScopedRecord>('BALANCES', ctx, { period, accountInternalId }),
    bills: (ctx: ConnectorContext) => records<AccountScopedRecord>('BILLS', ctx, {}),
    investments: (ctx: ConnectorContext) => records('INVESTMENTS', ctx, {}),
    investmentTransactions: (ctx: ConnectorContext, period: Period) => records('INVESTMENT_TRANSACTIONS', ctx, { period }),
    exchanges: (ctx: ConnectorContext, period: Period) => records('EXCHANGES', ctx, { period }),
    exchangeHistory: (ctx: ConnectorContext, exchangeInternalIds: string[]) => records('EXCHANGE_HISTORY', ctx, { parentInternalIds: exchangeInternalIds }),
    statements: (ctx: ConnectorContext, accountInternalId: string, year: number, month: number) =>
      records<AccountScopedRecord>('STATEMENTS', ctx, { accountInternalId, year, month }),
    portfolios: (ctx: ConnectorContext) => records('PORTFOLIOS', ctx, {}),
  }
}

/**
 * A real integration (not the sandbox) for one institution, for tests of what only sandbox
 * institutions get (faults): it logs everyone in and offers nothing.
 */
export function registerRealIntegration(app: { deps: { domain: { connectors: { register: ConnectorRegistry['register'] } } } }, institution: string): void {
  app.deps.domain.connectors.register(institution, () => ({
    login: async (credentials) => ({ status: 'ok', institutionUserId: credentials.username, profile: 'full' }),
    supports: () => false,
    fetch: async () => [],
  }))
}
