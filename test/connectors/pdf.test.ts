import { PDFDocument } from 'pdf-lib'
import { describe, expect, it } from 'vitest'
import { buildPdf, type PdfDocumentSpec } from '../../src/connectors/sandbox/pdf.ts'
import { parsePdf, pdfText, popplerAvailable, renderFirstPage } from '../helpers/pdf.ts'

const poppler = popplerAvailable()

/** A certificate long enough to span pages: a title block, rows, a wrapping table, Spanish text and characters WinAnsi lacks. */
function certificate(rows = 80): PdfDocumentSpec {
  return {
    title: 'Constancia de Situación Fiscal',
    issuer: ['SERVICIO DE ADMINISTRACIÓN TRIBUTARIA', 'SECRETARÍA DE HACIENDA Y CRÉDITO PÚBLICO'],
    subject: 'Cédula de identificación fiscal',
    keywords: ['RFC', 'SAT'],
    issuedAt: '2024-05-17T10:30:00-06:00',
    folio: '24050000123456',
    chain: `||3.3|${'PÉREZ MUÑOZ|'.repeat(30)}||`,
    blocks: [
      { kind: 'heading', text: 'Datos de Identificación del Contribuyente' },
      {
        kind: 'fields',
        rows: [
          ['RFC:', 'PEMJ850101AB1'],
          ['Nombre (s):', 'JOSÉ ÑANDÚ'],
          ['Primer Apellido:', 'PEÑA'],
          // Not WinAnsi: ź prints without its accent; Ł (no decomposition) and an emoji print as '?'.
          ['Nombre comercial:', 'Łódź 🚀 café ¿sí? ¡no!'],
        ],
      },
      { kind: 'heading', text: 'Actividades Económicas' },
      {
        kind: 'table',
        columns: [
          { header: 'Orden', width: 1 },
          { header: 'Actividad Económica', width: 6 },
          { header: 'Porcentaje', width: 2, align: 'right' },
        ],
        rows: Array.from({ length: rows }, (_, i) => [
          String(i + 1),
          `Servicios de consultoría en computación y otros servicios profesionales, científicos y técnicos número ${i + 1}`,
          `${(i * 7) % 100}`,
        ]),
      },
      { kind: 'paragraph', text: 'Sus datos personales son incorporados y protegidos en los sistemas del SAT.\nSegunda línea.' },
    ],
  }
}

describe('the sandbox PDF builder', () => {
  it('builds a document pdf-lib parses, with the caller-given dates and a fixed producer', async () => {
    const bytes = await buildPdf(certificate())
    const { pages } = await parsePdf(bytes)
    expect(pages).toBeGreaterThan(1)
    const doc = await PDFDocument.load(bytes, { updateMetadata: false })
    expect(doc.getTitle()).toBe('Constancia de Situación Fiscal')
    expect(doc.getAuthor()).toBe('SERVICIO DE ADMINISTRACIÓN TRIBUTARIA')
    expect(doc.getProducer()).toBe('Ponte sandbox')
    expect(doc.getCreator()).toBe('Ponte sandbox')
    expect(doc.getCreationDate()?.toISOString()).toBe('2024-05-17T16:30:00.000Z')
    expect(doc.getModificationDate()?.toISOString()).toBe('2024-05-17T16:30:00.000Z')
    // No trailer /ID: pdf-lib would make it random.
    expect(Buffer.from(bytes).toString('latin1')).not.toMatch(/\/ID\s*\[/)
  })

  it('gives byte-identical documents on two builds', async () => {
    const first = await buildPdf(certificate())
    const second = await buildPdf(certificate())
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true)
  })

  it('refuses an issue time it cannot read', async () => {
    await expect(buildPdf({ ...certificate(1), issuedAt: 'yesterday' })).rejects.toThrow(/ISO 8601/)
  })

  it.skipIf(!poppler)('renders page 1 with pdftoppm and reads back its text, accents and Ñ included, with pdftotext', async () => {
    const bytes = await buildPdf(certificate())
    const { width, height } = await renderFirstPage(bytes)
    // US Letter at 50 dpi.
    expect(width).toBe(425)
    expect(height).toBe(550)
    const text = await pdfText(bytes)
    expect(text).toContain('SERVICIO DE ADMINISTRACIÓN TRIBUTARIA')
    expect(text).toContain('Constancia de Situación Fiscal')
    expect(text).toContain('JOSÉ ÑANDÚ')
    expect(text).toContain('?ódz ? café ¿sí? ¡no!')
    expect(text).toContain('PEMJ850101AB1')
    expect(text).toContain('Folio: 24050000123456')
    expect(text).toMatch(/Página 1 de \d+/)
    expect(text).toContain('número 80')
    expect(text).toContain('Segunda línea.')
    expect(text).toContain('PÉREZ MUÑOZ')
    // The table's header is repeated on the pages it continues on.
    expect(text.split('Actividad Económica').length - 1).toBeGreaterThan(2)
  })
})
