import type { FetchParams, InstitutionRecord } from '../../types.ts'
import { addMonths, formatDay, parseDay, type Day } from '../calendar.ts'
import { money } from '../format.ts'
import { DAYS_PER_MONTH } from './worker.ts'

/**
 * Employment metrics (Belvo `EmploymentMetric`), computed from the link's stored employment
 * records (`params.basedOn`, their wire bodies) as of the reference date, never from the sandbox's
 * own worker: the metrics are what Belvo's definitions (the data dictionary) make of the records
 * the user was given, so the two always agree. Salary changes count when they exceed 2%, as
 * Belvo's.
 */

type Json = Record<string, any>

/** Belvo counts a salary change as an increase or a decrease only above 2%. */
const CHANGE_THRESHOLD = 0.02

interface Stint {
  employerId: string
  start: Day
  /** Last day within the reference date (the reference date itself while it lasts). */
  end: Day
  ongoing: boolean
  /** Daily base salaries in force from each day on, oldest first. */
  salaries: { day: Day; daily: number }[]
}

interface Change {
  day: Day
  from: number
  to: number
  /** Within the last job, or on moving into it. */
  lastJob: boolean
  intoLastJob: boolean
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000

function stintsOf(record: Json, reference: Day): Stint[] {
  const jobs = (record.employment_records as Json[] | null) ?? []
  return jobs
    .filter((job) => parseDay(job.start_date) <= reference)
    .map((job) => {
      const start = parseDay(job.start_date)
      const ended = job.end_date !== null && parseDay(job.end_date) <= reference
      const updates = ((job.employment_status_updates as Json[] | null) ?? []).filter((u) => u && parseDay(u.update_date) <= reference)
      const salaries = updates.filter((u) => u.event !== 'DISMISSED_RESIGNED').map((u) => ({ day: parseDay(u.update_date), daily: Number(u.base_salary) }))
      if (salaries.length === 0) salaries.push({ day: start, daily: Number(job.most_recent_base_salary) })
      return { employerId: String(job.employer_id ?? job.employer), start, end: ended ? parseDay(job.end_date) : reference, ongoing: !ended, salaries }
    })
    .sort((a, b) => a.start - b.start)
}

function salaryOn(stints: Stint[], day: Day): number | null {
  // With several employers, the latest job's salary: Belvo's "latest base salary".
  const active = stints.filter((s) => s.start <= day && day <= s.end)
  if (active.length === 0) return null
  const job = active[active.length - 1]
  return [...job.salaries].reverse().find((s) => s.day <= day)?.daily ?? job.salaries[0].daily
}

function changesOf(stints: Stint[]): Change[] {
  const changes: Change[] = []
  stints.forEach((stint, index) => {
    const last = index === stints.length - 1
    if (index > 0) {
      const before = stints[index - 1].salaries
      changes.push({ day: stint.start, from: before[before.length - 1].daily, to: stint.salaries[0].daily, lastJob: false, intoLastJob: last })
    }
    for (let i = 1; i < stint.salaries.length; i++) {
      changes.push({ day: stint.salaries[i].day, from: stint.salaries[i - 1].daily, to: stint.salaries[i].daily, lastJob: last, intoLastJob: false })
    }
  })
  return changes
}

const isIncrease = (c: Change) => c.to > c.from * (1 + CHANGE_THRESHOLD)
const isDecrease = (c: Change) => c.to < c.from * (1 - CHANGE_THRESHOLD)

function counted(changes: Change[], keep: (c: Change) => boolean): [number, number] {
  const kept = changes.filter(keep)
  return [kept.filter(isIncrease).length, kept.filter(isDecrease).length]
}

/** Monthly salaries (daily base x 30.4) at each month's end over the `years` before the reference date, employed months only. */
function monthlySalaries(stints: Stint[], reference: Day, years: number): number[] {
  const out: number[] = []
  for (let m = 0; m < 12 * years; m++) {
    const daily = salaryOn(stints, addMonths(reference, -m))
    if (daily !== null) out.push(Math.round(daily * DAYS_PER_MONTH * 100) / 100)
  }
  return out
}

function fullYears(birth: string, reference: Day): number {
  const ref = formatDay(reference)
  const years = Number(ref.slice(0, 4)) - Number(birth.slice(0, 4))
  return ref.slice(5) < birth.slice(5) ? years - 1 : years
}

function metricsOf(record: Json, reference: Day, referenceDate: string | null): InstitutionRecord {
  const stints = stintsOf(record, reference)
  const current = stints.filter((s) => s.ongoing)
  const last = stints[stints.length - 1]
  // Days covered by at least one job, and by more than one.
  const cover = new Map<Day, number>()
  for (const s of stints) for (let d = s.start; d <= s.end; d++) cover.set(d, (cover.get(d) ?? 0) + 1)
  const coveredDays = cover.size
  const multipleDays = [...cover.values()].filter((n) => n > 1).length
  // Gaps between one job's end and the next start (jobs merged where they overlap).
  const gaps: number[] = []
  let reach = stints[0]?.end
  for (const s of stints.slice(1)) {
    if (s.start > reach! + 1) gaps.push(s.start - reach! - 1)
    reach = Math.max(reach!, s.end)
  }
  const changes = changesOf(stints)
  const within = (years: number) => (c: Change) => c.day > addMonths(reference, -12 * years)
  const salaryNow = salaryOn(stints, reference)
  const yearly = (years: number) => {
    const then = salaryOn(stints, addMonths(reference, -12 * years))
    return salaryNow === null || then === null ? null : Math.round((salaryNow / then - 1) * 10_000) / 100
  }
  const monthly = (years: number) => {
    const values = monthlySalaries(stints, reference, years)
    if (values.length === 0) return { min: null, average: null, max: null }
    return { min: Math.min(...values), average: Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100, max: Math.max(...values) }
  }
  const [m1, m3, m5] = [monthly(1), monthly(3), monthly(5)]
  const uniqueEmployers = new Set(stints.map((s) => s.employerId)).size
  const careerYears = stints.length ? (reference - stints[0].start + 1) / 365.25 : 0
  const [incLast, decLast] = counted(changes, (c) => c.lastJob)
  const [incAfter, decAfter] = counted(changes, (c) => c.intoLastJob)
  const [incAll, decAll] = counted(changes, () => true)
  const [inc1, dec1] = counted(changes, within(1))
  const [inc3, dec3] = counted(changes, within(3))
  const [inc5, dec5] = counted(changes, within(5))
  return {
    internal_identification: `${record.internal_identification}:${referenceDate ?? 'latest'}`,
    updated_at: null,
    reference_date: referenceDate,
    age: fullYears(String(record.personal_data?.birth_date), reference),
    current_status: current.length > 0 ? 'EMPLOYED' : 'UNEMPLOYED',
    current_employer_count: current.length,
    base_salary_last: last ? money(Math.round(last.salaries[last.salaries.length - 1].daily * 100)) : null,
    weeks_employed_last_job: last ? round4((last.end - last.start + 1) / 7) : null,
    weeks_since_last_job: !last || current.length > 0 ? 0 : round4((reference - last.end) / 7),
    weeks_employed_total: round4(coveredDays / 7),
    weeks_with_multiple_employers: round4(multipleDays / 7),
    employer_count: stints.length,
    unique_employer_count: uniqueEmployers,
    employers_per_year: careerYears > 0 ? round4(uniqueEmployers / careerYears) : null,
    weeks_between_jobs: round4(gaps.reduce((a, b) => a + b, 0) / 7),
    max_weeks_between_jobs: round4((gaps.length ? Math.max(...gaps) : 0) / 7),
    increases_last_job: incLast,
    decreases_last_job: decLast,
    increases_after_change: incAfter,
    decreases_after_change: decAfter,
    increases_overall: incAll,
    decreases_overall: decAll,
    increases_1y: inc1,
    decreases_1y: dec1,
    increases_3y: inc3,
    decreases_3y: dec3,
    increases_5y: inc5,
    decreases_5y: dec5,
    yearly_change_1y: yearly(1),
    yearly_change_3y: yearly(3),
    yearly_change_5y: yearly(5),
    min_monthly_salary_1y: m1.min,
    min_monthly_salary_3y: m3.min,
    min_monthly_salary_5y: m5.min,
    average_monthly_salary_1y: m1.average,
    average_monthly_salary_3y: m3.average,
    average_monthly_salary_5y: m5.average,
    max_monthly_salary_1y: m1.max,
    max_monthly_salary_3y: m3.max,
    max_monthly_salary_5y: m5.max,
  }
}

/** The metrics of the worker of the stored records (one report per link), up to the reference date or today. */
export function employmentMetricRecords(today: string, { basedOn, referenceDate }: FetchParams): InstitutionRecord[] {
  const record = basedOn?.[0] as Json | undefined
  if (!record) return []
  return [metricsOf(record, parseDay(referenceDate ?? today), referenceDate ?? null)]
}
