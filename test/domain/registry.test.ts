import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CATALOG, wireShape } from '../../src/connectors/catalog.ts'
import { createSandboxConnector } from '../../src/connectors/sandbox/connector.ts'
import { OWNERS, TRANSACTIONS } from '../../src/domain/banking.ts'
import { backgroundResource, existsAt, registerResource, RESOURCES, resourceNamed, type ResourceSpec } from '../../src/domain/registry.ts'
import { SPEC_DIR, SPECS, specsAvailable } from '../helpers/spec.ts'

/** A valid spec of its own (a copy of owners under other names), to break one part at a time. */
function thing(changes: Partial<ResourceSpec> = {}): ResourceSpec {
  return {
    ...OWNERS,
    name: 'test/things',
    path: '/api/test/things/',
    recordKey: 'TEST_THINGS',
    background: undefined,
    operationIds: { retrieve: 'RetrieveThings', resume: 'PatchThings', list: 'ListThings', detail: 'DetailThing', delete: 'DestroyThing' },
    ...changes,
  }
}

const register =
  (spec: ResourceSpec, registered: ResourceSpec[] = [...RESOURCES]) =>
  () =>
    registerResource(spec, registered)

describe('resource registry', () => {
  it('lists every banking resource once, by its URL name, before the other families', () => {
    const names = RESOURCES.map((spec) => spec.name)
    expect(new Set(names).size).toBe(names.length)
    expect(names.slice(0, 12)).toEqual([
      'accounts',
      'owners',
      'transactions',
      'br/balances',
      'balances',
      'bills',
      'br/investments',
      'br/investment-transactions',
      'br/exchanges',
      'statements',
      'investments/portfolios',
      'receivables/transactions',
    ])
    expect(resourceNamed('br/exchanges')?.path).toBe('/api/br/exchanges/')
    expect(resourceNamed('investments/portfolios')).toMatchObject({ path: '/investments/portfolios/', answer: 'single' })
    expect(resourceNamed('nothing')).toBeUndefined()
  })

  it('gives every route a distinct operationId', () => {
    const ids = RESOURCES.flatMap((spec) => [...Object.values(spec.operationIds), ...(spec.children ? [spec.children.operationId] : [])])
    expect(ids.length).toBeGreaterThan(50)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it.skipIf(!specsAvailable())("uses Belvo's operationId wherever Belvo's specs publish the route, suffixed only where a current path has it", () => {
    // Path and method to Belvo's operationId, the current spec first: its paths keep the plain names.
    const belvo = new Map<string, string>()
    const current = new Set<string>()
    const currentRoutes = new Set<string>()
    for (const file of [SPECS.current, SPECS.multiregion]) {
      const doc = JSON.parse(readFileSync(join(SPEC_DIR, file), 'utf8')) as { paths: Record<string, Record<string, { operationId?: string }>> }
      for (const [path, operations] of Object.entries(doc.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const key = `${method.toUpperCase()} ${path}`
          if (!operation.operationId || belvo.has(key)) continue
          belvo.set(key, operation.operationId)
          if (file === SPECS.current) {
            current.add(operation.operationId)
            currentRoutes.add(key)
          }
        }
      }
    }
    let compared = 0
    for (const spec of RESOURCES) {
      const routes: [string, string | undefined][] = [
        [`POST ${spec.path}`, spec.operationIds.retrieve],
        [`PATCH ${spec.path}`, spec.operationIds.resume],
        [`GET ${spec.path}`, spec.operationIds.list],
        [`GET ${spec.path}{id}/`, spec.operationIds.detail],
        [`DELETE ${spec.path}{id}/`, spec.operationIds.delete],
        ...(spec.children ? [[`GET ${spec.path}{id}/${spec.children.path}/`, spec.children.operationId] as [string, string]] : []),
      ]
      for (const [route, ours] of routes) {
        const theirs = belvo.get(route)
        if (!theirs || !ours) continue
        compared++
        // Belvo names some legacy daily balances' routes as the current /api/br/balances/ ones: the
        // current path keeps the name, the legacy one takes a suffix.
        const takenByCurrent = current.has(theirs) && !currentRoutes.has(route)
        const expected = takenByCurrent ? `${theirs}Legacy` : theirs
        expect(ours, route).toBe(expected)
      }
    }
    expect(compared).toBeGreaterThan(40)
  })

  it('has sandbox data for every registered resource and its children, at institutions that offer it', () => {
    for (const spec of RESOURCES) {
      const offering = CATALOG.filter((i) => i.resources.includes(spec.institutionResource) && (!spec.shape || wireShape(i) === spec.shape))
      expect(offering.length, spec.name).toBeGreaterThan(0)
      for (const institution of offering) {
        const connector = createSandboxConnector({ name: institution.name, country: institution.country, shape: wireShape(institution) })
        expect(connector.supports(spec.connectorResource), `${spec.name} at ${institution.name}`).toBe(true)
        if (spec.children) expect(connector.supports(spec.children.connectorResource), `${spec.name} children`).toBe(true)
      }
    }
  })

  it('accepts a complete spec', () => {
    const registered = [...RESOURCES]
    registerResource(thing(), registered)
    expect(registered.at(-1)?.name).toBe('test/things')
  })

  it('refuses a spec with a missing part, naming the resource and the part', () => {
    expect(register(thing({ body: undefined as never }))).toThrow("Resource spec 'test/things': needs a retrieve body schema")
    expect(register(thing({ toRow: undefined }))).toThrow("Resource spec 'test/things': is stored in records: it needs a recordKey, wireFields and toRow")
    expect(register(thing({ recordKey: undefined }))).toThrow(/is stored in records: it needs a recordKey/)
    expect(register(thing({ items: {} }))).toThrow("items must name Belvo's item schema(s)")
    expect(
      register(thing({ operationIds: { retrieve: 'RetrieveThings', resume: '', list: 'ListThings', detail: 'DetailThing', delete: 'DestroyThing' } })),
    ).toThrow('has no operationIds.resume')
    expect(register(thing({ linkingFields: undefined as never }))).toThrow('must declare its linkingFields')
  })

  it('refuses parts that contradict each other', () => {
    expect(register(thing({ deletable: false }))).toThrow('has operationIds.delete but is not deletable')
    expect(register(thing({ operationIds: { retrieve: 'RetrieveThings', resume: 'PatchThings', list: 'ListThings', detail: 'DetailThing' } }))).toThrow(
      'is deletable but has no operationIds.delete',
    )
    expect(register(thing({ async: true, answer: 'single' }))).toThrow('must be a list resource')
    expect(register(thing({ derive: 'incomes' as never }))).toThrow('derive must be a function of the fetched records')
    expect(register({ ...TRANSACTIONS, name: 'test/things', path: '/api/test/things/', derive: () => [] }, [])).toThrow(
      'derives its records from others: it is stored in records',
    )
    expect(register(thing({ shape: 'ofda' }))).toThrow("items names schemas for a shape other than its own 'ofda'")
    expect(register(thing({ path: '/api/other/' }))).toThrow("must be absolute and end with '/test/things/'")
    expect(register(thing({ background: { fetchResource: 'TRANSACTIONS', historyDays: 30, summary: 'count' } }))).toThrow(
      "background.fetchResource 'TRANSACTIONS' must be its institutionResource 'OWNERS'",
    )
    expect(register(thing({ background: { fetchResource: 'OWNERS', historyDays: 30, summary: 'transactions' } }))).toThrow(
      "background.summary 'transactions' needs transactions storage",
    )
    expect(
      register(
        {
          ...TRANSACTIONS,
          name: 'test/things',
          path: '/api/test/things/',
          toRow: () => ({ accountId: null, recordDate: null, kind: null, prefix: {}, body: {} }),
        },
        [],
      ),
    ).toThrow('toRow is for records storage only')
  })

  it('refuses what another registered resource already has', () => {
    expect(register(thing({ name: 'owners', path: '/api/owners/' }))).toThrow("Resource spec 'owners': is registered twice")
    expect(register(thing({ operationIds: { ...thing().operationIds, list: 'ListOwners' } }))).toThrow("operationId ListOwners is also 'owners's")
    expect(register(thing({ operationIds: { ...thing().operationIds, detail: 'ListExchangeHistory' } }))).toThrow(
      "operationId ListExchangeHistory is also 'br/exchanges's",
    )
    expect(register(thing({ recordKey: 'OWNERS' }))).toThrow("records key OWNERS is also 'owners's: their rows would mix")
    expect(register(thing({ background: { fetchResource: 'OWNERS', historyDays: 30, summary: 'count' } }))).toThrow(
      "historical updates would fetch both it and 'owners' for OWNERS",
    )
    // One fetch_resources name may select one resource per shape (BALANCES: br/balances or balances).
    const both = [...RESOURCES]
    expect(
      register(
        thing({ background: { fetchResource: 'OWNERS', historyDays: 30, summary: 'count' }, shape: 'multiregion', items: { multiregion: ['Owner'] } }),
        both,
      ),
    ).toThrow('historical updates would fetch both')
    expect(register(thing({ operationIds: { ...thing().operationIds, detail: 'ListThings' } }))).toThrow('uses one operationId for two routes')
  })

  it('refuses a resource computed from records that nothing registered before it stores', () => {
    const metrics = resourceNamed('employment-metrics')!
    expect(metrics.computedFrom).toBe('EMPLOYMENT_RECORDS')
    expect(register(thing({ computedFrom: 'EMPLOYMENT_RECORDS' }))).not.toThrow()
    expect(register(thing({ computedFrom: 'EMPLOYMENT_RECORDZ' }))).toThrow(
      "Resource spec 'test/things': is computed from the records 'EMPLOYMENT_RECORDZ', which no resource registered before it stores",
    )
    expect(
      register(
        thing({ computedFrom: 'EMPLOYMENT_RECORDS' }),
        [...RESOURCES].filter((spec) => spec.name !== 'employment-records'),
      ),
    ).toThrow('which no resource registered before it stores')
  })

  it("tells apart one catalog name's resources by country: Chile's invoices and Mexico's", () => {
    const chile = resourceNamed('cl/invoices')!
    const mexico = resourceNamed('invoices')!
    expect(chile).toMatchObject({ institutionResource: 'INVOICES', country: 'CL' })
    expect(mexico).toMatchObject({ institutionResource: 'INVOICES', country: 'MX' })
    // Another resource of the name beside Chile's, in place of Mexico's: refused unless it names its country.
    const withoutMexico = () => [...RESOURCES].filter((spec) => spec !== mexico)
    const mexican = (changes: Partial<ResourceSpec>) =>
      thing({ institutionResource: 'INVOICES', background: { fetchResource: 'INVOICES', historyDays: 365, summary: 'count' }, ...changes })
    expect(register(mexican({ shape: 'multiregion', items: { multiregion: ['Invoice'] }, country: 'MX' }), withoutMexico())).not.toThrow()
    expect(register(mexican({ shape: 'multiregion', items: { multiregion: ['Invoice'] } }), withoutMexico())).toThrow(
      "historical updates would fetch both it and 'cl/invoices' for INVOICES",
    )
    expect(register(mexican({ shape: 'multiregion', items: { multiregion: ['Invoice'] }, country: 'MX' }))).toThrow(
      "historical updates would fetch both it and 'invoices' for INVOICES",
    )
    expect(backgroundResource('INVOICES', { country: 'CL', shape: 'multiregion' })).toBe(chile)
    expect(backgroundResource('INVOICES', { country: 'MX', shape: 'multiregion' })).toBe(mexico)
    expect(existsAt(mexico, { country: 'CL', shape: 'multiregion' })).toBe(false)
    expect(existsAt(chile, { country: 'MX', shape: 'multiregion' })).toBe(false)
  })
})
