import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { PonteError } from '../../lib/errors.ts'
import type { Api } from '../api.ts'

/**
 * The connect widget's browser side, public like Belvo's widget.belvo.io (the page authenticates
 * its API calls with the widget access token it is opened with, never with a secret key):
 *
 * - `GET /widget/`: the single-page app (widget/, built by scripts/build-widget.js);
 * - `GET /widget/assets/*`: its files, named by content hash, so cached for good;
 * - `GET /widget/belvo-widget-1-stable.js`: the embedded SDK, under the stable name of Belvo's.
 *
 * Files come from dist/widget/ (`npm ci` builds it). Without it the page says how to build it
 * rather than answering a bare 404.
 */

/** dist/widget/ beside src/ and dist/ alike: this file is three folders below the root in both. */
export const DEFAULT_WIDGET_DIR = fileURLToPath(new URL('../../../dist/widget/', import.meta.url))

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
}

const IMMUTABLE = 'public, max-age=31536000, immutable'

/**
 * The page's policy: its own scripts and styles only, its API calls to Ponte only; images may be
 * the customer's and the institutions' logos. Any page may frame it (the embedded widget).
 */
const PAGE_SECURITY = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'",
  // The access token is in the page's URL: no request from the page may carry it away.
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
}

interface CachedFile {
  body: Buffer
  etag: string
  mtimeMs: number
  size: number
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Widget not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1.5rem;line-height:1.5;color:#111827}code{background:#f3f4f6;padding:.1em .3em;border-radius:4px}</style></head>
<body><main><h1>The connect widget is not built</h1>
<p>This Ponte server has no built widget (<code>dist/widget/</code> is missing). Run <code>npm run build</code> (or <code>npm ci</code>) in Ponte's folder, then reload this page.</p></main></body>
</html>
`

const NOT_BUILT_SCRIPT = "console.error('Ponte: the connect widget is not built. Run `npm run build` in the server folder.');\n"

export function widgetRoutes(app: Api, dir: string = DEFAULT_WIDGET_DIR): void {
  const cache = new Map<string, CachedFile>()

  /** The file under `dir`, from memory while it is unchanged on disk; undefined when missing. */
  async function load(relative: string): Promise<CachedFile | undefined> {
    const path = join(dir, relative)
    let info
    try {
      info = await stat(path)
    } catch {
      return undefined
    }
    if (!info.isFile()) return undefined
    const cached = cache.get(path)
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached
    const body = await readFile(path)
    const file = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, mtimeMs: info.mtimeMs, size: info.size }
    cache.set(path, file)
    return file
  }

  function send(request: FastifyRequest, reply: FastifyReply, file: CachedFile, type: string, cacheControl: string, headers: Record<string, string> = {}) {
    reply.headers({ 'Content-Type': type, 'Cache-Control': cacheControl, ETag: file.etag, ...headers })
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send()
    return reply.send(file.body)
  }

  app.get('/widget/', { schema: { hide: true } }, async (request, reply) => {
    // One address for the page: the widget comes back to its own URL from the institution's
    // Open Finance page, which accepts /widget/ pages only.
    const query = request.url.indexOf('?')
    const path = query < 0 ? request.url : request.url.slice(0, query)
    if (!path.endsWith('/')) return reply.redirect(`${path}/${query < 0 ? '' : request.url.slice(query)}`, 308)
    const file = await load('index.html')
    if (!file) return reply.code(503).headers({ 'Content-Type': TYPES['.html'], 'Cache-Control': 'no-store' }).send(NOT_BUILT_PAGE)
    // Revalidated every time: a new build must reach the next visitor at once.
    return send(request, reply, file, TYPES['.html'], 'no-cache', PAGE_SECURITY)
  })

  app.get('/widget/belvo-widget-1-stable.js', { schema: { hide: true } }, async (request, reply) => {
    const file = await load('belvo-widget-1-stable.js')
    const headers = { 'Cross-Origin-Resource-Policy': 'cross-origin', 'X-Content-Type-Options': 'nosniff' }
    if (!file)
      return reply
        .code(503)
        .headers({ 'Content-Type': TYPES['.js'], 'Cache-Control': 'no-store', ...headers })
        .send(NOT_BUILT_SCRIPT)
    // A stable name loaded by other sites' pages: cached briefly, so a new version spreads within minutes.
    return send(request, reply, file, TYPES['.js'], 'public, max-age=300', headers)
  })

  app.get<{ Params: { file: string } }>('/widget/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const name = request.params.file
    // Names Vite writes (index-Ab12_x.js); nothing else, so no path leaves assets/.
    const type = TYPES[extname(name)]
    if (!/^[\w.-]+$/.test(name) || name.startsWith('.') || !type) throw new PonteError('not_found')
    const file = await load(join('assets', name))
    if (!file) throw new PonteError('not_found')
    return send(request, reply, file, type, IMMUTABLE, { 'X-Content-Type-Options': 'nosniff' })
  })
}
