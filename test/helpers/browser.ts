import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { createHarness, type Harness } from './harness.ts'
import { startReceiver } from './receiver.ts'

/**
 * The widget's end-to-end tests drive Debian's `chromium` through playwright-core (which never
 * downloads a browser). CI installs the package and sets PONTE_REQUIRE_BROWSER=1, so there a
 * missing browser fails the tests; elsewhere they skip, saying why (as test/helpers/pdf.ts does
 * for poppler). PONTE_CHROMIUM names another executable.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium', '/usr/bin/google-chrome']

/** The chromium executable, or null. */
export function chromiumPath(): string | null {
  const fromEnv = process.env.PONTE_CHROMIUM
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null
  return CANDIDATES.find((path) => existsSync(path)) ?? null
}

/** Whether the browser tests can run here; throws when they cannot and PONTE_REQUIRE_BROWSER=1. */
export function browserAvailable(): boolean {
  if (chromiumPath()) return true
  const message = 'chromium not found (apt-get install chromium, or set PONTE_CHROMIUM)'
  if (process.env.PONTE_REQUIRE_BROWSER === '1') throw new Error(`PONTE_REQUIRE_BROWSER=1 but ${message}`)
  console.warn(`Skipping the widget browser tests: ${message}.`)
  return false
}

/** A headless chromium fit for CI containers: no sandbox as root, /tmp instead of a small /dev/shm, no GPU. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath()
  if (!executablePath) throw new Error('chromium not found')
  const args = ['--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--mute-audio']
  // Chromium refuses to start its sandbox as root (CI containers run as root).
  if (process.getuid?.() === 0) args.push('--no-sandbox')
  return chromium.launch({ executablePath, headless: true, args, timeout: 60_000 })
}

export const PHONE = { width: 360, height: 740 }
export const DESKTOP = { width: 1280, height: 800 }

/**
 * Saves the page as it is now at phone and desktop sizes, to
 * test-artifacts/widget/<test>/<step>-<phone|desktop>.png (not committed), then restores the
 * page's viewport. Returns the two paths.
 */
export async function screenshots(page: Page, test: string, step: string): Promise<string[]> {
  const dir = join(root, 'test-artifacts', 'widget', slug(test))
  mkdirSync(dir, { recursive: true })
  const before = page.viewportSize() ?? DESKTOP
  const paths: string[] = []
  for (const [name, size] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    await page.setViewportSize(size)
    // Layout settles in the next frame after a resize.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
    const path = join(dir, `${slug(step)}-${name}.png`)
    await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'initial' })
    paths.push(path)
    // Works on a 360 px phone: nothing wider than the screen, which would scroll sideways.
    const overflow = await page.evaluate(() => {
      const width = document.documentElement.clientWidth
      if (document.documentElement.scrollWidth <= width) return null
      const wide = [...document.body.querySelectorAll('*')].find((el) => el.getBoundingClientRect().right > width + 1)
      return `${document.documentElement.scrollWidth}px wide for ${width}px, first at ${wide ? wide.outerHTML.slice(0, 120) : '?'}`
    })
    if (overflow) throw new Error(`step "${step}" of "${test}" scrolls sideways at ${name} size: ${overflow}`)
  }
  await page.setViewportSize(before)
  return paths
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}

let axeSource: string | undefined

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  helpUrl: string
  nodes: { target: unknown[]; html: string; failureSummary?: string }[]
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules and best practices) on the page or frame as it is now and
 * fails on any serious or critical violation, listing each rule, what it asks and the offending
 * elements. The source is evaluated rather than added as a <script>, so the widget's
 * Content-Security-Policy neither blocks it nor has to allow it.
 */
export async function checkA11y(target: Page | Frame, step: string): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
  // The page as it settles: a step's entrance animation (opacity) still running would blend every
  // colour with the background and fail the contrast rule on a loaded machine.
  await target.evaluate(() =>
    Promise.all(document.getAnimations().map((a) => (a.playState === 'running' && a.effect?.getComputedTiming().iterations !== Infinity ? a.finished : null))),
  )
  await target.evaluate(axeSource)
  const violations = (await target.evaluate(async () => {
    const axe = (window as any).axe
    const result = await axe.run(document, { resultTypes: ['violations'] })
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n: any) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
    }))
  })) as AxeViolation[]
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  if (serious.length > 0) {
    const lines = serious.flatMap((v) => [
      `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`,
      ...v.nodes
        .slice(0, 5)
        .map(
          (n) => `    ${JSON.stringify(n.target)} ${n.html.slice(0, 160)}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`,
        ),
    ])
    throw new Error(`axe-core: ${serious.length} serious/critical violation(s) at step "${step}":\n${lines.join('\n')}`)
  }
  return violations
}

