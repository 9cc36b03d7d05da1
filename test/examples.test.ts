import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { startServer, type RunningServer } from '../src/main.ts'
import { createTestDatabase } from './helpers/db.ts'
import { PROCESS_MS, processTestTimeout } from './helpers/processes.ts'
import { startReceiver, type Receiver } from './helpers/receiver.ts'

const ROOT = new URL('../', import.meta.url)
const EXAMPLES = ['tour.sh', 'sdk-quickstart.mjs', 'links.sh', 'webhooks.sh']
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8')
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The fenced block that follows the README's link to `examples/<name>`. */
function readmeBlock(readme: string, name: string): string | undefined {
  const at = readme.indexOf(`](examples/${name})`)
  if (at < 0) return undefined
  return /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at))?.[1]
}

describe('the README shows the examples as they are', () => {
  it.each(EXAMPLES)('examples/%s', (name) => {
    expect(readmeBlock(read('README.md'), name)).toBe(read(`examples/${name}`))
  })
})

/**
 * Every example, run as a newcomer would: against a server started as `npm start` starts it,
 * with the secret key it prints at its first start. The examples are separate processes (curl,
 * node), so each test's timeout allows for a loaded machine.
 */
describe('the examples run against a fresh server', () => {
  let dir: string
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  let server: RunningServer
  let receiver: Receiver
  let env: Record<string, string>

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-examples-'))
    database = await createTestDatabase()
    receiver = await startReceiver()
    const printed: string[] = []
    server = await startServer(
      loadConfig({
        PORT: '0',
        LOG_LEVEL: 'silent',
        PONTE_DATA_DIR: dir,
        PONTE_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        // The webhook example's receiver is on loopback, which a production server may refuse.
        PONTE_WEBHOOK_ALLOW_PRIVATE: 'true',
        ...(database.url ? { DATABASE_URL: database.url } : {}),
      }),
      { print: (text) => printed.push(text) },
    )
    const id = /secret key id:\s+(\S+)/.exec(printed.join('\n'))?.[1]
    const password = /secret key password:\s+(\S+)/.exec(printed.join('\n'))?.[1]
    if (!id || !password) throw new Error(`no key printed at the first start: ${printed.join('\n')}`)
    env = { ...(process.env as Record<string, string>), ID: id, PASSWORD: password, URL: server.url, WEBHOOK_URL: `${receiver.url}/hooks` }
  }, processTestTimeout(1))

  afterAll(async () => {
    await server?.close()
    await receiver?.close()
    await database?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  const run = async (name: string) => {
    const path = new URL(`examples/${name}`, ROOT).pathname
    const [command, args] = name.endsWith('.sh') ? ['sh', [path]] : [process.execPath, [path]]
    const { stdout } = await promisify(execFile)(command, args, {
      env,
      cwd: new URL('examples/', ROOT).pathname,
      timeout: PROCESS_MS,
      maxBuffer: 64 * 1024 * 1024,
    })
    return stdout.trimEnd().split('\n')
  }

  it(
    'tour.sh: the login probe, institutions listed, filtered and shown, a 401 and a Spanish 400',
    async () => {
      const lines = (await run('tour.sh')).map((line) => JSON.parse(line))
      expect(lines).toHaveLength(6)
      const [root, page, projected, erebor, unauthorized, spanish] = lines
      expect(root.institutions).toBe(`${server.url}/api/institutions/`)
      expect(page.results).toHaveLength(2)
      expect(page.results.every((i: { country_codes: string[] }) => i.country_codes.includes('MX'))).toBe(true)
      expect(page.next).toContain('page=2')
      expect(projected.results.length).toBeGreaterThan(0)
      for (const institution of projected.results) expect(Object.keys(institution).sort()).toEqual(['id', 'name'])
      expect(erebor).toMatchObject({ id: 1004, name: 'erebor_mx_retail' })
      expect(unauthorized).toEqual([{ request_id: expect.stringMatching(/^[a-f0-9]{32}$/), code: 'authentication_failed', message: 'Invalid Secret Keys' }])
      expect(spanish).toEqual([expect.objectContaining({ code: 'invalid_choice', field: 'type', message: '"gig" no es una opción válida.' })])
    },
    processTestTimeout(1),
  )

  it(
    'sdk-quickstart.mjs: the official SDK as an ES module lists banks, shows one, links and reads accounts',
    async () => {
      const lines = await run('sdk-quickstart.mjs')
      expect(lines[0]).toMatch(/^\d+ Mexican banks: .*\berebor_mx_retail\b/)
      expect(lines[1]).toBe('institution 1004: Erebor Bank (erebor_mx_retail)')
      const linked = /^link (\S+): (\d+) accounts$/.exec(lines[2])
      expect(linked?.[1]).toMatch(UUID)
      expect(Number(linked?.[2])).toBeGreaterThan(0)
      expect(lines.slice(3)).toHaveLength(Number(linked?.[2]))
      for (const line of lines.slice(3)) expect(line).toMatch(/^ {2}[A-Z_]+ .+: -?[\d.]+ MXN$/)
    },
    processTestTimeout(1),
  )

  it(
    'links.sh: a link, its accounts and transactions, then an MFA link completed with its token',
    async () => {
      const [first, ...rest] = await run('links.sh')
      const link = /^link (\S+)$/.exec(first)?.[1]
      expect(link).toMatch(UUID)
      const [accounts, retrieved, listed, challenge, completed] = rest.map((line) => JSON.parse(line))
      expect(accounts.length).toBeGreaterThan(0)
      expect(accounts.every((a: { link: string }) => a.link === link)).toBe(true)
      expect(retrieved.length).toBeGreaterThan(0)
      for (const t of retrieved) expect(t.value_date >= '2025-12-01' && t.value_date <= '2026-01-31', t.value_date).toBe(true)
      expect(listed.results.length).toBeGreaterThan(0)
      for (const t of listed.results) expect(t).toMatchObject({ type: 'INFLOW', account: expect.objectContaining({ link }) })
      for (const t of listed.results) expect(t.amount).toBeGreaterThanOrEqual(1000)
      expect(challenge).toEqual([expect.objectContaining({ code: 'token_required', session: expect.any(String), link: expect.stringMatching(UUID) })])
      expect(completed).toMatchObject({ id: challenge[0].link, institution: 'heimdall_mx_retail', status: 'valid' })
    },
    processTestTimeout(1),
  )

  it(
    'webhooks.sh: an endpoint, then a link whose background fetch it receives',
    async () => {
      const [endpoint, link] = (await run('webhooks.sh')).map((line) => JSON.parse(line))
      expect(endpoint).toMatchObject({ url: `${receiver.url}/hooks`, secret: expect.stringMatching(/^whsec_/) })
      expect(link).toMatchObject({ id: expect.stringMatching(UUID), fetch_resources: ['ACCOUNTS', 'OWNERS'] })
      const ofLink = (all: Receiver['hits']) => all.filter((hit) => hit.body.link_id === link.id)
      await receiver.waitFor((all) => ofLink(all).length >= 2, PROCESS_MS)
      expect(
        ofLink(receiver.hits)
          .map((hit) => hit.body.webhook_type)
          .sort(),
      ).toEqual(['ACCOUNTS', 'OWNERS'])
      for (const hit of ofLink(receiver.hits)) {
        expect(hit).toMatchObject({ path: '/hooks', headers: expect.objectContaining({ authorization: 'Bearer my-receiver-token' }) })
        expect(hit.body).toMatchObject({ webhook_code: 'historical_update' })
      }
    },
    processTestTimeout(1),
  )
})
