import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { emitWebhook } from '../../src/domain/webhooks.ts'
import { createHarness, type CallResult, type Harness } from '../helpers/harness.ts'
import { registerRealIntegration } from '../helpers/sandbox-connector.ts'
import type { Hit, Receiver } from '../helpers/receiver.ts'

type Json = Record<string, any>

/** A real integration (not the sandbox) for one institution: faults never reach its links. */
const REAL_INSTITUTION = 'gotham_mx_retail'
const WAIT = { timeout: 20_000, interval: 50 }

/**
 * The seed's client retry policy (DESIGN.md), as a client would implement it: at most 5 retries,
 * waiting 3 s, then twice as long each time; a 5xx (or no answer) is retried, a 4xx is not, except
 * Belvo's `too_many_sessions`. `sleep` is injected, so the test records the waits instead of
 * spending them.
 */
async function withRetries(send: () => Promise<CallResult>, sleep: (ms: number) => Promise<void>): Promise<CallResult> {
  const retries = 5
  for (let attempt = 0; ; attempt++) {
    const res = await send()
    const retryable = res.status >= 500 || (res.status === 400 && res.body?.[0]?.code === 'too_many_sessions')
    if (!retryable || attempt === retries) return res
    await sleep(3_000 * 2 ** attempt)
  }
}

/** A client under test: every attempt's status and every wait it chose, in order. */
function recordingClient(h: Harness) {
  const log: (number | string)[] = []
  const sleep = async (ms: number) => {
    log.push(`wait ${ms}`)
  }
  const call = (method: string, url: string, body?: Json) =>
    withRetries(async () => {
      const res = await h.call(method, url, body)
      log.push(res.status)
      return res
    }, sleep)
  return { log, call }
}

/**
 * Fault rules by resource, partial success, token_required halfway, webhook reordering (issue 18),
 * and a client that follows the seed's retry policy through injected faults.
 */
