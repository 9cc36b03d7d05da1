import type { InstitutionRecord, Period } from '../../types.ts'
import { addMonths, formatDay, monthOf, monthTag, parseDay, yearMonthOf, yearOf, type Day } from '../calendar.ts'
import { cnpj, plainUpper } from '../documents.ts'
import { money } from '../format.ts'
import { hashHex, Rng, seedKey, withFaker } from '../random.ts'
import { REFERENCE_DAY, type World } from '../world.ts'

/**
 * A Brazilian worker's formal employments as the INSS reports them (Belvo `EmploymentBrazil`):
 * the employers (valid CNPJ, CNAE activity), the occupations held (CBO), and the monthly salaries
 * with the INSS contribution withheld by the progressive table, plus the thirteenth salary each
 * December. Anchored to REFERENCE_DAY like the rest of the sandbox; today only cuts the story,
 * and a retrieval returns the employments that overlap its period, with that period's salaries.
 */

/** CNAE activities (code - description, as the CNIS prints them). */
const ACTIVITIES = [
  '6421-2/00 - BANCOS COMERCIAIS',
  '4711-3/02 - COMERCIO VAREJISTA DE MERCADORIAS EM GERAL',
  '6201-5/01 - DESENVOLVIMENTO DE PROGRAMAS DE COMPUTADOR SOB ENCOMENDA',
  '8610-1/01 - ATIVIDADES DE ATENDIMENTO HOSPITALAR',
  '4930-2/02 - TRANSPORTE RODOVIARIO DE CARGA',
  '5611-2/01 - RESTAURANTES E SIMILARES',
]

/** CBO occupations, junior then senior, with the ministry's title. */
const CAREERS: [string, string][][] = [
  [
    ['4110-10', 'ASSISTENTE ADMINISTRATIVO'],
    ['2524-05', 'ANALISTA DE RECURSOS HUMANOS'],
  ],
  [
    ['3171-10', 'PROGRAMADOR DE SISTEMAS DE INFORMACAO'],
    ['2124-05', 'ANALISTA DE DESENVOLVIMENTO DE SISTEMAS'],
  ],
  [
    ['5211-10', 'VENDEDOR DE COMERCIO VAREJISTA'],
    ['5201-10', 'SUPERVISOR DE VENDAS DE COMERCIO VAREJISTA'],
  ],
  [
    ['4132-05', 'AUXILIAR DE CONTABILIDADE'],
    ['2522-10', 'CONTADOR'],
  ],
]

/** INSS employee contribution (2025 table): progressive rates by salary band, up to the ceiling. */
const INSS_BANDS: [number, number][] = [
  [151_800, 0.075],
  [279_388, 0.09],
  [419_083, 0.12],
  [815_741, 0.14],
]

export function inssContributionCents(salaryCents: number): number {
  let total = 0
  let floor = 0
  for (const [ceiling, rate] of INSS_BANDS) {
    if (salaryCents <= floor) break
    total += (Math.min(salaryCents, ceiling) - floor) * rate
    floor = ceiling
  }
  return Math.round(total)
}

interface Occupation {
  code: string
  title: string
  start: Day
  end: Day | null
  monthlyCents: number
}

interface BrJob {
  internalId: string
  name: string
  cnpj: string
  activity: string
  start: Day
  end: Day | null
  occupations: Occupation[]
}

