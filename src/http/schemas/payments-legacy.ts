import { Type } from 'typebox'
import { belvoRef } from './belvo.ts'

/**
 * Belvo's earlier payments API on the wire (`/payments/...`, 1.35.0). Responses are Belvo's own
 * 1.35.0 schemas by reference; request bodies are loose objects, as in schemas/payments.ts: the
 * domain (src/domain/payments/legacy) checks each variant field by field and names the field in
 * Belvo's 400.
 */
const legacy = (name: string) => belvoRef('legacy', name)
const AnyBody = (description: string) => Type.Object({}, { additionalProperties: true, description })

export const LegacyInstitution = legacy('paymentInstitution')
export const LegacyCustomer = Type.Union([legacy('CustomerOfpi'), legacy('CustomerPse')])
export const LegacyBankAccount = Type.Union([legacy('BankAccountOfpiResponse'), legacy('BankAccountPseResponse')])
export const PseIntent = legacy('PaymentIntentPse')
export const LegacyTransaction = legacy('paymentTransaction')
export const LegacyPaymentLink = Type.Union([legacy('PaymentLinkOfpi'), legacy('PaymentLinkPse')])
export const LegacyPaymentLinkItem = Type.Union([legacy('PaymentLinkListOfpi'), legacy('PaymentLinkListPse')])
export const SecretKey = legacy('SecretKeys')
export const SecretKeyCreated = Type.Array(legacy('Payments_RequestApiKeysResponse'))

export const LegacyCustomerCreate = AnyBody('CreateCustomerOfpi (country BRA: CPF or CNPJ) or CreateCustomerPse (country COL: CC, CE, NIT, PP or TI).')
export const LegacyBankAccountCreate = AnyBody('CreateBankAccountOfpi {institution, holder, details} or CreateBankAccountPse {holder, providers, metadata}.')
export const PseIntentCreate = AnyBody('CreatePaymentIntentPse.')
export const PseIntentPatch = AnyBody('PatchPaymentIntentPse {payment_method_details: {pse: {...}}, confirm}.')
export const LegacyPaymentLinkCreate = AnyBody('CreatePaymentLinkOfpi or CreatePaymentLinkPse.')
export const SecretKeyLogin = AnyBody('The dashboard login: {email, password} (Ponte: an organization key id and its secret).')

export const AccessTokenParams = Type.Object({ access_token: Type.String({ description: "The payment link's access token." }) })
