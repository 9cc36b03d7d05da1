import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib'

/**
 * The sandbox's official documents as real PDFs (the SAT's constancia de situación fiscal and
 * compliance opinion, tax returns, the IMSS report of weeks contributed): a title block with the
 * issuer, headings, label/value rows, tables that wrap and break across pages, and a footer with
 * the folio and the page number on every page.
 *
 * Deterministic like the rest of the sandbox: the same spec gives the same bytes. pdf-lib would
 * stamp the current time and its own name into the metadata unless `updateMetadata` is false, so
 * the caller passes the document's own issue time and the producer is fixed; pdf-lib 1.17 writes
 * no trailer /ID for a new document, and the suffixes it gives resource names (`F1-…`) come from
 * a generator seeded per document, not from Math.random.
 *
 * The text uses the standard fonts (Helvetica, Courier), which need no embedding and cover
 * WinAnsi: Spanish accents, Ñ, ¿ and ¡ print as they are; a character outside WinAnsi is printed
 * without its accent when it has one, else as '?', instead of making pdf-lib throw.
 */

export interface PdfColumn {
  header: string
  /** The column's share of the table's width (the shares are normalized). */
  width: number
  align?: 'left' | 'right'
}

export type PdfBlock =
  /** A section title, in bold on a shaded band. */
  | { kind: 'heading'; text: string }
  /** Running text, wrapped; lines split at '\n'. */
  | { kind: 'paragraph'; text: string; bold?: boolean; size?: number }
  /** Label and value pairs, the label in bold on the left. */
  | { kind: 'fields'; rows: readonly (readonly [label: string, value: string])[] }
  /** A table with a header row, repeated on every page it spans; cells wrap. */
  | { kind: 'table'; columns: readonly PdfColumn[]; rows: readonly (readonly string[])[] }

export interface PdfDocumentSpec {
  /** The document's name, printed under the title block and stored as its Title. */
  title: string
  /** The title block, centered: the issuer first ("SERVICIO DE ADMINISTRACIÓN TRIBUTARIA"), then its dependencies. */
  issuer: readonly string[]
  subject?: string
  keywords?: readonly string[]
  /** When the document was issued: its CreationDate and ModDate (ISO 8601 with zone, '2024-05-17T10:30:00-06:00'). */
  issuedAt: string
  /** The document's folio, printed in every page's footer. */
  folio: string
  /** The "cadena original" of the document's seal, printed in small type after the content. */
  chain?: string
  blocks: readonly PdfBlock[]
}

const PAGE_WIDTH = 612 // US Letter, as the SAT and the IMSS print.
const PAGE_HEIGHT = 792
const MARGIN = 48
const FOOTER_SPACE = 56
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
const TEXT_SIZE = 9
const LINE_GAP = 1.3
const CELL_PADDING = 3
const INK = rgb(0.1, 0.1, 0.1)
const ACCENT = rgb(0.38, 0.07, 0.17) // The burgundy of Mexico's government documents.
const BAND = rgb(0.92, 0.9, 0.9)
const RULE = rgb(0.6, 0.6, 0.6)
const PRODUCER = 'Ponte sandbox'

/** Code points every standard font with WinAnsi encoding can draw (Helvetica, Courier and their bold faces share them). */
let winAnsi: Set<number> | null = null

/**
 * The text as a standard font can draw it: WinAnsi characters as they are, tabs and odd spaces as
 * spaces, others without their diacritics (decomposed, combining marks dropped) or as '?'.
 */
export function pdfSafeText(text: string, font: PDFFont): string {
  winAnsi ??= new Set(font.getCharacterSet())
  const charset = winAnsi
  let out = ''
  for (const char of text) {
    const code = char.codePointAt(0) as number
    if (charset.has(code)) out += char
    else if (/\s/u.test(char)) out += ' '
    else {
      const plain = char.normalize('NFD').replace(/\p{M}/gu, '')
      out += plain && [...plain].every((c) => charset.has(c.codePointAt(0) as number)) ? plain : '?'
    }
  }
  return out
}

/** Lines of at most `width` points: words kept whole where they fit, a word longer than a line cut where it must be. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = []
  for (const paragraph of pdfSafeText(text.replace(/\r\n?/g, '\n'), font).split('\n')) {
    let line = ''
    for (const word of paragraph.split(' ')) {
      const candidate = line ? `${line} ${word}` : word
      if (font.widthOfTextAtSize(candidate, size) <= width) {
        line = candidate
        continue
      }
      if (line) lines.push(line)
      line = ''
      let rest = word
      while (font.widthOfTextAtSize(rest, size) > width) {
        let cut = rest.length - 1
        while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--
        lines.push(rest.slice(0, cut))
        rest = rest.slice(cut)
      }
      line = rest
    }
    lines.push(line)
  }
  return lines
}

interface Fonts {
  regular: PDFFont
  bold: PDFFont
  mono: PDFFont
}

/** Lays the blocks out top to bottom, opening a page when the next line or row does not fit. */
class Layout {
  page!: PDFPage
  y = 0
  readonly pages: PDFPage[] = []

  constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: Fonts,
  ) {
    this.newPage()
  }

  newPage(): void {
    this.page = this.doc.addPage([PAGE_WIDTH, PAGE_HEIGHT])
    this.pages.push(this.page)
    this.y = PAGE_HEIGHT - MARGIN
  }

  /** Makes room for `height` points, on a new page if this one has not got them. */
  ensure(height: number): boolean {
    if (this.y - height >= FOOTER_SPACE) return false
    this.newPage()
    return true
  }

  text(line: string, x: number, font: PDFFont, size: number, color = INK): void {
    this.page.drawText(line, { x, y: this.y - size, size, font, color })
  }

  centered(text: string, font: PDFFont, size: number, color = INK): void {
    for (const line of wrap(text, font, size, CONTENT_WIDTH)) {
      this.ensure(size * LINE_GAP)
      this.text(line, MARGIN + (CONTENT_WIDTH - font.widthOfTextAtSize(line, size)) / 2, font, size, color)
      this.y -= size * LINE_GAP
    }
  }

  rule(thickness = 0.75, color = RULE): void {
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: PAGE_WIDTH - MARGIN, y: this.y }, thickness, color })
  }

  titleBlock(spec: PdfDocumentSpec): void {
    spec.issuer.forEach((line, i) => this.centered(line, this.fonts.bold, i === 0 ? 12 : 9, i === 0 ? ACCENT : INK))
    this.y -= 6
    this.centered(spec.title, this.fonts.bold, 14)
    this.y -= 4
    this.rule(1.5, ACCENT)
    this.y -= 10
  }

  heading(text: string): void {
    const size = 10
    const height = size * LINE_GAP + 2 * CELL_PADDING
    // A heading never ends a page: it keeps two rows of what follows (a table's header and first row).
    this.ensure(height + 2 * (TEXT_SIZE * LINE_GAP + 2 * CELL_PADDING) + 8)
    this.y -= 4
    this.page.drawRectangle({ x: MARGIN, y: this.y - height, width: CONTENT_WIDTH, height, color: BAND })
    this.y -= CELL_PADDING
    this.text(pdfSafeText(text, this.fonts.bold), MARGIN + CELL_PADDING, this.fonts.bold, size, ACCENT)
    this.y -= size * LINE_GAP + CELL_PADDING + 4
  }

  paragraph(text: string, font: PDFFont, size: number): void {
    for (const line of wrap(text, font, size, CONTENT_WIDTH)) {
      this.ensure(size * LINE_GAP)
      this.text(line, MARGIN, font, size)
      this.y -= size * LINE_GAP
    }
    this.y -= 4
  }

  /** How tall a row of wrapped cells is. */
  rowHeight(cells: readonly string[], widths: readonly number[], font: PDFFont): number {
    const lines = cells.map((cell, i) => wrap(cell, font, TEXT_SIZE, widths[i] - 2 * CELL_PADDING).length)
    return Math.max(1, ...lines) * TEXT_SIZE * LINE_GAP + 2 * CELL_PADDING
  }

  /** A row of wrapped cells, on the current page (the caller has made room for it). */
  row(cells: readonly string[], xs: readonly number[], widths: readonly number[], font: PDFFont, align: readonly ('left' | 'right')[], shade: boolean): void {
    const height = this.rowHeight(cells, widths, font)
    if (shade) this.page.drawRectangle({ x: MARGIN, y: this.y - height, width: CONTENT_WIDTH, height, color: BAND })
    cells.forEach((cell, i) => {
      wrap(cell, font, TEXT_SIZE, widths[i] - 2 * CELL_PADDING).forEach((line, n) => {
        const x = align[i] === 'right' ? xs[i] + widths[i] - CELL_PADDING - font.widthOfTextAtSize(line, TEXT_SIZE) : xs[i] + CELL_PADDING
        this.page.drawText(line, { x, y: this.y - CELL_PADDING - (n + 1) * TEXT_SIZE * LINE_GAP + 2, size: TEXT_SIZE, font, color: INK })
      })
    })
    this.y -= height
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: PAGE_WIDTH - MARGIN, y: this.y }, thickness: 0.25, color: RULE })
  }

  fields(rows: readonly (readonly [string, string])[]): void {
    const widths = [CONTENT_WIDTH * 0.36, CONTENT_WIDTH * 0.64]
    const xs = [MARGIN, MARGIN + widths[0]]
    for (const [label, value] of rows) {
      // Label in bold, value in regular: two single-cell rows side by side, as tall as the taller.
      const labelLines = wrap(label, this.fonts.bold, TEXT_SIZE, widths[0] - 2 * CELL_PADDING)
      const valueLines = wrap(value, this.fonts.regular, TEXT_SIZE, widths[1] - 2 * CELL_PADDING)
      const height = Math.max(labelLines.length, valueLines.length) * TEXT_SIZE * LINE_GAP + 2 * CELL_PADDING
      this.ensure(height)
      const draw = (lines: string[], x: number, font: PDFFont) =>
        lines.forEach((line, n) =>
          this.page.drawText(line, { x: x + CELL_PADDING, y: this.y - CELL_PADDING - (n + 1) * TEXT_SIZE * LINE_GAP + 2, size: TEXT_SIZE, font, color: INK }),
        )
      draw(labelLines, xs[0], this.fonts.bold)
      draw(valueLines, xs[1], this.fonts.regular)
      this.y -= height
    }
    this.y -= 6
  }

  table(columns: readonly PdfColumn[], rows: readonly (readonly string[])[]): void {
    const total = columns.reduce((sum, c) => sum + c.width, 0)
    const widths = columns.map((c) => (CONTENT_WIDTH * c.width) / total)
    const xs = widths.map((_, i) => MARGIN + widths.slice(0, i).reduce((sum, w) => sum + w, 0))
    const align = columns.map((c) => c.align ?? 'left')
    const headers = columns.map((c) => c.header)
    const headerHeight = this.rowHeight(headers, widths, this.fonts.bold)
    rows.forEach((cells, i) => {
      const height = this.rowHeight(cells, widths, this.fonts.regular)
      // The header goes above the first row and above the first row of every page the table spans.
      if (this.ensure(headerHeight + height) || i === 0) this.row(headers, xs, widths, this.fonts.bold, align, true)
      this.row(cells, xs, widths, this.fonts.regular, align, false)
    })
    if (rows.length === 0) {
      this.ensure(headerHeight)
      this.row(headers, xs, widths, this.fonts.bold, align, true)
    }
    this.y -= 8
  }

  footers(spec: PdfDocumentSpec): void {
    const size = 7
    const folio = pdfSafeText(`Folio: ${spec.folio}`, this.fonts.regular)
    this.pages.forEach((page, i) => {
      page.drawLine({ start: { x: MARGIN, y: FOOTER_SPACE - 14 }, end: { x: PAGE_WIDTH - MARGIN, y: FOOTER_SPACE - 14 }, thickness: 0.5, color: RULE })
      page.drawText(folio, { x: MARGIN, y: FOOTER_SPACE - 26, size, font: this.fonts.regular, color: INK })
      const number = `Página ${i + 1} de ${this.pages.length}`
      const width = this.fonts.regular.widthOfTextAtSize(number, size)
      page.drawText(number, { x: PAGE_WIDTH - MARGIN - width, y: FOOTER_SPACE - 26, size, font: this.fonts.regular, color: INK })
    })
  }
}

