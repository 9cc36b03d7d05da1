import { idBytes } from '../../lib/ids.ts'
import type { Decimal } from './money.ts'

/**
 * The sandbox payment network: what the payer's bank answers when a payment intent is authorized
 * (POST /payments/br/payment-intents/{id}/authorize/, as Belvo's sandbox names it). The outcome
 * depends on the amount's whole reais only, so an integrator picks it by choosing the amount
 * (INVENTORY 8.4 gives the first three ranges; Ponte adds the others, one per failure code of
 * INVENTORY 6 that a payer's bank produces). docs/payments.md and the README carry this table.
 */
export interface Outcome {
  /** Where it fails: `consent` = at the payer's bank, before any charge; `charge` = the charge is refused. */
  stage: 'settled' | 'consent' | 'charge'
  failureCode: string | null
  failureMessage: string | null
}

export interface AmountRule {
  /** Whole reais, inclusive. */
  from: number
  to: number
  outcome: Outcome
}

export const fail = (stage: 'consent' | 'charge', failureCode: string, failureMessage: string): Outcome => ({ stage, failureCode, failureMessage })
export const SETTLED: Outcome = { stage: 'settled', failureCode: null, failureMessage: null }

export const AMOUNT_RULES: readonly AmountRule[] = [
  { from: 0, to: 100, outcome: SETTLED },
  { from: 101, to: 200, outcome: fail('charge', 'insufficient_funds', "The payer's account does not have enough funds for this payment.") },
  { from: 201, to: 300, outcome: fail('consent', 'consent_rejected', 'The payer rejected the payment consent at their bank.') },
  { from: 301, to: 400, outcome: fail('charge', 'beneficiary_account_blocked', "The beneficiary's account is blocked and cannot receive payments.") },
  { from: 401, to: 500, outcome: fail('charge', 'amount_over_limit', "The amount is over the payer's transaction limit.") },
  { from: 501, to: 600, outcome: fail('charge', 'fraud_suspected', "The payer's bank refused the payment as suspected fraud.") },
  { from: 601, to: 700, outcome: fail('charge', 'charge_settlement_timeout', 'The payment was not settled within the time the Pix network allows.') },
  { from: 701, to: Number.MAX_SAFE_INTEGER, outcome: SETTLED },
]

export function outcomeFor(amount: Decimal): Outcome {
  const reais = amount.floor().toNumber()
  return AMOUNT_RULES.find((r) => reais >= r.from && reais <= r.to)?.outcome ?? SETTLED
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789'

/**
 * A Pix end-to-end id (Banco Central's format, 32 characters): `E`, the ISPB of the payer's
 * institution (8 digits), the UTC date and time yyyyMMddHHmm, and 11 alphanumerics.
 */
export function endToEndId(ispb: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:T]/g, '').slice(0, 12)
  const bytes = idBytes(11)
  let tail = ''
  for (const byte of bytes) tail += ALPHANUMERIC[byte % ALPHANUMERIC.length]
  return `E${ispb}${stamp}${tail}`
}

export const END_TO_END_ID = /^E\d{8}\d{12}[a-zA-Z0-9]{11}$/