/** Where each step's screenshots go and its axe scan, in one call: the tests do both at every step. */
export async function checkStep(page: Page, test: string, step: string, frame?: Frame): Promise<void> {
  await checkA11y(frame ?? page, `${test}: ${step}`)
  await screenshots(page, test, step)
}

/**
 * The widget's bundle: test/build-once.ts (the globalSetup) runs scripts/build.js, which rebuilds
 * dist/widget when widget/ changed and carries it over otherwise.
 */
function requireWidgetBuilt(): void {
  if (!existsSync(join(root, 'dist', 'widget', 'index.html'))) throw new Error('dist/widget/index.html missing: run npm run build')
}

export interface WidgetEnv {
  browser: Browser
  harness: Harness
  /** Ponte's base URL on real HTTP, e.g. http://127.0.0.1:41234 */
  base: string
  /** A fresh browser context (own cookies and storage) and page at the desktop size; closed after the file. */
  newPage(options?: { locale?: string; viewport?: { width: number; height: number } }): Promise<Page>
  /** POST /api/token/ as the harness's key; returns the access token. */
  token(body?: Record<string, unknown>): Promise<string>
  /** The hosted widget's URL for an access token and Belvo's optional parameters. */
  widgetUrl(access: string, params?: Record<string, string>): string
}

/**
 * One browser and one Ponte (real HTTP, fresh database) for a test file, started before its tests
 * and closed after them. Call at the top of a `describe.skipIf(!browserAvailable())` block.
 */
export function useWidgetEnv(options: { env?: Record<string, string> } = {}): WidgetEnv {
  const contexts: BrowserContext[] = []
  // Uncaught exceptions and CSP refusals in any page of the test: the widget must have none, even
  // on its error screens (a test that passes over a broken script would hide it).
  let problems: string[] = []
  const env = {} as WidgetEnv
  beforeAll(async () => {
    requireWidgetBuilt()
    const [browser, harness] = await Promise.all([launchBrowser(), createHarness({ env: options.env })])
    env.browser = browser
    env.harness = harness
    // The browser reads its own clock (a token's exp, timestamps in events): the server's clock
    // starts at the real time so both agree; tests still move it forward to expire tokens.
    harness.clock.set(new Date())
    env.base = await harness.listen()
  })
  afterEach(() => {
    const found = problems
    problems = []
    if (found.length > 0) throw new Error(`the browser reported:\n${found.join('\n')}`)
  })
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)))
    await env.browser?.close()
    await env.harness?.close()
  })
  env.newPage = async (pageOptions = {}) => {
    const context = await env.browser.newContext({ viewport: pageOptions.viewport ?? DESKTOP, locale: pageOptions.locale ?? 'en-US' })
    contexts.push(context)
    // Conditions are waited on, never sleeps: a step that never comes fails after this long.
    context.setDefaultTimeout(15_000)
    context.on('weberror', (error) => problems.push(`uncaught: ${error.error().stack ?? error.error().message}`))
    context.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`)
    })
    return context.newPage()
  }
  env.token = async (body = {}) => {
    const res = await env.harness.call('POST', '/api/token/', { scopes: 'read_institutions,write_links', ...body })
    if (res.status !== 201 && res.status !== 200) throw new Error(`token not issued: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body.access as string
  }
  env.widgetUrl = (access, params = {}) => `${env.base}/widget/?${new URLSearchParams({ access_token: access, ...params })}`
  return env
}

/**
 * A tiny local site on another origin than Ponte: serves `pages` (path → HTML) and records every
 * request, so tests observe the hosted widget's redirects to callback URLs and host the embedded
 * SDK as a customer's page would.
 */
export async function startSite(pages: Record<string, string> = {}) {
  return startReceiver((hit, _n, res) => {
    const path = new URL(hit.path, 'http://site').pathname
    if (path.endsWith('.svg')) {
      // A company icon or logo for the token's branding.
      res.setHeader('content-type', 'image/svg+xml')
      res.end('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" rx="12" fill="#7c3aed"/></svg>')
      return
    }
    res.setHeader('content-type', 'text/html; charset=utf-8')
    res.end(pages[path] ?? `<!doctype html><html lang="en"><title>${path}</title><main><h1>${path}</h1></main></html>`)
  })
}

/** The token's `callback_urls`, all three on `site` (Belvo requires the three together). */
export function callbackUrls(site: { url: string }) {
  return { success: `${site.url}/success`, exit: `${site.url}/exit`, event: `${site.url}/event` }
}

/** A complete `branding` (Belvo requires icon, logo, name and terms together), images served by `site`. */
export function branding(site: { url: string }, companyName: string) {
  return {
    company_name: companyName,
    company_icon: `${site.url}/icon.svg`,
    company_logo: `${site.url}/logo.svg`,
    company_terms_url: `${site.url}/terms`,
  }
}
