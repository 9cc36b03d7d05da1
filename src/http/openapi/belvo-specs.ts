import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Belvo's published OpenAPI documents (src/http/openapi/belvo/, see its README), as the server and
 * the tests read them: parsed once per process and folder, with the errata below corrected and
 * the schemas Belvo never published added. Both `/openapi.json` and the tests' validators start
 * from here, so a correction is made once and holds for both.
 */

/** Which of Belvo's documents: `ofda` 1.223.0 (current, Brazil Open Finance), `multiregion` 1.59.0 (Mexico, Colombia), `legacy` 1.35.0. */
export type BelvoSpecName = 'ofda' | 'multiregion' | 'legacy'

/** In order of precedence: where two documents define a schema of the same name, the earlier one's is the plain name. */
export const BELVO_SPEC_NAMES: readonly BelvoSpecName[] = ['ofda', 'multiregion', 'legacy']

export const BELVO_SPEC_FILES: Record<BelvoSpecName, string> = {
  ofda: 'BelvoOpenApiSpec-1.223.0.json',
  multiregion: 'BelvoOpenApiSpec-1.59.0-multiregion.json',
  legacy: 'BelvoOpenApiSpec-1.35.0-legacy.json',
}

/** Where the documents are, in src/ and (copied by scripts/build.js) in dist/ alike. */
export const BELVO_SPEC_DIR = fileURLToPath(new URL('./belvo/', import.meta.url))

export type Json = Record<string, unknown>

export interface BelvoSpec {
  name: BelvoSpecName
  /** The document's `info.version`, such as 1.223.0. */
  version: string
  /** `components.schemas`, corrected and completed. */
  schemas: Record<string, Json>
}

/**
 * Typos in the published specs that no real response can satisfy: AccountLoanDataOpenFinanceBrazil
 * requires `total_effectove_cost` while its property (and Belvo's data dictionary) is
 * `total_effective_cost`.
 */
const REQUIRED_ERRATA: Record<string, Record<string, string>> = {
  AccountLoanDataOpenFinanceBrazil: { total_effectove_cost: 'total_effective_cost' },
}

/**
 * Properties whose description says Belvo returns `null` while the schema omits `nullable`:
 * OwnerBusinessDocumentIds.check_digit "is not applicable for Business ID documents and will
 * return `null`" (its example is null too). Consents.expired_at "will be `null`" for an indefinite
 * consent (`undefined_consent_expiration`); Consents.link_id is null until the consent, once
 * authorised, has made its link (a consent awaiting authorisation or rejected has none).
 */
const NULLABLE_ERRATA: Record<string, string[]> = {
  OwnerBusinessDocumentIds: ['check_digit'],
  Consents: ['expired_at', 'link_id'],
  // Payments Brazil. `last_error` and `next_step` are deprecated, required and not nullable, yet
  // `last_error` is "if applicable" and `next_step` is a oneOf of six schemas without a required
  // property, which every object matches at once (so no object satisfies the oneOf): Belvo
  // answers null for both.
  PaymentIntentOfpi: ['last_error', 'next_step'],
  PaymentIntentPixKeys: ['last_error', 'next_step'],
  // V2 bank accounts require `external_id` while the request makes it optional: an account
  // created without one answers null.
  BankAccountV2: ['external_id'],
  // The earlier payments API (1.35.0): the same deprecated pair in the PSE intent.
  PaymentIntentPse: ['last_error', 'next_step'],
  // 1.35.0 requires an OFPI intent's payer_institution, which a payment link's intent has only
  // once the payer chose their bank: null until then.
  PaymentIntentPaymentMethodDetailsBodyIndividualOfpi: ['payer_institution'],
  PaymentIntentPaymentMethodDetailsBodyBusinessOfpi: ['payer_institution'],
}

/**
 * `oneOf`s whose branches are objects with no required property: every object matches all the
 * branches at once, so none satisfies the oneOf. Read as `anyOf` (what they mean): the schedule
 * of a payment (single, daily, weekly, monthly, custom) and a Pix key payment's
 * payment_method_information (Initial, Confirmed), a payment authorization's configuration. `''` names the schema itself.
 */
