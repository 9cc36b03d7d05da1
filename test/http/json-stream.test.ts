import Fastify from 'fastify'
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

  it('fails the answer visibly when an item cannot be written after the status was sent: never a shorter list that parses', async () => {
    const app = Fastify({ logger: false })
    app.get('/items', (_request, reply) => {
      const items = Array.from({ length: 300 }, (_, i) => item(i))
      return reply.type('application/json').send(
        jsonListStream('transactions', items, 4, (it, i) => {
          if (i === 150) throw new Error('a bug while writing item 150')
          return it
        }),
      )
    })
    app.get('/ok', () => ({ ok: true }))
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    try {
      const response = await fetch(`${url}/items`)
      expect(response.status).toBe(200)
      // The connection is cut before the end of the chunked body: the client's read fails.
      await expect(response.text()).rejects.toThrow()
      // The server goes on answering.
      expect(await (await fetch(`${url}/ok`)).json()).toEqual({ ok: true })
    } finally {
      await app.close()
    }
  })
})
