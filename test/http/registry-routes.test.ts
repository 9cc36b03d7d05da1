import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConnectorResource, InstitutionConnector } from '../../src/connectors/types.ts'
import { RESOURCES } from '../../src/domain/registry.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import type { Receiver } from '../helpers/receiver.ts'

type Json = Record<string, any>

/** The routes, the reference and the background work generated from the resource registry. */
describe('routes from the resource registry', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
  })
  afterAll(async () => h.close())

  it("publishes each registered resource's routes with its operationIds and retrieve body", async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    for (const spec of RESOURCES) {
      const collection = doc.paths[spec.path]
      const one = doc.paths[`${spec.path}{id}/`]
      expect(collection?.post?.operationId, spec.name).toBe(spec.operationIds.retrieve)
      expect(collection.patch.operationId, spec.name).toBe(spec.operationIds.resume)
      expect(collection.get.operationId, spec.name).toBe(spec.operationIds.list)
      expect(one.get.operationId, spec.name).toBe(spec.operationIds.detail)
      expect(one.delete?.operationId, spec.name).toBe(spec.operationIds.delete)
      expect(collection.post.tags, spec.name).toEqual([spec.tag])
      const body = collection.post.requestBody.content['application/json'].schema
      expect(Object.keys(body.properties), spec.name).toEqual(Object.keys(spec.body.properties))
      if (spec.children) expect(doc.paths[`${spec.path}{id}/${spec.children.path}/`].get.operationId).toBe(spec.children.operationId)
    }
    // Only what the registry declares is asynchronous.
    const accepting = RESOURCES.filter((spec) => doc.paths[spec.path].post.responses['202']).map((spec) => spec.name)
    expect(accepting).toEqual(RESOURCES.filter((spec) => spec.async).map((spec) => spec.name))
    // Belvo's async POSTs (INVENTORY 2): transactions, Chile's invoices and debt reports, employment records and Brazil's employments.
    expect(accepting).toEqual(expect.arrayContaining(['transactions', 'cl/invoices', 'cl/debt-reports', 'employment-records', 'br/employments']))
    expect(accepting).not.toContain('accounts')
  })

  it("answers a bad retrieve body with Belvo's 400 naming the field, from the spec's body schema", async () => {
    const statements = await h.call('POST', '/api/statements/', { link: '0d3ffb69-f83b-456e-ad8e-208d0998d71d', account: 'x', year: 2025, month: 13 })
    expect(statements.status).toBe(400)
    expect(statements.body[0]).toMatchObject({ code: 'invalid', field: 'month' })
    const portfolios = await h.call('POST', '/investments/portfolios/', { link: '0d3ffb69-f83b-456e-ad8e-208d0998d71d', save_data: null })
    expect(portfolios.status).toBe(400)
    expect(portfolios.body[0]).toMatchObject({ field: 'save_data' })
  })

  describe('a connector that serves only some resources', () => {
    let receiver: Receiver
    beforeAll(async () => {
      receiver = await h.receiveWebhooks('Bearer registry-test')
      await h.startWorker()
    })

    /** The sandbox's institution `name`, served by a connector that supports only `resources`. */
    function serveOnly(name: string, resources: ConnectorResource[]): void {
      const registry = h.app.deps.domain.connectors
      const sandbox = registry.connectorFor(registry.institution(name)!)
      const partial: InstitutionConnector = {
        login: (credentials, token) => sandbox.login(credentials, token),
        supports: (resource) => resources.includes(resource),
        fetch: (resource, ctx, params) => {
          if (!resources.includes(resource)) throw new Error(`${resource} was asked for, though not supported`)
          return sandbox.fetch(resource, ctx, params)
        },
      }
      registry.register(name, () => partial)
    }

    async function idle(linkId: string): Promise<void> {
      for (let polls = 0; polls < 600; polls++) {
        if ((await h.call('GET', `/api/links/${linkId}/`)).body.background_work === null) return
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      throw new Error(`link ${linkId} still has background work`)
    }

    it("answers Belvo's unsupported_operation for the rest, and historical updates skip them", async () => {
      serveOnly('erebor_co_retail', ['ACCOUNTS', 'BALANCES'])
      const link = (
        await h.call('POST', '/api/links/', {
          institution: 'erebor_co_retail',
          username: 'bnk100',
          password: 'full',
          fetch_resources: ['ACCOUNTS', 'OWNERS', 'TRANSACTIONS', 'BALANCES'],
        })
      ).body
      await idle(link.id)
      await receiver.waitFor(() => receiver.received.some((r) => r.body.link_id === link.id))
      const events = await h.db.query<{ webhook_type: string; webhook_code: string }>(
        'SELECT webhook_type, webhook_code FROM webhook_events WHERE link_id = $1',
        [link.id],
      )
      // Owners and transactions come between accounts and balances: skipped, not the end of the update.
      expect(events.map((e) => `${e.webhook_type} ${e.webhook_code}`).sort()).toEqual(['ACCOUNTS historical_update', 'BALANCES historical_update'])
      expect((await h.call('GET', `/api/links/${link.id}/`)).body.status).toBe('valid')

      const accounts = await h.call('POST', '/api/accounts/', { link: link.id })
      expect(accounts.status).toBe(201)
      for (const [path, body] of [
        ['/api/owners/', { link: link.id }],
        ['/api/transactions/', { link: link.id, date_from: '2026-01-01', date_to: '2026-02-01' }],
      ] as const) {
        const res = await h.call('POST', path, body)
        expect(res.status, path).toBe(400)
        expect(res.body[0], path).toMatchObject({
          code: 'unsupported_operation',
          message: 'The resource you are trying to access is not supported by this institution',
        })
      }
      expect((await h.call('GET', `/api/owners/?link=${link.id}`)).body.count).toBe(0)
      expect((await h.call('POST', '/api/balances/', { link: link.id, date_from: '2026-01-01', date_to: '2026-02-01' })).status).toBe(201)
    })

    it("stores the parents alone when the connector has no children's data", async () => {
      serveOnly('erebor_br_retail', ['ACCOUNTS', 'EXCHANGES'])
      const link = (
        await h.call('POST', '/api/links/', {
          institution: 'erebor_br_retail',
          username: 'bnk100',
          password: 'full',
          access_mode: 'single',
          fetch_resources: [],
        })
      ).body
      const exchanges = await h.call('POST', '/api/br/exchanges/', { link: link.id, date_from: '2025-03-01', date_to: '2026-02-28' })
      expect(exchanges.status).toBe(201)
      expect(exchanges.body.length).toBeGreaterThan(0)
      for (const exchange of exchanges.body as Json[]) expect((await h.call('GET', `/api/br/exchanges/${exchange.id}/history/`)).body.count).toBe(0)
    })
  })
})
