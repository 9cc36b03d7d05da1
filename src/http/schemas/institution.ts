import { Type, type Static } from 'typebox'

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])

const FormFieldValue = Type.Object({
  code: Type.String({ description: 'The code of the document.' }),
  label: Type.String({ description: 'The label for the field.' }),
  validation: Type.String({ description: 'The type of input validation used for the field.' }),
  validation_message: Type.String({ description: 'The message displayed when an invalid input is provided.' }),
  placeholder: Type.String({ description: 'The placeholder text in the form field.' }),
})

const FormField = Type.Object({
  name: Type.String({ description: 'The username, password, or username type field.' }),
  type: Type.String({ description: 'The input type for the form field.' }),
  label: Type.String({ description: 'The label of the form field.' }),
  validation: Type.String({ description: 'The regular expression a value must match.' }),
  placeholder: Type.String(),
  validation_message: Type.String(),
  values: Type.Optional(Type.Array(FormFieldValue)),
  length: Type.Optional(Type.String()),
  optional: Type.Optional(Type.Boolean()),
  value: Type.Optional(Type.String()),
  pre_selected: Type.Optional(Type.Integer()),
})

/**
 * Belvo's InstitutionPublicApi (1.223.0), written out rather than referred to: Ponte's answers carry
 * every field of Belvo's, plus those Belvo's own answers have and its schema lacks (`country_code`,
 * and `length`, `optional`, `value`, `pre_selected` on form fields), and every field is always there.
 * test/http/openapi.test.ts checks no field of Belvo's is missing.
 */
export const Institution = Type.Object(
  {
    id: Type.Integer({ description: 'The ID of the institution as designated by Belvo.', examples: [1004] }),
    name: Type.String({ description: 'The name of the institution, as designated by Belvo.', examples: ['erebor_mx_retail'] }),
    type: Type.Union([Type.Literal('bank'), Type.Literal('fiscal'), Type.Literal('employment')], { description: 'The type of institution.' }),
    website: Nullable(Type.String({ description: "The URL of the institution's website." })),
    display_name: Type.String({ description: 'The customer-facing name of the institution.' }),
    country_code: Type.String({ description: 'The country of the institution (two letters).' }),
    country_codes: Type.Array(Type.String(), { description: 'The country codes where the institution is available.' }),
    primary_color: Type.String({ description: "The primary color on the institution's website." }),
    logo: Nullable(Type.String()),
    icon_logo: Nullable(Type.String()),
    text_logo: Nullable(Type.String()),
    code: Nullable(Type.String({ description: 'Deprecated: use `id`.' })),
    form_fields: Type.Array(FormField),
    features: Type.Array(Type.Object({ name: Type.String(), description: Type.String() }), { description: 'Special features, such as token_required.' }),
    resources: Type.Array(Type.String(), { description: 'The Belvo resources available for the institution.' }),
    integration_type: Type.Union([Type.Literal('credentials'), Type.Literal('openfinance')]),
    status: Type.Union([Type.Literal('healthy'), Type.Literal('down')]),
    openbanking_information: Type.Union([
      Type.Object({
        description: Nullable(Type.String()),
        participants: Type.Union([Type.Array(Type.String()), Type.Null()]),
        authorization_server_id: Nullable(Type.String()),
      }),
      Type.Null(),
    ]),
  },
  { $id: 'Institution' },
)

export type Institution = Static<typeof Institution>
