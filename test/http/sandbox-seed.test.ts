import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCommand, runCommand } from '../../src/commands.ts'
import { createSecretKey, type SecretKey } from '../../src/domain/keys.ts'
import { commandRunner } from '../helpers/commands.ts'
import { basic, createHarness, type Harness } from '../helpers/harness.ts'

type Json = Record<string, any>

// The harness's clock starts there: pinning it walks no days.
const NOW = '2026-01-15T12:00:00Z'
const RETAIL = { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' }
const MFA = { institution: 'heimdall_br_retail', username: 'mfa_numeric', password: 'numeric_code' }

/** One request of an organization, its body as sent (the bytes compared). */
async function send(h: Harness, auth: string, method: string, url: string, body?: unknown) {
  const res = await h.app.inject({
    method: method as 'GET',
    url,
    headers: { authorization: auth, 'content-type': 'application/json' },
    payload: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.statusCode, text: res.body, json: res.body ? (JSON.parse(res.body) as any) : undefined, requestId: res.headers['x-request-id'] }
}

/** A key in a new organization (its id random, as the organization's). */
const newOrganization = (h: Harness) => createSecretKey(h.db, { newOrganization: 'determinism', name: 'determinism' })

/**
 * A key in the organization CI runs as, with the same id on every database: its id is in what ids
 * are drawn from, and links carry it (`created_by`). The key's own id is random, and in no answer.
 */
const ciOrganization = (h: Harness) => createSecretKey(h.db, { newOrganization: 'ci', newOrganizationId: '0f5f8f8e-0000-4000-8000-00000000c1c1', name: 'ci' })

/**
 * A scenario of an organization with `seed` and a pinned clock: what each response said (but
 * `background_work`, the job queue's state on the server's clock), the one secret (a webhook
 * signing secret) taken out, and that secret apart.
 */
async function scenario(h: Harness, seed: string, key: SecretKey) {
  const auth = basic(key)
  const call = (method: string, url: string, body?: unknown) => send(h, auth, method, url, body)
  expect((await call('PUT', '/sandbox/seed/', { seed })).status).toBe(200)
  const answers: string[] = []
  const record = async (method: string, url: string, body?: unknown) => {
    const res = await call(method, url, body)
    answers.push(`${method} ${url} ${res.status} ${res.requestId} ${res.text.replace(/,"background_work":\{[^}]*\}/, '')}`)
    return res
  }
  await record('PUT', '/sandbox/clock/', { now: NOW })
  const link = (await record('POST', '/api/links/', RETAIL)).json
  expect(link.id).toBeDefined()
  await record('POST', '/api/accounts/', { link: link.id })
  await record('POST', '/api/transactions/', { link: link.id, date_from: '2026-01-08', date_to: '2026-01-14' })
  await record('GET', `/api/accounts/?link=${link.id}`)
  await record('GET', `/api/transactions/?link=${link.id}&page_size=5`)
  // An error, with its request_id; and a validation error, answered before the handler.
  await record('GET', '/api/links/0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001/')
  await record('POST', '/api/links/', { institution: 'erebor_mx_retail' })
  // MFA: the session id, then the link the token completes.
  const mfa = (await record('POST', '/api/links/', MFA)).json[0]
  await record('PATCH', '/api/links/', { session: mfa.session, token: '111111', link: mfa.link })
  // A webhook on demand: its id and payload (its endpoint's signing secret stays random).
  const endpoint = await call('POST', '/api/webhooks/', { url: 'https://example.com/hooks', authorization: 'Bearer seeded' })
  expect(endpoint.status).toBe(201)
  const { secret, ...rest } = endpoint.json as Json
  answers.push(JSON.stringify(rest))
  await record('POST', '/sandbox/webhooks/', { link: link.id, webhook_type: 'TRANSACTIONS', webhook_code: 'new_transactions_available' })
  await record('GET', '/sandbox/seed/')
  // A move of the clock from the command line draws from the seed too: a recurrent link's refresh
  // falls due in it, and what it stores is listed.
  const recurrent = (await record('POST', '/api/links/', { ...RETAIL, access_mode: 'recurrent' })).json
  const domain = h.app.deps.domain
  const ponte = commandRunner({
    db: async () => h.db,
    cipher: async () => domain.cipher,
    queue: async () => domain.jobs,
    webhooks: { allowPrivateDestinations: true },
  })
  const moved = await ponte('sandbox', 'clock', 'advance', 'P8D', '--organization-id', key.organizationId, '--json')
  expect(moved.code, moved.stderr).toBe(0)
  expect(JSON.parse(moved.stdout).ran.refreshes).toBeGreaterThan(0)
  answers.push(moved.stdout)
  await record('GET', `/api/transactions/?link=${recurrent.id}&page_size=5`)
  return { key, link, answers, secret: secret as string | undefined }
}

/** /sandbox/seed/ (issue 18, docs/determinism.md): the same seed, clock and requests give the same bytes. */
describe('sandbox seed', () => {
  let a: Harness
  let b: Harness

  beforeAll(async () => {
    ;[a, b] = await Promise.all([createHarness(), createHarness()])
  })
  afterAll(async () => Promise.all([a?.close(), b?.close()]))

  it('gives byte-identical responses, ids included, on two fresh databases; random ones without a seed; secrets stay random', async () => {
    const first = await scenario(a, 'ci-42', await ciOrganization(a))
    const second = await scenario(b, 'ci-42', await ciOrganization(b))
    expect(first.answers).toHaveLength(16)
    // Not a vacuous comparison: all but the clock's, the seed's and the CLI's answers carry ids.
    expect(first.answers.filter((answer) => /"id":"|"request_id":"|"session":"|"webhook_id":"/.test(answer))).toHaveLength(13)
    expect(first.answers.find((answer) => answer.startsWith('POST /sandbox/webhooks/ '))).toMatch(/^POST \/sandbox\/webhooks\/ 202 /)
    expect(second.answers).toEqual(first.answers)
    expect(first.secret).toMatch(/^whsec_/)
    expect(second.secret).not.toBe(first.secret)

    // Without a seed, the same requests draw other ids on each database.
    const unseeded = await Promise.all(
      [a, b].map(async (h) => {
        const auth = basic(await newOrganization(h))
        await send(h, auth, 'PUT', '/sandbox/clock/', { now: NOW })
        return send(h, auth, 'POST', '/api/links/', RETAIL)
      }),
    )
    expect(unseeded.map((res) => res.status)).toEqual([201, 201])
    expect(unseeded[0].json.id).not.toBe(unseeded[1].json.id)
    expect(unseeded[0].requestId).not.toBe(unseeded[1].requestId)
    expect([first.link.id, second.link.id]).not.toContain(unseeded[0].json.id)
  })

  it('keeps organizations with the same seed apart, refuses bad seeds, clears and answers the CLI', async () => {
    const one = await scenario(a, 'shared', await newOrganization(a))
    const two = await scenario(a, 'shared', await newOrganization(a))
    expect(
      JSON.parse(
        two.answers
          .find((answer) => answer.startsWith('GET /sandbox/seed/ '))!
          .split(' ')
          .slice(4)
          .join(' '),
      ),
    ).toMatchObject({ seed: 'shared' })
    expect(two.link.id).not.toBe(one.link.id)
    // No id, request id, MFA session or webhook id of one is the other's.
    const ids = (answers: string[]) => new Set([...answers.join(' ').matchAll(/"(?:id|request_id|session|webhook_id)":"([^"]+)"/g)].map((m) => m[1]))
    const mine = ids(one.answers)
    expect(mine.size).toBeGreaterThan(20)
    expect([...ids(two.answers)].filter((id) => mine.has(id))).toEqual([])

    const auth = basic(one.key)
    for (const body of [{}, { seed: '' }, { seed: 42 }, { seed: 'x'.repeat(201) }]) {
      const res = await send(a, auth, 'PUT', '/sandbox/seed/', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.json[0]).toMatchObject({ field: 'seed', request_id: expect.any(String) })
    }
    expect((await send(a, auth, 'DELETE', '/sandbox/seed/')).json).toEqual({ seed: null, updated_at: null })
    expect((await send(a, auth, 'GET', '/sandbox/seed/')).json.seed).toBeNull()
    // Another organization's seed is not this one's.
    expect((await send(a, a.otherAuth, 'GET', '/sandbox/seed/')).json.seed).toBeNull()

    const domain = a.app.deps.domain
    const ctx = { db: async () => a.db, cipher: async () => domain.cipher, queue: async () => domain.jobs, webhooks: { allowPrivateDestinations: true } }
    const run = async (...argv: string[]) => {
      const out: string[] = []
      const code = await runCommand(ctx, parseCommand(['sandbox', 'seed', ...argv, '--organization-id', one.key.organizationId]), {
        out: (text) => out.push(text),
        err: (text) => out.push(text),
      })
      return { code, out: out.join('\n') }
    }
    expect(await run('set', 'shared')).toMatchObject({ code: 0, out: expect.stringMatching(/^seed: {3}shared \(set \S+Z\)\norganization: /) })
    expect(JSON.parse((await run('get', '--json')).out)).toMatchObject({ seed: 'shared' })
    expect((await run('reset')).code).toBe(0)
    expect((await run('set')).code).toBe(2)
    expect((await send(a, auth, 'GET', '/sandbox/seed/')).json.seed).toBeNull()
    // A key in an organization of a chosen id, created if new (the CI set-up of docs/determinism.md).
    const created = async (...argv: string[]) => {
      const out: string[] = []
      const code = await runCommand(ctx, parseCommand(['keys', 'create', '--json', ...argv]), { out: (text) => out.push(text), err: (text) => out.push(text) })
      return { code, out: out.join('\n') }
    }
    const fixed = '0f5f8f8e-0000-4000-8000-0000000000f1'
    expect(JSON.parse((await created('--organization', 'ci', '--organization-id', fixed)).out).organization_id).toBe(fixed)
    expect(JSON.parse((await created('--organization-id', fixed)).out).organization_id).toBe(fixed)
    expect((await created('--organization-id', 'nope')).code).toBe(2)
  })
})
