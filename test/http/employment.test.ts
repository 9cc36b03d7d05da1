import { isValidCnpj } from '@brazilian-utils/brazilian-utils'
import validateRfcImport from 'validate-rfc'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectedClient, type BelvoClient } from '../helpers/belvo.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { parsePdf, pdfText, popplerAvailable, renderFirstPage } from '../helpers/pdf.ts'
import { createLink, expectError, expectItems, SAMPLE_DOCUMENT, historicalUpdate } from '../helpers/resources.ts'
import { runRecurrentUpdate } from '../../src/domain/sync.ts'

/**
 * The employment family (Mexico's IMSS): one worker per link whose identity and history agree
 * wherever they appear, deterministic data, the filters and body rules Belvo documents, and the
 * official SDK's employmentRecords methods.
 */

type Json = Record<string, any>

const INSTITUTION = 'planet_mx_employment'
const CURP = SAMPLE_DOCUMENT.MX!

/** IMSS's NSS check digit, computed here independently of the sandbox: Luhn over the first ten digits. */
function nssIsValid(nss: string): boolean {
  if (!/^\d{11}$/.test(nss)) return false
  const sum = [...nss.slice(0, 10)].reduce((acc, char, i) => {
    const doubled = i % 2 === 1 ? Number(char) * 2 : Number(char)
    return acc + (doubled > 9 ? doubled - 9 : doubled)
  }, 0)
  return (10 - (sum % 10)) % 10 === Number(nss[10])
}

// validate-rfc is a UMD bundle: depending on the loader its function is the default export or its `default`.
type ValidateRfc = (rfc: string) => { isValid: boolean }
const validateRfc = ((validateRfcImport as unknown as { default?: ValidateRfc }).default ?? validateRfcImport) as unknown as ValidateRfc

const documentsOf = (personal: Json): Record<string, string> => Object.fromEntries(personal.document_ids.map((d: Json) => [d.document_type, d.document_number]))

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000

