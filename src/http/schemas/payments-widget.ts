import { Type } from 'typebox'
import { Nullable } from './link.ts'

/**
 * The payments widget on the wire: POST /payments/br/token/ (Belvo's BiometricPaymentWidgetRequest,
 * typed loosely: the domain checks it field by field, answering Belvo's 400 with the `field`) and
 * the widget's own calls under /widget/api/payments/.
 */
const AnyObject = (description: string) => Type.Object({}, { additionalProperties: true, description })

export const PaymentsWidgetTokenRequest = Type.Object(
  {
    use_cases: Type.Unknown({ description: '`ENROLLMENT` and/or `PAYMENT_INTENT`: with both, the widget enrolls the device first, then pays.' }),
    widget: AnyObject(
      '`callback_urls` (success, exit; Ponte also takes error), `branding` (company_name, color_scheme), `enrollment` (type, details.customer: an id or {identifier, name}, details.institution, metadata), `payment_intent` (amount, description, allowed_payment_method_types, payment_method_details.open_finance_biometric_pix.beneficiary_bank_account and enrollment, metadata), `top_tier_institutions`, `theme`.',
    ),
  },
  { additionalProperties: true },
)

const EnrollmentState = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.String({ description: 'PENDING, SUCCEEDED, FAILED or CANCELED.' }),
  institution: Type.String({ format: 'uuid' }),
  status_reason_code: Nullable(Type.String()),
  status_reason_message: Nullable(Type.String()),
  redirect_url: Nullable(Type.String({ description: "The institution's enrollment page, while PENDING." })),
})

const IntentState = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.String({ description: 'REQUIRES_ACTION, PROCESSING, SUCCEEDED or FAILED.' }),
  amount: Type.String(),
  failure_code: Nullable(Type.String()),
  failure_message: Nullable(Type.String()),
  end_to_end_id: Nullable(Type.String()),
})

export const PaymentsWidgetEnrollment = EnrollmentState
export const PaymentsWidgetIntent = IntentState

export const PaymentsWidgetSession = Type.Object({
  use_cases: Type.Array(Type.String()),
  expires_at: Type.String(),
  branding: Type.Object({ company_name: Type.String(), color_scheme: Type.String() }),
  theme: Type.Array(Type.Object({ css_key: Type.String(), value: Type.String() })),
  callback_urls: Type.Record(Type.String(), Type.String()),
  top_tier_institutions: Type.Array(Type.String()),
  enrollment_institution: Nullable(Type.String()),
  enrollment: Nullable(EnrollmentState),
  payment: Nullable(
    Type.Object({
      amount: Type.String(),
      currency: Type.String(),
      description: Type.String(),
      statement_description: Nullable(Type.String()),
      beneficiary: Nullable(
        Type.Object({ name: Type.String(), document: Type.String(), institution: Nullable(Type.String()), agency: Type.String(), number: Type.String() }),
      ),
    }),
  ),
  payment_intent: Nullable(IntentState),
})

export const PaymentsWidgetInstitutions = Type.Object({
  results: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      name: Type.String(),
      display_name: Type.String(),
      primary_color: Type.String(),
      top_tier: Type.Boolean(),
    }),
  ),
})

export const PaymentsWidgetEnrollmentRequest = Type.Object(
  {
    institution: Type.Optional(Type.String({ description: "The payer's institution (unless the token names one)." })),
    callback_url: Type.String({ description: "The widget's own page, where the institution sends the person back." }),
  },
  { additionalProperties: false },
)
