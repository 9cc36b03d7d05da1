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
