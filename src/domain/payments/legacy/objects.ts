import type { Clock } from '../../../lib/clock.ts'
import { PonteError } from '../../../lib/errors.ts'
import { uuidv7 } from '../../../lib/ids.ts'
import { EMAIL_FORMAT, type FilterField, type ListRequest } from '../../../lib/list-query.ts'
import type { Queryable } from '../../../store/db.ts'
import type { BankAccountRow, CustomerRow } from '../../../store/payments.ts'
import * as legacy from '../../../store/payments-legacy.ts'
import type { Country, LegacyBankAccountRow, LegacyCustomerRow, LegacyInstitutionRow } from '../../../store/payments-legacy.ts'
import { byIdOr404 } from '../../by-id.ts'
import { recordChange, type PaymentsCaller } from '../audit.ts'
import { parseDocument } from '../documents.ts'
import { CREATED_ONLY } from '../machines.ts'
import {
  BANK_ACCOUNT_FILTERS as BRAZIL_BANK_ACCOUNT_FILTERS,
  createBankAccountIn,
  createCustomerIn,
  CUSTOMER_FILTERS as BRAZIL_CUSTOMER_FILTERS,
  objectAt,
  optionalUuid,
  parseMetadata,
  requiredString,
} from '../objects.ts'
import { bankAccountWire as brazilBankAccountWire, customerWire as brazilCustomerWire, paymentInstitutionWire } from '../wire.ts'
import { COLOMBIAN_DOCUMENTS, customerTypeOf, parseColombianDocument, type ColombianDocument } from './colombia.ts'

/**
 * Institutions, customers and bank accounts of Belvo's earlier payments API (`/payments/...`,
 * 1.35.0): Brazil's OFPI objects are made by Payments Brazil's own functions (objects.ts) and are
 * the same rows `/payments/br/` shows; Colombia's PSE objects are rows of the same tables with
 * `country = 'COL'`.
 */

type Body = Record<string, unknown>
export const COUNTRIES: readonly Country[] = ['BRA', 'COL']

export const INSTITUTION_FILTERS: readonly FilterField[] = [
  { param: 'country', type: 'text', lookups: ['exact', 'in'], choices: COUNTRIES },
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'name', type: 'text', lookups: ['exact'] },
]

/** Payments Brazil's filters, without external_id (1.35.0 has none), and the country's. */
const withoutExternalId = (filters: readonly FilterField[]) => filters.filter((f) => f.param !== 'external_id')

export const CUSTOMER_FILTERS: readonly FilterField[] = [
  ...withoutExternalId(BRAZIL_CUSTOMER_FILTERS),
  { param: 'country', type: 'text', lookups: ['exact'], choices: COUNTRIES, description: 'BRA (OFPI) or COL (PSE)' },
  { param: 'identifier_type', type: 'text', lookups: ['exact', 'in'], choices: ['CPF', 'CNPJ', ...COLOMBIAN_DOCUMENTS] },
]

export const BANK_ACCOUNT_FILTERS: readonly FilterField[] = [
  ...withoutExternalId(BRAZIL_BANK_ACCOUNT_FILTERS),
  {
    param: 'providers',
    source: { column: 'provider' },
    type: 'text',
    lookups: ['exact'],
    choices: ['payments_way'],
    description: 'payments_way: the PSE accounts (the only provider)',
  },
  { param: 'country', type: 'text', lookups: ['exact'], choices: COUNTRIES },
]

// ---------------------------------------------------------------------------------------------
// Wire (1.35.0 paymentInstitution, CustomerOfpi / CustomerPse, BankAccountOfpiResponse / BankAccountPseResponse)

export function institutionWire(row: LegacyInstitutionRow) {
  const { id, active, name, display_name, website, logo, icon_logo, text_logo, primary_color } = paymentInstitutionWire(row)
  return { id, active, name, display_name, website, logo, icon_logo, text_logo, primary_color, country: row.country, form_fields: [] }
}

export function customerWire(row: LegacyCustomerRow) {
  // Payments Brazil's V1 customer, without its external_id (1.35.0 has none); a V1 customer may
  // have no name or e-mail, which the earlier API always shows.
  const { external_id: _externalId, ...v1 } = brazilCustomerWire(row as unknown as CustomerRow, 'V1')
  return { ...v1, name: row.name ?? '', email: row.email ?? '', country: row.country }
}