describe('sandbox fault rules: resources, reordering, retry policy', () => {
  let h: Harness
  let receiver: Receiver
  const rule = async (body: Json) => {
    const res = await h.call('POST', '/sandbox/faults/', body)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body
  }
  const linkBody = { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full' }
  const hitsOf = (linkId: string) => receiver.hits.filter((hit) => hit.body.link_id === linkId)
  const find = (hits: Hit[], type: string, code = 'historical_update') => hits.find((hit) => hit.body.webhook_type === type && hit.body.webhook_code === code)

  beforeAll(async () => {
    h = await createHarness({ configure: (app) => registerRealIntegration(app, REAL_INSTITUTION) })
    receiver = await h.receiveWebhooks('Bearer resource-faults')
    await h.startWorker()
  })
  afterAll(async () => h?.close())

  it('fails only the resource a rule names: the historical update reports it and fetches the others', async () => {
    const owners = await rule({ match: { resource: 'OWNERS' }, effect: { institution_error: 'institution_down' }, count: 1 })
    expect(owners).toMatchObject({ match: { resource: 'OWNERS' }, effect: { institution_error: 'institution_down' } })
    // The link's own login fetches no resource: the rule waits for the historical update's OWNERS.
    const link = await h.call('POST', '/api/links/', { ...linkBody, access_mode: 'single', fetch_resources: ['ACCOUNTS', 'OWNERS', 'TRANSACTIONS'] })
    expect(link.status).toBe(201)
    const hits = await receiver.waitFor(() => ['ACCOUNTS', 'OWNERS', 'TRANSACTIONS'].every((type) => find(hitsOf(link.body.id), type)))
    const mine = hits.filter((hit) => hit.body.link_id === link.body.id)
    expect(find(mine, 'OWNERS')!.body.data).toEqual({
      error_code: 'institution_down',
      error_message: 'The financial institution is down, try again later',
      status: 400,
    })
    expect(find(mine, 'ACCOUNTS')!.body.data.total_accounts).toBeGreaterThan(0)
    expect(find(mine, 'TRANSACTIONS')!.body.data.total_transactions).toBeGreaterThan(0)
    expect((await h.call('GET', `/api/links/${link.body.id}/`)).body.status).toBe('valid')
    expect((await h.call('GET', `/api/owners/?link=${link.body.id}`)).body.count).toBe(0)
    expect((await h.call('GET', `/sandbox/faults/${owners.id}/`)).body).toMatchObject({ remaining: 0, matched: 1 })

    // In a request, the same rule fails that resource's retrieval and nothing else.
    await rule({ match: { resource: 'OWNERS', link: link.body.id }, effect: { institution_error: 'institution_unavailable' }, count: 1 })
    expect((await h.call('POST', '/api/accounts/', { link: link.body.id })).status).toBe(201)
    const refused = await h.call('POST', '/api/owners/', { link: link.body.id })
    expect(refused.status).toBe(400)
    expect(refused.body[0].code).toBe('institution_unavailable')
    expect((await h.call('POST', '/api/owners/', { link: link.body.id })).status).toBe(201)
  })

  it('meets token_required halfway through a historical update: what came before is kept and announced', async () => {
    await rule({ match: { resource: 'TRANSACTIONS' }, effect: { institution_error: 'token_required' }, count: 1 })
    const link = (await h.call('POST', '/api/links/', { ...linkBody, access_mode: 'recurrent', fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'] })).body
    await receiver.waitFor(() => find(hitsOf(link.id), 'LINK', 'token_required') !== undefined && find(hitsOf(link.id), 'ACCOUNTS') !== undefined)
    expect(find(hitsOf(link.id), 'LINK', 'token_required')!.body.data).toMatchObject({ error_code: 'token_required', status: 428 })
    // The update stopped at TRANSACTIONS (its LINK webhook was the last thing it sent).
    expect(find(hitsOf(link.id), 'TRANSACTIONS')).toBeUndefined()
    expect((await h.call('GET', `/api/links/${link.id}/`)).body.status).toBe('token_required')
    expect((await h.call('GET', `/api/accounts/?link=${link.id}`)).body.count).toBeGreaterThan(0)
    expect((await h.call('GET', `/api/transactions/?link=${link.id}`)).body.count).toBe(0)
  })

  it('holds the next matching webhooks and sends them in reverse order', async () => {
    // Its historical update sends ACCOUNTS only: the OWNERS events are the ones fired here.
    const link = (await h.call('POST', '/api/links/', { ...linkBody, access_mode: 'single', fetch_resources: ['ACCOUNTS'] })).body
    const reorder = await rule({ match: { link: link.id, webhook_type: 'OWNERS' }, effect: { webhook_reorder: 3 }, count: 3 })
    expect(reorder.effect.webhook_reorder).toBe(3)
    const fire = async (n: number) =>
      (await h.call('POST', '/sandbox/webhooks/', { webhook_type: 'OWNERS', webhook_code: 'historical_update', link: link.id, data: { n } })).body
        .webhook_id as string
    const first = await fire(1)
    const second = await fire(2)
    // Held: pending, due only when the rule lets it go.
    const [held] = await h.db.query<{ id: string }>('SELECT id FROM webhook_deliveries WHERE event_id = $1', [first])
    const detail = (await h.call('GET', `/api/webhooks/deliveries/${held.id}/`)).body
    expect(detail).toMatchObject({ status: 'pending', attempts: 0 })
    expect(detail.next_attempt_at).toMatch(/^9999-/)
    const third = await fire(3)
    const order = () => receiver.hits.map((hit) => hit.eventId).filter((id) => [first, second, third].includes(id))
    await vi.waitFor(() => expect(order()).toHaveLength(3), WAIT)
    expect(order()).toEqual([third, second, first])
    // The rule is spent: the next one goes at once.
    const fourth = await fire(4)
    await receiver.waitFor((hits) => hits.some((hit) => hit.eventId === fourth))
    // Its historical update is over: no background login is left to meet the rules of the tests below.
    await receiver.waitFor(() => find(hitsOf(link.id), 'ACCOUNTS') !== undefined)
  })

  it('never applies a webhook rule to a link of an institution a real integration serves', async () => {
    const real = await h.call('POST', '/api/links/', { institution: REAL_INSTITUTION, username: 'someone', password: 'secret', access_mode: 'single' })
    expect(real.status).toBe(201)
    const delay = await rule({ match: { webhook_type: 'BILLS' }, effect: { webhook_delay_ms: 600_000 }, count: 1 })
    const ctx = h.app.deps.domain
    const organizationId = (await h.db.query<{ organization_id: string }>('SELECT organization_id FROM links WHERE id = $1', [real.body.id]))[0].organization_id
    const event = {
      organizationId,
      linkId: real.body.id,
      externalId: null,
      requestId: null,
      webhookType: 'BILLS',
      webhookCode: 'historical_update',
      processType: 'historical_update',
      data: {},
    }
    const id = await ctx.db.tx((tx) => emitWebhook(tx, ctx, event))
    await receiver.waitFor((hits) => hits.some((hit) => hit.eventId === id))
    expect((await h.call('GET', `/sandbox/faults/${delay.id}/`)).body).toMatchObject({ matched: 0, remaining: 1 })
    // An organization with a real institution's link has no sandbox clock (used below): the link goes.
    expect((await h.call('DELETE', `/api/links/${real.body.id}/`)).status).toBe(204)
  })

  it('lets a client follow the seed’s retry policy for real: backoff 3 s × 2, 5 retries, 4xx only too_many_sessions', async () => {
    // Two 503s, then the answer.
    await rule({ match: { method: 'GET', path: '/api/institutions/' }, effect: { status: 503 }, count: 2 })
    let client = recordingClient(h)
    expect((await client.call('GET', '/api/institutions/?page_size=1')).status).toBe(200)
    expect(client.log).toEqual([503, 'wait 3000', 503, 'wait 6000', 200])

    // Failing for good: six attempts, five waits, and the client gives up with the last answer.
    await rule({ match: { method: 'GET', path: '/api/institutions/' }, effect: { status: 500 }, count: 7 })
    client = recordingClient(h)
    expect((await client.call('GET', '/api/institutions/?page_size=1')).status).toBe(500)
    expect(client.log).toEqual([500, 'wait 3000', 500, 'wait 6000', 500, 'wait 12000', 500, 'wait 24000', 500, 'wait 48000', 500])
    await h.call('DELETE', '/sandbox/faults/')

    // A 400 is never retried, though the next attempt would have worked.
    const down = await rule({ match: { institution: 'erebor_mx_retail' }, effect: { institution_error: 'institution_down' }, count: 1 })
    client = recordingClient(h)
    const refused = await client.call('POST', '/api/links/', { ...linkBody, access_mode: 'single' })
    expect(refused.body[0].code).toBe('institution_down')
    expect(client.log).toEqual([400])
    expect((await h.call('GET', `/sandbox/faults/${down.id}/`)).body.remaining).toBe(0)

    // too_many_sessions is the one 4xx retried.
    await rule({ match: { institution: 'erebor_mx_retail' }, effect: { institution_error: 'too_many_sessions' }, count: 2 })
    client = recordingClient(h)
    expect((await client.call('POST', '/api/links/', { ...linkBody, access_mode: 'single' })).status).toBe(201)
    expect(client.log).toEqual([400, 'wait 3000', 400, 'wait 6000', 201])
  })

  it('refuses a resource or a reordering it cannot apply, with the field', async () => {
    const cases: [Json, string][] = [
      [{ match: { resource: 'NOPE' }, effect: { institution_error: 'institution_down' } }, 'match.resource'],
      [{ match: { resource: 'OWNERS' }, effect: { status: 503 } }, 'match.resource'],
      [{ effect: { webhook_reorder: 1 } }, 'effect.webhook_reorder'],
      [{ effect: { webhook_reorder: 2, webhook_duplicates: 1 } }, 'effect'],
    ]
    for (const [body, field] of cases) {
      const res = await h.call('POST', '/sandbox/faults/', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body[0].field, JSON.stringify(res.body)).toBe(field)
    }
  })

  it('fails the named resource in a scheduled refresh too, and refreshes the others', async () => {
    // Pinned where the organization's time is now (it only moves forward).
    const pinned = await h.call('PUT', '/sandbox/clock/', { now: (await h.call('GET', '/sandbox/clock/')).body.now })
    expect(pinned.status, JSON.stringify(pinned.body)).toBe(200)
    const link = (await h.call('POST', '/api/links/', { ...linkBody, access_mode: 'recurrent', fetch_resources: ['ACCOUNTS', 'OWNERS'] })).body
    await receiver.waitFor(() => find(hitsOf(link.id), 'OWNERS') !== undefined && find(hitsOf(link.id), 'ACCOUNTS') !== undefined)
    await rule({ match: { resource: 'OWNERS', link: link.id }, effect: { institution_error: 'request_timeout' }, count: 1 })
    // The week's recurrent refresh runs within the advance.
    const advanced = (await h.call('POST', '/sandbox/clock/advance/', { by: 'P7D' })).body
    expect(advanced.ran.refreshes).toBeGreaterThanOrEqual(1)
    const failed = (all: Hit[]) =>
      all.find((hit) => hit.body.link_id === link.id && hit.body.process_type === 'recurrent_update' && hit.body.webhook_type === 'OWNERS')
    await receiver.waitFor((all) => failed(all) !== undefined)
    expect(failed(receiver.hits)!.body).toMatchObject({ webhook_code: 'historical_update', data: { error_code: 'request_timeout', status: 408 } })
    const state = (await h.call('GET', `/api/links/${link.id}/`)).body
    expect(state.status).toBe('valid')
    expect(state.last_accessed_at.slice(0, 10)).toBe(advanced.now.slice(0, 10))
    expect((await h.call('DELETE', '/sandbox/clock/')).status).toBeLessThan(300)
  })
})
