import { describe, expect, test } from 'vitest'
import { branding, browserAvailable, callbackUrls, startSite, useWidgetEnv } from '../helpers/browser.ts'
import { chooseInstitution, expectSuccess, MX, recorder, step, submitCredentials } from '../helpers/widget-flow.ts'

// The hosted widget's main path in a real chromium: a person picks a bank, logs in with the
// sandbox's bnk100/full, and is sent to the token's success URL; the link then exists through the
// API with the token's settings and its historical update started.
describe.skipIf(!browserAvailable())('hosted widget: connecting an account', () => {
  const env = useWidgetEnv()

  async function hostedToken(site: { url: string }, extra: Record<string, unknown> = {}) {
    return env.token({
      fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'],
      stale_in: '42d',
      credentials_storage: '30d',
      widget: {
        callback_urls: callbackUrls(site),
        branding: { ...branding(site, 'Acme Lending'), social_proof: true },
      },
      ...extra,
    })
  }

  async function linkFromSuccessUrl(url: string) {
    const params = new URL(url).searchParams
    expect(params.get('institution')).toBe('erebor_mx_retail')
    const link = await env.harness.call('GET', `/api/links/${params.get('link')}/`)
    expect(link.status).toBe(200)
    return link.body
  }

  test('bnk100/full: every step checked by axe-core and photographed; the link carries the token settings', async () => {
    const site = await startSite()
    try {
      const access = await hostedToken(site)
      const page = await env.newPage()
      const record = recorder('connect bnk100')
      await page.goto(env.widgetUrl(access, { access_mode: 'single', external_id: 'e2e-42', locale: 'en', country_codes: 'MX' }))
      // Branding: the company's name on the first screen.
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Acme Lending uses Ponte to connect your account')
      await chooseInstitution(page, 'Erebor', /Erebor Bank/, (name) => record(page, name))
      await record(page, 'credentials')
      await submitCredentials(page, { [MX.username]: 'bnk100', [MX.password]: 'full' })
      await expectSuccess(page)
      await record(page, 'success')
      await page.getByRole('button', { name: 'Done' }).click()
      await page.waitForURL((url) => url.pathname === '/success')
      const link = await linkFromSuccessUrl(page.url())
      expect(link).toMatchObject({
        institution: 'erebor_mx_retail',
        status: 'valid',
        access_mode: 'single',
        external_id: 'e2e-42',
        stale_in: '42d',
        credentials_storage: '30d',
      })
      expect([...link.fetch_resources].sort()).toEqual(['ACCOUNTS', 'TRANSACTIONS'])
      // The historical update started, as for a link created by POST /api/links/.
      expect(link.background_work).toMatchObject({ pending_jobs: expect.any(Number) })
      // The access token is spent: the widget cannot be used to connect a second account.
      const again = await env.harness.call('GET', '/widget/api/session', undefined, { auth: `Bearer ${access}` })
      expect(again.status).toBe(401)
      // Opened again, the widget says so instead of starting over.
      await page.goto(env.widgetUrl(access, { locale: 'en' }))
      const used = await step(page, 'token-error')
      expect(await used.getByRole('heading', { level: 1 }).textContent()).toBe('This link was already used')
      await record(page, 'token used')
      // A phone whose clock runs an hour ahead still hears the server's reason, not "expired".
      const skewed = await env.newPage()
      await skewed.clock.setFixedTime(Date.now() + 3600_000)
      await skewed.goto(env.widgetUrl(access, { locale: 'en' }))
      const usedAhead = await step(skewed, 'token-error')
      expect(await usedAhead.getByRole('heading', { level: 1 }).textContent()).toBe('This link was already used')
    } finally {
      await site.close()
    }
  })

  test('wrong credentials show a human message and a way to try again; then the right ones connect', async () => {
    const site = await startSite()
    try {
      const access = await hostedToken(site)
      const page = await env.newPage()
      const record = recorder('wrong credentials')
      await page.goto(env.widgetUrl(access, { locale: 'en', country_codes: 'MX' }))
      await chooseInstitution(page, 'Erebor', /Erebor Bank/)
      await submitCredentials(page, { [MX.username]: 'bnk100', [MX.password]: 'wrong' })
      // The error names what went wrong in words, not only Belvo's code.
      await expect.poll(() => page.getByText('The credentials you entered are not correct').count()).toBeGreaterThan(0)
      await record(page, 'login error')
      const retry = page.getByRole('button', { name: 'Try again' })
      if (await retry.isVisible()) await retry.click()
      await step(page, 'credentials')
      await submitCredentials(page, { [MX.username]: 'bnk100', [MX.password]: 'full' })
      await expectSuccess(page)
      await page.getByRole('button', { name: 'Done' }).click()
      await page.waitForURL((url) => url.pathname === '/success')
      expect((await linkFromSuccessUrl(page.url())).status).toBe('valid')
      // The failed attempt left no link behind: only the one connected.
      const links = await env.harness.call('GET', '/api/links/?institution=erebor_mx_retail')
      expect(links.body.results.filter((l: { external_id: string | null }) => l.external_id === null).length).toBeGreaterThanOrEqual(1)
    } finally {
      await site.close()
    }
  })

  test('keyboard only: Tab, Enter and Space take a person from the first screen to a connected account', async () => {
    const site = await startSite()
    try {
      const access = await hostedToken(site)
      const page = await env.newPage()
      await page.goto(env.widgetUrl(access, { locale: 'en', external_id: 'keyboard', country_codes: 'MX' }))
      await step(page, 'intro')
      await tabTo(page, (el) => el.role === 'button' && el.name === 'Continue')
      await page.keyboard.press('Enter')
      await step(page, 'institutions')
      await tabTo(page, (el) => el.role === 'searchbox' || el.name === 'Search institutions')
      await page.keyboard.type('Erebor')
      await tabTo(page, (el) => el.role === 'button' && /Erebor Bank/.test(el.name))
      await page.keyboard.press('Space')
      await step(page, 'credentials')
      await tabTo(page, (el) => el.name === MX.username)
      await page.keyboard.type('bnk100')
      await tabTo(page, (el) => el.name === MX.password)
      await page.keyboard.type('full')
      await page.keyboard.press('Enter')
      await expectSuccess(page)
      await tabTo(page, (el) => el.role === 'button' && el.name === 'Done')
      await page.keyboard.press('Enter')
      await page.waitForURL((url) => url.pathname === '/success')
      expect((await linkFromSuccessUrl(page.url())).external_id).toBe('keyboard')
    } finally {
      await site.close()
    }
  })
})

