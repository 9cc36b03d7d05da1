import type { Frame, Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { browserAvailable, startSite, useWidgetEnv } from '../helpers/browser.ts'
import { chooseInstitution, expectSuccess, MX, recorder, step, submitCredentials } from '../helpers/widget-flow.ts'

// The embedded widget as a customer's page uses Belvo's: a page on another origin loads Ponte's
// belvo-widget-1-stable.js, calls belvoSDK.createWidget(token, config).build() into #belvo, and
// hears back through config.callback(link, institution), onExit(data) and onEvent(data).
describe.skipIf(!browserAvailable())('embedded widget: the SDK script and its callbacks', () => {
  const env = useWidgetEnv()

  /** The customer's page: the token comes in the query; what the callbacks receive is kept on window.calls. */
  function hostPage(ponte: string): string {
    return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Acme: connect your bank</title>
<script src="${ponte}/widget/belvo-widget-1-stable.js"></script></head>
<body><main><h1>Acme</h1><div id="belvo"></div></main>
<script>
  window.calls = { success: [], exit: [], event: [] }
  const query = new URLSearchParams(location.search)
  const token = query.get('token')
  window.belvoSDK.createWidget(token, {
    locale: 'en',
    country_codes: [query.get('country') || 'MX'],
    external_id: 'embedded-1',
    callback: (link, institution) => window.calls.success.push({ link, institution }),
    onExit: (data) => window.calls.exit.push(data),
    onEvent: (data) => window.calls.event.push(data),
  }).build()
</script>
</body></html>`
  }

  async function open(site: { url: string }, token: string, country = 'MX'): Promise<{ page: Page; frame: Frame }> {
    const page = await env.newPage()
    await page.goto(`${site.url}/host?${new URLSearchParams({ token, country })}`)
    const iframe = page.locator('#belvo iframe')
    await iframe.waitFor()
    const frame = (await (await iframe.elementHandle())!.contentFrame())!
    await step(frame, 'intro')
    return { page, frame }
  }

  const calls = (page: Page) => page.evaluate(() => (window as any).calls as { success: any[]; exit: any[]; event: any[] })

  test('callback(link, institution) on success, onEvent with PAGE_LOAD and ERROR', async () => {
    const site = await startSite({ '/host': hostPage(env.base) })
    try {
      const { page, frame } = await open(site, await env.token())
      const record = recorder('embedded')
      await record(page, 'intro', frame)
      await expect.poll(async () => (await calls(page)).event.map((e) => e.eventName)).toContain('PAGE_LOAD')

      await chooseInstitution(frame, 'Erebor', /Erebor Bank/)
      await submitCredentials(frame, { [MX.username]: 'bnk100', [MX.password]: 'wrong' })
      await expect.poll(async () => (await calls(page)).event.find((e) => e.eventName === 'ERROR')).toBeTruthy()
      const error = (await calls(page)).event.find((e) => e.eventName === 'ERROR')
      expect(JSON.stringify(error)).toContain('login_error')
      await record(page, 'login error', frame)

      const retry = frame.getByRole('button', { name: 'Try again' })
      if (await retry.isVisible()) await retry.click()
      await step(frame, 'credentials')
      await submitCredentials(frame, { [MX.username]: 'bnk100', [MX.password]: 'full' })
      await expectSuccess(frame)
      await record(page, 'success', frame)
      await expect.poll(async () => (await calls(page)).success.length).toBe(1)
      const { link, institution } = (await calls(page)).success[0]
      expect(institution).toBe('erebor_mx_retail')
      const created = await env.harness.call('GET', `/api/links/${link}/`)
      expect(created.body).toMatchObject({ id: link, institution: 'erebor_mx_retail', external_id: 'embedded-1' })
      expect((await calls(page)).exit).toEqual([])
      // The host page stayed where it was: the SDK never navigates its parent.
      expect(new URL(page.url()).pathname).toBe('/host')
    } finally {
      await site.close()
    }
  })

  test('onExit(data) after the person confirms leaving', async () => {
    const site = await startSite({ '/host': hostPage(env.base) })
    try {
      const { page, frame } = await open(site, await env.token())
      await frame.getByRole('button', { name: 'Close' }).first().click()
      const dialog = frame.getByRole('alertdialog')
      await dialog.getByRole('button', { name: 'Leave' }).click()
      await expect.poll(async () => (await calls(page)).exit.length).toBe(1)
      const [data] = (await calls(page)).exit
      expect(data).toMatchObject({ last_encountered_error: null, meta_data: expect.any(Object) })
      expect((await calls(page)).success).toEqual([])
    } finally {
      await site.close()
    }
  })

  test('Open Finance: the bank opens in a window of its own, and approving there connects the account in the iframe', async () => {
    const site = await startSite({ '/host': hostPage(env.base) })
    try {
      const access = await env.token({
        scopes: 'read_institutions,write_links,read_consents,write_consents,write_consent_callback',
        widget: {
          openfinance_feature: 'consent_link_creation',
          consent: {
            purpose: 'Offer you a credit line that fits your income',
            terms_and_conditions_url: `${site.url}/terms`,
            permissions: ['REGISTER', 'ACCOUNTS', 'CREDIT_CARDS', 'CREDIT_OPERATIONS'],
            identification_info: [{ type: 'CPF', number: '76109277673', name: 'Ralph Bragg' }],
          },
        },
      })
      const { page, frame } = await open(site, access, 'BR')
      await chooseInstitution(frame, 'Mock', /OF Mock Bank/, undefined, 'openfinance-consent')
      // Banks refuse to be framed: the widget opens the authorization page in a popup.
      const popupOpened = page.context().waitForEvent('page')
      await frame.getByRole('button', { name: /^Continue to OF Mock Bank/ }).click()
      const bank = await popupOpened
      await step(frame, 'openfinance-waiting')
      await recorder('embedded openfinance')(page, 'waiting', frame)
      const cpf = bank.getByLabel(/CPF/).first()
      await cpf.fill('76109277673')
      await cpf.press('Enter')
      await bank.getByRole('button', { name: /^(Approve|Autorizar)$/ }).click()
      await expectSuccess(frame)
      await expect.poll(async () => (await calls(page)).success.length).toBe(1)
      const { link, institution } = (await calls(page)).success[0]
      expect(institution).toBe('ofmockbank_br_retail')
      expect((await env.harness.call('GET', `/api/links/${link}/`)).body).toMatchObject({ id: link, institution: 'ofmockbank_br_retail', status: 'valid' })
    } finally {
      await site.close()
    }
  })
})
