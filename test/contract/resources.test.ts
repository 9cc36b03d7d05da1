import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SANDBOX_MFA_TOKEN } from '../../src/connectors/sandbox/personas.ts'
import { RESOURCES, resourceNamed, type ResourceSpec, type WireShape } from '../../src/domain/registry.ts'
import { createHarness, type CallResult, type Harness } from '../helpers/harness.ts'
import type { Receiver } from '../helpers/receiver.ts'
import {
  answerItems,
  createLink,
  EMPTY_PERSONA,
  expectError,
  expectErrors,
  expectItems,
  hasInstitution,
  institutionFor,
  isDateField,
  keysAmong,
  linkFor,
  needsAccountInBody,
  requiredFields,
  retrieveBody,
  retrievePrerequisites,
  shapesOf,
  undefinedSchemas,
  COUNTRY_OF_SHAPE,
} from '../helpers/resources.ts'

/**
 * The contract every registered resource keeps, generated from the registry: a resource family
 * gets all of it by being registered. Each case sets up what it needs (its own link, or the
 * shared stored data of its resource, created by whichever case asks first), so any case runs
 * alone. One harness for the file keeps the suite quick on PGlite and PostgreSQL.
 */

type Json = Record<string, any>
type FilterField = ResourceSpec['filters'][number]

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'
const ASYNC = { headers: { 'x-belvo-request-mode': 'async' } }

/** A value no validator reads as the type `schema` declares (every branch of a union, null aside). */
function wrongValueFor(schema: Json): unknown {
  const branches: Json[] = schema.anyOf ?? schema.oneOf ?? [schema]
  const types = new Set(branches.flatMap((b) => (Array.isArray(b.type) ? b.type : [b.type])).map((t) => (t === 'integer' ? 'number' : t)))
  // A boolean first: DRF's CharField, unlike a strict schema, accepts numbers for strings.
  const candidates: [string, unknown][] = [
    ['boolean', true],
    ['string', 'not-a-value'],
    ['number', 12345],
    ['object', { unexpected: 1 }],
  ]
  const found = candidates.find(([type]) => !types.has(type))
  if (!found) throw new Error(`no wrong value for ${JSON.stringify(schema)}`)
  return found[1]
}

/** A well-formed value of a list filter: one of its choices, a value of its format, or one of its type. */
function filterValue(filter: FilterField): string {
  if (filter.choices) return filter.choices[0]
  if (filter.format) {
    const sample = ['MXN', 'erebor_mx_retail', 'someone@example.com'].find((value) => filter.format!.pattern.test(value))
    if (!sample) throw new Error(`no sample value for the format of ${filter.param}: teach filterValue`)
    return sample
  }
  const byType: Record<FilterField['type'], string> = {
    text: 'abcd',
    uuid: UNKNOWN_ID,
    integer: '100',
    number: '100.5',
    date: '2026-01-01',
    datetime: '2026-01-01T12:00:00Z',
    boolean: 'true',
  }
  return byType[filter.type]
}

/** A value the filter must refuse (400), or undefined when any text is acceptable. */
function malformedFilterValue(filter: FilterField, lookup: string): string | undefined {
  if (filter.choices && lookup !== 'icontains') return 'NOT_A_CHOICE'
  if (lookup === 'icontains') return filter.minLength ? 'a'.repeat(filter.minLength - 1) : undefined
  if (filter.format) return '!!'
  const byType: Record<FilterField['type'], string | undefined> = {
    text: undefined,
    uuid: 'not-an-id',
    integer: 'lots',
    number: 'lots',
    date: '2026-13-01',
    datetime: 'yesterday',
    boolean: 'maybe',
  }
  return byType[filter.type]
}

/** Every route of a resource, with `id` in the record routes. */
function routesOf(spec: ResourceSpec, id: string): [string, string][] {
  return [
    ['POST', spec.path],
    ['PATCH', spec.path],
    ['GET', spec.path],
    ['GET', `${spec.path}${id}/`],
    ...(spec.deletable ? [['DELETE', `${spec.path}${id}/`] as [string, string]] : []),
    ...(spec.children ? [['GET', `${spec.path}${id}/${spec.children.path}/`] as [string, string]] : []),
  ]
}

