import type { InstitutionRecord } from '../../types.ts'
import { formatDay, type Day } from '../calendar.ts'
import { money } from '../format.ts'
import type { World } from '../world.ts'
import { imssReportPdf, imssReportTitle } from './imss-report.ts'
import { coverageUntil, currentDailyCents, DAYS_PER_MONTH, displayName, weeksOf, workerOf, type Job, type Worker } from './worker.ts'

/**
 * Mexico's IMSS employment history (Belvo `EmploymentRecord`): one report per link, keyed by the
 * worker's CURP (Belvo's `internal_identification` for IMSS), with the worker's identity, every
 * job (most recent first) with its salary changes, the weeks contributed, and scores and a salary
 * estimate computed from the same jobs. A user with no data has no report. With `attach_pdf` the
 * record's `files` carries IMSS's report of weeks contributed as a PDF (imss-report.ts).
 */

/** Days in a score's look-back period of `months` months, as a share of which the worker was employed. */
function employedShare(worker: Worker, months: number): number {
  const from = worker.today - Math.round(months * DAYS_PER_MONTH)
  let days = 0
  for (const job of worker.jobs) {
    const start = Math.max(job.start, from)
    const end = Math.min(job.end ?? worker.today, worker.today)
    if (end >= start) days += end - start + 1
  }
  return Math.min(1, days / (worker.today - from))
}

/** An employability score for the last `months`: 300 for none of it employed to 900 for all of it. */
function score(worker: Worker, months: number): number {
  return 300 + Math.round(600 * employedShare(worker, months))
}

function jobWire(job: Job, today: Day, collectedAt: null) {
  const daily = currentDailyCents(job)
  return {
    collected_at: collectedAt,
    employer: job.employer,
    employer_id: job.employerId,
    start_date: formatDay(job.start),
    end_date: job.end === null ? null : formatDay(job.end),
    weeks_employed: weeksOf(job, today),
    state: job.state,
    most_recent_base_salary: money(daily),
    monthly_salary: money(Math.round(daily * DAYS_PER_MONTH)),
    currency: 'MXN',
    employment_status_updates: job.changes.map((change) => ({
      event: change.event,
      base_salary: money(change.dailyCents),
      update_date: formatDay(change.day),
    })),
  }
}

/** The link's report; with `attachPdf`, streamed once the PDF is built (pdf-lib writes asynchronously). */
export function employmentRecordRecords(world: World, attachPdf = false): InstitutionRecord[] | AsyncIterable<InstitutionRecord[]> {
  const worker = workerOf(world)
  if (worker.jobs.length === 0) return []
  const weeksContributed = worker.jobs.reduce((sum, job) => sum + weeksOf(job, worker.today), 0)
  const record = recordOf(worker, weeksContributed)
  if (!attachPdf) return [record]
  return (async function* () {
    const pdf = await imssReportPdf(world, worker, weeksContributed)
    yield [{ ...record, files: [{ type: imssReportTitle(worker.today), value: Buffer.from(pdf).toString('base64') }] }]
  })()
}

function recordOf(worker: Worker, weeksContributed: number): InstitutionRecord {
  const last = worker.jobs[worker.jobs.length - 1]
  const employed = last.end === null
  const coveredUntil = coverageUntil(worker)
  const healthCovered = coveredUntil === null || coveredUntil >= worker.today
  return {
    internal_identification: worker.curp,
    report_date: formatDay(worker.today),
    // The report is extracted at the time of the request.
    days_since_extraction: 0,
    personal_data: {
      official_name: displayName(worker),
      first_name: worker.firstName,
      last_name: `${worker.lastName} ${worker.secondLastName}`.trim(),
      birth_date: worker.birthDate,
      entitlements: {
        entitled_to_health_insurance: healthCovered,
        entitled_to_company_benefits: employed,
        valid_until: coveredUntil === null ? null : formatDay(coveredUntil),
        status: employed ? 'EMPLOYED' : 'UNEMPLOYED',
      },
      // IMSS's report names the worker by NSS and CURP (Belvo's multi-region schema allows no RFC here).
      document_ids: [
        { document_type: 'NSS', document_number: worker.nss },
        { document_type: 'CURP', document_number: worker.curp },
      ],
      // Deprecated by Belvo: IMSS reports no email.
      email: null,
    },
    social_security_summary: {
      weeks_redeemed: 0,
      weeks_reinstated: 0,
      weeks_contributed: weeksContributed,
    },
    // The IMSS report lists the most recent job first; the server stamps each one's collected_at.
    employment_records: [...worker.jobs].reverse().map((job) => jobWire(job, worker.today, null)),
    employment_scores: [3, 6, 12].map((period) => ({ score: score(worker, period), period, version: '1.0.0' })),
    salary_estimation: {
      employment_status_estimate: employed ? 'EMPLOYED' : 'UNEMPLOYED',
      base_salary_estimate: money(currentDailyCents(last)),
      currency: 'MXN',
    },
    // Belvo's field is null without attach_pdf.
    files: null,
  }
}
