import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api } from '../../src/http/api.ts'
import { DEFAULT_WIDGET_DIR, widgetRoutes } from '../../src/http/routes/widget.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'

// dist/widget/ is built by the suite's global setup (test/build-once.ts runs scripts/build.js).

describe('the connect widget, served by Ponte', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h?.close())

  const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers })
  const assetsOf = (html: string) => [...html.matchAll(/(?:src|href)="(\/widget\/assets\/[^"]+)"/g)].map((m) => m[1])

  it('GET /widget/ answers the app without any credentials, with a policy that keeps the token in the page', async () => {
    const res = await get('/widget/?access_token=abc.def.ghi&locale=es')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.headers['content-security-policy']).toContain("script-src 'self'")
    expect(res.headers['content-security-policy']).not.toContain('frame-ancestors')
    expect(res.body).toContain('<div id="app"')
    // Never a blank page: text shows before the script runs, and without scripts.
    expect(res.body).toContain('Loading…')
    expect(res.body).toContain('<noscript>')
    expect(assetsOf(res.body).some((path) => path.endsWith('.js'))).toBe(true)
    expect(assetsOf(res.body).some((path) => path.endsWith('.css'))).toBe(true)
  })

  it('sends /widget to /widget/ with its parameters, and revalidates with its ETag', async () => {
    const bare = await get('/widget?access_token=a.b.c&locale=pt')
    expect(bare.statusCode).toBe(308)
    expect(bare.headers.location).toBe('/widget/?access_token=a.b.c&locale=pt')
    const first = await get('/widget/')
    expect(first.statusCode).toBe(200)
    const again = await get('/widget/', { 'if-none-match': String(first.headers.etag) })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
  })

  it('serves each asset the page names with its type, cached for good (hashed names)', async () => {
    const page = await get('/widget/')
    for (const path of assetsOf(page.body)) {
      const res = await get(path)
      expect(res.statusCode, path).toBe(200)
      expect(res.headers['content-type']).toBe(path.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8')
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers.etag).toMatch(/^"[\w-]+"$/)
      expect((await get(path, { 'if-none-match': String(res.headers.etag) })).statusCode).toBe(304)
    }
  })

  it('answers 404 in Belvo format for files it does not have, and for names that try to leave assets/', async () => {
    for (const path of [
      '/widget/assets/nothing-here.js',
      '/widget/assets/..%2Fbuild.json',
      '/widget/assets/.hidden.js',
      '/widget/assets/index.exe',
      '/widget/build.json',
    ]) {
      const res = await get(path)
      expect(res.statusCode, path).toBe(404)
      expect(res.json(), path).toEqual([expect.objectContaining({ code: 'not_found', request_id: expect.stringMatching(/^[a-f0-9]{32}$/) })])
    }
  })

  it('GET /widget/belvo-widget-1-stable.js: the embedded SDK, loadable from any site', async () => {
    const res = await get('/widget/belvo-widget-1-stable.js')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(res.headers['cache-control']).toBe('public, max-age=300')
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin')
    expect(res.body).toContain('belvoSDK')
    expect(res.body).toContain('createWidget')
    // It relays only the widget's own messages.
    expect(res.body).toContain('ponte-widget')
    expect(res.body).toContain('.origin')
  })

  it('keeps the page under 100 KB of compressed JavaScript', () => {
    let total = 0
    for (const entry of readdirSync(DEFAULT_WIDGET_DIR, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.js')) total += gzipSync(readFileSync(join(entry.parentPath, entry.name))).length
    }
    expect(total).toBeGreaterThan(0)
    expect(total).toBeLessThan(100 * 1024)
  })
})

describe('a server without a built widget', () => {
  const empty = mkdtempSync(join(tmpdir(), 'ponte-no-widget-'))
  const app = Fastify({ logger: false })
  widgetRoutes(app as unknown as Api, empty)
  afterAll(async () => {
    await app.close()
    rmSync(empty, { recursive: true, force: true })
  })

  it('answers a page that says how to build it, not a blank page or a bare 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/widget/?access_token=x' })
    expect(res.statusCode).toBe(503)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toContain('<h1>The connect widget is not built</h1>')
    expect(res.body).toContain('npm run build')
  })

  it('answers a script that says so in the console, for pages that embed it', async () => {
    const res = await app.inject({ method: 'GET', url: '/widget/belvo-widget-1-stable.js' })
    expect(res.statusCode).toBe(503)
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(res.body).toContain('npm run build')
  })
})
