import type { Period } from '../types.ts'
import { formatDay, formatTime, parseDay, type Day } from './calendar.ts'
import type { Brand } from './locales.ts'
import type { SandboxCountry } from './random.ts'
import type { AccountPlan, World } from './world.ts'

/** Small helpers shared by the wire formatters. */

/** JSON number of a cents amount (exact: integer cents divided by 100). */
export function money(cents: number): number {
  return cents / 100
}

/** A cents amount as Belvo's string decimals ("9614.30"), without float formatting. */
export function moneyString(cents: number): string {
  const sign = cents < 0 ? '-' : ''
  const abs = Math.abs(cents)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** Hours to add to local time to get UTC (standard time; none of the three observes DST today). */
const UTC_OFFSET_HOURS: Record<SandboxCountry, number> = { MX: 6, CO: 5, BR: 3 }

/** Seconds since 1970-01-01T00:00:00Z of a local day and second of day. */
export function utcInstant(country: SandboxCountry, day: Day, localSecond: number): number {
  return day * 86_400 + localSecond + UTC_OFFSET_HOURS[country] * 3600
}

/**
 * The first instant that is not posted yet: 00:00 UTC of the sandbox's today. The sandbox clock
 * gives a UTC date and the data may not depend on the time of day, so what the institution
 * reports is what it posted overnight: everything that happened before today in UTC (the local
 * evening of yesterday in the Americas comes with tomorrow's data). Every timestamp the sandbox
 * reports is earlier than this.
 */
export function postingCutoff(world: World): number {
  return world.today * 86_400
}

/** ISO-8601 UTC timestamp with milliseconds of a local day and second of day. */
export function utcTimestamp(country: SandboxCountry, day: Day, localSecond: number): string {
  let sec = localSecond + UTC_OFFSET_HOURS[country] * 3600
  let d = day
  if (sec >= 86_400) {
    sec -= 86_400
    d += 1
  }
  return `${formatDay(d)}T${formatTime(sec)}.000Z`
}

/** ISO-8601 UTC timestamp without fractional seconds (the OFDA owner and exchange patterns forbid them). */
export function utcSeconds(day: Day, second: number): string {
  return `${formatDay(day)}T${formatTime(second)}Z`
}

/**
 * What the access-time fields carry in the connector's records (an account's `last_accessed_at`,
 * the `collected_at` nested in credit_data, loan_data, credit_card_data): the sandbox day at
 * midnight UTC, so that the data stays a function of the day. The server replaces them with the
 * time of the access when it stores the records (stampAccess in domain/resources.ts), as it sets
 * the top-level `collected_at`.
 */
export function asOf(world: World): string {
  return `${world.todayStr}T00:00:00.000Z`
}

export function merchantWire(brand: Brand | null): { logo: string | null; website: string | null; merchant_name: string } | null {
  if (!brand) return null
  return {
    logo: brand.domain ? `https://logo.clearbit.com/${brand.domain}` : null,
    website: brand.domain ? `https://www.${brand.domain}` : null,
    merchant_name: brand.name,
  }
}

/** Belvo's account category for a story account, by country and shape. */
export function accountCategory(world: World, acct: AccountPlan): string {
  switch (acct.kind) {
    // Colombian payroll accounts are savings accounts ("cuenta de ahorros nómina"); a gig
    // platform's earnings account is a current account wherever it is.
    case 'primary':
      return world.country === 'CO' && !world.gig ? 'SAVINGS_ACCOUNT' : 'CHECKING_ACCOUNT'
    case 'reserve':
      return world.country === 'CO' ? 'CHECKING_ACCOUNT' : 'SAVINGS_ACCOUNT'
    case 'card':
      return 'CREDIT_CARD'
    case 'loan':
      return 'LOAN_ACCOUNT'
  }
}

/** Month name used in bill names: "abril-2024" (MX, CO) or "abr-2024" (BR). */
export function billName(world: World, year: number, month: number): string {
  return `${world.locale.monthNames[month - 1]}-${year}`
}

/** The 2-character state code OFDA addresses allow (BR states already are). */
export function stateCode(state: string): string {
  return state
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .slice(0, 2)
    .toUpperCase()
}

/** Degrees as OFDA coordinates ("-23.5475000"), from 1e-7 degree integers. */
export function coordinate(e7: number): string {
  const sign = e7 < 0 ? '-' : ''
  const abs = Math.abs(e7)
  return `${sign}${Math.floor(abs / 10_000_000)}.${String(abs % 10_000_000).padStart(7, '0')}`
}

/** Clips a period to what exists: not after today. Returns null when nothing remains. */
export function clipPeriod(world: World, period: Period): [Day, Day] | null {
  const from = parseDay(period.dateFrom)
  const to = Math.min(parseDay(period.dateTo), world.today)
  return from > to ? null : [from, to]
}