export function bankAccountWire(row: LegacyBankAccountRow) {
  if (row.country === 'COL') {
    const holder = row.holder as { type: string; information: { name: string } }
    return {
      id: row.id,
      created_at: row.created_at,
      created_by: row.created_by,
      customer: row.customer_id,
      institution: row.institution_id,
      number: row.number,
      holder,
      details: row.providers ?? {},
      metadata: row.metadata,
    }
  }
  const { external_id: _externalId, ...v1 } = brazilBankAccountWire(row as BankAccountRow, 'V1') as Record<string, unknown>
  return { ...v1, details: { country: 'BRA', ...(v1.details as object) } }
}

// ---------------------------------------------------------------------------------------------
// Institutions

export function listInstitutions(db: Queryable, { conditions, page }: ListRequest) {
  return legacy.listInstitutions(db, conditions, page)
}

export function getInstitution(db: Queryable, id: string) {
  return byIdOr404(id, (uuid) => legacy.findInstitution(db, uuid))
}

/** An active institution of `country` by id: Belvo's 400 `does_not_exist` on `field` otherwise. */
export async function activeInstitutionOf(db: Queryable, country: Country, id: unknown, field: string): Promise<LegacyInstitutionRow> {
  const uuid = optionalUuid(id, field)
  const institution = uuid ? await legacy.findInstitution(db, uuid) : undefined
  if (!institution || institution.country !== country) throw new PonteError('does_not_exist', { field, variant: 'id', params: { value: String(id) } })
  if (!institution.active) throw new PonteError('invalid', { field, variant: 'inactive_institution', params: { value: institution.name } })
  return institution
}

// ---------------------------------------------------------------------------------------------
// Customers

export function listCustomers(db: Queryable, caller: PaymentsCaller, { conditions, page }: ListRequest) {
  return legacy.listCustomers(db, caller.organizationId, conditions, page)
}

export function getCustomer(db: Queryable, caller: PaymentsCaller, id: string) {
  return byIdOr404(id, (uuid) => legacy.findCustomer(db, caller.organizationId, uuid))
}

function choice<T extends string>(body: Body, key: string, choices: readonly T[]): T {
  const value = requiredString(body, key)
  if (!(choices as readonly string[]).includes(value)) throw new PonteError('invalid_choice', { field: key, params: { value } })
  return value as T
}

function optionalText(body: Body, key: string, min: number, max: number): string | null {
  const value = body[key]
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw new PonteError('invalid', { field: key, params: { detail: `${key} must be a string` } })
  if (value.length < min) throw new PonteError('min_length', { field: key, params: { limit: min } })
  if (value.length > max) throw new PonteError('max_length', { field: key, params: { limit: max } })
  return value
}

/**
 * POST /payments/customers/: CreateCustomerOfpi (country BRA, CPF or CNPJ) or CreateCustomerPse
 * (country COL, CC, CE, NIT, PP or TI), every field checked with Belvo's 400 naming it. A
 * Brazilian customer is Payments Brazil's V1 customer (createCustomerIn).
 */
export async function createCustomer(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, body: Body): Promise<LegacyCustomerRow> {
  const customerType = choice(body, 'customer_type', ['INDIVIDUAL', 'BUSINESS'] as const)
  const name = requiredString(body, 'name')
  if (name.length < 5) throw new PonteError('min_length', { field: 'name', params: { limit: 5 } })
  if (name.length > 200) throw new PonteError('max_length', { field: 'name', params: { limit: 200 } })
  const country = choice(body, 'country', COUNTRIES)
  const email = requiredString(body, 'email')
  if (!EMAIL_FORMAT.pattern.test(email) || email.length > 254) throw new PonteError('invalid', { field: 'email', variant: 'email' })
  const identifierType = choice(body, 'identifier_type', ['CPF', 'CNPJ', ...COLOMBIAN_DOCUMENTS] as const)
  const identifier = requiredString(body, 'identifier')
  if (identifier.length > 25) throw new PonteError('max_length', { field: 'identifier', params: { limit: 25 } })
  const address = optionalText(body, 'address', 5, 150)
  const phone = optionalText(body, 'phone', 1, 40)
  if (country === 'BRA') {
    const expected = customerType === 'INDIVIDUAL' ? 'CPF' : 'CNPJ'
    if (identifierType !== expected) {
      throw new PonteError('invalid', { field: 'identifier_type', variant: 'identifier_type_of', params: { customer_type: customerType, country, expected } })
    }
    parseDocument(identifier, 'identifier', expected)
    const row = await createCustomerIn(tx, ctx, caller, { identifier, name, email, phone, address }, 'V1')
    return { ...row, country: 'BRA' }
  }
  if (identifierType === 'CPF' || identifierType === 'CNPJ' || customerTypeOf(identifierType) !== customerType) {
    const expected = customerType === 'BUSINESS' ? 'NIT' : 'CC, CE, PP or TI'
    throw new PonteError('invalid', { field: 'identifier_type', variant: 'identifier_type_of', params: { customer_type: customerType, country, expected } })
  }
  const document = parseColombianDocument(identifierType as ColombianDocument, identifier, 'identifier')
  const now = ctx.clock.now()
  const customer = await legacy.insertColombianCustomer(tx, {
    id: uuidv7(now.getTime()),
    organization_id: caller.organizationId,
    customer_type: customerType,
    identifier_type: identifierType,
    identifier: document,
    name,
    email,
    phone,
    address,
    external_id: null,
    version: 'V1',
    created_by: caller.organizationId,
    created_at: now.toISOString(),
  })
  if (!customer) throw new PonteError('already_registered', { field: 'identifier' })
  await recordChange(tx, ctx, caller, { objectType: 'customer', objectId: customer.id, from: null, to: CREATED_ONLY.customer })
  return customer
}

