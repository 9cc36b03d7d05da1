import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { Value } from 'typebox/value'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { applyRetention } from '../../src/domain/sync.ts'
import { createWebhookEndpoint, emitWebhook, WEBHOOK_EVENT_RETENTION_DAYS, type WebhookEvent } from '../../src/domain/webhooks.ts'
import { systemClock } from '../../src/lib/clock.ts'
import { WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret } from '../../src/http/schemas/webhook.ts'
import { MAX_ATTEMPTS, RETRY_DELAYS_MS, WebhookDispatcher } from '../../src/jobs/dispatcher.ts'
import { openTestDb } from '../helpers/db.ts'
import { commandRunner } from '../helpers/commands.ts'
import { Cipher } from '../../src/lib/crypto.ts'
import { startReceiver, type Hit, type Receiver } from '../helpers/receiver.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'

type Json = Record<string, any>
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

/** A URL nothing listens on: a port that was just free. */
async function refusedUrl(): Promise<string> {
  const r = await startReceiver()
  await r.close()
  return `${r.url}/hook`
}

function useHarness() {
  const ref = {} as { h: Harness }
  beforeAll(async () => {
    ref.h = await createHarness()
  })
  afterAll(async () => ref.h.close())
  const call: Harness['call'] = (...args) => ref.h.call(...args)
  return { ref, call }
}