const ANY_OF_ERRATA: Record<string, string[]> = {
  schedule: [''],
  'schedule-2': [''],
  PaymentIntentPixKeys: ['payment_method_information'],
  // A payment authorization's payment_method_configuration (PIX_OF_IMMEDIATE, PIX_OF_SCHEDULED).
  PaymentAuthorization: ['payment_method_configuration'],
  // 1.35.0: a transaction's payer (OFPI's empty object, or PSE's bank account or institution).
  paymentTransaction: ['payer'],
  TransactionBankAccountPse: [''],
  PaymentIntentPse: ['next_step', 'last_error'],
  Charge: ['payment_method_details'],
  // The OFPI and PSE items of a link list have the same schema, so each item matches both.
  PaymentLinkPaginatedResponse: ['results.items'],
}

/**
 * Patterns no value can match: 1.35.0's payment links write expires_in's as `‘^(\\d+)([mhd])$’`
 * (typographic quotes around it, the backslash doubled), which no `7d` matches.
 */
const EXPIRES_IN = '^(\\d+)([mhd])$'
const PATTERN_ERRATA: Record<string, Record<string, string>> = Object.fromEntries(
  ['PaymentLinkOfpi', 'PaymentLinkPse', 'PaymentLinkListOfpi', 'PaymentLinkListPse', 'CreatePaymentLinkOfpi', 'CreatePaymentLinkPse'].map((name) => [
    name,
    { expires_in: EXPIRES_IN },
  ]),
)

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const text = (description: string, nullable = false) => ({ type: 'string', ...(nullable ? { nullable: true } : {}), description })
const amount = (description: string) => ({ type: 'number', format: 'float', description })
const day = (description: string) => ({ type: 'string', format: 'date', description })

/**
 * Schemas of Belvo objects that no published spec defines, added to the document whose objects
 * they embed. `Statement` is the item of the legacy `/api/statements/` (Mexico, BETA): Belvo
 * removed it from its documentation before publishing any schema, so its fields come from the
 * official SDKs and Belvo's API collections (INVENTORY.md), and its transactions and account are
 * the multi-region ones.
 */
const SUPPLEMENTS: Partial<Record<BelvoSpecName, Record<string, Json>>> = {
  multiregion: {
    Statement: {
      type: 'object',
      title: 'Statement (legacy, Mexico)',
      description:
        "A bank account's statement for one calendar month. Not in any Belvo spec: the legacy BETA object as the SDKs and Belvo's API collections describe it.",
      required: ['id', 'link', 'account', 'transactions', 'collected_at', 'created_at'],
      properties: {
        id: { type: 'string', format: 'uuid', description: 'Unique identifier of the statement.' },
        link: { type: 'string', format: 'uuid', description: 'The link the statement belongs to.' },
        account: { ...ref('Account') },
        account_number: text('The account number, as the institution prints it.'),
        client_number: text("The client's number at the institution.", true),
        RFC: text("The account holder's RFC (Mexico), or null.", true),
        CLABE: text("The account's CLABE (Mexico), or null.", true),
        period_start_date: day('First day the statement covers (YYYY-MM-DD).'),
        period_end_date: day('Last day the statement covers (YYYY-MM-DD).'),
        cut_date: day('The cut-off date of the statement (YYYY-MM-DD).'),
        previous_balance: amount('The balance at the start of the period.'),
        final_balance: amount('The balance at the end of the period.'),
        total_inflow_amount: amount('The sum of the incoming transactions.'),
        total_outflow_amount: amount('The sum of the outgoing transactions.'),
        total_inflow_transactions: { type: 'integer', description: 'The number of incoming transactions.' },
        total_outflow_transactions: { type: 'integer', description: 'The number of outgoing transactions.' },
        transactions: { type: 'array', items: ref('Transaction'), description: "The period's transactions, oldest first." },
        pdf: text('The statement as a base64-encoded PDF, when `attach_pdf` asked for it; otherwise null.', true),
        collected_at: { type: 'string', format: 'date-time', description: 'When the data was collected from the institution.' },
        created_at: { type: 'string', format: 'date-time', description: 'When the statement was stored.' },
      },
    },
  },
}

