import { readFileSync } from 'node:fs'
import { fmt, load, report, startPonte, startServer, type LoadResult, type ServerProcess } from './lib.ts'

/**
 * What default logging costs: `GET /api/` on a fresh Ponte with LOG_LEVEL=info (what a user gets:
 * one access line per request, written through a buffered asynchronous stdout) and with
 * LOG_LEVEL=warn (no access line), against a bare Fastify hello-world (PERF.md C1). The three
 * servers run side by side (idle while another is driven) and are measured in turns, round after
 * round, keeping each one's best run, so a machine whose load drifts during the sitting weighs on
 * all three alike. Issue 11 measured 0.35 (info, two synchronous lines per request) and 0.62
 * (warn) of C1 before. The log file is checked too: at info it must hold the access lines.
 */
const ROUNDS = 2
const servers: { name: string; server: ServerProcess; url: string; headers?: Record<string, string> }[] = []
try {
  const hello = await startServer('hello')
  servers.push({ name: 'Fastify hello-world (C1)', server: hello, url: `${hello.url}/hello` })
  for (const level of ['info', 'warn']) {
    const ponte = await startPonte({ LOG_LEVEL: level })
    servers.push({ name: `Ponte GET /api/, LOG_LEVEL=${level}`, server: ponte, url: `${ponte.url}/api/`, headers: { authorization: ponte.auth } })
  }
  for (const s of servers) await load(s.url, { headers: s.headers, duration: 3 })
  const best = new Map<string, LoadResult>()
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of servers) {
      const result = await load(s.url, { headers: s.headers })
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${s.name} had ${result.non2xx} non-2xx and ${result.errors} errors`)
      if (result.requestsPerSecond > (best.get(s.name)?.requestsPerSecond ?? 0)) best.set(s.name, result)
    }
  }
  const [c1, info, warn] = servers.map((s) => best.get(s.name)!)
  report(
    'GET /api/ with default logging vs LOG_LEVEL=warn vs bare Fastify (C1), measured in turns',
    servers.map((s, i) => {
      const result = best.get(s.name)!
      const lines =
        i === 0
          ? '-'
          : fmt(
              readFileSync(s.server.logFile, 'utf8')
                .split('\n')
                .filter((l) => l.includes('"msg":"request completed"')).length,
            )
      return {
        case: s.name,
        'req/s': fmt(result.requestsPerSecond),
        'p50 ms': result.p50,
        'p99 ms': result.p99,
        'ratio to C1': fmt(result.requestsPerSecond / c1.requestsPerSecond, 2),
        'access lines': lines,
      }
    }),
  )
  console.log(
    `default logging (info) ratio to C1: ${fmt(info.requestsPerSecond / c1.requestsPerSecond, 2)} (0.35 before issue 11); info / warn: ${fmt(info.requestsPerSecond / warn.requestsPerSecond, 2)}`,
  )
} finally {
  for (const s of servers) await s.server.stop()
}
