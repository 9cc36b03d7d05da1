import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { backend } from '../helpers/db.ts'
import { basic } from '../helpers/harness.ts'

const run = promisify(execFile)
const BIN = new URL('../../bin/ponte.js', import.meta.url).pathname

/**
 * `ponte keys ...` while `ponte serve` holds the embedded data directory: the CLI has the server
 * run the command (src/control.ts). A real server process, as a user starts it.
 */
describe.runIf(backend === 'pglite')('CLI commands while the embedded server runs', () => {
  let dir: string
  let env: Record<string, string>
  let server: ChildProcess
  let serverOutput = ''
  let control: { pid: number; url: string; token: string }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-control-'))
    env = { ...(process.env as Record<string, string>), PONTE_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'info' }
    for (const name of ['DATABASE_URL', 'PONTE_SECRET_KEY_ID', 'PONTE_SECRET_KEY_PASSWORD']) delete env[name]
    server = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    server.stdout!.on('data', (chunk) => {
      serverOutput += chunk
    })
    server.stderr!.on('data', (chunk) => {
      serverOutput += chunk
    })
    // The control file appears once the server listens; a first start migrates first.
    await vi.waitFor(
      () => {
        if (server.exitCode !== null) throw new Error(`the server exited: ${serverOutput}`)
        control = JSON.parse(readFileSync(join(dir, 'control.json'), 'utf8'))
        expect(control.pid).toBe(server.pid)
      },
      { timeout: 240_000, interval: 250 },
    )
  }, 300_000)

  afterAll(async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM')
      await new Promise((resolve) => server.once('exit', resolve))
    }
    rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  const ponte = (...args: string[]) => run(process.execPath, [BIN, ...args], { env, timeout: 120_000 })
  const status = async (key: { id: string; password: string }) => (await fetch(`${control.url}/api/`, { headers: { authorization: basic(key) } })).status

  it('creates, lists and revokes keys through the server, and the server knows them at once', { timeout: 300_000 }, async () => {
    const created = JSON.parse((await ponte('keys', 'create', '--json', '--organization', 'acme')).stdout)
    expect(created).toEqual({ id: expect.any(String), password: expect.any(String), organization_id: expect.any(String) })
    expect(await status(created)).toBe(200)

    const listed = JSON.parse((await ponte('keys', 'list', '--json')).stdout)
    expect(listed).toContainEqual(expect.objectContaining({ id: created.id, organization_id: created.organization_id, revoked_at: null }))
    expect((await ponte('keys', 'revoke', created.id)).stdout).toBe(`Revoked ${created.id}.\n`)
    expect(await status(created)).toBe(401)
    // The command's own failures and exit codes come back as they are.
    await expect(ponte('keys', 'revoke', created.id)).rejects.toMatchObject({ code: 1, stderr: `No active secret key with id ${created.id}.\n` })
    await expect(ponte('jobs', 'list', '--state', 'dead')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('valid states: created') })
    expect(JSON.parse((await ponte('jobs', 'list', '--json')).stdout)).toEqual(expect.any(Array))
  })

  it('refuses a wrong or missing token, keeps the token out of the logs and the route out of the API document', { timeout: 60_000 }, async () => {
    expect(statSync(join(dir, 'control.json')).mode & 0o777).toBe(0o600)
    const ask = (authorization?: string) =>
      fetch(`${control.url}/_ponte/cli`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ args: ['keys', 'create', '--json'] }),
      })
    for (const authorization of [undefined, `Bearer ${control.token.slice(0, -1)}x`, `Basic ${control.token}`, 'Bearer ']) {
      const response = await ask(authorization)
      expect(response.status).toBe(401)
      expect(await response.json()).toEqual([expect.objectContaining({ code: 'authentication_failed' })])
    }
    const document = await (await fetch(`${control.url}/openapi.json`)).text()
    expect(document).not.toContain('_ponte')
    const ok = await ask(`Bearer ${control.token}`)
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({ exit_code: 0, stdout: expect.stringContaining('"password"') })
    // Requests are logged (LOG_LEVEL=info), the token never.
    await vi.waitFor(() => expect(serverOutput).toContain('/_ponte/cli'), { timeout: 30_000 })
    expect(serverOutput).not.toContain(control.token)
  })

  it('removes the control file when the server stops, and the CLI then opens the directory itself', { timeout: 300_000 }, async () => {
    server.kill('SIGTERM')
    await new Promise((resolve) => server.once('exit', resolve))
    expect(existsSync(join(dir, 'control.json'))).toBe(false)
    // The key of the first start at least.
    expect(JSON.parse((await ponte('keys', 'list', '--json')).stdout).length).toBeGreaterThanOrEqual(1)
  })
})
