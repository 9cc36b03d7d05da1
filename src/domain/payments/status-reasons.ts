/**
 * Why a payment failed, in the two vocabularies Belvo has (its "Payments Brazil codes and
 * messages" article; the 1.223.0 spec types both fields as free strings, with no enum):
 * - V1 (payment intents and their charges): `failure_code` in lowercase, as Ponte records every
 *   reason internally (network.ts AMOUNT_RULES, the ledger).
 * - V2 (`X-Belvo-API-Resource-Version: Payments-BR.V2`: payment authorizations, their charges,
 *   the V2 charge of an intent, and their webhooks): `status_reason_code` in UPPERCASE.
 * The translation is here and nowhere else: `statusReasonV2` on the way out of every V2 shape.
 */

/** The V2 codes of Belvo's table that Ponte's sandbox produces or may produce, with Belvo's English message. */
export const V2_STATUS_REASONS = {
  ACCOUNT_NOT_ALLOWED: 'The payer account does not allow payments.',
  AMOUNT_OVER_LIMIT: 'The amount exceeds the maximum limit for the account.',
  AUTHORIZATION_EXPIRED: 'The Payment Authorization was not completed within the allowed period.',
  BANK_USER_MISMATCH: 'The authenticated bank user differed from the paying user.',
  BENEFICIARY_ACCOUNT_BLOCKED: 'The beneficiary bank account is blocked.',
  BENEFICIARY_ACCOUNT_CLOSED: 'The beneficiary bank account is closed.',
  BENEFICIARY_CANCELLED_RECURRING_PAYMENT: 'The beneficiary cancelled the recurring payment schedule.',
  CHARGE_SETTLEMENT_FAILED: 'An error occurred while processing the Charge settlement.',
  CHARGE_SETTLEMENT_TIMEOUT: 'The Charge could not be completed due to a timeout.',
  FRAUD_SUSPECTED: 'The Charge was rejected due to suspected fraud.',
  INSUFFICIENT_FUNDS: 'The payer account had insufficient funds to make the payment.',
} as const

/**
 * V2 codes Ponte uses where the part of Belvo's table we hold has none: the payer refusing the
 * authorization at their bank (Open Finance Brasil's REJEITADO_USUARIO).
 */
export const PONTE_V2_STATUS_REASONS = {
  REJECTED_BY_USER: 'The payer rejected the Payment Authorization at their institution.',
} as const

export type V2StatusReason = keyof typeof V2_STATUS_REASONS | keyof typeof PONTE_V2_STATUS_REASONS

/** Ponte's internal (V1, lowercase) reason → Belvo's V2 code. */
const TO_V2: Readonly<Record<string, V2StatusReason>> = {
  insufficient_funds: 'INSUFFICIENT_FUNDS',
  amount_over_limit: 'AMOUNT_OVER_LIMIT',
  beneficiary_account_blocked: 'BENEFICIARY_ACCOUNT_BLOCKED',
  fraud_suspected: 'FRAUD_SUSPECTED',
  charge_settlement_timeout: 'CHARGE_SETTLEMENT_TIMEOUT',
  consent_rejected: 'REJECTED_BY_USER',
  // A scheduled payment authorized on or after its date, and the payer's 60 minutes running out.
  consent_expired: 'AUTHORIZATION_EXPIRED',
  authorization_expired: 'AUTHORIZATION_EXPIRED',
  // The organization (the beneficiary) canceled the scheduled charges.
  payment_canceled: 'BENEFICIARY_CANCELLED_RECURRING_PAYMENT',
}

/** The internal reasons that have a V2 code (for the tests: each must map into Belvo's table or Ponte's additions). */
export const INTERNAL_REASONS: readonly string[] = Object.keys(TO_V2)

/** A reason as V2 shapes show it: Belvo's UPPERCASE code (null stays null; an unknown reason is upper-cased). */
export function statusReasonV2(code: string | null | undefined): string | null {
  if (code === null || code === undefined) return null
  return TO_V2[code] ?? code.toUpperCase()
}
