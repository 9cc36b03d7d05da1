import { describe, expect, it } from 'vitest'
import { computeRiskInsights, type RiskAccount } from '../../../src/domain/enrichment/risk.ts'
import type { EnrichTransaction } from '../../../src/domain/enrichment/transactions.ts'
import { enrichTransaction } from '../../helpers/enrich.ts'

/**
 * Risk insights on a hand-made link, every expected figure worked out by hand below (the formulas
 * are those of docs/enrichment.md, "Risk insights"). A window of N days covers today and the N
 * days before it: with today 2024-06-30, 3d is 06-27..06-30 (4 days), 1w 06-23..06-30 (8 days),
 * 1m 05-31..06-30 (31 days), 3m 04-01..06-30 (91 days).
 */

const TODAY = '2024-06-30'

function tx(id: string, accountId: string, valueDate: string, type: 'INFLOW' | 'OUTFLOW', amount: number, description: string): EnrichTransaction {
  return enrichTransaction({ id, accountId, accountCategory: null, valueDate, description, type, amount })
}

const institution = { name: 'erebor_mx_retail', type: 'bank' }
const ACCOUNTS: RiskAccount[] = [
  {
    internalId: 'chk',
    wire: {
      id: 'acc-chk',
      category: 'CHECKING_ACCOUNT',
      currency: 'MXN',
      institution,
      balance: { current: 500, available: 500 },
      overdraft: { arranged: 2000, used: 500, unarranged: 0 },
    },
  },
  { internalId: 'sav', wire: { id: 'acc-sav', category: 'SAVINGS_ACCOUNT', currency: 'MXN', institution, balance: { current: 300, available: 300 } } },
  {
    internalId: 'card',
    wire: {
      id: 'acc-card',
      category: 'CREDIT_CARD',
      currency: 'MXN',
      institution,
      balance: { current: 2500, available: 7500 },
      credit_data: { credit_limit: 10000 },
    },
  },
  {
    internalId: 'loan',
    wire: {
      id: 'acc-loan',
      category: 'LOAN_ACCOUNT',
      currency: 'MXN',
      institution,
      balance: { current: 9000, available: 9000 },
      loan_data: { principal: 12000, outstanding_principal: 9000, monthly_payment: 1000 },
    },
  },
]

const TXS: EnrichTransaction[] = [
  tx('t1', 'chk', '2024-06-30', 'OUTFLOW', 100, 'OXXO SUC 123'),
  tx('t2', 'chk', '2024-06-29', 'INFLOW', 300, 'NOMINA QUINCENAL'),
  tx('t3', 'chk', '2024-06-28', 'OUTFLOW', 50, 'COMISION POR SALDO INSUFICIENTE'),
  // A transfer from checking to savings: both halves are left out of the cash flow.
  tx('t4', 'chk', '2024-06-25', 'OUTFLOW', 200, 'TRANSFERENCIA A AHORRO'),
  tx('t5', 'sav', '2024-06-25', 'INFLOW', 200, 'TRANSFERENCIA DE CHEQUES'),
  tx('t6', 'card', '2024-06-20', 'OUTFLOW', 400, 'AMAZON MX'),
  tx('t7', 'chk', '2024-05-31', 'INFLOW', 1000, 'NOMINA MENSUAL'),
  tx('t8', 'chk', '2024-04-01', 'OUTFLOW', 600, 'RENTA DEPTO'),
]

const categorize = (t: EnrichTransaction) =>
  t.description.startsWith('NOMINA')
    ? { category: 'Income & Payments', subcategory: 'Salary' }
    : t.description.startsWith('OXXO')
      ? { category: 'Food & Groceries', subcategory: 'Convenience Store' }
      : null

const result = computeRiskInsights(TXS, ACCOUNTS, { today: TODAY, categorize })
const insights = result.insights as Record<string, any>

