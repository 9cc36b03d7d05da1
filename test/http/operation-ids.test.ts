import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { SPEC_DIR, SPECS } from '../helpers/spec.ts'

interface Operation {
  method: string
  path: string
  operationId?: string
  tags?: string[]
}

type Paths = Record<string, Record<string, { operationId?: string; tags?: string[] }>>

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options'])

function operations(paths: Paths): Operation[] {
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, operationId: op.operationId, tags: op.tags })),
  )
}

/** Path parameters are named differently here and there (`{id}`, `{link_id}`): the route is the same. */
const routeKey = (op: Operation) => `${op.method} ${op.path.replace(/\{[^}]+\}/g, '{}')}`

/**
 * Generated clients name their methods after operationIds: every operation has one, none is
 * shared, and where Belvo has the operation, Ponte uses Belvo's name for it (a client generated
 * from either document reads the same).
 */
describe('operationIds in /openapi.json', () => {
  let h: Harness
  let ours: Operation[]
  const belvo = new Map<string, Set<string>>()

  beforeAll(async () => {
    h = await createHarness()
    ours = operations((await h.app.inject({ method: 'GET', url: '/openapi.json' })).json().paths)
    for (const file of Object.values(SPECS)) {
      for (const op of operations(JSON.parse(readFileSync(join(SPEC_DIR, file), 'utf8')).paths)) {
        if (!op.operationId) continue
        const ids = belvo.get(routeKey(op)) ?? new Set<string>()
        belvo.set(routeKey(op), ids.add(op.operationId))
      }
    }
  })
  afterAll(async () => h.close())

  it('names every operation, hand-written or generated from a resource spec', () => {
    expect(ours.length).toBeGreaterThan(70)
    expect(ours.filter((op) => !op.operationId).map(routeKey)).toEqual([])
  })

  it('gives no two operations the same id', () => {
    const ids = ours.flatMap((op) => (op.operationId ? [op.operationId] : []))
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([])
  })

  it("uses Belvo's operationId where Belvo has the operation", () => {
    const shared = ours.filter((op) => op.operationId && belvo.has(routeKey(op)))
    expect(shared.map((op) => op.operationId)).toEqual(
      expect.arrayContaining(['ListLinks', 'RegisterLink', 'RefreshHistoricalDataForLink', 'ListInstitutions', 'GenerateWidgetAccessToken']),
    )
    // Belvo's documents give one id to two routes (ListBalances: /api/br/balances/ and the legacy
    // /api/balances/); ids are unique here, so the legacy route whose plain id another operation
    // holds takes it with `Legacy` (the registry test checks which one).
    const taken = new Set(ours.map((op) => op.operationId))
    const different = shared.filter((op) => {
      const names = [...belvo.get(routeKey(op))!]
      return !names.includes(op.operationId!) && !names.some((name) => op.operationId === `${name}Legacy` && taken.has(name))
    })
    expect(different.map((op) => `${routeKey(op)}: ${op.operationId}, Belvo: ${[...belvo.get(routeKey(op))!].join(' or ')}`)).toEqual([])
  })
})
