import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fmt, measure, report, startServer } from './lib.ts'

/**
 * `GET /api/` with valid Basic auth (the SDK's login probe), against a bare Fastify hello-world
 * measured in the same run (PERF.md C1). Target: ratio >= 0.4. Catches any per-request cost in
 * authentication (the verified key is cached; scrypt runs once).
 */
const dataDir = mkdtempSync(join(tmpdir(), 'ponte-bench-root-'))
const key = { id: 'bench-key', password: 'bench-password-1234' }
const hello = await startServer('hello')
let ponte
try {
  const ceiling = await measure(`${hello.url}/hello`)
  await hello.stop()
  ponte = await startServer('ponte', { PONTE_DATA_DIR: dataDir, PONTE_SECRET_KEY_ID: key.id, PONTE_SECRET_KEY_PASSWORD: key.password })
  const auth = `Basic ${Buffer.from(`${key.id}:${key.password}`).toString('base64')}`
  const root = await measure(`${ponte.url}/api/`, { headers: { authorization: auth } })
  if (root.non2xx > 0 || root.errors > 0) throw new Error(`GET /api/ had ${root.non2xx} non-2xx and ${root.errors} errors`)
  const ratio = root.requestsPerSecond / ceiling.requestsPerSecond
  report('GET /api/ with Basic auth vs bare Fastify (C1), same run', [
    { case: 'Fastify hello-world (C1)', 'req/s': fmt(ceiling.requestsPerSecond), 'p50 ms': ceiling.p50, 'p99 ms': ceiling.p99 },
    { case: 'Ponte GET /api/ (auth)', 'req/s': fmt(root.requestsPerSecond), 'p50 ms': root.p50, 'p99 ms': root.p99 },
  ])
  console.log(`ratio to C1: ${fmt(ratio, 2)} (target >= 0.40) ${ratio >= 0.4 ? 'OK' : 'BELOW TARGET'}`)
} finally {
  await hello.stop()
  await ponte?.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
