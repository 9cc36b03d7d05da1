import { Type } from 'typebox'
import { Institution } from './institution.ts'
import { LinkRegister, LinkUpdate, Nullable, ResumeBody, TokenRequired } from './link.ts'
import { WidgetConfig } from './token.ts'

// The connect widget's JSON API (/widget/api/*, issue 15): what the widget's pages read and send.
// Bodies and answers reuse the API's own Link, Institution and credential schemas.

const AccessMode = Type.Union([Type.Literal('single'), Type.Literal('recurrent')])
const { callback_urls, branding, theme, purpose, consent, openfinance_feature } = WidgetConfig.properties

/** GET /widget/api/session: the token's stored configuration, nothing secret. */
export const WidgetSession = Type.Object({
  mode: Type.Union([Type.Literal('create'), Type.Literal('update')], { description: 'update: the token names a link whose credentials the widget renews.' }),
  scopes: Type.Array(Type.String(), { description: 'What the token allows (read_institutions, write_links, ...).' }),
  expires_at: Type.String({ format: 'date-time', description: 'When the access token expires (10 minutes after it was issued).' }),
  organization_name: Nullable(Type.String({ description: 'The name of the organization that issued the token.' })),
  link: Nullable(
    Type.Object(
      {
        id: Type.String({ format: 'uuid' }),
        institution: Type.String(),
        status: Type.String(),
        access_mode: Nullable(AccessMode),
      },
      { description: 'Update mode: the link to update.' },
    ),
  ),
  fetch_resources: Nullable(Type.Array(Type.String())),
  stale_in: Nullable(Type.String()),
  credentials_storage: Nullable(Type.String()),
  access_mode: Nullable(AccessMode),
  external_id: Nullable(Type.String()),
  widget: Type.Object(
    {
      callback_urls: Nullable(callback_urls),
      branding: Nullable(branding),
      theme: Nullable(theme),
      purpose: Nullable(purpose),
      consent: Nullable(consent),
      openfinance_feature: Nullable(openfinance_feature),
    },
    { description: "The token's `widget` object: each part, or null when the token has none." },
  ),
})

/** GET /widget/api/institutions: the widget URL's parameters, each comma-separated. */
export const WidgetInstitutionsQuery = Type.Object(
  {
    country_codes: Type.Optional(Type.String({ description: 'Two-letter country codes, such as MX,CO.' })),
    institution_types: Type.Optional(Type.String({ description: 'bank, fiscal, employment.' })),
    institutions: Type.Optional(Type.String({ description: 'Belvo institution names.' })),
    integration_type: Type.Optional(Type.String({ description: 'credentials or openfinance.' })),
    resources: Type.Optional(Type.String({ description: 'Institutions offering all these resources.' })),
    search: Type.Optional(Type.String({ description: 'Part of the display name or the Belvo name, any case.' })),
  },
  { additionalProperties: true },
)

export const WidgetInstitutions = Type.Object({
  results: Type.Array(Institution, { description: 'Every matching institution the token allows (not paginated: the catalog is small).' }),
})

const { institution, username, password, username2, username3, password2, token, username_type, external_id } = LinkRegister.properties

/** POST /widget/api/links: the credential form, plus the widget URL's access_mode and external_id. */
export const WidgetLinkRequest = Type.Object({
  institution,
  username,
  password,
  username2,
  username3,
  password2,
  username_type,
  token,
  access_mode: Type.Optional(Nullable(AccessMode)),
  external_id,
})

export const WidgetLinkResume = ResumeBody
export const WidgetLinkUpdate = LinkUpdate

/** A successful connection: what the widget hands to its success callback. */
export const WidgetConnection = Type.Object({
  link: Type.Ref('Link'),
  institution: Type.String({ description: "The link's institution name." }),
})

/** The 428 of the widget: Belvo's, and for a QR challenge the code drawn (`qr_image`). */
export const WidgetTokenRequired = Type.Array(
  Type.Intersect([
    TokenRequired.items,
    Type.Object({
      qr_image: Type.Optional(Type.String({ description: 'For a `qr` challenge: the QR code as a data:image/svg+xml;base64 URL, ready for an <img>.' })),
    }),
  ]),
)

/** POST /widget/api/session/refresh: the refresh token of POST /api/token/ (or of the last refresh). */
export const WidgetRefreshRequest = Type.Object(
  { refresh: Type.String({ minLength: 1, description: 'The refresh token valid now: each one works once.' }) },
  { additionalProperties: false },
)
