/**
 * JSON text kept in pieces: strings, UTF-8 bytes already encoded, and lists of them. A list page
 * embeds the same few account objects in every row; held as bytes, each is encoded once per page
 * (or once per process) and copied per row, where one large string would be flattened, scanned
 * for its byte length and encoded whole on every request (a fifth of a page's CPU time).
 */
export type JsonText = string | Buffer | readonly JsonText[]

/** The pieces as one string (a detail answer, or text to parse for `fields`/`omit`). */
export function jsonString(text: JsonText): string {
  if (typeof text === 'string') return text
  if (Buffer.isBuffer(text)) return text.toString('utf8')
  return text.map(jsonString).join('')
}

/** The pieces encoded as UTF-8 into one buffer. */
export function encodeJson(text: JsonText): Buffer {
  const writer = new Utf8Writer(roughLength(text) + 1024)
  writer.write(text)
  return writer.bytes()
}

/** Bytes for ASCII text, characters for other text: close to the encoded size of mostly-ASCII JSON. */
function roughLength(text: JsonText): number {
  if (typeof text === 'string' || Buffer.isBuffer(text)) return text.length
  let n = 0
  for (const piece of text) n += roughLength(piece)
  return n
}

class Utf8Writer {
  private buffer: Buffer
  private length = 0

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(capacity)
  }

  write(text: JsonText): void {
    if (typeof text === 'string') {
      // A UTF-16 code unit takes at most 3 bytes; only near the end is the exact size worth a scan.
      if (this.buffer.length - this.length < text.length * 3) this.reserve(Buffer.byteLength(text))
      this.length += this.buffer.write(text, this.length, 'utf8')
    } else if (Buffer.isBuffer(text)) {
      this.reserve(text.length)
      this.length += text.copy(this.buffer, this.length)
    } else {
      for (const piece of text) this.write(piece)
    }
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length)
  }

  private reserve(bytes: number): void {
    if (this.buffer.length - this.length >= bytes) return
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes))
    this.buffer.copy(grown, 0, 0, this.length)
    this.buffer = grown
  }
}
