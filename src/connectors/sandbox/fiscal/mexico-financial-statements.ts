import type { InstitutionRecord } from '../../types.ts'
import { civil } from '../calendar.ts'
import type { World } from '../world.ts'
import { financialPosition, filedYears, pesos } from './mexico-tax-figures.ts'
import { mexicoTaxpayer } from './mexico-taxpayer.ts'

/**
 * The financial statements the SAT holds for the link's taxpayer (Belvo's `FinancialStatement`):
 * the balance sheet and income statement of each year whose yearly return is filed, the last five
 * (the years the SAT keeps at hand), oldest first.
 *
 * Belvo describes them as a company's; its schema and guides say nothing of persons. A person
 * with a business activity (régimen 612, the fiscal personas) keeps accounts of that business and
 * reports them in the yearly return too, so Ponte answers with the statements of that business:
 * its sales and purchases, and the income tax the business profit adds to the salary's.
 *
 * The income statement agrees with the yearly return: revenue is the year's sales (the return's
 * income), operating expenses its purchases (the return's deductions), income taxes the return's
 * ISR. Sales are domestic (every customer is Mexican), and the taxpayer has no cost of sales, no
 * financing and no discontinued operations, so those are zero; of each profit and loss pair, the
 * one that does not apply is null.
 */

/** How many years back the statements go. */
const YEARS = 5

/** The profit and the loss of a result: one of them applies, the other is null. */
function profitOrLoss(cents: number): [profit: number | null, loss: number | null] {
  return cents >= 0 ? [pesos(cents), null] : [null, pesos(-cents)]
}

export function financialStatementRecords(world: World): InstitutionRecord[] {
  const taxpayer = mexicoTaxpayer(world)
  const lastYear = civil(world.today).year - 1
  return filedYears(world, taxpayer, lastYear - YEARS + 1, lastYear).map((f) => {
    const p = financialPosition(world, taxpayer, f.year)
    const [grossProfit, grossLoss] = profitOrLoss(p.revenue)
    const [operatingIncome, operatingLoss] = profitOrLoss(p.incomeBeforeTaxes)
    const [netIncome, netLoss] = profitOrLoss(p.netIncome)
    const currentAssets = p.cash + p.receivables + p.taxRecoverable
    const currentLiabilities = p.bankLoans + p.incomeTaxPayable + p.taxesPayable
    return {
      internal_identification: `estados-financieros/${taxpayer.rfc}/${f.year}`,
      error: null,
      year: String(f.year),
      currency: 'MXN',
      balance_sheet: {
        current_assets: {
          cash_and_equivalents: pesos(p.cash),
          short_term_investments: 0,
          accounts_receivable: pesos(p.receivables),
          notes_receivable: 0,
          other_debtors: 0,
          bad_debt_provision: 0,
          tax_recoverable: pesos(p.taxRecoverable),
          inventory: 0,
          prepaid_expenses: 0,
          assets_available_for_sale: 0,
          total: pesos(currentAssets),
        },
        non_current_assets: {
          // Land: LISR art. 31 allows it no depreciation, so no deduction the return does not show.
          property_plant_and_equipment: pesos(p.land),
          accumulated_depreciation_and_amortization: 0,
          long_term_accounts_receivable: 0,
          prepayment_to_suppliers: 0,
          goodwill: 0,
          intangible_assets: 0,
          investments_in_associates: 0,
          long_term_financial_instruments: 0,
          total: pesos(p.land),
        },
        current_liabilities: {
          bank_loans: pesos(p.bankLoans),
          accounts_payable: 0,
          notes_payable: 0,
          financial_instruments: 0,
          other_creditors: 0,
          income_tax_payable: pesos(p.incomeTaxPayable),
          customer_advances: 0,
          provisions: 0,
          taxes_payable: pesos(p.taxesPayable),
          total: pesos(currentLiabilities),
        },
        non_current_liabilities: {
          long_term_accounts_payable: 0,
          long_term_financial_instruments: 0,
          deferred_revenue: 0,
          contributions_for_future_capital_increases: 0,
          deferred_income_tax: 0,
          employee_benefits: 0,
          long_term_provisions: 0,
          total: 0,
        },
        equity: {
          stockholders_equity: pesos(p.capital),
          future_capital_contributions: 0,
          legal_reserve: 0,
          capital_update_excess: 0,
          capital_update_insufficiency: 0,
          capital_reserve: 0,
          share_premium_on_stock_sales: 0,
          retained_earnings: pesos(p.retainedEarnings),
          other_comprehensive_income: 0,
          controlling_interest: pesos(p.equity),
          non_controlling_interest: 0,
          total: pesos(p.equity),
        },
      },
      income_statement: {
        net_revenue: pesos(p.revenue),
        domestic_sales: pesos(p.revenue),
        foreign_sales: 0,
        materials_used: 0,
        cost_of_goods_sold: 0,
        cost_of_services_sold: 0,
        gross_profit: grossProfit,
        gross_loss: grossLoss,
        operating_expenses: pesos(p.expenses),
        operating_income: operatingIncome,
        operating_loss: operatingLoss,
        financial_result: 0,
        income_statement_financial_gains: 0,
        income_statement_financial_costs: 0,
        equity_in_earnings_of_affiliates: 0,
        income_before_taxes: operatingIncome,
        loss_before_taxes: operatingLoss,
        income_taxes: pesos(p.incomeTaxes),
        income_from_continuing_operations: netIncome,
        loss_from_continuing_operations: netLoss,
        discontinued_operations: 0,
        net_income: netIncome,
        net_loss: netLoss,
      },
    }
  })
}
