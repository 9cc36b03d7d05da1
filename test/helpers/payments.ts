import { generateCnpj } from '@brazilian-utils/brazilian-utils'

/** The sandbox catalog's retail bank (migration 0014). */
export const RETAIL = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001'

/** A biometric Pix enrollment of `customer` at the retail bank. */
export const enrollmentBody = (customer: string, extra: Record<string, unknown> = {}) => ({
  type: 'open_finance_biometric_pix',
  details: {
    customer,
    institution: RETAIL,
    platform: 'ANDROID',
    risk_signals: { device_id: 'abc' },
    callback_url: 'https://merchant.example/done',
  },
  ...extra,
})

/** A V1 receiving bank account at the retail bank, held by a business with a fresh CNPJ and a random number. */
export const receivingAccountBody = (holderName: string) => ({
  institution: RETAIL,
  holder: { type: 'BUSINESS', information: { name: holderName, identifier_type: 'CNPJ', identifier: generateCnpj() } },
  details: { account_type: 'CHECKINGS', agency: '0001', number: String(100000 + Math.floor(Math.random() * 899999)) },
})

/** A confirmed open finance payment intent of `customer` to the bank account `account`, paid at the retail bank. */
export const accountIntentBody = (customer: string, account: string, amount: string, description: string, openFinance: Record<string, unknown> = {}) => ({
  amount,
  customer,
  description,
  allowed_payment_method_types: ['open_finance'],
  payment_method_details: {
    open_finance: { beneficiary_bank_account: account, payer_institution: RETAIL, callback_url: 'https://merchant.example/cb', ...openFinance },
  },
  confirm: true,
})
