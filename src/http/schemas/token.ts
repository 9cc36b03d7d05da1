import { Type } from 'typebox'
import { ACCESS_TOKEN_SECONDS, REFRESH_TOKEN_SECONDS, WIDGET_SCOPES } from '../../domain/widget-tokens.ts'
import { belvoRef } from './belvo.ts'
import { LinkRegister, Nullable } from './link.ts'

// Descriptions and constraints follow Belvo's WidgetTokenRequest* schemas (spec 1.223.0).
const Uri = (description: string) => Type.String({ format: 'uri', description })
const Text = (description: string) => Type.String({ minLength: 1, description })

const CallbackUrls = Type.Object(
  {
    success: Text('Where the user is sent after connecting their account.'),
    exit: Text('Where the user is sent when they leave before connecting.'),
    event: Text('Where the user is sent when an error happens while connecting.'),
  },
  { description: 'Hosted widget redirects (deep links or URLs).' },
)

const Branding = Type.Object(
  {
    company_icon: Uri('Your company icon.'),
    company_logo: Uri('Your company logo.'),
    company_name: Text('Shown as "[company_name] uses Belvo to connect your account".'),
    company_terms_url: Uri('Your privacy policy or terms and conditions.'),
    company_terms_version: Type.Optional(Type.String({ description: 'The version of your terms and conditions.' })),
    overlay_background_color: Type.Optional(Type.String({ description: 'Overlay color while the widget loads, such as #F0F2F4.' })),
    social_proof: Type.Optional(Type.Boolean({ description: 'Whether to show the "millions of users connected" message.' })),
    show_belvo_middle_logo: Type.Optional(Type.Boolean({ description: "Whether to show the Belvo logo between yours and the institution's." })),
  },
  { description: 'Custom branding of the widget.' },
)

const ThemeEntry = Type.Object({
  css_key: Text('A CSS variable, such as --color-primary-base.'),
  value: Text('Its value, such as #907AD6.'),
})

const IdentificationInfo = Type.Object({
  type: Type.Union([Type.Literal('CPF'), Type.Literal('CNPJ')], { description: 'The identifier type.' }),
  number: Text('The CPF or CNPJ number.'),
  name: Text('The name of the person or company.'),
})

const ConsentPermission = Type.Union(['REGISTER', 'ACCOUNTS', 'CREDIT_CARDS', 'CREDIT_OPERATIONS'].map((p) => Type.Literal(p)))

/** Brazil Open Finance (OFDA) consent shown by the widget. */
const Consent = Type.Object({
  purpose: Type.String({ minLength: 1, maxLength: 140, description: 'Why you are asking for the data, shown to the user.' }),
  terms_and_conditions_url: Uri('Your terms and conditions.'),
  permissions: Type.Array(ConsentPermission, {
    minItems: 4,
    maxItems: 4,
    uniqueItems: true,
    description: 'Must be ["REGISTER", "ACCOUNTS", "CREDIT_CARDS", "CREDIT_OPERATIONS"].',
  }),
  identification_info: Type.Array(IdentificationInfo, { minItems: 1, maxItems: 2, description: 'The CPF (and for businesses the CNPJ) of the user.' }),
  // Belvo: 92, 183, 275 or 366 preselect a duration; "any other value" means indefinite.
  default_consent_duration_days: Type.Optional(
    Type.Number({ description: 'Preselected consent duration: 92, 183, 275 or 366 days; other values mean indefinite.' }),
  ),
})

/**
 * The `widget` object: how the widget looks and behaves. Every part is optional (the Node SDK
 * sends only what its caller gives), but a part that is sent must be complete. Keys Ponte does not
 * know yet are kept, for the hosted widget to read.
 */
export const WidgetConfig = Type.Object(
  {
    openfinance_feature: Type.Optional(Type.Literal('consent_link_creation', { description: 'Brazil OFDA flow: must be consent_link_creation.' })),
    callback_urls: Type.Optional(CallbackUrls),
    branding: Type.Optional(Branding),
    theme: Type.Optional(Type.Array(ThemeEntry, { description: 'Brand colors, as CSS variables.' })),
    consent: Type.Optional(Consent),
    purpose: Type.Optional(Type.String({ minLength: 1, maxLength: 140, description: 'Older OFDA form of consent.purpose.' })),
    // Belvo takes these two from the widget's URL only, where the end user can change them.
    access_mode: Type.Optional(
      Type.Union([Type.Literal('single'), Type.Literal('recurrent')], {
        description: "Ponte extension: the access mode of the link the widget creates, over the widget URL's access_mode.",
      }),
    ),
    external_id: Type.Optional(
      Type.String({
        minLength: 3,
        maxLength: 256,
        description: "Ponte extension: the external_id of the link the widget creates, over the widget URL's external_id.",
      }),
    ),
  },
  { description: 'Configuration of the hosted widget (branding, callback URLs, theme, OFDA consent).' },
)

// The link fields are validated exactly as POST /api/links/ validates them.
const { fetch_resources: FetchResources, stale_in: StaleIn, credentials_storage: CredentialsStorage } = LinkRegister.properties

/**
 * Body of POST /api/token/ (Belvo's WidgetTokenRequest*). Belvo's spec marks more fields required,
 * but the official SDKs send fewer: `links.token()` sends only `link_id` and `scopes`, relying on
 * Basic auth, and `widgetToken.create()` no `fetch_resources` or `stale_in`.
 */
export const WidgetTokenRequest = Type.Object({
  id: Type.Optional(Type.String({ description: 'Your secret key id. Optional (Basic auth already says it); when sent, it must be the authenticated key.' })),
  password: Type.Optional(Type.String({ description: 'Your secret key password, sent again as Belvo asks. When sent, it must match the authenticated key.' })),
  scopes: Type.Optional(
    Type.String({
      minLength: 1,
      description: `Comma-separated permissions of the widget, among ${WIDGET_SCOPES.join(', ')}. Default: read_institutions,write_links.`,
      examples: ['read_institutions,write_links'],
    }),
  ),
  link_id: Type.Optional(Nullable(Type.String({ minLength: 1, description: 'An existing link the widget should update (new credentials or MFA token).' }))),
  fetch_resources: FetchResources,
  stale_in: StaleIn,
  credentials_storage: CredentialsStorage,
  widget: Type.Optional(WidgetConfig),
})

/** Body of the deprecated POST /api/links/{id}/token/. */
export const LinkTokenRequest = Type.Object({
  scopes: WidgetTokenRequest.properties.scopes,
})

/** Belvo's own WidgetToken schema: Ponte's answer is exactly it (both tokens are always there). */
export const WidgetToken = Type.Intersect([belvoRef('ofda', 'WidgetToken')], {
  description: `The widget's tokens, both JWTs: \`access\` authenticates the widget for ${ACCESS_TOKEN_SECONDS / 60} minutes, \`refresh\` gets a new access token for ${REFRESH_TOKEN_SECONDS / 60} minutes.`,
})