// ---------------------------------------------------------------------------------------------
// Bank accounts

export function listBankAccounts(db: Queryable, caller: PaymentsCaller, { conditions, page }: ListRequest) {
  return legacy.listBankAccounts(db, caller.organizationId, conditions, page)
}

export function getBankAccount(db: Queryable, caller: PaymentsCaller, id: string) {
  return byIdOr404(id, (uuid) => legacy.findBankAccount(db, caller.organizationId, uuid))
}

function positiveInteger(body: Body, key: string, field: string): number {
  const value = body[key]
  if (value === undefined) throw new PonteError('required', { field })
  if (value === null) throw new PonteError('null', { field })
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > 2_147_483_647) {
    throw new PonteError('invalid', { field, params: { detail: `${field} must be a positive 32-bit integer` } })
  }
  return value
}

/**
 * POST /payments/bank-accounts/: CreateBankAccountOfpi (institution, holder, details with
 * `country: BRA`: Payments Brazil's V1 account, createBankAccountIn) or CreateBankAccountPse
 * (holder BUSINESS {name}, providers.payments_way {terminal_id, form_id}, metadata): the
 * organization's PSE collection account.
 */
export async function createBankAccount(tx: Queryable, ctx: { clock: Clock }, caller: PaymentsCaller, body: Body): Promise<LegacyBankAccountRow> {
  if (body.providers === undefined) {
    const details = objectAt(body, 'details', 'details')
    if (details.country !== undefined && details.country !== 'BRA') {
      throw new PonteError('invalid_choice', { field: 'details.country', params: { value: String(details.country) } })
    }
    if (details.pix_key !== undefined)
      throw new PonteError('invalid', { field: 'details.pix_key', params: { detail: 'Pix key accounts are not supported; use agency and number' } })
    const { country: _country, ...brazilDetails } = details
    const row = await createBankAccountIn(tx, ctx, caller, { ...body, details: brazilDetails }, 'V1')
    return { ...row, country: 'BRA', providers: null }
  }
  const holderBody = objectAt(body, 'holder', 'holder')
  const type = requiredString(holderBody, 'type', 'holder.type')
  if (type !== 'BUSINESS') throw new PonteError('invalid_choice', { field: 'holder.type', params: { value: type } })
  const name = requiredString(objectAt(holderBody, 'information', 'holder.information'), 'name', 'holder.information.name')
  if (name.length > 200) throw new PonteError('max_length', { field: 'holder.information.name', params: { limit: 200 } })
  const providers = objectAt(body, 'providers', 'providers')
  const way = objectAt(providers, 'payments_way', 'providers.payments_way')
  const paymentsWay = {
    terminal_id: positiveInteger(way, 'terminal_id', 'providers.payments_way.terminal_id'),
    form_id: positiveInteger(way, 'form_id', 'providers.payments_way.form_id'),
  }
  const now = ctx.clock.now()
  const account = await legacy.insertPseBankAccount(tx, {
    id: uuidv7(now.getTime()),
    organization_id: caller.organizationId,
    holder_name: name,
    holder: { type: 'BUSINESS', information: { name } },
    providers: { payments_way: paymentsWay },
    metadata: parseMetadata(body.metadata),
    created_by: caller.organizationId,
    created_at: now.toISOString(),
  })
  await recordChange(tx, ctx, caller, { objectType: 'bank_account', objectId: account.id, from: null, to: CREATED_ONLY.bank_account })
  return account
}
