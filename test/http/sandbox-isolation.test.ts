import { randomUUID } from 'node:crypto'
import { generateCnpj } from '@brazilian-utils/brazilian-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api } from '../../src/http/api.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'

type Json = Record<string, any>

/** Every route of the app (HEAD aside), from fastify's route tree: new routes are walked with no change here. */
function routeTable(app: Api): { method: string; path: string }[] {
  const stack: string[] = []
  const routes: { method: string; path: string }[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line)
    if (!match) continue
    const depth = match[1]!.length / 4
    const path = (stack[depth - 1] ?? '') + match[2]
    stack.length = depth
    stack.push(path)
    for (const method of match[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push({ method, path })
  }
  return routes
}

/** The pages and the receiver under /sandbox/ that take no key: each serves what its own unguessable token or consent names. */
const KEYLESS = [
  'POST /sandbox/inbox/:token',
  'GET /sandbox/openfinance/authorize',
  'POST /sandbox/openfinance/authorize/login',
  'POST /sandbox/openfinance/authorize/decision',
  'GET /sandbox/openfinance/enrollments/authorize',
  'POST /sandbox/openfinance/enrollments/decision',
  'GET /payments/sandbox/pse/:token',
  'GET /sandbox/openfinance/payment-authorizations/:token',
  'POST /sandbox/openfinance/payment-authorizations/:token/login',
  'POST /sandbox/openfinance/payment-authorizations/:token/decision',
  'POST /payments/sandbox/pse/:token',
]

/**
 * Nothing under /sandbox/ reaches another organization (issue 18): every route, with organization
 * B's key, on organization A's objects (link, fault rule, inbox message, bank account, clock)
 * answers 404 and changes nothing of A's; the routes without an object id act on B only.
 */
describe('sandbox isolation', () => {
  let h: Harness
  const a: Json = {}
  beforeAll(async () => {
    h = await createHarness()
    a.link = (await h.call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' })).body.id
    a.fault = (await h.call('POST', '/sandbox/faults/', { match: { path: '/api/never/' }, effect: { status: 503 } })).body.id
    const receiver = new URL((await h.call('GET', '/sandbox/inbox/')).body.url)
    expect(
      (await h.app.inject({ method: 'POST', url: receiver.pathname, payload: '{"hello":"A"}', headers: { 'content-type': 'application/json' } })).statusCode,
    ).toBe(204)
    a.message = (await h.call('GET', '/sandbox/inbox/messages/')).body.results[0].id
    a.account = (
      await h.call('POST', '/payments/br/bank-accounts/', {
        institution: '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001',
        holder: { type: 'BUSINESS', information: { name: 'Loja Exemplo Ltda', identifier_type: 'CNPJ', identifier: generateCnpj() } },
        details: { account_type: 'CHECKINGS', agency: '0001', number: '123456' },
      })
    ).body.id
    expect((await h.call('PUT', '/sandbox/clock/', { now: h.clock.now().toISOString() })).status).toBe(200)
    for (const id of Object.values(a)) expect(id).toMatch(/^[0-9a-f-]{36}$/)
  })
  afterAll(async () => h?.close())

  /** A request as B (the answer parsed when JSON: the inbox page is HTML). */
  const asB = async (method: string, url: string, body?: Json) => {
    const res = await h.app.inject({ method: method as 'GET', url, payload: body, headers: { authorization: h.otherAuth } })
    const json = String(res.headers['content-type'] ?? '').startsWith('application/json')
    return { status: res.statusCode, body: json ? res.json() : res.body }
  }

  /** What B could change of A's, read with A's key. */
  const stateOfA = async () => ({
    clock: (await h.call('GET', '/sandbox/clock/')).body,
    seed: (await h.call('GET', '/sandbox/seed/')).body,
    faults: (await h.call('GET', '/sandbox/faults/')).body,
    inbox: (await h.call('GET', '/sandbox/inbox/messages/')).body,
    link: (await h.call('GET', `/api/links/${a.link}/`)).body,
    statement: (await h.call('GET', `/sandbox/payments/br/bank-accounts/${a.account}/statement/`)).body,
  })

  it("walks every /sandbox/ route with B's key on A's objects: 404 for each, nothing of A's changed, B's own state moved", async () => {
    const routes = routeTable(h.app).filter((route) => route.path.includes('/sandbox/'))
    const before = await stateOfA()
    const later = new Date(h.clock.now().getTime() + 86_400_000).toISOString()
    // The object each `:id` names, by the collection it follows; a new kind of object fails here until added.
    const objectOf: Record<string, string> = { links: a.link, faults: a.fault, messages: a.message, 'bank-accounts': a.account }
    // The bodies each route is tried with (A's objects where a body names one); a new route with a body fails here until added.
    const bodies: Record<string, Json[]> = {
      'POST /sandbox/links/:id/simulate': [{ event: 'new_transactions' }],
      'POST /sandbox/webhooks': [
        { webhook_type: 'TRANSACTIONS', webhook_code: 'historical_update', link: a.link },
        { webhook_type: 'BANK_ACCOUNTS', webhook_code: 'OBJECT_CREATED', object_id: a.account },
      ],
      'POST /sandbox/faults': [{ match: { link: a.link }, effect: { status: 500 } }],
      'PUT /sandbox/clock': [{ now: later }],
      'PUT /sandbox/seed': [{ seed: 'organization B' }],
      'POST /sandbox/clock/advance': [{ by: 'P1D' }],
    }
    const keyless: string[] = []
    for (const { method, path } of routes) {
      const name = `${method} ${path}`
      if ((await h.app.inject({ method: method as 'GET', url: `${path}/`, payload: method === 'GET' ? undefined : {} })).statusCode !== 401) {
        keyless.push(name)
        continue
      }
      const url = `${path.replace(/\/([^/]+)\/:id/g, (_, collection: string) => {
        expect(objectOf[collection], `no object of A's for ${name}`).toBeDefined()
        return `/${collection}/${objectOf[collection]}`
      })}/`
      const tries = bodies[name] ?? (method === 'GET' || method === 'DELETE' ? [undefined] : [])
      expect(tries.length, `no body for ${name}`).toBeGreaterThan(0)
      for (const body of tries) {
        const res = await asB(method, url, body)
        const said = `${name} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`
        if (path.includes(':id')) {
          expect(res.status, said).toBe(404)
          expect(res.body[0]).toMatchObject({ code: expect.any(String), request_id: expect.any(String) })
        } else if (body && Object.values(a).some((id) => JSON.stringify(body).includes(id))) {
          // An id of A's in a body: refused exactly as an id that does not exist.
          const unknown = JSON.parse(Object.values(a).reduce((text, id) => text.replaceAll(id, randomUUID()), JSON.stringify(body)))
          const other = await asB(method, url, unknown)
          const shape = (r: { status: number; body: any }) => ({ status: r.status, errors: r.body.map(({ code, field }: Json) => ({ code, field })) })
          expect(res.status, said).toBeGreaterThanOrEqual(400)
          expect(shape(res), said).toEqual(shape(other))
        } else {
          expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBeLessThan(300)
          // What B reads is B's own: nothing of A's in it.
          for (const id of Object.values(a)) expect(JSON.stringify(res.body ?? ''), name).not.toContain(id)
        }
      }
    }
    expect(keyless.sort()).toEqual([...KEYLESS].sort())
    expect(routes.length - keyless.length, 'routes walked with a key').toBeGreaterThanOrEqual(14)
    expect(await stateOfA()).toEqual(before)
    // B's clock moved, by B's own calls (PUT, DELETE, then advance): A's did not.
    expect((await h.call('GET', '/sandbox/clock/', undefined, { auth: h.otherAuth })).body.pinned).toBe(true)
  })

  it("refuses A's own link once its institution is served by a real connector: no simulation, webhook, fault or clock for it", async () => {
    // No catalog institution has a real connector by default: register one, as a deployment would (last test: it stays).
    const institution = (await h.call('GET', `/api/links/${a.link}/`)).body.institution
    h.app.deps.domain.connectors.register(institution, () => {
      throw new Error('no real bank in tests')
    })
    const refusals = [
      await h.call('POST', `/sandbox/links/${a.link}/simulate/`, { event: 'new_transactions' }),
      await h.call('POST', '/sandbox/webhooks/', { webhook_type: 'TRANSACTIONS', webhook_code: 'historical_update', link: a.link }),
      await h.call('POST', '/sandbox/faults/', { match: { link: a.link }, effect: { status: 500 } }),
      await h.call('POST', '/sandbox/clock/advance/', { by: 'P1D' }),
    ]
    for (const res of refusals) {
      expect(res.status, JSON.stringify(res.body)).toBe(400)
      expect(res.body[0].request_id).toMatch(/^[0-9a-f]{32}$/)
    }
  })
})
