import type { InstitutionRecord } from '../../types.ts'
import { formatDay } from '../calendar.ts'
import { money } from '../format.ts'
import type { World } from '../world.ts'
import { currentDailyCents, DAYS_PER_MONTH, displayName, workerOf } from './worker.ts'

/**
 * A Mexican worker's current employment (Belvo `CurrentEmployment`): this month's status at IMSS
 * and the jobs the worker holds now, from the same worker and jobs as the employment records
 * (records.ts), so the employer, registro patronal, state and salary are the current record's.
 * Keyed by the CURP; Belvo gives an unemployed worker no CURP, month or records on the wire
 * (the domain's toRow blanks them, the key stays).
 */
export function currentEmploymentRecords(world: World): InstitutionRecord[] {
  const worker = workerOf(world)
  if (worker.jobs.length === 0) return []
  const current = worker.jobs.filter((job) => job.end === null)
  const employed = current.length > 0
  const today = formatDay(worker.today)
  return [
    {
      month: employed ? today.slice(0, 7) : null,
      internal_identification: worker.curp,
      personal_data: {
        official_name: displayName(worker),
        first_name: worker.firstName,
        last_name: `${worker.lastName} ${worker.secondLastName}`.trim(),
        birth_date: worker.birthDate,
        document_ids: [
          { document_type: 'NSS', document_number: worker.nss },
          { document_type: 'CURP', document_number: worker.curp },
          { document_type: 'RFC', document_number: worker.rfc },
        ],
      },
      status: employed ? 'EMPLOYED' : 'UNEMPLOYED',
      current_employment_records: employed
        ? current.map((job) => ({
            employer: job.employer,
            employer_id: job.employerId,
            employer_rfc: job.employerRfc,
            state: job.state,
            days_employed: worker.today - job.start + 1,
            base_salary: money(currentDailyCents(job)),
            monthly_salary: money(Math.round(currentDailyCents(job) * DAYS_PER_MONTH)),
          }))
        : null,
    },
  ]
}
