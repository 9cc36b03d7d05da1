import { generateCnpj, generateCpf } from '@brazilian-utils/brazilian-utils'
import { describe, expect, test } from 'vitest'
import { browserAvailable, checkA11y, useWidgetEnv } from '../helpers/browser.ts'
import { RETAIL } from '../helpers/payments.ts'
import { expectSpec } from '../helpers/spec.ts'

type Json = Record<string, any>

// Issue 16: a Pix Automático payment authorization authorized by the payer in a real browser, at
// its authorization_url (the sandbox bank's page on Ponte): log in with the CPF, approve, back at
// the return_url; the API then shows it AUTHORIZED with its scheduled charge.
describe.skipIf(!browserAvailable())('payment authorization at the sandbox bank, in the browser', () => {
  const env = useWidgetEnv()
  const V2 = { 'x-belvo-api-resource-version': 'Payments-BR.V2' }

  async function post(path: string, body: Json): Promise<Json> {
    const res = await env.harness.call('POST', path, body, { headers: V2 })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body
  }

  test('logs in with the payer CPF, approves, and the authorization is AUTHORIZED', async () => {
    const h = env.harness
    const cpf = generateCpf()
    const account = await post('/payments/br/bank-accounts/', {
      holder: { name: 'Academia Movimento Ltda', identifier: generateCnpj() },
      details: { institution: RETAIL, account_type: 'CHECKINGS', agency: '0001', number: '1234567' },
    })
    const tomorrow = new Date(h.clock.now().getTime() + 86_400_000).toISOString().slice(0, 10)
    const authorization = await post('/payments/br/payment-authorizations/', {
      payment_method: 'PIX_OF_SCHEDULED',
      description: 'Mensalidade de janeiro',
      return_url: `${env.base}/health`,
      payer: { customer: { identifier: cpf, name: 'Carla Mendes' }, institution: RETAIL },
      beneficiary: { type: 'BANK_ACCOUNT', target: account.id },
      payment_method_configuration: { amount: '89.90', statement_description: 'Academia Movimento', dates: [tomorrow] },
    })

    const page = await env.newPage()
    // authorization_url names the server the API was called on: the same page on the test's port.
    await page.goto(`${env.base}${new URL(authorization.payment_method_configuration.authorization_url).pathname}?locale=en`)
    await checkA11y(page, 'payment authorization login')
    await page.getByLabel('CPF').fill(cpf)
    await page.getByRole('button', { name: 'Log in' }).click()
    await expect(page.getByText('R$89.90').count()).resolves.toBe(1)
    await checkA11y(page, 'payment authorization review')
    await page.getByRole('button', { name: 'Authorize payment' }).click()
    await page.waitForURL((url) => url.pathname === '/health')

    const res = await h.call('GET', `/payments/br/payment-authorizations/${authorization.id}/`, undefined, { headers: V2 })
    expectSpec('current', 'PaymentAuthorization', res.body)
    expect(res.body).toMatchObject({ status: 'AUTHORIZED', payer: { institution: RETAIL } })
    const charges = await h.call('GET', `/payments/br/payment-authorizations/${authorization.id}/charges/`, undefined, { headers: V2 })
    expect(charges.body.results.map((c: Json) => [c.status, c.date])).toEqual([['SCHEDULED', tomorrow]])
  })
})