describe('employment records (Mexico IMSS)', () => {
  let h: Harness
  let link: Json
  let record: Json
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
    link = await createLink(h, { institution: INSTITUTION, persona: `${CURP}/fake-password` })
    const res = await h.call('POST', '/api/employment-records/', { link: link.id })
    expect(res.status).toBe(201)
    record = res.body[0]
  })
  afterAll(async () => h.close())

  it("is the login's worker: the CURP is the username, the NSS has a valid check digit and agrees with the CURP's birth year", () => {
    expect(record.internal_identification).toBe(CURP)
    const documents = Object.fromEntries(record.personal_data.document_ids.map((d: Json) => [d.document_type, d.document_number]))
    expect(documents.CURP).toBe(CURP)
    expect(nssIsValid(documents.NSS)).toBe(true)
    // NSS digits 5-6 are the birth year, as the CURP's 5-6.
    expect(documents.NSS.slice(4, 6)).toBe(CURP.slice(4, 6))
    expect(record.personal_data.birth_date).toBe('1985-04-12')
    expect(record.personal_data.official_name).toBe(`${record.personal_data.first_name} ${record.personal_data.last_name}`)
  })

  it('counts weeks contributed as the sum of the jobs, each in whole weeks of its dates, without overlaps', () => {
    const jobs = record.employment_records as Json[]
    expect(jobs.length).toBeGreaterThan(1)
    const reportDay = dayNumber(record.report_date)
    for (const job of jobs) {
      const end = job.end_date === null ? reportDay : dayNumber(job.end_date)
      expect(job.weeks_employed).toBe(Math.floor((end - dayNumber(job.start_date) + 1) / 7))
    }
    expect(record.social_security_summary.weeks_contributed).toBe(jobs.reduce((sum, job) => sum + job.weeks_employed, 0))
    // Most recent first; a job ends before the next one starts.
    for (let i = 1; i < jobs.length; i++) expect(jobs[i].end_date < jobs[i - 1].start_date).toBe(true)
  })

  it("reports each job's salary history: hired, then raises, the latest base salary and its month", () => {
    for (const job of record.employment_records as Json[]) {
      const updates = job.employment_status_updates as Json[]
      expect(updates[0]).toMatchObject({ event: 'HIRED', update_date: job.start_date })
      const dates = updates.map((u) => u.update_date)
      expect([...dates].sort()).toEqual(dates)
      expect(updates[updates.length - 1].base_salary).toBe(job.most_recent_base_salary)
      expect(job.monthly_salary).toBeCloseTo(job.most_recent_base_salary * 30.4, 1)
      if (job.end_date !== null) expect(updates[updates.length - 1]).toMatchObject({ event: 'DISMISSED_RESIGNED', update_date: job.end_date })
      expect(job.currency).toBe('MXN')
      expect(job.employer_id).toMatch(/^[A-Z]\d{10}$/)
      // IMSS reports no daily base salary above its ceiling of 25 UMAs (2,828.50 pesos).
      for (const update of updates) expect(update.base_salary).toBeLessThanOrEqual(2828.5)
    }
  })

  it('agrees on the status: the full persona holds a current job, with health coverage and a salary estimate from it', () => {
    const current = record.employment_records[0]
    expect(current.end_date).toBeNull()
    expect(record.personal_data.entitlements).toMatchObject({ status: 'EMPLOYED', entitled_to_health_insurance: true, valid_until: null })
    expect(record.salary_estimation).toEqual({ employment_status_estimate: 'EMPLOYED', base_salary_estimate: current.most_recent_base_salary, currency: 'MXN' })
    expect(record.employment_scores.map((s: Json) => s.period)).toEqual([3, 6, 12])
    expect(record.employment_scores[0].score).toBe(900)
  })

  it('gives an unemployed worker (gig103, "negative") coverage for eight weeks after the last job', async () => {
    const other = await createLink(h, { institution: INSTITUTION, persona: `${CURP}/negative` })
    const res = await h.call('POST', '/api/employment-records/', { link: other.id, save_data: false })
    expect(res.status).toBe(200)
    const [worker] = res.body
    const last = worker.employment_records[0]
    expect(last.end_date).not.toBeNull()
    expect(worker.personal_data.entitlements.status).toBe('UNEMPLOYED')
    expect(dayNumber(worker.personal_data.entitlements.valid_until) - dayNumber(last.end_date)).toBe(56)
    expect(worker.salary_estimation.employment_status_estimate).toBe('UNEMPLOYED')
    expectItems({ multiregion: ['EmploymentRecord'] }, 'multiregion', res.body)
  })

  it('is deterministic: the same link on the same day gives the same report', async () => {
    const again = await h.call('POST', '/api/employment-records/', { link: link.id, save_data: false })
    const strip = (r: Json) => JSON.parse(JSON.stringify(r).replace(/"collected_at":"[^"]+"/g, '"collected_at":null'))
    const { id: _a, created_at: _b, ...first } = strip(record)
    const { id: _c, created_at: _d, ...second } = strip(again.body[0])
    expect(second).toEqual(first)
  })

  it('filters the list by internal_identification', async () => {
    const found = await h.call('GET', `/api/employment-records/?internal_identification=${CURP}&link=${link.id}`)
    expect(found.body.results.map((r: Json) => r.id)).toEqual([record.id])
    const none = await h.call('GET', `/api/employment-records/?internal_identification__in=XXXX000000XXXXXX00&link=${link.id}`)
    expect(none.body.count).toBe(0)
  })

  it('refuses a username that is not a CURP, and bad body fields with their field', async () => {
    const res = await h.call('POST', '/api/links/', { institution: INSTITUTION, username: 'gig100', password: 'full', access_mode: 'single' })
    expectError(res, 400, 'invalid', 'username')
    expectError(await h.call('POST', '/api/employment-records/', { link: link.id, attach_pdf: 'yes' }), 400, undefined, 'attach_pdf')
    expectError(await h.call('POST', '/api/employment-records/', { link: link.id, save_data: null }), 400, undefined, 'save_data')
  })
})

