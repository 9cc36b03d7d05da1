import { generateCnpj, generateCpf } from '@brazilian-utils/brazilian-utils'
import { describe, expect, test } from 'vitest'
import { browserAvailable, startSite, useWidgetEnv } from '../helpers/browser.ts'
import { recorder, step } from '../helpers/widget-flow.ts'

// Issue 16's end-to-end test: a customer and a receiving bank account created over HTTP, a
// payments widget token, the hosted widget in Chromium through the biometric Pix enrollment (the
// sandbox institution's page on Ponte) and the payment's confirmation, the events received by a
// local webhook receiver registered through Ponte's webhook API, and the transaction listed.
// Then a refused amount (150.00: insufficient_funds) with the same enrollment, without the bank.
describe.skipIf(!browserAvailable())('hosted widget: biometric Pix payments', () => {
  const env = useWidgetEnv()
  const BIO = 'open_finance_biometric_pix'
  const IPE = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1003'
  let enrollmentId: string
  let customerId: string
  let accountId: string

  const paymentIntent = (amount: string, enrollment?: string) => ({
    amount,
    description: 'Pedido 2041',
    allowed_payment_method_types: [BIO],
    payment_method_details: { [BIO]: { beneficiary_bank_account: accountId, ...(enrollment ? { enrollment } : {}) } },
    metadata: { order: '2041' },
  })
  const token = async (body: Record<string, unknown>) => {
    const res = await env.harness.call('POST', '/payments/br/token/', body)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    return res.body.access as string
  }

  test('enrolls the device at the bank page, pays with biometrics; webhooks and the transaction follow', async () => {
    const h = env.harness
    const receiver = await h.receiveWebhooks('Bearer widget-payments')
    await h.startWorker()
    const site = await startSite()
    try {
      const customer = await h.call('POST', '/payments/br/customers/', { identifier: generateCpf(), name: 'Beatriz Costa' })
      const account = await h.call('POST', '/payments/br/bank-accounts/', {
        institution: '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001',
        holder: { type: 'BUSINESS', information: { name: 'Café Aurora Ltda', identifier_type: 'CNPJ', identifier: generateCnpj() } },
        details: { account_type: 'CHECKINGS', agency: '0001', number: '7654321' },
      })
      expect([customer.status, account.status]).toEqual([201, 201])
      customerId = customer.body.id
      accountId = account.body.id
      const access = await token({
        use_cases: ['ENROLLMENT', 'PAYMENT_INTENT'],
        widget: {
          callback_urls: { success: `${site.url}/success`, exit: `${site.url}/exit` },
          branding: { company_name: 'Café Aurora' },
          top_tier_institutions: ['ipe_br_retail'],
          enrollment: { type: BIO, details: { customer: customerId, name: 'Chromium' }, metadata: {} },
          payment_intent: paymentIntent('99.00'),
        },
      })
      const page = await env.newPage()
      const record = recorder('payments widget')
      await page.goto(env.widgetUrl(access, { locale: 'en' }))

      const institutions = await step(page, 'institutions')
      // The token's top tier comes first, under its own heading.
      expect(await institutions.getByRole('list', { name: 'Suggested banks' }).getByRole('button').allTextContents()).toEqual([
        expect.stringContaining('Banco Ipê'),
      ])
      await record(page, 'institutions')
      await page.getByRole('button', { name: /Banco Ipê/ }).click()
      await step(page, 'enroll')
      await record(page, 'enroll')
      await page.getByRole('link', { name: 'Continue to Banco Ipê' }).click()

      // The sandbox institution's page, served by Ponte.
      await page.waitForURL((url) => url.pathname === '/sandbox/openfinance/enrollments/authorize')
      expect(await page.textContent('main')).toContain('Café Aurora asks to register this device')
      await record(page, 'bank page')
      await page.getByRole('button', { name: /^(Approve registration|Autorizar cadastro)$/ }).click()

      const confirm = await step(page, 'confirm')
      const summary = await confirm.textContent()
      expect(summary).toContain('R$99.00')
      expect(summary).toContain('Café Aurora Ltda')
      expect(summary).toContain('Pedido 2041')
      await page.getByRole('button', { name: 'Confirm with biometrics' }).waitFor()
      await expect.poll(() => page.getByRole('button', { name: 'Confirm with biometrics' }).isEnabled()).toBe(true)
      await record(page, 'confirm')
      await page.getByRole('button', { name: 'Confirm with biometrics' }).click()
      const paid = await step(page, 'paid')
      expect(await paid.textContent()).toContain('You paid R$99.00 to Café Aurora Ltda')
      await record(page, 'paid')
      await page.getByRole('button', { name: 'Done' }).click()
      await page.waitForURL((url) => url.pathname === '/success')
      const intentId = new URL(page.url()).searchParams.get('payment_intent')!
      expect(new URL(page.url()).searchParams.get('status')).toBe('SUCCEEDED')

      const intent = (await h.call('GET', `/payments/br/payment-intents/${intentId}/`)).body
      expect(intent).toMatchObject({ status: 'SUCCEEDED', customer: customerId, selected_payment_method_type: BIO })
      enrollmentId = intent.payment_method_details[BIO].enrollment
      const enrollment = (await h.call('GET', `/payments/br/enrollments/${enrollmentId}/`)).body
      expect(enrollment).toMatchObject({ status: 'SUCCEEDED', details: { institution: IPE, platform: 'BROWSER', customer: customerId } })
      // The bank and the enrollment never saw the widget's access token (it waited in the tab).
      expect(enrollment.details.callback_url).toBe(`${env.base}/widget/?locale=en`)
      const transactions = (await h.call('GET', `/payments/br/transactions/?payment_intent=${intentId}`)).body
      expect(transactions.results).toEqual([expect.objectContaining({ amount: '99.00', transaction_type: 'INFLOW', beneficiary: accountId })])

      const events = (hits: typeof receiver.hits) =>
        hits.filter((hit) => [intentId, enrollmentId, transactions.results[0].id, intent.charges[0].id].includes(hit.body.object_id))
      await receiver.waitFor((hits) => events(hits).length >= 5)
      const seen = events(receiver.hits).map((hit) => `${hit.body.webhook_type} ${hit.body.webhook_code} ${hit.body.data.status ?? ''}`.trim())
      expect(seen).toEqual(
        expect.arrayContaining([
          'ENROLLMENTS STATUS_UPDATE SUCCEEDED',
          'PAYMENT_INTENTS STATUS_UPDATE PROCESSING',
          'CHARGES STATUS_UPDATE SUCCEEDED',
          'TRANSACTIONS OBJECT_CREATED',
          'PAYMENT_INTENTS STATUS_UPDATE SUCCEEDED',
        ]),
      )
      expect(receiver.hits.every((hit) => hit.headers.authorization === 'Bearer widget-payments')).toBe(true)
    } finally {
      await site.close()
    }
  })

  test('a refused amount (150.00) shows insufficient funds and returns to the exit URL with the error', async () => {
    expect(enrollmentId).toBeDefined()
    const site = await startSite()
    try {
      const access = await token({
        use_cases: ['PAYMENT_INTENT'],
        widget: {
          callback_urls: { success: `${site.url}/success`, exit: `${site.url}/exit` },
          branding: { company_name: 'Café Aurora' },
          payment_intent: paymentIntent('150.00', enrollmentId),
        },
      })
      const page = await env.newPage()
      await page.goto(env.widgetUrl(access, { locale: 'en' }))
      await step(page, 'confirm')
      await expect.poll(() => page.getByRole('button', { name: 'Confirm with biometrics' }).isEnabled()).toBe(true)
      await page.getByRole('button', { name: 'Confirm with biometrics' }).click()
      const failed = await step(page, 'payment-failed')
      expect(await failed.textContent()).toContain('insufficient_funds')
      await recorder('payments widget refused')(page, 'payment failed')
      await page.getByRole('button', { name: 'Close and go back' }).click()
      await page.waitForURL((url) => url.pathname === '/exit')
      const params = new URL(page.url()).searchParams
      expect(params.get('error_code')).toBe('insufficient_funds')
      const intent = (await env.harness.call('GET', `/payments/br/payment-intents/${params.get('payment_intent')}/`)).body
      expect(intent).toMatchObject({ status: 'FAILED', failure_code: 'insufficient_funds', customer: customerId })
    } finally {
      await site.close()
    }
  })
})
