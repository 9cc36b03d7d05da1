import { createHmac, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createHarness, type Harness } from '../helpers/harness.ts'

type Json = Record<string, any>

/**
 * The sandbox's webhook inbox (issue 18): Ponte's own receiver URL, over real HTTP, fed by Ponte's
 * own dispatcher after a real link creation; what it keeps, the signature check, the page, and
 * that one organization never sees another's.
 */
describe('sandbox webhook inbox', () => {
  let h: Harness
  let base: string
  let inbox: Json
  const http = (method: string, path: string, init: { auth?: string | null; body?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...(init.auth === null ? {} : { authorization: init.auth ?? h.auth }), ...init.headers },
      body: init.body,
    })
  const messages = async (query = '', auth?: string) => (await (await http('GET', `/sandbox/inbox/messages/${query}`, { auth })).json()) as Json

  beforeAll(async () => {
    h = await createHarness()
    base = await h.listen()
    inbox = (await (await http('GET', '/sandbox/inbox/')).json()) as Json
  })
  afterAll(async () => h?.close())

  it('receives, from the dispatcher, a link’s webhooks signed by the endpoint registered at its URL', async () => {
    expect(inbox).toEqual({
      url: expect.stringMatching(new RegExp(`^${base}/sandbox/inbox/${h.key.organizationId}\\.[A-Za-z0-9_-]{32}/$`)),
      page: `${base}/sandbox/inbox/page/`,
      capacity: 500,
    })
    const endpoint = await h.call('POST', '/api/webhooks/', { url: inbox.url, authorization: 'Bearer inbox-token-1234' })
    expect(endpoint.status).toBe(201)
    await h.startWorker()
    const link = await h.call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'recurrent' })
    expect(link.status).toBe(201)

    const received = await vi.waitFor(
      async () => {
        const page = await messages(`?webhook_type=TRANSACTIONS`)
        expect(page.count).toBeGreaterThan(0)
        return page.results[0] as Json
      },
      { timeout: 30_000, interval: 100 },
    )
    expect(received).toMatchObject({ webhook_type: 'TRANSACTIONS', webhook_code: 'historical_update', signature: 'valid', endpoint_id: endpoint.body.id })
    expect(received.body).toMatchObject({ link_id: link.body.id, webhook_id: received.webhook_id })
    expect(received.headers['x-ponte-event-id']).toBe(received.webhook_id)
    // The endpoint's Authorization reached the inbox, and the inbox keeps it masked.
    expect(received.headers.authorization).toBe('Bearer ***1234')
    expect(JSON.stringify(await messages())).not.toContain('inbox-token-1234')

    const detail = await http('GET', `/sandbox/inbox/messages/${received.id}/`)
    expect(detail.status).toBe(200)
    expect(await detail.json()).toEqual(received)
  })

  it('keeps a forged or unsigned request too, and says so', async () => {
    const path = new URL(inbox.url).pathname
    const forged = await http('POST', path, {
      auth: null,
      headers: { 'content-type': 'application/json', 'x-ponte-timestamp': '1700000000', 'x-ponte-signature': `v1=${'0'.repeat(64)}` },
      body: JSON.stringify({ webhook_type: 'LINKS', webhook_code: 'forged' }),
    })
    expect(forged.status).toBe(204)
    const plain = await http('POST', path, { auth: null, headers: { 'content-type': 'text/plain' }, body: 'hello, not json' })
    expect(plain.status).toBe(204)

    const invalid = await messages('?signature=invalid')
    expect(invalid.results.map((m: Json) => m.webhook_code)).toEqual(['forged'])
    expect(invalid.results[0].endpoint_id).toBeNull()
    const missing = await messages('?signature=missing')
    expect(missing.results.map((m: Json) => m.body)).toEqual(['hello, not json'])
    expect(missing.results[0].webhook_type).toBeNull()

    const bad = await http('GET', '/sandbox/inbox/messages/?signature=maybe')
    expect(bad.status).toBe(400)
    expect((await bad.json()) as Json[]).toMatchObject([{ code: 'invalid_choice', field: 'signature' }])
  })

  it('answers 404 to a token this server did not make, and keeps organizations apart', async () => {
    const [organizationId] = new URL(inbox.url).pathname.split('/')[3].split('.')
    for (const token of ['nonsense', `${organizationId}.${'A'.repeat(32)}`, `${randomUUID()}.${'A'.repeat(32)}`]) {
      const res = await http('POST', `/sandbox/inbox/${token}/`, { auth: null, body: '{}', headers: { 'content-type': 'application/json' } })
      expect(res.status).toBe(404)
      expect((await res.json()) as Json[]).toMatchObject([{ code: 'not_found', request_id: expect.any(String) }])
    }

    const other = (await (await http('GET', '/sandbox/inbox/', { auth: h.otherAuth })).json()) as Json
    expect(other.url).not.toBe(inbox.url)
    expect((await messages('', h.otherAuth)).count).toBe(0)
    const mine = (await messages()).results[0] as Json
    expect((await http('GET', `/sandbox/inbox/messages/${mine.id}/`, { auth: h.otherAuth })).status).toBe(404)
    // The other organization's endpoint does not make this inbox's requests valid, nor the reverse.
    const theirs = await h.call('POST', '/api/webhooks/', { url: inbox.url }, { auth: h.otherAuth })
    expect(theirs.status).toBe(201)
    const body = JSON.stringify({ webhook_type: 'LINKS', webhook_code: 'signed_by_other' })
    const signature = `v1=${createHmac('sha256', theirs.body.secret).update(`1700000000.${body}`).digest('hex')}`
    const path = new URL(inbox.url).pathname
    await http('POST', path, {
      auth: null,
      body,
      headers: { 'content-type': 'application/json', 'x-ponte-timestamp': '1700000000', 'x-ponte-signature': signature },
    })
    expect((await messages('?webhook_code=signed_by_other')).results[0].signature).toBe('invalid')
    expect((await http('GET', '/sandbox/inbox/messages/', { auth: null })).status).toBe(401)
  })

  it('shows a page for the browser, behind the secret key', async () => {
    const anonymous = await http('GET', '/sandbox/inbox/page/', { auth: null })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="api"')
    const page = await http('GET', '/sandbox/inbox/page/')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const text = await page.text()
    expect(text).toContain(inbox.url)
    expect(text).toMatch(/TRANSACTIONS historical_update<\/strong> · <span class="valid">Signature valid/)
    expect(text).toContain('Signature INVALID')
    expect(text).toContain('hello, not json')
    expect(text).not.toContain('inbox-token-1234')
  })

  it('keeps the newest 500, and empties on DELETE', async () => {
    const organizationId = h.key.organizationId
    await h.db.query(
      `INSERT INTO webhook_inbox_messages (id, organization_id, received_at, signature, headers, body)
       SELECT gen_random_uuid(), $1, timestamptz '2020-01-01' + n * interval '1 second', 'missing', '{}', 'old ' || n FROM generate_series(1, 500) n ORDER BY n`,
      [organizationId],
    )
    const path = new URL(inbox.url).pathname
    expect((await http('POST', path, { auth: null, body: 'newest', headers: { 'content-type': 'text/plain' } })).status).toBe(204)
    const kept = await h.db.query<{ n: number; oldest: string }>(
      `SELECT count(*)::int AS n, (SELECT body FROM webhook_inbox_messages WHERE organization_id = $1 ORDER BY seq LIMIT 1) AS oldest
       FROM webhook_inbox_messages WHERE organization_id = $1`,
      [organizationId],
    )
    expect(kept[0].n).toBe(500)
    // The fillers came after the earlier messages: those went first, then the oldest fillers.
    expect(kept[0].oldest).toBe('old 2')
    expect((await messages('?page_size=1')).results[0].body).toBe('newest')

    expect((await http('DELETE', '/sandbox/inbox/messages/')).status).toBe(204)
    expect((await messages()).count).toBe(0)
  })
})
