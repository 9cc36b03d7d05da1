import type { BankAccountRow, ChargeRow, CustomerRow, PaymentInstitutionRow, PaymentIntentRow, PaymentTransactionRow } from '../../store/payments.ts'
import { maskDocument } from './documents.ts'
import { formatAmount } from './money.ts'
import { statusReasonV2 } from './status-reasons.ts'

/**
 * Rows as Belvo's wire objects (1.223.0): paymentInstitutionBR, CustomerOfpi / CustomerV2,
 * BankAccountOfpiResponse / BankAccountV2, PaymentIntentOfpi / PaymentIntentPixKeys,
 * ChargeBrazil / ChargeBrazilPix / ChargeV2, paymentTransaction. Keys Belvo types as a UUID but
 * does not require are left out when there is no value, rather than sent as null.
 */

/** `X-Belvo-API-Resource-Version: Payments-BR.V2` selects the V2 shapes; anything else V1. */
export type ResourceVersion = 'V1' | 'V2'

export function resourceVersion(header: unknown): ResourceVersion {
  return String(header ?? '').trim() === 'Payments-BR.V2' ? 'V2' : 'V1'
}

const ASSETS = 'https://assets.ponte.dev/payments/institutions'

export function paymentInstitutionWire(row: PaymentInstitutionRow) {
  const body = row.body as { legal_entity_name?: string; website?: string; primary_color?: string; description?: string }
  return {
    id: row.id,
    code: row.code,
    active: row.active,
    institution_type: row.institution_type,
    name: row.name,
    display_name: row.display_name,
    legal_entity_name: body.legal_entity_name ?? null,
    website: body.website ?? '',
    logo: `${ASSETS}/${row.name}/logo.svg`,
    icon_logo: `${ASSETS}/${row.name}/icon.svg`,
    text_logo: `${ASSETS}/${row.name}/text.svg`,
    primary_color: body.primary_color ?? '#000000',
    country: 'BRA',
    form_fields: [],
    sort_priority: row.sort_priority,
    description: body.description ?? null,
  }
}

const externalId = (value: string | null) => (value === null ? {} : { external_id: value })

export function customerWire(row: CustomerRow, version: ResourceVersion) {
  if (version === 'V2') {
    return {
      id: row.id,
      created_at: row.created_at,
      updated_at: row.updated_at,
      name: row.name ?? '',
      identifier: row.identifier,
      ...externalId(row.external_id),
    }
  }
  return {
    id: row.id,
    created_at: row.created_at,
    created_by: row.created_by,
    customer_type: row.customer_type,
    name: row.name,
    ...externalId(row.external_id),
    country: 'BRA',
    email: row.email,
    identifier: row.identifier,
    identifier_type: row.identifier_type,
    address: row.address,
    phone: row.phone,
  }
}

export function bankAccountWire(row: BankAccountRow, version: ResourceVersion) {
  if (version === 'V2') {
    return {
      id: row.id,
      created_at: row.created_at,
      updated_at: row.updated_at,
      active: row.active,
      holder: { name: row.holder_name, identifier: row.holder_identifier },
      details: { institution: row.institution_id, account_type: row.account_type, agency: row.agency, number: row.number },
      external_id: row.external_id,
      metadata: row.metadata,
    }
  }
  return {
    id: row.id,
    created_at: row.created_at,
    created_by: row.created_by,
    customer: row.customer_id,
    ...externalId(row.external_id),
    institution: row.institution_id,
    details: { account_type: row.account_type, agency: row.agency, number: row.number },
    holder: row.holder,
  }
}

export function paymentTransactionWire(row: PaymentTransactionRow) {
  return {
    id: row.id,
    created_at: row.created_at,
    created_by: row.created_by,
    amount: formatAmount(row.amount),
    currency: row.currency,
    description: row.description,
    transaction_type: row.transaction_type,
    beneficiary: row.beneficiary_bank_account_id,
    // Belvo: "For OFPI, this will return an empty object".
    payer: {},
    // A payment authorization's transaction has no intent (the key is optional in paymentTransaction).
    ...(row.payment_intent_id ? { payment_intent: row.payment_intent_id } : {}),
    customer: row.customer_id,
    charge: row.charge_id,
  }
}

/** payment_method_details.open_finance_biometric_pix of a biometric Pix intent (biometric.ts): its account and enrollment. */
function biometricDetailsWire(intent: PaymentIntentRow) {
  const enrollment = (intent.details as { enrollment?: unknown }).enrollment
  if (intent.selected_payment_method_type !== 'open_finance_biometric_pix' || typeof enrollment !== 'string') return {}
  return { open_finance_biometric_pix: { beneficiary_bank_account: intent.beneficiary_bank_account_id, enrollment } }
}

/** payment_method_details.open_finance as the client sent it, the CPF masked as Belvo does. */
function detailsWire(intent: PaymentIntentRow) {
  const details = { ...(intent.details as Record<string, unknown>) }
  if (typeof details.cpf === 'string') details.cpf = maskDocument(details.cpf)
  return details
}

function pixKeyDetails(intent: PaymentIntentRow) {
  const details = intent.details as { pix_key_holder_name?: string; pix_key_holder_identifier?: string }
  return { identifier: maskDocument(details.pix_key_holder_identifier ?? ''), name: details.pix_key_holder_name ?? '' }
}

