import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveControl } from '../../src/control.ts'
import { QUEUES, openQueue, type JobQueue } from '../../src/jobs/queue.ts'
import { Cipher } from '../../src/lib/crypto.ts'
import { commandRunner } from '../helpers/commands.ts'
import { openTestDb } from '../helpers/db.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'

type TestDb = Awaited<ReturnType<typeof openTestDb>>

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const seconds = (iso: string) => iso.replace(/\.\d+Z$/, 'Z')

describe('CLI commands: one date format', () => {
  let db: TestDb
  let ponte: ReturnType<typeof commandRunner>
  beforeAll(async () => {
    db = await openTestDb()
    ponte = commandRunner({
      db: async () => db,
      cipher: async () => new Cipher(Buffer.alloc(32, 7)),
      queue: async () => {
        throw new Error('not needed')
      },
      webhooks: { allowPrivateDestinations: false },
    })
  })
  afterAll(async () => db.dropDatabase())

  it('prints keys and webhook endpoints with ISO-8601 UTC dates, in text and JSON', async () => {
    const key = JSON.parse((await ponte('keys', 'create', '--json')).stdout)
    expect((await ponte('keys', 'revoke', key.id)).code).toBe(0)
    const listed = JSON.parse((await ponte('keys', 'list', '--json')).stdout).find((k: { id: string }) => k.id === key.id)
    expect(listed.created_at).toMatch(ISO_MS)
    expect(listed.revoked_at).toMatch(ISO_MS)
    const line = (await ponte('keys', 'list')).stdout.split('\n').find((l) => l.startsWith(key.id))
    expect(line).toBe(`${key.id}  org ${key.organization_id}  created ${seconds(listed.created_at)}  REVOKED ${seconds(listed.revoked_at)}`)

    const endpoint = JSON.parse((await ponte('webhooks', 'create', '--url', 'https://93.184.215.14/hook', '--json')).stdout)
    expect(endpoint.created_at).toMatch(ISO_MS)
    expect((await ponte('webhooks', 'list')).stdout).toContain(`created ${seconds(endpoint.created_at)}`)
  })

  it('saves webhook endpoints under the same destination policy as the API', async () => {
    const refused = await ponte('webhooks', 'create', '--url', 'http://169.254.169.254/latest/meta-data/')
    expect(refused).toMatchObject({ code: 1, stdout: '' })
    expect(refused.stderr).toMatch(/^url: .*169\.254\.169\.254/)
    expect((await ponte('webhooks', 'list', '--json')).stdout).not.toContain('169.254.169.254')
  })

  it('lists no jobs before any process has created the queue', async () => {
    // Test databases come with pg-boss's schema (test/helpers/template.ts): this one never had it.
    await db.exec('DROP SCHEMA pgboss CASCADE')
    expect(await ponte('jobs', 'list', '--json')).toEqual({ code: 0, stdout: '[]\n', stderr: '' })
  })
})

