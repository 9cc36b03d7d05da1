import { PonteError } from '../../lib/errors.ts'

/**
 * Every status machine of Payments Brazil, in one place (drawn in docs/payments.md). A status
 * change anywhere in the code goes through `transition`, which refuses a change the machine does
 * not have; each accepted change is written to the ledger (store/payments.ts appendLedger) and
 * announced by one webhook, in the same transaction.
 *
 * Payment intents (Belvo's EnumPaymentIntentStatus):
 *   REQUIRES_PAYMENT_METHOD → REQUIRES_ACTION   the payer's institution became known (PATCH)
 *   REQUIRES_ACTION → PROCESSING                the payer authorized at their bank
 *   PROCESSING → SUCCEEDED | FAILED             the charge settled, or was refused (a schedule's charges: once none is
 *                                               left SCHEDULED, intents.ts resolveScheduledIntent)
 *   REQUIRES_ACTION → FAILED                    the payer's bank refused before any charge (consent rejected)
 *   PROCESSING → FAILED                         a scheduled charge was canceled (Belvo has no CANCELED intent)
 * Charges (ChargeBrazil.status):
 *   PENDING → SUCCEEDED | FAILED                immediate payment settled or refused
 *   SCHEDULED → SUCCEEDED | FAILED | CANCELED   scheduled payment on its date, or canceled before it
 * SUCCEEDED, FAILED and CANCELED are final everywhere: money that moved never moves back here
 * (a refund would be a new OUTFLOW transaction, not a status change).
 */
export const PAYMENT_INTENT_STATUSES = ['REQUIRES_PAYMENT_METHOD', 'REQUIRES_ACTION', 'PROCESSING', 'SUCCEEDED', 'FAILED'] as const
export type PaymentIntentStatus = (typeof PAYMENT_INTENT_STATUSES)[number]

export const CHARGE_STATUSES = ['PENDING', 'SCHEDULED', 'SUCCEEDED', 'FAILED', 'CANCELED'] as const
export type ChargeStatus = (typeof CHARGE_STATUSES)[number]

export interface Machine<S extends string> {
  /** What the ledger calls the object. */
  objectType: string
  /** Statuses an object can be created in. */
  initial: readonly S[]
  /** The allowed changes: from → the statuses it may go to. */
  transitions: Readonly<Record<S, readonly S[]>>
}

export const PAYMENT_INTENT_MACHINE: Machine<PaymentIntentStatus> = {
  objectType: 'payment_intent',
  initial: ['REQUIRES_PAYMENT_METHOD', 'REQUIRES_ACTION'],
  transitions: {
    REQUIRES_PAYMENT_METHOD: ['REQUIRES_ACTION'],
    REQUIRES_ACTION: ['PROCESSING', 'FAILED'],
    PROCESSING: ['SUCCEEDED', 'FAILED'],
    SUCCEEDED: [],
    FAILED: [],
  },
}

export const CHARGE_MACHINE: Machine<ChargeStatus> = {
  objectType: 'charge',
  initial: ['PENDING', 'SCHEDULED'],
  transitions: {
    PENDING: ['SUCCEEDED', 'FAILED'],
    SCHEDULED: ['SUCCEEDED', 'FAILED', 'CANCELED'],
    SUCCEEDED: [],
    FAILED: [],
    CANCELED: [],
  },
}

/**
 * Biometric Pix enrollments: PENDING until the institution's redirection comes back
 * (complete-redirection): SUCCEEDED with a code, FAILED with an error, CANCELED once expired.
 */
export const ENROLLMENT_STATUSES = ['PENDING', 'SUCCEEDED', 'CANCELED', 'FAILED'] as const
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number]

export const ENROLLMENT_MACHINE: Machine<EnrollmentStatus> = {
  objectType: 'enrollment',
  initial: ['PENDING'],
  transitions: { PENDING: ['SUCCEEDED', 'FAILED', 'CANCELED'], SUCCEEDED: [], CANCELED: [], FAILED: [] },
}