describe('risk insights: account metrics', () => {
  it('assets: checking and savings accounts and their current balances', () => {
    expect(insights.accounts).toEqual(['acc-chk', 'acc-sav', 'acc-card', 'acc-loan'])
    expect(insights.assets_metrics).toEqual({
      institutions: ['erebor_mx_retail'],
      num_accounts: 2,
      num_assets_accounts: 2,
      num_checking_accounts: 1,
      num_savings_accounts: 1,
      checking_accounts_balance: 500,
      savings_accounts_balance: 300,
    })
  })

  it('credit cards: limit, amount used (the balance owed) and utilisation 2500 / 10000', () => {
    expect(insights.credit_cards_metrics).toEqual({ num_accounts: 1, sum_credit_limit: 10000, sum_credit_used: 2500, credit_card_limit_utilization: 0.25 })
  })

  it('a card without a balance uses its limit less what is available', () => {
    const card: RiskAccount = {
      internalId: 'c',
      wire: { category: 'CREDIT_CARD', balance: { current: null, available: 1500 }, credit_data: { credit_limit: 2000 } },
    }
    expect(computeRiskInsights([], [card], { today: TODAY }).insights.credit_cards_metrics).toEqual({
      num_accounts: 1,
      sum_credit_limit: 2000,
      sum_credit_used: 500,
      credit_card_limit_utilization: 0.25,
    })
  })

  it('loans: principal, outstanding principal (9000 / 12000), monthly payment, and the overdraft used (500 of 2000)', () => {
    expect(insights.loans_metrics).toEqual({
      num_accounts: 1,
      sum_loans_principal: 12000,
      sum_loans_outstanding_principal: 9000,
      sum_loans_monthly_payment: 1000,
      loan_limit_utilization: 0.75,
      overdraft_limit: 2000,
      overdraft_limit_utilization: 0.25,
    })
  })

  it('without loans or overdraft data, the sums and utilisations are null', () => {
    const loans = computeRiskInsights([], [ACCOUNTS[1]], { today: TODAY }).insights.loans_metrics
    expect(loans).toEqual({
      num_accounts: 0,
      sum_loans_principal: null,
      sum_loans_outstanding_principal: null,
      sum_loans_monthly_payment: null,
      loan_limit_utilization: null,
      overdraft_limit: null,
      overdraft_limit_utilization: null,
    })
  })
})

