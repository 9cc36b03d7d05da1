import type { InstitutionRecord } from '../../types.ts'
import { formatDay, monthStart, yearMonthOf } from '../calendar.ts'
import { Rng, seedKey } from '../random.ts'
import type { World } from '../world.ts'
import { chileTaxpayer } from './chile-taxpayer.ts'

/**
 * The link's taxpayer's debts with the Chilean financial system (Belvo's `debt_chile`, the CMF's
 * "informe de deudas"): one report, as of the last monthly update the regulator published before
 * the sandbox day. Each debt's amount is the sum of its current and past-due parts, and the
 * report's totals are the sums over the direct debts; the person is the taxpayer of the tax status.
 */

const BANKS = ['Banco de Chile', 'Banco Santander', 'Banco BCI', 'Scotiabank Chile', 'Banco Estado', 'Banco Itaú Chile']

interface Debt {
  financial_institution: string
  credit_type: string
  amount: number
  current: number | null
  delinquent: number | null
  severely_delinquent: number | null
  defaulted: number | null
}

/** A debt whose amount is its parts; a part the person does not have is null, as Belvo reports it. */
function debt(institution: string, creditType: string, parts: { current: number; delinquent?: number; severely?: number; defaulted?: number }): Debt {
  const part = (value: number | undefined) => (value ? value : null)
  return {
    financial_institution: institution,
    credit_type: creditType,
    amount: parts.current + (parts.delinquent ?? 0) + (parts.severely ?? 0) + (parts.defaulted ?? 0),
    current: part(parts.current),
    delinquent: part(parts.delinquent),
    severely_delinquent: part(parts.severely),
    defaulted: part(parts.defaulted),
  }
}

const sum = (debts: Debt[], key: 'amount' | 'current' | 'delinquent' | 'severely_delinquent' | 'defaulted') =>
  debts.reduce((total, d) => total + (d[key] ?? 0), 0)

/** Whole thousands of pesos, as the CMF reports debts. */
const thousands = (rng: Rng, low: number, high: number) => rng.int(low, high) * 1000

export function chileDebtReportRecords(world: World, login: string): InstitutionRecord[] {
  if (world.profile.kind === 'nodata') return []
  const taxpayer = chileTaxpayer(world, login)
  // The CMF publishes each month's debts early the next month: the report is as of the last month's first day.
  const asOf = monthStart(yearMonthOf(world.today) - 1)
  const rng = new Rng(seedKey(world.key, 'cl-debt-report', formatDay(asOf)))
  const [mortgageBank, consumerBank, cardBank] = rng.shuffled(BANKS)
  const low = world.profile.kind === 'low'
  const direct: Debt[] = low
    ? [debt(consumerBank, 'Consumo', { current: thousands(rng, 300, 1_500), delinquent: thousands(rng, 50, 200) })]
    : [
        debt(mortgageBank, 'Vivienda', { current: thousands(rng, 25_000, 80_000) }),
        debt(consumerBank, 'Consumo', { current: thousands(rng, 1_000, 6_000) }),
        debt(cardBank, 'Comercial', { current: thousands(rng, 2_000, 9_000), severely: rng.chance(0.3) ? thousands(rng, 100, 600) : 0 }),
      ]
  // Guaranteeing a relative's loan: owed by someone else, so it is not in the person's totals.
  const indirect: Debt[] = low ? [] : [debt(rng.pick(BANKS), 'Consumo', { current: thousands(rng, 500, 3_000) })]
  return [
    {
      internal_identification: `debt-report/${taxpayer.rut}/${formatDay(asOf)}`,
      personal_data: { full_name: `${taxpayer.surnames.join(' ')} ${taxpayer.givenNames}`, document_id_type: 'RUT', document_id_number: taxpayer.rut },
      debt_data_last_update: formatDay(asOf),
      currency: 'CLP',
      total: sum(direct, 'amount'),
      current: sum(direct, 'current'),
      delinquent: sum(direct, 'delinquent') || null,
      severely_delinquent: sum(direct, 'severely_delinquent') || null,
      defaulted: sum(direct, 'defaulted') || null,
      direct_debts: direct,
      indirect_debts: indirect,
      credit_lines: [{ financial_institution: cardBank, direct_amount: low ? thousands(rng, 200, 800) : thousands(rng, 3_000, 12_000), indirect_amount: null }],
      other_credits: [],
    },
  ]
}