interface Focused {
  role: string
  name: string
  tag: string
}

/**
 * Presses Tab until the focused element matches (at most 40 times), as a keyboard user would, and
 * checks that the focus is visible there (an outline or a box shadow drawn by :focus-visible).
 */
async function tabTo(page: import('playwright-core').Page, match: (el: Focused) => boolean): Promise<void> {
  const seen: string[] = []
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab')
    const el = await page.evaluate(() => {
      const active = document.activeElement as HTMLElement | null
      if (!active) return null
      const labelled = active.getAttribute('aria-labelledby')
      const byLabel = labelled
        ? labelled
            .split(/\s+/)
            .map((id) => document.getElementById(id)?.textContent ?? '')
            .join(' ')
        : ''
      const input = active as HTMLInputElement
      const label = input.labels?.[0]?.textContent ?? ''
      const name = (active.getAttribute('aria-label') ?? byLabel ?? '') || label || active.textContent || ''
      const role =
        active.getAttribute('role') ?? (active.tagName === 'BUTTON' ? 'button' : input.type === 'search' ? 'searchbox' : active.tagName.toLowerCase())
      const style = getComputedStyle(active)
      const visible = active.matches(':focus-visible') && (style.outlineStyle !== 'none' || style.boxShadow !== 'none')
      return { role, name: name.trim().replace(/\s+/g, ' '), tag: active.tagName, visible }
    })
    if (!el) continue
    seen.push(`${el.role} "${el.name}"`)
    if (match(el)) {
      expect(el.visible, `focus indicator on ${el.role} "${el.name}"`).toBe(true)
      return
    }
  }
  throw new Error(`Tab never reached the element; focus went through: ${seen.join(', ')}`)
}
