import { weekday, type Day } from './calendar.ts'
import type { ProfileKind } from './personas.ts'
import { hashHex, Rng, seedKey, type SandboxCountry } from './random.ts'

/**
 * Gig platforms of Belvo's sandbox (INVENTORY 8.1): Goonies (ride sharing, `goonies_*_gig`) and
 * Planet Express (delivery, `planet_*_gig`). A link there is a driver's or courier's earnings
 * account at the platform, served through the banking resources: its transactions are the day's
 * trips or deliveries (the driver's share of each fare, tips), the platform's commission on trips
 * paid in cash, and every Monday the payout of the previous week's net earnings to the worker's
 * bank account. The ledger (ledger.ts) turns these plans into movements like any other account's.
 *
 * Each day's work is a pure function of the link and the day, so a week's payout is the sum of
 * the seven days before it whatever month they fall in.
 */

export type GigService = 'ride' | 'delivery'

export interface GigPlatform {
  brand: 'Goonies' | 'Planet Express'
  service: GigService
}

/** The platform of a gig institution, or null for any other. */
export function gigPlatformOf(institution: string): GigPlatform | null {
  if (!institution.endsWith('_gig')) return null
  return institution.startsWith('goonies_') ? { brand: 'Goonies', service: 'ride' } : { brand: 'Planet Express', service: 'delivery' }
}

/** A fare's range in cents per country and service (what the rider or customer pays, before the commission). */
const FARES: Record<SandboxCountry, Record<GigService, [number, number]>> = {
  MX: { ride: [5_500, 28_000], delivery: [3_500, 9_500] },
  CO: { ride: [800_000, 3_500_000], delivery: [500_000, 1_300_000] },
  BR: { ride: [1_200, 5_500], delivery: [750, 2_400] },
}

/** Tips on a delivery, in cents. */
const TIPS: Record<SandboxCountry, [number, number]> = { MX: [1_000, 4_000], CO: [200_000, 600_000], BR: [200, 1_000] }

/** The platform keeps a quarter of each fare. */
const COMMISSION_BPS = 2_500

/** Monday: the platform pays the previous week out (Monday to Sunday). */
export const PAYOUT_WEEKDAY = 1

export type GigMoveKind = 'fare' | 'tip' | 'cash_commission'

/** One movement of a working day on the earnings account. */
export interface GigMove {
  kind: GigMoveKind
  /** Local second of the day. */
  sec: number
  cents: number
  inflow: boolean
  /** The trip's or order's code at the platform. */
  code: string
}

export interface GigPlan {
  platform: GigPlatform
  country: SandboxCountry
  profile: ProfileKind
  /** The link's key: each day's work is seeded from it. */
  key: string
  /** Days of the week the worker does not work (0 = Sunday). */
  restDays: number[]
  /** Amounts step in cents (whole pesos in Colombia). */
  step: number
}

function roundStep(cents: number, step: number): number {
  return Math.max(step, Math.round(cents / step) * step)
}

/** How many trips or deliveries a working day has, by data set: "low" is a part-timer, "negative" works mostly for cash. */
function tripsPerDay(plan: GigPlan, rng: Rng): number {
  const [min, max] = plan.platform.service === 'ride' ? [6, 14] : [8, 18]
  return plan.profile === 'low' ? rng.int(1, Math.round(min / 2)) : rng.int(min, max)
}

/** Share of ride fares paid in cash (the worker keeps the cash and owes the platform its commission). */
function cashShare(plan: GigPlan): number {
  if (plan.platform.service === 'delivery') return 0
  return plan.profile === 'negative' ? 0.85 : 0.15
}

