import type { Clock } from '../../lib/clock.ts'
import { byIdOr404 } from '../by-id.ts'
import { PonteError } from '../../lib/errors.ts'
import { secretHex32, uuidv7 } from '../../lib/ids.ts'
import type { FilterField, ListRequest } from '../../lib/list-query.ts'
import type { Db, Queryable } from '../../store/db.ts'
import * as store from '../../store/payments.ts'
import type { EnrollmentRow } from '../../store/payments.ts'
import { recordChange, type PaymentsCaller } from './audit.ts'
import { checkBankAnswer } from './biometric.ts'
import { ENROLLMENT_MACHINE, ENROLLMENT_STATUSES, transition, type EnrollmentStatus } from './machines.ts'
import { activeInstitution, objectAt, optionalUuid, parseMetadata, requiredString } from './objects.ts'

/**
 * Biometric Pix enrollments (POST/GET /payments/br/enrollments/, complete-redirection): a
 * customer's device registered at their institution. The sandbox institution's page sends the
 * user back with `state` and either `code` + `id_token` (SUCCEEDED) or `error` (FAILED); an
 * enrollment not completed within ENROLLMENT_TTL_MS is CANCELED when it comes back.
 */
export const ENROLLMENT_TTL_MS = 15 * 60_000
export const PLATFORMS = ['ANDROID', 'BROWSER', 'CROSS_PLATFORM', 'IOS'] as const

