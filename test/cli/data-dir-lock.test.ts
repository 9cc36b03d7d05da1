import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { startServer, type RunningServer } from '../../src/main.ts'
import { DataDirInUseError, lockDataDir } from '../../src/store/data-dir-lock.ts'
import { backend, createTestDatabase } from '../helpers/db.ts'
import { basic } from '../helpers/harness.ts'
import { PROCESS_MS, processTestTimeout } from '../helpers/processes.ts'

const run = promisify(execFile)
const BIN = new URL('../../bin/ponte.js', import.meta.url).pathname

/** A pid that surely runs no process: one of a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''])
  await new Promise((resolve) => child.on('exit', resolve))
  return child.pid!
}

/** The embedded database is one process's: `ponte serve` and the CLI on one PONTE_DATA_DIR take turns. */
describe('embedded data directory lock', () => {
  let dir: string
  let env: Record<string, string>
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-lock-'))
    env = { ...(process.env as Record<string, string>), PONTE_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'silent' }
    for (const name of ['DATABASE_URL', 'PONTE_SECRET_KEY_ID', 'PONTE_SECRET_KEY_PASSWORD']) delete env[name]
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const ponte = (...args: string[]) => run('node', [BIN, ...args], { env, timeout: PROCESS_MS })
  const start = (printed: string[] = []) => startServer(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', PONTE_DATA_DIR: dir }), { print: (t) => printed.push(t) })
  const status = async (server: RunningServer, key: { id: string; password: string }) =>
    (await fetch(`${server.url}/api/`, { headers: { authorization: basic(key) } })).status

  it(
    'refuses a second server while a server runs, runs CLI commands through it, and lets them in once it stops',
    { timeout: processTestTimeout(8) },
    async () => {
      const printed: string[] = []
      const server = await start(printed)
      const first = {
        id: /secret key id:\s+(\S+)/.exec(printed.join('\n'))![1]!,
        password: /secret key password:\s+(\S+)/.exec(printed.join('\n'))![1]!,
      }
      const message = `The data directory ${join(dir, 'db')} is in use by Ponte process ${process.pid}; stop it first, or point DATABASE_URL at PostgreSQL`
      let other: { id: string; password: string }
      try {
        expect(await status(server, first)).toBe(200)
        const failed = await ponte('serve').then(
          () => undefined,
          (error: { code: number; stdout: string; stderr: string }) => error,
        )
        expect(failed).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining(message) })
        expect(failed!.stderr).not.toMatch(/\n\s+at /)
        await expect(start()).rejects.toBeInstanceOf(DataDirInUseError)
        // The server runs the command on its own database: the key works at once.
        other = JSON.parse((await ponte('keys', 'create', '--json', '--organization', 'other')).stdout)
        expect(await status(server, other)).toBe(200)
        expect(await status(server, first)).toBe(200)
      } finally {
        await server.close()
      }
      expect(existsSync(join(dir, 'db.lock'))).toBe(false)

      // The server's data is intact, with the key created through it, on its next start too.
      expect(JSON.parse((await ponte('keys', 'list', '--json')).stdout)).toEqual([
        expect.objectContaining({ id: first.id }),
        expect.objectContaining({ id: other.id }),
      ])
      const again = await start()
      try {
        expect(await status(again, first)).toBe(200)
        expect(await status(again, other)).toBe(200)
      } finally {
        await again.close()
      }
    },
  )

  it('refuses CLI commands while a process that serves no control route holds the directory', { timeout: processTestTimeout(1) }, async () => {
    // A `ponte worker` or another CLI command on the embedded database: no server to ask.
    const release = lockDataDir(join(dir, 'db'))
    try {
      const failed = await ponte('keys', 'list').then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      )
      expect(failed).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining(`is in use by Ponte process ${process.pid}`) })
      expect(failed!.stderr).not.toMatch(/\n\s+at /)
    } finally {
      release()
    }
  })

  it('takes over a lock left by a process that no longer runs', { timeout: processTestTimeout(1) }, async () => {
    writeFileSync(join(dir, 'db.lock'), `${await deadPid()}\n`)
    expect((await ponte('keys', 'list', '--json')).stdout).toContain('organization_id')
    expect(existsSync(join(dir, 'db.lock'))).toBe(false)
  })

  it('takes over a lock naming its own pid that it does not hold (a restarted container)', async () => {
    const lockDir = mkdtempSync(join(tmpdir(), 'ponte-lock-pid-'))
    try {
      writeFileSync(join(lockDir, 'db.lock'), `${process.pid}\n`)
      const release = lockDataDir(join(lockDir, 'db'))
      expect(() => lockDataDir(join(lockDir, 'db'))).toThrow(DataDirInUseError)
      release()
      expect(existsSync(join(lockDir, 'db.lock'))).toBe(false)
      lockDataDir(join(lockDir, 'db'))()
    } finally {
      rmSync(lockDir, { recursive: true, force: true })
    }
  })
})

describe.runIf(backend === 'postgres')('on PostgreSQL', () => {
  it('lets the CLI run next to a server: no lock', { timeout: processTestTimeout(2) }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ponte-nolock-'))
    const database = await createTestDatabase()
    const PONTE_ENCRYPTION_KEY = randomBytes(32).toString('base64')
    const server = await startServer(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', PONTE_DATA_DIR: dir, DATABASE_URL: database.url, PONTE_ENCRYPTION_KEY }), {
      print: () => {},
    })
    try {
      const env = { ...(process.env as Record<string, string>), PONTE_DATA_DIR: dir, LOG_LEVEL: 'silent', DATABASE_URL: database.url!, PONTE_ENCRYPTION_KEY }
      const key = JSON.parse((await run('node', [BIN, 'keys', 'create', '--json', '--organization', 'other'], { env, timeout: PROCESS_MS })).stdout)
      expect((await fetch(`${server.url}/api/`, { headers: { authorization: basic(key) } })).status).toBe(200)
    } finally {
      await server.close()
      await database.drop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
