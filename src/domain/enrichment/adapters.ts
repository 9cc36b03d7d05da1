import type { InstitutionRecord, WireShape } from '../../connectors/types.ts'
import { isCalendarDay } from '../../lib/dates.ts'
import { PonteError, PonteErrors } from '../../lib/errors.ts'
import type { AccountIndex } from '../resource-spec.ts'
import type { Direction, EnrichTransaction } from './transactions.ts'

/**
 * The two ways transactions reach the enrichment methods, turned into `EnrichTransaction`:
 * - a link's transactions as its connector answers them, in Belvo's wire fields for the
 *   institution's shape (`multiregion`: the 1.59.0 `Transaction` of Mexico and Colombia; `ofda`:
 *   the 1.223.0 `TransactionOpenFinanceBrazil`);
 * - the customer's own transactions posted to the "enrich your own data" endpoints (1.35.0
 *   `CategorizationBodyRequest` and `EyodIncomeVerificationBodyRequest`).
 * Any `category` or `subcategory` a record carries is ignored on purpose: the methods compute
 * their own, and must never learn from labels a generator (or an institution) put there.
 */

/** What the adapter needs to know of the link's accounts: their category by internal id. */
export type AccountCategories = ReadonlyMap<string, string | null>

/** The categories of a link's stored accounts (FetchRequest.accounts), for `toEnrichTransactions`. */
export function accountCategoriesOf(accounts: AccountIndex): AccountCategories {
  const categories = new Map<string, string | null>()
  for (const [internalId, account] of accounts) categories.set(internalId, text(account.wire.category))
  return categories
}

/** One item of an EYOD body (categorization, income verification, recurring expenses). */
export interface EyodTransaction {
  transaction_id: string
  account_id: string
  account_category?: string | null
  value_date: string
  description: string
  type?: string | null
  amount: number
  currency: string
  mcc?: number | null
  [field: string]: unknown
}

/**
 * A link's TRANSACTIONS records, as the connector answers them, in the enrichment's shape.
 * `accounts` gives each account's category (the link's stored accounts, by internal id); an
 * account the map does not name keeps a null category unless the record embeds its account.
 * Records without an account, a date or a usable amount are left out: nothing can be said of them.
 */
export function toEnrichTransactions(records: readonly InstitutionRecord[], shape: WireShape, accounts?: AccountCategories): EnrichTransaction[] {
  const out: EnrichTransaction[] = []
  for (const record of records) {
    const tx = shape === 'ofda' ? fromOfda(record, accounts) : fromMultiregion(record, accounts)
    if (tx) out.push(tx)
  }
  return out
}

/** Fields both shapes share, under the same names. */
function common(record: InstitutionRecord, accounts: AccountCategories | undefined): EnrichTransaction | null {
  const accountId = text(record.account_internal_identification) ?? text(objectOf(record.account)?.internal_identification)
  const valueDate = dayOf(record.value_date)
  const signed = numberOf(record.amount)
  if (!accountId || !valueDate || signed === null) return null
  const type = directionOf(record.type, signed)
  return {
    id: record.internal_identification,
    accountId,
    accountCategory: accounts?.get(accountId) ?? text(objectOf(record.account)?.category) ?? null,
    valueDate,
    description: text(record.description) ?? '',
    type,
    // Belvo writes amounts positive, the direction in `type`; a source that signs them anyway
    // (a debit as -120.50) still lands here positive.
    amount: Math.abs(signed),
    currency: text(record.currency) ?? '',
    balance: numberOf(record.balance),
    merchantName: text(objectOf(record.merchant)?.merchant_name),
    mcc: mccOf(record.mcc),
    counterpartyDocument: null,
  }
}

function fromMultiregion(record: InstitutionRecord, accounts: AccountCategories | undefined): EnrichTransaction | null {
  return common(record, accounts)
}

