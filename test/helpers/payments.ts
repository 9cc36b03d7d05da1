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
