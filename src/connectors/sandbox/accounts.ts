import type { InstitutionRecord } from '../types.ts'
import { civil, dayInMonth, formatDay, yearMonthOf, type Day } from './calendar.ts'
import { Bills, type BillInfo } from './bills.ts'
import { accountCategory, asOf, money, moneyString } from './format.ts'
import { gigPlatformOf } from './gig.ts'
import { isLiability, Ledger } from './ledger.ts'
import type { AccountPlan, World } from './world.ts'

/**
 * Accounts in both wire shapes: multi-region `Account` (1.59.0) and `AccountOpenFinanceBrazil`
 * (1.223.0), with the balances, credit card data and loan data the ledger implies at "today".
 */

/**
 * `public_identification_name` / `_value`, as the specs describe them per country and category:
 * - Brazilian checking and savings accounts: `AGENCY/ACCOUNT`, the agency and the account number
 *   with its check digit ("0444/45722-0", AccountOpenFinanceBrazil and Account in both specs);
 *   `number` and `check_digit` are the two halves of "45722-0".
 * - OFDA credit cards: `CREDIT_CARD_NUMBER`, the account's card numbers joined by commas
 *   ("8763,9076,5522"; the sandbox issues one card per account). OFDA loans: `NUMBER` (1.223.0
 *   example `AccountsOfdaLoanData`), the contract number.
 * - Mexican deposit accounts: the 18-digit `CLABE`, which embeds `number`; other Mexican and all
 *   Colombian accounts: `ACCOUNT_NUMBER` (1.59.0 examples `AccountsBankingLoan`,
 *   `AccountsBankingSavings`). Multi-region cards keep the last four digits.
 */
function publicIdentification(world: World, acct: AccountPlan): [string, string] {
  if (acct.kind === 'card') return ['CREDIT_CARD_NUMBER', acct.last4 ?? '']
  if (acct.kind === 'loan') return [world.shape === 'ofda' ? 'NUMBER' : 'ACCOUNT_NUMBER', acct.number]
  if (world.shape === 'ofda' || world.country === 'BR') return ['AGENCY/ACCOUNT', `${acct.agency}/${acct.number}-${acct.checkDigit}`]
  if (world.country === 'MX' && acct.clabe) return ['CLABE', acct.clabe]
  return ['ACCOUNT_NUMBER', acct.number]
}

interface CardState {
  current: number
  limit: number
  lastClosed: BillInfo | null
  nextCut: Day
  nextDue: Day
  lastPayment: Day | null
}

function cardState(world: World, ledger: Ledger, bills: Bills, card: AccountPlan): CardState {
  const today = world.today
  const ym = yearMonthOf(today)
  const closedYm = ledger.dayPosted(ledger.cutDay(card, ym)) ? ym : ym - 1
  const lastClosed = ledger.cutDay(card, closedYm) >= card.historyStart ? bills.get(card, closedYm) : null
  const nextCut = ledger.cutDay(card, closedYm + 1)
  let lastPayment: Day | null = null
  for (const m of [ym - 1, ym]) {
    for (const ev of ledger.month(card, m).events) if (ev.kind === 'card_payment_received' && ledger.posted(ev.day, ev.sec)) lastPayment = ev.day
  }
  return { current: ledger.balanceAt(card, today), limit: card.card!.limitCents, lastClosed, nextCut, nextDue: ledger.dueDay(card, closedYm + 1), lastPayment }
}

function annualRatePercent(monthly: number): number {
  return Math.round(monthly * 12 * 10_000) / 100
}

function creditDataMultiregion(world: World, s: CardState, card: AccountPlan) {
  return {
    credit_limit: money(s.limit),
    collected_at: asOf(world),
    cutting_date: formatDay(s.nextCut),
    next_payment_date: formatDay(s.nextDue),
    minimum_payment: s.lastClosed ? money(s.lastClosed.minimumCents) : 0,
    no_interest_payment: s.lastClosed ? money(Math.max(0, s.lastClosed.totalCents)) : 0,
    interest_rate: annualRatePercent(card.card!.monthlyInterest),
    monthly_payment: null,
    last_payment_date: s.lastPayment === null ? null : formatDay(s.lastPayment),
    last_period_balance: s.lastClosed ? moneyString(s.lastClosed.totalCents) : null,
  }
}

