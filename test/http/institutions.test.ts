import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CATALOG } from '../../src/connectors/catalog.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { processTestTimeout } from '../helpers/processes.ts'
import { expectSpec } from '../helpers/spec.ts'

describe('institutions', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())

  const list = async (query = '', headers: Record<string, string> = {}) => {
    const res = await h.app.inject({ method: 'GET', url: `/api/institutions/${query}`, headers: { authorization: h.auth, host: 'ponte.test', ...headers } })
    return { status: res.statusCode, body: res.json() }
  }
  const names = (body: { results: { name: string }[] }) => body.results.map((i) => i.name)

  it("lists the whole catalog, each item matching Belvo's InstitutionPublicApi", async () => {
    const { status, body } = await list()
    expect(status).toBe(200)
    expect(body).toMatchObject({ count: CATALOG.length, next: null, previous: null })
    expect(body.results).toHaveLength(CATALOG.length)
    for (const institution of body.results) expectSpec('current', 'InstitutionPublicApi', institution)
    expect(body.results.find((i: { name: string }) => i.name === 'erebor_mx_retail')).toMatchObject({
      id: 1004,
      type: 'bank',
      display_name: 'Erebor Bank',
      country_codes: ['MX'],
      integration_type: 'credentials',
      status: 'healthy',
    })
  })

  it('shows the MFA feature and token form field on heimdall', async () => {
    const { body } = await list('?name=heimdall_mx_retail')
    expect(body.count).toBe(1)
    expect(body.results[0].features).toEqual([expect.objectContaining({ name: 'token_required' })])
    expect(body.results[0].form_fields.map((f: { name: string }) => f.name)).toEqual(['username', 'password', 'token'])
  })

  it.each([
    ['?country_code=BR', (n: string) => n.includes('_br_')],
    ['?country_code__in=MX,CO', (n: string) => /_(mx|co)_/.test(n)],
    ['?country_code__in[]=MX&country_code__in[]=CO', (n: string) => /_(mx|co)_/.test(n)],
    ['?type=fiscal', (n: string) => n.includes('fiscal')],
    ['?type__in=fiscal,employment', (n: string) => ['fiscal', 'employment'].includes(CATALOG.find((i) => i.name === n)!.type)],
    ['?name__in=erebor_mx_retail,gringotts_co_retail', (n: string) => ['erebor_mx_retail', 'gringotts_co_retail'].includes(n)],
    ['?display_name=gotham', (n: string) => n.startsWith('gotham_')],
    ['?status=healthy', () => true],
    ['?integration_type=openfinance', (n: string) => n === 'ofmockbank_br_retail'],
    ['?resources__allin=ACCOUNTS,EXCHANGES', (n: string) => CATALOG.find((i) => i.name === n)!.resources.includes('EXCHANGES')],
  ])('filters with %s', async (query, expected) => {
    const { status, body } = await list(query)
    expect(status).toBe(200)
    const wanted = CATALOG.map((i) => i.name).filter(expected)
    expect(wanted.length).toBeGreaterThan(0)
    expect(names(body).sort()).toEqual(wanted.sort())
  })

  it('returns an empty page for filters that match nothing', async () => {
    expect((await list('?status=down')).body).toEqual({ count: 0, next: null, previous: null, results: [] })
  })

  it.each([
    ['?type=gig', 'invalid_choice', 'type'],
    ['?type__in=bank,gig', 'invalid_choice', 'type__in'],
    ['?status=broken', 'invalid_choice', 'status'],
    ['?id=abc', 'invalid', 'id'],
  ])('rejects the malformed filter %s', async (query, code, field) => {
    const { status, body } = await list(query)
    expect(status).toBe(400)
    expect(body[0]).toMatchObject({ code, field })
  })

  it('ignores unknown query parameters, as Belvo does', async () => {
    expect((await list('?colour=blue')).body.count).toBe(CATALOG.length)
  })

  it('paginates with absolute next/previous URLs that keep every parameter', async () => {
    const first = (await list('?page_size=5&country_code__in=MX,BR&fields=id,name')).body
    expect(first.results).toHaveLength(5)
    expect(first.previous).toBeNull()
    const next = new URL(first.next)
    expect(next.origin).toBe('http://ponte.test')
    expect(next.pathname).toBe('/api/institutions/')
    expect(Object.fromEntries(next.searchParams)).toEqual({ page_size: '5', country_code__in: 'MX,BR', fields: 'id,name', page: '2' })
    const second = (await list(`?${next.searchParams}`)).body
    expect(second.results.map((r: { id: number }) => r.id)).not.toContain(first.results[0].id)
    expect(new URL(second.previous).searchParams.get('page')).toBeNull()
    const all: number[] = []
    let url: string | null = first.next
    all.push(...first.results.map((r: { id: number }) => r.id))
    while (url) {
      const page = (await list(new URL(url).search)).body
      all.push(...page.results.map((r: { id: number }) => r.id))
      url = page.next
    }
    expect(all.length).toBe(first.count)
    expect(new Set(all).size).toBe(first.count)
  })

  it(
    'uses PONTE_PUBLIC_URL for absolute links behind a proxy',
    async () => {
      const proxied = await createHarness({ env: { PONTE_PUBLIC_URL: 'https://api.example.com/' } })
      try {
        const res = await proxied.app.inject({ method: 'GET', url: '/api/institutions/?page_size=1', headers: { authorization: proxied.auth } })
        expect(res.json().next).toBe('https://api.example.com/api/institutions/?page_size=1&page=2')
      } finally {
        await proxied.close()
      }
    },
    processTestTimeout(1),
  )

  it('clamps page_size above 1000 and falls back to the default on a bad one', async () => {
    expect((await list('?page_size=5000')).body.results).toHaveLength(CATALOG.length)
    expect((await list('?page_size=abc')).body.results).toHaveLength(CATALOG.length)
  })

  it.each(['?page=99', '?page=0', '?page=abc', '?page_size=5&page=9'])('answers %s with 404 Invalid page.', async (query) => {
    const { status, body } = await list(query)
    expect(status).toBe(404)
    expect(body[0]).toMatchObject({ code: 'not_found', message: 'Invalid page.' })
  })

  it('applies fields and omit to lists and details', async () => {
    expect((await list('?fields=id,name&page_size=1')).body.results[0]).toEqual({ id: 1001, name: 'gringotts_mx_retail' })
    const omitted = (await list('?omit=form_fields,features&page_size=1')).body.results[0]
    expect(omitted).not.toHaveProperty('form_fields')
    expect(omitted).toHaveProperty('display_name')
    const detail = await h.app.inject({ method: 'GET', url: '/api/institutions/1004/?fields=id,display_name', headers: { authorization: h.auth } })
    expect(detail.json()).toEqual({ id: 1004, display_name: 'Erebor Bank' })
  })

  it('details an institution by its integer id', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/institutions/9256/', headers: { authorization: h.auth } })
    expect(res.statusCode).toBe(200)
    expectSpec('current', 'InstitutionPublicApi', res.json())
    expect(res.json()).toMatchObject({ name: 'ofmockbank_br_retail', integration_type: 'openfinance' })
  })

  it.each(['424242', 'erebor_mx_retail', '1004abc'])('answers 404 for the unknown institution %s', async (id) => {
    const res = await h.app.inject({ method: 'GET', url: `/api/institutions/${id}/`, headers: { authorization: h.auth } })
    expect(res.statusCode).toBe(404)
    expect(res.json()[0]).toMatchObject({ code: 'not_found' })
  })
})
