import { Type } from 'typebox'

/** The Belvo schema names of each resource's items, for the generated reference. */
export const ITEM_SCHEMAS: Record<string, string> = {
  accounts: 'AccountOpenFinanceBrazil (Brazil) or Account (Mexico, Colombia)',
  transactions: 'TransactionOpenFinanceBrazil (Brazil) or Transaction (Mexico, Colombia)',
  'br/balances': 'BalanceOFDA',
  balances: 'Balance (legacy, Mexico and Colombia)',
  owners: 'OwnerIndividualOpenFinanceBrazil, OwnerBusinessOpenFinanceBrazil or Owner',
  bills: 'Bill',
  'br/investments': 'InvestmentBrazil',
  'br/investment-transactions': 'InvestmentTransactionBrazil',
  'br/exchanges': 'Exchange',
  'br/exchanges/history': 'ExchangeHistory',
  statements: 'Statement (legacy)',
  'investments/portfolios': 'InvestmentsPortfolio (legacy)',
}

/** Belvo's operationId of each list of a record's children (`<resource>/<path>`). */
export const CHILD_OPERATION_IDS: Record<string, string> = {
  'br/exchanges/history': 'ListExchangeHistory',
}

export function itemSchema(name: string) {
  return Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: true, description: `Belvo ${ITEM_SCHEMAS[name] ?? name}.` })
}