describe("the sandbox's error and MFA personas at employment institutions (the password names the persona)", () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
  })
  afterAll(async () => h.close())

  const register = (body: Json) => h.call('POST', '/api/links/', { access_mode: 'single', ...body })
  const linkCount = async () => (await h.call('GET', '/api/links/')).body.count

  it.each([
    ['planet_mx_employment', CURP, 'err_down', 'institution_down'],
    ['planet_mx_employment', CURP, 'err_sessions', 'too_many_sessions'],
    ['planet_mx_employment', CURP, 'err_unavailable', 'institution_unavailable'],
    ['planet_mx_employment', CURP, 'err_inactive', 'institution_inactive'],
    ['planet_mx_employment', CURP, 'err_unsupported', 'unsupported_operation'],
    ['planet_mx_employment', CURP, 'user_invalid', 'login_error'],
    ['heimdall_mx_employment', CURP, 'err_down', 'institution_down'],
    ['planet_br_employment', SAMPLE_DOCUMENT.BR!, 'err_down', 'institution_down'],
    ['planet_br_employment', SAMPLE_DOCUMENT.BR!, 'user_invalid', 'login_error'],
  ])('%s with a valid document and the password %s answers %s, and stores no link', async (institution, username, password, code) => {
    const before = await linkCount()
    expectError(await register({ institution, username, password }), 400, code)
    expect(await linkCount()).toBe(before)
  })

  it('answers the timeout persona with the request timeout error', async () => {
    const res = await register({ institution: 'planet_mx_employment', username: CURP, password: 'err_timeout' })
    expect(res.body[0]).toMatchObject({ code: 'request_timeout' })
  })

  it.each([
    ['heimdall_mx_employment', CURP, '/api/employment-records/'],
    ['heimdall_br_employment', SAMPLE_DOCUMENT.BR!, '/api/br/employments/'],
  ])('%s challenges mfa_default with a token (428), takes 111111, and asks again on each retrieval', async (institution, username, path) => {
    const challenge = await register({ institution, username, password: 'mfa_default' })
    const required = expectError(challenge, 428, 'token_required')
    expect(required.token_generation_data).toMatchObject({ type: 'numeric', expects_user_input: true })
    const wrong = await h.call('PATCH', '/api/links/', { session: required.session, link: required.link, token: '999999' })
    expectError(wrong, 428, 'token_required')
    const linked = await h.call('PATCH', '/api/links/', { session: wrong.body[0].session, link: required.link, token: '111111' })
    expect(linked.status, JSON.stringify(linked.body)).toBe(200)
    const asked = expectError(await h.call('POST', path, { link: required.link }), 428, 'token_required')
    const resumed = await h.call('PATCH', path, { session: asked.session, link: required.link, token: '111111' })
    expect(resumed.status, JSON.stringify(resumed.body).slice(0, 300)).toBe(201)
    expect(resumed.body.length).toBeGreaterThan(0)
  })

  it('lets the same document log in without a challenge at the institution without MFA', async () => {
    const res = await register({ institution: 'planet_mx_employment', username: CURP, password: 'mfa_default' })
    expect(res.status).toBe(201)
  })
})

describe('current employments (Mexico IMSS)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
  })
  afterAll(async () => h.close())

  async function both(persona: string): Promise<{ record: Json; current: Json }> {
    const link = await createLink(h, { institution: INSTITUTION, persona: `${CURP}/${persona}` })
    const records = await h.call('POST', '/api/employment-records/', { link: link.id })
    const current = await h.call('POST', '/api/mx/current-employments/', { link: link.id })
    expect(current.status).toBe(201)
    expectItems({ multiregion: ['CurrentEmployment'] }, 'multiregion', current.body)
    return { record: records.body[0], current: current.body[0] }
  }

  it("is the records' worker and current job: same CURP and NSS, a valid RFC, the employer with a valid RFC and the same salary", async () => {
    const { record, current } = await both('fake-password')
    const documents = documentsOf(current.personal_data)
    expect(documents).toMatchObject(documentsOf(record.personal_data))
    expect(validateRfc(documents.RFC).isValid).toBe(true)
    // A person's RFC carries the birth date the CURP does.
    expect(documents.RFC.slice(4, 10)).toBe(CURP.slice(4, 10))
    expect(current).toMatchObject({ status: 'EMPLOYED', month: '2026-03', internal_identification: CURP })
    const job = record.employment_records[0]
    const [employment] = current.current_employment_records
    expect(employment).toMatchObject({
      employer: job.employer,
      employer_id: job.employer_id,
      state: job.state,
      base_salary: job.most_recent_base_salary,
      monthly_salary: job.monthly_salary,
      days_employed: dayNumber(record.report_date) - dayNumber(job.start_date) + 1,
    })
    expect(validateRfc(employment.employer_rfc).isValid).toBe(true)
  })

  it('reports an unemployed worker as Belvo does: no month, CURP or records', async () => {
    const { current } = await both('negative')
    expect(current).toMatchObject({ status: 'UNEMPLOYED', month: null, internal_identification: null, current_employment_records: null })
    const listed = await h.call('GET', `/api/mx/current-employments/${current.id}/`)
    expect(listed.body).toEqual(current)
  })
})