/** The movements of one day (none on the worker's rest days, and a part-timer works one day in two), by time. */
export function gigDay(plan: GigPlan, day: Day): GigMove[] {
  if (plan.restDays.includes(weekday(day))) return []
  const rng = new Rng(seedKey(plan.key, 'gig-day', day))
  if (plan.profile === 'low' && rng.chance(0.5)) return []
  const [min, max] = FARES[plan.country][plan.platform.service]
  const moves: GigMove[] = []
  // The shift starts between 07:00 and 11:00; a trip or delivery every 25 to 50 minutes.
  let sec = 25_200 + rng.int(0, 14_400)
  for (let i = tripsPerDay(plan, rng); i > 0 && sec < 86_000; i--) {
    const fare = roundStep(rng.skewedCents(min, max), plan.step)
    const commission = roundStep(Math.floor((fare * COMMISSION_BPS) / 10_000), plan.step)
    const code = hashHex(seedKey(plan.key, 'gig-trip', day, i), 8).toUpperCase()
    if (rng.chance(cashShare(plan))) {
      moves.push({ kind: 'cash_commission', sec, cents: commission, inflow: false, code })
    } else {
      moves.push({ kind: 'fare', sec, cents: fare - commission, inflow: true, code })
      if (plan.platform.service === 'delivery' && rng.chance(0.3)) {
        moves.push({
          kind: 'tip',
          sec: sec + 60,
          cents: roundStep(rng.skewedCents(TIPS[plan.country][0], TIPS[plan.country][1]), plan.step),
          inflow: true,
          code,
        })
      }
    }
    sec += 1_500 + rng.int(0, 1_500)
  }
  return moves
}

/** The net earnings of a day: fares and tips less the commissions owed on cash trips. */
export function gigDayNet(plan: GigPlan, day: Day): number {
  let net = 0
  for (const move of gigDay(plan, day)) net += move.inflow ? move.cents : -move.cents
  return net
}

/** What the platform pays out on `day` (a Monday): the previous week's net earnings, when positive; 0 otherwise. */
export function gigPayout(plan: GigPlan, day: Day): number {
  if (weekday(day) !== PAYOUT_WEEKDAY) return 0
  let net = 0
  for (let d = day - 7; d < day; d++) net += gigDayNet(plan, d)
  return Math.max(0, net)
}

/**
 * The earnings on the account when `day` begins that the platform has not paid out yet: those
 * since the last Monday before it (that Monday's payout paid the week before).
 */
export function gigUnpaid(plan: GigPlan, day: Day): number {
  let net = 0
  let d = day - 1
  for (; weekday(d) !== PAYOUT_WEEKDAY; d--) net += gigDayNet(plan, d)
  return net + gigDayNet(plan, d)
}

/** Roughly a week's net earnings: the level the account's balance moves around. */
export function typicalWeekCents(plan: GigPlan, around: Day): number {
  let net = 0
  for (let d = around - 28; d < around; d++) net += gigDayNet(plan, d)
  return Math.round(net / 4)
}

export interface GigTexts {
  fare(platform: GigPlatform, code: string): string
  tip(code: string): string
  cashCommission(code: string): string
  payout(bank: string, last4: string): string
  bonus: string
  cashOut: string
  debtPayment: string
}

/** Mexico and Colombia: the same Spanish statement texts. */
const SPANISH_GIG_TEXTS: GigTexts = {
  fare: (p, code) => (p.service === 'ride' ? `VIAJE ${code}` : `ENTREGA PEDIDO ${code}`),
  tip: (code) => `PROPINA PEDIDO ${code}`,
  cashCommission: (code) => `COMISION VIAJE EN EFECTIVO ${code}`,
  payout: (bank, last4) => `PAGO SEMANAL A ${bank} ****${last4}`,
  bonus: 'BONO POR METAS SEMANALES',
  cashOut: 'RETIRO INSTANTANEO',
  debtPayment: 'ABONO A SALDO DEUDOR',
}

export const GIG_TEXTS: Record<SandboxCountry, GigTexts> = {
  MX: SPANISH_GIG_TEXTS,
  CO: SPANISH_GIG_TEXTS,
  BR: {
    fare: (p, code) => (p.service === 'ride' ? `CORRIDA ${code}` : `ENTREGA PEDIDO ${code}`),
    tip: (code) => `GORJETA PEDIDO ${code}`,
    cashCommission: (code) => `TAXA CORRIDA EM DINHEIRO ${code}`,
    payout: (bank, last4) => `REPASSE SEMANAL PIX ${bank} ****${last4}`,
    bonus: 'BONUS POR METAS SEMANAIS',
    cashOut: 'SAQUE INSTANTANEO PIX',
    debtPayment: 'PAGAMENTO DE SALDO DEVEDOR',
  },
}
