import autocannon from 'autocannon'
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * Shared benchmark plumbing. Servers run in their own process (as in PERF.md, where the server
 * and the load generator share the machine's two cores), autocannon drives them from this one.
 */
export const DURATION = Number(process.env.BENCH_DURATION ?? 10)
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)

export interface ServerProcess {
  url: string
  child: ChildProcess
  stop(): Promise<void>
}

/** Starts `bench/servers/<name>.ts`; it prints `LISTENING <url>` once ready. */
export async function startServer(name: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const script = fileURLToPath(new URL(`./servers/${name}.ts`, import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 120 s`)), 120_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const match = /LISTENING (\S+)/.exec(buffer)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)))
  })
  return {
    url, child,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    }),
  }
}

export interface LoadResult {
  requestsPerSecond: number
  bytesPerSecond: number
  p50: number
  p99: number
  errors: number
  non2xx: number
}

export async function load(url: string, options: { headers?: Record<string, string>; duration?: number; connections?: number } = {}): Promise<LoadResult> {
  const result = await autocannon({
    url, headers: options.headers, duration: options.duration ?? DURATION, connections: options.connections ?? CONNECTIONS,
    // Large pages on the embedded database can take seconds under load: count them, do not drop them.
    timeout: 60,
  })
  return {
    requestsPerSecond: result.requests.average,
    bytesPerSecond: result.throughput.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}

/** A 3-second warm-up (discarded), then the best of `runs` measured runs, as PERF.md did. */
export async function measure(url: string, options: Parameters<typeof load>[1] = {}, runs = 2): Promise<LoadResult> {
  await load(url, { ...options, duration: 3 })
  const results: LoadResult[] = []
  for (let i = 0; i < runs; i++) results.push(await load(url, options))
  return results.sort((a, b) => b.requestsPerSecond - a.requestsPerSecond)[0]
}

export function report(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n${title}`)
  console.table(rows)
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
