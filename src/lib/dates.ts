/**
 * Calendar checks for dates that clients send. `Date.parse` rolls impossible days over
 * (`2025-02-30` is 2 March) while PostgreSQL rejects them, so a value that reaches SQL must
 * name a real day and a real time of day.
 */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/

/** `YYYY-MM-DD` naming a day that exists, from 1000-01-01 on. */
export function isCalendarDay(value: string): boolean {
  const match = DAY.exec(value)
  if (!match) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return year >= 1000 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/**
 * A calendar day, optionally followed by a time of day (`T` or space) and a UTC offset, as
 * PostgreSQL should read it: a time of day without an offset is UTC (`Z` added), whatever the
 * session's time zone. Undefined for anything else.
 */
export function utcTimestamp(value: string): string | undefined {
  const match = TIMESTAMP.exec(value)
  if (!match || !isCalendarDay(match[1])) return undefined
  const [hour, minute, second, offsetHours, offsetMinutes] = [match[2], match[3], match[4], match[6], match[7]].map((part) => Number(part ?? 0))
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 14 || offsetMinutes > 59) return undefined
  const timeWithoutOffset = match[2] !== undefined && match[5] === undefined
  return timeWithoutOffset ? `${value}Z` : value
}

// Calendar dates to day numbers (days since 1970-01-01) and back without Date objects, H. Hinnant's
// "chrono-Compatible Low-Level Date Algorithms": integer-only, and cheap enough for loops that
// call them millions of times (the sandbox's calendar, the recurring-expense walks).

/** The day number of a proleptic Gregorian date (month 1-12). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const year = m <= 2 ? y - 1 : y
  const era = Math.floor(year / 400)
  const yoe = year - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** The [year, month (1-12), day] of a day number. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d]
}
