import { Type } from 'typebox'
import type { Period } from '../connectors/types.ts'
import { isCalendarDay } from '../lib/dates.ts'
import { PonteError } from '../lib/errors.ts'
import type { FilterField, Lookup } from '../lib/list-query.ts'
import { bodyDate, checkPeriod, MfaToken, optionalField, recordResource, retrieveBody, type FetchRequest, type ResourceSpec } from './resource-spec.ts'

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

/** Belvo's longest invoice request: one year (RetrieveInvoices: "up to one year (365 days) of invoices per request"). */
export const MAX_INVOICE_DAYS = 365

/** The request's period, as Belvo validates it for invoices: both dates required, in order, not in the future, at most a year apart. */
function invoicePeriod(today: string, request: Record<string, unknown>): Period {
  const period = checkPeriod(today, request, { required: true })
  const days = (Date.parse(period.dateTo) - Date.parse(period.dateFrom)) / 86_400_000
  if (days > MAX_INVOICE_DAYS) {
    throw new PonteError('invalid', { field: 'date_to', params: { detail: `date_to can be at most ${MAX_INVOICE_DAYS} days after date_from.` } })
  }
  return period
}

/** The body's `type`: required by Belvo's body schema, so only a historical update (which asks for both) comes without it. */
const direction = (request: Record<string, unknown>) => (request.type as 'INFLOW' | 'OUTFLOW' | undefined) ?? undefined

const DIRECTION = (description: string) => Type.Union([Type.Literal('INFLOW'), Type.Literal('OUTFLOW')], { description })
const attachXml = (description: string) => optionalField(Type.Boolean({ default: false, description }))

