import { isCalendarDay } from '../../lib/dates.ts'
import { PonteError } from '../../lib/errors.ts'

/**
 * A payment intent's `payment_method_details.open_finance.schedule` (Belvo's `schedule` oneOf,
 * spec 1.223.0): `single` {date}, `daily` {start_date, occurrences 2–60}, `weekly` {start_date,
 * day_of_week, occurrences 2–60}, `monthly` {start_date, day_of_month 1–31, occurrences 2–24},
 * `custom` {dates (2–60, unique), description (≤ 256)}. Every date is from tomorrow to 720 days
 * ahead on the sandbox clock's UTC day (Belvo states it for single and custom dates; Ponte holds
 * every occurrence of the other schedules to the same window). The authorization makes one
 * SCHEDULED charge per date (`occurrenceDates`).
 */

type Body = Record<string, unknown>

export const SCHEDULE_KINDS = ['single', 'daily', 'weekly', 'monthly', 'custom'] as const
export const DAYS_OF_WEEK = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const
const MAX_OCCURRENCES = { daily: 60, weekly: 60, monthly: 24 } as const
const MAX_DAYS_AHEAD = 720

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

/** The same day of the month `months` later, or that month's last day when it is shorter. */
function plusMonths(day: string, months: number, dayOfMonth: number): string {
  const [year, month] = [Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1 + months]
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
  return new Date(Date.UTC(year, month, Math.min(dayOfMonth, last))).toISOString().slice(0, 10)
}

function objectOf(value: unknown, field: string): Body {
  if (value === undefined || value === null) throw new PonteError('required', { field })
  if (typeof value !== 'object' || Array.isArray(value)) throw new PonteError('invalid', { field, variant: 'schedule_kind' })
  return value as Body
}

function futureDay(value: unknown, field: string, today: string): string {
  if (value === undefined || value === null) throw new PonteError('required', { field })
  if (typeof value !== 'string' || !isCalendarDay(value) || value <= today || value > addDays(today, MAX_DAYS_AHEAD)) {
    throw new PonteError('invalid', { field, variant: 'schedule' })
  }
  return value
}

function wholeNumber(value: unknown, field: string, min: number, max: number, variant: string): number {
  if (value === undefined || value === null) throw new PonteError('required', { field })
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new PonteError('invalid', { field, variant, params: { min, max } })
  }
  return value
}

/**
 * The dates of a schedule, oldest first, without checking them against today (the authorization
 * expands the schedule the create validated). Empty for no schedule.
 */
export function occurrenceDates(schedule: unknown): string[] {
  if (!schedule || typeof schedule !== 'object') return []
  const s = schedule as Record<string, Body | undefined>
  if (s.single) return [String(s.single.date)]
  if (s.custom) return [...new Set((s.custom.dates as string[]).map(String))].sort()
  const periodic = s.daily ?? s.weekly ?? s.monthly
  if (!periodic) return []
  const start = String(periodic.start_date)
  const count = Number(periodic.occurrences)
  const dates: string[] = []
  for (let i = 0; i < count; i++) {
    dates.push(s.monthly ? plusMonths(start, i, Number(s.monthly.day_of_month)) : addDays(start, s.weekly ? 7 * i : i))
  }
  return dates
}

/**
 * Validates a schedule exactly as the spec constrains it (Belvo's 400 with the field, e.g.
 * `payment_method_details.open_finance.schedule.weekly.day_of_week`) and answers its first date,
 * or null without a schedule. `field` is the schedule's own path.
 */
export function parseSchedule(value: unknown, field: string, today: string): string | null {
  if (value === undefined || value === null) return null
  const schedule = objectOf(value, field)
  const kinds = Object.keys(schedule)
  if (kinds.length !== 1 || !(SCHEDULE_KINDS as readonly string[]).includes(kinds[0])) throw new PonteError('invalid', { field, variant: 'schedule_kind' })
  const kind = kinds[0] as (typeof SCHEDULE_KINDS)[number]
  const at = `${field}.${kind}`
  const details = objectOf(schedule[kind], at)
  if (kind === 'single') return futureDay(details.date, `${at}.date`, today)
  if (kind === 'custom') {
    const dates = details.dates
    if (dates === undefined || dates === null) throw new PonteError('required', { field: `${at}.dates` })
    if (!Array.isArray(dates) || dates.length < 2 || dates.length > 60) throw new PonteError('invalid', { field: `${at}.dates`, variant: 'schedule_dates' })
    const days = dates.map((d) => futureDay(d, `${at}.dates`, today))
    if (new Set(days).size !== days.length) throw new PonteError('invalid', { field: `${at}.dates`, variant: 'schedule_dates' })
    if (details.description === undefined || details.description === null) throw new PonteError('required', { field: `${at}.description` })
    if (typeof details.description !== 'string')
      throw new PonteError('invalid', { field: `${at}.description`, params: { detail: 'description must be a string' } })
    if (details.description.length > 256) throw new PonteError('max_length', { field: `${at}.description`, params: { limit: 256 } })
    return [...days].sort()[0]
  }
  const start = futureDay(details.start_date, `${at}.start_date`, today)
  const occurrences = wholeNumber(details.occurrences, `${at}.occurrences`, 2, MAX_OCCURRENCES[kind], 'schedule_occurrences')
  if (kind === 'weekly') {
    const day = details.day_of_week
    if (day === undefined || day === null) throw new PonteError('required', { field: `${at}.day_of_week` })
    if (!(DAYS_OF_WEEK as readonly unknown[]).includes(day))
      throw new PonteError('invalid_choice', { field: `${at}.day_of_week`, params: { value: String(day) } })
    if (DAYS_OF_WEEK[new Date(`${start}T00:00:00Z`).getUTCDay()] !== day) {
      throw new PonteError('invalid', { field: `${at}.start_date`, variant: 'schedule_weekday', params: { value: String(day) } })
    }
  }
  if (kind === 'monthly') {
    const day = wholeNumber(details.day_of_month, `${at}.day_of_month`, 1, 31, 'schedule_day_of_month')
    if (Number(start.slice(8, 10)) !== day) {
      throw new PonteError('invalid', { field: `${at}.start_date`, variant: 'schedule_monthday', params: { value: day } })
    }
  }
  const dates = occurrenceDates({ [kind]: { ...details, start_date: start, occurrences } })
  if (dates[dates.length - 1] > addDays(today, MAX_DAYS_AHEAD)) {
    throw new PonteError('invalid', { field: `${at}.occurrences`, variant: 'schedule_end', params: { value: dates[dates.length - 1] } })
  }
  return start
}
