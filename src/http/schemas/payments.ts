import { Type, type TSchema } from 'typebox'
import { belvoRef } from './belvo.ts'
import { Nullable } from './link.ts'

/**
 * Payments Brazil on the wire. Responses are Belvo's own 1.223.0 schemas (by reference). Request
 * bodies are typed here loosely on purpose: Belvo's bodies are unions of variants (five for a
 * payment intent) told apart by what they carry, and the domain (src/domain/payments) checks
 * each variant field by field, answering Belvo's 400 with the exact `field`, which a JSON Schema
 * union cannot name.
 */
const opt = <T extends TSchema>(schema: T) => Type.Optional(Nullable(schema))
const AnyObject = (description: string) => Type.Object({}, { additionalProperties: true, description })

export const IdempotencyHeaders = Type.Object(
  {
    'belvo-idempotency-key': Type.Optional(
      Type.String({
        description:
          'A UUID. Replaying the request with the same key and body answers the first response again (Belvo-Idempotency-Status: REPLAYED); the same key while the first runs is a 409, with another body a 422.',
      }),
    ),
    'x-belvo-api-resource-version': Type.Optional(Type.String({ description: '`Payments-BR.V2` selects the V2 shapes.' })),
  },
  { additionalProperties: true },
)

export const VersionHeaders = Type.Object(
  { 'x-belvo-api-resource-version': Type.Optional(Type.String({ description: '`Payments-BR.V2` selects the V2 shapes.' })) },
  { additionalProperties: true },
)

/** CreateCustomerOfpi (V1) or CreateCustomerV2. */
export const CustomerCreate = Type.Object(
  {
    identifier: Type.String({ description: "The customer's CPF (11 digits) or CNPJ (14 digits)." }),
    name: opt(Type.String({ description: 'Full or business name (required in V2).' })),
    external_id: opt(Type.String({ description: 'Your own UUID for the customer.' })),
    email: opt(Type.String()),
    phone: opt(Type.String()),
    address: opt(Type.String()),
  },
  { additionalProperties: true },
)

/** CreateBankAccountOfpiIndividual / CreateBankAccountOfpiBusiness (V1) or CreateBankAccountV2. */
export const BankAccountCreate = Type.Object(
  {
    institution: Type.Optional(Type.String({ description: 'V1: the payment institution id.' })),
    holder: AnyObject('V1: {type, information}; V2: {name, identifier}.'),
    details: AnyObject('{account_type, agency, number} (and, in V2, institution).'),
    external_id: opt(Type.String()),
    metadata: Type.Optional(AnyObject('Up to 50 keys.')),
  },
  { additionalProperties: true },
)

/** One of Belvo's five CreatePaymentIntent* bodies. */
export const PaymentIntentCreate = Type.Object(
  {
    amount: Type.String({ description: 'Up to two decimals, such as "1234.12".' }),
    customer: Type.Unknown({ description: 'A customer id, or a CreateCustomerOfpi object for a new customer.' }),
    description: Type.String(),
    statement_description: opt(Type.String()),
    allowed_payment_method_types: Type.Array(Type.String(), { description: 'open_finance (or open_finance_biometric_pix).' }),
    // open_finance, or (a biometric Pix payment) open_finance_biometric_pix: the domain requires one.
    payment_method_details: Type.Object({
      open_finance: Type.Optional(AnyObject('Beneficiary (bank account id or object, or pix_key), payer_institution, callback_url, schedule, cpf.')),
      open_finance_biometric_pix: Type.Optional(AnyObject('Biometric Pix: beneficiary_bank_account and enrollment (a SUCCEEDED enrollment of the customer).')),
    }),
    // Required except for a biometric Pix payment (confirmed by default); the domain checks it.
    confirm: Type.Optional(Type.Boolean()),
    external_id: opt(Type.String()),
    metadata: Type.Optional(AnyObject('Up to 50 keys.')),
    provider: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
)

/** PatchPaymentIntentPixKeys or PatchPaymentIntentOfpi. */
export const PaymentIntentPatch = Type.Object(
  {
    confirm: Type.Optional(Type.Boolean()),
    payment_method_details: Type.Optional(Type.Object({ open_finance: AnyObject('payer_institution and/or beneficiary_bank_account.') })),
  },
  { additionalProperties: true },
)

export const IntentChargeParams = Type.Object({
  id: Type.String({ description: 'The payment intent id.' }),
  charge_id: Type.String({ description: 'The charge id.' }),
})
export const ChargeParams = Type.Object({ charge_id: Type.String({ description: 'The charge id.' }) })

const ofda = (name: string) => belvoRef('ofda', name)
export const PaymentInstitution = ofda('paymentInstitutionBR')
export const Customer = Type.Union([ofda('CustomerOfpi'), ofda('CustomerV2')])
export const BankAccount = Type.Union([ofda('BankAccountOfpiResponse'), ofda('BankAccountV2')])
export const PaymentIntent = Type.Union([ofda('PaymentIntentOfpi'), ofda('PaymentIntentPixKeys')])
export const Charge = Type.Union([ofda('ChargeBrazil'), ofda('ChargeBrazilPix')])
export const ChargeAnyVersion = Type.Union([ofda('ChargeBrazil'), ofda('ChargeBrazilPix'), ofda('ChargeV2')])
export const PaymentTransaction = ofda('paymentTransaction')

/** CreateEnrollmentBiometricPix. */
export const EnrollmentCreate = Type.Object(
  {
    type: Type.String({ description: 'open_finance_biometric_pix' }),
    details: AnyObject('customer, institution, platform, risk_signals, and optionally name and callback_url.'),
    external_id: opt(Type.String()),
    metadata: Type.Optional(AnyObject('Up to 50 keys.')),
  },
  { additionalProperties: true },
)

/** complete-redirection: {state, code, id_token} or {state, error, error_description}. */
export const EnrollmentRedirection = Type.Object(
  {
    state: Type.String(),
    code: Type.Optional(Type.String()),
    id_token: Type.Optional(Type.String()),
    error: Type.Optional(Type.String()),
    error_description: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
)

export const EnrollmentParams = Type.Object({ enrollment_id: Type.String({ description: 'The enrollment id.' }) })
export const Enrollment = ofda('EnrollmentBiometricPix')
