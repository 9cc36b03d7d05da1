import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createSecretKey } from '../../src/domain/keys.ts'
import { basic, createHarness, type CallResult, type Harness } from '../helpers/harness.ts'
import type { Receiver } from '../helpers/receiver.ts'

type Json = Record<string, any>

/**
 * The seed's client retry policy (DESIGN.md): 5 retries, exponential backoff (base 3 s, factor 2),
 * no retry on a 4xx except too_many_sessions. The test keeps the policy and shrinks the base to
 * 3 ms, so that it follows the same steps in no time.
 */
async function withRetryPolicy(send: () => Promise<CallResult>, baseMs = 3): Promise<{ res: CallResult; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    const res = await send()
    const retryable = res.status >= 500 || res.status === 429 || (res.status === 400 && res.body?.[0]?.code === 'too_many_sessions')
    if (!retryable || attempt === 6) return { res, attempts: attempt }
    await new Promise((resolve) => setTimeout(resolve, baseMs * 2 ** (attempt - 1)))
  }
}

/** POST /sandbox/faults/ (issue 18): an organization's standing faults, for a client under test. */
describe('sandbox fault rules', () => {
  let h: Harness
  let receiver: Receiver
  const rule = async (body: Json, auth?: string) => h.call('POST', '/sandbox/faults/', body, auth ? { auth } : {})
  const linkBody = { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full' }

  beforeAll(async () => {
    h = await createHarness()
    receiver = await h.receiveWebhooks('Bearer faults')
  })
  afterAll(async () => h?.close())

  it('fails the matching requests as many times as it says, and counts them', async () => {
    const created = await rule({ match: { method: 'get', path: '/api/institutions/' }, effect: { status: 503 }, count: 2 })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      match: { method: 'GET', path: '/api/institutions/', link: null, institution: null, webhook_type: null },
      effect: { status: 503, latency_ms: null, institution_error: null },
      remaining: 2,
      probability: 1,
      matched: 0,
    })
    // Another path, and another organization, are untouched.
    expect((await h.call('GET', '/api/links/')).status).toBe(200)
    expect((await h.call('GET', '/api/institutions/?page_size=1', undefined, { auth: h.otherAuth })).status).toBe(200)
    const { res, attempts } = await withRetryPolicy(() => h.call('GET', '/api/institutions/?page_size=1'))
    expect(res.status).toBe(200)
    expect(attempts).toBe(3)
    expect((await h.call('GET', `/sandbox/faults/${created.body.id}/`)).body).toMatchObject({ remaining: 0, matched: 2 })
  })

  it('lets a client following the retry policy through too_many_sessions, and stops it at a 4xx', async () => {
    expect((await rule({ match: { institution: 'erebor_mx_retail' }, effect: { institution_error: 'too_many_sessions' }, count: 2 })).status).toBe(201)
    const busy = await withRetryPolicy(() => h.call('POST', '/api/links/', { ...linkBody, access_mode: 'single' }))
    expect(busy.res.status).toBe(201)
    expect(busy.attempts).toBe(3)

    expect((await rule({ match: { institution: 'erebor_mx_retail' }, effect: { institution_error: 'institution_down' }, count: 1 })).status).toBe(201)
    const down = await withRetryPolicy(() => h.call('POST', '/api/links/', { ...linkBody, access_mode: 'single' }))
    expect(down.attempts).toBe(1)
    expect(down.res.body[0].code).toBe('institution_down')
  })

  it('makes a historical update meet token_required halfway: the link asks for a token and says so by webhook', async () => {
    const link = (await h.call('POST', '/api/links/', { ...linkBody, access_mode: 'recurrent', fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'] })).body
    expect(link.status).toBe('valid')
    // The link's own login succeeded; the next one, the worker's, meets the rule.
    expect((await rule({ match: { link: link.id }, effect: { institution_error: 'token_required' }, count: 1 })).status).toBe(201)
    await h.startWorker()
    await vi.waitFor(
      async () => {
        expect((await h.call('GET', `/api/links/${link.id}/`)).body.status).toBe('token_required')
        expect(
          receiver.hits.some((hit) => hit.body.link_id === link.id && hit.body.webhook_type === 'LINK' && hit.body.webhook_code === 'token_required'),
        ).toBe(true)
      },
      { timeout: 30_000, interval: 100 },
    )
  })

  it('slows the matching requests, never faults /sandbox/ itself, and deletes', async () => {
    const slow = await rule({ match: { path: '/api/links/' }, effect: { latency_ms: 250 }, count: 1 })
    const started = performance.now()
    expect((await h.call('GET', '/api/links/')).status).toBe(200)
    // A lower bound only: a timer never fires early, however loaded the machine.
    expect(performance.now() - started).toBeGreaterThanOrEqual(245)
    expect((await h.call('GET', `/sandbox/faults/${slow.body.id}/`)).body.matched).toBe(1)

    expect((await rule({ effect: { status: 500 } })).status).toBe(201)
    expect((await h.call('GET', '/api/links/')).status).toBe(500)
    const list = await h.call('GET', '/sandbox/faults/')
    expect(list.status).toBe(200)
    expect(list.body.count).toBeGreaterThanOrEqual(2)
    expect((await h.call('DELETE', '/sandbox/faults/')).status).toBe(204)
    expect((await h.call('GET', '/api/links/')).status).toBe(200)
    expect((await h.call('GET', '/sandbox/faults/')).body.count).toBe(0)
    expect((await h.call('DELETE', `/sandbox/faults/${randomUUID()}/`)).status).toBe(404)
  })

  it('applies the first created of the matching rules and lists them in that order, on a pinned clock too', async () => {
    // A pinned clock gives every rule the same instant: only the order of creation can tell them apart.
    const key = await createSecretKey(h.db, { newOrganization: 'rule order', name: 'rule order' })
    const auth = basic(key)
    expect((await h.call('PUT', '/sandbox/clock/', { now: h.clock.now().toISOString() }, { auth })).status).toBe(200)
    const first = await rule({ match: { path: '/api/links/' }, effect: { status: 503 } }, auth)
    const later = []
    for (let i = 0; i < 7; i++) later.push(await rule({ match: { path: '/api/links/' }, effect: { status: 500 } }, auth))
    expect(new Set([first, ...later].map((r) => r.body.created_at)).size).toBe(1)
    expect((await h.call('GET', '/api/links/', undefined, { auth })).status).toBe(503)
    const listed = await h.call('GET', '/sandbox/faults/', undefined, { auth })
    expect(listed.body.results.map((r: Json) => r.id)).toEqual([first, ...later].map((r) => r.body.id))
  })

  it('refuses a rule it cannot apply, with the field', async () => {
    const link = (await h.call('POST', '/api/links/', { ...linkBody, access_mode: 'single' })).body
    const cases: [Json, string][] = [
      [{ effect: {} }, 'effect'],
      [{ effect: { status: 503, institution_error: 'institution_down' } }, 'effect'],
      [{ effect: { status: 418 } }, 'effect.status'],
      [{ effect: { institution_error: 'exploded' } }, 'effect.institution_error'],
      [{ match: { method: 'BREW' }, effect: { status: 503 } }, 'match.method'],
      [{ match: { path: 'api/links/' }, effect: { status: 503 } }, 'match.path'],
      [{ match: { path: '/api/links/' }, effect: { institution_error: 'institution_down' } }, 'match'],
      [{ match: { institution: 'no_such_bank' }, effect: { institution_error: 'institution_down' } }, 'match.institution'],
      [{ match: { link: randomUUID() }, effect: { status: 503 } }, 'match.link'],
      [{ effect: { status: 503 }, count: 0 }, 'count'],
      [{ effect: { status: 503 }, probability: 2 }, 'probability'],
      [{ effect: { webhook_duplicates: 9 } }, 'effect.webhook_duplicates'],
      [{ effect: { webhook_delay_ms: 100, status: 503 } }, 'effect'],
      [{ match: { path: '/api/' }, effect: { webhook_lost_answers: 1 } }, 'match'],
      [{ match: { webhook_type: 'LINK' }, effect: { status: 503 } }, 'match.webhook_type'],
    ]
    for (const [body, field] of cases) {
      const res = await rule(body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body[0].field, JSON.stringify(res.body)).toBe(field)
    }
    const foreign = await rule({ match: { link: link.id }, effect: { status: 503 } }, h.otherAuth)
    expect(foreign.body[0]).toMatchObject({ code: 'does_not_exist', field: 'match.link' })
  })
})

describe('sandbox scenario (PONTE_SANDBOX_SCENARIO)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h?.close())

  it('gives each organization it names exactly its rules, by key or by default the first organization', async () => {
    const { loadScenario } = await import('../../src/domain/sandbox-faults.ts')
    const ctx = h.app.deps.domain
    const scenario = {
      faults: [
        { key: h.otherKey.id, effect: { status: 503 } },
        { effect: { latency_ms: 10 }, match: { path: '/api/links/' } },
      ],
    }
    expect(await loadScenario(ctx, scenario)).toEqual({ organizations: 2, rules: 2 })
    // Loaded again (a restart): the same rules, not twice as many.
    await loadScenario(ctx, scenario)
    expect((await h.call('GET', '/sandbox/faults/', undefined, { auth: h.otherAuth })).body.count).toBe(1)
    expect((await h.call('GET', '/api/links/', undefined, { auth: h.otherAuth })).status).toBe(503)

    await expect(loadScenario(ctx, { faults: [{ effect: { institution_error: 'nope' } }] })).rejects.toThrow('faults[0].effect.institution_error: nope')
    await expect(loadScenario(ctx, { faults: [{ key: 'no-such-key', effect: { status: 503 } }] })).rejects.toThrow('faults[0].key: no secret key no-such-key')
    await expect(loadScenario(ctx, [])).rejects.toThrow('"faults" array')
  })
})

describe('sandbox webhook fault rules', () => {
  let h: Harness
  let receiver: Receiver
  const rule = async (body: Json) => h.call('POST', '/sandbox/faults/', body)
  const linkBody = { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full' }

  beforeAll(async () => {
    h = await createHarness()
    receiver = await h.receiveWebhooks('Bearer webhook-faults')
    await h.startWorker()
  })
  afterAll(async () => h?.close())

  it('repeats, delays and loses the answers of the matching webhooks', async () => {
    const link = (await h.call('POST', '/api/links/', { ...linkBody, access_mode: 'single' })).body
    const owners = (id: string) => receiver.hits.filter((hit) => hit.eventId === id)
    const fire = async (webhook_type: string) =>
      (await h.call('POST', '/sandbox/webhooks/', { webhook_type, webhook_code: 'historical_update', link: link.id })).body.webhook_id as string

    expect((await rule({ match: { webhook_type: 'OWNERS' }, effect: { webhook_duplicates: 2 }, count: 1 })).status).toBe(201)
    const repeated = await fire('OWNERS')
    await vi.waitFor(() => expect(owners(repeated)).toHaveLength(3), { timeout: 20_000, interval: 50 })
    expect(new Set(owners(repeated).map((hit) => hit.raw)).size).toBe(1)

    expect((await rule({ match: { webhook_type: 'ACCOUNTS', link: link.id }, effect: { webhook_lost_answers: 1 }, count: 1 })).status).toBe(201)
    const lost = await fire('ACCOUNTS')
    await vi.waitFor(() => expect(owners(lost)).toHaveLength(1), { timeout: 20_000, interval: 50 })
    const [delivery] = (await h.db.query<{ id: string }>('SELECT id FROM webhook_deliveries WHERE event_id = $1', [lost])) as { id: string }[]
    await vi.waitFor(
      async () => expect((await h.call('GET', `/api/webhooks/deliveries/${delivery.id}/`)).body).toMatchObject({ status: 'pending', attempts: 1 }),
      { timeout: 20_000, interval: 50 },
    )
    // Ponte retries on its schedule (3 s): the receiver, which answered 200, gets the event again.
    h.clock.advance(3_000)
    await vi.waitFor(() => expect(owners(lost)).toHaveLength(2), { timeout: 20_000, interval: 50 })
    // The receiver has it; the dispatcher records the attempt just after: wait for the record.
    const detail = await vi.waitFor(
      async () => {
        const res = await h.call('GET', `/api/webhooks/deliveries/${delivery.id}/`)
        expect(res.body.status).toBe('succeeded')
        return res
      },
      { timeout: 20_000, interval: 50 },
    )
    expect(detail.body.attempts_log[0].error).toMatch(/^sandbox fault: the answer was lost/)

    expect((await rule({ match: { webhook_type: 'BALANCES' }, effect: { webhook_delay_ms: 60_000 }, count: 1 })).status).toBe(201)
    const delayed = await fire('BALANCES')
    const next = await fire('OWNERS')
    await vi.waitFor(() => expect(owners(next)).toHaveLength(1), { timeout: 20_000, interval: 50 })
    expect(owners(delayed)).toHaveLength(0)
    h.clock.advance(60_000)
    await vi.waitFor(() => expect(owners(delayed)).toHaveLength(1), { timeout: 20_000, interval: 50 })
  })
})
