import { describe, expect, it } from 'vitest'
import type { AccountScopedRecord, ConnectorContext, WireShape } from '../../../src/connectors/types.ts'
import { accountCategoriesOf, fromEyodTransactions, toEnrichTransactions } from '../../../src/domain/enrichment/adapters.ts'
import { sandboxResources } from '../../helpers/sandbox-connector.ts'

const TODAY = '2025-06-18'
const MX = { id: 1004, name: 'erebor_mx_retail', country: 'MX', shape: 'multiregion' as WireShape }
const BR = { id: 1006, name: 'erebor_br_retail', country: 'BR', shape: 'ofda' as WireShape }

function ctx(inst: typeof MX): ConnectorContext {
  return {
    institution: inst,
    credentials: { username: 'bnk100', password: 'full' },
    linkSeed: 'adapters',
    profile: 'full',
    today: TODAY,
    accessedAt: `${TODAY}T12:00:00.000Z`,
  }
}

async function sandbox(inst: typeof MX) {
  const conn = sandboxResources(inst)
  const accounts = await conn.accounts(ctx(inst))
  const transactions: AccountScopedRecord[] = []
  for await (const batch of conn.transactions(ctx(inst), { dateFrom: '2025-03-01', dateTo: TODAY })) transactions.push(...batch)
  const categories = new Map(accounts.map((a) => [a.internal_identification, a.category as string]))
  return { accounts, transactions, categories }
}

describe('toEnrichTransactions', () => {
  for (const inst of [MX, BR]) {
    it(`turns every ${inst.shape} sandbox transaction into an EnrichTransaction`, async () => {
      const { transactions, categories } = await sandbox(inst)
      expect(transactions.length).toBeGreaterThan(50)
      const txs = toEnrichTransactions(transactions, inst.shape, categories)
      expect(txs).toHaveLength(transactions.length)
      txs.forEach((tx, i) => {
        const record = transactions[i]
        expect(tx.id).toBe(record.internal_identification)
        expect(tx.accountId).toBe(record.account_internal_identification)
        expect(tx.accountCategory).toBe(categories.get(record.account_internal_identification))
        expect(tx.valueDate).toBe(record.value_date)
        expect(tx.amount).toBeGreaterThan(0)
        expect(tx.amount).toBe(Math.abs(Number(record.amount)))
        expect(tx.type).toBe(record.type)
        expect(tx.description).toBe(record.description)
        expect(tx.currency).toBe(record.currency)
        // Whatever category the record carries is not the adapter's business.
        expect(tx).not.toHaveProperty('category')
        expect(tx).not.toHaveProperty('subcategory')
      })
      if (inst.shape === 'multiregion') expect(txs.every((tx) => typeof tx.balance === 'number')).toBe(true)
      else {
        expect(txs.every((tx) => tx.balance === null)).toBe(true)
        expect(txs.some((tx) => tx.operationType)).toBe(true)
        expect(txs.some((tx) => tx.mcc !== null)).toBe(true)
      }
    })
  }

  it('reads merchant, MCC and counterparty document of an Open Finance record', () => {
    const [tx] = toEnrichTransactions(
      [
        {
          internal_identification: 'T1',
          account_internal_identification: 'A1',
          value_date: '2025-05-02',
          amount: 123.45,
          currency: 'BRL',
          description: 'PIX RECEBIDO MARIA',
          type: 'INFLOW',
          balance: null,
          merchant: { merchant_name: 'Maria', logo: null, website: null },
          category: 'Transfers',
          counterparty: { type: 'INDIVIDUAL', document_number: '73677831148', clearing_code: '001', agency: '1', check_digit: '1', number: '12345678' },
          operation_type: 'PIX',
          mcc: 5411,
        },
      ],
      'ofda',
    )
    expect(tx).toMatchObject({
      id: 'T1',
      accountId: 'A1',
      accountCategory: null,
      merchantName: 'Maria',
      mcc: 5411,
      counterpartyDocument: '73677831148',
      operationType: 'PIX',
      type: 'INFLOW',
      amount: 123.45,
    })
  })

  it('takes signed amounts and string amounts positive, the direction from type or sign, and drops unusable records', () => {
    const base = { account_internal_identification: 'A1', value_date: '2025-05-02', currency: 'MXN', description: 'X' }
    const txs = toEnrichTransactions(
      [
        { internal_identification: 'a', ...base, amount: -10.5, type: null, balance: '100.00' },
        { internal_identification: 'b', ...base, amount: '99.90', type: 'OUTFLOW' },
        { internal_identification: 'c', ...base, amount: 'n/a', type: 'OUTFLOW' },
        { internal_identification: 'd', ...base, value_date: null, amount: 1, type: 'OUTFLOW' },
        {
          internal_identification: 'e',
          value_date: '2025-05-02',
          amount: 1,
          type: 'OUTFLOW',
          account: { internal_identification: 'A9', category: 'CREDIT_CARD' },
        },
      ],
      'multiregion',
    )
    expect(txs.map((t) => [t.id, t.type, t.amount, t.balance, t.accountId, t.accountCategory])).toEqual([
      ['a', 'OUTFLOW', 10.5, 100, 'A1', null],
      ['b', 'OUTFLOW', 99.9, null, 'A1', null],
      ['e', 'OUTFLOW', 1, null, 'A9', 'CREDIT_CARD'],
    ])
  })

  it('reads account categories from the link stored accounts', () => {
    const categories = accountCategoriesOf(new Map([['A1', { id: 'x', wire: { category: 'SAVINGS_ACCOUNT' } }]]))
    expect(categories.get('A1')).toBe('SAVINGS_ACCOUNT')
  })
})

describe('fromEyodTransactions', () => {
  it('maps categorization and income verification items', () => {
    const txs = fromEyodTransactions([
      {
        transaction_id: 't1',
        account_holder_type: 'INDIVIDUAL',
        account_holder_id: 'h1',
        account_id: 'acc',
        account_category: 'CREDIT_CARD',
        value_date: '2022-11-18',
        description: 'APPL3STORE',
        type: 'OUTFLOW',
        amount: 650.89,
        currency: 'BRL',
        institution: 'BBVA',
        mcc: 5732,
      },
      {
        transaction_id: 't2',
        account_id: 'acc2',
        account_category: 'CHECKING_ACCOUNT',
        value_date: '2022-11-30',
        description: 'SALÁRIO MENSAL',
        amount: 5000,
        currency: 'BRL',
      },
    ])
    expect(txs).toEqual([
      {
        id: 't1',
        accountId: 'acc',
        accountCategory: 'CREDIT_CARD',
        valueDate: '2022-11-18',
        description: 'APPL3STORE',
        type: 'OUTFLOW',
        amount: 650.89,
        currency: 'BRL',
        balance: null,
        merchantName: null,
        mcc: 5732,
        counterpartyDocument: null,
      },
      {
        id: 't2',
        accountId: 'acc2',
        accountCategory: 'CHECKING_ACCOUNT',
        valueDate: '2022-11-30',
        description: 'SALÁRIO MENSAL',
        type: 'INFLOW',
        amount: 5000,
        currency: 'BRL',
        balance: null,
        merchantName: null,
        mcc: null,
        counterpartyDocument: null,
      },
    ])
  })
})
