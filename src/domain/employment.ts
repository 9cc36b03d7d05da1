import { Type } from 'typebox'
import { isCalendarDay } from '../lib/dates.ts'
import { PonteError } from '../lib/errors.ts'
import type { FilterField, Lookup } from '../lib/list-query.ts'
import { bodyDate, checkPeriod, optionalField, recordResource, retrieveBody, type FetchRequest, type ResourceSpec } from './resource-spec.ts'

/**
 * Belvo's employment resources (INVENTORY 3.3, "Employment Records Mexico"): the employment
 * family of the registry (registry.ts). Mexico's IMSS history is one report per worker, keyed by
 * the CURP; the sandbox (connectors/sandbox/employment/) builds it from one worker per link.
 */

const RANGE: Lookup[] = ['exact', 'gt', 'gte', 'lt', 'lte', 'range']

const COMMON: FilterField[] = [
  { param: 'id', type: 'uuid', lookups: ['exact', 'in'] },
  { param: 'link', source: { column: 'link_id' }, type: 'uuid', lookups: ['exact', 'in'], description: 'The link the data belongs to' },
  { param: 'created_at', type: 'datetime', lookups: RANGE },
  { param: 'collected_at', type: 'datetime', lookups: RANGE },
]

// Historical updates look a year back, as for banking; the IMSS report is the whole history anyway.
const HISTORY_DAYS = 365

