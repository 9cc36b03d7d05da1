import type { InstitutionRecord } from '../../types.ts'
import { formatDay } from '../calendar.ts'
import type { World } from '../world.ts'
import { financialPosition, filedYears, pesos, type YearFigures } from './mexico-tax-figures.ts'
import { mexicoTaxpayer, type MexicoTaxpayer } from './mexico-taxpayer.ts'
import { taxReturnRecords } from './mexico-tax-returns.ts'

/**
 * Belvo's legacy tax declarations (`/api/tax-declarations/`, 1.35.0: `TaxDeclarationIndividual`
 * and `TaxDeclarationBusiness`): the yearly returns of the same years in the older, language-
 * neutral shape, with the same figures as `/api/tax-returns/` (mexico-tax-figures.ts). The
 * shape comes from forms with a patrimony and a tax assessment section; the SAT's yearly return
 * maps onto it as follows: the gross equity, debts and net equity are the balance sheet's assets,
 * liabilities and equity; salary is earned income and the professional activity fee-based
 * income; the withheld tax is everything credited against the year's ISR (withholdings and
 * provisional payments), so the payable or refundable balance is the return's.
 */

function documentInformation(f: YearFigures, business: boolean) {
  return {
    name: business ? 'Declaración Anual Personas Morales' : 'Declaración Anual Personas Físicas',
    type: 'Normal',
    form_number: f.filing.operationNumber,
    year: f.year,
  }
}

function reportingId(taxpayer: MexicoTaxpayer) {
  return { reporting_type: 'RFC', reporting_value: taxpayer.rfc }
}

function individual(world: World, taxpayer: MexicoTaxpayer, f: YearFigures) {
  const p = financialPosition(world, taxpayer, f.year)
  const credited = f.withheldIsr + f.provisionalPayments
  return {
    document_information: documentInformation(f, false),
    tax_payer_information: {
      first_last_name: taxpayer.lastName ?? '',
      second_last_name: taxpayer.secondLastName ?? '',
      first_name: (taxpayer.firstName ?? '').split(' ')[0],
      other_names: (taxpayer.firstName ?? '').split(' ').slice(1).join(' '),
      main_economic_activity: taxpayer.activities[0]?.description ?? '',
      document_id: { document_type: 'CURP', document_number: taxpayer.curp ?? '' },
      reporting_id: reportingId(taxpayer),
    },
    equity_statement: { total_gross_equity: pesos(p.assets), total_debts: pesos(p.liabilities), total_net_equity: pesos(p.equity) },
    annual_income_statement: {
      gross_income: { earned_income: pesos(f.salary), fee_based_income: pesos(f.income), capital_income: 0, non_labor_income: 0 },
      non_taxable_income: { earned_income: 0, fee_based_income: 0, capital_income: 0, non_labor_income: 0 },
      net_income: { earned_income: pesos(f.salary), fee_based_income: pesos(f.profit), capital_income: 0, non_labor_income: 0 },
      annual_totals: {
        total_exempt_income: 0,
        total_applicable_deductions: pesos(f.deductions),
        total_exemptions_and_deductions: pesos(f.deductions),
        total_ordinary_net_income: pesos(f.taxableBase),
      },
    },
    pension_income_statement: { net_pension_income: 0, net_taxable_pension_income: 0 },
    tax_assessment: {
      fortuitous_profit_tax: 0,
      total_tax_on_taxable_net_income: pesos(f.isrCaused),
      net_income_tax: pesos(f.isrCaused),
      total_tax_due: pesos(f.isrCaused),
      previous_year_balance: 0,
      total_withheld_tax: pesos(credited),
      balance_payable: pesos(f.isrDue),
      balance_refundable: pesos(f.isrInFavor),
      total_payment: pesos(f.isrDue),
    },
  }
}

function business(world: World, taxpayer: MexicoTaxpayer, f: YearFigures) {
  const p = financialPosition(world, taxpayer, f.year)
  return {
    document_information: documentInformation(f, true),
    tax_payer_information: {
      first_last_name: null,
      second_last_name: null,
      first_name: null,
      other_names: null,
      company_name: taxpayer.legalForm ? `${taxpayer.name} ${taxpayer.legalForm}` : taxpayer.name,
      main_economic_activity: taxpayer.activities[0]?.description ?? '',
      document_id: { document_type: 'RFC', document_number: taxpayer.rfc },
      reporting_id: reportingId(taxpayer),
    },
    equity_statement: {
      cash_and_cash_equivalents: pesos(p.cash),
      investments_and_derivative_financial_instruments: 0,
      accounts_documents_and_finance_leases_receivable: pesos(p.receivables),
      inventory: 0,
      property_plant_and_equipment_investment_properties: pesos(p.land),
      total_gross_equity: pesos(p.assets),
      debts: pesos(p.liabilities),
      total_net_equity: pesos(p.equity),
    },
    annual_income_statement: {
      gross_income_from_ordinary_activities: pesos(f.income),
      dividends: 0,
      other_income: 0,
      total_gross_income: pesos(f.income),
      returns_rebates_and_discounts_on_sales: 0,
      total_net_income: pesos(f.income),
    },
    annual_costs_and_deductions_statement: {
      costs: 0,
      administration_expenses: pesos(f.deductions),
      distribution_and_sales_expenses: 0,
      financial_expenses: 0,
      total_costs_and_deductible_expenses: pesos(f.deductions),
    },
    tax_assessment: {
      net_income_taxable: pesos(f.taxableBase),
      fortuitous_profit_tax: 0,
      total_tax_on_taxable_net_income: pesos(f.isrCaused),
      net_income_tax: pesos(f.isrCaused),
      total_tax_due: pesos(f.isrCaused),
      total_withholdings_for_the_taxable_year_to_be_declared: pesos(f.provisionalPayments),
      // Required by Belvo's schema though not among its properties: the ISR others withheld, none for a company's income.
      total_withheld_tax: pesos(f.withheldIsr),
      total_balance_payable: pesos(f.isrDue),
      total_balance_in_favor: pesos(f.isrInFavor),
      total_payment: pesos(f.isrDue),
    },
  }
}

/** The yearly declarations of `yearFrom`..`yearTo` filed by today, oldest first; with `attachPdf`, the yearly return's acknowledgement. */
export function taxDeclarationRecords(
  world: World,
  request: { yearFrom: number; yearTo: number; attachPdf: boolean },
): InstitutionRecord[] | AsyncIterable<InstitutionRecord[]> {
  const taxpayer = mexicoTaxpayer(world)
  const records: InstitutionRecord[] = filedYears(world, taxpayer, request.yearFrom, request.yearTo).map((f) => ({
    internal_identification: `declaracion-anual/${taxpayer.rfc}/${f.year}`,
    ...(taxpayer.kind === 'BUSINESS' ? business(world, taxpayer, f) : individual(world, taxpayer, f)),
    date_issued: formatDay(f.filing.day),
    pdf: null,
  }))
  if (!request.attachPdf || records.length === 0) return records
  // The same document as the yearly tax return's: one return, one acknowledgement.
  const returns = taxReturnRecords(world, { type: 'yearly', yearFrom: request.yearFrom, yearTo: request.yearTo, attachPdf: true })
  return (async function* () {
    const pdfs = new Map<string, unknown>()
    for await (const batch of returns as AsyncIterable<InstitutionRecord[]>) for (const r of batch) pdfs.set(r.internal_identification, r.pdf)
    yield records.map((r) => ({ ...r, pdf: pdfs.get(r.internal_identification) ?? null }))
  })()
}