describe('employment metrics (computed from the stored employment records)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
  })
  afterAll(async () => h.close())

  it("answers Belvo's 404 until the link's employment records are stored, and stores nothing", async () => {
    const link = await createLink(h, { institution: INSTITUTION, persona: `${CURP}/fake-password` })
    expectError(await h.call('POST', '/api/employment-metrics/', { link: link.id }), 404, 'not_found')
    // Records only returned (save_data false) are not stored: still nothing to compute from.
    expect((await h.call('POST', '/api/employment-records/', { link: link.id, save_data: false })).status).toBe(200)
    expectError(await h.call('POST', '/api/employment-metrics/', { link: link.id }), 404, 'not_found')
    expect((await h.call('GET', `/api/employment-metrics/?link=${link.id}`)).body.count).toBe(0)
    // Stored, then deleted: gone again.
    const [record] = (await h.call('POST', '/api/employment-records/', { link: link.id })).body
    expect((await h.call('POST', '/api/employment-metrics/', { link: link.id })).status).toBe(201)
    expect((await h.call('DELETE', `/api/employment-records/${record.id}/`)).status).toBe(204)
    expectError(await h.call('POST', '/api/employment-metrics/', { link: link.id }), 404, 'not_found')
  })

  it('agrees with the records: status, last salary, weeks, employers and gaps', async () => {
    for (const persona of ['fake-password', 'negative']) {
      const link = await createLink(h, { institution: INSTITUTION, persona: `${CURP}/${persona}` })
      const [record] = (await h.call('POST', '/api/employment-records/', { link: link.id })).body
      const res = await h.call('POST', '/api/employment-metrics/', { link: link.id })
      expect(res.status).toBe(201)
      const metrics = res.body
      expectItems({ multiregion: ['EmploymentMetric'] }, 'multiregion', [metrics])
      const jobs = record.employment_records as Json[]
      expect(metrics.current_status).toBe(record.personal_data.entitlements.status)
      expect(metrics.reference_date).toBeNull()
      expect(metrics.age).toBe(40)
      expect(metrics.base_salary_last).toBe(jobs[0].most_recent_base_salary)
      expect(metrics.employer_count).toBe(jobs.length)
      expect(Math.floor(metrics.weeks_employed_last_job)).toBe(jobs[0].weeks_employed)
      // Whole weeks per job (the records) against the days of all jobs in weeks (the metrics).
      const contributed = record.social_security_summary.weeks_contributed
      expect(metrics.weeks_employed_total).toBeGreaterThanOrEqual(contributed)
      expect(metrics.weeks_employed_total).toBeLessThan(contributed + jobs.length)
      const gaps = jobs.slice(1).map((job, i) => dayNumber(jobs[i].start_date) - dayNumber(job.end_date) - 1)
      expect(metrics.weeks_between_jobs).toBeCloseTo(gaps.reduce((a, b) => a + b, 0) / 7, 3)
      expect(metrics.max_weeks_between_jobs).toBeCloseTo(Math.max(0, ...gaps) / 7, 3)
      if (metrics.current_status === 'EMPLOYED') expect(metrics.weeks_since_last_job).toBe(0)
      else expect(metrics.weeks_since_last_job).toBeCloseTo((dayNumber('2026-03-10') - dayNumber(jobs[0].end_date)) / 7, 3)
      expect(metrics.max_monthly_salary_1y).toBeGreaterThanOrEqual(metrics.average_monthly_salary_1y ?? 0)
    }
  })

  it('computes up to a reference date: the job held then, a separate stored metric; a future or malformed date is refused', async () => {
    const link = await createLink(h, { institution: INSTITUTION, persona: `${CURP}/fake-password` })
    const [record] = (await h.call('POST', '/api/employment-records/', { link: link.id })).body
    const jobs = record.employment_records as Json[]
    const earlier = jobs[1].start_date
    const res = await h.call('POST', '/api/employment-metrics/', { link: link.id, reference_date: earlier })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ reference_date: earlier, current_status: 'EMPLOYED', employer_count: jobs.length - 1, weeks_since_last_job: 0 })
    expect(res.body.base_salary_last).toBe(jobs[1].employment_status_updates[0].base_salary)
    await h.call('POST', '/api/employment-metrics/', { link: link.id })
    expect((await h.call('GET', `/api/employment-metrics/?link=${link.id}`)).body.count).toBe(2)
    expectError(await h.call('POST', '/api/employment-metrics/', { link: link.id, reference_date: '2026-03-11' }), 400, 'invalid', 'reference_date')
    expectError(await h.call('POST', '/api/employment-metrics/', { link: link.id, reference_date: '10/03/2026' }), 400, 'invalid', 'reference_date')
  })
})

