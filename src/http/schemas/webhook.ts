import { Type, type TSchema } from 'typebox'
import { MAX_ATTEMPTS, RESPONSE_SNIPPET_CHARS, RETRY_DELAYS_MS, WEBHOOK_TYPES } from '../../domain/webhooks.ts'
import { Nullable } from './link.ts'

const opt = <T extends TSchema>(schema: T) => Type.Optional(Nullable(schema))
const Timestamp = (description: string) => Type.String({ format: 'date-time', description })

const WebhookType = Type.Enum([...WEBHOOK_TYPES], { description: 'A Belvo webhook_type, such as ACCOUNTS, TRANSACTIONS or LINKS.' })
const Url = Type.String({
  minLength: 1,
  maxLength: 2048,
  description:
    'Where events are POSTed: an http or https URL. The embedded sandbox allows loopback and private addresses, for local development; a production server (PostgreSQL) refuses them, and cloud metadata addresses, unless its operator allows them.',
})
const Authorization = Type.String({
  minLength: 1,
  maxLength: 4096,
  description: 'The exact Authorization header value sent with every event, such as `Bearer abc123` or `Basic dXNlcjpwYXNz`. Stored encrypted.',
})
const Description = Type.String({ maxLength: 500, description: 'Your note about the endpoint.' })
const EventTypes = Type.Array(WebhookType, {
  minItems: 1,
  maxItems: WEBHOOK_TYPES.length,
  description: `The webhook_type values this endpoint receives, among ${WEBHOOK_TYPES.join(', ')}. Null or absent: every type, including ones added later.`,
})

/** Body of POST /api/webhooks/. */
export const WebhookCreate = Type.Object({
  url: Url,
  authorization: opt(Authorization),
  description: opt(Description),
  event_types: opt(EventTypes),
})

/** Body of PATCH /api/webhooks/{id}/: absent fields stay as they are, null clears. */
export const WebhookPatch = Type.Object({
  url: Type.Optional(Url),
  authorization: opt(Authorization),
  description: opt(Description),
  event_types: opt(EventTypes),
  disabled: Type.Optional(Type.Boolean({ description: 'A disabled endpoint gets no new deliveries; its pending ones wait until it is enabled.' })),
})

const endpointProperties = {
  id: Type.String({ format: 'uuid', description: 'Unique identifier of the endpoint.' }),
  url: Url,
  description: Nullable(Description),
  event_types: Nullable(Type.Array(WebhookType, { description: 'The webhook_type values this endpoint receives; null: every type.' })),
  authorization: Nullable(
    Type.String({ description: 'The configured Authorization value, masked: the scheme and the last four characters (`Bearer ***c123`).' }),
  ),
  created_at: Timestamp('When the endpoint was created.'),
  disabled: Type.Boolean({ description: 'True when the endpoint receives nothing.' }),
}

/** A webhook endpoint (Ponte's own resource: Belvo configures webhooks in its dashboard). */
export const WebhookEndpoint = Type.Object(endpointProperties)

/** The endpoint as POST /api/webhooks/ and rotate-secret answer: with its signing secret, shown only then. */
export const WebhookEndpointWithSecret = Type.Object({
  ...endpointProperties,
  secret: Type.String({
    pattern: '^whsec_[A-Za-z0-9_-]{43}$',
    description:
      'The signing secret, shown only in this response. `X-Ponte-Signature: v1=<hex HMAC-SHA256(secret, `${X-Ponte-Timestamp}.${body}`)>`, keyed with the whole string.',
  }),
})

/** Belvo's webhook body (INVENTORY 7.2). */
export const WebhookPayload = Type.Object(
  {
    webhook_id: Type.String({ pattern: '^[a-f0-9]{32}$', description: 'Unique id of the event; also sent as X-Ponte-Event-Id.' }),
    webhook_type: Type.String({ description: 'The resource the event is about, such as ACCOUNTS.' }),
    process_type: Type.Optional(
      Type.String({ description: 'Why it fired: historical_update, recurrent_update... (absent from Payments Brazil events, which carry object_id).' }),
    ),
    webhook_code: Type.String({ description: 'What happened, such as historical_update or new_transactions_available.' }),
    link_id: Type.Optional(Nullable(Type.String({ description: 'The link the event is about (absent from Payments Brazil events).' }))),
    request_id: Type.Optional(
      Nullable(Type.String({ description: 'The request_id of the asynchronous request that caused the event (absent from Payments Brazil events).' })),
    ),
    object_id: Type.Optional(
      Type.String({ description: 'Payments Brazil events: the payment intent, charge, transaction or bank account the event is about.' }),
    ),
    external_id: Nullable(Type.String({ description: "The link's external_id." })),
    data: Type.Unknown({ description: 'Event details; their shape depends on webhook_type and webhook_code.' }),
  },
  { additionalProperties: true },
)

const Attempt = Type.Object({
  attempted_at: Timestamp('When the attempt started.'),
  status_code: Nullable(Type.Integer({ description: "The receiver's HTTP status; null when none came (timeout, connection refused)." })),
  latency_ms: Type.Integer({ description: 'Milliseconds until the response headers arrived, or until the attempt failed.' }),
  error: Nullable(Type.String({ description: 'Why the attempt failed; null when it succeeded.' })),
  response_snippet: Nullable(
    Type.String({ maxLength: RESPONSE_SNIPPET_CHARS, description: `The first ${RESPONSE_SNIPPET_CHARS} characters of the response body.` }),
  ),
})

/** One event on its way to one endpoint. */
export const WebhookDelivery = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Unique identifier of the delivery.' }),
  webhook_id: Type.String({ pattern: '^[a-f0-9]{32}$', description: 'The event id (the payload webhook_id and X-Ponte-Event-Id).' }),
  endpoint: Type.String({ format: 'uuid', description: 'The endpoint id.' }),
  webhook_type: Type.String(),
  webhook_code: Type.String(),
  status: Type.Enum(['pending', 'succeeded', 'failed'], {
    description: `pending: waiting for its next attempt; succeeded: a 2xx arrived; failed: ${MAX_ATTEMPTS} attempts failed (retries after ${RETRY_DELAYS_MS.map((ms) => ms / 1000).join(', ')} s). Failed and succeeded deliveries can be redelivered.`,
  }),
  attempts: Type.Integer({ description: 'Attempts since the delivery was created or last redelivered.' }),
  next_attempt_at: Nullable(Timestamp('When the next attempt is due; null once succeeded or failed.')),
  last_status_code: Nullable(Type.Integer({ description: 'The HTTP status of the latest attempt.' })),
  created_at: Timestamp('When the event was emitted.'),
  updated_at: Timestamp('When the delivery last changed.'),
  payload: WebhookPayload,
  attempts_log: Type.Array(Attempt, { description: 'Every attempt, oldest first, redeliveries included.' }),
})

export const DeliveryParams = Type.Object({ delivery_id: Type.String({ description: 'The id of the delivery.' }) })
