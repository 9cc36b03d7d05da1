import type { Clock } from '../../lib/clock.ts'
import { byIdOr404 } from '../by-id.ts'
import { PonteError } from '../../lib/errors.ts'
import { isUuid, uuidv7 } from '../../lib/ids.ts'
import { EMAIL_FORMAT, type FilterField, type ListRequest } from '../../lib/list-query.ts'
import type { Db, Queryable } from '../../store/db.ts'
import * as store from '../../store/payments.ts'
import type { BankAccountRow, CustomerRow, PaymentInstitutionRow } from '../../store/payments.ts'
import { recordChange, type PaymentsCaller } from './audit.ts'
import { parseDocument } from './documents.ts'
import { CREATED_ONLY } from './machines.ts'
import type { ResourceVersion } from './wire.ts'

/** Payment institutions, customers and bank accounts: the objects a payment intent refers to. */

type Ctx = { db: Db; clock: Clock }
type Body = Record<string, unknown>

const TIMESTAMP_LOOKUPS = ['exact', 'gt', 'gte', 'lt', 'lte', 'range'] as const

export const PAYMENT_INSTITUTION_FILTERS: readonly FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'name', type: 'text', lookups: ['exact'] },
  { param: 'institution_type', type: 'text', lookups: ['exact'], choices: ['INDIVIDUAL', 'BUSINESS'] },
]

export const CUSTOMER_FILTERS: readonly FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'created_at', type: 'datetime', lookups: TIMESTAMP_LOOKUPS },
  { param: 'customer__type', source: { column: 'customer_type' }, type: 'text', lookups: ['exact'], choices: ['INDIVIDUAL', 'BUSINESS'] },
  { param: 'external_id', type: 'uuid', lookups: ['exact', 'in'] },
  {
    param: 'search',
    source: { column: 'search_text' },
    type: 'text',
    lookups: ['exact'],
    partial: true,
    minLength: 3,
    description: 'Part of the name or document',
  },
]

export const BANK_ACCOUNT_FILTERS: readonly FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'created_at', type: 'datetime', lookups: TIMESTAMP_LOOKUPS },
  { param: 'number', type: 'text', lookups: ['exact', 'in'] },
  { param: 'customer', source: { column: 'customer_id' }, type: 'uuid', lookups: ['exact'] },
  { param: 'external_id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'institution', source: { column: 'institution_id' }, type: 'uuid', lookups: ['exact'] },
  { param: 'holder__type', source: { column: 'holder_type' }, type: 'text', lookups: ['exact', 'in'], choices: ['INDIVIDUAL', 'BUSINESS'] },
]

// ---------------------------------------------------------------------------------------------
// Shared validation

export function optionalUuid(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string' || !isUuid(value)) throw new PonteError('invalid', { field, variant: 'uuid', params: { value: String(value) } })
  return value.toLowerCase()
}

export function requiredString(body: Body, key: string, field = key): string {
  const value = body[key]
  if (value === undefined) throw new PonteError('required', { field })
  if (value === null) throw new PonteError('null', { field })
  if (typeof value !== 'string') throw new PonteError('invalid', { field, params: { detail: `${field} must be a string` } })
  if (value.trim() === '') throw new PonteError('blank', { field })
  return value
}

function optionalString(body: Body, key: string, max: number): string | null {
  const value = body[key]
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw new PonteError('invalid', { field: key, params: { detail: `${key} must be a string` } })
  if (value.length > max) throw new PonteError('max_length', { field: key, params: { limit: max } })
  return value
}

export function objectAt(body: Body, key: string, field: string): Body {
  const value = body[key]
  if (value === undefined) throw new PonteError('required', { field })
  if (value === null) throw new PonteError('null', { field })
  if (typeof value !== 'object' || Array.isArray(value)) throw new PonteError('invalid', { field, params: { detail: `${field} must be an object` } })
  return value as Body
}

/** Belvo's metadata: up to 50 keys of up to 50 characters, values up to 500 characters. */
export function parseMetadata(value: unknown, field = 'metadata'): Record<string, unknown> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new PonteError('invalid', { field, variant: 'metadata' })
  const entries = Object.entries(value)
  const tooLong = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v)).length > 500
  if (entries.length > 50 || entries.some(([k, v]) => k.length > 50 || tooLong(v))) throw new PonteError('invalid', { field, variant: 'metadata' })
  return value as Record<string, unknown>
}

// ---------------------------------------------------------------------------------------------
// Institutions

export function listPaymentInstitutions(db: Queryable, { conditions, page }: ListRequest) {
  return store.listPaymentInstitutions(db, conditions, page)
}

/** GET /payments/br/institutions/{id}/ (a Ponte addition: Belvo only lists them): 404 when unknown. */
export async function getPaymentInstitution(db: Queryable, id: string): Promise<PaymentInstitutionRow> {
  return byIdOr404(id, async (uuid) => {
    const institution = await store.findPaymentInstitution(db, uuid)
    return institution?.country === 'BRA' ? institution : undefined
  })
}

