import type { InstitutionRecord } from '../../types.ts'
import { addMonths, civil, monthStart, yearMonthOf, type Day } from '../calendar.ts'
import { buildPdf, type PdfBlock } from '../pdf.ts'
import { hashDigits, Rng, seedKey } from '../random.ts'
import type { World } from '../world.ts'
import { mexicoTaxpayer } from './mexico-taxpayer.ts'
import { issueInstant, officialName, registration, SAT_ISSUER, satSeal, spanishDate } from './mexico-tax-status.ts'

/**
 * The SAT's "Opinión del cumplimiento de obligaciones fiscales" of the link's taxpayer (Belvo
 * `TaxComplianceStatus`), as of the sandbox day: POSITIVE for a taxpayer up to date (the full and
 * low personas), NEGATIVE for the negative persona, who has not filed the last monthly ISR and VAT
 * payments that are due, NO_OBLIGATIONS for the nodata persona, registered without obligations
 * (as their tax status shows). Belvo's `internal_identification` is the opinion's folio; with
 * `attach_pdf` the record carries the opinion itself.
 */

export type ComplianceOutcome = 'POSITIVE' | 'NEGATIVE' | 'NO_OBLIGATIONS'

/** How the opinion words each outcome ("sentido"). */
const SENSE: Record<ComplianceOutcome, string> = { POSITIVE: 'POSITIVO', NEGATIVE: 'NEGATIVO', NO_OBLIGATIONS: 'INSCRITO SIN OBLIGACIONES' }

const MONTHS = ['Enero', 'Febrero', 'Marzo', 'Abril', 'Mayo', 'Junio', 'Julio', 'Agosto', 'Septiembre', 'Octubre', 'Noviembre', 'Diciembre']

/** The persona's outcome (see the module comment). */
export function complianceOutcome(world: World): ComplianceOutcome {
  switch (world.profile.kind) {
    case 'nodata':
      return 'NO_OBLIGATIONS'
    case 'negative':
      return 'NEGATIVE'
    default:
      return 'POSITIVE'
  }
}

/** A monthly payment not made: the obligation's description and the month it is for. */
export interface PendingObligation {
  obligation: string
  month: number
  year: number
}

/**
 * What the negative persona has not filed: the monthly payments of the last month whose deadline
 * (the 17th of the month after) has passed by `today`.
 */
export function pendingObligations(world: World): PendingObligation[] {
  if (complianceOutcome(world) !== 'NEGATIVE') return []
  const today: Day = world.today
  const monthsBack = civil(today).day > 17 ? 1 : 2
  const period = civil(monthStart(yearMonthOf(addMonths(today, -monthsBack))))
  return mexicoTaxpayer(world)
    .obligations.filter((o) => o.due.includes('día 17 del mes inmediato posterior'))
    .map((o) => ({ obligation: o.description, month: period.month, year: period.year }))
}

/** The link's opinion of the day, streamed as one batch: pdf-lib writes the PDF asynchronously. */
export async function* mexicoComplianceRecords(world: World, attachPdf: boolean): AsyncIterable<InstitutionRecord[]> {
  const taxpayer = mexicoTaxpayer(world)
  const outcome = complianceOutcome(world)
  const issued = issueInstant(world, 'opinion')
  // The opinion's folio: two digits of the year, 'N', a letter and seven digits (Belvo's example: 20NE1234567).
  const rng = new Rng(seedKey(world.key, 'opinion-folio', world.todayStr))
  const folio = `${world.todayStr.slice(2, 4)}N${rng.pick(['A', 'B', 'C', 'D', 'E'])}${hashDigits(seedKey(world.key, 'opinion', world.todayStr), 7)}`
  const record = {
    internal_identification: folio,
    rfc: taxpayer.rfc,
    outcome,
    pdf: null as string | null,
  }
  if (attachPdf) {
    const sense = SENSE[outcome]
    const pending = pendingObligations(world)
    const { obligations } = registration(world, taxpayer)
    const opinion: Record<ComplianceOutcome, string> = {
      POSITIVE: `En atención a su consulta, el Servicio de Administración Tributaria informa que, revisados sus controles electrónicos institucionales, el contribuyente se encuentra al corriente en el cumplimiento de las obligaciones fiscales que se revisan, por lo que se emite opinión del cumplimiento de obligaciones fiscales en sentido ${sense}.`,
      NEGATIVE: `En atención a su consulta, el Servicio de Administración Tributaria informa que, revisados sus controles electrónicos institucionales, el contribuyente tiene obligaciones fiscales pendientes de cumplir, que se detallan abajo, por lo que se emite opinión del cumplimiento de obligaciones fiscales en sentido ${sense}. Una vez cumplidas, puede solicitar una nueva opinión.`,
      NO_OBLIGATIONS: `En atención a su consulta, el Servicio de Administración Tributaria informa que el contribuyente está inscrito en el Registro Federal de Contribuyentes sin obligaciones fiscales a su cargo, por lo que se emite opinión del cumplimiento de obligaciones fiscales en sentido ${sense}.`,
    }
    const chain = `||${folio}|${taxpayer.rfc}|${world.todayStr.replace(/-/g, '/')} ${issued.time}|${sense}||`
    const blocks: PdfBlock[] = [
      {
        kind: 'fields',
        rows: [
          ['Folio:', folio],
          ['Clave de R.F.C.:', taxpayer.rfc],
          ['Nombre, denominación o razón social:', officialName(taxpayer)],
          ['Fecha de emisión:', `${spanishDate(world.today)} a las ${issued.time} horas`],
          ['Sentido:', sense],
        ],
      },
      { kind: 'heading', text: 'Opinión' },
      { kind: 'paragraph', text: opinion[outcome] },
      ...(pending.length > 0
        ? ([
            { kind: 'heading', text: 'Obligaciones pendientes' },
            {
              kind: 'table',
              columns: [
                { header: 'Obligación', width: 6 },
                { header: 'Periodo', width: 2 },
                { header: 'Ejercicio', width: 1.4, align: 'right' },
              ],
              rows: pending.map((p) => [p.obligation, MONTHS[p.month - 1], String(p.year)]),
            },
          ] as PdfBlock[])
        : []),
      ...(obligations.length > 0
        ? ([
            { kind: 'heading', text: 'Obligaciones revisadas' },
            {
              kind: 'table',
              columns: [
                { header: 'Obligación', width: 6 },
                { header: 'Vencimiento', width: 4 },
              ],
              rows: obligations.map((o) => [o.description, o.due]),
            },
          ] as PdfBlock[])
        : []),
      {
        kind: 'paragraph',
        text: 'La presente opinión se emite conforme al artículo 32-D del Código Fiscal de la Federación y a la Resolución Miscelánea Fiscal vigente, y refleja la situación del contribuyente a la fecha de su emisión. Documento de prueba generado por el sandbox de Ponte: no tiene validez fiscal.',
        size: 7.5,
      },
      { kind: 'heading', text: 'Sello digital' },
      { kind: 'paragraph', text: satSeal(chain), size: 6.5 },
    ]
    const bytes = await buildPdf({
      title: 'Opinión del cumplimiento de obligaciones fiscales',
      issuer: SAT_ISSUER,
      subject: `Opinión del cumplimiento de obligaciones fiscales de ${taxpayer.rfc}`,
      keywords: [taxpayer.rfc, folio, sense],
      issuedAt: issued.iso,
      folio,
      chain,
      blocks,
    })
    record.pdf = Buffer.from(bytes).toString('base64')
  }
  yield [record]
}