/** The document's bytes (callers base64 them for Belvo's `pdf` fields). The same spec gives the same bytes. */
export async function buildPdf(spec: PdfDocumentSpec): Promise<Uint8Array> {
  const issuedAt = new Date(spec.issuedAt)
  if (Number.isNaN(issuedAt.getTime())) throw new Error(`A PDF needs its issue time as ISO 8601, not ${spec.issuedAt}`)
  const doc = await PDFDocument.create({ updateMetadata: false })
  doc.setTitle(spec.title)
  doc.setAuthor(spec.issuer[0] ?? PRODUCER)
  if (spec.subject) doc.setSubject(spec.subject)
  if (spec.keywords?.length) doc.setKeywords([...spec.keywords])
  doc.setProducer(PRODUCER)
  doc.setCreator(PRODUCER)
  doc.setLanguage('es-MX')
  doc.setCreationDate(issuedAt)
  doc.setModificationDate(issuedAt)
  const fonts: Fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
    mono: await doc.embedFont(StandardFonts.Courier),
  }
  const layout = new Layout(doc, fonts)
  layout.titleBlock(spec)
  for (const block of spec.blocks) {
    switch (block.kind) {
      case 'heading':
        layout.heading(block.text)
        break
      case 'paragraph':
        layout.paragraph(block.text, block.bold ? fonts.bold : fonts.regular, block.size ?? TEXT_SIZE)
        break
      case 'fields':
        layout.fields(block.rows)
        break
      case 'table':
        layout.table(block.columns, block.rows)
        break
    }
  }
  if (spec.chain) {
    layout.heading('Cadena original')
    layout.paragraph(spec.chain, fonts.mono, 6.5)
  }
  layout.footers(spec)
  return doc.save()
}
