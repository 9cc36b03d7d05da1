import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PonteError } from '../../src/lib/errors.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'

const REQUEST_ID = /^[a-f0-9]{32}$/

describe('Belvo error format on every failure', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness({
      env: { PONTE_BODY_LIMIT_BYTES: '2048', PONTE_REQUEST_TIMEOUT_MS: '1000' },
      // Test-only routes that exercise the shared error path the real routes use.
      configure: (app) => {
        app.post(
          '/api/_test/echo/',
          {
            schema: {
              body: Type.Object({
                link: Type.String({ minLength: 1 }),
                access_mode: Type.Optional(Type.Union([Type.Literal('single'), Type.Literal('recurrent')])),
                external_id: Type.Optional(Type.String({ minLength: 3, maxLength: 8 })),
                save_data: Type.Optional(Type.Boolean()),
              }),
            },
          },
          async (request) => request.body,
        )
        app.get('/api/_test/boom/', async () => {
          throw new Error('secret internal detail: db password is hunter2')
        })
        app.get('/api/_test/slow/', async () => {
          await new Promise((r) => setTimeout(r, 1500))
          return { late: true }
        })
        app.get('/api/_test/domain/', async () => {
          throw new PonteError('login_error')
        })
      },
    })
  })
  afterAll(async () => h.close())

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({
      method: 'POST',
      url: '/api/_test/echo/',
      headers: { authorization: h.auth, 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    })

  it('answers unknown routes with 404 not_found and a request id that matches the header', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/nothing-here/', headers: { authorization: h.auth } })
    expect(res.statusCode).toBe(404)
    const body = res.json()
    expect(body).toEqual([{ request_id: expect.stringMatching(REQUEST_ID), code: 'not_found', message: 'Not found' }])
    expect(res.headers['x-request-id']).toBe(body[0].request_id)
  })

  it('answers a known path with a wrong method with 405 and Allow', async () => {
    const res = await h.app.inject({ method: 'PUT', url: '/api/institutions/', headers: { authorization: h.auth } })
    expect(res.statusCode).toBe(405)
    expect(res.json()[0]).toMatchObject({ code: 'method_not_allowed', message: 'Method "PUT" not allowed.' })
    expect(res.headers.allow).toContain('GET')
  })

  it('reports each missing field as required, with its field name', async () => {
    const res = await post({})
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual([{ request_id: expect.stringMatching(REQUEST_ID), code: 'required', message: 'This field is required.', field: 'link' }])
  })

  it('treats an absent body like an empty one', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/_test/echo/', headers: { authorization: h.auth } })
    expect(res.statusCode).toBe(400)
    expect(res.json()[0]).toMatchObject({ code: 'required', field: 'link' })
  })

  it('distinguishes null, blank, invalid_choice, length and type errors, all at once', async () => {
    const res = await post({ link: null, access_mode: 'sometimes', external_id: 'ab', save_data: 'yes' })
    expect(res.statusCode).toBe(400)
    const byField = Object.fromEntries(res.json().map((e: { field: string }) => [e.field, e]))
    expect(byField.link).toMatchObject({ code: 'null', message: 'This field may not be null.' })
    expect(byField.access_mode).toMatchObject({ code: 'invalid_choice', message: '"sometimes" is not a valid choice.' })
    expect(byField.external_id).toMatchObject({ code: 'min_length', message: 'Ensure this field has at least 3 characters.' })
    expect(byField.save_data).toMatchObject({ code: 'invalid' })
    expect((await post({ link: '' })).json()[0]).toMatchObject({ code: 'blank', field: 'link' })
    expect((await post({ link: 'x', external_id: 'a'.repeat(9) })).json()[0]).toMatchObject({ code: 'max_length', field: 'external_id' })
  })

  it('rejects malformed JSON with parse_error', async () => {
    const res = await post('{"link": ')
    expect(res.statusCode).toBe(400)
    expect(res.json()[0]).toMatchObject({ code: 'parse_error', request_id: expect.stringMatching(REQUEST_ID) })
  })

  it('rejects a JSON body that is not an object', async () => {
    const res = await post('[1, 2]')
    expect(res.statusCode).toBe(400)
    expect(res.json()[0]).toMatchObject({ code: 'invalid', message: 'Invalid data. Expected a dictionary, but got list.' })
  })

  it('rejects unsupported content types with 415, naming the type and asking for JSON', async () => {
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'link=abc'],
      ['text/plain; charset=utf-8', '{"link":"abc"}'],
      ['application/xml', '<link/>'],
    ]) {
      const res = await post(body, { 'content-type': type })
      expect(res.statusCode, type).toBe(415)
      expect(res.json(), type).toEqual([
        {
          request_id: expect.stringMatching(REQUEST_ID),
          code: 'unsupported_media_type',
          message: `Unsupported media type "${type.split(';')[0]}" in request. Send a JSON body with the header Content-Type: application/json.`,
        },
      ])
    }
  })

  it.each([
    [
      'es',
      'Tipo de contenido "application/x-www-form-urlencoded" no soportado en la solicitud. Envía un cuerpo JSON con la cabecera Content-Type: application/json.',
    ],
    [
      'pt-BR',
      'Tipo de mídia "application/x-www-form-urlencoded" não suportado na requisição. Envie um corpo JSON com o cabeçalho Content-Type: application/json.',
    ],
  ])('asks for JSON instead of a form body (curl -d without a header) in Accept-Language %s', async (language, message) => {
    const res = await post('link=abc', { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': language })
    expect(res.statusCode).toBe(415)
    expect(res.json()[0]).toMatchObject({ code: 'unsupported_media_type', message })
  })

  it('rejects oversized bodies with 413', async () => {
    const res = await post({ link: 'x'.repeat(5000) })
    expect(res.statusCode).toBe(413)
    expect(res.json()[0]).toMatchObject({ code: 'request_too_large', message: 'The request body is larger than 2048 bytes.' })
  })

  it("tolerates the SDK's empty JSON body on GET and DELETE", async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/institutions/1004/',
      headers: { authorization: h.auth, 'content-type': 'application/json' },
      payload: '',
    })
    expect(res.statusCode).toBe(200)
  })

  it('hides internals of unexpected errors behind 500 unexpected_error', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/_test/boom/', headers: { authorization: h.auth } })
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual([
      { request_id: expect.stringMatching(REQUEST_ID), code: 'unexpected_error', message: expect.stringContaining('unable to process the request') },
    ])
    expect(res.body).not.toContain('hunter2')
  })

  it('answers 408 request_timeout when a request outlives the deadline', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/_test/slow/', headers: { authorization: h.auth } })
    expect(res.statusCode).toBe(408)
    expect(res.json()[0]).toMatchObject({ code: 'request_timeout' })
  })

  it.each([
    ['a malformed percent-encoding', '/api/links/%ff/'],
    ['a path parameter longer than any id', `/api/owners/${'a'.repeat(5000)}/`],
  ])("answers %s in a path with 404 not_found in Belvo's format", async (_what, url) => {
    const res = await h.app.inject({ method: 'GET', url, headers: { authorization: h.auth } })
    expect(res.statusCode).toBe(404)
    const body = res.json()
    expect(body).toEqual([{ request_id: expect.stringMatching(REQUEST_ID), code: 'not_found', message: 'Not found' }])
    expect(res.headers['x-request-id']).toBe(body[0].request_id)
  })

  it('answers 401 to Basic credentials holding a null character', async () => {
    const authorization = `Basic ${Buffer.from(`${h.key.id}\0:${h.key.password}`).toString('base64')}`
    const res = await h.app.inject({ method: 'GET', url: '/api/', headers: { authorization } })
    expect(res.statusCode).toBe(401)
    expect(res.json()[0]).toMatchObject({ code: 'authentication_failed' })
  })

  it('maps domain errors to their Belvo status and message', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/_test/domain/', headers: { authorization: h.auth } })
    expect(res.statusCode).toBe(400)
    expect(res.json()[0]).toMatchObject({ code: 'login_error', message: 'Invalid credentials provided to login to the institution' })
  })

  it.each([
    ['es-MX,es;q=0.9', 'Este campo es obligatorio.'],
    ['pt-BR', 'Este campo é obrigatório.'],
    ['fr-FR, pt;q=0.5, es;q=0.8', 'Este campo es obligatorio.'],
    ['de', 'This field is required.'],
  ])('localizes messages for Accept-Language %s', async (language, message) => {
    const res = await post({}, { 'accept-language': language })
    expect(res.json()[0]).toMatchObject({ code: 'required', message })
  })
})