describe('risk insights: balances', () => {
  // End-of-day totals, walked back from today's balances (checking 500, savings 300):
  // 06-30 800; 06-29 900 (before t1's -100); 06-28 600 (before t2's +300); 06-25..06-27 650
  // (before t3's -50); 05-31..06-24 650 (checking 550 before t4, savings 100 before t5);
  // 04-01..05-30 -350 (checking -450 before t7's +1000, savings 100).
  const b = () => insights.balances_metrics

  it('closing balance and the 3-day window [650, 600, 900, 800]', () => {
    expect(b().closing_balance).toBe(800)
    expect(b().min_balance_3d).toBe(600)
    expect(b().max_balance_3d).toBe(900)
    expect(b().mean_balance_3d).toBe(737.5)
    // Deviations -87.5, -137.5, 162.5, 62.5: variance 56875 / 4 = 14218.75, std 119.24.
    expect(b().std_balance_3d).toBe(119.24)
    // Least squares over x = 0..3: Σ(x - 1.5)(y - 737.5) = 375, Σ(x - 1.5)² = 5, slope 75 a day.
    expect(b().balance_trend_3d).toBe(75)
    expect(b().days_balance_below_0_3d).toBe(0)
    expect(b().days_balance_below_mean_3d).toBe(2)
    expect(b().days_balance_below_x_3d).toBe(4)
    expect(b().balance_threshold_x).toBe(1000)
  })

  it('one week: 650 five times, 600, 900, 800', () => {
    expect(b().min_balance_1w).toBe(600)
    expect(b().max_balance_1w).toBe(900)
    expect(b().mean_balance_1w).toBe(693.75)
    // Σ squared deviations: 5 × 43.75² + 93.75² + 206.25² + 106.25² = 72187.5; / 8 = 9023.4375.
    expect(b().std_balance_1w).toBe(94.99)
    expect(b().days_balance_below_mean_1w).toBe(6)
  })

  it('one month: 650 on 28 days, then 600, 900, 800', () => {
    expect(b().mean_balance_1m).toBe(661.29) // 20500 / 31
    expect(b().days_balance_below_mean_1m).toBe(29)
    expect(b().days_balance_below_0_1m).toBe(0)
    expect(b().days_balance_below_x_1m).toBe(31)
  })

  it('three months add 60 overdrawn days at -350; longer windows stop at the first transaction', () => {
    expect(b().min_balance_3m).toBe(-350)
    expect(b().max_balance_3m).toBe(900)
    expect(b().mean_balance_3m).toBe(-5.49) // (20500 - 21000) / 91
    expect(b().days_balance_below_0_3m).toBe(60)
    expect(b().days_balance_below_mean_3m).toBe(60)
    expect(b().days_balance_below_x_3m).toBe(91)
    for (const name of ['min_balance', 'mean_balance', 'max_balance', 'std_balance', 'days_balance_below_0']) {
      expect(b()[`${name}_12m`]).toBe(b()[`${name}_3m`])
    }
    expect(result.explanation.daysOverdrawn12m).toBe(60)
  })

  it('no checking or savings account: no balance metrics', () => {
    expect(computeRiskInsights(TXS, [ACCOUNTS[2]], { today: TODAY }).insights.balances_metrics).toBeNull()
  })
})

describe('risk insights: transactions', () => {
  const t = () => insights.transactions_metrics

  it('counts, per-day maxima and per-day means over each window (all accounts, transfers included)', () => {
    // 3d: t1, t2, t3. 1w: + t4, t5 (both on 06-25). 1m: + t6, t7. 3m and longer: + t8.
    expect([t().num_transactions_3d, t().num_transactions_1w, t().num_transactions_1m, t().num_transactions_3m, t().num_transactions_12m]).toEqual([
      3, 5, 7, 8, 8,
    ])
    expect(t().max_num_transactions_1w).toBe(2)
    expect(t().max_num_outgoing_transactions_1w).toBe(1)
    expect(t().mean_num_transactions_3d).toBe(0.75) // 3 / 4 days
    expect(t().mean_num_transactions_1w).toBe(0.63) // 5 / 8
    expect(t().mean_num_transactions_1m).toBe(0.23) // 7 / 31
    expect(t().mean_num_transactions_12m).toBe(0.02) // 8 / 366
    expect(t().num_incoming_transactions_1m).toBe(3)
    expect(t().num_outgoing_transactions_3m).toBe(5)
    expect(t().mean_num_outgoing_transactions_1w).toBe(0.38) // 3 / 8
  })

  it('sums, maxima and means of the amounts in and out', () => {
    expect(t().sum_incoming_amount_3d).toBe(300)
    expect(t().sum_incoming_amount_1w).toBe(500)
    expect(t().mean_incoming_amount_1w).toBe(250)
    expect(t().sum_incoming_amount_1m).toBe(1500)
    expect(t().max_incoming_amount_1m).toBe(1000)
    expect(t().sum_outgoing_amount_3d).toBe(150)
    expect(t().mean_outgoing_amount_3d).toBe(75)
    expect(t().sum_outgoing_amount_1w).toBe(350)
    expect(t().mean_outgoing_amount_1w).toBe(116.67)
    expect(t().sum_outgoing_amount_3m).toBe(1350)
    expect(t().max_outgoing_amount_3m).toBe(600)
    expect(t().mean_outgoing_amount_3m).toBe(270)
  })

  it('quiet days, days since the last transactions, and the length of the history', () => {
    expect(t().days_without_transactions_3d).toBe(1) // 06-27
    expect(t().days_without_transactions_1w).toBe(4) // 8 days, transactions on 4
    expect(t().days_without_transactions_1m).toBe(25) // 31 days, transactions on 6
    expect(t().days_without_transactions_3m).toBe(84) // 91 days, transactions on 7
    expect(t().days_without_transactions_12m).toBe(359) // 366 days, transactions on 7
    expect(t().days_since_last_transaction).toBe(0)
    expect(t().days_since_last_incoming_transaction).toBe(1)
    expect(t().days_since_last_outgoing_transaction).toBe(0)
    expect(t().days_history).toBe(90)
  })

  it('no inflows in a window: their sum is 0, their maximum and mean null', () => {
    const only = computeRiskInsights([tx('o', 'chk', TODAY, 'OUTFLOW', 10, 'OXXO')], ACCOUNTS, { today: TODAY }).insights.transactions_metrics as Record<
      string,
      any
    >
    expect(only.sum_incoming_amount_1m).toBe(0)
    expect(only.max_incoming_amount_1m).toBeNull()
    expect(only.mean_incoming_amount_1m).toBeNull()
    expect(only.days_since_last_incoming_transaction).toBe(366)
  })

  it('ignores transactions after today', () => {
    const later = computeRiskInsights([...TXS, tx('f', 'chk', '2024-07-01', 'INFLOW', 5000, 'NOMINA')], ACCOUNTS, { today: TODAY })
    expect(later.insights).toEqual(computeRiskInsights(TXS, ACCOUNTS, { today: TODAY }).insights)
  })
})

