import { generateCnpj, generateCpf } from '@brazilian-utils/brazilian-utils'
import { describe, expect, test } from 'vitest'
import { nitCheckDigit } from '../../src/domain/payments/legacy/colombia.ts'
import { browserAvailable, checkA11y, useWidgetEnv } from '../helpers/browser.ts'

type Json = Record<string, any>

// Belvo's earlier payments API (issue 17): a payment link paid in a real browser, on Ponte's
// payment page and the sandbox PSE bank (Spanish), and an OFPI link on its Portuguese page.
describe.skipIf(!browserAvailable())('payment links in the browser', () => {
  const env = useWidgetEnv()
  const CO_BANK = 'Banco Ponte Colombia'

  async function post(path: string, body: Json): Promise<Json> {
    const res = await env.harness.call('POST', path, body)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body
  }

  test('a PSE link: choose the bank, pay at the bank, back to the link, the money is a COP transaction', async () => {
    const nit = '900123456'
    const customer = await post('/payments/customers/', {
      customer_type: 'BUSINESS',
      name: 'Ferretería La Esquina SAS',
      country: 'COL',
      email: 'compras@esquina.example.co',
      identifier_type: 'NIT',
      identifier: `${nit}-${nitCheckDigit(nit)}`,
    })
    const account = await post('/payments/bank-accounts/', {
      holder: { type: 'BUSINESS', information: { name: 'Tienda Ejemplo SAS' } },
      providers: { payments_way: { terminal_id: 11, form_id: 22 } },
    })
    const link = await post('/payments/payment-links/', {
      amount: '125000',
      customer: customer.id,
      description: 'Pedido 1001',
      provider: 'payments_way',
      payment_method_details: { pse: { beneficiary_bank_account: account.id, belvo_flow: true } },
      callback_urls: { success: `${env.base}/health`, cancel: `${env.base}/health` },
    })
    const page = await env.newPage({ locale: 'es-CO' })
    await page.goto(env.base + new URL(link.payment_url).pathname)
    expect(await page.getAttribute('html', 'lang')).toBe('es-CO')
    await expect(page.getByText('$ 125.000 COP').count()).resolves.toBe(1)
    await checkA11y(page, 'payment link page')
    await page.getByLabel(CO_BANK).check()
    await page.getByRole('button', { name: 'Continuar al banco' }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/payments/sandbox/pse/'))
    await checkA11y(page, 'PSE bank page')
    await page.getByRole('button', { name: 'Pagar' }).click()
    await page.waitForURL((url) => url.pathname === new URL(link.payment_url).pathname)
    await expect(page.getByRole('status').getAttribute('data-status')).resolves.toBe('SUCCEEDED')
    await checkA11y(page, 'payment result')

    const detail = (await env.harness.call('GET', `/payments/payment-links/${link.access_token}/`)).body
    expect(detail).toMatchObject({ status: 'INACTIVE', payment_intent: { status: 'SUCCEEDED' } })
    const transactions = (await env.harness.call('GET', `/payments/transactions/?beneficiary=${account.id}`)).body
    expect(transactions.results.map((t: Json) => [t.amount, t.currency, t.payment_intent])).toEqual([['125000', 'COP', link.payment_intent.id]])
  })

  test('an OFPI link on its Portuguese page, paid through Brazil’s sandbox network', async () => {
    const customer = await post('/payments/customers/', {
      customer_type: 'INDIVIDUAL',
      name: 'Ana Beatriz Souza',
      country: 'BRA',
      email: 'ana@example.com',
      identifier_type: 'CPF',
      identifier: generateCpf(),
    })
    const account = await post('/payments/bank-accounts/', {
      institution: '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001',
      holder: { type: 'BUSINESS', information: { name: 'Loja Exemplo Ltda', identifier_type: 'CNPJ', identifier: generateCnpj() } },
      details: { country: 'BRA', account_type: 'CHECKINGS', agency: '0001', number: '765432' },
    })
    const link = await post('/payments/payment-links/', {
      amount: '150.00',
      customer: customer.id,
      description: 'Pedido 2002',
      allowed_payment_method_types: ['open_finance'],
      provider: 'belvo',
      payment_method_details: { open_finance: { beneficiary_bank_account: account.id } },
    })
    const page = await env.newPage({ locale: 'pt-BR' })
    await page.goto(env.base + new URL(link.payment_url).pathname)
    expect(await page.getAttribute('html', 'lang')).toBe('pt-BR')
    await page.getByLabel('Ponte Mock Bank', { exact: true }).check()
    await page.getByRole('button', { name: 'Pagar' }).click()
    // 150.00 BRL: refused by the payer's bank for insufficient funds (README's table).
    await expect(page.getByRole('status').getAttribute('data-status')).resolves.toBe('FAILED')
    await checkA11y(page, 'OFPI payment result')
    const detail = (await env.harness.call('GET', `/payments/payment-links/${link.access_token}/`)).body
    expect(detail).toMatchObject({ status: 'INACTIVE', payment_intent: { status: 'FAILED', failure_code: 'insufficient_funds' } })
  })
})
