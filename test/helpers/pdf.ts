import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PDFDocument } from 'pdf-lib'

/**
 * What document tests need to look at a PDF as a reader would: poppler's `pdftoppm` renders a
 * page (the PDF really opens and draws) and `pdftotext` reads its text back (the values printed
 * are the JSON's). CI installs poppler-utils and sets PONTE_REQUIRE_POPPLER=1, so there a missing
 * tool fails the tests; elsewhere the tests that need it skip, saying why.
 */

const run = promisify(execFile)

function hasTool(tool: string): boolean {
  try {
    execFileSync(tool, ['-v'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Whether pdftoppm and pdftotext can run here; throws when they cannot and PONTE_REQUIRE_POPPLER=1. */
export function popplerAvailable(): boolean {
  const missing = ['pdftoppm', 'pdftotext'].filter((tool) => !hasTool(tool))
  if (missing.length === 0) return true
  const message = `${missing.join(' and ')} not found (install poppler-utils)`
  if (process.env.PONTE_REQUIRE_POPPLER === '1') throw new Error(`PONTE_REQUIRE_POPPLER=1 but ${message}`)
  console.warn(`Skipping the PDF rendering tests: ${message}.`)
  return false
}

/** Decodes a base64 `pdf` field and checks that pdf-lib parses it; returns the bytes and the page count. */
export async function parsePdf(data: Uint8Array | string): Promise<{ bytes: Uint8Array; pages: number }> {
  const bytes = typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'base64')) : data
  const doc = await PDFDocument.load(bytes, { updateMetadata: false })
  return { bytes, pages: doc.getPageCount() }
}

async function withFile<T>(bytes: Uint8Array, use: (dir: string, file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'ponte-pdf-'))
  try {
    const file = join(dir, 'document.pdf')
    await writeFile(file, bytes)
    return await use(dir, file)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** Renders page 1 at 50 dpi with pdftoppm; returns the PNG and its size in pixels (pdftoppm fails on a PDF it cannot draw). */
export async function renderFirstPage(bytes: Uint8Array): Promise<{ png: Buffer; width: number; height: number }> {
  return withFile(bytes, async (dir, file) => {
    await run('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', '-singlefile', file, join(dir, 'page')])
    const png = await readFile(join(dir, 'page.png'))
    if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('pdftoppm did not write a PNG')
    // The IHDR chunk follows the signature: width and height are its first two big-endian words.
    return { png, width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
  })
}

/**
 * The document's text as pdftotext reads it (UTF-8), whitespace runs collapsed to one space. By
 * default in reading order (a wrapped cell reads as one sentence); `layout` keeps each printed line
 * as it is on the page (a table row reads left to right, whatever pdftotext makes of its columns).
 */
export async function pdfText(bytes: Uint8Array, options: { layout?: boolean } = {}): Promise<string> {
  return withFile(bytes, async (_dir, file) => {
    const args = ['-enc', 'UTF-8', ...(options.layout ? ['-layout'] : []), file, '-']
    const { stdout } = await run('pdftotext', args, { maxBuffer: 16 * 1024 * 1024 })
    return stdout.replace(/\s+/g, ' ').trim()
  })
}