/** The IMSS employment history of a Mexican worker (Belvo `EmploymentRecord`). */
export const EMPLOYMENT_RECORDS = recordResource({
  name: 'employment-records',
  path: '/api/employment-records/',
  answer: 'list',
  tag: 'Employment Records Mexico',
  institutionResource: 'EMPLOYMENT_RECORDS',
  recordKey: 'EMPLOYMENT_RECORDS',
  shape: 'multiregion',
  wireFields: { link: true, account: 'none' },
  body: retrieveBody({
    attach_pdf: optionalField(Type.Boolean({ default: false, description: 'Return the IMSS report as a PDF too.' })),
  }),
  items: { multiregion: ['EmploymentRecord'] },
  // Belvo publishes no PATCH here: Ponte's resume follows the family's names.
  operationIds: {
    retrieve: 'RetrieveEmploymentRecordDetails',
    resume: 'PatchEmploymentRecords',
    list: 'ListEmploymentRecords',
    detail: 'DetailEmploymentRecord',
    delete: 'DestroyEmploymentRecord',
  },
  filters: [...COMMON, { param: 'internal_identification', source: { body: 'internal_identification' }, type: 'text', lookups: ['exact', 'in'] }],
  listNeedsLink: false,
  needsAccounts: false,
  deletable: true,
  rateLimitedDelete: true,
  async: true,
  linkingFields: [],
  background: { fetchResource: 'EMPLOYMENT_RECORDS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'EMPLOYMENT_RECORDS',
  fetchParams: ({ request }) => ({ attachPdf: request.attach_pdf === true }),
  toRow: (_record, _accounts, plain) => ({ accountId: null, recordDate: null, kind: null, prefix: {}, body: plain }),
})

/** A Mexican worker's current employment at IMSS (Belvo `CurrentEmployment`). */
export const CURRENT_EMPLOYMENTS = recordResource({
  name: 'mx/current-employments',
  path: '/api/mx/current-employments/',
  answer: 'list',
  tag: 'Current Employments Mexico',
  institutionResource: 'CURRENT_EMPLOYMENTS',
  recordKey: 'CURRENT_EMPLOYMENTS',
  shape: 'multiregion',
  wireFields: { link: true, account: 'none' },
  body: retrieveBody({}),
  items: { multiregion: ['CurrentEmployment'] },
  // Belvo publishes no PATCH here: Ponte's resume follows the family's names.
  operationIds: {
    retrieve: 'RetrieveCurrentEmployments',
    resume: 'PatchCurrentEmployments',
    list: 'ListCurrentEmployments',
    detail: 'getCurrentEmploymentDetails',
    delete: 'deleteCurrentEmployment',
  },
  filters: COMMON,
  listNeedsLink: false,
  needsAccounts: false,
  deletable: true,
  rateLimitedDelete: false,
  async: false,
  linkingFields: [],
  background: { fetchResource: 'CURRENT_EMPLOYMENTS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'CURRENT_EMPLOYMENTS',
  // The CURP keys the row; Belvo shows none for an unemployed worker ("If status is UNEMPLOYED, this field is null").
  toRow: (record, _accounts, plain) => ({
    accountId: null,
    recordDate: null,
    kind: null,
    prefix: {},
    body: record.status === 'UNEMPLOYED' ? { ...plain, internal_identification: null } : plain,
  }),
})

/** `reference_date` as Belvo takes it: a day (YYYY-MM-DD), not after today; none is today. */
function referenceDate({ request, today }: FetchRequest): string | undefined {
  const value = request.reference_date
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || !isCalendarDay(value)) {
    throw new PonteError('invalid', { field: 'reference_date', params: { detail: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.' } })
  }
  if (value > today) throw new PonteError('invalid', { field: 'reference_date', params: { detail: 'reference_date cannot be in the future.' } })
  return value
}

/**
 * Employment metrics (Belvo `EmploymentMetric`), computed from the link's stored employment
 * records: Belvo asks for those to be retrieved first and answers 404 without them. The POST
 * answers one object, one per link and reference date.
 */
export const EMPLOYMENT_METRICS = recordResource({
  name: 'employment-metrics',
  path: '/api/employment-metrics/',
  answer: 'single',
  tag: 'Employment Metrics',
  institutionResource: 'EMPLOYMENT_METRICS',
  recordKey: 'EMPLOYMENT_METRICS',
  shape: 'multiregion',
  wireFields: { link: true, account: 'none' },
  body: retrieveBody({ reference_date: optionalField(bodyDate('The day the metrics are computed up to; today by default')) }),
  items: { multiregion: ['EmploymentMetric'] },
  // Belvo publishes no PATCH here: Ponte's resume follows the family's names.
  operationIds: {
    retrieve: 'RetrieveEmploymentMetricDetails',
    resume: 'PatchEmploymentMetrics',
    list: 'ListEmploymentMetrics',
    detail: 'DetailEmploymentMetric',
    delete: 'DestroyEmploymentMetric',
  },
  // Belvo documents the link filter only.
  filters: COMMON.filter((filter) => filter.param === 'link'),
  listNeedsLink: false,
  needsAccounts: false,
  deletable: true,
  rateLimitedDelete: false,
  async: false,
  // The metrics have no id of their own at the institution: one per worker and reference date.
  linkingFields: ['internal_identification'],
  background: { fetchResource: 'EMPLOYMENT_METRICS', historyDays: HISTORY_DAYS, summary: 'count' },
  computedFrom: 'EMPLOYMENT_RECORDS',
  connectorResource: 'EMPLOYMENT_METRICS',
  fetchParams: (args) => ({ referenceDate: referenceDate(args) }),
  toRow: (_record, _accounts, plain) => ({ accountId: null, recordDate: null, kind: null, prefix: {}, body: plain }),
})

/**
 * A Brazilian worker's formal employments at the INSS (Belvo `EmploymentBrazil`): those that
 * overlap the period (a year back from today by default), with the period's salaries.
 */
export const EMPLOYMENTS_BR = recordResource({
  name: 'br/employments',
  path: '/api/br/employments/',
  answer: 'list',
  tag: 'Employments Brazil',
  institutionResource: 'EMPLOYMENTS',
  recordKey: 'EMPLOYMENTS',
  shape: 'ofda',
  wireFields: { link: true, account: 'none' },
  body: retrieveBody({
    date_from: Type.Optional(bodyDate('First day; a year before date_to by default')),
    date_to: Type.Optional(bodyDate('Last day; today by default')),
  }),
  items: { ofda: ['EmploymentBrazil'] },
  // Belvo publishes no PATCH here: Ponte's resume follows the family's names.
  operationIds: {
    retrieve: 'RetrieveEmploymentsBrazil',
    resume: 'PatchEmploymentsBrazil',
    list: 'ListEmploymentsBrazil',
    detail: 'DetailEmploymentBrazil',
    delete: 'DestroyEmploymentBrazil',
  },
  filters: [
    ...COMMON.filter((filter) => filter.param !== 'collected_at'),
    { param: 'start_date', source: { column: 'record_date' }, type: 'date', lookups: RANGE },
    { param: 'end_date', source: { body: 'end_date' }, type: 'date', lookups: RANGE },
  ],
  listNeedsLink: true,
  needsAccounts: false,
  deletable: true,
  rateLimitedDelete: false,
  async: true,
  // EmploymentBrazil allows no other keys: the institution's id of an employment stays off the wire.
  linkingFields: ['internal_identification'],
  background: { fetchResource: 'EMPLOYMENTS', historyDays: HISTORY_DAYS, summary: 'count' },
  connectorResource: 'EMPLOYMENTS',
  fetchParams: ({ request, today }) => ({ period: checkPeriod(today, request, { required: false }) }),
  toRow: (record, _accounts, plain) => ({ accountId: null, recordDate: (record.start_date as string) ?? null, kind: null, prefix: {}, body: plain }),
})

/** Every employment resource, in the order historical updates fetch them (the records first: the metrics are computed from them). */
export const EMPLOYMENT_RESOURCES: readonly ResourceSpec[] = [EMPLOYMENT_RECORDS, CURRENT_EMPLOYMENTS, EMPLOYMENT_METRICS, EMPLOYMENTS_BR]
