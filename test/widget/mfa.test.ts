import { describe, expect, test } from 'vitest'
import { browserAvailable, useWidgetEnv } from '../helpers/browser.ts'
import { chooseInstitution, expectSuccess, MX, recorder, step, submitCredentials } from '../helpers/widget-flow.ts'

// The three sandbox MFA kinds at Heimdall Bank (src/connectors/sandbox/personas.ts): the widget
// asks for the token the institution wants, shows what the person needs to produce it (where an
// SMS went, a QR code drawn as an image, a numeric challenge), and a wrong code gets a fresh
// challenge before 111111 connects the account.
describe.skipIf(!browserAvailable())('hosted widget: multi-factor authentication', () => {
  const env = useWidgetEnv()

  async function toMfa(username: string, password: string, test: string) {
    const page = await env.newPage()
    await page.goto(env.widgetUrl(await env.token(), { locale: 'en', country_codes: 'MX' }))
    await chooseInstitution(page, 'Heimdall', /Heimdall Bank/)
    await submitCredentials(page, { [MX.username]: username, [MX.password]: password })
    const mfa = await step(page, 'mfa')
    expect(await mfa.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm it’s you')
    await recorder(test)(page, 'mfa')
    return { page, mfa }
  }

  async function answer(page: import('playwright-core').Page, token: string) {
    await page.getByLabel('Security code').fill(token)
    await page.getByRole('button', { name: 'Confirm' }).click()
  }

  test('device: says where the code was sent; a wrong code is refused, 111111 connects', async () => {
    const { page, mfa } = await toMfa('mfa_default', 'pass_valid', 'mfa device')
    await expect.poll(() => mfa.textContent()).toMatch(/\+\*\* \*\*\* \*\*\* \d{4}/)
    await answer(page, '222222')
    await expect.poll(() => page.getByText('That code was not accepted').count()).toBeGreaterThan(0)
    await recorder('mfa device')(page, 'mfa rejected')
    await answer(page, '111111')
    await expectSuccess(page)
  })

  test('QR: the challenge is drawn as a visible image', async () => {
    const { page } = await toMfa('mfa_qr', 'qr_code', 'mfa qr')
    const qr = page.getByRole('img', { name: /QR code/ })
    await qr.waitFor({ state: 'visible' })
    // A real image, drawn by the server (data URL), at a scannable size.
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/(svg\+xml|png)/)
    const box = await qr.boundingBox()
    expect(box!.width).toBeGreaterThanOrEqual(120)
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)
    await answer(page, '111111')
    await expectSuccess(page)
  })

  test('numeric: shows the 8-digit challenge to type into the token device', async () => {
    const { page, mfa } = await toMfa('mfa_numeric', 'numeric_code', 'mfa numeric')
    await expect.poll(() => mfa.textContent()).toMatch(/\d{8}/)
    await answer(page, '111111')
    await expectSuccess(page)
    // Done, then the person has nowhere else to go (no callback URLs): the widget says so, no blank page.
  })
})
