import { Type, type TSchema } from 'typebox'
import { filterParamNames, type FilterField } from '../../lib/list-query.ts'

export const RequestId = Type.String({ pattern: '^[a-f0-9]{32}$', description: 'A 32-character unique id of the request.' })

/** One item of Belvo's error array. */
export const ErrorItem = Type.Object(
  {
    request_id: RequestId,
    code: Type.String({ description: 'A unique error code that allows you to classify and handle the error programmatically.' }),
    message: Type.String({ description: 'A short description of the error.' }),
    field: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The request field the error refers to, when there is one.' })),
  },
  { additionalProperties: true, $id: 'Error' },
)

export const ErrorArray = Type.Array(Type.Ref('Error'), { description: 'Belvo errors are always an array of error objects.' })

/** The error statuses every authenticated route can answer. */
export const errorResponses = (...statuses: number[]) => Object.fromEntries([401, 404, 405, 408, 429, 500, ...statuses].map((s) => [s, ErrorArray]))

export function Paginated<T extends TSchema>(item: T) {
  return Type.Object({
    count: Type.Integer({ description: 'The total number of results.' }),
    next: Type.Union([Type.String({ format: 'uri' }), Type.Null()], { description: 'The URL to the next page of results, or null.' }),
    previous: Type.Union([Type.String({ format: 'uri' }), Type.Null()], { description: 'The URL to the previous page of results, or null.' }),
    results: Type.Array(item),
  })
}

/** A query parameter given once or several times (`?a=1&a=2` arrives as a list). */
const queryValue = (description?: string) => Type.Union([Type.String(), Type.Array(Type.String())], description === undefined ? {} : { description })
const QueryValue = queryValue()

/** A parameter read once: given several times, the last one counts, as in Django REST framework. */
const lastOf = (description: string) => Type.Optional(queryValue(`${description} Given several times, the last one counts.`))

/** `fields` and `omit`, accepted by every list, detail and retrieve. */
export const Projection = {
  fields: lastOf('Comma-separated top-level fields to return, e.g. `id,balance`.'),
  omit: lastOf('Comma-separated top-level fields to leave out.'),
}

export const ProjectionQuery = Type.Object(Projection, { additionalProperties: true })

/**
 * The query schema of a list: pagination, projection and every filter the list declares. Values
 * stay strings (the filter engine validates them, with Belvo's error codes); unknown keys pass, as
 * Belvo ignores them, and so do the SDK's `key[]` array forms.
 */
export function listQuery(filters: readonly FilterField[]) {
  const properties: Record<string, TSchema> = {
    page: lastOf('A page number within the paginated result set (from 1).'),
    page_size: lastOf('Results per page: default 100, maximum 1000 (larger values are clamped).'),
    ...Projection,
  }
  for (const { name, field, lookup } of filterParamNames(filters)) {
    const many = ['in', 'not_in', 'allin'].includes(lookup) ? ' Comma-separated list.' : lookup === 'range' ? ' Two comma-separated values.' : ''
    properties[name] = Type.Optional(queryValue(`${field.description ?? `Filter on ${field.param}`} (${lookup}).${many}`))
  }
  return Type.Object(properties, { additionalProperties: QueryValue })
}

export const IdParams = Type.Object({ id: Type.String({ description: 'The id of the object.' }) })

/** `X-Belvo-Request-Mode: async`: answer 202 now, the result comes by webhook. */
export const AsyncHeaders = Type.Object(
  {
    'x-belvo-request-mode': Type.Optional(Type.String({ description: 'async: answer 202 with a request_id and send the result by webhook.' })),
  },
  { additionalProperties: true },
)

export function isAsync(headers: Record<string, unknown>): boolean {
  return String(headers['x-belvo-request-mode'] ?? '').toLowerCase() === 'async'
}

export const Accepted = Type.Object({ request_id: Type.String({ description: 'Comes back in the webhook that reports the result.' }) })
