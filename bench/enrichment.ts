import { readFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import { COUNTRIES, generateSet, type EyodTransaction } from '../eval/enrichment/generate.ts'
import { fmt, report, startPonte, startServer } from './lib.ts'

/**
 * The "enrich your own data" endpoints answering 20,000 transactions of 12 months over real HTTP
 * (issue 14: under 200 ms on this machine):
 *   POST /api/categorization/, /api/enrich/recurring-expenses/ (all transactions) and
 *   /api/enrich/incomes/ (its body takes inflows of checking and savings accounts only, as Belvo's
 *   EyodIncomeVerificationBodyRequest says: 20,000 of those),
 * one request at a time (latency, not throughput), median and p95 of BENCH_REQUESTS (default 20)
 * after 3 warm-up requests. The ceiling, measured in the same run, is a bare Fastify server that
 * parses the same body and answers every transaction back (bench/servers/eyod-ceiling.ts): the
 * JSON and HTTP cost any such endpoint pays. Ratio = ceiling median / Ponte median (1 = as fast as
 * the ceiling). Never fails on a number.
 *
 * The transactions come from the evaluation set's generator (eval/enrichment/generate.ts), the
 * last 12 months of its people, repeated under new ids until there are 20,000.
 */
const COUNT = Number(process.env.BENCH_TRANSACTIONS ?? 20_000)
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20)
const TARGET_MS = 200
const FROM = '2025-12-01'

function body(filter: (t: EyodTransaction) => boolean): { language: string; transactions: EyodTransaction[] } {
  const pool = COUNTRIES.flatMap((c) => generateSet(c).people.flatMap((p) => p.transactions)).filter((t) => t.value_date >= FROM && filter(t))
  const transactions: EyodTransaction[] = []
  for (let round = 0; transactions.length < COUNT; round++) {
    for (const t of pool) {
      if (transactions.length >= COUNT) break
      if (round === 0) transactions.push(t)
      else {
        // Another person with the same habits: new ids, a new holder.
        const suffix = `-R${round}`
        const holder = `${t.account_holder_id.slice(0, 24)}${String(round).padStart(4, '0')}${t.account_holder_id.slice(28)}`
        transactions.push({ ...t, transaction_id: t.transaction_id + suffix, account_id: t.account_id + suffix, account_holder_id: holder })
      }
    }
  }
  return { language: 'es', transactions }
}

/**
 * CPU time (user + system, all threads) the server process has used so far, in ms, from Linux's
 * /proc (NaN elsewhere): per request, it says what the server spends whatever else loads the
 * machine, where wall-clock medians of a shared machine move by several times.
 */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return NaN
  }
}

interface Latency {
  status: number
  median: number
  p95: number
  /** Server CPU per measured request, ms. */
  cpu: number
  bytesIn: number
  bytesOut: number
  error?: string
}

/** One keep-alive connection per measured server, as a client sending one request at a time holds. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })

/**
 * One request over node:http, the body encoded once beforehand and the answer read as bytes (as
 * autocannon does): the time is the server's answer, not the client's encoding and decoding of
 * megabytes of text. Measured with fetch and `text()` instead, the client's own work on the same
 * two cores added 50 to 80 ms to every figure, the ceiling's as much as Ponte's.
 */
function post(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers } },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes: Buffer.concat(chunks) }))
        response.on('error', reject)
      },
    )
    request.on('error', reject)
    request.end(body)
  })
}

async function latency(url: string, payload: Buffer, headers: Record<string, string>, pid?: number): Promise<Latency> {
  const send = async () => {
    const started = performance.now()
    const response = await post(url, payload, headers)
    return { ms: performance.now() - started, status: response.status, bytes: response.bytes }
  }
  // The first answer is read whole: a 200 that is not complete JSON is an error, not a figure.
  const first = await send()
  const problem = first.status !== 200 ? first.bytes.toString('utf8').slice(0, 300) : incompleteJson(first.bytes)
  if (problem) return { status: first.status, median: NaN, p95: NaN, cpu: NaN, bytesIn: payload.length, bytesOut: first.bytes.length, error: problem }
  for (let i = 0; i < 2; i++) await send()
  const times: number[] = []
  let bytesOut = 0
  const cpuBefore = cpuMs(pid)
  for (let i = 0; i < REQUESTS; i++) {
    const r = await send()
    times.push(r.ms)
    bytesOut = r.bytes.length
  }
  const cpu = (cpuMs(pid) - cpuBefore) / REQUESTS
  times.sort((a, b) => a - b)
  return {
    status: 200,
    cpu,
    median: times[Math.floor((times.length - 1) / 2)],
    p95: times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)],
    bytesIn: payload.length,
    bytesOut,
  }
}

/** Why an answer is not the JSON it claims to be, if it is not. */
function incompleteJson(bytes: Buffer): string | undefined {
  try {
    JSON.parse(bytes.toString('utf8'))
    return undefined
  } catch (error) {
    return `the answer is not complete JSON (${bytes.length} bytes): ${(error as Error).message.slice(0, 200)}`
  }
}