function jobsOf(world: World): BrJob[] {
  const kind = world.profile.kind
  if (kind === 'nodata') return []
  const rng = new Rng(seedKey(world.key, 'cnis'))
  const companies = withFaker('BR', seedKey(world.key, 'br-employers'), (faker) => Array.from({ length: 4 }, () => faker.company.name()))
  const count = kind === 'low' ? 1 : 3
  let start = addMonths(REFERENCE_DAY, -(kind === 'low' ? rng.int(12, 24) : rng.int(84, 120)))
  let monthlyCents = (kind === 'low' ? 160_000 : 250_000) + rng.int(0, 100) * 1_000
  const jobs: BrJob[] = []
  for (let index = 0; index < count; index++) {
    const last = index === count - 1
    let end: Day | null = last ? null : addMonths(start, rng.int(24, 40)) - 1
    // A "negative" worker lost the last job some months before REFERENCE_DAY.
    if (last && kind === 'negative') end = addMonths(REFERENCE_DAY, -rng.int(3, 8))
    const career = rng.pick(CAREERS)
    const occupations: Occupation[] = [{ code: career[0][0], title: career[0][1], start, end, monthlyCents }]
    // A promotion after a year and a half in the longer jobs, with a raise.
    const promotion = addMonths(start, 18)
    if (end === null || end > addMonths(promotion, 6)) {
      occupations[0].end = promotion - 1
      monthlyCents = Math.round((monthlyCents * (1.15 + rng.next() * 0.15)) / 1_000) * 1_000
      occupations.push({ code: career[1][0], title: career[1][1], start: promotion, end, monthlyCents })
    }
    const name = `${plainUpper(companies[index]).split(' ').slice(0, 2).join(' ')} LTDA`
    jobs.push({
      internalId: hashHex(seedKey(world.key, 'cnis-job', index), 32),
      name,
      cnpj: cnpj(rng),
      activity: rng.pick(ACTIVITIES),
      start,
      end,
      occupations,
    })
    if (end === null) break
    start = end + 1 + rng.int(20, 150)
    monthlyCents = Math.round((monthlyCents * (1.05 + rng.next() * 0.15)) / 1_000) * 1_000
  }
  return jobs
}

/** The salary of a month: the occupation held at its end (or at the job's end, the last month). */
function salaryOfMonth(job: BrJob, ym: number): number | null {
  const monthEnd = parseDay(`${yearOf(ym)}-${String(monthOf(ym)).padStart(2, '0')}-01`)
  const held = job.occupations.filter((o) => o.start <= addMonths(monthEnd, 1) - 1 && (o.end === null || o.end >= monthEnd))
  return held.length ? held[held.length - 1].monthlyCents : null
}

function salaryWire(cents: number, ym: number, type: 'REGULAR' | 'THIRTEENTH') {
  return {
    base_amount: money(cents),
    retained_amount: money(inssContributionCents(cents)),
    type,
    month: monthTag(ym).replace(/^(\d{4})(\d{2})$/, '$1-$2'),
    currency: 'BRL',
  }
}

export function employmentBrazilRecords(world: World, period: Period): InstitutionRecord[] {
  const today = world.today
  const from = parseDay(period.dateFrom)
  const to = Math.min(parseDay(period.dateTo), today)
  const out: InstitutionRecord[] = []
  for (const job of jobsOf(world)) {
    if (job.start > today) continue
    const end = job.end !== null && job.end <= today ? job.end : null
    if (job.start > to || (end !== null && end < from)) continue
    const salaries = []
    // Paid month by month for the months worked within the period, and the thirteenth in December.
    for (let ym = yearMonthOf(Math.max(job.start, from)); ym <= yearMonthOf(Math.min(end ?? to, to)); ym++) {
      const cents = salaryOfMonth(job, ym)
      if (cents === null) continue
      salaries.push(salaryWire(cents, ym, 'REGULAR'))
      if (monthOf(ym) === 12) salaries.push(salaryWire(cents, ym, 'THIRTEENTH'))
    }
    out.push({
      internal_identification: job.internalId,
      start_date: formatDay(job.start),
      end_date: end === null ? null : formatDay(end),
      employer_data: { name: job.name, code: job.cnpj, economic_activity: job.activity },
      occupations: job.occupations
        .filter((o) => o.start <= today)
        .map((o) => ({
          start_date: formatDay(o.start),
          end_date: o.end === null || o.end > today ? null : formatDay(o.end),
          description: `${o.title} - ${o.code}`,
          name: o.title,
          locale: 'Urbana',
        })),
      salaries,
    })
  }
  return out
}
