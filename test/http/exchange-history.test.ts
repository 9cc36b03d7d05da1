import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from '../helpers/harness.ts'
import type { InstitutionConnector } from '../../src/connectors/types.ts'
import { createLink } from '../helpers/resources.ts'
import { PonteError } from '../../src/lib/errors.ts'

/**
 * An exchange and its history are one write: the history is asked for before anything is stored,
 * and stored in the exchanges' transaction.
 */
describe('exchanges and their history, written together', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
  })
  afterAll(async () => h.close())

  it('stores no exchange when the institution fails to answer for its history', async () => {
    const link = await createLink(h, { institution: 'erebor_br_retail' })
    const period = { link: link.id, date_from: '2025-03-01', date_to: '2026-02-28' }
    // The sandbox connector, whose history call fails (as an institution that goes down half-way).
    const registry = h.app.deps.domain.connectors
    const sandbox = registry.connectorFor(registry.institution('erebor_br_retail')!)
    const failing: InstitutionConnector = {
      ...sandbox,
      fetch: (resource, ctx, params) =>
        resource === 'EXCHANGE_HISTORY' ? Promise.reject(new PonteError('institution_down')) : sandbox.fetch(resource, ctx, params),
    }
    registry.register('erebor_br_retail', () => failing)

    const failed = await h.call('POST', '/api/br/exchanges/', period)
    expect(failed.body[0]).toMatchObject({ code: 'institution_down' })
    expect((await h.call('GET', `/api/br/exchanges/?link=${link.id}`)).body.count).toBe(0)

    registry.register('erebor_br_retail', () => sandbox)
    const stored = await h.call('POST', '/api/br/exchanges/', period)
    expect(stored.status).toBe(201)
    expect(stored.body.length).toBeGreaterThan(0)
    const history = await h.call('GET', `/api/br/exchanges/${stored.body[0].id}/history/`)
    expect(history.body.count).toBeGreaterThan(0)
  })
})