export const INVOICES = recordResource({
  ...SAT,
  name: 'invoices',
  path: '/api/invoices/',
  answer: 'list',
  tag: 'Invoices',
  institutionResource: 'INVOICES',
  recordKey: 'INVOICES',
  body: retrieveBody({
    date_from: bodyDate('First issue day of the invoices'),
    date_to: bodyDate(`Last issue day of the invoices, at most ${MAX_INVOICE_DAYS} days after date_from`),
    type: DIRECTION('INFLOW (received) or OUTFLOW (issued) invoices.'),
    attach_xml: attachXml("Attach each invoice's stamped CFDI XML in its `xml` field."),
    token: MfaToken,
  }),
  items: { multiregion: ['InvoiceWithIdSat'] },
  operationIds: {
    retrieve: 'RetrieveInvoices',
    resume: 'PatchInvoices',
    list: 'ListInvoices',
    detail: 'DetailInvoice',
    delete: 'DestroyInvoice',
  },
  async: true,
  // Each invoice is keyed by its folio fiscal (the stamp's UUID), which the wire has as invoice_identification.
  linkingFields: ['internal_identification'],
  filters: [
    ...SAT_FILTERS,
    { param: 'invoice_date', source: { column: 'record_date' }, type: 'date', lookups: RANGE },
    { param: 'invoice_identification', source: { body: 'invoice_identification' }, type: 'text', lookups: ['exact', 'in'] },
    { param: 'status', source: { body: 'status' }, type: 'text', lookups: ['exact', 'in'], description: 'Vigente (valid) or Cancelado' },
    { param: 'type', source: { column: 'kind' }, type: 'text', lookups: ['exact', 'in'], choices: ['OUTFLOW', 'INFLOW'] },
    { param: 'total_amount', source: { body: 'total_amount' }, type: 'number', lookups: RANGE },
  ],
  background: { fetchResource: 'INVOICES', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'INVOICES',
  fetchParams: ({ today, request }) => ({ period: invoicePeriod(today, request), invoiceType: direction(request), attachXml: request.attach_xml === true }),
  toRow: (record, _accounts, plain) => ({
    accountId: null,
    recordDate: (record.invoice_date as string) ?? null,
    kind: (record.type as string) ?? null,
    prefix: {},
    body: plain,
  }),
})

export const TAX_RETENTIONS = recordResource({
  ...SAT,
  name: 'tax-retentions',
  path: '/api/tax-retentions/',
  answer: 'list',
  tag: 'Tax retentions',
  institutionResource: 'TAX_RETENTIONS',
  recordKey: 'TAX_RETENTIONS',
  body: retrieveBody({
    date_from: bodyDate('First issue day of the retention certificates'),
    date_to: bodyDate('Last issue day of the retention certificates'),
    type: DIRECTION('INFLOW (certificates received: taxes withheld from the link owner) or OUTFLOW (certificates issued).'),
    attach_xml: attachXml("Attach each certificate's stamped CFDI de retenciones XML in its `xml` field."),
  }),
  items: { multiregion: ['TaxRetentions'] },
  operationIds: {
    retrieve: 'RetrieveTaxRetentions',
    resume: 'PatchTaxRetentions',
    list: 'ListTaxRetentions',
    detail: 'DetailTaxRetentions',
    delete: 'DestroyTaxRetention',
  },
  async: false,
  linkingFields: ['internal_identification'],
  // Belvo documents only link and created_at for this list; id as on every SAT list.
  filters: SAT_FILTERS,
  background: { fetchResource: 'TAX_RETENTIONS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'TAX_RETENTIONS',
  // Belvo caps a period at 500 certificates (RetrieveTaxRetentions), not its length: the sandbox returns the oldest 500.
  fetchParams: ({ today, request }) => ({
    period: checkPeriod(today, request, { required: true }),
    invoiceType: direction(request),
    attachXml: request.attach_xml === true,
  }),
  toRow: (record, _accounts, plain) => ({
    accountId: null,
    recordDate: ((record.issued_at as string) ?? '').slice(0, 10) || null,
    kind: null,
    prefix: {},
    body: plain,
  }),
})

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

/** `attach_pdf` of the certificates: the SAT's PDF in the item's `pdf` field (base64), null without it. */
const attachCertificate = optionalField(Type.Boolean({ default: false, description: 'Return the SAT certificate as a PDF (base64) in `pdf`.' }))
const certificateParams = ({ request }: FetchRequest) => ({ attachPdf: request.attach_pdf === true })

/**
 * The taxpayer's Constancia de Situación Fiscal (Belvo `TaxStatusSat`): one per taxpayer, so a
 * new retrieve updates the stored one. Belvo publishes no PATCH here: Ponte's resume (after a 428
 * of heimdall_mx_fiscal) follows the family's names.
 */
export const TAX_STATUS = recordResource({
  ...SAT,
  name: 'tax-status',
  path: '/api/tax-status/',
  answer: 'single',
  tag: 'Tax status',
  institutionResource: 'TAX_STATUS',
  recordKey: 'TAX_STATUS',
  body: retrieveBody({ attach_pdf: attachCertificate }),
  items: { multiregion: ['TaxStatusSat'] },
  operationIds: {
    retrieve: 'RetrieveTaxStatus',
    resume: 'PatchTaxStatus',
    list: 'ListTaxStatus',
    detail: 'DetailTaxStatus',
    delete: 'DestroyTaxStatus',
  },
  filters: SAT_FILTERS,
  async: false,
  // TaxStatusSat has no field for the institution's id (the taxpayer's RFC keys it).
  linkingFields: ['internal_identification'],
  background: { fetchResource: 'TAX_STATUS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'TAX_STATUS',
  fetchParams: certificateParams,
  toRow: (_record, _accounts, plain) => ({ accountId: null, recordDate: null, kind: null, prefix: {}, body: plain }),
})

/**
 * The taxpayer's Opinión del cumplimiento de obligaciones fiscales (Belvo `TaxComplianceStatus`):
 * one per day it is asked for, keyed by its folio (Belvo's `internal_identification`). Belvo's
 * item has no `link` field; the list filters by link all the same.
 */
export const TAX_COMPLIANCE_STATUS = recordResource({
  ...SAT,
  wireFields: { link: false, account: 'none' },
  name: 'tax-compliance-status',
  path: '/api/tax-compliance-status/',
  answer: 'single',
  tag: 'Tax compliance status',
  institutionResource: 'TAX_COMPLIANCE_STATUS',
  recordKey: 'TAX_COMPLIANCE_STATUS',
  body: retrieveBody({ attach_pdf: attachCertificate }),
  items: { multiregion: ['TaxComplianceStatus'] },
  operationIds: {
    retrieve: 'RetrieveTaxComplianceStatus',
    resume: 'PatchTaxComplianceStatus',
    list: 'ListTaxComplianceStatus',
    detail: 'DetailTaxComplianceStatus',
    delete: 'DestroyTaxComplianceStatus',
  },
  filters: SAT_FILTERS,
  async: false,
  linkingFields: [],
  background: { fetchResource: 'TAX_COMPLIANCE_STATUS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'TAX_COMPLIANCE_STATUS',
  fetchParams: certificateParams,
  toRow: (_record, _accounts, plain) => ({ accountId: null, recordDate: null, kind: null, prefix: {}, body: plain }),
})

/** The Mexico fiscal resources, in the order of Belvo's reference. */
export const FISCAL_MEXICO_RESOURCES: readonly ResourceSpec[] = [
  FINANCIAL_STATEMENTS,
  INVOICES,
  TAX_COMPLIANCE_STATUS,
  TAX_RETURNS,
  TAX_RETENTIONS,
  TAX_STATUS,
  TAX_DECLARATIONS,
]
