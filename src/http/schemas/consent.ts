import { Type } from 'typebox'
import { CONSENT_DURATIONS, PERMISSION_GROUPS } from '../../domain/consents.ts'
import { belvoRef } from './belvo.ts'

/** Belvo's Consents object (spec 1.223.0): Ponte's answer is exactly it. */
export const Consent = belvoRef('ofda', 'Consents')

/** Body of POST /widget/api/consents: what the widget's consent screen settled. */
export const ConsentCreate = Type.Object({
  institution: Type.String({ minLength: 1, description: 'An open-finance institution (integration_type openfinance), e.g. ofmockbank_br_retail.' }),
  identification: Type.Optional(
    Type.Union([
      Type.Object({
        type: Type.Union([Type.Literal('CPF'), Type.Literal('CNPJ')]),
        number: Type.String({ minLength: 1 }),
        name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      }),
      Type.Null(),
    ]),
  ),
  permissions: Type.Optional(
    Type.Union([Type.Array(Type.String({ description: `One of ${Object.keys(PERMISSION_GROUPS).join(', ')}.` }), { minItems: 1 }), Type.Null()], {
      description: "Permission groups; the token's widget.consent.permissions by default.",
    }),
  ),
  duration_days: Type.Optional(
    Type.Union([Type.Integer(), Type.Null()], {
      description: `${CONSENT_DURATIONS.join(', ')} days, or null for an indefinite consent; the token's default_consent_duration_days by default.`,
    }),
  ),
  redirect_uri: Type.Optional(
    Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      description:
        "Where the bank's page sends the person back: a /widget/ page of this server (default /widget/) or a URL on the host of one of the token's callback_urls.",
    }),
  ),
})

export const ConsentCreated = Type.Object({
  consent: Consent,
  authorization_url: Type.String({ description: "The institution's authorization page (the sandbox's mock bank), to open in the browser." }),
})

export const ConsentLinkBody = Type.Object({
  access_mode: Type.Optional(Type.Union([Type.Literal('single'), Type.Literal('recurrent'), Type.Null()])),
  external_id: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
})

export const ConsentLinkCreated = Type.Object({
  link: Type.Ref('Link'),
  institution: Type.String(),
})
