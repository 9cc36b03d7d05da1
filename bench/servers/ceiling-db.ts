import Fastify from 'fastify'
import { openDb } from '../../src/store/db.ts'

/**
 * PERF.md ceilings measured on this run's own data: C12 (HTTP + DB first page: the raw query,
 * JSON.stringify of the rows) and C2 (JSON bytes out: a static 1000-item page serialized per
 * request).
 */
const db = await openDb({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.PONTE_DATA_DIR ? `${process.env.PONTE_DATA_DIR}/db` : undefined, poolSize: 10 })
const linkId = process.env.BENCH_LINK!
const firstPage = 'SELECT * FROM transactions WHERE link_id = $1 ORDER BY value_date DESC, id LIMIT 100'
const staticPage = {
  count: 1000, next: null, previous: null,
  results: (await db.query<{ json: string }>(
    `SELECT ('{"id":"' || t.id || '","account":' || a.body || ',' || substr(t.body, 2)) AS json
     FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE t.link_id = $1 ORDER BY t.value_date DESC, t.id LIMIT 1000`, [linkId],
  )).map((r) => JSON.parse(r.json)),
}
const app = Fastify()
app.get('/db/tx', async () => db.query(firstPage, [linkId]))
app.get('/static/1000', async (_request, reply) => reply.type('application/json').send(JSON.stringify(staticPage)))
const url = await app.listen({ port: 0, host: '127.0.0.1' })
console.log(`LISTENING ${url}`)
process.on('SIGTERM', () => app.close().then(() => db.close()).then(() => process.exit(0)))
