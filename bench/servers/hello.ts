import Fastify from 'fastify'

// PERF.md ceiling C1: Fastify returning {"hello":"world"}, nothing else.
const app = Fastify()
app.get('/hello', async () => ({ hello: 'world' }))
const url = await app.listen({ port: 0, host: '127.0.0.1' })
console.log(`LISTENING ${url}`)
process.on('SIGTERM', () => app.close().then(() => process.exit(0)))