describe('employments (Brazil INSS)', () => {
  let h: Harness
  let link: Json
  let employments: Json[]
  const YEAR = { date_from: '2025-03-01', date_to: '2026-02-28' }
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
    link = await createLink(h, { institution: 'planet_br_employment', persona: `${SAMPLE_DOCUMENT.BR}/full` })
    const res = await h.call('POST', '/api/br/employments/', { link: link.id, date_from: '2019-01-01', date_to: '2026-02-28' })
    expect(res.status).toBe(201)
    employments = res.body
  })
  afterAll(async () => h.close())

  it('names employers by a valid CNPJ and a CNAE activity, one job after another, the last one current', () => {
    expect(employments.length).toBeGreaterThan(1)
    for (const employment of employments) {
      expect(isValidCnpj(employment.employer_data.code)).toBe(true)
      expect(employment.employer_data.economic_activity).toMatch(/^\d{4}-\d\/\d{2} - [A-Z ]+$/)
    }
    const ordered = [...employments].sort((a, b) => (a.start_date < b.start_date ? -1 : 1))
    for (let i = 1; i < ordered.length; i++) expect(ordered[i - 1].end_date < ordered[i].start_date).toBe(true)
    expect(ordered[ordered.length - 1].end_date).toBeNull()
  })

  it('pays each month of the period with the INSS contribution of the 2025 progressive table, and a thirteenth each December', () => {
    // Independently: 7.5% up to 1518.00, 9% to 2793.88, 12% to 4190.83, 14% to the 8157.41 ceiling.
    const bands: [number, number][] = [
      [1518, 0.075],
      [2793.88, 0.09],
      [4190.83, 0.12],
      [8157.41, 0.14],
    ]
    const inss = (salary: number) => {
      let total = 0
      let floor = 0
      for (const [ceiling, rate] of bands) {
        if (salary > floor) total += (Math.min(salary, ceiling) - floor) * rate
        floor = ceiling
      }
      return Math.round(total * 100) / 100
    }
    for (const employment of employments) {
      const regular = employment.salaries.filter((s: Json) => s.type === 'REGULAR')
      const months = regular.map((s: Json) => s.month)
      expect(new Set(months).size).toBe(months.length)
      for (const salary of employment.salaries) {
        expect(salary.currency).toBe('BRL')
        expect(salary.retained_amount).toBeCloseTo(inss(salary.base_amount), 2)
        expect(salary.month >= employment.start_date.slice(0, 7)).toBe(true)
        if (employment.end_date) expect(salary.month <= employment.end_date.slice(0, 7)).toBe(true)
      }
      for (const thirteenth of employment.salaries.filter((s: Json) => s.type === 'THIRTEENTH')) {
        expect(thirteenth.month.slice(5)).toBe('12')
        expect(months).toContain(thirteenth.month)
      }
    }
  })

  it('holds one occupation at a time, from the start of the job to its end', () => {
    for (const employment of employments) {
      const occupations = employment.occupations as Json[]
      expect(occupations[0].start_date).toBe(employment.start_date)
      expect(occupations[occupations.length - 1].end_date).toBe(employment.end_date)
      for (let i = 1; i < occupations.length; i++) expect(dayNumber(occupations[i].start_date)).toBe(dayNumber(occupations[i - 1].end_date) + 1)
    }
  })

  it('limits a retrieval to the period, deterministically', async () => {
    const first = await h.call('POST', '/api/br/employments/', { link: link.id, ...YEAR, save_data: false })
    const again = await h.call('POST', '/api/br/employments/', { link: link.id, ...YEAR, save_data: false })
    const strip = (items: Json[]) => items.map(({ id: _i, created_at: _c, collected_at: _t, ...rest }) => rest)
    expect(strip(again.body)).toEqual(strip(first.body))
    for (const employment of first.body as Json[]) {
      expect(employment.start_date <= YEAR.date_to && (employment.end_date === null || employment.end_date >= YEAR.date_from)).toBe(true)
      for (const salary of employment.salaries) expect(salary.month >= '2025-03' && salary.month <= '2026-02').toBe(true)
    }
  })

  it('filters the list by start_date and end_date', async () => {
    const current = employments.find((e) => e.end_date === null)!
    const started = await h.call('GET', `/api/br/employments/?link=${link.id}&start_date__gte=${current.start_date}`)
    expect(started.body.results.map((e: Json) => e.id)).toEqual([current.id])
    const ended = employments.filter((e) => e.end_date !== null)
    const before = await h.call('GET', `/api/br/employments/?link=${link.id}&end_date__lt=${current.start_date}`)
    expect(before.body.results.map((e: Json) => e.id).sort()).toEqual(ended.map((e) => e.id).sort())
  })
})

