import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { browserAvailable, callbackUrls, startSite, useWidgetEnv } from '../helpers/browser.ts'
import { chooseInstitution, MX, recorder, submitCredentials } from '../helpers/widget-flow.ts'

// What the widget says, in which language, and what it shows instead of a blank page when its
// token cannot be used: expired, not a token, missing, or lacking the scope to create links.
describe.skipIf(!browserAvailable())('hosted widget: languages and token screens', () => {
  const env = useWidgetEnv()

  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).first()

  test.each([
    ['en', 'Link your account', 'Continue', 'Select your institution'],
    ['es', 'Conecta tu cuenta', 'Continuar', 'Selecciona tu institución'],
    ['pt', 'Conecte sua conta', 'Continuar', 'Selecione sua instituição'],
  ])('locale=%s: headings and buttons in that language', async (locale, intro, next, institutions) => {
    const page = await env.newPage()
    await page.goto(env.widgetUrl(await env.token(), { locale }))
    await page.locator('[data-step="intro"]').waitFor()
    expect(await heading(page).textContent()).toBe(intro)
    expect(await page.evaluate(() => document.documentElement.lang)).toMatch(new RegExp(`^${locale}`))
    // English is recorded by the connection tests; the translations' lengths differ, so their
    // first screen is checked and photographed too.
    if (locale !== 'en') await recorder(`language ${locale}`)(page, 'intro')
    await page.getByRole('button', { name: next, exact: true }).click()
    await page.locator('[data-step="institutions"]').waitFor()
    expect(await heading(page).textContent()).toBe(institutions)
  })

  test("without a locale parameter, the browser's language decides (pt-BR)", async () => {
    const page = await env.newPage({ locale: 'pt-BR' })
    await page.goto(env.widgetUrl(await env.token()))
    await page.locator('[data-step="intro"]').waitFor()
    expect(await heading(page).textContent()).toBe('Conecte sua conta')
  })

  test('a token without write_links cannot create a link: the person is told so, and Close goes to the event URL', async () => {
    const site = await startSite()
    try {
      const before = (await env.harness.call('GET', '/api/links/')).body.count
      const page = await env.newPage()
      const access = await env.token({ scopes: 'read_institutions', widget: { callback_urls: callbackUrls(site) } })
      await page.goto(env.widgetUrl(access, { locale: 'en', country_codes: 'MX' }))
      const denied = page.getByText('This connection link does not allow this action')
      // The widget may refuse up front (it knows the scopes) or when the link is asked for.
      const first = page.locator('[data-step="intro"]').or(denied)
      await first.first().waitFor()
      if (!(await denied.isVisible())) {
        await chooseInstitution(page, 'Erebor', /Erebor Bank/)
        await submitCredentials(page, { [MX.username]: 'bnk100', [MX.password]: 'full' })
      }
      await denied.first().waitFor()
      await recorder('token without write_links')(page, 'denied')
      expect((await env.harness.call('GET', '/api/links/')).body.count).toBe(before)
      // Nothing to try again: the hosted widget reports the error to the token's event URL.
      await page.locator('[data-step="error"]').getByRole('button', { name: 'Close' }).click()
      await page.waitForURL((url) => url.pathname === '/event')
      const params = new URL(page.url()).searchParams
      expect(params.get('error_code')).toBe('access_to_resource_denied')
      expect(params.get('error_message')).toBeTruthy()
      expect(JSON.parse(params.get('meta_data')!)).toEqual(expect.any(Object))
    } finally {
      await site.close()
    }
  })

  test.each([
    ['malformed', 'not-a-token', 'This link is not valid'],
    ['missing', null, 'This link is incomplete'],
  ])('a %s token gets its own screen, not a blank page', async (kind, token, title) => {
    const page = await env.newPage()
    await page.goto(token === null ? `${env.base}/widget/?locale=en` : env.widgetUrl(token, { locale: 'en' }))
    await expect.poll(() => heading(page).textContent()).toBe(title)
    await recorder(`token ${kind}`)(page, 'screen')
  })

  // Last: it moves the server's clock past the token's 10 minutes.
  test('an expired token says the link expired', async () => {
    const access = await env.token()
    env.harness.clock.advance(11 * 60_000)
    const page = await env.newPage()
    await page.goto(env.widgetUrl(access, { locale: 'en' }))
    await expect.poll(() => heading(page).textContent()).toBe('This link has expired')
    await recorder('token expired')(page, 'screen')
    const es = await env.newPage()
    await es.goto(env.widgetUrl(access, { locale: 'es' }))
    await expect.poll(() => heading(es).textContent()).toBe('Este enlace expiró')
  })
})