describe('webhook endpoints API', () => {
  const { ref, call } = useHarness()

  it('creates an endpoint: 201, the secret once, the Authorization masked, both stored encrypted', async () => {
    // Another test of this harness may have moved the clock on.
    ref.h.clock.set('2026-01-15T12:00:00Z')
    const created = await call('POST', '/api/webhooks/', {
      url: 'https://hooks.example.com/belvo',
      authorization: 'Bearer abcdef123',
      description: 'CI receiver',
      event_types: ['ACCOUNTS', 'TRANSACTIONS'],
    })
    expect(created.status).toBe(201)
    expect(Object.keys(created.body).sort()).toEqual(['authorization', 'created_at', 'description', 'disabled', 'event_types', 'id', 'secret', 'url'])
    expect(created.body).toMatchObject({
      url: 'https://hooks.example.com/belvo',
      description: 'CI receiver',
      event_types: ['ACCOUNTS', 'TRANSACTIONS'],
      authorization: 'Bearer ***f123',
      disabled: false,
      created_at: '2026-01-15T12:00:00.000Z',
    })
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
    expect(Value.Check(WebhookEndpointWithSecret, created.body)).toBe(true)

    const detail = await call('GET', `/api/webhooks/${created.body.id}/`)
    expect(detail.status).toBe(200)
    expect(detail.body).not.toHaveProperty('secret')
    expect(detail.body.authorization).toBe('Bearer ***f123')
    expect(Value.Check(WebhookEndpoint, detail.body)).toBe(true)
    const list = await call('GET', '/api/webhooks/')
    expect(list.body.results.find((e: Json) => e.id === created.body.id)).toEqual(detail.body)
    for (const body of [detail.body, list.body]) {
      expect(JSON.stringify(body)).not.toContain('abcdef123')
      expect(JSON.stringify(body)).not.toContain(created.body.secret)
    }

    const [row] = await ref.h.db.query<Json>('SELECT * FROM webhook_endpoints WHERE id = $1', [created.body.id])
    expect(row.authorization_sealed).toMatch(/^v1\./)
    expect(row.secret_sealed).toMatch(/^v1\./)
    expect(JSON.stringify(row)).not.toContain('abcdef123')
    expect(JSON.stringify(row)).not.toContain(created.body.secret.slice(6))
  })

  it('defaults to every event type, no Authorization and no description; accepts loopback and Basic', async () => {
    const bare = await call('POST', '/api/webhooks/', { url: 'http://127.0.0.1:3000/hook' })
    expect(bare.status).toBe(201)
    expect(bare.body).toMatchObject({ event_types: null, authorization: null, description: null })
    const basic = await call('POST', '/api/webhooks/', { url: 'http://localhost/hook', authorization: 'Basic dXNlcjpwYXNz', event_types: ['LINK', 'LINK'] })
    expect(basic.body).toMatchObject({ authorization: 'Basic ***YXNz', event_types: ['LINK'] })
    const short = await call('POST', '/api/webhooks/', { url: 'http://[::1]:8080/', authorization: 'Token abc' })
    expect(short.body.authorization).toBe('Token ***')
  })

  it.each([
    [{}, 'required', 'url'],
    [{ url: null }, 'null', 'url'],
    [{ url: '' }, 'blank', 'url'],
    [{ url: 'not a url' }, 'invalid', 'url'],
    [{ url: 'ftp://files.example.com/' }, 'invalid', 'url'],
    [{ url: 'javascript:alert(1)' }, 'invalid', 'url'],
    [{ url: 'https://user:pw@hooks.example.com/' }, 'invalid', 'url'],
    [{ url: `https://example.com/${'a'.repeat(2100)}` }, 'max_length', 'url'],
    [{ url: 'https://example.com/', event_types: ['ACCOUNTS', 'NOT_A_TYPE'] }, 'invalid_choice', 'event_types'],
    [{ url: 'https://example.com/', event_types: [] }, 'invalid', 'event_types'],
    [{ url: 'https://example.com/', event_types: 'ACCOUNTS' }, 'invalid', 'event_types'],
    [{ url: 'https://example.com/', authorization: '' }, 'blank', 'authorization'],
    [{ url: 'https://example.com/', authorization: 'Bearer a\r\nX-Injected: 1' }, 'invalid', 'authorization'],
    [{ url: 'https://example.com/', authorization: 'Bearer é' }, 'invalid', 'authorization'],
    [{ url: 'https://example.com/', description: 7 }, 'invalid', 'description'],
  ])('rejects %j with 400 %s on %s, and creates nothing', async (body, code, field) => {
    const before = (await call('GET', '/api/webhooks/')).body.count
    const res = await call('POST', '/api/webhooks/', body)
    expect(res.status).toBe(400)
    expect(res.body).toEqual([expect.objectContaining({ code, field, request_id: expect.stringMatching(/^[a-f0-9]{32}$/), message: expect.any(String) })])
    expect((await call('GET', '/api/webhooks/')).body.count).toBe(before)
  })

  it("explains a bad URL in the caller's language", async () => {
    const res = await ref.h.app.inject({
      method: 'POST',
      url: '/api/webhooks/',
      headers: { authorization: ref.h.auth, 'content-type': 'application/json', 'accept-language': 'es' },
      payload: JSON.stringify({ url: 'ftp://x' }),
    })
    expect(res.json()[0].message).toMatch(/URL válida/)
  })

  it('patches url, description, event types, Authorization and disabled; null clears', async () => {
    const { id } = (
      await call('POST', '/api/webhooks/', { url: 'https://a.example.com/', authorization: 'Bearer first-token-1111', event_types: ['ACCOUNTS'] })
    ).body
    ref.h.clock.advance(1000)
    const patched = await call('PATCH', `/api/webhooks/${id}/`, {
      url: 'https://b.example.com/',
      description: 'moved',
      event_types: ['OWNERS', 'BILLS'],
      authorization: 'Bearer second-token-2222',
      disabled: true,
    })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({
      id,
      url: 'https://b.example.com/',
      description: 'moved',
      event_types: ['OWNERS', 'BILLS'],
      authorization: 'Bearer ***2222',
      disabled: true,
    })
    expect(patched.body).not.toHaveProperty('secret')
    const untouched = await call('PATCH', `/api/webhooks/${id}/`, {})
    expect(untouched.body).toEqual(patched.body)
    const cleared = await call('PATCH', `/api/webhooks/${id}/`, { authorization: null, description: null, event_types: null, disabled: false })
    expect(cleared.body).toMatchObject({ authorization: null, description: null, event_types: null, disabled: false })
    const [row] = await ref.h.db.query<Json>('SELECT authorization_sealed, updated_at > created_at AS changed FROM webhook_endpoints WHERE id = $1', [id])
    expect(row).toEqual({ authorization_sealed: null, changed: true })

    expect((await call('PATCH', `/api/webhooks/${id}/`, { url: 'mailto:me@example.com' })).body[0]).toMatchObject({ code: 'invalid', field: 'url' })
    expect((await call('PATCH', `/api/webhooks/${id}/`, { url: null })).body[0]).toMatchObject({ code: 'null', field: 'url' })
    expect((await call('PATCH', `/api/webhooks/${id}/`, { event_types: ['NOPE'] })).body).toEqual([
      expect.objectContaining({ code: 'invalid_choice', field: 'event_types', message: '"NOPE" is not a valid choice.' }),
    ])
    expect((await call('PATCH', `/api/webhooks/${id}/`, { disabled: 'yes' })).body[0]).toMatchObject({ code: 'invalid', field: 'disabled' })
  })

  it('rotates the secret: a new one, shown once', async () => {
    const created = (await call('POST', '/api/webhooks/', { url: 'https://rotate.example.com/' })).body
    const rotated = await call('POST', `/api/webhooks/${created.id}/rotate-secret/`)
    expect(rotated.status).toBe(200)
    expect(rotated.body.secret).toMatch(/^whsec_/)
    expect(rotated.body.secret).not.toBe(created.secret)
    expect(rotated.body.id).toBe(created.id)
    expect((await call('GET', `/api/webhooks/${created.id}/`)).body).not.toHaveProperty('secret')
  })

  it('deletes with 204, then answers 404', async () => {
    const { id } = (await call('POST', '/api/webhooks/', { url: 'https://delete.example.com/' })).body
    const res = await call('DELETE', `/api/webhooks/${id}/`)
    expect(res.status).toBe(204)
    expect(res.body).toBeUndefined()
    expect((await call('GET', `/api/webhooks/${id}/`)).status).toBe(404)
    expect((await call('DELETE', `/api/webhooks/${id}/`)).status).toBe(404)
  })

  it('lists with Belvo pagination and filters', async () => {
    const a = (await call('POST', '/api/webhooks/', { url: 'https://filter-one.example.com/' })).body
    ref.h.clock.advance(1000)
    const b = (await call('POST', '/api/webhooks/', { url: 'https://filter-two.example.com/' })).body
    await call('PATCH', `/api/webhooks/${b.id}/`, { disabled: true })
    const filtered = await call('GET', '/api/webhooks/?url__icontains=FILTER-')
    expect(filtered.body.results.map((e: Json) => e.id)).toEqual([b.id, a.id])
    expect((await call('GET', '/api/webhooks/?url__icontains=filter-&disabled=true')).body.results.map((e: Json) => e.id)).toEqual([b.id])
    expect((await call('GET', `/api/webhooks/?id__in=${a.id},${b.id}&disabled=false`)).body.results.map((e: Json) => e.id)).toEqual([a.id])
    const page = await call('GET', '/api/webhooks/?url__icontains=filter-&page_size=1')
    expect(page.body).toMatchObject({ count: 2, previous: null, next: expect.stringContaining('page=2') })
    const next = new URL(page.body.next)
    const second = await call('GET', `${next.pathname}${next.search}`)
    expect(second.body.results.map((e: Json) => e.id)).toEqual([a.id])
    expect((await call('GET', '/api/webhooks/?url__icontains=filter-&page=3')).body[0]).toMatchObject({ code: 'not_found' })
    expect((await call('GET', '/api/webhooks/?disabled=maybe')).body[0]).toMatchObject({ code: 'invalid', field: 'disabled' })
    expect((await call('GET', '/api/webhooks/?created_at__gte=yesterday')).body[0]).toMatchObject({ code: 'invalid', field: 'created_at__gte' })
    expect((await call('GET', '/api/webhooks/?fields=id,url')).body.results[0]).toEqual({ id: expect.any(String), url: expect.any(String) })
  })

  it('answers 404 for unknown and malformed ids, 401 without a key, 405 for other methods', async () => {
    for (const url of [
      '/api/webhooks/not-a-uuid/',
      `/api/webhooks/${randomUUID()}/`,
      `/api/webhooks/${randomUUID()}/deliveries/`,
      `/api/webhooks/deliveries/${randomUUID()}/`,
      '/api/webhooks/deliveries/nope/',
    ]) {
      const res = await call('GET', url)
      expect(res.status).toBe(404)
      expect(res.body[0]).toMatchObject({ code: 'not_found' })
    }
    expect((await call('POST', `/api/webhooks/deliveries/${randomUUID()}/redeliver/`)).status).toBe(404)
    expect((await call('POST', `/api/webhooks/${randomUUID()}/rotate-secret/`)).status).toBe(404)
    expect((await call('PATCH', `/api/webhooks/${randomUUID()}/`, { disabled: true })).status).toBe(404)
    expect((await call('GET', '/api/webhooks/', undefined, { auth: 'Basic eDp5' })).body[0]).toMatchObject({ code: 'authentication_failed' })
    const put = await call('PUT', `/api/webhooks/${randomUUID()}/`, {})
    expect(put.status).toBe(405)
  })

  it("keeps organizations apart: another organization's ids answer 404 and are absent from its lists", async () => {
    const mine = (await call('POST', '/api/webhooks/', { url: 'https://mine.example.com/' })).body
    await ref.h.db.tx((tx) => emitWebhook(tx, { clock: ref.h.clock }, event(ref.h.key.organizationId)))
    const delivery = (await call('GET', `/api/webhooks/${mine.id}/deliveries/`)).body.results[0]
    expect(delivery).toBeDefined()
    const other = ref.h.otherAuth
    for (const [method, url, body] of [
      ['GET', `/api/webhooks/${mine.id}/`],
      ['PATCH', `/api/webhooks/${mine.id}/`, { disabled: true }],
      ['DELETE', `/api/webhooks/${mine.id}/`],
      ['POST', `/api/webhooks/${mine.id}/rotate-secret/`],
      ['GET', `/api/webhooks/${mine.id}/deliveries/`],
      ['GET', `/api/webhooks/deliveries/${delivery.id}/`],
      ['POST', `/api/webhooks/deliveries/${delivery.id}/redeliver/`],
    ] as const) {
      expect((await call(method, url, body, { auth: other })).status).toBe(404)
    }
    expect((await call('GET', '/api/webhooks/', undefined, { auth: other })).body.count).toBe(0)
    // Nothing above changed the endpoint.
    expect((await call('GET', `/api/webhooks/${mine.id}/`)).body.disabled).toBe(false)
  })

  it('documents the operations in OpenAPI', async () => {
    const doc = (await ref.h.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    expect(doc.paths['/api/webhooks/'].post.operationId).toBe('CreateWebhookEndpoint')
    expect(doc.paths['/api/webhooks/{id}/deliveries/'].get.parameters.map((p: Json) => p.name)).toEqual(
      expect.arrayContaining(['status', 'webhook_type', 'created_at__gte']),
    )
    expect(doc.paths['/api/webhooks/deliveries/{delivery_id}/redeliver/'].post.responses).toHaveProperty('202')
  })
})

function event(organizationId: string, overrides: Partial<WebhookEvent> = {}): WebhookEvent {
  return {
    organizationId,
    linkId: randomUUID(),
    externalId: 'customer-42',
    requestId: 'b0d6c9d8e6f94a1b9c7e2f3a4b5c6d7e',
    webhookType: 'ACCOUNTS',
    webhookCode: 'historical_update',
    processType: 'historical_update',
    data: { total_accounts: 3 },
    ...overrides,
  }
}

describe('webhook endpoints API in production mode', () => {
  // The harness's database is always the test one; DATABASE_URL here only sets the policy that
  // production (PostgreSQL) has.
  const production = { DATABASE_URL: 'postgres://ponte@db.example.com/ponte' }
  const harnesses: Harness[] = []
  afterAll(async () => {
    for (const h of harnesses) await h.close()
  })
  const harness = async (env: Record<string, string>) => {
    const h = await createHarness({ env })
    harnesses.push(h)
    return h
  }
  let prod: Harness
  let allowing: Harness
  beforeAll(async () => {
    // One after the other: two apps starting at once on a loaded machine can outlast Fastify's plugin timeout.
    prod = await harness(production)
    allowing = await harness({ ...production, PONTE_WEBHOOK_ALLOW_PRIVATE: 'true' })
  })

  it.each([
    'http://127.0.0.1:3000/hook',
    'http://localhost/hook',
    'http://[::1]:8080/',
    'http://10.0.0.5/',
    'http://172.20.1.1/',
    'http://192.168.0.10/',
    'http://169.254.169.254/latest/meta-data/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://[fd00:ec2::254]/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://2130706433/',
    'http://[::ffff:127.0.0.1]/',
    'http://[fe80::1]/',
    'https://db.internal/',
  ])('refuses %s with a 400 on url', async (url) => {
    const h = prod
    const before = (await h.call('GET', '/api/webhooks/')).body.count
    const res = await h.call('POST', '/api/webhooks/', { url })
    expect(res.status).toBe(400)
    expect(res.body).toEqual([
      {
        request_id: expect.stringMatching(/^[a-f0-9]{32}$/),
        code: 'invalid',
        field: 'url',
        message: `This server does not send webhooks to ${new URL(url).hostname}: loopback, private, link-local and cloud metadata addresses are refused. Use a public address.`,
      },
    ])
    expect((await h.call('GET', '/api/webhooks/')).body.count).toBe(before)
  })

  it('accepts public destinations, refuses a PATCH to a private one, and says why in Spanish and Portuguese', async () => {
    const h = prod
    const created = await h.call('POST', '/api/webhooks/', { url: 'https://hooks.example.com/belvo' })
    expect(created.status).toBe(201)
    expect((await h.call('POST', '/api/webhooks/', { url: 'http://93.184.215.14:8080/hook' })).status).toBe(201)
    const patched = await h.call('PATCH', `/api/webhooks/${created.body.id}/`, { url: 'http://192.168.1.1/' })
    expect(patched.status).toBe(400)
    expect(patched.body[0]).toMatchObject({ code: 'invalid', field: 'url' })
    expect((await h.call('GET', `/api/webhooks/${created.body.id}/`)).body.url).toBe('https://hooks.example.com/belvo')
    const es = await h.call('POST', '/api/webhooks/', { url: 'http://127.0.0.1/' }, { headers: { 'accept-language': 'es' } })
    expect(es.body[0].message).toMatch(/^Este servidor no envía webhooks a 127\.0\.0\.1/)
    const pt = await h.call('POST', '/api/webhooks/', { url: 'http://127.0.0.1/' }, { headers: { 'accept-language': 'pt-BR' } })
    expect(pt.body[0].message).toMatch(/^Este servidor não envia webhooks para 127\.0\.0\.1/)
  })

  it('has the worker refuse, at delivery, a loopback endpoint saved while private destinations were allowed', async () => {
    const r = await startReceiver()
    try {
      // Saved under PONTE_WEBHOOK_ALLOW_PRIVATE=true, since turned off: the worker applies the policy at each attempt.
      const { endpoint } = await createWebhookEndpoint(
        { db: prod.db, clock: prod.clock, cipher: prod.app.deps.domain.cipher, webhooks: { allowPrivateDestinations: true } },
        { organizationId: prod.key.organizationId },
        { url: `${r.url}/hook` },
      )
      await prod.startWorker()
      const webhookId = await prod.db.tx((tx) => emitWebhook(tx, { clock: prod.clock }, event(prod.key.organizationId)))
      await vi.waitFor(
        async () => {
          const list = await prod.call('GET', `/api/webhooks/${endpoint.id}/deliveries/?webhook_id=${webhookId}`)
          expect(list.body.results[0].attempts_log[0].error).toMatch(/^refused: 127\.0\.0\.1 is a loopback address/)
        },
        { timeout: 20_000, interval: 50 },
      )
      expect(r.hits).toHaveLength(0)
    } finally {
      await r.close()
    }
  })

  it('accepts private destinations when PONTE_WEBHOOK_ALLOW_PRIVATE=true (the sandbox always does: see above)', async () => {
    expect((await allowing.call('POST', '/api/webhooks/', { url: 'http://127.0.0.1:3000/hook' })).status).toBe(201)
    expect((await allowing.call('POST', '/api/webhooks/', { url: 'http://169.254.169.254/' })).status).toBe(201)
  })
})

describe('webhook delivery', () => {
  const { ref, call } = useHarness()
  let dispatcher: WebhookDispatcher
  const receivers: Receiver[] = []
  beforeAll(() => {
    dispatcher = new WebhookDispatcher(
      { db: ref.h.db, clock: ref.h.clock, cipher: ref.h.app.deps.domain.cipher },
      { timeoutMs: 3000, allowPrivateDestinations: true },
    )
  })
  // Each test starts with no endpoints (their deliveries go with them) and its own receivers.
  beforeEach(async () => {
    for (const auth of [ref.h.auth, ref.h.otherAuth]) {
      for (const e of (await call('GET', '/api/webhooks/?page_size=1000', undefined, { auth: auth })).body.results)
        await call('DELETE', `/api/webhooks/${e.id}/`, undefined, { auth: auth })
    }
  })
  afterEach(async () => {
    while (receivers.length) await receivers.pop()!.close()
  })
  const receiver = async (answer?: Parameters<typeof startReceiver>[0]) => {
    const r = await startReceiver(answer)
    receivers.push(r)
    return r
  }

  const emit = (overrides: Partial<WebhookEvent> = {}, organizationId = ref.h.key.organizationId) =>
    ref.h.db.tx((tx) => emitWebhook(tx, { clock: ref.h.clock }, event(organizationId, overrides)))
  const createEndpoint = async (body: Json, auth?: string) => {
    const res = await call('POST', '/api/webhooks/', body, { auth: auth })
    expect(res.status).toBe(201)
    return res.body
  }
  const deliveryOf = async (endpointId: string, webhookId: string) => {
    const list = await call('GET', `/api/webhooks/${endpointId}/deliveries/?webhook_id=${webhookId}`)
    expect(list.body.count).toBe(1)
    return list.body.results[0]
  }
  const sign = (secret: string, timestamp: string, raw: string) => createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')

  it("delivers Belvo's exact payload with the Authorization, id, timestamp and a verifiable signature", async () => {
    const r = await receiver()
    const endpoint = await createEndpoint({ url: `${r.url}/belvo?x=1`, authorization: 'Bearer receiver-token-123' })
    const linkId = randomUUID()
    const webhookId = await emit({ linkId, data: { total_accounts: 7 } })
    expect(webhookId).toMatch(/^[a-f0-9]{32}$/)
    expect(await dispatcher.deliverDue()).toBe(1)

    expect(r.hits).toHaveLength(1)
    const [hit] = r.hits
    expect(hit.path).toBe('/belvo?x=1')
    // Key order too: the body is the stored bytes, signed as sent.
    expect(hit.raw).toBe(
      JSON.stringify({
        webhook_id: webhookId,
        webhook_type: 'ACCOUNTS',
        process_type: 'historical_update',
        webhook_code: 'historical_update',
        link_id: linkId,
        request_id: 'b0d6c9d8e6f94a1b9c7e2f3a4b5c6d7e',
        external_id: 'customer-42',
        data: { total_accounts: 7 },
      }),
    )
    const timestamp = String(Math.floor(ref.h.clock.now().getTime() / 1000))
    // Exactly these headers: what Ponte means, plus HTTP/1.1's Host and Connection; nothing a
    // browser would add (sec-fetch-*, accept-language, accept-encoding...).
    const { host, connection, ...meant } = hit.headers
    expect(host).toBe(new URL(r.url).host)
    expect(connection).toBe('keep-alive')
    expect(meant).toEqual({
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(hit.raw)),
      'user-agent': `Ponte/${version} (+webhooks)`,
      authorization: 'Bearer receiver-token-123',
      'x-ponte-event-id': webhookId,
      'x-ponte-timestamp': timestamp,
      'x-ponte-signature': `v1=${sign(endpoint.secret, timestamp, hit.raw)}`,
    })

    const delivery = await deliveryOf(endpoint.id, webhookId)
    expect(Value.Check(WebhookDelivery, delivery)).toBe(true)
    expect(delivery).toMatchObject({
      webhook_id: webhookId,
      endpoint: endpoint.id,
      webhook_type: 'ACCOUNTS',
      webhook_code: 'historical_update',
      status: 'succeeded',
      attempts: 1,
      next_attempt_at: null,
      last_status_code: 200,
      payload: JSON.parse(hit.raw),
    })
    expect(delivery.attempts_log).toEqual([
      { attempted_at: ref.h.clock.now().toISOString(), status_code: 200, latency_ms: expect.any(Number), error: null, response_snippet: 'ok' },
    ])
    expect((await call('GET', `/api/webhooks/deliveries/${delivery.id}/`)).body).toEqual(delivery)
    expect(await dispatcher.deliverDue()).toBe(0)
  })

  it('retries a 500 after 3, 6, 12, 24 and 48 s with the same event id and body, then succeeds', async () => {
    expect(RETRY_DELAYS_MS).toEqual([3_000, 6_000, 12_000, 24_000, 48_000])
    expect(MAX_ATTEMPTS).toBe(6)
    const r = await receiver((_hit, n, res) => {
      res.statusCode = n <= 5 ? 500 : 200
      res.end(n <= 5 ? `boom ${n}` : 'fine')
    })
    const endpoint = await createEndpoint({ url: r.url })
    const webhookId = await emit()
    for (const delay of RETRY_DELAYS_MS) {
      expect(await dispatcher.deliverDue()).toBe(1)
      const pending = await deliveryOf(endpoint.id, webhookId)
      expect(pending).toMatchObject({ status: 'pending', last_status_code: 500, next_attempt_at: new Date(ref.h.clock.now().getTime() + delay).toISOString() })
      ref.h.clock.advance(delay - 1)
      expect(await dispatcher.deliverDue()).toBe(0)
      ref.h.clock.advance(1)
    }
    expect(await dispatcher.deliverDue()).toBe(1)
    const done = await deliveryOf(endpoint.id, webhookId)
    expect(done).toMatchObject({ status: 'succeeded', attempts: 6, last_status_code: 200, next_attempt_at: null })
    expect(done.attempts_log.map((a: Json) => a.status_code)).toEqual([500, 500, 500, 500, 500, 200])
    expect(done.attempts_log[0]).toMatchObject({ error: 'HTTP 500', response_snippet: 'boom 1' })
    const start = Date.parse(done.attempts_log[0].attempted_at)
    expect(done.attempts_log.map((a: Json) => (Date.parse(a.attempted_at) - start) / 1000)).toEqual([0, 3, 9, 21, 45, 93])
    expect(new Set(r.hits.map((hit) => hit.headers['x-ponte-event-id']))).toEqual(new Set([webhookId]))
    expect(new Set(r.hits.map((hit) => hit.raw)).size).toBe(1)
    // Each attempt is signed with its own timestamp.
    for (const hit of r.hits) {
      expect(hit.headers['x-ponte-signature']).toBe(`v1=${sign(endpoint.secret, hit.headers['x-ponte-timestamp'] as string, hit.raw)}`)
    }
  })

  it('fails after 6 attempts at a receiver that is never up; redelivery after a fix succeeds with the same event id', async () => {
    const endpoint = await createEndpoint({ url: await refusedUrl() })
    const webhookId = await emit({
      webhookType: 'TRANSACTIONS',
      webhookCode: 'new_transactions_available',
      processType: 'recurrent_update',
      data: { new_transactions: 2 },
    })
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      expect(await dispatcher.deliverDue()).toBe(1)
      ref.h.clock.advance(RETRY_DELAYS_MS[attempt - 1] ?? 0)
    }
    const failed = await deliveryOf(endpoint.id, webhookId)
    expect(failed).toMatchObject({ status: 'failed', attempts: 6, next_attempt_at: null, last_status_code: null })
    expect(failed.attempts_log).toHaveLength(6)
    for (const attempt of failed.attempts_log)
      expect(attempt).toMatchObject({ status_code: null, error: expect.stringContaining('ECONNREFUSED'), response_snippet: null })
    ref.h.clock.advance(3_600_000)
    expect(await dispatcher.deliverDue()).toBe(0)
    expect((await call('GET', `/api/webhooks/${endpoint.id}/deliveries/?status=failed`)).body.count).toBe(1)

    const r = await receiver()
    await call('PATCH', `/api/webhooks/${endpoint.id}/`, { url: `${r.url}/fixed` })
    const redelivered = await call('POST', `/api/webhooks/deliveries/${failed.id}/redeliver/`)
    expect(redelivered.status).toBe(202)
    expect(redelivered.body).toMatchObject({ id: failed.id, status: 'pending', attempts: 0, next_attempt_at: ref.h.clock.now().toISOString() })
    expect(redelivered.body.attempts_log).toHaveLength(6)
    expect(await dispatcher.deliverDue()).toBe(1)
    const succeeded = await deliveryOf(endpoint.id, webhookId)
    expect(succeeded).toMatchObject({ status: 'succeeded', attempts: 1, last_status_code: 200 })
    expect(succeeded.attempts_log).toHaveLength(7)
    expect(r.hits.map((hit) => [hit.path, hit.headers['x-ponte-event-id']])).toEqual([['/fixed', webhookId]])

    // A succeeded delivery can be sent again too: same event id, so the receiver can tell.
    expect((await call('POST', `/api/webhooks/deliveries/${failed.id}/redeliver/`)).body.status).toBe('pending')
    expect(await dispatcher.deliverDue()).toBe(1)
    expect(r.hits.map((hit) => hit.headers['x-ponte-event-id'])).toEqual([webhookId, webhookId])
  })

  it('counts a receiver that never answers as a failed attempt after the timeout', async () => {
    const r = await receiver(() => {
      /* never answers */
    })
    const endpoint = await createEndpoint({ url: r.url })
    const quick = new WebhookDispatcher(
      { db: ref.h.db, clock: ref.h.clock, cipher: ref.h.app.deps.domain.cipher },
      { timeoutMs: 200, allowPrivateDestinations: true },
    )
    const webhookId = await emit()
    // That the attempt gave up is in its log ("timed out after 200 ms"); how long the pass took
    // in wall-clock time says more about the machine's load than about the timeout.
    expect(await quick.deliverDue()).toBe(1)
    const delivery = await deliveryOf(endpoint.id, webhookId)
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_status_code: null,
      next_attempt_at: new Date(ref.h.clock.now().getTime() + 3000).toISOString(),
    })
    expect(delivery.attempts_log[0]).toMatchObject({ status_code: null, error: 'timed out after 200 ms', response_snippet: null })
    expect(delivery.attempts_log[0].latency_ms).toBeGreaterThanOrEqual(150)
    expect(r.hits).toHaveLength(1)
  })

  it('sends an event only to enabled endpoints of its organization subscribed to its type', async () => {
    const r = await receiver()
    const all = await createEndpoint({ url: `${r.url}/all` })
    await createEndpoint({ url: `${r.url}/transactions`, event_types: ['TRANSACTIONS'] })
    const accounts = await createEndpoint({ url: `${r.url}/accounts`, event_types: ['ACCOUNTS', 'OWNERS'] })
    await call('PATCH', `/api/webhooks/${accounts.id}/`, { disabled: true })
    await createEndpoint({ url: `${r.url}/other-org` }, ref.h.otherAuth)
    const paths = async () => {
      r.hits.length = 0
      while ((await dispatcher.deliverDue()) > 0) {
        /* drain */
      }
      return r.hits.map((hit) => hit.path).sort()
    }

    await emit({ webhookType: 'ACCOUNTS' })
    expect(await paths()).toEqual(['/all'])
    await emit({ webhookType: 'TRANSACTIONS' })
    expect(await paths()).toEqual(['/all', '/transactions'])
    await call('PATCH', `/api/webhooks/${accounts.id}/`, { disabled: false })
    await emit({ webhookType: 'OWNERS' })
    expect(await paths()).toEqual(['/accounts', '/all'])
    await emit({ webhookType: 'LINK', webhookCode: 'invalid_credentials' }, ref.h.otherKey.organizationId)
    expect(await paths()).toEqual(['/other-org'])

    // Disabling holds deliveries already scheduled; enabling releases them.
    const held = await emit({ webhookType: 'ACCOUNTS' })
    await call('PATCH', `/api/webhooks/${all.id}/`, { disabled: true })
    expect(await paths()).toEqual(['/accounts'])
    expect((await deliveryOf(all.id, held)).status).toBe('pending')
    await call('PATCH', `/api/webhooks/${all.id}/`, { disabled: false })
    expect(await paths()).toEqual(['/all'])
  })

  it('stores events nobody subscribes to, without deliveries', async () => {
    const webhookId = await emit({ webhookType: 'BILLS' })
    const [stored] = await ref.h.db.query<Json>('SELECT organization_id, webhook_type, payload FROM webhook_events WHERE id = $1', [webhookId])
    expect(stored).toMatchObject({ organization_id: ref.h.key.organizationId, webhook_type: 'BILLS' })
    expect(JSON.parse(stored.payload).webhook_id).toBe(webhookId)
    expect(await ref.h.db.query('SELECT 1 FROM webhook_deliveries WHERE event_id = $1', [webhookId])).toEqual([])
  })

  it("emits inside the caller's transaction: a rollback sends nothing", async () => {
    const r = await receiver()
    await createEndpoint({ url: r.url })
    let emitted = ''
    await expect(
      ref.h.db.tx(async (tx) => {
        emitted = await emitWebhook(tx, { clock: ref.h.clock }, event(ref.h.key.organizationId))
        throw new Error('the change failed')
      }),
    ).rejects.toThrow('the change failed')
    expect(await ref.h.db.query('SELECT 1 FROM webhook_events WHERE id = $1', [emitted])).toEqual([])
    expect(await dispatcher.deliverDue()).toBe(0)
  })

  it('emits once per eventKey: a retried job gets the first webhook_id back', async () => {
    const r = await receiver()
    await createEndpoint({ url: r.url })
    const first = await emit({ eventKey: 'job-1:ACCOUNTS' })
    expect(await emit({ eventKey: 'job-1:ACCOUNTS', data: { total_accounts: 99 } })).toBe(first)
    // The same key in another organization is another event.
    expect(await emit({ eventKey: 'job-1:ACCOUNTS' }, ref.h.otherKey.organizationId)).not.toBe(first)
    expect(await dispatcher.deliverDue()).toBe(1)
    expect(JSON.parse(r.hits[0].raw)).toMatchObject({ webhook_id: first, data: { total_accounts: 3 } })
  })

  it('signs with the rotated secret from the next attempt on', async () => {
    const r = await receiver()
    const endpoint = await createEndpoint({ url: r.url })
    const { secret } = (await call('POST', `/api/webhooks/${endpoint.id}/rotate-secret/`)).body
    await emit()
    await dispatcher.deliverDue()
    const [hit] = r.hits
    const timestamp = hit.headers['x-ponte-timestamp'] as string
    expect(hit.headers['x-ponte-signature']).toBe(`v1=${sign(secret, timestamp, hit.raw)}`)
    expect(hit.headers['x-ponte-signature']).not.toBe(`v1=${sign(endpoint.secret, timestamp, hit.raw)}`)
    expect(hit.headers).not.toHaveProperty('authorization')
  })

  it('lists deliveries newest first with status, type and date filters', async () => {
    const r = await receiver((_hit, n, res) => {
      res.statusCode = n === 1 ? 200 : 503
      res.end()
    })
    const endpoint = await createEndpoint({ url: r.url })
    const ok = await emit({ webhookType: 'ACCOUNTS' })
    await dispatcher.deliverDue()
    ref.h.clock.advance(60_000)
    const since = ref.h.clock.now().toISOString()
    const bad = await emit({ webhookType: 'TRANSACTIONS', webhookCode: 'transactions_updated' })
    await dispatcher.deliverDue()
    const ids = async (query: string) => (await call('GET', `/api/webhooks/${endpoint.id}/deliveries/${query}`)).body.results.map((d: Json) => d.webhook_id)
    expect(await ids('')).toEqual([bad, ok])
    expect(await ids('?status=succeeded')).toEqual([ok])
    expect(await ids('?status=pending')).toEqual([bad])
    expect(await ids('?status__in=pending,failed')).toEqual([bad])
    expect(await ids('?webhook_type=TRANSACTIONS')).toEqual([bad])
    expect(await ids('?webhook_code=historical_update')).toEqual([ok])
    expect(await ids(`?created_at__gte=${since}`)).toEqual([bad])
    expect(await ids(`?created_at__lt=${since}`)).toEqual([ok])
    expect((await call('GET', `/api/webhooks/${endpoint.id}/deliveries/?status=lost`)).body[0]).toMatchObject({ code: 'invalid_choice', field: 'status' })
    const page = (await call('GET', `/api/webhooks/${endpoint.id}/deliveries/?page_size=1`)).body
    expect(page).toMatchObject({ count: 2, next: expect.stringContaining('page=2') })
    expect(page.results[0].attempts_log[0]).toMatchObject({ status_code: 503, error: 'HTTP 503', response_snippet: '' })
  })

  it(`keeps an event and its deliveries ${WEBHOOK_EVENT_RETENTION_DAYS} days, and longer while one is still being retried`, async () => {
    const up = await createEndpoint({ url: (await receiver()).url })
    const down = await createEndpoint({ url: await refusedUrl() })
    const webhookId = await emit({ webhookType: 'OWNERS' })
    expect(await dispatcher.deliverDue()).toBe(2)
    const count = async (endpointId: string) => (await call('GET', `/api/webhooks/${endpointId}/deliveries/?webhook_id=${webhookId}`)).body.count
    const retention = () => applyRetention(ref.h.app.deps.domain, ref.h.clock.now())
    ref.h.clock.advance((WEBHOOK_EVENT_RETENTION_DAYS - 1) * 86_400_000)
    await retention()
    expect([await count(up.id), await count(down.id)]).toEqual([1, 1])
    // Past the retention, the delivery to the endpoint that is down is still pending: all stays.
    ref.h.clock.advance(2 * 86_400_000)
    await retention()
    expect([await count(up.id), await count(down.id)]).toEqual([1, 1])
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      expect(await dispatcher.deliverDue()).toBe(1)
      ref.h.clock.advance(RETRY_DELAYS_MS[attempt - 1] ?? 0)
    }
    const failed = await deliveryOf(down.id, webhookId)
    expect(failed.status).toBe('failed')
    expect((await retention()).oldWebhookEvents).toBeGreaterThanOrEqual(1)
    expect([await count(up.id), await count(down.id)]).toEqual([0, 0])
    expect((await call('POST', `/api/webhooks/deliveries/${failed.id}/redeliver/`)).status).toBe(404)
    const [attempts] = await ref.h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_attempts WHERE delivery_id = $1', [failed.id])
    expect(attempts.n).toBe(0)
  })
})

