import Fastify from 'fastify'

/**
 * The ceiling of an "enrich your own data" endpoint on this machine: Fastify parses the same body
 * Ponte gets (20,000 transactions) and answers each transaction back with empty enrichment fields,
 * serialized per request. No validation, no method, no logging: what any such endpoint pays in
 * JSON and HTTP before doing its own work (PERF.md's C2, JSON bytes, for a POST).
 */
const app = Fastify({ bodyLimit: 256 * 1024 * 1024 })
app.post('/echo', async (request, reply) => {
  const body = request.body as { transactions: Record<string, unknown>[] }
  const transactions = body.transactions.map((t) => ({ ...t, category: null, subcategory: null, merchant: null }))
  return reply.type('application/json').send(JSON.stringify({ transactions }))
})
const url = await app.listen({ port: 0, host: '127.0.0.1' })
console.log(`LISTENING ${url}`)
process.on('SIGTERM', () => app.close().then(() => process.exit(0)))