/** A payer's or beneficiary's institution by id: Belvo's 400 `does_not_exist` on `field`, or `invalid` when inactive. */
export async function activeInstitution(db: Queryable, id: unknown, field: string): Promise<PaymentInstitutionRow> {
  const institutionId = optionalUuid(id, field)
  const institution = institutionId ? await store.findPaymentInstitution(db, institutionId) : undefined
  // Colombia's PSE banks (the earlier API, migration 0019) are not Brazil's.
  if (!institution || institution.country !== 'BRA') throw new PonteError('does_not_exist', { field, variant: 'id', params: { value: String(id) } })
  if (!institution.active) throw new PonteError('invalid', { field, variant: 'inactive_institution', params: { value: institution.name } })
  return institution
}

// ---------------------------------------------------------------------------------------------
// Customers

export function listCustomers(db: Queryable, caller: PaymentsCaller, { conditions, page }: ListRequest) {
  return store.listCustomers(db, caller.organizationId, conditions, page)
}

export async function getCustomer(db: Queryable, caller: PaymentsCaller, id: string): Promise<CustomerRow> {
  return byIdOr404(id, (uuid) => store.findCustomer(db, caller.organizationId, uuid))
}

/**
 * Validates and inserts a customer inside `tx` (POST /payments/br/customers/, or the "new
 * customer" variants of a payment intent with `reuse`: then a customer the organization already
 * has with that document is used instead of a 400 `already_registered`). `prefix` names the
 * body's place in a larger one for error fields (`customer.`).
 */
export async function createCustomerIn(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  body: Body,
  version: ResourceVersion,
  options: { prefix?: string; reuse?: boolean } = {},
): Promise<CustomerRow> {
  const prefix = options.prefix ?? ''
  const document = parseDocument(requiredString(body, 'identifier', `${prefix}identifier`), `${prefix}identifier`)
  const name = version === 'V2' ? requiredString(body, 'name', `${prefix}name`) : optionalString(body, 'name', 255)
  const email = optionalString(body, 'email', 254)
  if (email !== null && !EMAIL_FORMAT.pattern.test(email)) throw new PonteError('invalid', { field: `${prefix}email`, variant: 'email' })
  if (options.reuse) {
    const existing = await store.findCustomerByIdentifier(tx, caller.organizationId, document.digits)
    if (existing) return existing
  }
  const now = ctx.clock.now()
  const customer = await store.insertCustomer(tx, {
    id: uuidv7(now.getTime()),
    organization_id: caller.organizationId,
    customer_type: document.type === 'CPF' ? 'INDIVIDUAL' : 'BUSINESS',
    identifier_type: document.type,
    identifier: document.digits,
    name,
    email,
    phone: optionalString(body, 'phone', 40),
    address: optionalString(body, 'address', 500),
    external_id: optionalUuid(body.external_id, `${prefix}external_id`),
    version,
    created_by: caller.organizationId,
    created_at: now.toISOString(),
  })
  if (!customer) throw new PonteError('already_registered', { field: `${prefix}identifier` })
  await recordChange(tx, ctx, caller, { objectType: 'customer', objectId: customer.id, from: null, to: CREATED_ONLY.customer })
  return customer
}

// ---------------------------------------------------------------------------------------------
// Bank accounts

export function listBankAccounts(db: Queryable, caller: PaymentsCaller, { conditions, page }: ListRequest) {
  return store.listBankAccounts(db, caller.organizationId, conditions, page)
}

export async function getBankAccount(db: Queryable, caller: PaymentsCaller, id: string): Promise<BankAccountRow> {
  return byIdOr404(id, (uuid) => store.findBankAccount(db, caller.organizationId, uuid))
}

const ACCOUNT_TYPES_V1 = ['CHECKINGS', 'SAVINGS', 'SALARY', 'PAYMENTS']
const ACCOUNT_TYPES_V2 = ['CHECKINGS', 'SAVINGS', 'PAYMENTS']

function accountDetails(details: Body, prefix: string, types: string[]) {
  const accountType = requiredString(details, 'account_type', `${prefix}account_type`)
  if (!types.includes(accountType)) throw new PonteError('invalid_choice', { field: `${prefix}account_type`, params: { value: accountType } })
  const agency = requiredString(details, 'agency', `${prefix}agency`)
  if (!/^\d{1,6}$/.test(agency)) throw new PonteError('invalid', { field: `${prefix}agency`, variant: 'agency' })
  const number = requiredString(details, 'number', `${prefix}number`)
  if (!/^\d{1,20}$/.test(number)) throw new PonteError('invalid', { field: `${prefix}number`, variant: 'account_number' })
  return { account_type: accountType as BankAccountRow['account_type'], agency, number }
}

/**
 * Validates and inserts a bank account inside `tx`: V1 (CreateBankAccountOfpiIndividual /
 * CreateBankAccountOfpiBusiness: institution, holder {type, information}, details) or V2
 * (CreateBankAccountV2: holder {name, identifier}, details with the institution). The holder's
 * document is checked (CPF for INDIVIDUAL, CNPJ for BUSINESS); the account belongs to the
 * organization's customer with that document when there is one. With `reuse` (the payment
 * intent variant that registers its beneficiary), an account already registered is used again.
 */