describe('the contract of every registered resource', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
  })
  afterAll(async () => h?.close())

  const call: Harness['call'] = (...args) => h.call(...args)

  interface Prepared {
    link: Json
    accounts: Json[]
    body: Json
  }
  interface Retrieved extends Prepared {
    res: CallResult
    items: Json[]
  }

  /** A link for `spec` on a `shape` institution, its accounts when the body names one, and a retrieve body. */
  async function prepare(spec: ResourceSpec, shape: WireShape, options: { mfa?: boolean } = {}): Promise<Prepared> {
    const link = await linkFor(h, spec, shape, options)
    let accounts: Json[] = []
    if (needsAccountInBody(spec)) {
      const res = await retrieveThroughMfa(resourceNamed('accounts')!, { link: link.id })
      expect(res.status).toBe(201)
      accounts = res.body
    }
    await retrievePrerequisites(h, spec, link.id)
    return { link, accounts, body: retrieveBody(spec, link.id, accounts) }
  }

  /** POST, and when the institution asks for a token, the sandbox's token by PATCH. */
  async function retrieveThroughMfa(spec: ResourceSpec, body: Json): Promise<CallResult> {
    const res = await call('POST', spec.path, body)
    if (res.status !== 428) return res
    return call('PATCH', spec.path, { session: res.body[0].session, token: SANDBOX_MFA_TOKEN, link: body.link })
  }

  /** `spec` retrieved on a new link (stored unless `extra` says save_data false). */
  async function retrieved(spec: ResourceSpec, shape: WireShape, extra: Json = {}): Promise<Retrieved> {
    const prepared = await prepare(spec, shape)
    const res = await call('POST', spec.path, { ...prepared.body, ...extra })
    expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(extra.save_data === false ? 200 : 201)
    const items = answerItems(spec, res.body)
    expect(items.length, `${spec.name} retrieved nothing for the full persona`).toBeGreaterThan(0)
    return { ...prepared, res, items }
  }

  /** Stored data of each resource and shape that cases only read, made once by the first case that asks. */
  const shared = new Map<string, Promise<Retrieved>>()
  function stored(spec: ResourceSpec, shape: WireShape): Promise<Retrieved> {
    const key = `${spec.name}:${shape}`
    if (!shared.has(key)) shared.set(key, retrieved(spec, shape))
    return shared.get(key)!
  }

  /** Every page of the list of a link's records: the count and all results. */
  async function listOf(spec: ResourceSpec, linkId: string, auth?: string): Promise<{ count: number; results: Json[] }> {
    const results: Json[] = []
    for (let page = 1; ; page++) {
      const res = await call('GET', `${spec.path}?link=${linkId}&page_size=1000&page=${page}`, undefined, { auth })
      expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(200)
      expect(Object.keys(res.body).sort()).toEqual(['count', 'next', 'previous', 'results'])
      results.push(...res.body.results)
      if (res.body.next === null) return { count: res.body.count, results }
    }
  }

  /**
   * Deletes are limited per organization and minute on some resources (rateLimitedDelete): a case
   * that deletes starts a minute after the previous deletes, so none depends on how many ran before.
   */
  function freshDeleteWindow(spec: ResourceSpec): void {
    if (spec.rateLimitedDelete) h.clock.advance(61_000)
  }

  let receiver: Receiver | undefined
  /** A webhook receiver and the worker, started by the first case that needs them. */
  async function background(): Promise<Receiver> {
    if (!receiver) {
      receiver = await h.receiveWebhooks('Bearer contract')
      await h.startWorker()
    }
    return receiver
  }

  for (const spec of RESOURCES) {
    describe(spec.name, () => {
      it('answers 401 without a key on every route', async () => {
        for (const [method, url] of routesOf(spec, UNKNOWN_ID)) {
          const res = await call(method, url, method === 'POST' || method === 'PATCH' ? { link: UNKNOWN_ID } : undefined, { auth: null })
          expectError(res, 401, 'authentication_failed')
        }
      })

      it("names item schemas that Belvo's specs define, for every shape it exists in", () => {
        for (const shape of shapesOf(spec)) {
          expect(spec.items[shape]?.length, shape).toBeGreaterThan(0)
          expect(undefinedSchemas(spec.items, shape), shape).toEqual([])
          if (spec.children) expect(undefinedSchemas(spec.children.items, shape), `${spec.children.path} ${shape}`).toEqual([])
        }
      })

      if (spec.listNeedsLink) {
        it('requires link on its list', async () => {
          expectError(await call('GET', spec.path), 400, 'required', 'link')
        })
      } else {
        it('lists without a link', async () => {
          const res = await call('GET', spec.path)
          expect(res.status).toBe(200)
          expect(Object.keys(res.body).sort()).toEqual(['count', 'next', 'previous', 'results'])
        })
      }

      if (spec.deletable) {
        it(spec.rateLimitedDelete ? 'limits deletes to 5 a minute (429, then again after a minute)' : 'does not limit deletes', async () => {
          freshDeleteWindow(spec)
          for (let i = 0; i < 5; i++) expectError(await call('DELETE', `${spec.path}${UNKNOWN_ID}/`), 404, 'not_found')
          const sixth = await call('DELETE', `${spec.path}${UNKNOWN_ID}/`)
          if (!spec.rateLimitedDelete) return void expectError(sixth, 404, 'not_found')
          expectError(sixth, 429, 'too_many_requests')
          expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0)
          freshDeleteWindow(spec)
          expectError(await call('DELETE', `${spec.path}${UNKNOWN_ID}/`), 404, 'not_found')
        })
      }

      it(`answers 405 in Belvo's format to the methods it does not have${spec.deletable ? '' : ' (DELETE among them)'}`, async () => {
        const record = `${spec.path}${UNKNOWN_ID}/`
        const refused: [string, string][] = [
          ['PUT', spec.path],
          ['DELETE', spec.path],
          ['PUT', record],
          ['PATCH', record],
          ['POST', record],
        ]
        if (!spec.deletable) refused.push(['DELETE', record])
        for (const [method, url] of refused) {
          const res = await call(method, url, method === 'DELETE' ? undefined : { link: UNKNOWN_ID })
          expectError(res, 405, 'method_not_allowed')
          const allowed = String(res.headers.allow).split(', ')
          expect(allowed, `${method} ${url}`).not.toContain(method)
          expect(allowed, `${method} ${url}`).toContain('GET')
        }
      })

      for (const shape of shapesOf(spec)) {
        describe(`for a ${shape} institution`, () => {
          it('stores what it retrieves (201) and lists it; every item is a Belvo item', async () => {
            const { link, items } = await retrieved(spec, shape)
            expectItems(spec.items, shape, items, 'retrieved item')
            const list = await listOf(spec, link.id)
            expectItems(spec.items, shape, list.results, 'listed item')
            const listed = list.results.map((item: Json) => item.id).sort()
            // A single-object answer (legacy portfolios) is one of what was stored.
            if (spec.answer === 'single') expect(listed).toContain(items[0].id)
            else expect(listed).toEqual(items.map((item) => item.id).sort())
            expect(list.count).toBe(listed.length)
          })

          it('only returns what it retrieves with save_data false (200), storing nothing', async () => {
            const { link, body } = await prepare(spec, shape)
            const before = (await listOf(spec, link.id)).count
            const res = await call('POST', spec.path, { ...body, save_data: false })
            expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(200)
            const items = answerItems(spec, res.body)
            expect(items.length).toBeGreaterThan(0)
            expectItems(spec.items, shape, items)
            expect((await listOf(spec, link.id)).count).toBe(before)
          })

          // A single-object answer has nothing to say for no data: Belvo documents no empty answer for it.
          if (spec.answer === 'list' && !needsAccountInBody(spec)) {
            it('answers an empty list (201) for a user with no data, and stores nothing', async () => {
              const institution = institutionFor({ shape, resource: spec.institutionResource, country: spec.country })
              const link = await createLink(h, { institution: institution.name, persona: EMPTY_PERSONA[institution.type] })
              const res = await call('POST', spec.path, retrieveBody(spec, link.id))
              expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(201)
              expect(res.body).toEqual([])
              expect((await listOf(spec, link.id)).count).toBe(0)
            })
          }

          it("answers a detail equal to its list item and to the retrieve's item", async () => {
            const { link, items } = await stored(spec, shape)
            const list = await listOf(spec, link.id)
            const byId = new Map(items.map((item) => [item.id, item]))
            expect(list.results.length).toBeGreaterThan(0)
            for (const item of list.results) if (spec.answer === 'list' || byId.has(item.id)) expect(item).toEqual(byId.get(item.id))
            for (const item of [list.results[0], list.results[list.results.length - 1]]) {
              const detail = await call('GET', `${spec.path}${item.id}/`)
              expect(detail.status).toBe(200)
              expect(detail.body).toEqual(item)
              expectItems(spec.items, shape, [detail.body], 'detail')
            }
            expectError(await call('GET', `${spec.path}${UNKNOWN_ID}/`), 404, 'not_found')
            expectError(await call('GET', `${spec.path}not-an-id/`), 404, 'not_found')
          })

          it('never puts the fields that only tie records together at the institution on the wire', async () => {
            const { link, items } = await stored(spec, shape)
            const list = await listOf(spec, link.id)
            const detail = (await call('GET', `${spec.path}${list.results[0].id}/`)).body
            for (const item of [...items, ...list.results, detail]) expect(keysAmong(item, spec.linkingFields)).toEqual([])
          })

          it("keeps another organization's link and records out (404, empty lists)", async () => {
            const { link, body, items } = await stored(spec, shape)
            freshDeleteWindow(spec)
            const other = h.otherAuth
            expectError(await call('POST', spec.path, body, { auth: other }), 400, 'does_not_exist', 'link')
            expect((await listOf(spec, link.id, other)).count).toBe(0)
            const id = items[0].id
            expectError(await call('GET', `${spec.path}${id}/`, undefined, { auth: other }), 404, 'not_found')
            if (spec.deletable) expectError(await call('DELETE', `${spec.path}${id}/`, undefined, { auth: other }), 404, 'not_found')
            if (spec.children) expectError(await call('GET', `${spec.path}${id}/${spec.children.path}/`, undefined, { auth: other }), 404, 'not_found')
            expect((await call('GET', `${spec.path}${id}/`)).status).toBe(200)
          })

          const neighbour = RESOURCES.find(
            (o) =>
              o.name !== spec.name && shapesOf(o).includes(shape) && !needsAccountInBody(o) && (o.storage !== spec.storage || o.recordKey !== spec.recordKey),
          )
          if (neighbour) {
            it(`answers 404 for the id of another resource's record (${neighbour.name})`, async () => {
              const { items } = await stored(neighbour, shape)
              freshDeleteWindow(spec)
              const id = items[0].id
              expectError(await call('GET', `${spec.path}${id}/`), 404, 'not_found')
              if (spec.deletable) expectError(await call('DELETE', `${spec.path}${id}/`), 404, 'not_found')
              expect((await call('GET', `${neighbour.path}${id}/`)).status).toBe(200)
            })
          }

          it('accepts each of its list filters, and refuses a malformed value with the parameter at fault', async () => {
            const { link, items } = await stored(spec, shape)
            for (const filter of spec.filters) {
              const value = filter.param === 'id' ? items[0].id : filter.param === 'link' ? link.id : filterValue(filter)
              for (const lookup of filter.lookups) {
                const param = lookup === 'exact' ? filter.param : `${filter.param}__${lookup}`
                const given = lookup === 'range' || lookup === 'in' || lookup === 'not_in' ? `${value},${value}` : value
                const res = await call('GET', `${spec.path}?link=${link.id}&${param}=${encodeURIComponent(given)}`)
                expect(res.status, `${param}=${given}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200)
                const bad = malformedFilterValue(filter, lookup)
                if (bad === undefined) continue
                const refused = await call('GET', `${spec.path}?link=${link.id}&${param}=${encodeURIComponent(bad)}`)
                expectError(refused, 400, filter.choices && lookup !== 'icontains' ? 'invalid_choice' : 'invalid', param)
              }
            }
            expect((await call('GET', `${spec.path}?link=${link.id}&id=${items[0].id}`)).body.results.map((item: Json) => item.id)).toEqual([items[0].id])
          })

          if (spec.deletable) {
            it('deletes a record: 204, then 404', async () => {
              const { link, items } = await retrieved(spec, shape)
              const before = (await listOf(spec, link.id)).count
              const id = items[0].id
              freshDeleteWindow(spec)
              const deleted = await call('DELETE', `${spec.path}${id}/`)
              expect(deleted.status).toBe(204)
              expect(deleted.body).toBeUndefined()
              expectError(await call('GET', `${spec.path}${id}/`), 404, 'not_found')
              expectError(await call('DELETE', `${spec.path}${id}/`), 404, 'not_found')
              expect((await listOf(spec, link.id)).count).toBe(before - 1)
            })
          }

          if (spec.children) {
            const child = spec.children
            it(`lists the ${child.path} of a record`, async () => {
              const { items } = await stored(spec, shape)
              let found: Json | undefined
              for (const item of items) {
                const res = await call('GET', `${spec.path}${item.id}/${child.path}/?page_size=1000`)
                expect(res.status).toBe(200)
                expect(Object.keys(res.body).sort()).toEqual(['count', 'next', 'previous', 'results'])
                if (res.body.count > 0) {
                  found = res.body
                  break
                }
              }
              expect(found, `no ${spec.name} has ${child.path}`).toBeDefined()
              expectItems(child.items, shape, found!.results, child.path)
              for (const item of found!.results) expect(keysAmong(item, spec.linkingFields)).toEqual([])
              expectError(await call('GET', `${spec.path}${UNKNOWN_ID}/${child.path}/`), 404, 'not_found')
            })
          }

          // Wherever an institution that asks for a token offers the resource (the heimdall_ institutions).
          it.runIf(hasInstitution({ shape, resource: spec.institutionResource, country: spec.country, mfa: true }))(
            "resumes with its own MFA session (201, or 200 with save_data false), and refuses another resource's",
            async () => {
              const { link, body } = await prepare(spec, shape, { mfa: true })
              const institution = institutionFor({ shape, resource: spec.institutionResource, country: spec.country, mfa: true })
              const another = RESOURCES.find(
                (o) =>
                  o.name !== spec.name &&
                  shapesOf(o).includes(shape) &&
                  institution.resources.includes(o.institutionResource) &&
                  // A country's own resource (Mexico's and Chile's invoices share INVOICES) only where it exists.
                  (!o.country || o.country === institution.country) &&
                  !needsAccountInBody(o),
              )
              if (!another) throw new Error(`no other resource of ${institution.name} to ask for a session`)
              const theirs = expectError(await call('POST', another.path, retrieveBody(another, link.id)), 428, 'token_required')
              expectError(await call('PATCH', spec.path, { session: theirs.session, token: SANDBOX_MFA_TOKEN, link: link.id }), 400, 'session_expired')
              // Refused for being another resource's: it still resumes its own.
              expect((await call('PATCH', another.path, { session: theirs.session, token: SANDBOX_MFA_TOKEN, link: link.id })).status).toBe(201)

              const resume = (session: string, extra: Json = {}, auth?: string) =>
                call('PATCH', spec.path, { session, token: SANDBOX_MFA_TOKEN, link: link.id, ...extra }, { auth })
              const before = (await listOf(spec, link.id)).count
              const unsaved = expectError(await call('POST', spec.path, body), 428, 'token_required')
              expect(unsaved).toMatchObject({ link: link.id, session: expect.stringMatching(/^[a-f0-9]{32}$/) })
              expectError(await resume(unsaved.session, {}, h.otherAuth), 400, 'does_not_exist', 'link')
              const answered = await resume(unsaved.session, { save_data: false })
              expect(answered.status, JSON.stringify(answered.body).slice(0, 400)).toBe(200)
              expectItems(spec.items, shape, answerItems(spec, answered.body))
              expect((await listOf(spec, link.id)).count).toBe(before)

              const ours = expectError(await call('POST', spec.path, body), 428, 'token_required')
              const resumed = await resume(ours.session)
              expect(resumed.status, JSON.stringify(resumed.body).slice(0, 400)).toBe(201)
              const items = answerItems(spec, resumed.body)
              expect(items.length).toBeGreaterThan(0)
              expectItems(spec.items, shape, items)
              const listed = new Set((await listOf(spec, link.id)).results.map((item) => item.id))
              expect(items.filter((item) => !listed.has(item.id))).toEqual([])
              expectError(await resume(ours.session), 400, 'session_expired')

              // Belvo also takes the token up front, in the retrieve's body, where the body has one.
              if ('token' in spec.body.properties) expect((await call('POST', spec.path, { ...body, token: SANDBOX_MFA_TOKEN })).status).toBe(201)
            },
          )

          describe('refuses bad bodies with the field at fault', () => {
            const properties = Object.entries(spec.body.properties as Record<string, Json>)
            for (const [field, schema] of properties) {
              it(`${field} of the wrong type`, async () => {
                const { body } = await stored(spec, shape)
                expectError(await call('POST', spec.path, { ...body, [field]: wrongValueFor(schema) }), 400, undefined, field)
              })
              if (isDateField(field, schema)) {
                it(`${field} in an unknown date format`, async () => {
                  const { body } = await stored(spec, shape)
                  expectError(await call('POST', spec.path, { ...body, [field]: '01/02/2026' }), 400, 'invalid', field)
                })
              }
            }
            for (const field of requiredFields(spec)) {
              it(`${field} missing or null`, async () => {
                const { body } = await stored(spec, shape)
                const { [field]: _left, ...rest } = body
                expectError(await call('POST', spec.path, rest), 400, 'required', field)
                expectError(await call('POST', spec.path, { ...body, [field]: null }), 400, 'null', field)
              })
            }
          })

          if (spec.shape) {
            const other = shape === 'ofda' ? 'multiregion' : 'ofda'
            it(`is refused for a ${other} institution: unsupported_operation`, async () => {
              const link = await createLink(h, { country: COUNTRY_OF_SHAPE[other] })
              const accounts = needsAccountInBody(spec) ? (await call('POST', resourceNamed('accounts')!.path, { link: link.id })).body : []
              expectError(await call('POST', spec.path, retrieveBody(spec, link.id, accounts)), 400, 'unsupported_operation')
              expect((await listOf(spec, link.id)).count).toBe(0)
            })
          }

          if (spec.async) {
            it('accepts X-Belvo-Request-Mode: async (202) and reports by webhook', async () => {
              const hooks = await background()
              const { link, body } = await prepare(spec, shape)
              const accepted = await call('POST', spec.path, body, ASYNC)
              expect(accepted.status).toBe(202)
              expect(Object.keys(accepted.body)).toEqual(['request_id'])
              expect(accepted.body.request_id).toMatch(/^[a-f0-9]{32}$/)
              const all = await hooks.waitFor((hits) => hits.some((hit) => hit.body.request_id === accepted.body.request_id))
              const hook = all.find((hit) => hit.body.request_id === accepted.body.request_id)!.body
              expect(hook).toMatchObject({ link_id: link.id, webhook_type: spec.institutionResource, webhook_code: 'historical_update' })
              expect((await listOf(spec, link.id)).count).toBeGreaterThan(0)
              // Bad bodies are still refused at once.
              const { [requiredFields(spec).find((f) => f !== 'link') ?? 'link']: _left, ...incomplete } = body
              expectErrors(await call('POST', spec.path, incomplete, ASYNC), 400)
            })
          }
        })
      }
    })
  }
})