function creditDataOfda(world: World, s: CardState, card: AccountPlan) {
  const used = Math.max(0, s.current)
  return {
    collected_at: asOf(world),
    credit_limit: money(s.limit),
    limits: [
      {
        identification_number: card.last4,
        credit_limit: money(s.limit),
        used_amount: money(used),
        available_amount: money(Math.max(0, s.limit - used)),
        is_limit_flexible: false,
        type: 'TOTAL_LIMIT',
        consolidation_type: 'CONSOLIDADO',
        line_name: 'CREDITO_A_VISTA',
        line_name_additional_info: null,
      },
    ],
    cutting_date: formatDay(s.nextCut),
    minimum_payment: s.lastClosed ? money(s.lastClosed.minimumCents) : 0,
    network: card.card!.network,
    network_additional_info: null,
    cards: [{ is_multiple: false, identification_number: card.last4 }],
    // Open Finance Brasil does not report these (Belvo returns null for OFDA).
    next_payment_date: null,
    no_interest_payment: null,
    interest_rate: null,
    monthly_payment: null,
    last_payment_date: null,
  }
}

interface LoanState {
  outstanding: number
  paid: number
  pastDue: number
  lastPayment: Day | null
  nextDue: Day | null
}

function loanState(world: World, ledger: Ledger, loan: AccountPlan): LoanState {
  const status = ledger.loanStatus(loan, world.today)
  return { outstanding: Math.max(0, ledger.balanceAt(loan, world.today)), ...status }
}

function loanEndDay(loan: AccountPlan): Day {
  const plan = loan.loan!
  const startYm = yearMonthOf(plan.startDay)
  return dayInMonth(startYm + plan.installments, civil(plan.startDay).day)
}

function loanDataMultiregion(world: World, s: LoanState, acct: AccountPlan) {
  const plan = acct.loan!
  return {
    collected_at: asOf(world),
    contract_amount: money(plan.installmentCents * plan.installments),
    principal: money(plan.principalCents),
    loan_type: acct.productSubtype,
    payment_day: String(Math.min(civil(plan.startDay).day, 28)),
    outstanding_principal: money(s.outstanding),
    outstanding_balance: money(s.outstanding),
    monthly_payment: money(plan.installmentCents),
    interest_rates: [
      { name: 'TASA_ORDINARIA', type: 'MONTHLY', value: Math.round(plan.monthlyRate * 10_000) / 100 },
      { name: 'TASA_ANUAL', type: 'YEARLY', value: annualRatePercent(plan.monthlyRate) },
    ],
    fees: [{ type: 'OPERATION_FEE', value: money(Math.round(plan.principalCents * 0.02)) }],
    number_of_installments_total: plan.installments,
    number_of_installments_outstanding: plan.installments - s.paid,
    contract_start_date: formatDay(plan.startDay),
    contract_end_date: formatDay(loanEndDay(acct)),
    contract_number: plan.contractNumber,
    credit_limit: null,
    last_period_balance: null,
    interest_rate: annualRatePercent(plan.monthlyRate),
    limit_day: null,
    cutting_day: null,
    cutting_date: null,
    last_payment_date: s.lastPayment === null ? null : formatDay(s.lastPayment),
    next_payment_date: s.nextDue === null ? null : formatDay(s.nextDue),
    no_interest_payment: null,
  }
}