export async function createBankAccountIn(
  tx: Queryable,
  ctx: { clock: Clock },
  caller: PaymentsCaller,
  body: Body,
  version: ResourceVersion,
  options: { prefix?: string; reuse?: boolean } = {},
): Promise<BankAccountRow> {
  const p = options.prefix ?? ''
  const holderBody = objectAt(body, 'holder', `${p}holder`)
  const detailsBody = objectAt(body, 'details', `${p}details`)
  let institutionId: unknown
  let holder: { type: 'INDIVIDUAL' | 'BUSINESS'; name: string; identifier: string; wire: Record<string, unknown> }
  let details: ReturnType<typeof accountDetails>
  if (version === 'V2') {
    const name = requiredString(holderBody, 'name', `${p}holder.name`)
    const document = parseDocument(requiredString(holderBody, 'identifier', `${p}holder.identifier`), `${p}holder.identifier`)
    const type = document.type === 'CPF' ? 'INDIVIDUAL' : 'BUSINESS'
    const [first, ...rest] = name.trim().split(/\s+/)
    holder = {
      type,
      name,
      identifier: document.digits,
      wire:
        type === 'INDIVIDUAL'
          ? { type, information: { first_name: first, last_name: rest.join(' '), identifier_type: 'CPF', identifier: document.digits } }
          : { type, information: { name, identifier_type: 'CNPJ', identifier: document.digits } },
    }
    details = accountDetails(detailsBody, `${p}details.`, ACCOUNT_TYPES_V2)
    institutionId = detailsBody.institution ?? (detailsBody.institution === null ? null : undefined)
    if (institutionId === undefined) throw new PonteError('required', { field: `${p}details.institution` })
  } else {
    institutionId = body.institution
    if (institutionId === undefined) throw new PonteError('required', { field: `${p}institution` })
    const type = requiredString(holderBody, 'type', `${p}holder.type`)
    if (type !== 'INDIVIDUAL' && type !== 'BUSINESS') throw new PonteError('invalid_choice', { field: `${p}holder.type`, params: { value: type } })
    const info = objectAt(holderBody, 'information', `${p}holder.information`)
    const f = `${p}holder.information.`
    const expected = type === 'INDIVIDUAL' ? 'CPF' : 'CNPJ'
    const identifierType = requiredString(info, 'identifier_type', `${f}identifier_type`)
    if (identifierType !== expected) throw new PonteError('invalid_choice', { field: `${f}identifier_type`, params: { value: identifierType } })
    const document = parseDocument(requiredString(info, 'identifier', `${f}identifier`), `${f}identifier`, expected)
    if (type === 'INDIVIDUAL') {
      const firstName = requiredString(info, 'first_name', `${f}first_name`)
      const lastName = requiredString(info, 'last_name', `${f}last_name`)
      holder = {
        type,
        name: `${firstName} ${lastName}`,
        identifier: document.digits,
        wire: { type, information: { first_name: firstName, last_name: lastName, identifier_type: 'CPF', identifier: document.digits } },
      }
    } else {
      const name = requiredString(info, 'name', `${f}name`)
      holder = { type, name, identifier: document.digits, wire: { type, information: { name, identifier_type: 'CNPJ', identifier: document.digits } } }
    }
    details = accountDetails(detailsBody, `${p}details.`, ACCOUNT_TYPES_V1)
  }
  const institutionField = version === 'V2' ? `${p}details.institution` : `${p}institution`
  const institution = await activeInstitution(tx, institutionId, institutionField)
  const customer = await store.findCustomerByIdentifier(tx, caller.organizationId, holder.identifier)
  const now = ctx.clock.now()
  const account = await store.insertBankAccount(tx, {
    id: uuidv7(now.getTime()),
    organization_id: caller.organizationId,
    customer_id: customer?.id ?? null,
    institution_id: institution.id,
    holder_type: holder.type,
    holder_name: holder.name,
    holder_identifier: holder.identifier,
    holder: holder.wire,
    ...details,
    external_id: optionalUuid(body.external_id, `${p}external_id`),
    metadata: parseMetadata(body.metadata, `${p}metadata`),
    version,
    created_by: caller.organizationId,
    created_at: now.toISOString(),
  })
  if (!account) {
    if (options.reuse) {
      const existing = await store.findBankAccountByNumber(tx, caller.organizationId, institution.id, details.agency, details.number)
      if (existing) return existing
    }
    throw new PonteError('already_registered', { field: `${p}details.number`, variant: 'bank_account' })
  }
  await recordChange(tx, ctx, caller, {
    objectType: 'bank_account',
    objectId: account.id,
    from: null,
    to: CREATED_ONLY.bank_account,
    // Belvo sends BANK_ACCOUNTS webhooks for V2 accounts (INVENTORY 7.3).
    ...(version === 'V2' ? { webhook: { type: 'BANK_ACCOUNTS', code: 'OBJECT_CREATED', externalId: account.external_id, data: { status: 'CREATED' } } } : {}),
  })
  return account
}

export type { Ctx as ObjectsContext }