describe('CLI commands: jobs list', () => {
  let db: TestDb
  let queue: JobQueue
  let ponte: ReturnType<typeof commandRunner>
  let deadId: string
  const LINK = '0b9a3c1e-2d4f-4a6b-8c7d-9e0f1a2b3c4d'
  beforeAll(async () => {
    db = await openTestDb()
    queue = await openQueue(db)
    ponte = commandRunner({
      db: async () => db,
      cipher: async () => new Cipher(Buffer.alloc(32, 7)),
      queue: async () => queue,
      webhooks: { allowPrivateDestinations: true },
    })
    // A link's job that failed as pg-boss records a handler's error, five pending fetches, a retention run.
    deadId = (await db.tx((tx) => queue.send(tx, QUEUES.historicalUpdate, { organizationId: 'x', linkId: LINK, requestId: 'r', processType: 'historical' })))!
    await db.query(`UPDATE pgboss.job SET state = 'failed', output = $2::jsonb WHERE id = $1`, [
      deadId,
      JSON.stringify({ name: 'Error', message: 'the institution\nis down', stack: 'Error: the institution is down\n    at fetch' }),
    ])
    for (let i = 0; i < 5; i++)
      await db.tx((tx) => queue.send(tx, QUEUES.historicalUpdate, { organizationId: 'x', linkId: LINK, requestId: `p${i}`, processType: 'historical' }))
    await db.tx((tx) => queue.send(tx, QUEUES.retention, {}))
  })
  afterAll(async () => {
    await queue.stop()
    await db.dropDatabase()
  })

  const list = async (...args: string[]): Promise<Array<{ id: string; queue: string; state: string; created_on: string; started_on: string | null }>> =>
    JSON.parse((await ponte('jobs', 'list', '--json', ...args)).stdout)

  it('says in text why a job failed and for which link, with ISO dates', async () => {
    const { stdout } = await ponte('jobs', 'list', '--state', 'failed')
    expect(stdout).toMatch(
      new RegExp(
        `^${deadId}  ${QUEUES.historicalUpdate}  failed  retries 0/5  created \\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z  link ${LINK}  error: the institution is down\n$`,
      ),
    )
    const [dead] = await list('--state', 'failed')
    expect(dead.created_on).toMatch(ISO_MS)
  })

  it('hides retention jobs unless asked for', async () => {
    expect((await list()).map((j) => j.queue)).not.toContain(QUEUES.retention)
    expect((await list('--all')).map((j) => j.queue)).toContain(QUEUES.retention)
    const retention = await list('--queue', QUEUES.retention)
    expect(retention.length).toBe(1)
    expect(retention[0].queue).toBe(QUEUES.retention)
  })

  it('pages with --limit and --before, newest first, each job once', async () => {
    const all = await list('--queue', QUEUES.historicalUpdate, '--limit', '1000')
    expect(all.length).toBe(6)
    expect(all.map((j) => j.created_on)).toEqual(
      all
        .map((j) => j.created_on)
        .sort()
        .reverse(),
    )
    const first = await list('--queue', QUEUES.historicalUpdate, '--limit', '4')
    const second = await list('--queue', QUEUES.historicalUpdate, '--limit', '4', '--before', first[3].id)
    expect([...first, ...second].map((j) => j.id)).toEqual(all.map((j) => j.id))
    expect((await ponte('jobs', 'list', '--queue', QUEUES.historicalUpdate, '--limit', '4')).stdout).toContain(`(more: add --before ${all[3].id})`)
    expect(await ponte('jobs', 'list', '--before', '6a1f0d2e-0000-4000-8000-000000000000')).toMatchObject({ code: 1, stderr: 'before: Not found\n' })
  })

  it('refuses an unknown state, queue, limit or cursor with exit code 2 and one line', async () => {
    expect(await ponte('jobs', 'list', '--state', 'dead')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Unknown --state dead; valid states: created, retry, active, completed, cancelled, failed\n',
    })
    expect(await ponte('jobs', 'list', '--queue', 'emails')).toEqual({
      code: 2,
      stdout: '',
      stderr: `Unknown --queue emails; valid queues: ${Object.values(QUEUES).join(', ')}\n`,
    })
    for (const limit of ['0', '1001', '2.5', 'ten']) expect((await ponte('jobs', 'list', '--limit', limit)).code).toBe(2)
    expect((await ponte('jobs', 'list', '--before', 'nope')).code).toBe(2)
  })
})

describe('the control route', () => {
  let h: Harness
  let dir: string
  let token: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-control-route-'))
    let control: { publish(): void } | undefined
    h = await createHarness({
      configure: (app) => {
        control = serveControl(app, dir, {
          db: async () => h.db,
          cipher: async () => h.app.deps.domain.cipher,
          queue: async () => h.app.deps.domain.jobs,
          webhooks: app.deps.domain.webhooks,
        })
      },
    })
    await h.listen()
    control!.publish()
    token = JSON.parse(readFileSync(join(dir, 'control.json'), 'utf8')).token
  })
  afterAll(async () => {
    await h.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const ask = (remoteAddress: string, payload: unknown, authorization = `Bearer ${token}`) =>
    h.app.inject({
      method: 'POST',
      url: '/_ponte/cli',
      remoteAddress,
      headers: { authorization, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    })

  it('runs a command line for a loopback client with the token', async () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const response = await ask(address, { args: ['keys', 'list', '--json'] })
      expect(response.statusCode).toBe(200)
      const body = response.json()
      expect(body).toMatchObject({ exit_code: 0, stderr: '' })
      expect(JSON.parse(body.stdout)).toContainEqual(expect.objectContaining({ id: h.key.id }))
    }
  })

  it('answers any other host as an unknown path, even with the token', async () => {
    for (const address of ['10.0.0.5', '192.168.1.20', '::ffff:10.0.0.5', '2001:db8::1']) {
      const response = await ask(address, { args: ['keys', 'create', '--json'] })
      expect(response.statusCode).toBe(404)
      expect(response.json()).toEqual([expect.objectContaining({ code: 'not_found' })])
    }
  })

  it('refuses a body that is not a command line', async () => {
    const response = await ask('127.0.0.1', { args: 'keys list' })
    expect(response.statusCode).toBe(400)
    expect(Array.isArray(response.json())).toBe(true)
  })
})
