// The connect widget from a customer's side: a small shop whose backend creates widget access
// tokens (the secret key never reaches the browser) and whose page offers both ways to open the
// widget, a link to the hosted widget and the embedded script. No dependencies.
//
//   ID=... PASSWORD=... node examples/widget/server.mjs     # then open http://127.0.0.1:3000
//
// ID and PASSWORD: the secret key printed at Ponte's first start; URL: where Ponte listens
// (npm start: http://127.0.0.1:8000); PORT: this page's port (0 picks a free one).
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'

const PONTE = (process.env.URL ?? 'http://127.0.0.1:8000').replace(/\/$/, '')
const basic = `Basic ${Buffer.from(`${process.env.ID}:${process.env.PASSWORD}`).toString('base64')}`
const page = readFileSync(new URL('index.html', import.meta.url), 'utf8').replaceAll('{{PONTE}}', PONTE)
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#b45309"/><path d="M9 12h14l-2 11H11z" fill="#fff"/></svg>'
const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 180 32"><rect width="32" height="32" rx="8" fill="#b45309"/><path d="M9 12h14l-2 11H11z" fill="#fff"/>' +
  '<text x="40" y="23" font-family="sans-serif" font-size="17" font-weight="700" fill="#111827">Example Shop</text></svg>'
const escape = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** A fresh access token (valid 10 minutes, spent by one successful connection), with our callback URLs and branding. */
async function widgetToken(self) {
  const response = await fetch(`${PONTE}/api/token/`, {
    method: 'POST',
    headers: { Authorization: basic, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      scopes: 'read_institutions,write_links',
      widget: {
        callback_urls: { success: `${self}/done`, exit: `${self}/exit`, event: `${self}/event` },
        branding: {
          company_name: 'Example Shop',
          company_icon: `${self}/icon.svg`,
          company_logo: `${self}/logo.svg`,
          company_terms_url: `${self}/terms`,
          social_proof: true,
        },
      },
    }),
  })
  if (!response.ok) throw new Error(`POST /api/token/ answered ${response.status}: ${await response.text()}`)
  return (await response.json()).access
}

const server = createServer(async (request, response) => {
  const self = `http://${request.headers.host}`
  const url = new URL(request.url, self)
  const html = (status, body) => response.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' }).end(body)
  try {
    if (url.pathname === '/') return html(200, page)
    if (url.pathname === '/icon.svg' || url.pathname === '/logo.svg') {
      return response.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end(url.pathname === '/icon.svg' ? ICON : LOGO)
    }
    // The hosted widget: the browser goes to Ponte and comes back to /done, /exit or /event.
    if (url.pathname === '/hosted') {
      const token = await widgetToken(self)
      return response.writeHead(302, { Location: `${PONTE}/widget/?access_token=${encodeURIComponent(token)}&country_codes=MX,CO,BR` }).end()
    }
    // The embedded widget asks for its token here (index.html).
    if (url.pathname === '/token' && request.method === 'POST') {
      return response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access: await widgetToken(self) }))
    }
    if (['/done', '/exit', '/event', '/terms'].includes(url.pathname)) {
      const rows = [...url.searchParams].map(([key, value]) => `<dt>${escape(key)}</dt><dd><code>${escape(value)}</code></dd>`).join('')
      return html(
        200,
        `<!doctype html><html lang="en"><meta charset="utf-8"><title>Example Shop</title><h1>Back at Example Shop: ${url.pathname.slice(1)}</h1><dl>${rows}</dl><p><a href="/">Start again</a></p></html>`,
      )
    }
    html(404, '<!doctype html><title>Not found</title><p>Not found</p>')
  } catch (error) {
    html(502, `<!doctype html><title>Error</title><p>${escape(String(error.message))}</p>`)
  }
})

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`Example Shop on http://127.0.0.1:${server.address().port} (widget from ${PONTE})`)
})
