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
