import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from './helpers/harness.ts'
import { PROCESS_MS, processTestTimeout } from './helpers/processes.ts'

const ROOT = new URL('../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8')

/** The fenced block that follows the README's link to `examples/widget/<name>`. */
function readmeBlock(name: string): string {
  const readme = read('README.md')
  const at = readme.indexOf(`](examples/widget/${name})`)
  const block = at < 0 ? undefined : /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at))?.[1]
  if (!block) throw new Error(`README has no block after its link to examples/widget/${name}`)
  return block
}

describe('the README shows the widget example as it is', () => {
  it('the command runs the example server', () => {
    expect(readmeBlock('server.mjs')).toContain('node examples/widget/server.mjs')
  })

  it("every line of the embedded snippet is the page's, in order (the page's script URL points at the Ponte it is served with)", () => {
    const page = read('examples/widget/index.html')
      .replaceAll('{{PONTE}}', 'http://127.0.0.1:8000')
      .split('\n')
      .map((line) => line.trim())
    let from = 0
    for (const line of readmeBlock('index.html')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)) {
      const found = page.indexOf(line, from)
      expect(found, line).toBeGreaterThanOrEqual(from)
      from = found + 1
    }
  })
})

describe('examples/widget/server.mjs against a running Ponte', () => {
  let h: Harness
  let ponte: string
  let child: ChildProcess
  let shop: string

  beforeAll(async () => {
    h = await createHarness()
    ponte = await h.listen()
    child = spawn(process.execPath, [new URL('examples/widget/server.mjs', ROOT).pathname], {
      env: { ...process.env, ID: h.key.id, PASSWORD: h.key.password, URL: ponte, PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let printed = ''
    child.stdout!.on('data', (chunk) => (printed += chunk))
    const deadline = Date.now() + PROCESS_MS
    while (!/on (http:\/\/\S+)/.test(printed)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the example did not start: ${printed}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    shop = /on (http:\/\/\S+)/.exec(printed)![1]
  }, processTestTimeout(1))

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill()
      await once(child, 'exit')
    }
    await h?.close()
  })

  it('serves a page with both modes, whose script is the SDK this Ponte serves', async () => {
    const page = await (await fetch(`${shop}/`)).text()
    expect(page).toContain('href="/hosted"')
    expect(page).toContain(`<script src="${ponte}/widget/belvo-widget-1-stable.js"></script>`)
    expect(page).toContain('belvoSDK')
    const sdk = await fetch(`${ponte}/widget/belvo-widget-1-stable.js`)
    expect(sdk.status).toBe(200)
    expect(await sdk.text()).toContain('createWidget')
  })

  it('hosted: sends the browser to the widget with a fresh token that carries the shop’s callbacks and branding', async () => {
    const hosted = await fetch(`${shop}/hosted`, { redirect: 'manual' })
    expect(hosted.status).toBe(302)
    const widget = new URL(hosted.headers.get('location')!)
    expect(`${widget.origin}${widget.pathname}`).toBe(`${ponte}/widget/`)
    expect((await fetch(widget)).status).toBe(200)
    const session = await fetch(`${ponte}/widget/api/session`, { headers: { Authorization: `Bearer ${widget.searchParams.get('access_token')}` } })
    expect(session.status).toBe(200)
    expect((await session.json()).widget).toMatchObject({
      callback_urls: { success: `${shop}/done`, exit: `${shop}/exit`, event: `${shop}/event` },
      branding: { company_name: 'Example Shop', company_logo: `${shop}/logo.svg` },
    })
    const logo = await fetch(`${shop}/logo.svg`)
    expect(logo.headers.get('content-type')).toBe('image/svg+xml')
  })

  it('embedded: hands the page a token the widget API accepts; callback pages show what came back, escaped', async () => {
    const { access } = await (await fetch(`${shop}/token`, { method: 'POST' })).json()
    const session = await fetch(`${ponte}/widget/api/session`, { headers: { Authorization: `Bearer ${access}` } })
    expect(session.status).toBe(200)
    const done = await (await fetch(`${shop}/done?link=abc&institution=%3Cb%3Eerebor`)).text()
    expect(done).toContain('<code>abc</code>')
    expect(done).toContain('&#60;b&#62;erebor')
    expect(done).not.toContain('<b>erebor')
  })
})