describe('risk insights: cash flow', () => {
  const c = () => insights.cashflow_metrics

  it('leaves out transfers between the link’s own accounts', () => {
    expect(result.explanation.internalTransfers).toEqual([['t4', 't5']])
  })

  it('sums, maxima, means, ratio and net flow per window', () => {
    expect([c().sum_positive_3d, c().sum_negative_3d, c().net_cashflow_3d, c().positive_to_negative_ratio_3d]).toEqual([300, 150, 150, 2])
    // 1m: in 300 + 1000; out 100 + 50 + 400 (the card purchase).
    expect([c().sum_positive_1m, c().sum_negative_1m, c().net_cashflow_1m]).toEqual([1300, 550, 750])
    expect(c().positive_to_negative_ratio_1m).toBe(2.36) // 1300 / 550
    expect([c().max_positive_1m, c().max_negative_1m, c().mean_positive_1m, c().mean_negative_1m]).toEqual([1000, 400, 650, 183.33])
    expect([c().sum_negative_3m, c().max_negative_3m, c().mean_negative_3m, c().net_cashflow_3m]).toEqual([1150, 600, 287.5, 150])
  })

  it('trends compare with the window before: 1w against 06-15..06-22 (the 400 card purchase)', () => {
    expect(c().sum_negative_trend_1w).toBe(-62.5) // (150 - 400) / 400
    expect(c().net_cashflow_trend_1w).toBe(137.5) // (150 - -400) / 400
    // Nothing came in the week before: no percentage to give.
    expect(c().sum_positive_trend_1w).toBeNull()
    // The 3 months before 04-01 are not in the history.
    expect(c().sum_negative_trend_3m).toBeNull()
  })

  it('a history of twice the window gives its trend: 1m against the 31 days before', () => {
    // 06-20 in 100 (this month); 05-21 in 50 and 05-01 out 10 (the month before); history 60 days.
    const c1m = computeRiskInsights(
      [tx('a', 'chk', '2024-06-20', 'INFLOW', 100, 'X'), tx('b', 'chk', '2024-05-21', 'INFLOW', 50, 'X'), tx('c', 'chk', '2024-05-01', 'OUTFLOW', 10, 'X')],
      ACCOUNTS,
      { today: TODAY },
    ).insights.cashflow_metrics as Record<string, any>
    expect(c1m.sum_positive_trend_1m).toBe(100) // (100 - 50) / 50
    expect(c1m.sum_negative_trend_1m).toBe(-100) // (0 - 10) / 10
    expect(c1m.net_cashflow_trend_1m).toBe(150) // (100 - 40) / 40
    expect(c1m.sum_positive_trend_3m).toBeNull()
  })

  it('windows longer than the history allows are null (90 days of history: up to 3m)', () => {
    expect(c().sum_positive_3m).toBe(1300)
    expect(c().sum_positive_6m).toBeNull()
    expect(c().net_cashflow_12m).toBeNull()
  })

  it('no outflows: the ratio is null', () => {
    const only = computeRiskInsights([tx('i', 'chk', TODAY, 'INFLOW', 10, 'X')], ACCOUNTS, { today: TODAY }).insights.cashflow_metrics as Record<string, any>
    expect(only.positive_to_negative_ratio_3d).toBeNull()
    expect(only.sum_positive_3d).toBe(10)
  })
})

