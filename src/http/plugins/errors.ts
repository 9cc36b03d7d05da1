import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import FindMyWay, { type HTTPMethod } from 'find-my-way'
import type { Socket } from 'node:net'
import { PonteError, PonteErrors, type ErrorCode } from '../../lib/errors.ts'
import { hex32 } from '../../lib/ids.ts'
import { messageFor, pickLanguage, type Language } from '../messages.ts'

const STATUS: Partial<Record<ErrorCode, number>> = {
  authentication_failed: 401,
  // As Belvo's other consent error on data calls, consent_without_accounts (401).
  consent_expired: 401,
  access_to_resource_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  link_refreshed: 409,
  request_too_large: 413,
  unsupported_media_type: 415,
  token_required: 428,
  too_many_requests: 429,
  unexpected_error: 500,
  service_unavailable: 503,
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 400
}

interface AjvError {
  keyword: string
  instancePath: string
  params: Record<string, unknown>
  data?: unknown
  message?: string
}

/** Turns Ajv's errors (from TypeBox schemas) into DRF-style field errors with Belvo's codes. */
function fromValidation(errors: AjvError[], context: string | undefined): PonteError[] {
  const byField = new Map<string, AjvError[]>()
  for (const error of errors) {
    // A nullable field (anyOf [schema, null]) whose value fails the schema also fails "must be
    // null" and the anyOf itself: neither says anything about a value that is not null.
    if (error.keyword === 'anyOf' || (error.keyword === 'type' && error.params.type === 'null' && error.data !== null)) continue
    // An invalid item of a list is reported on the list, as Belvo names fields.
    const path = error.instancePath.split('/').filter(Boolean).join('.')
    const field = error.keyword === 'required' ? [path, String(error.params.missingProperty)].filter(Boolean).join('.') : path.replace(/(\.\d+)+$/, '')
    const list = byField.get(field) ?? []
    list.push(error)
    byField.set(field, list)
  }
  const result: PonteError[] = []
  if (byField.size === 0) return [new PonteError('invalid', { params: { detail: errors[0]?.message ?? 'invalid' } })]
  for (const [field, list] of byField) {
    const first = list[0]
    const data = first.data
    if (field === '' && context === 'body') {
      result.push(new PonteError('invalid', { variant: 'body', params: { detail: Array.isArray(data) ? 'list' : typeof data } }))
    } else if (first.keyword === 'required') {
      result.push(new PonteError('required', { field }))
    } else if (data === null) {
      result.push(new PonteError('null', { field }))
    } else if (list.some((e) => e.keyword === 'minLength') && data === '') {
      result.push(new PonteError('blank', { field }))
    } else if (list.some((e) => e.keyword === 'const' || e.keyword === 'enum')) {
      result.push(new PonteError('invalid_choice', { field, params: { value: typeof data === 'object' ? JSON.stringify(data) : String(data) } }))
    } else if (first.keyword === 'maxLength') {
      result.push(new PonteError('max_length', { field, params: { limit: Number(first.params.limit) } }))
    } else if (first.keyword === 'minLength') {
      result.push(new PonteError('min_length', { field, params: { limit: Number(first.params.limit) } }))
    } else {
      const detail = first.message ?? 'invalid'
      result.push(new PonteError('invalid', { field, params: { detail: `${field} ${detail}` } }))
    }
  }
  return result
}

/** Fastify's own 4xx errors (body parsing, content types, limits) in Belvo's vocabulary. */
function fromFastify(error: FastifyError, request: FastifyRequest, bodyLimit: number): PonteError {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      // As DRF words it: the media type without its parameters (charset, boundary).
      return new PonteError('unsupported_media_type', {
        params: {
          type: String(request.headers['content-type'] ?? '')
            .split(';')[0]
            .trim(),
        },
      })
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PonteError('request_too_large', { params: { limit: bodyLimit } })
    case 'FST_ERR_NOT_FOUND':
      return new PonteError('not_found')
    default:
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        return new PonteError('parse_error', { params: { detail: error.message } })
      }
      return new PonteError('invalid', { params: { detail: error.message } })
  }
}

export interface ErrorBody {
  request_id: string
  code: string
  message: string
  field?: string | null
  [extra: string]: unknown
}

export function renderErrors(errors: PonteError[], requestId: string, language: Language): ErrorBody[] {
  return errors.map((e) => ({
    request_id: requestId,
    code: e.code,
    message: e.fixedMessage ?? messageFor(e.code, language, e.params, e.variant),
    ...(e.field !== undefined ? { field: e.field } : {}),
    ...e.extra,
  }))
}

export function sendErrors(request: FastifyRequest, reply: FastifyReply, errors: PonteError[]): FastifyReply {
  const status = statusOf(errors[0].code)
  for (const error of errors) if (error.headers) reply.headers(error.headers)
  // The widget's API takes a Bearer token; a Basic challenge there would make browsers open
  // their own login dialog over the widget.
  if (status === 401) reply.header('WWW-Authenticate', request.url.startsWith('/widget/') ? 'Bearer realm="widget"' : 'Basic realm="api"')
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(renderErrors(errors, request.id, pickLanguage(request.headers['accept-language'])))
}

/**
 * One error path for the whole server: every failure, from validation to bugs, leaves as Belvo's
 * error array. Unknown errors become 500 `unexpected_error`, logged with their stack, with no
 * internals in the response.
 */
export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let errors: PonteError[]
    if (error instanceof PonteError) errors = [error]
    else if (error instanceof PonteErrors) errors = error.errors
    else if (error.validation) errors = fromValidation(error.validation as AjvError[], error.validationContext)
    else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) errors = [fromFastify(error, request, bodyLimit)]
    else {
      request.log.error({ err: error }, 'unexpected error')
      errors = [new PonteError('unexpected_error')]
    }
    return sendErrors(request, reply, errors)
  })

  // A second router that knows every route under every method, to tell 405 from 404.
  const known = FindMyWay({ ignoreTrailingSlash: true })
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]) as HTTPMethod[]
    for (const method of methods) {
      if (method === 'HEAD' || known.hasRoute(method, route.url)) continue
      known.on(method, route.url, () => {})
    }
  })

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]
    const allowed = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as HTTPMethod[]).filter((m) => known.find(m, path))
    if (allowed.length > 0) {
      return sendErrors(request, reply, [
        new PonteError('method_not_allowed', {
          params: { method: request.method },
          headers: { Allow: [...allowed, 'OPTIONS'].join(', ') },
        }),
      ])
    }
    return sendErrors(request, reply, [new PonteError('not_found')])
  })
}

/**
 * Errors Node raises before Fastify sees a request (a malformed request line, a body that never
 * finishes within the server's request timeout) still answer in Belvo's format.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) return
  const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
  const status = timeout ? 408 : 400
  const body = JSON.stringify(
    renderErrors([new PonteError(timeout ? 'request_timeout' : 'invalid', { params: { detail: 'malformed request' } })], hex32(), 'en'),
  )
  socket.end(
    `HTTP/1.1 ${status} ${timeout ? 'Request Timeout' : 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}
