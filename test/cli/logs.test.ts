import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../helpers/db.ts'
import { basic } from '../helpers/harness.ts'
import type { LogLine } from '../helpers/logs.ts'
import { startReceiver } from '../helpers/receiver.ts'

const BIN = new URL('../../bin/ponte.js', import.meta.url).pathname
const KEY = { id: 'logs-test-key', password: 'logs-test-password' }

/** `ponte <command>` as a user runs it, standard output kept; `exited` resolves with everything written. */
function ponte(command: 'serve' | 'worker', env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, command], { env: { ...(process.env as Record<string, string>), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  const exited = new Promise<{ code: number | null; out: string }>((resolve) => child.once('close', (code) => resolve({ code, out })))
  return {
    child,
    exited,
    /** Waits for `pattern` in standard output (a real-time bound: start-up on a loaded machine). */
    async waitFor(pattern: RegExp, timeoutMs = 120_000): Promise<RegExpExecArray> {
      const end = Date.now() + timeoutMs
      for (;;) {
        const match = pattern.exec(out)
        if (match) return match
        if (child.exitCode !== null || Date.now() > end) throw new Error(`ponte ${command}: no ${pattern} in ${out}${err}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    },
  }
}

/** Every line must be one of pino's JSON lines: numeric level, time, pid, hostname, msg. */
function parse(out: string, pid: number): LogLine[] {
  const lines = out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as LogLine)
  for (const line of lines) {
    expect(line).toMatchObject({ level: expect.any(Number), time: expect.any(Number), pid, hostname: expect.any(String), msg: expect.any(String) })
  }
  return lines
}

describe('the logs of ponte serve and ponte worker', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })

  /** A fresh data directory, or PostgreSQL database, for one process at a time. */
  const environment = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ponte-logs-'))
    const database = await createTestDatabase()
    cleanups.push(
      () => rmSync(dir, { recursive: true, force: true }),
      () => database.drop(),
    )
    return {
      PORT: '0',
      PONTE_DATA_DIR: dir,
      LOG_LEVEL: 'info',
      PONTE_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      PONTE_SECRET_KEY_ID: KEY.id,
      PONTE_SECRET_KEY_PASSWORD: KEY.password,
      ...(database.url ? { DATABASE_URL: database.url } : {}),
      // The test's receiver listens on 127.0.0.1, which production mode (PostgreSQL) refuses by default.
      PONTE_WEBHOOK_ALLOW_PRIVATE: 'true',
    }
  }
  const started = (process: ReturnType<typeof ponte>) => {
    cleanups.push(() => {
      if (process.child.exitCode === null) process.child.kill('SIGKILL')
    })
    return process
  }

  it('serve writes one access line per request, without the Authorization header, its webhook deliveries at info, and loses no line on SIGTERM', async () => {
    const serve = started(ponte('serve', await environment()))
    const [, url] = await serve.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/)
    const receiver = await startReceiver()
    cleanups.push(receiver.close)
    const sent: { id: string; method: string; path: string; status: number; body: any }[] = []
    const request = async (method: string, path: string, authorization?: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { ...(authorization ? { authorization } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      })
      sent.push({ id: res.headers.get('x-request-id')!, method, path, status: res.status, body: await res.json() })
      return sent.at(-1)!
    }
    expect((await request('POST', '/api/webhooks/', basic(KEY), { url: receiver.url })).status).toBe(201)
    const link = await request('POST', '/api/links/', basic(KEY), {
      institution: 'erebor_mx_retail',
      username: 'logged_user',
      password: 'secret',
      fetch_resources: ['ACCOUNTS'],
    })
    expect(link.status).toBe(201)
    await receiver.waitFor((all) => all.some((hit) => hit.body.link_id === link.body.id), 60_000)
    for (let i = 0; i < 40; i++) await request('GET', `/api/?n=${i}`, basic(KEY))
    await request('GET', '/api/links/?page_size=5', basic({ id: KEY.id, password: 'a-wrong-password' }))
    await request('GET', '/no/such/route')
    // Straight after the last answer: the buffered lines must still come out.
    serve.child.kill('SIGTERM')
    const { code, out } = await serve.exited
    expect(code).toBe(0)

    const lines = parse(out, serve.child.pid!)
    const access = lines.filter((l) => l.msg === 'request completed')
    expect(access.map((l) => l.request_id)).toEqual(sent.map((s) => s.id))
    access.forEach((line, i) => {
      expect(line).toMatchObject({ level: 30, method: sent[i].method, url: sent[i].path, status: sent[i].status, response_time: expect.any(Number) })
      expect(Object.keys(line).sort()).toEqual(['hostname', 'level', 'method', 'msg', 'pid', 'request_id', 'response_time', 'status', 'time', 'url'])
    })
    const delivered = lines.filter((l) => l.msg === 'webhook delivered')
    expect(delivered.length).toBeGreaterThanOrEqual(1)
    expect(delivered[0]).toMatchObject({ level: 30, link_id: link.body.id, status_code: 200 })
    expect(lines.filter((l) => l.level >= 50)).toEqual([])
    expect(sent.map((s) => s.status).slice(-2)).toEqual([401, 404])
    expect(lines.some((l) => l.msg === 'incoming request')).toBe(false)
    for (const secret of [KEY.password, 'a-wrong-password', basic(KEY).slice(6), basic({ id: KEY.id, password: 'a-wrong-password' }).slice(6)]) {
      expect(out).not.toContain(secret)
    }
    expect(lines.slice(-2).map((l) => l.msg)).toEqual(['shutting down', 'stopped'])
  }, 180_000)

  it('serve stops cleanly on a SIGTERM sent the moment it says it listens', async () => {
    const serve = started(ponte('serve', await environment()))
    // Sent from the data event itself, not a poll later: the handlers must be in before the line.
    let said = ''
    serve.child.stderr!.on('data', (chunk: Buffer) => {
      said += chunk.toString()
      if (/ponte: listening on /.test(said) && !serve.child.killed) serve.child.kill('SIGTERM')
    })
    const { code, out } = await serve.exited
    expect(serve.child.killed).toBe(true)
    expect(code).toBe(0)
    expect(parse(out, serve.child.pid!).map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']))
  }, 180_000)

  it('ponte worker writes the same lines as serve: numeric level, time, pid and hostname', async () => {
    const worker = started(ponte('worker', await environment()))
    await worker.waitFor(/worker started/)
    worker.child.kill('SIGTERM')
    const { code, out } = await worker.exited
    expect(code).toBe(0)
    const lines = parse(out, worker.child.pid!)
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [30, 'worker started'],
      [30, 'shutting down'],
      [30, 'stopped'],
    ])
    expect(lines[0].database).toMatch(/^(pglite|postgres)$/)
  }, 180_000)
})