// The commands run in-process on a fresh database (test/cli/cli.test.ts runs the `ponte` process itself).
describe('ponte webhooks CLI', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>
  let runner: ReturnType<typeof commandRunner>
  beforeAll(async () => {
    db = await openTestDb()
    runner = commandRunner({
      db: async () => db,
      cipher: async () => new Cipher(randomBytes(32)),
      queue: async () => {
        throw new Error('not needed')
      },
      // Its endpoints are on loopback, which production refuses by default, in the CLI as in the API.
      webhooks: { allowPrivateDestinations: true },
    })
  })
  afterAll(async () => db?.dropDatabase())
  /** As the process would: a failed command rejects with its exit code and stderr. */
  const ponte = async (...args: string[]) => {
    const result = await runner(...args)
    if (result.code !== 0) throw Object.assign(new Error(result.stderr), result)
    return result
  }

  it('creates, lists, shows deliveries of, redelivers and deletes endpoints', async () => {
    await expect(ponte('webhooks', 'list')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no organization yet') })
    const key = JSON.parse((await ponte('keys', 'create', '--json')).stdout)
    const created = JSON.parse(
      (await ponte('webhooks', 'create', '--url', 'http://127.0.0.1:9/hook', '--authorization', 'Bearer cli-token-9876', '--json')).stdout,
    )
    expect(created).toMatchObject({ url: 'http://127.0.0.1:9/hook', authorization: 'Bearer ***9876', secret: expect.stringMatching(/^whsec_/) })
    const text = (await ponte('webhooks', 'create', '--url', 'https://hooks.example.com/', '--organization-id', key.organization_id)).stdout
    expect(text).toContain('signing secret:   whsec_')
    await expect(ponte('webhooks', 'create', '--url', 'ftp://nope')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('url: Enter a valid URL'),
    })

    const listed = JSON.parse((await ponte('webhooks', 'list', '--json')).stdout)
    expect(listed.map((e: Json) => e.url).sort()).toEqual(['http://127.0.0.1:9/hook', 'https://hooks.example.com/'])
    expect(JSON.stringify(listed)).not.toContain('cli-token')
    expect(JSON.stringify(listed)).not.toContain(created.secret)

    // An event emitted by the server side (here: straight into the same database).
    const webhookId = await db.tx((tx) => emitWebhook(tx, { clock: systemClock }, event(key.organization_id)))
    const deliveries = JSON.parse((await ponte('webhooks', 'deliveries', created.id, '--json')).stdout)
    expect(deliveries).toEqual([expect.objectContaining({ webhook_id: webhookId, status: 'pending', attempts: 0 })])
    expect((await ponte('webhooks', 'redeliver', deliveries[0].id)).stdout).toContain(`Delivery ${deliveries[0].id} is pending again`)
    await expect(ponte('webhooks', 'redeliver', randomUUID())).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('Not found') })

    expect((await ponte('webhooks', 'delete', created.id)).stdout).toContain(`Deleted ${created.id}`)
    await expect(ponte('webhooks', 'delete', created.id)).rejects.toMatchObject({ code: 1 })
  })
})