describe('risk insights: insufficient funds and categories', () => {
  it('counts the NSF fee and sums it, by window', () => {
    const nsf = result.explanation.insufficientFunds
    expect(nsf.events).toEqual([{ transactionId: 't3', date: '2024-06-28', amount: 50 }])
    expect(nsf.count['3d']).toBe(1)
    expect(nsf.sumFees['12m']).toBe(50)
    const other = computeRiskInsights(
      [
        tx('a', 'chk', TODAY, 'OUTFLOW', 35, 'Tarifa de devolução de cheque sem fundos'),
        tx('b', 'chk', TODAY, 'OUTFLOW', 20, 'NSF FEE'),
        tx('c', 'chk', TODAY, 'OUTFLOW', 20, 'COMISION ANUALIDAD'),
        tx('d', 'chk', TODAY, 'INFLOW', 20, 'FONDOS INSUFICIENTES REVERSO'),
      ],
      ACCOUNTS,
      { today: TODAY },
    ).explanation.insufficientFunds
    expect(other.events.map((e) => e.transactionId)).toEqual(['a', 'b'])
    expect(other.sumFees['3d']).toBe(55)
  })

  it('category metrics over 3 months: net amount, share of categorized inflows', () => {
    expect(insights.category_metrics).toEqual([
      { category: 'Food & Groceries', subcategory: 'Convenience Store', net_amount_3m: -100, category_inflow_ratio_3m: -0.0769, trend_3m: null },
      { category: 'Income & Payments', subcategory: 'Salary', net_amount_3m: 1300, category_inflow_ratio_3m: 1, trend_3m: null },
    ])
  })

  it("leaves out what the categorizer could not identify (Belvo's Unknown)", () => {
    const unknownToo = (t: EnrichTransaction) => categorize(t) ?? { category: 'Unknown', subcategory: null }
    expect(computeRiskInsights(TXS, ACCOUNTS, { today: TODAY, categorize: unknownToo }).insights.category_metrics).toEqual(insights.category_metrics)
  })

  it('without a categorizer there are no category metrics', () => {
    expect(computeRiskInsights(TXS, ACCOUNTS, { today: TODAY }).insights.category_metrics).toEqual([])
  })

  it('no transactions at all: zero counts, null amounts, balances flat at today’s', () => {
    const empty = computeRiskInsights([], ACCOUNTS, { today: TODAY }).insights as Record<string, any>
    expect(empty.transactions_metrics.num_transactions_12m).toBe(0)
    expect(empty.transactions_metrics.days_history).toBe(0)
    expect(empty.balances_metrics.mean_balance_12m).toBe(800)
    expect(empty.balances_metrics.balance_trend_3d).toBeNull()
    expect(empty.cashflow_metrics.sum_positive_3d).toBe(0)
    expect(empty.cashflow_metrics.sum_positive_1w).toBeNull()
  })
})
