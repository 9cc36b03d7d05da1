import { Type, type TSchema } from 'typebox'
import { belvoItemSchema, type BelvoItems } from './belvo.ts'
import { Nullable } from './link.ts'

const opt = <T extends TSchema>(schema: T) => Type.Optional(Nullable(schema))
const link = Type.String({ minLength: 1, description: 'The link.id you want to retrieve data for.' })
const token = opt(Type.String({ description: 'The MFA token, when the institution asks for one.' }))
// Not nullable: Belvo answers `null` "This field may not be null." to `save_data: null`.
const saveData = Type.Optional(Type.Boolean({ default: true, description: 'Store the data (201) or only return it (200).' }))
const date = (description: string) => Type.String({ description: `${description} (YYYY-MM-DD).` })
const uuid = (description: string) => Type.String({ minLength: 1, description })
// The SDKs send numbers; form-minded clients send strings. Either names a real month.
const Year = Type.Union([Type.Integer({ minimum: 1900, maximum: 9999 }), Type.String({ pattern: '^(19|[2-9]\\d)\\d{2}$' })], { description: 'The year (YYYY).' })
const Month = Type.Union([Type.Integer({ minimum: 1, maximum: 12 }), Type.String({ pattern: '^(0?[1-9]|1[0-2])$' })], { description: 'The month (1-12).' })

/** Request bodies of the banking POSTs (Belvo 1.223.0, and 1.35.0 for the legacy paths). */
export const RETRIEVE_BODIES: Record<string, TSchema> = {
  accounts: Type.Object({ link, token, save_data: saveData }),
  transactions: Type.Object({ link, account: opt(uuid('Only this account (its id).')), date_from: date('First day of the period'), date_to: date('Last day of the period'), token, save_data: saveData }),
  'br/balances': Type.Object({ link, account_id: opt(uuid('Only this account (its id).')), save_data: saveData }),
  balances: Type.Object({ link, account: opt(uuid('Only this account (its id).')), date_from: date('First day'), date_to: date('Last day'), token, save_data: saveData }),
  owners: Type.Object({ link, token, save_data: saveData }),
  bills: Type.Object({ link, save_data: saveData }),
  'br/investments': Type.Object({ link, save_data: saveData }),
  'br/investment-transactions': Type.Object({ link, date_from: Type.Optional(date('First day')), date_to: Type.Optional(date('Last day')), save_data: saveData }),
  'br/exchanges': Type.Object({ link, date_from: Type.Optional(date('First day; a year ago by default')), date_to: Type.Optional(date('Last day; today by default')), save_data: saveData }),
  statements: Type.Object({ link, account: uuid('The account id.'), year: Year, month: Month, token, attach_pdf: opt(Type.Boolean()), save_data: saveData }),
  'investments/portfolios': Type.Object({ link, token, save_data: saveData }),
}

/**
 * Belvo's schema of each resource's items, per document (http/schemas/belvo.ts): Brazil Open
 * Finance institutions answer with the `ofda` shapes, Mexico and Colombia with the `multiregion`
 * ones. `Statement` is in no Belvo spec: belvo-specs.ts adds it to the multi-region document.
 */
export const ITEM_SCHEMAS: Record<string, BelvoItems> = {
  accounts: { ofda: ['AccountOpenFinanceBrazil'], multiregion: ['Account'] },
  transactions: { ofda: ['TransactionOpenFinanceBrazil'], multiregion: ['Transaction'] },
  'br/balances': { ofda: ['BalanceOFDA'] },
  balances: { multiregion: ['Balance'] },
  owners: { ofda: ['OwnerIndividualOpenFinanceBrazil', 'OwnerBusinessOpenFinanceBrazil'], multiregion: ['Owner'] },
  bills: { ofda: ['Bill'] },
  'br/investments': { ofda: ['InvestmentBrazil'] },
  'br/investment-transactions': { ofda: ['InvestmentTransactionBrazil'] },
  'br/exchanges': { ofda: ['Exchange'] },
  'br/exchanges/history': { ofda: ['ExchangeHistory'] },
  statements: { multiregion: ['Statement'] },
  'investments/portfolios': { multiregion: ['InvestmentsPortfolio'] },
}

/** Belvo's operationId of each list of a record's children (`<resource>/<path>`). */
export const CHILD_OPERATION_IDS: Record<string, string> = {
  'br/exchanges/history': 'ListExchangeHistory',
}

/** The response schema of one item of a resource (or `<resource>/<child path>`): Belvo's real schema. */
export function itemSchema(name: string) {
  const items = ITEM_SCHEMAS[name]
  if (!items) throw new Error(`No Belvo item schema is declared for ${name}`)
  return belvoItemSchema(items)
}
