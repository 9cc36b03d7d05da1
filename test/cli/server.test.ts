import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { startServer } from '../../src/main.ts'
import { createTestDatabase } from '../helpers/db.ts'
import { basic } from '../helpers/harness.ts'
import { processTestTimeout } from '../helpers/processes.ts'

describe('server start-up and shutdown', () => {
  const encryptionKey = randomBytes(32).toString('base64')
  let dir: string
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-start-'))
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  const config = (env: Record<string, string> = {}) =>
    loadConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      PONTE_DATA_DIR: dir,
      ...(database.url ? { DATABASE_URL: database.url, PONTE_ENCRYPTION_KEY: encryptionKey } : {}),
      ...env,
    })

  // Each test starts servers on the embedded database: minutes allowed on a loaded machine.
  it(
    'creates and prints a key on the first start only, and that key works',
    async () => {
      const printed: string[] = []
      const first = await startServer(config(), { print: (t) => printed.push(t) })
      const id = /secret key id:\s+(\S+)/.exec(printed.join('\n'))?.[1]
      const password = /secret key password:\s+(\S+)/.exec(printed.join('\n'))?.[1]
      expect(id && password).toBeTruthy()
      const res = await fetch(`${first.url}/api/`, { headers: { authorization: basic({ id: id!, password: password! }) } })
      expect(res.status).toBe(200)
      await first.close()

      const again: string[] = []
      const second = await startServer(config(), { print: (t) => again.push(t) })
      expect(again).toEqual([])
      await second.close()
    },
    processTestTimeout(2),
  )

  it(
    'guarantees the key given in the environment, and follows a password change',
    async () => {
      const env = { PONTE_SECRET_KEY_ID: 'ci-key', PONTE_SECRET_KEY_PASSWORD: 'first-password' }
      let server = await startServer(config(env), { print: () => {} })
      expect((await fetch(`${server.url}/api/`, { headers: { authorization: basic({ id: 'ci-key', password: 'first-password' }) } })).status).toBe(200)
      await server.close()
      server = await startServer(config({ ...env, PONTE_SECRET_KEY_PASSWORD: 'second-password' }), { print: () => {} })
      expect((await fetch(`${server.url}/api/`, { headers: { authorization: basic({ id: 'ci-key', password: 'first-password' }) } })).status).toBe(401)
      expect((await fetch(`${server.url}/api/`, { headers: { authorization: basic({ id: 'ci-key', password: 'second-password' }) } })).status).toBe(200)
      await server.close()
    },
    processTestTimeout(2),
  )

  it(
    'finishes in-flight requests before closing, and refuses new ones',
    async () => {
      const env = { PONTE_SECRET_KEY_ID: 'drain-key', PONTE_SECRET_KEY_PASSWORD: 'drain-password' }
      // The request is in its handler when the server starts closing, and finishes only after:
      // signalled both ways, not guessed with sleeps that a loaded machine outlasts.
      let entered!: () => void
      const inHandler = new Promise<void>((resolve) => {
        entered = resolve
      })
      let release!: () => void
      const released = new Promise<void>((resolve) => {
        release = resolve
      })
      const server = await startServer(config(env), {
        print: () => {},
        configure: (app) =>
          app.get('/slow', async () => {
            entered()
            await released
            return { done: true }
          }),
      })
      const inflight = fetch(`${server.url}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }))
      await inHandler
      const closing = server.close()
      release()
      expect(await inflight).toEqual({ status: 200, body: { done: true } })
      await closing
      await expect(fetch(`${server.url}/health`)).rejects.toThrow()
    },
    processTestTimeout(1),
  )

  it(
    'loads the sandbox scenario of PONTE_SANDBOX_SCENARIO before the first request, and refuses to start on a bad one',
    async () => {
      const env = { PONTE_SECRET_KEY_ID: 'scenario-key', PONTE_SECRET_KEY_PASSWORD: 'scenario-password' }
      const file = join(dir, 'scenario.json')
      writeFileSync(file, JSON.stringify({ faults: [{ key: 'scenario-key', match: { path: '/api/institutions/' }, effect: { status: 503 }, count: 1 }] }))
      const bad = join(dir, 'bad-scenario.json')
      writeFileSync(bad, JSON.stringify({ faults: [{ key: 'scenario-key', effect: { status: 418 } }] }))
      await expect(startServer(config({ ...env, PONTE_SANDBOX_SCENARIO: bad }), { print: () => {} })).rejects.toThrow(
        /PONTE_SANDBOX_SCENARIO .*bad-scenario\.json: faults\[0\]\.effect\.status: 418/,
      )
      const server = await startServer(config({ ...env, PONTE_SANDBOX_SCENARIO: file }), { print: () => {} })
      const auth = { authorization: basic({ id: 'scenario-key', password: 'scenario-password' }) }
      expect((await fetch(`${server.url}/api/institutions/?page_size=1`, { headers: auth })).status).toBe(503)
      expect((await fetch(`${server.url}/api/institutions/?page_size=1`, { headers: auth })).status).toBe(200)
      await server.close()
    },
    processTestTimeout(2),
  )

  it('refuses a half-configured key pair', () => {
    expect(() => config({ PONTE_SECRET_KEY_ID: 'only-id' })).toThrow(/both PONTE_SECRET_KEY_ID and PONTE_SECRET_KEY_PASSWORD/)
  })
})
