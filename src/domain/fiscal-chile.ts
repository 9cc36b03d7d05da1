import { Type } from 'typebox'
import type { FilterField, Lookup } from '../lib/list-query.ts'
import { bodyDate, checkPeriod, optionalField, recordResource, retrieveBody, type ResourceSpec } from './resource-spec.ts'

/**
 * Belvo's Chile fiscal resources (INVENTORY 3.3: invoices, tax status and debt reports from the
 * SII and the CMF), the Chile fiscal family of the registry (registry.ts). They exist only at
 * Chile's fiscal institutions (`country: 'CL'`), which offer them under Belvo's catalog names
 * (`INVOICES`, `TAX_STATUS`, `DEBT_REPORTS`); their connector resources (`CL_INVOICES`,
 * `CL_TAX_STATUS`) keep them apart from Mexico's SAT invoices and tax status. Their item
 * schemas are in Belvo's current document only (1.223.0), as Chile came after the multi-region
 * one.
 *
 * Belvo publishes no PATCH for these paths: Ponte's resume (after a 428 of an MFA institution)
 * follows each family's names, as for bills.
 */

const RANGE: Lookup[] = ['exact', 'gt', 'gte', 'lt', 'lte', 'range']

/** The filters Belvo documents for the three lists: link, id and created_at. */
const FILTERS: FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'link', source: { column: 'link_id' }, type: 'uuid', lookups: ['exact', 'in'], description: 'The link the data belongs to' },
  { param: 'created_at', type: 'datetime', lookups: RANGE },
]

const CHILE = {
  answer: 'list',
  shape: 'multiregion',
  country: 'CL',
  rateLimitedDelete: false,
  listNeedsLink: false,
  needsAccounts: false,
  deletable: true,
  wireFields: { link: true, account: 'none' },
  // None of Belvo's Chile schemas has a field for the institution's own id.
  linkingFields: ['internal_identification'],
  filters: FILTERS,
} as const

/** A history window of a historical update: a year, as for banking. */
const HISTORY_DAYS = 365

const attachPdf = optionalField(Type.Boolean({ description: 'Belvo attaches the SII or CMF PDF where it has one; Chile fiscal items carry none.' }))

export const CL_INVOICES = recordResource({
  ...CHILE,
  name: 'cl/invoices',
  path: '/api/cl/invoices/',
  tag: 'Invoices Chile',
  institutionResource: 'INVOICES',
  recordKey: 'CL_INVOICES',
  body: retrieveBody({
    date_from: bodyDate('First issue day of the invoices'),
    date_to: bodyDate('Last issue day of the invoices'),
    type: optionalField(
      Type.Union([Type.Literal('INFLOW'), Type.Literal('OUTFLOW')], { description: 'INFLOW (received) or OUTFLOW (issued); both when absent.' }),
    ),
  }),
  items: { multiregion: ['invoice_chile'] },
  operationIds: {
    retrieve: 'RetrieveInvoicesChile',
    resume: 'PatchInvoicesChile',
    list: 'ListInvoicesChile',
    detail: 'DetailInvoiceChile',
    delete: 'DestroyInvoiceChile',
  },
  async: true,
  background: { fetchResource: 'INVOICES', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'CL_INVOICES',
  fetchParams: ({ today, request }) => ({
    period: checkPeriod(today, request, { required: true }),
    invoiceType: (request.type as 'INFLOW' | 'OUTFLOW' | null | undefined) ?? undefined,
  }),
  toRow: (record, _accounts, plain) => ({
    accountId: null,
    recordDate: (record.issue_date as string) ?? null,
    kind: (record.type as string) ?? null,
    prefix: {},
    body: plain,
  }),
})

export const CL_TAX_STATUS = recordResource({
  ...CHILE,
  name: 'cl/tax-status',
  path: '/api/cl/tax-status/',
  tag: 'Tax Status Chile',
  institutionResource: 'TAX_STATUS',
  recordKey: 'CL_TAX_STATUS',
  body: retrieveBody({ attach_pdf: attachPdf }),
  items: { multiregion: ['tax_status_sii'] },
  operationIds: {
    retrieve: 'RetrieveTaxStatusChile',
    resume: 'PatchTaxStatusChile',
    list: 'ListTaxStatusChile',
    detail: 'DetailTaxStatusChile',
    delete: 'DestroyTaxStatusChile',
  },
  async: false,
  background: { fetchResource: 'TAX_STATUS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'CL_TAX_STATUS',
  toRow: (_record, _accounts, plain) => ({ accountId: null, recordDate: null, kind: null, prefix: {}, body: plain }),
})

export const CL_DEBT_REPORTS = recordResource({
  ...CHILE,
  name: 'cl/debt-reports',
  path: '/api/cl/debt-reports/',
  tag: 'Debt Reports Chile',
  institutionResource: 'DEBT_REPORTS',
  recordKey: 'CL_DEBT_REPORTS',
  body: retrieveBody({ attach_pdf: attachPdf }),
  items: { multiregion: ['debt_chile'] },
  operationIds: {
    retrieve: 'RetrieveDebtReportChile',
    resume: 'PatchDebtReportChile',
    list: 'ListDebtReportChile',
    detail: 'DetailDebtReportChile',
    delete: 'DestroyDebtReportChile',
  },
  async: true,
  background: { fetchResource: 'DEBT_REPORTS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'DEBT_REPORTS',
  toRow: (record, _accounts, plain) => ({ accountId: null, recordDate: (record.debt_data_last_update as string) ?? null, kind: null, prefix: {}, body: plain }),
})

/** The Chile fiscal resources, in the order of Belvo's reference. */
export const FISCAL_CHILE_RESOURCES: readonly ResourceSpec[] = [CL_INVOICES, CL_TAX_STATUS, CL_DEBT_REPORTS]
