import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DOCS_TITLE, WORDMARK_SVG } from '../../src/http/plugins/docs.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'

describe('OpenAPI and operations', () => {
  let h: Harness
  beforeAll(async () => { h = await createHarness() })
  afterAll(async () => h.close())

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toBe('3.0.3')
    expect(doc.components.securitySchemes.basicAuth).toMatchObject({ type: 'http', scheme: 'basic' })
    const list = doc.paths['/api/institutions/'].get
    expect(list.operationId).toBe('ListInstitutions')
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['page', 'page_size', 'fields', 'omit', 'country_code__in', 'resources__allin']))
    expect(Object.keys(list.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '500']))
    expect(doc.paths['/api/institutions/{id}/'].get.operationId).toBe('DetailInstitution')
    const history = doc.paths['/api/br/exchanges/{id}/history/'].get
    expect(history.operationId).toBe('ListExchangeHistory')
    expect(history.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['id', 'page', 'page_size', 'fields', 'omit']))
    expect(Object.keys(history.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '500']))
  })

  it('serves the interactive reference at /docs in Ponte\'s name, with Ponte\'s logo', async () => {
    let res = await h.app.inject({ method: 'GET', url: '/docs' })
    for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
      res = await h.app.inject({ method: 'GET', url: new URL(String(res.headers.location), 'http://ponte.test/docs').pathname })
    }
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('text/html')
    expect(res.body).toContain(`<title>${DOCS_TITLE}</title>`)
    expect(res.body).not.toContain('Swagger UI</title>')
    // Swagger UI's own favicons are gone; Ponte's is served.
    expect(res.body).not.toContain('favicon-32x32.png')
    const favicon = /href="([^"]*favicon\.svg)"/.exec(res.body)?.[1]
    expect(favicon).toBeDefined()
    const icon = await h.app.inject({ method: 'GET', url: new URL(favicon!, 'http://ponte.test/docs/').pathname })
    expect(icon.statusCode).toBe(200)
    expect(icon.body).toContain('<svg')

    // The top bar's logo is put in by the initializer script: Ponte's, not the plugin's default.
    const script = await h.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })
    expect(script.statusCode).toBe(200)
    expect(script.body).toContain(Buffer.from(WORDMARK_SVG).toString('base64'))
    const defaultLogo = readFileSync(createRequire(import.meta.url).resolve('@fastify/swagger-ui/static/logo.svg')).toString('base64')
    expect(script.body).not.toContain(defaultLogo)
  })

  it('exports request metrics labelled by route template', async () => {
    await h.app.inject({ method: 'GET', url: '/api/institutions/1004/', headers: { authorization: h.auth } })
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/ponte_http_requests_total\{method="GET",route="\/api\/institutions\/:id\/",status="200"\} 1/)
    expect(metrics).toContain('ponte_http_request_duration_seconds_bucket')
  })
})
