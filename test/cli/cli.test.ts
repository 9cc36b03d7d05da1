import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QUEUES, openQueue } from '../../src/jobs/queue.ts'
import { openDb } from '../../src/store/db.ts'
import { migrate } from '../../src/store/migrate.ts'
import { createTestDatabase } from '../helpers/db.ts'

const run = promisify(execFile)
const BIN = new URL('../../bin/ponte.js', import.meta.url).pathname

/** `npx ponte ...` as a user runs it: a real process against the configured database. */
describe('ponte CLI', () => {
  let env: Record<string, string>
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ponte-cli-'))
    const database = await createTestDatabase()
    env = { ...(process.env as Record<string, string>), PONTE_DATA_DIR: dir, LOG_LEVEL: 'silent', ...(database.url ? { DATABASE_URL: database.url } : {}) }
    delete env.PONTE_SECRET_KEY_ID
    delete env.PONTE_SECRET_KEY_PASSWORD
    cleanup = async () => {
      await database.drop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
  afterAll(async () => cleanup())

  // Each command is a process that opens the database: minutes allowed on a loaded machine.
  const ponte = (...args: string[]) => run('node', [BIN, ...args], { env, timeout: 120_000 })

  it('migrates, creates, lists and revokes keys', { timeout: 300_000 }, async () => {
    expect((await ponte('migrate')).stdout).toContain('up to date')
    const created = JSON.parse((await ponte('keys', 'create', '--json')).stdout)
    expect(created).toEqual({ id: expect.any(String), password: expect.any(String), organization_id: expect.any(String) })
    expect(created.password.length).toBeGreaterThanOrEqual(32)
    const listed = JSON.parse((await ponte('keys', 'list', '--json')).stdout)
    expect(listed).toEqual([expect.objectContaining({ id: created.id, revoked_at: null })])
    expect(JSON.stringify(listed)).not.toContain(created.password)
    expect((await ponte('keys', 'revoke', created.id)).stdout).toContain('Revoked')
    const after = JSON.parse((await ponte('keys', 'list', '--json')).stdout)
    expect(after[0].revoked_at).not.toBeNull()
    await expect(ponte('keys', 'revoke', created.id)).rejects.toMatchObject({ code: 1 })
  })

  it('puts --organization keys in a new organization', { timeout: 300_000 }, async () => {
    const a = JSON.parse((await ponte('keys', 'create', '--json')).stdout)
    const b = JSON.parse((await ponte('keys', 'create', '--json', '--organization', 'acme')).stdout)
    expect(a.organization_id).not.toBe(b.organization_id)
  })

  it('explains its usage on an unknown command or option', { timeout: 300_000 }, async () => {
    await expect(ponte('frobnicate')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('Usage: ponte') })
    await expect(ponte('--bogus')).rejects.toMatchObject({ code: 2, stderr: "Unknown option '--bogus'\n" })
  })
})

describe('ponte jobs', () => {
  let env: Record<string, string>
  let cleanup: () => Promise<void>
  let failedId: string
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ponte-jobs-'))
    const database = await createTestDatabase()
    env = { ...(process.env as Record<string, string>), PONTE_DATA_DIR: dir, LOG_LEVEL: 'silent', ...(database.url ? { DATABASE_URL: database.url } : {}) }
    const db = await openDb({ databaseUrl: database.url, dataDir: database.url ? undefined : join(dir, 'db') })
    await migrate(db)
    const queue = await openQueue(db)
    // A job that failed for good: enqueued, then failed past its retries.
    failedId = (await db.tx((tx) => queue.send(tx, QUEUES.asyncRequest, { organizationId: 'x', requestId: 'y', kind: 'retrieve', sealedToken: 'v1.secret' })))!
    await db.query('UPDATE pgboss.job SET state = \'failed\', output = \'{"message":"institution_down"}\' WHERE id = $1', [failedId])
    await queue.stop()
    await db.close()
    cleanup = async () => {
      await database.drop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
  afterAll(async () => cleanup())

  const ponte = (...args: string[]) => run('node', [BIN, ...args], { env, timeout: 120_000 })
  const list = async (...args: string[]): Promise<Array<{ id: string; queue: string; state: string; created_on: string }>> =>
    JSON.parse((await ponte('jobs', 'list', '--json', ...args)).stdout)

  it('lists dead jobs without their sealed secrets, and puts one back in its queue', { timeout: 300_000 }, async () => {
    const failed = await list('--state', 'failed', '--queue', QUEUES.asyncRequest)
    expect(failed).toEqual([expect.objectContaining({ id: failedId, queue: QUEUES.asyncRequest, state: 'failed', output: { message: 'institution_down' } })])
    expect(failed[0]).not.toHaveProperty('data.sealedToken')
    expect((await ponte('jobs', 'retry', failedId)).stdout).toContain('queued again')
    const after = await list()
    expect(after.find((j) => j.id === failedId)!.state).toBe('retry')
    await expect(ponte('jobs', 'retry', failedId)).rejects.toMatchObject({ code: 1 })
  })

  it('refuses an unknown state or queue with exit code 2 and one line naming the valid values', { timeout: 300_000 }, async () => {
    await expect(ponte('jobs', 'list', '--state', 'dead')).rejects.toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'Unknown --state dead; valid states: created, retry, active, completed, cancelled, failed\n',
    })
    await expect(ponte('jobs', 'list', '--queue', 'emails')).rejects.toMatchObject({
      code: 2,
      stderr: `Unknown --queue emails; valid queues: ${Object.values(QUEUES).join(', ')}\n`,
    })
  })
})
