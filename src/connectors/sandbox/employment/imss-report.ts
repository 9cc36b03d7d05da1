import { civil, formatDay, formatTime, type Day } from '../calendar.ts'
import { moneyString } from '../format.ts'
import { buildPdf } from '../pdf.ts'
import { hashDigits, Rng, seedKey, sha256Bytes } from '../random.ts'
import type { World } from '../world.ts'
import { currentDailyCents, displayName, weeksOf, type Job, type Worker } from './worker.ts'

/**
 * IMSS's "Reporte de semanas cotizadas" of the link's worker, the PDF Belvo attaches to an
 * employment record with `attach_pdf` (in `files`): the worker's NSS, CURP and name, the weeks
 * contributed, and every employer with its registro patronal, its dates and the daily base salary
 * of each movement, from the same Worker as the record's JSON. Deterministic: the report of the
 * same link on the same day is the same to the byte.
 */

/** The title Belvo gives the file: the report's name and its day (DDMMYY), as in Belvo's data dictionary (ReporteSemanasCotizadas_190123). */
export function imssReportTitle(day: Day): string {
  const [year, month, dayOfMonth] = formatDay(day).split('-')
  return `ReporteSemanasCotizadas_${dayOfMonth}${month}${year.slice(2)}`
}

const slash = (day: Day) => {
  const c = civil(day)
  return `${String(c.day).padStart(2, '0')}/${String(c.month).padStart(2, '0')}/${c.year}`
}

/** Pesos as the report prints them: '$4,005.00'. */
export function pesos(cents: number): string {
  const [whole, decimals] = moneyString(cents).split('.')
  return `$${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${decimals}`
}

const MOVEMENTS: Record<Job['changes'][number]['event'], string> = {
  HIRED: 'Alta',
  SALARY_MODIFICATION: 'Modificación de salario',
  DISMISSED_RESIGNED: 'Baja',
}

/** The report as a PDF (bytes). */
export async function imssReportPdf(world: World, worker: Worker, weeksContributed: number): Promise<Uint8Array> {
  const second = new Rng(seedKey(world.key, 'imss-report', world.todayStr)).int(7 * 3600, 9 * 3600)
  const issuedAt = `${world.todayStr}T${formatTime(second)}-06:00`
  const folio = hashDigits(seedKey(world.key, 'imss-report-folio', world.todayStr), 16)
  const name = displayName(worker).toUpperCase()
  const chain = `||${folio}|${worker.nss}|${worker.curp}|${weeksContributed}|${world.todayStr}||`
  // The most recent employer first, as IMSS lists them (and the record's employment_records).
  const jobs = [...worker.jobs].reverse()
  return buildPdf({
    title: 'Reporte de semanas cotizadas',
    issuer: ['INSTITUTO MEXICANO DEL SEGURO SOCIAL', 'Dirección de Incorporación y Recaudación'],
    subject: `Reporte de semanas cotizadas de ${worker.curp}`,
    keywords: [worker.nss, worker.curp],
    issuedAt,
    folio,
    chain,
    blocks: [
      {
        kind: 'fields',
        rows: [
          ['Nombre:', name],
          ['Número de Seguridad Social (NSS):', worker.nss],
          ['CURP:', worker.curp],
          ['Fecha de emisión:', `${slash(world.today)} ${formatTime(second)} horas`],
        ],
      },
      { kind: 'heading', text: 'Semanas cotizadas' },
      {
        kind: 'fields',
        rows: [
          ['Semanas cotizadas IMSS:', String(weeksContributed)],
          ['Semanas descontadas:', '0'],
          ['Semanas reintegradas:', '0'],
          ['Total de semanas cotizadas:', String(weeksContributed)],
        ],
      },
      {
        kind: 'paragraph',
        text: 'Las semanas cotizadas se cuentan por los días en que el trabajador estuvo inscrito por sus patrones, en semanas completas. El salario base de cotización es diario, en pesos mexicanos.',
        size: 7.5,
      },
      ...jobs.flatMap((job) => [
        { kind: 'heading' as const, text: `Patrón: ${job.employer}` },
        {
          kind: 'fields' as const,
          rows: [
            ['Registro patronal:', job.employerId],
            ['Entidad federativa:', job.state],
            ['Fecha de alta:', slash(job.start)],
            ['Fecha de baja:', job.end === null ? 'Vigente' : slash(job.end)],
            ['Semanas cotizadas:', String(weeksOf(job, worker.today))],
            ['Salario base de cotización:', pesos(currentDailyCents(job))],
          ] as [string, string][],
        },
        {
          kind: 'table' as const,
          columns: [
            { header: 'Tipo de movimiento', width: 4 },
            { header: 'Fecha', width: 2 },
            { header: 'Salario base', width: 2, align: 'right' as const },
          ],
          rows: job.changes.map((change) => [MOVEMENTS[change.event], slash(change.day), pesos(change.dailyCents)]),
        },
      ]),
      {
        kind: 'paragraph',
        text: 'Documento de prueba generado por el sandbox de Ponte: no tiene validez oficial.',
        size: 7.5,
      },
      { kind: 'heading', text: 'Sello digital' },
      {
        kind: 'paragraph',
        text: Buffer.concat(Array.from({ length: 8 }, (_, i) => sha256Bytes(seedKey('imss-seal', chain, i)))).toString('base64'),
        size: 6.5,
      },
    ],
  })
}