const all = JSON.stringify(body(() => true))
const inflows = JSON.stringify(body((t) => t.type === 'INFLOW' && t.account_category !== 'CREDIT_CARD' && t.account_category !== 'LOAN_ACCOUNT'))
const allBytes = Buffer.from(all)
const inflowBytes = Buffer.from(inflows)

/** The methods alone, in this process, on the same 20,000 transactions: where the time goes. */
async function inProcess(): Promise<Record<string, string | number>[]> {
  const load = async (file: string, name: string) => {
    try {
      const module = (await import(new URL(`../src/domain/enrichment/${file}`, import.meta.url).href)) as Record<string, unknown>
      return typeof module[name] === 'function' ? (module[name] as (...args: unknown[]) => unknown) : null
    } catch {
      return null
    }
  }
  const fromEyod = await load('adapters.ts', 'fromEyodTransactions')
  if (!fromEyod) return [{ case: 'methods in process', status: 'adapters.ts missing' }]
  const txs = fromEyod((JSON.parse(all) as { transactions: EyodTransaction[] }).transactions) as { id: string }[]
  const methods: [string, string, (fn: (...args: unknown[]) => unknown) => unknown][] = [
    ['categorize.ts', 'categorize', (fn) => txs.map((tx) => fn(tx, {}))],
    ['incomes.ts', 'findIncomeStreams', (fn) => fn(txs, { today: '2026-12-01' })],
    ['recurring.ts', 'findRecurringExpenses', (fn) => fn(txs, { today: '2026-12-01' })],
  ]
  const rows: Record<string, string | number>[] = []
  for (const [file, name, run] of methods) {
    const fn = await load(file, name)
    if (!fn) {
      rows.push({ case: `${name} in process`, status: 'missing' })
      continue
    }
    const times: number[] = []
    for (let i = 0; i < 7; i++) {
      const started = performance.now()
      run(fn)
      times.push(performance.now() - started)
    }
    times.sort((a, b) => a - b)
    rows.push({ case: `${name} in process (no HTTP)`, status: '-', 'median ms': fmt(times[3], 1), 'p95 ms': fmt(times[6], 1) })
  }
  return rows
}

const methodRows = await inProcess()
const ceilingServer = await startServer('eyod-ceiling')
let ceiling: Latency
try {
  ceiling = await latency(`${ceilingServer.url}/echo`, allBytes, {}, ceilingServer.child.pid)
} finally {
  await ceilingServer.stop()
}
const ponte = await startPonte()
const rows: Record<string, string | number>[] = []
try {
  const endpoints: [string, Buffer][] = [
    ['/api/categorization/', allBytes],
    ['/api/enrich/incomes/', inflowBytes],
    ['/api/enrich/recurring-expenses/', allBytes],
  ]
  rows.push({
    case: `ceiling: parse + echo ${fmt(COUNT)} transactions`,
    status: ceiling.status,
    'median ms': fmt(ceiling.median, 1),
    'p95 ms': fmt(ceiling.p95, 1),
    'server CPU ms/req': fmt(ceiling.cpu, 0),
    'MB in/out': `${fmt(ceiling.bytesIn / 1e6, 1)}/${fmt(ceiling.bytesOut / 1e6, 1)}`,
    'median / 200 ms': '-',
    'ratio to ceiling': '1.00',
  })
  for (const [path, payload] of endpoints) {
    const r = await latency(`${ponte.url}${path}`, payload, { authorization: ponte.auth }, ponte.child.pid)
    rows.push({
      case: `POST ${path}`,
      status: r.status,
      'median ms': fmt(r.median, 1),
      'p95 ms': fmt(r.p95, 1),
      'server CPU ms/req': fmt(r.cpu, 0),
      'MB in/out': `${fmt(r.bytesIn / 1e6, 1)}/${fmt(r.bytesOut / 1e6, 1)}`,
      'median / 200 ms': Number.isNaN(r.median) ? '-' : `${fmt(r.median / TARGET_MS, 2)} ${r.median <= TARGET_MS ? 'OK' : 'ABOVE TARGET'}`,
      'ratio to ceiling': Number.isNaN(r.median) ? '-' : fmt(ceiling.median / r.median, 2),
    })
    if (r.error) console.log(`POST ${path} answered ${r.status}: ${r.error}`)
  }
} finally {
  await ponte.stop()
}
rows.push(...methodRows)
report(`EYOD endpoints, ${fmt(COUNT)} transactions of 12 months per request, one request at a time (${REQUESTS} measured)`, rows)
console.log(`target: median under ${TARGET_MS} ms (issue 14); ratio to ceiling = ceiling median / Ponte median, same run`)
console.log(
  `server CPU ms/req: the server process's CPU time (all threads, GC included) per measured request; load average now ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')}`,
)
