import { describe, expect, it } from 'vitest'
import { jsonListStream } from '../../src/http/plugins/json-stream.ts'

/** The streamed JSON answer of the categorization endpoint must be the same bytes JSON.stringify would give. */
async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = []
  for await (const chunk of stream) parts.push(Buffer.from(chunk))
  return Buffer.concat(parts).toString('utf8')
}

describe('jsonListStream', () => {
  const item = (i: number) => ({
    id: `t${i}`,
    description: i % 3 ? `PAGO ÑANDÚ ${i}` : 'PIX RECEBIDO – JOÃO 😀',
    amount: i + 0.5,
    merchant: i % 2 ? null : { name: 'Café' },
  })

  it.each([0, 1, 3, 4, 8, 9, 130])('writes %i items as JSON.stringify does, across chunk boundaries', async (count) => {
    const items = Array.from({ length: count }, (_, i) => item(i))
    const written = await text(jsonListStream('transactions', items, 4))
    expect(written).toBe(JSON.stringify({ transactions: items }))
  })

  it('writes what toJson makes of each item, with its index, slice by slice', async () => {
    const items = Array.from({ length: 9 }, (_, i) => item(i))
    const written = await text(jsonListStream('transactions', items, 4, (it, i) => ({ i, id: it.id })))
    expect(written).toBe(JSON.stringify({ transactions: items.map((it, i) => ({ i, id: it.id })) }))
  })

  it('escapes the key as JSON', async () => {
    expect(await text(jsonListStream('a"b', [1, 2]))).toBe('{"a\\"b":[1,2]}')
  })
})
