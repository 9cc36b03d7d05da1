import { PonteError } from '../../../lib/errors.ts'
import { Decimal } from '../money.ts'

/**
 * Colombia's side of the earlier payments API: the documents PSE takes (Belvo's
 * EnumCustomerIdentifierTypePse) and amounts in pesos.
 *
 * Documents, as the Registraduría, Migración Colombia and the DIAN issue them:
 * - CC, cédula de ciudadanía: 6 to 10 digits;
 * - CE, cédula de extranjería: 6 or 7 digits;
 * - TI, tarjeta de identidad (minors): 10 or 11 digits;
 * - PP, pasaporte: 5 to 15 letters and digits (Colombian and foreign passports);
 * - NIT, número de identificación tributaria: 9 digits and the DIAN's check digit (modulo 11 with
 *   the weights below), written `900123456-7`, `900.123.456-7` or `9001234567`.
 * Dots, spaces and the hyphen are accepted and the document is stored as digits (the NIT as
 * `900123456-7`, the passport in capitals).
 */
export const COLOMBIAN_DOCUMENTS = ['CC', 'CE', 'NIT', 'PP', 'TI'] as const
export type ColombianDocument = (typeof COLOMBIAN_DOCUMENTS)[number]

const NIT_WEIGHTS = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71]

/** The DIAN's check digit of a NIT's digits (without the check digit). */
export function nitCheckDigit(digits: string): number {
  let sum = 0
  for (let i = 0; i < digits.length; i++) sum += Number(digits[digits.length - 1 - i]) * NIT_WEIGHTS[i]
  const rest = sum % 11
  return rest > 1 ? 11 - rest : rest
}

const PATTERNS: Record<Exclude<ColombianDocument, 'NIT'>, RegExp> = {
  CC: /^\d{6,10}$/,
  CE: /^\d{6,7}$/,
  TI: /^\d{10,11}$/,
  PP: /^[A-Z0-9]{5,15}$/,
}

/** A Colombian document in its stored form, or Belvo's 400 on `field` naming what is expected. */
export function parseColombianDocument(type: ColombianDocument, value: unknown, field: string): string {
  const variant = `document_${type.toLowerCase()}`
  if (typeof value !== 'string') throw new PonteError('invalid', { field, variant })
  const compact = value.replace(/[.\s]/g, '').toUpperCase()
  if (type === 'NIT') {
    const match = /^(\d{9})-?(\d)$/.exec(compact)
    if (!match || nitCheckDigit(match[1]) !== Number(match[2])) throw new PonteError('invalid', { field, variant })
    return `${match[1]}-${match[2]}`
  }
  const cleaned = type === 'PP' ? compact : compact.replace(/-/g, '')
  if (!PATTERNS[type].test(cleaned) || /^0+$/.test(cleaned)) throw new PonteError('invalid', { field, variant })
  return cleaned
}

/** Who a document identifies: a NIT a business, the others a person. */
export function customerTypeOf(type: ColombianDocument): 'INDIVIDUAL' | 'BUSINESS' {
  return type === 'NIT' ? 'BUSINESS' : 'INDIVIDUAL'
}

const PESOS = /^\d{1,12}$/

/**
 * An amount in Colombian pesos: Belvo's PSE amounts are whole pesos (`^(?!0+$)\d{1,12}$`, COP has
 * no decimals in practice), more than zero; Belvo's 400 on `field` otherwise.
 */
export function parsePesos(value: unknown, field = 'amount'): Decimal {
  if (typeof value !== 'string' || !PESOS.test(value)) throw new PonteError('invalid', { field, variant: 'pesos' })
  const amount = new Decimal(value)
  if (amount.lte(0)) throw new PonteError('invalid', { field, variant: 'pesos' })
  return amount
}

/** The wire form of a stored COP amount ("150000.00" → "150000"). */
export function formatPesos(value: string | Decimal): string {
  return new Decimal(value).toFixed(0)
}
