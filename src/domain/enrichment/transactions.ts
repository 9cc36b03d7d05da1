/**
 * The one shape of a transaction that Ponte's enrichment (categorization, incomes, recurring
 * expenses, risk insights) works on, whichever way it came in: a link's transactions as the
 * connector answers them, or the customer's own transactions posted to the "enrich your own data"
 * endpoints. Adapters turn both into this; the methods never see wire formats, and never read a
 * category or label a sandbox generator may have put on its data.
 */

export type Direction = 'INFLOW' | 'OUTFLOW'

export interface EnrichTransaction {
  /** The customer's id (EYOD `transaction_id`) or the institution's internal id. */
  id: string
  /** The account the transaction belongs to (EYOD `account_id`, or the institution's internal id). */
  accountId: string
  /** CHECKING_ACCOUNT, SAVINGS_ACCOUNT, CREDIT_CARD, LOAN_ACCOUNT, ... (null when unknown). */
  accountCategory: string | null
  /** YYYY-MM-DD. */
  valueDate: string
  description: string
  type: Direction
  /** Positive, in the account's currency, as Belvo writes amounts. */
  amount: number
  currency: string
  /** The account's balance after the transaction, when the source gives it. */
  balance: number | null
  /** A merchant name the source already resolved, if any. */
  merchantName: string | null
  /** The card network's merchant category code, if any. */
  mcc: number | null
  /** The counterparty's tax document (CPF/CNPJ, RFC, NIT), when the source gives it. */
  counterpartyDocument: string | null
  /**
   * How the institution says the money moved, when it does: Open Finance Brasil's
   * `operation_type` (PIX, TED, TARIFA_SERVICOS_AVULSOS, ...). Absent for other sources.
   */
  operationType?: string | null
}

/**
 * A description reduced to the words that identify who is on the other side: lower case, no
 * accents, no card-processor prefixes, no reference numbers, dates or card digits, single spaces.
 * Two payments to the same merchant normalise to the same text whatever reference they carry.
 */
export function normalizeDescription(description: string): string {
  return (
    description
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      // Payment processors and wallets that prefix the merchant's name (PAYPAL *NETFLIX, MP*UBER, IZ *CAFE).
      .replace(/^(?:paypal|mp|mercadopago|merpago|iz|sq|sumup|pag|pagseguro|stripe|dlo|dlocal|conekta|openpay|clip|ebanx|pix|compra|pos|cp|pg)\s*\*\s*/, '')
      .replace(/[*#/\\_|.,:;()[\]{}"'-]+/g, ' ')
      // Dates (12/03, 2024-05-01), card digits and references: any token with a digit goes.
      .replace(/\S*\d\S*/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  )
}
