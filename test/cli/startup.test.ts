import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { loadConfig } from '../../src/config.ts'
import { createSecretKey } from '../../src/domain/keys.ts'
import { StartupRefusal } from '../../src/lib/errors.ts'
import { startUp } from '../../src/main.ts'
import { backend, createTestDatabase } from '../helpers/db.ts'

const BIN = new URL('../../bin/ponte.js', import.meta.url).pathname

/** Runs `ponte ...` to its end (or 90 s); resolves with its exit code and output. */
function ponte(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr })
    })
  })
}

/** What a refused start says on standard error, besides its progress lines: one line, no stack. */
function refusal(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('ponte: '))
}

const newKey = () => randomBytes(32).toString('base64')

interface Started {
  child: ChildProcess
  url: string
  output: () => { stdout: string; stderr: string }
}

/** `ponte serve` as an operator starts it; resolves once it says where it listens. */
function serve(children: ChildProcess[], env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let stdout = ''
  let stderr = ''
  const output = () => ({ stdout, stderr })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ponte serve did not start:\n${stdout}\n${stderr}`)), 90_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const listening = /^ponte: listening on (http:\/\/\S+)$/m.exec(stderr)
      if (listening) {
        clearTimeout(timer)
        resolve({ child, url: listening[1], output })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`ponte serve exited with ${code}:\n${stdout}\n${stderr}`))
    })
  })
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

/**
 * Several `ponte serve` processes started at the same moment on an empty PostgreSQL database:
 * every start-up step runs under one cluster-wide lock, so one process migrates, installs the job
 * queue and creates the first key while the others wait, then find it all done.
 */
describe.skipIf(backend !== 'postgres')('several servers starting together on an empty PostgreSQL database', () => {
  const children: ChildProcess[] = []
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  })

  it('all start, none crashes, and exactly one creates and prints the first key', { timeout: 300_000 }, async () => {
    const PROCESSES = 3
    for (let round = 0; round < 3; round++) {
      const database = await createTestDatabase()
      const env: Record<string, string> = {
        ...(process.env as Record<string, string>),
        DATABASE_URL: database.url!,
        PONTE_ENCRYPTION_KEY: newKey(),
        PORT: '0',
        LOG_LEVEL: 'info',
      }
      delete env.PONTE_SECRET_KEY_ID
      delete env.PONTE_SECRET_KEY_PASSWORD
      const started: Started[] = []
      try {
        started.push(...(await Promise.all(Array.from({ length: PROCESSES }, () => serve(children, env)))))
        for (const server of started) expect((await fetch(`${server.url}/health`)).status).toBe(200)
        const outputs = started.map((s) => s.output())
        const printed = outputs.filter((o) => o.stdout.includes('Ponte created a secret key')).length
        expect(printed, `round ${round}: processes that printed a first key`).toBe(1)
        for (const o of outputs) {
          expect(o.stderr + o.stdout).not.toMatch(/\n\s+at /)
          // Each says what it is doing (some also that they wait for another), in order.
          const steps = o.stderr.split('\n').filter((line) => line.startsWith('ponte: ') && !line.includes('waiting for another'))
          expect(steps.map((line) => line.replace(/ on http:.*/, ''))).toEqual([
            'ponte: migrating the database',
            'ponte: syncing the institution catalog',
            'ponte: starting the job queue',
            'ponte: listening',
          ])
        }
        const client = new pg.Client({ connectionString: database.url })
        await client.connect()
        try {
          expect((await client.query('SELECT count(*)::int AS n FROM secret_keys')).rows[0].n).toBe(1)
        } finally {
          await client.end()
        }
      } finally {
        await Promise.all(children.splice(0).map(stop))
        await database.drop()
      }
    }
  })
})

describe.skipIf(backend !== 'postgres')('the encryption key on PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  let dir: string
  let env: Record<string, string>
  beforeAll(async () => {
    database = await createTestDatabase()
    dir = mkdtempSync(join(tmpdir(), 'ponte-key-'))
    env = { ...(process.env as Record<string, string>), DATABASE_URL: database.url!, PONTE_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'info' }
    delete env.PONTE_ENCRYPTION_KEY
  })
  afterAll(async () => {
    await database.drop()
    rmSync(dir, { recursive: true, force: true })
  })
  const config = (key?: string) =>
    loadConfig({ DATABASE_URL: database.url, PONTE_DATA_DIR: dir, LOG_LEVEL: 'silent', ...(key ? { PONTE_ENCRYPTION_KEY: key } : {}) })

  it('is required: serve, worker and the webhook commands refuse to start without it, in one line', { timeout: 120_000 }, async () => {
    const results = await Promise.all([ponte(env, 'serve'), ponte(env, 'worker'), ponte(env, 'webhooks', 'list')])
    for (const result of results) {
      expect(result.code).toBe(1)
      expect(refusal(result.stderr)).toEqual([expect.stringMatching(/^PONTE_ENCRYPTION_KEY is required with DATABASE_URL: set it to 32 random bytes/)])
    }
    // Nothing made up a key of its own.
    expect(results.every((r) => !r.stdout.includes('Ponte created a secret key'))).toBe(true)
  })

  it('must be the one the database was set up with', { timeout: 120_000 }, async () => {
    const key = newKey()
    const first = await startUp(config(key), { cipher: true })
    await first.db.close()
    const again = await startUp(config(key), { cipher: true })
    await again.db.close()

    const result = await ponte({ ...env, PONTE_ENCRYPTION_KEY: newKey() }, 'serve')
    expect(result.code).toBe(1)
    expect(refusal(result.stderr)).toEqual([
      'PONTE_ENCRYPTION_KEY does not match the key this database was set up with: set the key that its other processes use (credentials sealed with one key cannot be opened with another).',
    ])
    expect(result.stderr).not.toContain('listening')
  })
})

describe('the encryption key of a database set up before it had a check value', () => {
  it('is tested on a credential the database already stores', { timeout: 120_000 }, async () => {
    const database = await createTestDatabase()
    const dir = mkdtempSync(join(tmpdir(), 'ponte-old-key-'))
    const config = (key: string) =>
      loadConfig({ ...(database.url ? { DATABASE_URL: database.url } : {}), PONTE_DATA_DIR: dir, LOG_LEVEL: 'silent', PONTE_ENCRYPTION_KEY: key })
    try {
      const key = newKey()
      const { db, cipher } = await startUp(config(key), { cipher: true })
      const owner = await createSecretKey(db)
      // A webhook endpoint's signing secret, sealed with `key` as the API stores it.
      await db.query(
        `INSERT INTO webhook_endpoints (id, organization_id, url, secret_sealed, created_at, updated_at) VALUES ($1, $2, 'https://hooks.example.com/', $3, now(), now())`,
        [randomUUID(), owner.organizationId, cipher.encrypt('whsec_test')],
      )
      await db.query('DELETE FROM encryption_check')
      await db.close()

      await expect(startUp(config(newKey()), { cipher: true })).rejects.toThrow(StartupRefusal)
      const reopened = await startUp(config(key), { cipher: true })
      expect(await reopened.db.query('SELECT 1 FROM encryption_check')).toHaveLength(1)
      await reopened.db.close()
    } finally {
      await database.drop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe.skipIf(backend !== 'pglite')('the embedded key file', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-key-file-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const config = (env: Record<string, string> = {}) => loadConfig({ PONTE_DATA_DIR: dir, LOG_LEVEL: 'silent', ...env })

  it('is generated on the first start, and a swapped one is refused in one line', { timeout: 120_000 }, async () => {
    const first = await startUp(config(), { cipher: true })
    await first.db.close()
    await expect(startUp(config({ PONTE_ENCRYPTION_KEY: newKey() }), { cipher: true })).rejects.toThrow(
      /^PONTE_ENCRYPTION_KEY does not match the key this database was set up with/,
    )

    writeFileSync(join(dir, 'encryption.key'), newKey())
    const env: Record<string, string> = { ...(process.env as Record<string, string>), PONTE_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'info' }
    for (const name of ['DATABASE_URL', 'PONTE_ENCRYPTION_KEY']) delete env[name]
    const result = await ponte(env, 'serve')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('ponte: migrating the database\n')
    expect(refusal(result.stderr)).toEqual([
      `The encryption key in ${join(dir, 'encryption.key')} does not match the key this database was set up with: put the original file back (or set PONTE_ENCRYPTION_KEY to the original key).`,
    ])
  })
})