function corrected(name: BelvoSpecName, document: Json): BelvoSpec {
  const schemas = (document.components as Json).schemas as Record<string, Json>
  for (const [schema, renames] of Object.entries(REQUIRED_ERRATA)) {
    const target = schemas[schema]
    if (target && Array.isArray(target.required)) target.required = (target.required as string[]).map((r) => renames[r] ?? r)
  }
  for (const [schema, names] of Object.entries(NULLABLE_ERRATA)) {
    const properties = schemas[schema]?.properties as Record<string, Json> | undefined
    for (const property of names) if (properties?.[property]) properties[property] = { ...properties[property], nullable: true }
  }
  for (const [schema, names] of Object.entries(ANY_OF_ERRATA)) {
    for (const property of names) {
      // A dotted path reaches into a property's `items` (`results.items`).
      const target = property
        .split('.')
        .filter(Boolean)
        .reduce<Json | undefined>(
          (node, step) => (step === 'items' ? (node?.items as Json) : (node?.properties as Record<string, Json> | undefined)?.[step]),
          schemas[schema],
        )
      if (target && Array.isArray(target.oneOf)) {
        target.anyOf = target.oneOf
        delete target.oneOf
      }
    }
  }
  for (const [schema, patterns] of Object.entries(PATTERN_ERRATA)) {
    const properties = schemas[schema]?.properties as Record<string, Json> | undefined
    for (const [property, pattern] of Object.entries(patterns)) if (properties?.[property]) properties[property] = { ...properties[property], pattern }
  }
  for (const [schema, definition] of Object.entries(SUPPLEMENTS[name] ?? {})) {
    // A later Belvo document that publishes it wins: its definition is the real one.
    if (!schemas[schema]) schemas[schema] = structuredClone(definition)
  }
  return { name, version: String((document.info as Json).version), schemas }
}

const loaded = new Map<string, BelvoSpec>()

/**
 * One of Belvo's documents, corrected and completed. Parsed on first use and kept for the
 * process: only `/openapi.json` and the tests' validators need the schemas themselves.
 */
export function belvoSpec(name: BelvoSpecName, dir = BELVO_SPEC_DIR): BelvoSpec {
  const file = join(dir, BELVO_SPEC_FILES[name])
  let spec = loaded.get(file)
  if (!spec) {
    spec = corrected(name, JSON.parse(readFileSync(file, 'utf8')) as Json)
    loaded.set(file, spec)
  }
  return spec
}

const named = new Map<string, ReadonlySet<string>>()
const KEY_LINE = Buffer.from('\n      "')
const KEY_END = Buffer.from('": ')

/**
 * The schema names of one of Belvo's documents (its supplements included), for checking names
 * when the app starts. Found in the file's bytes rather than by parsing it: decoding and parsing
 * the two documents the banking resources use costs about 60 ms of CPU, at every start of the
 * server and of every test file, for a list of names. The documents are pretty-printed with
 * two-space indentation (as Belvo publishes them, and as the legacy one was converted), so the
 * schemas are the keys indented by six spaces between the opening line of `components.schemas`
 * and its closing brace, indented by four. (A UTF-8 multi-byte character has no byte below 0x80,
 * so none is mistaken for a newline, space or quote.) test/http/openapi.test.ts checks the
 * names equal the parsed keys.
 */
export function belvoSchemaNames(name: BelvoSpecName, dir = BELVO_SPEC_DIR): ReadonlySet<string> {
  const file = join(dir, BELVO_SPEC_FILES[name])
  let names = named.get(file)
  if (!names) {
    const bytes = readFileSync(file)
    const components = bytes.indexOf('\n  "components": {\n')
    const start = components < 0 ? -1 : bytes.indexOf('\n    "schemas": {\n', components)
    const end = start < 0 ? -1 : bytes.indexOf('\n    }', start + 1)
    if (end < 0) throw new Error(`${file} is not laid out as Belvo publishes its documents (two-space indentation): its schemas cannot be listed`)
    const found = new Set(Object.keys(SUPPLEMENTS[name] ?? {}))
    for (let at = bytes.indexOf(KEY_LINE, start); at >= 0 && at < end; at = bytes.indexOf(KEY_LINE, at + KEY_LINE.length)) {
      const key = at + KEY_LINE.length
      // The key as JSON text, up to the `": ` that ends it (Belvo's names need no escapes, but a quote would be one).
      const close = bytes.indexOf(KEY_END, key)
      found.add(JSON.parse(`"${bytes.toString('utf8', key, close)}"`) as string)
    }
    names = found
    named.set(file, names)
  }
  return names
}
