import { Type } from 'typebox'
import { belvoRef } from './belvo.ts'

/**
 * Payment authorizations on the wire (Payments-BR.V2). Responses are Belvo's 1.223.0 schemas by
 * reference; request bodies are typed loosely, as in schemas/payments.ts: the domain
 * (domain/payments/authorizations.ts) checks each variant field by field and answers Belvo's 400
 * with the exact `field`.
 */
const AnyObject = (description: string) => Type.Object({}, { additionalProperties: true, description })

/** CreatePaymentAuthorizationImmediate or CreatePaymentAuthorizationScheduled. */
export const PaymentAuthorizationCreate = Type.Object(
  {
    payment_method: Type.String({ description: 'PIX_OF_IMMEDIATE or PIX_OF_SCHEDULED.' }),
    description: Type.String({ description: 'An internal description (up to 140 characters).' }),
    external_id: Type.Optional(Type.String({ description: 'Your own UUID for the authorization.' })),
    return_url: Type.String({ description: 'Where the payer returns after authorizing at their bank.' }),
    payer: AnyObject('customer (a V2 customer id, or {identifier, name}), institution, representative_identifier.'),
    beneficiary: AnyObject('type BANK_ACCOUNT and target (a V2 bank account id, or {holder, details}).'),
    payment_method_configuration: AnyObject('amount, statement_description and, for PIX_OF_SCHEDULED, dates (one date).'),
    metadata: Type.Optional(AnyObject('Up to 50 keys.')),
  },
  { additionalProperties: true },
)

export const ChargeRetry = Type.Object(
  { date: Type.Optional(Type.String({ description: 'The day to try again (YYYY-MM-DD), from tomorrow.' })) },
  { additionalProperties: true },
)

export const AuthorizationParams = Type.Object({ payment_authorization_id: Type.String({ description: 'The payment authorization id.' }) })
export const AuthorizationChargeParams = Type.Object({
  payment_authorization_id: Type.String({ description: 'The payment authorization id.' }),
  charge_id: Type.String({ description: 'The charge id.' }),
})

export const PaymentAuthorization = belvoRef('ofda', 'PaymentAuthorization')
export const ChargeV2 = belvoRef('ofda', 'ChargeV2')
