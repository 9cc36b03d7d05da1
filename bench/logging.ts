import { readFileSync } from 'node:fs'
import { fmt, measure, report, startPonte, startServer, type LoadResult } from './lib.ts'

/**
 * What default logging costs: `GET /api/` on a fresh Ponte with LOG_LEVEL=info (what a user gets:
 * one access line per request, written through a buffered asynchronous stdout) and with
 * LOG_LEVEL=warn (no access line), each against a bare Fastify hello-world (PERF.md C1) measured
 * in the same run. Issue 11 measured 0.35 (info, two synchronous lines per request) and 0.62 (warn)
 * of C1 before. The log file is checked too: at info it must hold one access line per request.
 */
const hello = await startServer('hello')
let ceiling: LoadResult
try {
  ceiling = await measure(`${hello.url}/hello`)
} finally {
  await hello.stop()
}

const rows: Record<string, string | number>[] = [{ case: 'Fastify hello-world (C1)', 'req/s': fmt(ceiling.requestsPerSecond), 'p50 ms': ceiling.p50, 'p99 ms': ceiling.p99, 'ratio to C1': '1.00', 'access lines': '-' }]
const perLevel: Record<string, number> = {}
for (const level of ['info', 'warn']) {
  const ponte = await startPonte({ LOG_LEVEL: level })
  try {
    const result = await measure(`${ponte.url}/api/`, { headers: { authorization: ponte.auth } })
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`GET /api/ had ${result.non2xx} non-2xx and ${result.errors} errors`)
    const lines = readFileSync(ponte.logFile, 'utf8').split('\n').filter((l) => l.includes('"msg":"request completed"')).length
    perLevel[level] = result.requestsPerSecond
    rows.push({
      case: `Ponte GET /api/, LOG_LEVEL=${level}`, 'req/s': fmt(result.requestsPerSecond), 'p50 ms': result.p50, 'p99 ms': result.p99,
      'ratio to C1': fmt(result.requestsPerSecond / ceiling.requestsPerSecond, 2), 'access lines': fmt(lines),
    })
  } finally {
    await ponte.stop()
  }
}
report('GET /api/ with default logging vs LOG_LEVEL=warn vs bare Fastify (C1), same run', rows)
const ratio = perLevel.info / ceiling.requestsPerSecond
console.log(`default logging (info) ratio to C1: ${fmt(ratio, 2)} (0.35 before issue 11); info / warn: ${fmt(perLevel.info / perLevel.warn, 2)}`)
