import { isAscii } from 'node:buffer'

/**
 * The text of a JSON body as an ASCII string, every character beyond ASCII written as the `\uXXXX`
 * escape that JSON.parse turns back into it: the same values, from text V8 holds one byte per
 * character. Decoded whole, a body with a single accented character becomes a two-byte string,
 * twice its size in fresh memory, and fresh memory is what costs on a virtual machine (a page
 * fault takes about 13 µs on these: 7 MB of new pages, 20 ms). Decoding and parsing the 7 MB body
 * of bench/enrichment.ts (a few accents per hundred transactions) took 49 to 59 ms so, against
 * 67 to 96 ms decoded whole, with half the page faults.
 *
 * Only the 1 KB blocks that hold non-ASCII bytes are decoded and escaped; the rest is copied as
 * bytes. `undefined` when the text cannot be written so without changing its meaning: a backslash
 * right before a non-ASCII character (invalid JSON, which an escape after the backslash would make
 * valid); the caller then decodes the body as it is.
 */
export function asciiJsonText(bytes: Buffer): string | undefined {
  if (isAscii(bytes)) return bytes.toString('latin1')
  const parts: Buffer[] = []
  let copiedUpTo = 0
  for (let at = 0; at < bytes.length;) {
    let end = Math.min(at + BLOCK_BYTES, bytes.length)
    // A block never ends inside a character: its continuation bytes (10xxxxxx) stay with it.
    while (end < bytes.length && (bytes[end] & 0xc0) === 0x80) end++
    const block = bytes.subarray(at, end)
    if (!isAscii(block)) {
      if (at > 0 && bytes[at - 1] === BACKSLASH && bytes[at] >= 0x80) return undefined
      const text = block.toString('utf8')
      if (BACKSLASH_BEFORE_NON_ASCII.test(text)) return undefined
      if (copiedUpTo < at) parts.push(bytes.subarray(copiedUpTo, at))
      parts.push(Buffer.from(text.replace(NON_ASCII, escape), 'latin1'))
      copiedUpTo = end
    }
    at = end
  }
  if (copiedUpTo < bytes.length) parts.push(bytes.subarray(copiedUpTo))
  return Buffer.concat(parts).toString('latin1')
}

const BLOCK_BYTES = 1024
const BACKSLASH = 0x5c
const NON_ASCII = /[\u0080-\uffff]/g
const BACKSLASH_BEFORE_NON_ASCII = /\\[\u0080-\uffff]/

/** One UTF-16 code unit as a JSON escape (a character beyond U+FFFF is two: its surrogate pair). */
const escape = (character: string): string => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`
