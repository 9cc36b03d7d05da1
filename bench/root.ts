import { fmt, measure, report, startPonte, startServer } from './lib.ts'

/**
 * `GET /api/` with valid Basic auth (the SDK's login probe), against a bare Fastify hello-world
 * measured in the same run (PERF.md C1). Target: ratio >= 0.4. Catches any per-request cost in
 * authentication (the verified key is cached; scrypt runs once). Ponte logs at the default level
 * (bench/logging.ts compares it with LOG_LEVEL=warn).
 */
const hello = await startServer('hello')
let ponte
try {
  const ceiling = await measure(`${hello.url}/hello`)
  await hello.stop()
  ponte = await startPonte()
  const root = await measure(`${ponte.url}/api/`, { headers: { authorization: ponte.auth } })
  if (root.non2xx > 0 || root.errors > 0) throw new Error(`GET /api/ had ${root.non2xx} non-2xx and ${root.errors} errors`)
  const ratio = root.requestsPerSecond / ceiling.requestsPerSecond
  report('GET /api/ with Basic auth vs bare Fastify (C1), same run', [
    { case: 'Fastify hello-world (C1)', 'req/s': fmt(ceiling.requestsPerSecond), 'p50 ms': ceiling.p50, 'p99 ms': ceiling.p99 },
    { case: 'Ponte GET /api/ (auth, LOG_LEVEL=info)', 'req/s': fmt(root.requestsPerSecond), 'p50 ms': root.p50, 'p99 ms': root.p99 },
  ])
  console.log(`ratio to C1: ${fmt(ratio, 2)} (target >= 0.40) ${ratio >= 0.4 ? 'OK' : 'BELOW TARGET'}`)
} finally {
  await hello.stop()
  await ponte?.stop()
}
