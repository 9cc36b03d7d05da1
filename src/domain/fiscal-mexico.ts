import type { FilterField, Lookup } from '../lib/list-query.ts'
import type { ResourceSpec } from './resource-spec.ts'
import { Type } from 'typebox'
import type { Period } from '../connectors/types.ts'
import { PonteError } from '../lib/errors.ts'
import { bodyDate, checkPeriod, MfaToken, optionalField, recordResource, retrieveBody } from './resource-spec.ts'

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

// Tax status and tax compliance status (PDF certificates).

/** The Mexico fiscal resources, in the order of Belvo's reference. */
export const FISCAL_MEXICO_RESOURCES: readonly ResourceSpec[] = [INVOICES, TAX_RETENTIONS]
