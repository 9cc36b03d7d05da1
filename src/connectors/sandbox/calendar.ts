import { getHolidays } from '@brazilian-utils/brazilian-utils'
import { civilFromDays } from '../../lib/dates.ts'
import type { SandboxCountry } from './random.ts'

/**
 * Calendar arithmetic on integer day numbers (days since 1970-01-01 in the proleptic Gregorian
 * calendar). Working on integers instead of Date objects keeps the sandbox independent of the
 * machine's time zone and makes the hot loops cheap.
 */
export type Day = number
/** A calendar month as a single integer: year * 12 + (month - 1). */
export type YearMonth = number

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)))

export function dayOf(year: number, month: number, day: number): Day {
  return Date.UTC(year, month - 1, day) / 86_400_000
}

/** 'YYYY-MM-DD' -> day number. Throws on a malformed date so bad input never yields data. */
export function parseDay(value: string): Day {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!match) throw new Error(`Invalid date ${value}, expected YYYY-MM-DD`)
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const day = dayOf(y, m, d)
  if (civil(day).month !== m) throw new Error(`Invalid date ${value}`)
  return day
}

/** The calendar date of a day number. */
export function civil(day: Day): { year: number; month: number; day: number } {
  const [year, month, d] = civilFromDays(day)
  return { year, month, day: d }
}

export function formatDay(day: Day): string {
  const c = civil(day)
  return `${c.year}-${PAD2[c.month]}-${PAD2[c.day]}`
}

/** 'HH:MM:SS' for a second of the day. */
export function formatTime(secondOfDay: number): string {
  const h = Math.floor(secondOfDay / 3600)
  const m = Math.floor((secondOfDay % 3600) / 60)
  return `${PAD2[h]}:${PAD2[m]}:${PAD2[secondOfDay % 60]}`
}

/** 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export function weekday(day: Day): number {
  return (((day + 4) % 7) + 7) % 7
}

export function yearMonthOf(day: Day): YearMonth {
  const c = civil(day)
  return c.year * 12 + c.month - 1
}

export function yearOf(ym: YearMonth): number {
  return Math.floor(ym / 12)
}

/** 1..12 */
export function monthOf(ym: YearMonth): number {
  return (ym % 12) + 1
}

export function monthStart(ym: YearMonth): Day {
  return dayOf(yearOf(ym), monthOf(ym), 1)
}

export function monthEnd(ym: YearMonth): Day {
  return dayOf(yearOf(ym), monthOf(ym) + 1, 0)
}

export function daysInMonth(ym: YearMonth): number {
  return monthEnd(ym) - monthStart(ym) + 1
}

/** The given day of month `ym`, clamped to the month's last day (a "31st" in February). */
export function dayInMonth(ym: YearMonth, dayOfMonth: number): Day {
  return monthStart(ym) + Math.min(dayOfMonth, daysInMonth(ym)) - 1
}

/** 'YYYYMM', used inside internal ids. */
export function monthTag(ym: YearMonth): string {
  return `${yearOf(ym)}${PAD2[monthOf(ym)]}`
}

/** Same day of month `months` later (or earlier), clamped to the target month's length. */
export function addMonths(day: Day, months: number): Day {
  const c = civil(day)
  return dayInMonth(c.year * 12 + c.month - 1 + months, c.day)
}

// ---------------------------------------------------------------------------------------------
// Holidays and business days: salaries and direct debits move to business days, as banks do.

/** Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
function easter(year: number): Day {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const month = Math.floor((h + l - 7 * m + 114) / 31)
  const day = ((h + l - 7 * m + 114) % 31) + 1
  return dayOf(year, month, day)
}

/** The n-th given weekday (0 = Sunday) of a month, n >= 1. */
function nthWeekday(year: number, month: number, wd: number, n: number): Day {
  const first = dayOf(year, month, 1)
  return first + ((wd - weekday(first) + 7) % 7) + 7 * (n - 1)
}

/** Colombia's Ley Emiliani moves many holidays to the following Monday. */
function nextMonday(day: Day): Day {
  return day + ((8 - weekday(day)) % 7)
}

function mexicoHolidays(year: number): Day[] {
  // Ley Federal del Trabajo, art. 74 (the bank holidays that always apply).
  return [
    dayOf(year, 1, 1),
    nthWeekday(year, 2, 1, 1),
    nthWeekday(year, 3, 1, 3),
    dayOf(year, 5, 1),
    dayOf(year, 9, 16),
    nthWeekday(year, 11, 1, 3),
    dayOf(year, 12, 25),
  ]
}

function colombiaHolidays(year: number): Day[] {
  const e = easter(year)
  return [
    dayOf(year, 1, 1),
    dayOf(year, 5, 1),
    dayOf(year, 7, 20),
    dayOf(year, 8, 7),
    dayOf(year, 12, 8),
    dayOf(year, 12, 25),
    e - 3,
    e - 2,
    nextMonday(dayOf(year, 1, 6)),
    nextMonday(dayOf(year, 3, 19)),
    nextMonday(dayOf(year, 6, 29)),
    nextMonday(dayOf(year, 8, 15)),
    nextMonday(dayOf(year, 10, 12)),
    nextMonday(dayOf(year, 11, 1)),
    nextMonday(dayOf(year, 11, 11)),
    nextMonday(e + 43),
    nextMonday(e + 64),
    nextMonday(e + 71),
  ]
}

function brazilHolidays(year: number): Day[] {
  // brazilian-utils returns local-midnight Dates; reading them with local getters gives the
  // intended calendar day whatever the machine's time zone.
  return getHolidays(year)
    .filter((h) => h.type === 'national')
    .map((h) => dayOf(h.date.getFullYear(), h.date.getMonth() + 1, h.date.getDate()))
}

const holidayCache = new Map<string, ReadonlySet<Day>>()

function holidays(country: SandboxCountry, year: number): ReadonlySet<Day> {
  const key = `${country}${year}`
  let set = holidayCache.get(key)
  if (!set) {
    const days = country === 'MX' ? mexicoHolidays(year) : country === 'CO' ? colombiaHolidays(year) : brazilHolidays(year)
    set = new Set(days)
    holidayCache.set(key, set)
  }
  return set
}

export function isBusinessDay(country: SandboxCountry, day: Day): boolean {
  const wd = weekday(day)
  if (wd === 0 || wd === 6) return false
  return !holidays(country, civil(day).year).has(day)
}

/** The day itself if it is a business day, else the closest earlier one (paydays move back). */
export function onOrBeforeBusinessDay(country: SandboxCountry, day: Day): Day {
  let d = day
  while (!isBusinessDay(country, d)) d--
  return d
}

/** The day itself if it is a business day, else the next one (debits and postings move forward). */
export function onOrAfterBusinessDay(country: SandboxCountry, day: Day): Day {
  let d = day
  while (!isBusinessDay(country, d)) d++
  return d
}

/** The n-th business day of a month (Brazil pays salaries on the 5th, CLT art. 459). */
export function nthBusinessDay(country: SandboxCountry, ym: YearMonth, n: number): Day {
  let d = monthStart(ym) - 1
  for (let count = 0; count < n;) {
    d++
    if (isBusinessDay(country, d)) count++
  }
  return d
}

export function lastBusinessDay(country: SandboxCountry, ym: YearMonth): Day {
  return onOrBeforeBusinessDay(country, monthEnd(ym))
}