function fromOfda(record: InstitutionRecord, accounts: AccountCategories | undefined): EnrichTransaction | null {
  const tx = common(record, accounts)
  if (!tx) return null
  const counterparty = objectOf(record.counterparty)
  const operationType = text(record.operation_type)
  return {
    ...tx,
    // Open Finance Brasil reports no running balance (the schema says it is always null).
    balance: null,
    counterpartyDocument: text(counterparty?.document_number),
    ...(operationType ? { operationType } : {}),
  }
}

/**
 * What an EYOD body's schema cannot say (the route's TypeBox schema checks types, enums and sizes
 * first): each `value_date` names a real day, each `amount` is greater than 0, each
 * `transaction_id` is unique (Belvo: "each object corresponds to one, unique transaction"), and a
 * credit card's transaction says its `mcc` (Belvo: "only required when account_category =
 * CREDIT_CARD"; null when the card has none).
 * Every problem is reported, each with its item's path (`transactions.3.value_date`).
 */
export function checkEyodTransactions(items: readonly EyodTransaction[], field = 'transactions'): void {
  const errors: PonteError[] = []
  const seen = new Set<string>()
  // A body of thousands of transactions spans a few hundred days: each is checked once.
  const days = new Map<string, boolean>()
  items.forEach((item, i) => {
    let real = days.get(item.value_date)
    if (real === undefined) days.set(item.value_date, (real = isCalendarDay(item.value_date)))
    if (!real) {
      errors.push(
        new PonteError('invalid', {
          field: `${field}.${i}.value_date`,
          params: { detail: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.' },
        }),
      )
    }
    if (seen.has(item.transaction_id)) {
      errors.push(
        new PonteError('invalid', { field: `${field}.${i}.transaction_id`, params: { detail: 'Each transaction_id must be unique within the request.' } }),
      )
    }
    seen.add(item.transaction_id)
    // Positive: the direction is in `type` (checked here, as OpenAPI 3.0 cannot say "greater than 0" the way Ajv reads it).
    if (!(item.amount > 0))
      errors.push(new PonteError('invalid', { field: `${field}.${i}.amount`, params: { detail: 'Ensure this value is greater than 0.' } }))
    if (item.account_category === 'CREDIT_CARD' && item.mcc === undefined) errors.push(new PonteError('required', { field: `${field}.${i}.mcc` }))
  })
  if (errors.length === 1) throw errors[0]
  if (errors.length > 1) throw new PonteErrors(errors)
}

/** The items of an EYOD body, already validated by the route, in the enrichment's shape. */
export function fromEyodTransactions(items: readonly EyodTransaction[]): EnrichTransaction[] {
  return items.map(fromEyodTransaction)
}

/** One item of an EYOD body, already validated by the route, in the enrichment's shape. */
export function fromEyodTransaction(item: EyodTransaction): EnrichTransaction {
  return {
    id: item.transaction_id,
    accountId: item.account_id,
    accountCategory: item.account_category ?? null,
    valueDate: item.value_date,
    description: item.description,
    // Income verification bodies may omit the direction (its enum is INFLOW or null): an income is an inflow.
    type: directionOf(item.type ?? 'INFLOW', item.amount),
    amount: Math.abs(item.amount),
    currency: item.currency,
    balance: null,
    merchantName: null,
    mcc: mccOf(item.mcc),
    counterpartyDocument: null,
  }
}

function directionOf(type: unknown, signedAmount: number): Direction {
  if (type === 'INFLOW' || type === 'OUTFLOW') return type
  return signedAmount < 0 ? 'OUTFLOW' : 'INFLOW'
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null
}

function objectOf(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null
}

/** Amounts arrive as numbers, or as decimal strings from some sources. */
function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'string' && /^\s*-?\d+(?:\.\d+)?\s*$/.test(value)) return Number(value)
  return null
}

function dayOf(value: unknown): string | null {
  if (typeof value !== 'string') return null
  const day = value.slice(0, 10)
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : null
}

/** An ISO 18245 code is four digits; anything else is no code. */
function mccOf(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{4}$/.test(value) ? Number(value) : value
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 9999 ? n : null
}
