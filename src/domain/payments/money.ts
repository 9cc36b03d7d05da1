import DecimalModule from 'decimal.js'
import type { Decimal as DecimalClass } from 'decimal.js'
import { PonteError } from '../../lib/errors.ts'

/**
 * Money in Payments Brazil: Belvo's amounts are strings with at most two decimals ("1234.12"),
 * stored as numeric(15,2) and computed with decimal.js, never with floats (0.1 + 0.2 is 0.3 here).
 */
// decimal.js ships CommonJS typings for an ES module whose default export is the class: under
// NodeNext the default import types as the module, so the class is taken from its named typing.
export const Decimal = DecimalModule as unknown as typeof DecimalClass
export type Decimal = DecimalClass

const AMOUNT = /^\d{1,13}(\.\d{1,2})?$/

/** A client's amount as a Decimal, or Belvo's 400 on `field`: digits, an optional `.` and at most two decimals, more than zero. */
export function parseAmount(value: unknown, field = 'amount'): Decimal {
  if (typeof value !== 'string' || !AMOUNT.test(value)) throw new PonteError('invalid', { field, variant: 'amount' })
  const amount = new Decimal(value)
  if (amount.lte(0)) throw new PonteError('invalid', { field, variant: 'amount' })
  return amount
}

/** The wire form: always two decimals ("100.00"). Accepts the database's numeric text too. */
export function formatAmount(value: Decimal | string): string {
  // Stored values already have two decimals: toFixed only pads ("100.5" → "100.50").
  return new Decimal(value).toFixed(2)
}

/** Adds amounts exactly (totals in tests and the ledger checks). */
export function sumAmounts(values: readonly (Decimal | string)[]): Decimal {
  return values.reduce<Decimal>((total, v) => total.plus(v), new Decimal(0))
}