describe('employment in historical updates and their webhooks', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
    await h.receiveWebhooks('Bearer employment-test')
    await h.startWorker()
  })
  afterAll(async () => h.close())

  async function historicalUpdates(fetchResources: string[]): Promise<{ link: Json; events: Record<string, Json> }> {
    return historicalUpdate(h, { institution: INSTITUTION, username: CURP, password: 'fake-password', fetch_resources: fetchResources })
  }

  it('fetches the records first, then the current employment and the metrics computed from them, each with its webhook', async () => {
    const { link, events } = await historicalUpdates(['EMPLOYMENT_RECORDS', 'CURRENT_EMPLOYMENTS', 'EMPLOYMENT_METRICS'])
    expect(Object.keys(events).sort()).toEqual([
      'CURRENT_EMPLOYMENTS historical_update',
      'EMPLOYMENT_METRICS historical_update',
      'EMPLOYMENT_RECORDS historical_update',
    ])
    expect(events['EMPLOYMENT_RECORDS historical_update']).toEqual({ total_employment_records: 1 })
    expect((await h.call('GET', `/api/employment-metrics/?link=${link.id}`)).body.count).toBe(1)
    expect((await h.call('GET', `/api/employment-records/?link=${link.id}`)).body.count).toBe(1)
    expect((await h.call('GET', `/api/links/${link.id}/`)).body.status).toBe('valid')
  })

  it('refreshes a recurrent link of an institution that offers no accounts (recurrent updates ask for accounts only where they exist)', async () => {
    const { link } = await historicalUpdates(['EMPLOYMENT_RECORDS'])
    expect(link.access_mode).toBe('recurrent')
    const [record] = (await h.call('GET', `/api/employment-records/?link=${link.id}`)).body.results
    expect((await h.call('DELETE', `/api/employment-records/${record.id}/`)).status).toBe(204)
    await runRecurrentUpdate(h.app.deps.domain, 'recurrent-employment', {
      organizationId: h.key.organizationId,
      linkId: link.id,
      requestId: 'a'.repeat(32),
      processType: 'recurrent_update',
    })
    const refreshed = (await h.call('GET', `/api/employment-records/?link=${link.id}`)).body
    expect(refreshed.count).toBe(1)
    expect(refreshed.results[0]).toMatchObject({ internal_identification: record.internal_identification })
    expect((await h.call('GET', `/api/links/${link.id}/`)).body.status).toBe('valid')
  })

  it('skips the metrics when the link fetches no records to compute them from', async () => {
    const { link, events } = await historicalUpdates(['CURRENT_EMPLOYMENTS', 'EMPLOYMENT_METRICS'])
    expect(Object.keys(events)).toEqual(['CURRENT_EMPLOYMENTS historical_update'])
    expect((await h.call('GET', `/api/links/${link.id}/`)).body.status).toBe('valid')
  })
})