/** Where the payer goes to authorize: the sandbox bank's page (or, in API-only tests, the authorize call). */
function redirectUrl(intent: PaymentIntentRow): string | null {
  return intent.confirmed ? `https://sandbox.ponte.dev/payments/authorize/${intent.id}` : null
}

export function chargeWire(row: ChargeRow, intent: PaymentIntentRow, transactions: PaymentTransactionRow[]) {
  const information = {
    provider_request_id: row.id.replaceAll('-', ''),
    redirect_url: redirectUrl(intent),
    end_to_end_id: row.end_to_end_id,
    ...(row.settlement_date ? { settlement_date: row.settlement_date } : {}),
  }
  const common = {
    id: row.id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    created_by: intent.created_by,
    customer: row.customer_id,
    payment_intent: row.payment_intent_id,
    status: row.status,
    amount: formatAmount(row.amount),
    currency: 'BRL',
    description: intent.description,
    statement_description: intent.statement_description ?? intent.description,
    provider: 'belvo',
    payment_method_type: 'open_finance',
    failure_code: row.failure_code,
    failure_message: row.failure_message,
    metadata: intent.metadata,
  }
  if (intent.kind === 'pix_key') {
    return {
      ...common,
      beneficiary: null,
      payment_method_details: { open_finance: { payer_institution: row.payer_institution_id, pix_key: intent.pix_key } },
      payment_method_information: { open_finance: { ...information, pix_key_details: pixKeyDetails(intent) } },
      // Belvo: "For Pix Key payments, this will be an empty array".
      transactions: [],
    }
  }
  return {
    ...common,
    beneficiary: row.beneficiary_bank_account_id,
    payment_method_details: {
      open_finance: { payer_institution: row.payer_institution_id, beneficiary_bank_account: row.beneficiary_bank_account_id },
    },
    payment_method_information: { open_finance: information },
    transactions: transactions.filter((t) => t.charge_id === row.id).map(paymentTransactionWire),
  }
}

/** ChargeV2.beneficiary: the receiving account with its bank's ISPB (also a payment authorization's charges). */
export function beneficiaryV2(beneficiary: BankAccountRow, institutionCode: string | undefined) {
  return {
    bank_account: {
      id: beneficiary.id,
      holder: { name: beneficiary.holder_name, identifier: beneficiary.holder_identifier },
      details: {
        institution: beneficiary.institution_id,
        agency: beneficiary.agency,
        number: beneficiary.number,
        account_type: beneficiary.account_type,
        ...(institutionCode ? { code: institutionCode } : {}),
      },
    },
  }
}

/** Charge (V2): the payments V2 shape of the same charge (detail with X-Belvo-API-Resource-Version). */
export function chargeV2Wire(row: ChargeRow, intent: PaymentIntentRow, beneficiary: BankAccountRow | undefined, institutionCode: string | undefined) {
  return {
    id: row.id,
    created_at: row.created_at,
    status_updated_at: row.updated_at,
    status: row.status === 'SUCCEEDED' ? 'SETTLED' : row.status,
    status_reason_code: statusReasonV2(row.failure_code),
    status_reason_message: row.failure_message,
    amount: formatAmount(row.amount),
    date: row.settlement_date ?? row.created_at.slice(0, 10),
    end_to_end_id: row.end_to_end_id,
    statement_description: intent.statement_description ?? intent.description,
    ...externalId(intent.external_id),
    beneficiary: beneficiary ? beneficiaryV2(beneficiary, institutionCode) : {},
    payer: {},
    metadata: intent.metadata,
    next: null,
    previous: null,
  }
}

export function paymentIntentWire(row: PaymentIntentRow, charges: ChargeRow[], transactions: PaymentTransactionRow[]) {
  const lastCharge = charges[charges.length - 1]
  const information = {
    provider_request_id: lastCharge ? lastCharge.id.replaceAll('-', '') : null,
    redirect_url: redirectUrl(row),
    end_to_end_id: row.end_to_end_id,
    ...(row.schedule_date ? { settlement_date: row.schedule_date } : {}),
  }
  return {
    id: row.id,
    customer: row.customer_id,
    ...externalId(row.external_id),
    created_at: row.created_at,
    created_by: row.created_by,
    updated_at: row.updated_at,
    status: row.status,
    amount: formatAmount(row.amount),
    currency: row.currency,
    description: row.description,
    statement_description: row.statement_description ?? row.description,
    selected_payment_method_type: row.selected_payment_method_type,
    allowed_payment_method_types: row.allowed_payment_method_types,
    payment_method_details: { open_finance: detailsWire(row), ...biometricDetailsWire(row) },
    payment_method_information:
      row.kind === 'pix_key'
        ? { open_finance: row.confirmed ? { ...information, pix_key_details: pixKeyDetails(row) } : { pix_key_details: pixKeyDetails(row) } }
        : { open_finance: information },
    failure_code: row.failure_code,
    failure_message: row.failure_message,
    metadata: row.metadata,
    charges: charges.map((c) => chargeWire(c, row, transactions)),
    provider: 'belvo',
    last_error: null,
    next_step: null,
  }
}
