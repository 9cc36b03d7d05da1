import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RESOURCES } from '../../src/domain/registry.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'

/** The routes, the reference and the background work generated from the resource registry. */
describe('routes from the resource registry', () => {
  let h: Harness
  beforeAll(async () => { h = await createHarness() })
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
    expect(RESOURCES.filter((spec) => doc.paths[spec.path].post.responses['202']).map((spec) => spec.name)).toEqual(['transactions'])
  })

  it("answers a bad retrieve body with Belvo's 400 naming the field, from the spec's body schema", async () => {
    const statements = await h.call('POST', '/api/statements/', { link: '0d3ffb69-f83b-456e-ad8e-208d0998d71d', account: 'x', year: 2025, month: 13 })
    expect(statements.status).toBe(400)
    expect(statements.body[0]).toMatchObject({ code: 'invalid', field: 'month' })
    const portfolios = await h.call('POST', '/investments/portfolios/', { link: '0d3ffb69-f83b-456e-ad8e-208d0998d71d', save_data: null })
    expect(portfolios.status).toBe(400)
    expect(portfolios.body[0]).toMatchObject({ field: 'save_data' })
  })
})
