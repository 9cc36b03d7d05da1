import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { browserAvailable, callbackUrls, startSite, useWidgetEnv } from '../helpers/browser.ts'
import { chooseInstitution, expectSuccess, MX, recorder, step, submitCredentials } from '../helpers/widget-flow.ts'

// Leaving the hosted widget ("are you sure?", then the token's exit URL with what happened), and
// update mode: a token for an existing link re-enters that link's credentials and resolves the
// institution's token challenge, keeping the link's id.
describe.skipIf(!browserAvailable())('hosted widget: exit and update mode', () => {
  const env = useWidgetEnv()

  async function leave(page: Page, record?: (page: Page, step: string) => Promise<void>) {
    await page.getByRole('button', { name: 'Close' }).first().click()
    const dialog = page.getByRole('alertdialog')
    await dialog.waitFor({ state: 'visible' })
    expect(await dialog.getByRole('heading').first().textContent()).toBe('Are you sure you want to leave?')
    await record?.(page, 'exit confirmation')
    return dialog
  }

  test('exit asks first, Stay keeps the step, Leave goes to the exit URL with the last error and metadata', async () => {
    const site = await startSite()
    try {
      const access = await env.token({ widget: { callback_urls: callbackUrls(site) } })
      const page = await env.newPage()
      const record = recorder('exit')
      await page.goto(env.widgetUrl(access, { locale: 'en', country_codes: 'MX' }))
      await chooseInstitution(page, 'Erebor', /Erebor Bank/)
      await submitCredentials(page, { [MX.username]: 'bnk100', [MX.password]: 'wrong' })
      await expect.poll(() => page.getByText('The credentials you entered are not correct').count()).toBeGreaterThan(0)

      let dialog = await leave(page, record)
      await dialog.getByRole('button', { name: 'Stay' }).click()
      await dialog.waitFor({ state: 'hidden' })
      // Still in the widget, nothing sent anywhere.
      expect(new URL(page.url()).pathname).toBe('/widget/')
      expect(site.hits.filter((hit) => hit.path.startsWith('/exit'))).toEqual([])

      dialog = await leave(page)
      await dialog.getByRole('button', { name: 'Leave' }).click()
      await page.waitForURL((url) => url.pathname === '/exit')
      const params = new URL(page.url()).searchParams
      expect(JSON.parse(params.get('last_encountered_error')!)).toMatchObject({ code: 'login_error', message: expect.any(String) })
      expect(JSON.parse(params.get('meta_data')!)).toEqual(expect.any(Object))
      expect(site.hits.filter((hit) => hit.path.startsWith('/exit'))).toHaveLength(1)
    } finally {
      await site.close()
    }
  })

  test('without callback URLs, leaving ends on a screen saying so (never a blank page)', async () => {
    const page = await env.newPage()
    await page.goto(env.widgetUrl(await env.token(), { locale: 'en' }))
    await step(page, 'intro')
    // Escape asks too, as the close button does.
    await page.keyboard.press('Escape')
    const dialog = page.getByRole('alertdialog')
    await dialog.waitFor()
    await dialog.getByRole('button', { name: 'Leave' }).click()
    const exited = await step(page, 'exited')
    expect(await exited.getByRole('heading', { level: 1 }).textContent()).toBe('You left without connecting')
    await recorder('exit')(page, 'exited')
  })

  test('update mode: the token of a link re-enters its credentials, resolves the token challenge, keeps the link', async () => {
    const created = await env.harness.call('POST', '/api/links/', {
      institution: 'heimdall_mx_retail',
      username: 'mfa_default',
      password: 'pass_valid',
      token: '111111',
    })
    expect(created.status).toBe(201)
    const linkId = created.body.id as string
    const access = await env.token({ link_id: linkId })
    const page = await env.newPage()
    const record = recorder('update mode')
    await page.goto(env.widgetUrl(access, { locale: 'en', country_codes: 'MX' }))
    // No institution to choose: the widget opens on that link's institution (after the intro, if shown).
    const first = page.locator('[data-step="intro"], [data-step="credentials"]')
    await first.first().waitFor({ state: 'visible' })
    if ((await first.first().getAttribute('data-step')) === 'intro') await page.getByRole('button', { name: 'Continue' }).click()
    const credentials = await step(page, 'credentials')
    expect(await credentials.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Update your access to Heimdall Bank/)
    await record(page, 'credentials')
    await submitCredentials(page, { [MX.username]: 'mfa_default', [MX.password]: 'pass_valid' })
    await step(page, 'mfa')
    await record(page, 'mfa')
    await page.getByLabel('Security code').fill('111111')
    await page.getByRole('button', { name: 'Confirm' }).click()
    await expectSuccess(page)
    await record(page, 'success')

    const link = await env.harness.call('GET', `/api/links/${linkId}/`)
    expect(link.body).toMatchObject({ id: linkId, status: 'valid', institution: 'heimdall_mx_retail' })
    // Updated in place: still one link at that institution.
    const links = await env.harness.call('GET', '/api/links/?institution=heimdall_mx_retail')
    expect(links.body.results.map((l: { id: string }) => l.id)).toEqual([linkId])
  })
})
