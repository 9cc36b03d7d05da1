import { addMonths, formatDay, parseDay, type Day } from '../calendar.ts'
import { plainUpper, rfcCompany, rfcPerson } from '../documents.ts'
import { Rng, seedKey, withFaker } from '../random.ts'
import { curpBirthDate, isCurp } from './curp.ts'
import { REFERENCE_DAY, type World } from '../world.ts'

/**
 * One Mexican worker per link and their IMSS history: the identity (CURP, NSS, RFC) and the jobs
 * (employer, registro patronal, start and end, daily base salary and its changes) that the
 * employment resources report. Every resource reads this one model, so the CURP, the NSS, the
 * weeks contributed and the salaries agree wherever they appear. Dates are anchored to the
 * worker's birth and REFERENCE_DAY, never to today: "today" only cuts the story (a job that ends
 * after today is still current).
 */

/** IMSS keeps a worker's health coverage for eight weeks after the last job ends (conservación de derechos). */
const COVERAGE_AFTER_LEAVING_DAYS = 56

/**
 * IMSS's ceiling on the daily base salary: 25 UMAs (2025's UMA, 113.14 pesos a day). Salaries above
 * it are reported at the ceiling, so no history climbs past it however many raises it has.
 */
const SALARY_CEILING_CENTS = 25 * 11_314

/** Days of a month in IMSS's monthly salary (365 / 12). */
export const DAYS_PER_MONTH = 30.4

/** Mexican states as the IMSS report prints them. */
const STATES = ['CIUDAD DE MEXICO', 'JALISCO', 'NUEVO LEON', 'ESTADO DE MEXICO', 'PUEBLA', 'GUANAJUATO', 'QUERETARO', 'YUCATAN', 'BAJA CALIFORNIA', 'VERACRUZ']

export interface SalaryChange {
  event: 'HIRED' | 'SALARY_MODIFICATION' | 'DISMISSED_RESIGNED'
  day: Day
  /** Daily base salary (salario base de cotización), in centavos. */
  dailyCents: number
}

export interface Job {
  employer: string
  employerRfc: string
  /** The employer's registro patronal at IMSS (a letter, ten digits, the last a check digit). */
  employerId: string
  state: string
  start: Day
  /** Last day of the job, or null while it lasts (as of today). */
  end: Day | null
  changes: SalaryChange[]
}

export interface Worker {
  curp: string
  nss: string
  rfc: string
  firstName: string
  lastName: string
  secondLastName: string
  birthDate: string
  /** The jobs known today, oldest first, each cut at today. */
  jobs: Job[]
  today: Day
}

/** Luhn check digit (IMSS computes the NSS's eleventh digit this way over the first ten). */
export function luhnDigit(digits: string): number {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[i])
    // From the left over ten digits: every second digit doubled, as IMSS does.
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return (10 - (sum % 10)) % 10
}

function titleCase(value: string): string {
  return value.toLowerCase().replace(/(^|\s)\S/g, (c) => c.toUpperCase())
}

/** A registro patronal: a letter, nine digits and a Luhn check digit. */
function registroPatronal(rng: Rng): string {
  const body = Array.from({ length: 9 }, () => rng.int(0, 9)).join('')
  return `${rng.pick('ABCDEFGHJKLMNPRSTUVWXYZ'.split(''))}${body}${luhnDigit(body)}`
}

function jobsOf(world: World, rng: Rng, birth: Day): Job[] {
  const kind = world.profile.kind
  if (kind === 'nodata') return []
  const companies = withFaker('MX', seedKey(world.key, 'employers'), (faker) => Array.from({ length: 8 }, () => faker.company.name()))
  // A first formal job between 18 and 24, or five years before REFERENCE_DAY for a young worker.
  // (a thin, "low" file: one recent job), and no earlier than twenty years before it.
  let start = Math.max(Math.min(addMonths(birth, 12 * 18 + rng.int(0, 72)), addMonths(REFERENCE_DAY, -60)), addMonths(REFERENCE_DAY, -240))
  if (kind === 'low') start = addMonths(REFERENCE_DAY, -rng.int(18, 36))
  // Minors have no formal employment.
  if (start < addMonths(birth, 12 * 16)) start = addMonths(birth, 12 * 16)
  let dailyCents = (kind === 'low' ? 28_000 : 35_000) + rng.int(0, 30_000)
  const jobs: Job[] = []
  for (let index = 0; index < companies.length; index++) {
    const name = `${plainUpper(companies[index]).split(' ').slice(0, 2).join(' ')} SA DE CV`
    const months = rng.int(14, 60)
    let end: Day | null = addMonths(start, months) - 1
    // The full persona holds the job it has at REFERENCE_DAY; the others lost theirs months before it.
    const last =
      index === companies.length - 1 || (kind === 'low' ? true : kind === 'full' ? end >= REFERENCE_DAY : addMonths(end, rng.int(2, 6)) >= REFERENCE_DAY)
    if (last) end = kind === 'full' ? null : Math.min(end, addMonths(REFERENCE_DAY, -rng.int(3, 9)))
    if (end !== null && end < start) end = start + 30
    const changes: SalaryChange[] = [{ event: 'HIRED', day: start, dailyCents }]
    // A raise every year on the anniversary of the hiring, as most contracts revise salaries.
    for (let year = 1; ; year++) {
      const day = addMonths(start, 12 * year)
      if (end !== null ? day > end : day > addMonths(REFERENCE_DAY, 120)) break
      dailyCents = Math.min(SALARY_CEILING_CENTS, Math.round((dailyCents * (1.03 + rng.next() * 0.06)) / 100) * 100)
      changes.push({ event: 'SALARY_MODIFICATION', day, dailyCents })
    }
    if (end !== null) changes.push({ event: 'DISMISSED_RESIGNED', day: end, dailyCents })
    const incorporation = formatDay(addMonths(start, -rng.int(24, 240)))
    jobs.push({
      employer: name,
      employerRfc: rfcCompany(rng, name, incorporation),
      employerId: registroPatronal(rng),
      state: rng.pick(STATES),
      start,
      end,
      changes,
    })
    if (last) break
    // Between jobs: none to eight months without a formal employer.
    start = end! + 1 + (rng.next() < 0.4 ? 0 : rng.int(14, 240))
    // Changing employer usually pays better.
    dailyCents = Math.min(SALARY_CEILING_CENTS, Math.round((dailyCents * (1.05 + rng.next() * 0.25)) / 100) * 100)
  }
  return jobs
}

