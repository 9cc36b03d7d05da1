import { describe, expect, it } from 'vitest'
import { encodeJson, jsonString } from '../../src/lib/json-text.ts'

describe('JSON text in pieces', () => {
  const account = Buffer.from('{"name":"Cuenta Nómina","emoji":"💳"}')
  const pieces = ['{"results":[', ['{"account":', account, ',"d":"Depósito"}'], ',', ['{"account":', account, '}'], ']}']
  const expected = '{"results":[{"account":{"name":"Cuenta Nómina","emoji":"💳"},"d":"Depósito"},{"account":{"name":"Cuenta Nómina","emoji":"💳"}}]}'

  it('encodes strings and bytes, nested, as the UTF-8 of the whole text', () => {
    expect(encodeJson(pieces).toString('utf8')).toBe(expected)
    expect(encodeJson(pieces).equals(Buffer.from(expected))).toBe(true)
    expect(jsonString(pieces)).toBe(expected)
  })

  it('grows past its first estimate when the text is mostly multi-byte', () => {
    // 3,000 characters of 3 bytes each: three times the estimate the writer starts from.
    const euros = '€'.repeat(3000)
    const text = [`"${euros}`, account, euros, '"']
    const bytes = encodeJson(text)
    expect(bytes.toString('utf8')).toBe(`"${euros}${account.toString()}${euros}"`)
    expect(bytes.length).toBe(Buffer.byteLength(jsonString(text)))
  })

  it('writes an empty text as no bytes', () => {
    expect(encodeJson([]).length).toBe(0)
    expect(encodeJson('').length).toBe(0)
  })
})
