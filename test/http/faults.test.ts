import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { registerRealIntegration } from '../helpers/sandbox-connector.ts'

type Json = Record<string, any>

/** A real integration (not the sandbox) for one institution: it logs everyone in and offers nothing. */
const REAL_INSTITUTION = 'gotham_mx_retail'

/**
 * X-Ponte-Fault (issue 18): a client under test asks one request to be slow, to fail with a
 * status, or to meet an institution error, and sees exactly what a real failure would show.
 */
describe('X-Ponte-Fault', () => {
  let h: Harness
  const fault = (value: string) => ({ headers: { 'x-ponte-fault': value } })
  const linkCount = async () => (await h.call('GET', '/api/links/?page_size=1')).body.count as number
  const createLink = (value?: string, institution = 'erebor_mx_retail') =>
    h.call('POST', '/api/links/', { institution, username: 'bnk100', password: 'full', access_mode: 'single' }, value ? fault(value) : {})

  beforeAll(async () => {
    h = await createHarness({ configure: (app) => registerRealIntegration(app, REAL_INSTITUTION) })
  })
  afterAll(async () => h?.close())

  it('answers a status fault with Belvo’s error and does nothing', async () => {
    const before = await linkCount()
    const unavailable = await createLink('status=503')
    expect(unavailable.status).toBe(503)
    expect(unavailable.body).toMatchObject([{ code: 'service_unavailable', request_id: expect.any(String) }])
    const limited = await createLink('status=429')
    expect(limited.status).toBe(429)
    expect(limited.headers['retry-after']).toBe('1')
    expect(limited.body[0].code).toBe('too_many_requests')
    expect((await h.call('GET', '/api/institutions/', undefined, fault('status=500'))).body[0].code).toBe('unexpected_error')
    expect(await linkCount()).toBe(before)
  })

  it('makes the sandbox institution fail the login, for that request only', async () => {
    const before = await linkCount()
    const down = await createLink('institution_down')
    expect(down.status).toBe(400)
    expect(down.body[0].code).toBe('institution_down')
    expect((await createLink('too_many_sessions')).body[0].code).toBe('too_many_sessions')
    expect(await linkCount()).toBe(before)

    // The same request without the header works; on the link's data, the fault hits the retrieval's login.
    const link = await createLink()
    expect(link.status).toBe(201)
    const accounts = await h.call('POST', '/api/accounts/', { link: link.body.id }, fault('institution_unavailable'))
    expect(accounts.status).toBe(400)
    expect(accounts.body[0].code).toBe('institution_unavailable')
    expect((await h.call('GET', `/api/links/${link.body.id}/`)).body.status).toBe('valid')
  })

  it('asks for a token, which the sandbox’s token then satisfies', async () => {
    const challenge = await createLink('token_required')
    expect(challenge.status).toBe(428)
    expect(challenge.body[0]).toMatchObject({ code: 'token_required', session: expect.any(String), token_generation_data: { type: 'numeric' } })
    const done = await h.call('PATCH', '/api/links/', { session: challenge.body[0].session, token: '111111', link: challenge.body[0].link })
    expect(done.status).toBe(200)
    expect(done.body.status).toBe('valid')
  })

  it('never reaches an institution served by a real integration', async () => {
    expect((await createLink('institution_down', REAL_INSTITUTION)).status).toBe(201)
  })

  it('delays the answer by latency=<ms>', async () => {
    const started = performance.now()
    const res = await h.call('GET', '/api/institutions/?page_size=1', undefined, fault('latency=300'))
    // A lower bound only: a timer never fires early, however loaded the machine.
    expect(performance.now() - started).toBeGreaterThanOrEqual(295)
    expect(res.status).toBe(200)
  })

  it('refuses a fault it does not know, with the header as the field', async () => {
    for (const value of ['explode', 'latency=99999', 'status=418', 'institution_down=1']) {
      const res = await createLink(value)
      expect(res.status).toBe(400)
      expect(res.body as Json[]).toMatchObject([{ code: 'invalid', field: 'X-Ponte-Fault' }])
    }
  })
})
