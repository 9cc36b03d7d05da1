import Fastify from 'fastify'
import { openDb } from '../../src/store/db.ts'
import { CEILING_FIRST_PAGE, CEILING_LINKS, CEILING_SINCE } from '../ceilings.ts'

/**
 * PERF.md's end-to-end ceilings, measured in this run: C12 (its `server_db.js`: the first page of
 * the 1M-row query set of bench/ceilings.ts, the links taken in turn, the rows as they come in
 * Belvo's envelope) and C2 (JSON bytes out: a static page of 1000 of Ponte's transactions,
 * serialized per request).
 */
const db = await openDb({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: process.env.PONTE_DATA_DIR ? `${process.env.PONTE_DATA_DIR}/db` : undefined,
  poolSize: 10,
})
const linkId = process.env.BENCH_LINK!
const staticPage = {
  count: 1000,
  next: null,
  previous: null,
  results: (
    await db.query<{ json: string }>(
      `SELECT ('{"id":"' || t.id || '","account":' || a.body || ',' || substr(t.body, 2)) AS json
     FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE t.link_id = $1 ORDER BY t.value_date DESC, t.id LIMIT 1000`,
      [linkId],
    )
  ).map((r) => JSON.parse(r.json)),
}
const app = Fastify()
let turn = 0
app.get('/db/tx', async () => {
  const results = await db.query(CEILING_FIRST_PAGE, [CEILING_LINKS[turn++ % CEILING_LINKS.length], CEILING_SINCE])
  return { count: results.length, next: null, previous: null, results }
})
app.get('/static/1000', async (_request, reply) => reply.type('application/json').send(JSON.stringify(staticPage)))
const url = await app.listen({ port: 0, host: '127.0.0.1' })
console.log(`LISTENING ${url}`)
process.on('SIGTERM', () =>
  app
    .close()
    .then(() => db.close())
    .then(() => process.exit(0)),
)
