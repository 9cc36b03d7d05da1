import Fastify from 'fastify'

/**
 * The ceiling of an "enrich your own data" endpoint on this machine: Fastify parses the same body
 * Ponte gets (20,000 transactions) and answers each transaction back with enrichment fields of the
 * shape and about the size Ponte's categorization writes (category, subcategory, merchant,
 * confidence, rule: a constant, no method), serialized per request with JSON.stringify and sent
 * as a string. No validation, no method, no logging: what any such endpoint pays in JSON and HTTP
 * before doing its own work (PERF.md's C2, JSON bytes, for a POST). Compare the bytes out of each
 * row of the bench: the ceiling answers about as many as Ponte's categorization.
 */
const app = Fastify({ bodyLimit: 256 * 1024 * 1024 })
const merchant = { logo: 'https://cdn.ponte.example/logos/merchant.png', website: 'https://www.merchant.example', merchant_name: 'Merchant' }
app.post('/echo', async (request, reply) => {
  const body = request.body as { transactions: Record<string, unknown>[] }
  const transactions = body.transactions.map((t) => ({
    ...t,
    mcc: t.mcc ?? null,
    category: 'Online Platforms & Leisure',
    subcategory: 'Entertainment',
    merchant,
    confidence: 0.95,
    rule: 'merchant:merchant',
  }))
  return reply.type('application/json').send(JSON.stringify({ transactions }))
})
const url = await app.listen({ port: 0, host: '127.0.0.1' })
console.log(`LISTENING ${url}`)
process.on('SIGTERM', () => app.close().then(() => process.exit(0)))
