import { Type } from 'typebox'
import { isCalendarDay } from '../lib/dates.ts'
import { PonteError } from '../lib/errors.ts'
import type { FilterField, Lookup } from '../lib/list-query.ts'
import { bodyDate, checkPeriod, MfaToken, optionalField, recordResource, retrieveBody, type ResourceSpec } from './resource-spec.ts'

/**
 * Belvo's Mexico fiscal resources (INVENTORY 3.2 and 3.3: invoices, tax returns, tax status, tax
 * compliance status, tax retentions and financial statements from the SAT, and the legacy tax
 * declarations), the Mexico fiscal family of the registry (registry.ts). The sandbox builds them
 * from one taxpayer per link (connectors/sandbox/fiscal/mexico-taxpayer.ts), so they agree with
 * each other.
 */

export const RANGE: Lookup[] = ['exact', 'gt', 'gte', 'lt', 'lte', 'range']

/** The filters every SAT list has: link, id and created_at. */
export const SAT_FILTERS: FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'link', source: { column: 'link_id' }, type: 'uuid', lookups: ['exact', 'in'], description: 'The link the data belongs to' },
  { param: 'created_at', type: 'datetime', lookups: RANGE },
]

/** What the SAT resources share: Mexico's multi-region shape, no accounts, stored as records. */
export const SAT = {
  shape: 'multiregion',
  country: 'MX',
  listNeedsLink: false,
  needsAccounts: false,
  deletable: true,
  rateLimitedDelete: false,
  wireFields: { link: true, account: 'none' },
} as const

/** A history window of a historical update: a year, as for banking. */
export const HISTORY_DAYS = 365

// Invoices and tax retentions (CFDI XML).

// Tax returns, legacy tax declarations and financial statements.

const attachReturnPdf = optionalField(
  Type.Boolean({ default: false, description: "Attach the SAT's PDFs (base64): the return in `pdf`, and its acknowledgement of receipt in `receipt_pdf`." }),
)
const attachDeclarationPdf = optionalField(Type.Boolean({ default: false, description: "Attach the SAT's PDF of each yearly return (base64) in `pdf`." }))

/** A fiscal year as Belvo takes it: `YYYY`, as a string (the spec, the SDK) or a number. */
const bodyYear = (description: string) => Type.Union([Type.String(), Type.Integer()], { description: `${description} (YYYY).` })

/**
 * How many fiscal years one request may span. Belvo documents no limit; Ponte takes the five years
 * the SAT may still review (CFF art. 67), which keeps a request's work bounded.
 */
const MAX_YEARS = 5

/** A year of the body, if given: Belvo's pattern `^(19|20)\d{2}$`. */
function yearField(request: Record<string, unknown>, field: 'year_from' | 'year_to'): number | undefined {
  const value = request[field]
  if (value === undefined) return undefined
  if (value === null) throw new PonteError('null', { field })
  if (!/^(19|20)\d{2}$/.test(String(value))) throw new PonteError('invalid', { field, params: { detail: 'Enter a valid year in YYYY format.' } })
  return Number(value)
}

/**
 * `year_from`/`year_to` as a yearly request takes them: both given, in order, not after the
 * current year, at most five years. Historical updates ask with a period instead (`date_from`,
 * `date_to`, sync.ts): then the years are those of the period.
 */
function checkYears(today: string, request: Record<string, unknown>): { from: number; to: number } {
  const from = yearField(request, 'year_from')
  const to = yearField(request, 'year_to')
  if (from === undefined && to === undefined && typeof request.date_from === 'string' && typeof request.date_to === 'string') {
    const period = checkPeriod(today, request, { required: true })
    return { from: Number(period.dateFrom.slice(0, 4)), to: Number(period.dateTo.slice(0, 4)) }
  }
  if (from === undefined) throw new PonteError('required', { field: 'year_from' })
  if (to === undefined) throw new PonteError('required', { field: 'year_to' })
  if (to > Number(today.slice(0, 4))) throw new PonteError('invalid', { field: 'year_to', params: { detail: 'year_to cannot be in the future.' } })
  if (from > to) throw new PonteError('invalid', { field: 'year_from', params: { detail: 'year_from must be earlier than or equal to year_to.' } })
  if (to - from + 1 > MAX_YEARS) {
    throw new PonteError('invalid', { field: 'year_from', params: { detail: `The range between year_from and year_to can be at most ${MAX_YEARS} years.` } })
  }
  return { from, to }
}