/** The jobs as known on `today`: those begun by then, a later end not yet known, events after today not yet happened. */
function cutAt(jobs: Job[], today: Day): Job[] {
  return jobs
    .filter((job) => job.start <= today)
    .map((job) => {
      const end = job.end !== null && job.end <= today ? job.end : null
      return { ...job, end, changes: job.changes.filter((c) => c.day <= today && (c.event !== 'DISMISSED_RESIGNED' || end !== null)) }
    })
}

/**
 * The link's worker: `curp` is the login's (the username of planet_mx_employment), or one made from
 * the owner when the login is no CURP. The owner's names and birth date are the CURP's (world.ts
 * takes them from employment/curp.ts), so the names, the CURP and the RFC agree.
 */
export function workerOf(world: World): Worker {
  const rng = new Rng(seedKey(world.key, 'imss'))
  const owner = world.owner
  const username = world.username.toUpperCase()
  const birthDate = curpBirthDate(username) ?? owner.birthDate
  const curp = isCurp(username) ? username : madeCurp(owner.firstName, owner.lastName, owner.secondLastName, birthDate, owner.gender, rng)
  const birth = parseDay(birthDate)
  const allJobs = jobsOf(world, rng, birth)
  const firstStart = allJobs[0]?.start ?? addMonths(birth, 12 * 18)
  // NSS: subdelegation, year of first registration, birth year, sequence, Luhn check digit.
  const nssBody = `${String(rng.int(1, 99)).padStart(2, '0')}${formatDay(firstStart).slice(2, 4)}${birthDate.slice(2, 4)}${String(rng.int(0, 9999)).padStart(4, '0')}`
  return {
    curp,
    nss: `${nssBody}${luhnDigit(nssBody)}`,
    // The owner's RFC where it is one (a Mexican world): the SAT's and the IMSS's person agree.
    rfc: owner.document.type === 'RFC' ? owner.document.number : rfcPerson(rng, owner.firstName, owner.lastName, owner.secondLastName, birthDate),
    firstName: owner.firstName,
    lastName: owner.lastName,
    secondLastName: owner.secondLastName,
    birthDate,
    jobs: cutAt(allJobs, world.today),
    today: world.today,
  }
}

const CURP_STATES = ['AS', 'BC', 'CL', 'DF', 'JC', 'MC', 'NL', 'PL', 'QT', 'YN']

/** A CURP from a person's names, birth date and sex (the letters as RENAPO takes them), for logins that are no CURP. */
function madeCurp(first: string, last: string, second: string, birthDate: string, gender: 'FEMALE' | 'MALE', rng: Rng): string {
  const paternal = plainUpper(last).replace(/ /g, '') || 'X'
  const maternal = plainUpper(second).replace(/ /g, '') || 'X'
  const given = plainUpper(first).replace(/ /g, '') || 'X'
  const vowel = paternal.slice(1).match(/[AEIOU]/)?.[0] ?? 'X'
  const consonant = (word: string) => word.slice(1).match(/[B-DF-HJ-NP-TV-Z]/)?.[0] ?? 'X'
  const century = birthDate < '2000' ? String(rng.int(0, 9)) : rng.pick('ABCDEFGHIJ'.split(''))
  return `${paternal[0]}${vowel}${maternal[0]}${given[0]}${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}${birthDate.slice(8, 10)}${gender === 'FEMALE' ? 'M' : 'H'}${rng.pick(CURP_STATES)}${consonant(paternal)}${consonant(maternal)}${consonant(given)}${century}${rng.int(0, 9)}`
}

/** Days of `job` up to today (inclusive). */
export function daysWorked(job: Job, today: Day): number {
  return Math.min(job.end ?? today, today) - job.start + 1
}

/** Whole weeks of a job, as IMSS counts weeks contributed. */
export function weeksOf(job: Job, today: Day): number {
  return Math.floor(daysWorked(job, today) / 7)
}

/** The daily base salary in force at the end of the job (or today). */
export function currentDailyCents(job: Job): number {
  return job.changes[job.changes.length - 1].dailyCents
}

/** IMSS health coverage: while employed, and eight weeks after the last job ends. */
export function coverageUntil(worker: Worker): Day | null {
  const last = worker.jobs[worker.jobs.length - 1]
  if (!last) return null
  return last.end === null ? null : last.end + COVERAGE_AFTER_LEAVING_DAYS
}

export const displayName = (worker: Worker) => titleCase(`${worker.firstName} ${worker.lastName} ${worker.secondLastName}`.trim())