export const ENROLLMENT_FILTERS: readonly FilterField[] = [
  { param: 'customer', source: { column: 'customer_id' }, type: 'uuid', lookups: ['exact'] },
  {
    param: 'customer__identifier',
    source: { customer: 'identifier' },
    type: 'text',
    lookups: ['exact'],
    description: "The customer's CPF (digits)",
    format: { pattern: /^\d{11,14}$/, detail: 'A CPF or CNPJ is 11 to 14 digits.' },
  },
  { param: 'external_id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'institution', source: { column: 'institution_id' }, type: 'uuid', lookups: ['exact'] },
  { param: 'status', type: 'text', lookups: ['exact', 'in'], choices: ENROLLMENT_STATUSES },
]

type Body = Record<string, unknown>

/** The sandbox institution's enrollment page (routes/enrollment-bank.ts). */
export const ENROLLMENT_BANK_PATH = '/sandbox/openfinance/enrollments/authorize'

/** An enrollment's details.redirect_url: the bank page, on the server's own origin. */
export function enrollmentBankUrl(origin: string, state: string): string {
  return `${origin}${ENROLLMENT_BANK_PATH}?state=${state}`
}

/** `origin`: the server's public origin (the bank page's, in details.redirect_url). */
export function enrollmentWire(row: EnrollmentRow, origin: string) {
  return {
    id: row.id,
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
    ...(row.external_id === null ? {} : { external_id: row.external_id }),
    type: 'open_finance_biometric_pix',
    status: row.status,
    status_reason_code: row.status_reason_code,
    status_reason_message: row.status_reason_message,
    details: {
      status: row.details_status,
      customer: row.customer_id,
      institution: row.institution_id,
      platform: row.platform,
      name: row.name,
      ...(row.callback_url ? { callback_url: row.callback_url } : {}),
      redirect_url: enrollmentBankUrl(origin, row.state),
      risk_signals: '******',
      expires_at: row.expires_at,
    },
    metadata: row.metadata,
  }
}

export async function createEnrollmentIn(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, body: Body): Promise<EnrollmentRow> {
  const type = requiredString(body, 'type')
  if (type !== 'open_finance_biometric_pix') throw new PonteError('invalid_choice', { field: 'type', params: { value: type } })
  const details = objectAt(body, 'details', 'details')
  if (details.customer === undefined) throw new PonteError('required', { field: 'details.customer' })
  const customerId = optionalUuid(details.customer, 'details.customer')
  const customer = customerId ? await store.findCustomer(tx, caller.organizationId, customerId) : undefined
  if (!customer) throw new PonteError('does_not_exist', { field: 'details.customer', variant: 'id', params: { value: String(details.customer) } })
  if (details.institution === undefined) throw new PonteError('required', { field: 'details.institution' })
  const institution = await activeInstitution(tx, details.institution, 'details.institution')
  const platform = requiredString(details, 'platform', 'details.platform')
  if (!(PLATFORMS as readonly string[]).includes(platform)) throw new PonteError('invalid_choice', { field: 'details.platform', params: { value: platform } })
  objectAt(details, 'risk_signals', 'details.risk_signals')
  const callbackUrl =
    details.callback_url === undefined || details.callback_url === null ? null : requiredString(details, 'callback_url', 'details.callback_url')
  if (callbackUrl !== null && !/^https?:\/\/\S+$/.test(callbackUrl)) throw new PonteError('invalid', { field: 'details.callback_url', variant: 'url' })
  const name = details.name === undefined || details.name === null ? null : requiredString(details, 'name', 'details.name')
  const now = ctx.clock.now()
  const enrollment = await store.insertEnrollment(tx, {
    id: uuidv7(now.getTime()),
    organization_id: caller.organizationId,
    customer_id: customer.id,
    institution_id: institution.id,
    status: 'PENDING',
    details_status: 'AWAITING_ACCOUNT_HOLDER_VALIDATION',
    platform,
    name,
    callback_url: callbackUrl,
    state: secretHex32(),
    external_id: optionalUuid(body.external_id, 'external_id'),
    metadata: parseMetadata(body.metadata),
    expires_at: new Date(now.getTime() + ENROLLMENT_TTL_MS).toISOString(),
    created_by: caller.organizationId,
    created_at: now.toISOString(),
  })
  await recordChange(tx, ctx, caller, { objectType: ENROLLMENT_MACHINE.objectType, objectId: enrollment.id, from: null, to: 'PENDING' })
  return enrollment
}

export function listEnrollments(db: Queryable, caller: PaymentsCaller, { conditions, page }: ListRequest) {
  return store.listEnrollments(db, caller.organizationId, conditions, page)
}

export async function getEnrollment(db: Queryable, caller: PaymentsCaller, id: string): Promise<EnrollmentRow> {
  return byIdOr404(id, (uuid) => store.findEnrollment(db, caller.organizationId, { id: uuid }))
}

/**
 * POST /payments/br/enrollments/complete-redirection/: `{state, code, id_token}` → SUCCEEDED
 * (details AUTHORIZED); `{state, error, error_description}` → FAILED (details REJECTED, the
 * error as status_reason_code). Past its expiry the enrollment is CANCELED instead. Only a
 * PENDING enrollment completes: later it is Belvo's 400.
 */
export async function completeEnrollmentRedirection(ctx: { db: Db; clock: Clock }, caller: PaymentsCaller, body: Body): Promise<EnrollmentRow> {
  const state = requiredString(body, 'state')
  const error = body.error === undefined || body.error === null ? null : requiredString(body, 'error')
  if (error === null) requiredString(body, 'code')
  return ctx.db.tx(async (tx) => {
    const enrollment = await store.findEnrollment(tx, caller.organizationId, { state }, true)
    if (!enrollment) throw new PonteError('does_not_exist', { field: 'state', params: { key: 'state', value: state } })
    if (enrollment.status !== 'PENDING') {
      throw new PonteError('invalid', {
        field: 'state',
        variant: 'transition',
        params: { object: 'enrollment', from: enrollment.status, to: error ? 'FAILED' : 'SUCCEEDED' },
      })
    }
    // Once the person answered at the sandbox bank's page, only its code (or its error) completes.
    await checkBankAnswer(tx, caller.organizationId, enrollment.id, typeof body.code === 'string' ? body.code : null, error)
    const now = ctx.clock.now()
    const expired = now.getTime() > Date.parse(enrollment.expires_at)
    const to: EnrollmentStatus = expired ? 'CANCELED' : error ? 'FAILED' : 'SUCCEEDED'
    const change = {
      status: to,
      details_status: to === 'SUCCEEDED' ? 'AUTHORIZED' : 'REJECTED',
      status_reason_code: expired ? 'enrollment_expired' : error,
      status_reason_message: expired ? 'The enrollment was not completed before it expired.' : error ? String(body.error_description ?? error) : null,
    }
    transition(ENROLLMENT_MACHINE, enrollment.status as EnrollmentStatus, to)
    await store.updateEnrollmentStatus(tx, caller.organizationId, enrollment.id, change, now.toISOString())
    await recordChange(tx, ctx, caller, {
      objectType: ENROLLMENT_MACHINE.objectType,
      objectId: enrollment.id,
      from: enrollment.status,
      to,
      reason: change.status_reason_code,
      webhook: {
        type: 'ENROLLMENTS',
        code: 'STATUS_UPDATE',
        externalId: enrollment.external_id,
        data: { status: to, status_reason_code: change.status_reason_code, status_reason_message: change.status_reason_message },
      },
    })
    return { ...enrollment, ...change, updated_at: now.toISOString() }
  })
}
