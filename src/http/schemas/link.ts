import { Type, type TSchema } from 'typebox'

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const opt = <T extends TSchema>(schema: T) => Type.Optional(Nullable(schema))

const AccessMode = Type.Union([Type.Literal('single'), Type.Literal('recurrent')], {
  description: 'single: one-off data; recurrent: Belvo refreshes the data periodically.',
})
// The spec's pattern; the 1d-365d range is checked by the domain (400 invalid_credentials_storage).
const CredentialsStorage = Type.String({
  pattern: '^(store|nostore|\\d{1,3}d)$',
  description: 'How long the credentials are kept: store, nostore or a number of days between 1d and 365d.',
})
const StaleIn = Type.String({ pattern: '^\\d{1,3}d$', description: 'How long the link data is kept after its last update, such as 365d.' })
const FetchResources = Type.Array(Type.String({ minLength: 1 }), { description: 'The resources fetched in the background after the link is created.' })

/** Body of POST /api/links/ (Belvo's LinksRequest). */
export const LinkRegister = Type.Object({
  institution: Type.String({ minLength: 1, description: 'The Belvo name of the institution, such as erebor_mx_retail.' }),
  username: Type.String({ minLength: 1, description: "The end user's username at the institution." }),
  password: opt(Type.String({ minLength: 1, description: "The end user's password." })),
  username2: opt(Type.String({ minLength: 1 })),
  username3: opt(Type.String({ minLength: 1 })),
  password2: opt(Type.String({ minLength: 1 })),
  token: opt(Type.String({ minLength: 1, description: 'The MFA token, when sent up front.' })),
  username_type: opt(Type.String({ minLength: 1, description: 'The document type code, for institutions that ask for it.' })),
  external_id: opt(Type.String({ minLength: 3, maxLength: 256, description: 'Your own identifier for the link (no personal data).' })),
  // Not nullable in Belvo's spec: null is DRF's 400 `null`, not the default.
  access_mode: Type.Optional(AccessMode),
  fetch_historical: opt(Type.Boolean()),
  fetch_resources: opt(FetchResources),
  credentials_storage: Type.Optional(CredentialsStorage),
  stale_in: Type.Optional(StaleIn),
  certificate: opt(Type.String()),
  private_key: opt(Type.String()),
})

/** PATCH on a collection: resume a request that answered 428 (Belvo's PatchBody). */
export const ResumeBody = Type.Object({
  session: Type.String({ minLength: 1, description: 'The session id from the 428 token_required answer.' }),
  token: opt(Type.String({ description: 'The MFA token.' })),
  link: Type.String({ minLength: 1, description: 'The link id.' }),
  save_data: opt(Type.Boolean({ default: true })),
})

/** Body of PUT /api/links/{id}/: new credentials (LinksPutRequest: `password` required). */
export const LinkUpdate = Type.Object({
  password: Type.String({ minLength: 1, description: "The end user's new password." }),
  password2: opt(Type.String({ minLength: 1 })),
  token: opt(Type.String({ minLength: 1 })),
  username_type: opt(Type.String({ minLength: 1 })),
  save_data: opt(Type.Boolean()),
})

/** Body of PATCH /api/links/{id}/. */
export const LinkPatch = Type.Object({
  access_mode: Type.Optional(AccessMode),
  stale_in: Type.Optional(StaleIn),
  fetch_resources: opt(FetchResources),
})

const Timestamp = (description: string) => Nullable(Type.String({ format: 'date-time', description }))

/**
 * Belvo's Link (1.223.0), written out rather than referred to: Ponte's answers carry every field of
 * Belvo's, but `external_id`, `institution_user_id`, `created_by` and `stale_in` can be null where
 * Belvo's schema does not allow it (a link without an external id, one whose login failed...), and
 * `background_work` is Ponte's addition. test/http/openapi.test.ts checks no field of Belvo's is missing.
 */
export const Link = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Unique identifier of the link.' }),
    institution: Type.String({ description: 'The institution name.' }),
    access_mode: Nullable(AccessMode),
    last_accessed_at: Timestamp('When the institution was last accessed successfully.'),
    created_at: Type.String({ format: 'date-time' }),
    external_id: Nullable(Type.String()),
    institution_user_id: Nullable(Type.String({ description: 'Stable id of the end user at the institution (44 characters).' })),
    status: Type.Union(['valid', 'invalid', 'unconfirmed', 'token_required'].map((s) => Type.Literal(s))),
    created_by: Nullable(Type.String({ format: 'uuid' })),
    refresh_rate: Nullable(Type.String({ description: 'How often a recurrent link is refreshed (7d by default).' })),
    credentials_storage: Type.String(),
    fetch_resources: Type.Array(Type.String()),
    stale_in: Nullable(Type.String()),
    background_work: Nullable(
      Type.Object(
        {
          state: Type.Union(
            ['queued', 'running', 'stalled', 'retrying'].map((s) => Type.Literal(s)),
            {
              description:
                'queued: waiting for a worker; running: a worker is on it; stalled: its worker stopped answering (it is handed to another within seconds); retrying: an attempt failed, the next one is at retry_at.',
            },
          ),
          pending_jobs: Type.Integer({
            minimum: 1,
            description: "The link's jobs not finished yet (historical and recurrent updates, async requests and deletions), run one at a time in order.",
          }),
          queued_at: Type.String({ format: 'date-time', description: 'When the oldest of them was enqueued.' }),
          started_at: Timestamp('When the running (or stalled) attempt started.'),
          heartbeat_at: Timestamp('The last sign of life of the worker running it.'),
          retry_at: Timestamp('When a retrying job is attempted next.'),
        },
        {
          description: "Ponte addition (not in Belvo's API): the link's background work, so a fetch in progress or stuck is visible; null when there is none.",
        },
      ),
    ),
  },
  { $id: 'Link', description: "Belvo's Link (see its `Link` schema in Belvo's spec 1.223.0), plus Ponte's `background_work`." },
)

/** The 428 answer: Belvo's TokenRequiredResponse. */
export const TokenRequired = Type.Array(
  Type.Object({
    request_id: Type.String(),
    code: Type.Literal('token_required'),
    message: Type.String(),
    session: Type.String({ pattern: '^[a-f0-9]{32}$' }),
    expiry: Type.Integer({ description: 'Seconds the session can be resumed for.' }),
    link: Type.String({ format: 'uuid' }),
    token_generation_data: Type.Object({
      instructions: Type.String(),
      type: Type.String(),
      value: Nullable(Type.String()),
      expects_user_input: Type.Boolean(),
    }),
  }),
)