function loanDataOfda(world: World, s: LoanState, acct: AccountPlan) {
  const plan = acct.loan!
  const startYm = yearMonthOf(plan.startDay)
  const yearly = annualRatePercent(plan.monthlyRate)
  const total = plan.installmentCents * plan.installments
  return {
    collected_at: asOf(world),
    loan_code: plan.loanCode,
    contract_amount: money(total),
    total_effective_cost: money(Math.round(total * 1.035)),
    loan_type: acct.productSubtype,
    outstanding_balance: money(s.outstanding),
    interest_rates: [
      {
        name: 'NOMINAL',
        type: 'YEARLY',
        value: yearly,
        interest_rate_data: {
          tax_type: 'NOMINAL',
          rate_type: 'COMPOUND',
          type: 'YEARLY',
          calculation_base: '30/360',
          reference_index_type: 'PRE_FIXED',
          reference_index_subtype: 'PRE_FIXADO',
          reference_index_info: null,
          pre_fixed_rate: Math.round(yearly * 10_000) / 1_000_000,
          post_fixed_rate: 0,
          additional_info: null,
        },
      },
    ],
    fees: [
      {
        type: null,
        value: money(Math.round(plan.principalCents * 0.02)),
        name: 'Tarifa de cadastro',
        code: 'CADASTRO',
        fee_charge_type: 'SINGLE',
        fee_charge: 'FIXED',
        rate: null,
      },
    ],
    contracted_charges: [
      { type: 'LATE_PAYMENT_INTEREST_FEE', info: 'Juros de mora de 1% ao mês', rate: 0.01 },
      { type: 'LATE_PAYMENT_PENALTY_FEE', info: 'Multa de 2% sobre a parcela em atraso', rate: 0.02 },
    ],
    collaterals: [],
    balloon_payments: null,
    installments_contract_term_frequency: 'MONTH',
    installment_frequency: 'MONTHLY',
    installment_frequency_info: null,
    first_installment_due_date: formatDay(dayInMonth(startYm + 1, Math.min(civil(plan.startDay).day, 28))),
    number_of_installments_total: plan.installments,
    number_of_installments_outstanding: plan.installments - s.paid,
    number_of_installments_paid: s.paid,
    number_of_installments_past_due: s.pastDue,
    disbursement_dates: [formatDay(plan.startDay)],
    settlement_date: s.paid >= plan.installments && s.lastPayment !== null ? formatDay(s.lastPayment) : null,
    contract_start_date: formatDay(plan.startDay),
    contract_end_date: formatDay(loanEndDay(acct)),
    contract_remaining_frequency: 'MONTH',
    contract_remaining_total: plan.installments - s.paid,
    amortization_schedule: 'PRICE',
    amortization_schedule_info: null,
    consignee_id: null,
    contract_number: plan.contractNumber,
    monthly_payment: null,
    principal: null,
    payment_day: null,
    outstanding_principal: null,
    credit_limit: null,
    last_period_balance: null,
    interest_rate: null,
    limit_day: null,
    cutting_day: null,
    cutting_date: null,
    last_payment_date: null,
    no_interest_payment: null,
  }
}

export function accountRecords(world: World): InstitutionRecord[] {
  const ledger = new Ledger(world)
  const bills = new Bills(world, ledger)
  return world.accounts.map((acct) => {
    const current = ledger.balanceAt(acct, world.today)
    const card = acct.card ? cardState(world, ledger, bills, acct) : null
    const loan = acct.loan ? loanState(world, ledger, acct) : null
    const [idName, idValue] = publicIdentification(world, acct)
    const balanceType = isLiability(acct) ? 'LIABILITY' : 'ASSET'
    const available = card ? Math.max(0, card.limit - current) : Math.max(0, current)
    // Belvo's catalog type: a gig platform's is 'employment' (catalog.ts), every other sandbox account is a bank's.
    const institution = { name: world.institution, type: gigPlatformOf(world.institution) ? 'employment' : 'bank' }
    if (world.shape === 'ofda') {
      const overdraft =
        acct.kind === 'primary' && acct.overdraftLimitCents > 0
          ? {
              arranged: money(acct.overdraftLimitCents),
              used: money(Math.min(acct.overdraftLimitCents, Math.max(0, -current))),
              unarranged: money(Math.max(0, -current - acct.overdraftLimitCents)),
            }
          : null
      return {
        internal_identification: acct.internalId,
        institution,
        last_accessed_at: asOf(world),
        category: accountCategory(world, acct),
        balance_type: balanceType,
        overdraft,
        type: acct.productType,
        subtype: acct.productSubtype,
        name: acct.name,
        number: acct.number,
        agency: acct.agency,
        check_digit: acct.checkDigit,
        balance: { current: money(current), available: money(loan ? loan.outstanding : available), blocked: 0, automatically_invested: 0 },
        currency: world.locale.currency,
        public_identification_name: idName,
        public_identification_value: idValue,
        credit_data: card ? creditDataOfda(world, card, acct) : null,
        loan_data: loan ? loanDataOfda(world, loan, acct) : null,
        funds_data: null,
      }
    }
    return {
      internal_identification: acct.internalId,
      institution,
      category: accountCategory(world, acct),
      balance_type: balanceType,
      type: acct.productType,
      name: acct.name,
      number: acct.number,
      balance: { current: money(current), available: money(loan ? loan.outstanding : available) },
      currency: world.locale.currency,
      public_identification_name: idName,
      public_identification_value: idValue,
      last_accessed_at: asOf(world),
      credit_data: card ? creditDataMultiregion(world, card, acct) : null,
      loan_data: loan ? loanDataMultiregion(world, loan, acct) : null,
      funds_data: null,
      receivables_data: null,
      bank_product_id: acct.bankProductId,
    }
  })
}
