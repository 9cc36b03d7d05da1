import type { EnrichTransaction } from '../../src/domain/enrichment/transactions.ts'

/**
 * An enrichment input transaction for hand-written cases: what a case names, the rest of an
 * ordinary peso checking-account movement (no balance, merchant, MCC or counterparty document).
 */
export function enrichTransaction(
  fields: Pick<EnrichTransaction, 'id' | 'valueDate' | 'description' | 'type' | 'amount'> & Partial<EnrichTransaction>,
): EnrichTransaction {
  return {
    accountId: 'checking',
    accountCategory: 'CHECKING_ACCOUNT',
    currency: 'MXN',
    balance: null,
    merchantName: null,
    mcc: null,
    counterpartyDocument: null,
    ...fields,
  }
}

/**
 * One item of an EYOD body (`CategorizationBodyRequest`): an ordinary OXXO purchase on a peso
 * checking account, `tx-<i>`, with what a case names changed.
 */
export function eyodTransaction(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    transaction_id: `tx-${i}`,
    account_holder_type: 'INDIVIDUAL',
    account_holder_id: 'holder-1',
    account_id: 'acc-1',
    account_category: 'CHECKING_ACCOUNT',
    value_date: '2025-05-02',
    description: 'OXXO SUC 1234',
    type: 'OUTFLOW',
    amount: 25.5,
    currency: 'MXN',
    institution: 'BBVA',
    ...overrides,
  }
}
