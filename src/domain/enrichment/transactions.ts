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
 * Brand names with digits in them, spelled out before digit-bearing tokens go (below): otherwise
 * "7-ELEVEN" would be "eleven" and "TIENDAS D1" just "tiendas". The merchant dictionary uses the
 * spelled-out forms.
 */
const DIGIT_BRANDS: readonly [needle: string, pattern: RegExp, replacement: string][] = [
  ['eleven', /\b7\s*-?\s*eleven\b/g, ' seven eleven '],
  ['99', /\b99\s*(app|pop|taxi|tecnologia|food)\b/g, ' ninetynine $1 '],
  ['d1', /\bd1\b/g, ' deuno '],
  ['3b', /\b(tiendas?)\s+3b\b/g, ' $1 tresb '],
  ['500', /\bg\s*500\b/g, ' gquinientos '],
  ['365', /\bbet\s*365\b/g, ' bet trescientos '],
  ['21', /\bforever\s*21\b/g, ' forever twentyone '],
  ['7', /\bpetro\s*-?\s*7\b/g, ' petro seven '],
  ['kota', /\+\s*kota\b/g, ' maskota '],
  ['1000', /\b4\s*x\s*1000\b/g, ' cuatroxmil '],
  ['salario', /\b13\s*(?:o|º|°)?\s*salario\b/g, ' decimo terceiro salario '],
  ['24', /\bbanco\s*24\s*h(?:oras)?\b/g, ' banco veinticuatro horas '],
  ['24', /\b(saque|retiro)\s*24\s*h(?:oras)?\b/g, ' $1 '],
]

/** What every pattern of DIGIT_BRANDS needs, in one expression. */
const ANY_DIGIT_BRAND = /eleven|\b99|\bd1\b|3b|g\s*500|bet\s*365|forever|petro|kota|4\s*x\s*1000|salario|(?:banco|saque|retiro)\s*24/

/**
 * Payment processors and wallets that prefix the merchant's name (PAYPAL *NETFLIX, MP*UBER,
 * IZ *CAFE, DL*GOOGLE). Transfer words (PIX) are kept: they say something of their own.
 */
const PROCESSOR_PREFIX =
  /^(?:paypal|pp|mp|mercadopago|merpago|iz|sq|sumup|pag|pags|pagseguro|stripe|dl|dlo|dlocal|conekta|openpay|clip|ebanx|ebn|compra|pos|cp|pg|ec|pagofacil|payu|wompi|epayco)\s*\*\s*/

/**
 * A description reduced to the words that identify who is on the other side: lower case, no
 * accents, no card-processor prefixes, no reference numbers, dates or card digits, single spaces.
 * Two payments to the same merchant normalise to the same text whatever reference they carry.
 */
export function normalizeDescription(description: string): string {
  // Accents go by decomposition; plain ASCII (most descriptions) skips that cost.
  let text = NON_ASCII.test(description) ? description.normalize('NFD').replace(/[\u0300-\u036f]/g, '') : description
  text = text.toLowerCase()
  // Each rewrite runs only when its needle is there: this runs on every transaction. Reference
  // numbers hold the short needles ("7", "24") often, so one pass first asks whether any brand
  // can be there at all (no rewrite brings another brand in: a text this misses needs none).
  if (ANY_DIGIT_BRAND.test(text))
    for (const [needle, pattern, replacement] of DIGIT_BRANDS) if (text.includes(needle)) text = text.replace(pattern, replacement)
  text = text.trim().replace(PROCESSOR_PREFIX, '')
  // Words are runs of letters and digits; punctuation and symbols separate them. Dates (12/03,
  // 2024-05-01), card digits and references go: any word with a digit in it. A name with its store
  // number glued on ("RAIA0683", "OXXO1234") keeps the name (four letters or more, then three
  // digits or more). Read character by character (this runs for every distinct description of
  // a body): the words kept that already stand one space apart in the text are taken as one slice.
  let out = ''
  // The words kept and not yet added to `out`: text.slice(runStart, runEnd).
  let runStart = -1
  let runEnd = -1
  const n = text.length
  let i = 0
  while (i < n) {
    let c = text.charCodeAt(i)
    if (!(c >= 97 ? c <= 122 : c >= 48 && c <= 57)) {
      i++
      continue
    }
    const start = i
    let firstDigit = -1
    let letterAfterDigit = false
    for (; i < n; i++) {
      c = text.charCodeAt(i)
      if (c >= 97 && c <= 122) {
        if (firstDigit >= 0) letterAfterDigit = true
      } else if (c >= 48 && c <= 57) {
        if (firstDigit < 0) firstDigit = i - start
      } else break
    }
    let end = i
    if (firstDigit >= 0) {
      if (firstDigit < 4 || letterAfterDigit || end - start - firstDigit < 3) continue
      end = start + firstDigit
    }
    if (runStart >= 0 && start === runEnd + 1 && text.charCodeAt(runEnd) === 32) {
      runEnd = end
      continue
    }
    if (runStart >= 0) out = out === '' ? text.slice(runStart, runEnd) : `${out} ${text.slice(runStart, runEnd)}`
    runStart = start
    runEnd = end
  }
  if (runStart >= 0) out = out === '' ? text.slice(runStart, runEnd) : `${out} ${text.slice(runStart, runEnd)}`
  return out
}

const NON_ASCII = /[^\x00-\x7f]/
