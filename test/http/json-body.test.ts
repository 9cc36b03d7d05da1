import { isAscii } from 'node:buffer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asciiJsonText } from '../../src/http/plugins/json-body.ts'
import { eyodTransaction } from '../helpers/enrich.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'

/** Text with characters of every UTF-8 length, placed to straddle the 1 KB blocks asciiJsonText reads. */
function bodyOf(descriptions: string[]): string {
  return JSON.stringify({ language: 'pt', transactions: descriptions.map((description, i) => ({ id: `tx-${i}`, description })) })
}
const ACCENTED = ['Pão de Açúcar', 'CRÉDITO SALÁRIO', 'Ñandú ü', '€ 12,50', '😀 pago', 'ﬁ ligature', '中文', 'a\u2028b', '\u00ff\u0100']

describe('asciiJsonText', () => {
  it('writes any JSON text as ASCII that parses to the same value', () => {
    const texts = [
      '{"a":1}',
      bodyOf(ACCENTED),
      // Multi-byte characters at every offset around the block boundaries.
      ...[1020, 1021, 1022, 1023, 1024, 1025].map((pad) => bodyOf(['x'.repeat(pad - 40), ...ACCENTED, 'y'.repeat(3000), ...ACCENTED])),
      bodyOf(Array.from({ length: 400 }, (_, i) => `${ACCENTED[i % ACCENTED.length]} ${i}`)),
      // The sender's own escapes and escaped backslashes stay as they are.
      '{"a":"caf\\u00e9 \\\\ \\" \\n","b":"é\\\\"}',
    ]
    for (const text of texts) {
      const bytes = Buffer.from(text)
      const ascii = asciiJsonText(bytes)
      expect(ascii).toBeDefined()
      expect(isAscii(Buffer.from(ascii!, 'latin1'))).toBe(true)
      expect(JSON.parse(ascii!)).toEqual(JSON.parse(text))
    }
  })

  it('reads bytes that are not UTF-8 as the replacement character, as decoding the whole body does', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"x'), Buffer.from([0xff, 0xc3]), Buffer.from('y","b":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')])
    expect(JSON.parse(asciiJsonText(bytes)!)).toEqual(JSON.parse(bytes.toString('utf8')))
  })

  it('gives up on a backslash before a character beyond ASCII, which its escape would turn into valid JSON', () => {
    expect(asciiJsonText(Buffer.from('{"a":"\\é"}'))).toBeUndefined()
    // Also when the backslash ends the block before.
    expect(asciiJsonText(Buffer.from(`{"a":"${'x'.repeat(1024 - 7)}\\é"}`))).toBeUndefined()
  })
})

describe('JSON bodies over HTTP', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())

  const post = (payload: string | Buffer) =>
    h.app.inject({ method: 'POST', url: '/api/categorization/', headers: { authorization: h.auth, 'content-type': 'application/json' }, payload })

  const transaction = (i: number, description: string) => eyodTransaction(i, { description, currency: 'BRL', institution: 'Itaú' })

  it('answers every character of a large body as sent', async () => {
    const descriptions = Array.from({ length: 300 }, (_, i) => `${ACCENTED[i % ACCENTED.length]} ${'z'.repeat(i % 50)}`)
    const res = await post(JSON.stringify({ language: 'pt', transactions: descriptions.map((d, i) => transaction(i, d)) }))
    expect(res.statusCode).toBe(200)
    const out = res.json().transactions as { description: string; institution: string }[]
    expect(out.map((t) => t.description)).toEqual(descriptions)
    expect(out[0].institution).toBe('Itaú')
  })

  it('refuses malformed JSON holding accents as it refuses any other', async () => {
    const plain = await post(`{"language":"pt","transactions":[${JSON.stringify(transaction(0, 'Pao'))},]}`)
    const accented = await post(`{"language":"pt","transactions":[${JSON.stringify(transaction(0, 'Pão de Açúcar'))},]}`)
    expect(plain.statusCode).toBe(400)
    expect(accented.statusCode).toBe(400)
    expect(accented.json()[0]).toMatchObject({ code: 'parse_error', message: plain.json()[0].message })
  })

  it('refuses a backslash before an accented character as malformed JSON', async () => {
    const res = await post(`{"language":"pt","transactions":[${JSON.stringify(transaction(0, 'x')).replace('"x"', '"\\é"')}]}`)
    expect(res.statusCode).toBe(400)
    expect(res.json()[0]).toMatchObject({ code: 'parse_error' })
  })

  it('still refuses a NUL the sender escaped, and takes an emoji sent as bytes next to an escape of its own', async () => {
    const nul = await post(JSON.stringify({ language: 'pt', transactions: [transaction(0, 'Açúcar')] }).replace('Açúcar', 'Açúcar\\u0000'))
    expect(nul.statusCode).toBe(400)
    expect(nul.json()[0]).toMatchObject({ code: 'invalid', message: 'Invalid value: Null characters are not allowed.' })
    const emoji = await post(JSON.stringify({ language: 'pt', transactions: [transaction(0, '😀 Açúcar')] }).replace('Açúcar', '\\u0041çúcar'))
    expect(emoji.statusCode).toBe(200)
    expect(emoji.json().transactions[0].description).toBe('😀 Açúcar')
  })
})
