import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { branding, browserAvailable, callbackUrls, startSite, useWidgetEnv } from '../helpers/browser.ts'
import { chooseInstitution, expectSuccess, recorder, step } from '../helpers/widget-flow.ts'

// Open Finance Brasil in the hosted widget: the consent screen (purpose, permissions, the person's
// CPF), the sandbox's mock bank page served by Ponte (log in with the CPF, approve or reject), and
// back in the widget either a link or Belvo's rejection.
describe.skipIf(!browserAvailable())('hosted widget: Open Finance Brasil consent', () => {
  const env = useWidgetEnv()
  const CPF = '76109277673'

  async function toBank(site: { url: string }, test: string) {
    const access = await env.token({
      scopes: 'read_institutions,write_links,read_consents,write_consents,write_consent_callback',
      widget: {
        openfinance_feature: 'consent_link_creation',
        callback_urls: callbackUrls(site),
        branding: branding(site, 'Acme Lending'),
        consent: {
          purpose: 'Offer you a credit line that fits your income',
          terms_and_conditions_url: `${site.url}/terms`,
          permissions: ['REGISTER', 'ACCOUNTS', 'CREDIT_CARDS', 'CREDIT_OPERATIONS'],
          identification_info: [{ type: 'CPF', number: CPF, name: 'Ralph Bragg' }],
        },
      },
    })
    const page = await env.newPage()
    const record = recorder(test)
    await page.goto(env.widgetUrl(access, { locale: 'en', country_codes: 'BR' }))
    await chooseInstitution(page, 'Mock', /OF Mock Bank/, (name) => record(page, name), 'openfinance-consent')
    const consent = await step(page, 'openfinance-consent')
    const text = await consent.textContent()
    expect(text).toContain('Offer you a credit line that fits your income')
    expect(text).toContain('Registration data')
    expect(text).toContain('Accounts')
    await record(page, 'consent')
    await page.getByRole('button', { name: /^Continue to OF Mock Bank/ }).click()
    // The institution's authorization page: Ponte's sandbox mock bank, on Ponte.
    await page.waitForURL((url) => url.pathname === '/sandbox/openfinance/authorize')
    await record(page, 'bank login')
    const cpf = page.getByLabel(/CPF/).first()
    await cpf.fill(CPF)
    await cpf.press('Enter')
    return { page, record, access }
  }

  async function decide(page: Page, decision: RegExp) {
    const button = page.getByRole('button', { name: decision })
    await button.waitFor()
    await button.click()
    await page.waitForURL((url) => url.pathname === '/widget/')
  }

  test('approved: back in the widget, the link is created for the consent', async () => {
    const site = await startSite()
    try {
      const { page, record } = await toBank(site, 'openfinance approved')
      await record(page, 'bank consent')
      await decide(page, /^(Approve|Autorizar)$/)
      await expectSuccess(page)
      await record(page, 'success')
      await page.getByRole('button', { name: 'Done' }).click()
      await page.waitForURL((url) => url.pathname === '/success')
      const params = new URL(page.url()).searchParams
      expect(params.get('institution')).toBe('ofmockbank_br_retail')
      const link = await env.harness.call('GET', `/api/links/${params.get('link')}/`)
      expect(link.body).toMatchObject({ institution: 'ofmockbank_br_retail', status: 'valid' })
      const consents = await env.harness.call('GET', `/api/consents/?user_document=${CPF}`)
      expect(consents.status).toBe(200)
      expect(consents.body.results.map((c: { status: string }) => c.status)).toContain('AUTHORISED')
    } finally {
      await site.close()
    }
  })

  test('rejected: the widget says no account was connected, with Belvo’s error; no link', async () => {
    const site = await startSite()
    try {
      const before = (await env.harness.call('GET', '/api/links/?institution=ofmockbank_br_retail')).body.count
      const { page, record } = await toBank(site, 'openfinance rejected')
      await decide(page, /^(Reject|Recusar|Rechazar)$/)
      await expect.poll(() => page.getByText('You did not authorise the sharing at your institution').count()).toBeGreaterThan(0)
      await record(page, 'rejected')
      expect((await env.harness.call('GET', '/api/links/?institution=ofmockbank_br_retail')).body.count).toBe(before)
      const consents = await env.harness.call('GET', `/api/consents/?user_document=${CPF}`)
      expect(consents.body.results.map((c: { status: string }) => c.status)).toContain('REJECTED')
      // Leaving now tells the customer why: the exit URL carries the rejection.
      await page.getByRole('button', { name: 'Close' }).first().click()
      await page.getByRole('alertdialog').getByRole('button', { name: 'Leave' }).click()
      await page.waitForURL((url) => url.pathname === '/exit')
      expect(JSON.parse(new URL(page.url()).searchParams.get('last_encountered_error')!)).toMatchObject({ code: 'consent_rejected' })
    } finally {
      await site.close()
    }
  })

  test('a return that claims approval for a refused consent shows the consent error, not a credentials one', async () => {
    const site = await startSite()
    try {
      const { page } = await toBank(site, 'openfinance stale approval')
      // The address the bank sends the person back to (the widget tidies its own URL once read).
      const returns: string[] = []
      page.on('request', (request) => {
        if (request.isNavigationRequest() && new URL(request.url()).searchParams.has('result')) returns.push(request.url())
      })
      await decide(page, /^(Reject|Recusar|Rechazar)$/)
      await expect.poll(() => page.getByText('You did not authorise the sharing at your institution').count()).toBeGreaterThan(0)
      // The same return address, edited to say "approved": the link call meets Belvo's login_error.
      expect(returns).toHaveLength(1)
      const back = new URL(returns[0])
      expect(back.searchParams.get('result')).toBe('rejected')
      back.searchParams.set('result', 'approved')
      await page.goto(back.toString())
      await step(page, 'error')
      await expect.poll(() => page.getByText('You did not authorise the sharing at your institution').count()).toBeGreaterThan(0)
      expect(await page.getByText('The credentials you entered are not correct').count()).toBe(0)
    } finally {
      await site.close()
    }
  })

  test('a wrong CPF is refused on the bank page itself', async () => {
    const site = await startSite()
    try {
      const { page } = await toBankWithCpf(site, '12345678909')
      // Still on the bank's page (its login form answers there), with the problem announced.
      const alert = page.getByRole('alert')
      await alert.waitFor()
      expect(new URL(page.url()).pathname).toMatch(/^\/sandbox\/openfinance\/authorize/)
      expect(await alert.textContent()).toContain('CPF')
      expect(await page.getByLabel(/CPF/).first().getAttribute('aria-invalid')).toBe('true')
      await recorder('openfinance wrong cpf')(page, 'bank login error')
    } finally {
      await site.close()
    }
  })

  async function toBankWithCpf(site: { url: string }, cpf: string) {
    const access = await env.token({
      scopes: 'read_institutions,write_links,read_consents,write_consents,write_consent_callback',
      widget: { openfinance_feature: 'consent_link_creation', callback_urls: callbackUrls(site) },
    })
    const page = await env.newPage()
    await page.goto(env.widgetUrl(access, { locale: 'en', country_codes: 'BR' }))
    await chooseInstitution(page, 'Mock', /OF Mock Bank/, undefined, 'openfinance-consent')
    // No identification in the token: the person types the CPF the consent is for.
    const own = page.getByLabel('Your CPF')
    if (await own.isVisible()) await own.fill(CPF)
    await page.getByRole('button', { name: /^Continue to OF Mock Bank/ }).click()
    await page.waitForURL((url) => url.pathname === '/sandbox/openfinance/authorize')
    const field = page.getByLabel(/CPF/).first()
    await field.fill(cpf)
    await field.press('Enter')
    return { page }
  }
})
