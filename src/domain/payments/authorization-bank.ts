import { isValidCpf } from '@brazilian-utils/brazilian-utils'
import type { Clock } from '../../lib/clock.ts'
import { hex32 } from '../../lib/ids.ts'
import { PageProblemError } from '../../lib/errors.ts'
import type { Db } from '../../store/db.ts'
import { organizationName } from '../../store/keys.ts'
import * as store from '../../store/payment-authorizations.ts'
import type { PaymentAuthorizationRow } from '../../store/payment-authorizations.ts'
import { findBankAccount, findCustomer, findPaymentInstitution } from '../../store/payments.ts'
import { underOrganizationTime } from '../sandbox-clock.ts'
import type { PaymentsCaller } from './audit.ts'
import { approveLocked, authorizationExpired, AUTHORIZABLE, rejectLocked } from './authorizations.ts'
import { digitsOf, maskDocument } from './documents.ts'

/**
 * The sandbox bank's page of a payment authorization (issue 16): its authorization_url. The payer
 * logs in with their CPF (a business payer: its representative's) and approves or rejects the
 * Pix Automático authorization; the approval is the sandbox authorize call's (approveLocked: the
 * status machine, the charge, the webhooks), a rejection fails it with the payer's refusal. The
 * token in the URL is the page's only credential. Each step runs under the organization's sandbox
 * clock, so a deadline passed on that clock is passed here too.
 */

export type AuthorizationPageProblem = 'not_found' | 'decided' | 'expired' | 'cpf_invalid' | 'cpf_mismatch'

/** A problem shown on the page with its HTTP status (routes/payment-authorization-bank.ts). */
export class AuthorizationPageError extends PageProblemError<AuthorizationPageProblem> {}

export interface AuthorizationPageView {
  authorization: PaymentAuthorizationRow
  /** The payer's bank (the sandbox's retail bank until the payer's institution is known). */
  institutionName: string
  /** Who asks: the organization. */
  requesterName: string
  beneficiaryName: string
  /** The payer (masked document). */
  payerName: string
  payerDocument: string
  /** A business payer: its representative logs in, and two approvals authorize it. */
  business: boolean
  /** Which approval this is (2: the second of a business payer's). */
  approval: 1 | 2
}

type Ctx = { db: Db; clock: Clock }

const TOKEN = /^[0-9a-f]{32}$/

/** The CPF that logs in: the individual payer's, or the business payer's representative's. */
async function payerCpf(ctx: Ctx, authorization: PaymentAuthorizationRow): Promise<string> {
  const customer = await findCustomer(ctx.db, authorization.organization_id, authorization.customer_id)
  return customer?.customer_type === 'BUSINESS' ? (authorization.representative_identifier ?? '') : (customer?.identifier ?? '')
}

/** Still waiting for the payer; `now` null: the deadline is left to the decision's transaction (which expires it). */
function checkOpen(authorization: PaymentAuthorizationRow, now: Date | null): void {
  if (authorization.status_reason_code === 'authorization_expired' || (now && authorizationExpired(authorization, now))) {
    throw new AuthorizationPageError('expired')
  }
  if (!AUTHORIZABLE.includes(authorization.status)) throw new AuthorizationPageError('decided')
}

/** Runs `fn` with the token's authorization under its organization's time; unknown tokens are not_found. */
async function withAuthorization<T>(ctx: Ctx, token: string, fn: (authorization: PaymentAuthorizationRow) => Promise<T>): Promise<T> {
  const found = TOKEN.test(token) ? await store.findPaymentAuthorizationByBankToken(ctx.db, token) : undefined
  if (!found) throw new AuthorizationPageError('not_found')
  return underOrganizationTime(ctx, found.organization_id, () => fn(found))
}

async function pageView(ctx: Ctx, authorization: PaymentAuthorizationRow): Promise<AuthorizationPageView> {
  const org = authorization.organization_id
  const customer = await findCustomer(ctx.db, org, authorization.customer_id)
  const beneficiary = await findBankAccount(ctx.db, org, authorization.beneficiary_bank_account_id)
  const institution = authorization.payer_institution_id ? await findPaymentInstitution(ctx.db, authorization.payer_institution_id) : undefined
  return {
    authorization,
    institutionName: institution?.display_name ?? 'Ponte Mock Bank',
    requesterName: (await organizationName(ctx.db, org)) ?? 'Ponte',
    beneficiaryName: beneficiary?.holder_name ?? '',
    payerName: customer?.name ?? '',
    payerDocument: maskDocument(customer?.identifier ?? ''),
    business: customer?.customer_type === 'BUSINESS',
    approval: authorization.status === 'PARTIALLY_ACCEPTED' ? 2 : 1,
  }
}

/** GET of the page: the login form, for an authorization still waiting for the payer. */
export async function openAuthorizationAtBank(ctx: Ctx, token: string): Promise<AuthorizationPageView> {
  return withAuthorization(ctx, token, async (authorization) => {
    checkOpen(authorization, ctx.clock.now())
    return pageView(ctx, authorization)
  })
}

async function checkCpf(ctx: Ctx, authorization: PaymentAuthorizationRow, cpf: string): Promise<void> {
  const digits = digitsOf(cpf.trim())
  if (!/^\d{11}$/.test(digits) || !isValidCpf(digits)) throw new AuthorizationPageError('cpf_invalid')
  if (digits !== (await payerCpf(ctx, authorization))) throw new AuthorizationPageError('cpf_mismatch')
}

/** POST of the login: the CPF must be the payer's; the answer is the review page's view. */
export async function loginAtBank(ctx: Ctx, token: string, cpf: string): Promise<AuthorizationPageView> {
  return withAuthorization(ctx, token, async (authorization) => {
    checkOpen(authorization, ctx.clock.now())
    await checkCpf(ctx, authorization, cpf)
    return pageView(ctx, authorization)
  })
}

/**
 * POST of the decision (the CPF checked again: the form is the payer's browser's): under the
 * authorization's row lock, approve (approveLocked) or reject (rejectLocked) as the payer. Returns
 * where the browser goes: the authorization's return_url. One whose deadline passed is expired
 * by the same transaction and answered with the expired page.
 */
export async function decideAuthorizationAtBank(ctx: Ctx, token: string, cpf: string, approve: boolean): Promise<string> {
  const moved = await withAuthorization(ctx, token, async (found) => {
    checkOpen(found, null)
    await checkCpf(ctx, found, cpf)
    return ctx.db.tx(async (tx) => {
      const authorization = await store.findPaymentAuthorization(tx, found.organization_id, found.id, true)
      if (!authorization || !AUTHORIZABLE.includes(authorization.status)) throw new AuthorizationPageError('decided')
      const caller: PaymentsCaller = { organizationId: authorization.organization_id, keyId: 'payer', requestId: hex32() }
      return approve ? approveLocked(tx, ctx, caller, authorization, 'payer') : rejectLocked(tx, ctx, caller, authorization, 'payer')
    })
  })
  if (moved.status_reason_code === 'authorization_expired') throw new AuthorizationPageError('expired')
  return moved.return_url
}
