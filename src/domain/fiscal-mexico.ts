import { Type } from 'typebox'
import type { FilterField, Lookup } from '../lib/list-query.ts'
import { optionalField, recordResource, retrieveBody, type FetchRequest, type ResourceSpec } from './resource-spec.ts'

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
export const FISCAL_MEXICO_RESOURCES: readonly ResourceSpec[] = [TAX_STATUS, TAX_COMPLIANCE_STATUS]