/**
 * Payment authorizations (Belvo's PaymentAuthorization.status, Payments-BR.V2):
 *   AWAITING_AUTHORIZATION → PARTIALLY_ACCEPTED   one of a business payer's two approvers accepted
 *   AWAITING_AUTHORIZATION | PARTIALLY_ACCEPTED → AUTHORIZED   the payer authorized at their bank
 *   AWAITING_AUTHORIZATION | PARTIALLY_ACCEPTED → FAILED       the bank refused the consent, the payer
 *                                                 rejected it at the bank page, or 60 minutes passed
 *   AUTHORIZED → CONSUMED                         its one-time payment settled
 *   AWAITING_AUTHORIZATION | PARTIALLY_ACCEPTED | AUTHORIZED → REVOKED   canceled (POST .../cancel/)
 * FAILED, CONSUMED and REVOKED are final.
 */
export const PAYMENT_AUTHORIZATION_STATUSES = ['AWAITING_AUTHORIZATION', 'PARTIALLY_ACCEPTED', 'AUTHORIZED', 'FAILED', 'CONSUMED', 'REVOKED'] as const
export type PaymentAuthorizationStatus = (typeof PAYMENT_AUTHORIZATION_STATUSES)[number]

export const PAYMENT_AUTHORIZATION_MACHINE: Machine<PaymentAuthorizationStatus> = {
  objectType: 'payment_authorization',
  initial: ['AWAITING_AUTHORIZATION'],
  transitions: {
    AWAITING_AUTHORIZATION: ['PARTIALLY_ACCEPTED', 'AUTHORIZED', 'FAILED', 'REVOKED'],
    PARTIALLY_ACCEPTED: ['AUTHORIZED', 'FAILED', 'REVOKED'],
    AUTHORIZED: ['CONSUMED', 'REVOKED'],
    FAILED: [],
    CONSUMED: [],
    REVOKED: [],
  },
}

/**
 * The charges of a payment authorization (ChargeV2.status; SETTLED where an intent's charge says
 * SUCCEEDED):
 *   PENDING → SETTLED | FAILED                 immediate payment, on authorization
 *   SCHEDULED → SETTLED | FAILED | CANCELED    on its date (scheduler), or canceled before it
 * A retry of a FAILED charge is a new SCHEDULED charge (its `previous`), not a status change.
 */
export const AUTHORIZATION_CHARGE_STATUSES = ['PENDING', 'SCHEDULED', 'SETTLED', 'CANCELED', 'FAILED'] as const
export type AuthorizationChargeStatus = (typeof AUTHORIZATION_CHARGE_STATUSES)[number]

export const AUTHORIZATION_CHARGE_MACHINE: Machine<AuthorizationChargeStatus> = {
  objectType: 'authorization_charge',
  initial: ['PENDING', 'SCHEDULED'],
  transitions: {
    PENDING: ['SETTLED', 'FAILED'],
    SCHEDULED: ['SETTLED', 'FAILED', 'CANCELED'],
    SETTLED: [],
    CANCELED: [],
    FAILED: [],
  },
}

/** Objects that are created in their only status and never change (they still get a ledger row). */
export const CREATED_ONLY = { customer: 'CREATED', bank_account: 'CREATED', transaction: 'SETTLED' } as const

export function canTransition<S extends string>(machine: Machine<S>, from: S, to: S): boolean {
  return machine.transitions[from]?.includes(to) ?? false
}

export function isFinal<S extends string>(machine: Machine<S>, status: S): boolean {
  return (machine.transitions[status] ?? []).length === 0
}

/**
 * Checks a change against its machine. A change the machine lacks is a bug in the caller unless
 * the caller checked the status first and answers its own 400: this throws Belvo's generic
 * `invalid` so that even then nothing moves.
 */
export function transition<S extends string>(machine: Machine<S>, from: S, to: S): { from: S; to: S } {
  if (!canTransition(machine, from, to)) {
    throw new PonteError('invalid', { variant: 'transition', params: { object: machine.objectType, from, to } })
  }
  return { from, to }
}

/**
 * Payment links of the earlier payments API (issue 17, 1.35.0 EnumPaymentLinksStatus): ACTIVE
 * until its payment intent ends (SUCCEEDED or FAILED); a link past its expires_at reads INACTIVE
 * without a change (store/payments-legacy.ts listPaymentLinks).
 */
export const PAYMENT_LINK_STATUSES = ['ACTIVE', 'INACTIVE'] as const
export type PaymentLinkStatus = (typeof PAYMENT_LINK_STATUSES)[number]

export const PAYMENT_LINK_MACHINE: Machine<PaymentLinkStatus> = {
  objectType: 'payment_link',
  initial: ['ACTIVE'],
  transitions: { ACTIVE: ['INACTIVE'], INACTIVE: [] },
}
