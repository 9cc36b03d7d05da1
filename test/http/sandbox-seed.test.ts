import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCommand, runCommand } from '../../src/commands.ts'
import { createSecretKey } from '../../src/domain/keys.ts'
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

/**
 * A scenario of a fresh organization with `seed` (none: random ids) and a pinned clock: what each
 * response said, the one secret (a webhook signing secret) taken out, and that secret apart.
 */
async function scenario(h: Harness, seed: string | undefined) {
  const key = await createSecretKey(h.db, { newOrganization: 'determinism', name: 'determinism' })
  const auth = basic(key)
  const call = (method: string, url: string, body?: unknown) => send(h, auth, method, url, body)
  if (seed) expect((await call('PUT', '/sandbox/seed/', { seed })).status).toBe(200)
  const answers: string[] = []
  const record = async (method: string, url: string, body?: unknown) => {
    const res = await call(method, url, body)
    answers.push(`${method} ${url} ${res.status} ${res.requestId} ${res.text}`)
    return res
  }
  await record('PUT', '/sandbox/clock/', { now: NOW })
  const link = (await record('POST', '/api/links/', RETAIL)).json
  expect(link.id).toBeDefined()
  await record('POST', '/api/accounts/', { link: link.id })
  await record('POST', '/api/transactions/', { link: link.id, date_from: '2026-02-20', date_to: '2026-02-28' })
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
    const first = await scenario(a, 'ci-42')
    const second = await scenario(b, 'ci-42')
    // Not a vacuous comparison: every answer carries ids.
    expect(first.answers).toHaveLength(13)
    // (All but the clock's and the seed's.)
    expect(first.answers.filter((answer) => /"id":"|"request_id":"|"session":"|"webhook_id":"/.test(answer))).toHaveLength(11)
    expect(first.answers.at(-2)).toMatch(/^POST \/sandbox\/webhooks\/ 202 /)
    expect(second.answers).toEqual(first.answers)
    expect(first.secret).toMatch(/^whsec_/)
    expect(second.secret).not.toBe(first.secret)

    // Without a seed, the same scenario draws other ids, on each database.
    const [randomA, randomB] = await Promise.all([scenario(a, undefined), scenario(b, undefined)])
    expect(randomA.link.id).not.toBe(randomB.link.id)
    expect(randomA.link.id).not.toBe(first.link.id)
    expect(randomA.answers[1]).not.toBe(randomB.answers[1])
  })

  it('keeps organizations with the same seed apart, refuses bad seeds, clears and answers the CLI', async () => {
    // `a` holds the seed's first organization (slot 1) from the test above, or none when run alone.
    const one = await scenario(a, 'shared')
    const two = await scenario(a, 'shared')
    expect(JSON.parse(one.answers.at(-1)!.split(' ').slice(4).join(' '))).toMatchObject({ seed: 'shared', slot: 1 })
    expect(JSON.parse(two.answers.at(-1)!.split(' ').slice(4).join(' '))).toMatchObject({ seed: 'shared', slot: 2 })
    expect(two.link.id).not.toBe(one.link.id)
    const ids = (answers: string[]) => new Set(answers.join(' ').match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}/g))
    const shared = [...ids(one.answers)].filter((id) => ids(two.answers).has(id))
    // Only what is not an id of theirs: the institution's and the unknown link of the error.
    expect(shared.every((id) => !one.answers.some((answer) => answer.includes(`"id":"${id}"`) && !answer.includes('/api/links/0f5f'))), shared.join()).toBe(true)

    const auth = basic(one.key)
    for (const body of [{}, { seed: '' }, { seed: 42 }, { seed: 'x'.repeat(201) }]) {
      const res = await send(a, auth, 'PUT', '/sandbox/seed/', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.json[0]).toMatchObject({ field: 'seed', request_id: expect.any(String) })
    }
    expect((await send(a, auth, 'DELETE', '/sandbox/seed/')).json).toEqual({ seed: null, slot: null, updated_at: null })
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
    expect(await run('set', 'shared')).toMatchObject({ code: 0, out: expect.stringMatching(/^seed: {3}shared \(slot 1, set /) })
    expect(JSON.parse((await run('get', '--json')).out)).toMatchObject({ seed: 'shared', slot: 1 })
    expect((await run('reset')).code).toBe(0)
    expect((await run('set')).code).toBe(2)
    expect((await send(a, auth, 'GET', '/sandbox/seed/')).json.seed).toBeNull()
  })
})