describe('the official SDK against Ponte: employmentRecords', () => {
  let h: Harness
  let client: BelvoClient
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
    client = await connectedClient(h)
  })
  afterAll(async () => h.close())

  it('retrieves, lists, details and deletes employment records', async () => {
    const link = await createLink(h, { institution: INSTITUTION, persona: `${CURP}/fake-password` })
    const records = client.employmentRecords as BelvoClient['accounts']
    const unsaved = await records.retrieve(link.id, { saveData: false })
    expect(unsaved[0].internal_identification).toBe(CURP)
    const [stored] = await records.retrieve(link.id)
    const listed = await records.list({ filters: { link: link.id } })
    expect(listed.map((r: Json) => r.id)).toEqual([stored.id])
    expect(await records.detail(stored.id)).toEqual(stored)
    await records.delete(stored.id)
    expect(await records.list({ filters: { link: link.id } })).toEqual([])
  })
})

describe('the IMSS report of weeks contributed (attach_pdf)', () => {
  const poppler = popplerAvailable()
  let h: Harness
  let link: Json
  let record: Json
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
    link = await createLink(h, { institution: INSTITUTION, persona: `${CURP}/fake-password` })
    const res = await h.call('POST', '/api/employment-records/', { link: link.id, attach_pdf: true })
    expect(res.status).toBe(201)
    record = res.body[0]
  })
  afterAll(async () => h.close())

  it("is the record's one file, titled as Belvo's (ReporteSemanasCotizadas_DDMMYY), a PDF that parses; none without attach_pdf", async () => {
    expectItems({ multiregion: ['EmploymentRecord'] }, 'multiregion', [record])
    expect(record.files).toHaveLength(1)
    expect(record.files[0].type).toBe('ReporteSemanasCotizadas_100326')
    const { pages } = await parsePdf(record.files[0].value)
    expect(pages).toBeGreaterThan(0)
    const plain = await h.call('POST', '/api/employment-records/', { link: link.id, save_data: false })
    expect(plain.body[0].files).toBeNull()
    // The stored record keeps its file: the detail is the retrieved record.
    expect((await h.call('GET', `/api/employment-records/${record.id}/`)).body.files).toEqual(record.files)
  })

  it('is the same document, to the byte, for the same link on the same day', async () => {
    const again = await h.call('POST', '/api/employment-records/', { link: link.id, attach_pdf: true, save_data: false })
    expect(again.body[0].files[0].value).toBe(record.files[0].value)
  })

  it.skipIf(!poppler)("renders, and shows the JSON's worker, weeks and every employer with its registro patronal, dates and salaries", async () => {
    const { bytes } = await parsePdf(record.files[0].value)
    const { width, height } = await renderFirstPage(bytes)
    expect([width, height]).toEqual([425, 550])
    // Layout mode: each table row as one printed line.
    const shown = await pdfText(bytes, { layout: true })
    const documents = documentsOf(record.personal_data)
    expect(shown).toContain('INSTITUTO MEXICANO DEL SEGURO SOCIAL')
    expect(shown).toContain('Reporte de semanas cotizadas')
    expect(shown).toContain(record.personal_data.official_name.toUpperCase())
    expect(shown).toContain(`Número de Seguridad Social (NSS): ${documents.NSS}`)
    expect(shown).toContain(`CURP: ${documents.CURP}`)
    expect(shown).toContain(`Total de semanas cotizadas: ${record.social_security_summary.weeks_contributed}`)
    const slash = (date: string) => date.split('-').reverse().join('/')
    const pesos = (amount: number) => `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
    for (const job of record.employment_records) {
      expect(shown).toContain(`Patrón: ${job.employer}`)
      expect(shown).toContain(`Registro patronal: ${job.employer_id}`)
      expect(shown).toContain(`Fecha de alta: ${slash(job.start_date)}`)
      expect(shown).toContain(`Fecha de baja: ${job.end_date === null ? 'Vigente' : slash(job.end_date)}`)
      expect(shown).toContain(`Semanas cotizadas: ${job.weeks_employed}`)
      expect(shown).toContain(`Salario base de cotización: ${pesos(job.most_recent_base_salary)}`)
      for (const update of job.employment_status_updates) expect(shown).toContain(`${slash(update.update_date)} ${pesos(update.base_salary)}`)
    }
  })
})