/** How many days a monthly request may span (its months' provisional payments): a year, as Belvo's invoices. Ponte's limit, as MAX_YEARS. */
const MAX_MONTHLY_DAYS = 365

/**
 * The body of a tax returns retrieve: `type` chooses the yearly fields or the monthly ones.
 * Belvo's spec requires `type`, but its own SDK leaves it out of a yearly request (INVENTORY
 * 10.3b), so a missing type is yearly. Dates are checked whenever given, whatever the type.
 */
function taxReturnParams({ today, request }: { today: string; request: Record<string, unknown> }) {
  for (const field of ['date_from', 'date_to'] as const) {
    const value = request[field]
    if (typeof value === 'string' && !isCalendarDay(value)) {
      throw new PonteError('invalid', { field, params: { detail: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.' } })
    }
  }
  const attachPdf = request.attach_pdf === true
  if (request.type === 'monthly') {
    const period = checkPeriod(today, request, { required: true })
    if ((Date.parse(period.dateTo) - Date.parse(period.dateFrom)) / 86_400_000 > MAX_MONTHLY_DAYS) {
      throw new PonteError('invalid', {
        field: 'date_to',
        params: { detail: `The period between date_from and date_to can be at most ${MAX_MONTHLY_DAYS} days.` },
      })
    }
    return { taxReturnType: 'monthly' as const, period, attachPdf }
  }
  return { taxReturnType: 'yearly' as const, years: checkYears(today, request), attachPdf }
}

/** Rows keep the filing day, and the type of return (yearly or monthly). */
const returnRow = (record: Record<string, unknown>, plain: Record<string, unknown>, kind: string | null) => {
  const general = record.informacion_general as { fecha_presentacion?: string } | undefined
  return { accountId: null, recordDate: general?.fecha_presentacion ?? (record.date_issued as string | undefined) ?? null, kind, prefix: {}, body: plain }
}

/**
 * The SAT's yearly and monthly returns (INVENTORY 3.2 "Tax returns"): a person's or a company's,
 * four shapes. Belvo publishes no PATCH here: Ponte's resume follows the family's names.
 */
export const TAX_RETURNS = recordResource({
  ...SAT,
  name: 'tax-returns',
  path: '/api/tax-returns/',
  answer: 'list',
  tag: 'Tax returns',
  institutionResource: 'TAX_RETURNS',
  recordKey: 'TAX_RETURNS',
  body: retrieveBody({
    token: MfaToken,
    type: optionalField(
      Type.Union([Type.Literal('yearly'), Type.Literal('monthly')], {
        description: 'yearly (the yearly returns of year_from..year_to, the default) or monthly (the provisional payments of date_from..date_to).',
      }),
    ),
    year_from: optionalField(bodyYear('Yearly: the first fiscal year')),
    year_to: optionalField(bodyYear('Yearly: the last fiscal year')),
    date_from: optionalField(bodyDate('Monthly: the first day of the first month')),
    date_to: optionalField(bodyDate('Monthly: a day of the last month')),
    attach_pdf: attachReturnPdf,
  }),
  items: { multiregion: ['TaxReturnPersonal', 'TaxReturnPersonalMonthly', 'TaxReturnBusiness', 'TaxReturnBusinessMonthly'] },
  operationIds: {
    retrieve: 'RetrieveTaxReturns',
    resume: 'PatchTaxReturns',
    list: 'ListTaxReturns',
    detail: 'DetailTaxReturn',
    delete: 'DestroyTaxReturn',
  },
  filters: [
    ...SAT_FILTERS,
    { param: 'ejercicio', source: { body: 'informacion_general.ejercicio' }, type: 'integer', lookups: RANGE, description: 'The fiscal year of the return' },
    {
      param: 'tipo_declaracion',
      source: { body: 'informacion_general.tipo_declaracion' },
      type: 'text',
      lookups: ['exact', 'in'],
      description: 'Normal or Complementaria',
    },
  ],
  async: false,
  // None of Belvo's four schemas has a field for the return's own id at the SAT.
  linkingFields: ['internal_identification'],
  // Historical updates ask for a period (sync.ts): about four years back, whose years (five at most) are those of the yearly returns fetched.
  background: { fetchResource: 'TAX_RETURNS', historyDays: 4 * HISTORY_DAYS, summary: 'count' },
  connectorResource: 'TAX_RETURNS',
  fetchParams: taxReturnParams,
  toRow: (record, _accounts, plain) => returnRow(record, plain, record.type === 'monthly' ? 'monthly' : 'yearly'),
})

/**
 * The legacy yearly tax declarations (INVENTORY 3.3 "Tax declarations", 1.35.0 and the
 * multi-region document): the yearly returns of the same years in the older shape. The
 * operationIds are Belvo's own: no current path has them.
 */
export const TAX_DECLARATIONS = recordResource({
  ...SAT,
  name: 'tax-declarations',
  path: '/api/tax-declarations/',
  answer: 'list',
  tag: 'Tax declarations',
  institutionResource: 'TAX_DECLARATIONS',
  recordKey: 'TAX_DECLARATIONS',
  body: retrieveBody({
    token: MfaToken,
    year_from: bodyYear('The first fiscal year'),
    year_to: bodyYear('The last fiscal year'),
    attach_pdf: attachDeclarationPdf,
  }),
  items: { multiregion: ['TaxDeclarationIndividual', 'TaxDeclarationBusiness'] },
  operationIds: {
    retrieve: 'RetrieveTaxDeclarations',
    resume: 'PatchTaxDeclarations',
    list: 'ListTaxDeclarations',
    detail: 'DetailTaxDeclaration',
    delete: 'DestroyTaxDeclaration',
  },
  filters: [...SAT_FILTERS, { param: 'year', source: { body: 'document_information.year' }, type: 'integer', lookups: RANGE, description: 'The fiscal year' }],
  async: false,
  linkingFields: ['internal_identification'],
  // As for tax returns: the years of a period about four years long.
  background: { fetchResource: 'TAX_DECLARATIONS', historyDays: 4 * HISTORY_DAYS, summary: 'count' },
  connectorResource: 'TAX_DECLARATIONS',
  fetchParams: ({ today, request }) => ({ years: checkYears(today, request), attachPdf: request.attach_pdf === true }),
  toRow: (record, _accounts, plain) => returnRow(record, plain, null),
})

/**
 * The balance sheet and income statement of each filed year (INVENTORY "Financial Statements",
 * current spec only). Belvo publishes no PATCH here: Ponte's resume follows the family's names.
 */
export const FINANCIAL_STATEMENTS = recordResource({
  ...SAT,
  name: 'financial-statements',
  path: '/api/financial-statements/',
  answer: 'list',
  tag: 'Financial Statements',
  institutionResource: 'FINANCIAL_STATEMENTS',
  recordKey: 'FINANCIAL_STATEMENTS',
  body: retrieveBody({ token: MfaToken }),
  items: { multiregion: ['FinancialStatement'] },
  operationIds: {
    retrieve: 'RetrieveFinancialStatements',
    resume: 'PatchFinancialStatements',
    list: 'ListFinancialStatements',
    detail: 'DetailFinancialStatement',
    delete: 'DestroyFinancialStatement',
  },
  filters: SAT_FILTERS,
  async: true,
  linkingFields: ['internal_identification'],
  background: { fetchResource: 'FINANCIAL_STATEMENTS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'FINANCIAL_STATEMENTS',
  toRow: (_record, _accounts, plain) => ({ accountId: null, recordDate: null, kind: null, prefix: {}, body: plain }),
})

// Tax status and tax compliance status (PDF certificates).

/** The Mexico fiscal resources, in the order of Belvo's reference. */
export const FISCAL_MEXICO_RESOURCES: readonly ResourceSpec[] = [TAX_RETURNS, TAX_DECLARATIONS, FINANCIAL_STATEMENTS]
