import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { expectSpec } from '../helpers/spec.ts'
import type { Receiver } from '../helpers/receiver.ts'
import { applyRetention } from '../../src/domain/sync.ts'

describe('links', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())

  const call: Harness['call'] = (...args) => h.call(...args)
  const register = (body: Record<string, unknown>) =>
    call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', ...body })

  it("registers a recurrent link by default, with Belvo's Link fields", async () => {
    const { status, body } = await register({ external_id: 'customer-42' })
    expect(status).toBe(201)
    expectSpec('current', 'Link', body)
    expect(body).toMatchObject({
      institution: 'erebor_mx_retail',
      access_mode: 'recurrent',
      status: 'valid',
      external_id: 'customer-42',
      refresh_rate: '7d',
      credentials_storage: 'store',
      stale_in: '365d',
    })
    expect(body.institution_user_id).toHaveLength(44)
    expect(body.fetch_resources).toEqual(expect.arrayContaining(['ACCOUNTS', 'TRANSACTIONS', 'OWNERS']))
    expect(body.fetch_resources).not.toContain('INCOMES')
    expect(JSON.stringify(body)).not.toContain('full')
  })

  it('keeps each of fetch_resources once, however often it is named', async () => {
    const { status, body } = await register({ fetch_resources: ['OWNERS', 'ACCOUNTS', 'OWNERS', 'OWNERS'] })
    expect(status).toBe(201)
    expect(body.fetch_resources).toEqual(['OWNERS', 'ACCOUNTS'])
  })

  it('stores credentials encrypted, never in clear', async () => {
    const { body } = await register({ username: 'user_valid', password: 'pass_valid' })
    const rows = await h.db.query<{ credentials: string }>('SELECT credentials FROM links WHERE id = $1', [body.id])
    expect(rows[0].credentials).toMatch(/^v1\./)
    expect(rows[0].credentials).not.toContain('pass_valid')
  })

  it('keeps the same institution_user_id for the same credentials', async () => {
    const a = await register({})
    const b = await register({})
    expect(a.body.institution_user_id).toBe(b.body.institution_user_id)
    expect(a.body.id).not.toBe(b.body.id)
  })

  it.each([
    [{ institution: 'narnia_mx_retail' }, 400, 'does_not_exist', 'institution'],
    [{ username: 'user_invalid', password: 'pass_invalid' }, 400, 'login_error', undefined],
    [{ username: '1234567890abcdefg', password: '1234567890abcdefg' }, 400, 'invalid', 'username'],
    [{ access_mode: 'sometimes' }, 400, 'invalid_choice', 'access_mode'],
    [{ access_mode: 'recurrent', credentials_storage: 'nostore' }, 400, 'invalid_credentials_storage', 'credentials_storage'],
    [{ access_mode: 'recurrent', credentials_storage: '30d' }, 400, 'invalid_credentials_storage', 'credentials_storage'],
    [{ access_mode: 'single', credentials_storage: 'nostore' }, 400, 'invalid_fetch_resources', 'fetch_resources'],
    [{ fetch_resources: ['ACCOUNTS', 'INVOICES'] }, 400, 'invalid', 'resources'],
    [{ credentials_storage: 'forever' }, 400, 'invalid', 'credentials_storage'],
    [{ stale_in: '10 days' }, 400, 'invalid', 'stale_in'],
    [{ external_id: 'ab' }, 400, 'min_length', 'external_id'],
    [{ username: null }, 400, 'null', 'username'],
    [{ username: '' }, 400, 'blank', 'username'],
    [{ username: 'err_sessions', password: 'pass_valid' }, 400, 'too_many_sessions', undefined],
    [{ username: 'err_down', password: 'pass_valid' }, 400, 'institution_down', undefined],
    [{ username: 'err_unavailable', password: 'pass_valid' }, 400, 'institution_unavailable', undefined],
  ])('rejects %j with %i %s', async (body, status, code, field) => {
    const before = (await call('GET', '/api/links/')).body.count
    const res = await register(body)
    expect(res.status).toBe(status)
    expect(res.body[0]).toMatchObject({ code, ...(field ? { field } : {}) })
    // No half-created link is left behind.
    expect((await call('GET', '/api/links/')).body.count).toBe(before)
  })

  it.each([
    [undefined, 'This value does not have the format the institution expects: ^[a-zA-Z0-9_]{1,16}$'],
    ['es-MX', 'Este valor no tiene el formato que espera la institución: ^[a-zA-Z0-9_]{1,16}$'],
    ['pt-BR', 'Este valor não tem o formato que a instituição espera: ^[a-zA-Z0-9_]{1,16}$'],
  ])('words a credential of the wrong format for Accept-Language %s, English by default', async (language, message) => {
    // The institution publishes its own validation_message in its country's language (Spanish
    // here, for the widget): the API's message does not borrow it.
    const res = await call(
      'POST',
      '/api/links/',
      { institution: 'erebor_mx_retail', username: 'bnk-100', password: 'full' },
      { headers: language ? { 'accept-language': language } : {} },
    )
    expect(res.status).toBe(400)
    expect(res.body).toEqual([{ request_id: expect.stringMatching(/^[a-f0-9]{32}$/), code: 'invalid', field: 'username', message }])
  })

  it('says in Retry-After how many seconds a refresh too soon must wait', async () => {
    const link = (await register({ fetch_resources: ['ACCOUNTS'] })).body
    expect((await call('POST', `/api/links/${link.id}/refresh/`, {})).status).toBe(202)
    let again = await call('POST', `/api/links/${link.id}/refresh/`, {})
    expect(again.status).toBe(409)
    expect(again.headers['retry-after']).toBe('600')
    h.clock.advance(4 * 60_000 + 30_000)
    again = await call('POST', `/api/links/${link.id}/refresh/`, {})
    expect(again.status).toBe(409)
    expect(again.headers['retry-after']).toBe('330')
    expect(again.body[0]).toMatchObject({ code: 'link_refreshed', message: 'The link has already been refreshed. Please wait 6 minutes before trying again.' })
    h.clock.advance(330_000)
    expect((await call('POST', `/api/links/${link.id}/refresh/`, {})).status).toBe(202)
  })

  it('requires institution and username', async () => {
    const { status, body } = await call('POST', '/api/links/', {})
    expect(status).toBe(400)
    expect(body.map((e: { field: string }) => e.field).sort()).toEqual(['institution', 'username'])
    expect(body.every((e: { code: string }) => e.code === 'required')).toBe(true)
  })

  it('creates single links with a credentials lifetime, and nostore links that keep them sealed 15 minutes at most', async () => {
    const single = await register({ access_mode: 'single' })
    expect(single.body).toMatchObject({ access_mode: 'single', refresh_rate: null, credentials_storage: '365d' })
    const nostore = await register({ access_mode: 'single', credentials_storage: 'nostore', fetch_resources: ['ACCOUNTS'] })
    expect(nostore.status).toBe(201)
    // Kept for the first fetch only (which forgets them: see the nostore tests below), never in clear.
    const rows = await h.db.query<{ credentials: string | null; credentials_expire_at: string }>(
      'SELECT credentials, credentials_expire_at FROM links WHERE id = $1',
      [nostore.body.id],
    )
    expect(rows[0].credentials).toMatch(/^v1\./)
    expect(rows[0].credentials).not.toContain('full')
    expect(new Date(rows[0].credentials_expire_at).getTime() - Date.parse(nostore.body.created_at)).toBe(15 * 60_000)
  })

  describe('MFA (428 token_required)', () => {
    it.each([
      ['mfa_default', 'pass_valid'],
      ['mfa_qr', 'qr_code'],
      ['mfa_numeric', 'numeric_code'],
    ])('asks %s for a token, retries on a wrong one, completes with 111111', async (username, password) => {
      const first = await register({ institution: 'heimdall_mx_retail', username, password })
      expect(first.status).toBe(428)
      const challenge = first.body[0]
      expect(challenge).toMatchObject({ code: 'token_required', message: 'A MFA token is required by the institution to login', expiry: expect.any(Number) })
      expect(challenge.session).toMatch(/^[a-f0-9]{32}$/)
      expectSpec('current', 'TokenRequiredResponse', challenge)
      const pending = await call('GET', `/api/links/${challenge.link}/`)
      expect(pending.body.status).toBe('unconfirmed')
      const accounts = await call('POST', '/api/accounts/', { link: challenge.link })
      expect(accounts.body[0]).toMatchObject({ code: 'unconfirmed_link' })

      const wrong = await call('PATCH', '/api/links/', { session: challenge.session, token: '999999', link: challenge.link })
      expect(wrong.status).toBe(428)
      expect(wrong.body[0].session).not.toBe(challenge.session)
      // A session resumes once.
      expect((await call('PATCH', '/api/links/', { session: challenge.session, token: '111111', link: challenge.link })).body[0].code).toBe('session_expired')

      const done = await call('PATCH', '/api/links/', { session: wrong.body[0].session, token: '111111', link: challenge.link })
      expect(done.status).toBe(200)
      expect(done.body).toMatchObject({ id: challenge.link, status: 'valid' })
      expect(done.body.institution_user_id).toHaveLength(44)
    })

    it('accepts the token up front', async () => {
      const res = await register({ institution: 'heimdall_mx_retail', username: 'mfa_default', password: 'pass_valid', token: '111111' })
      expect(res.status).toBe(201)
      expect(res.body.status).toBe('valid')
    })

    it('expires sessions', async () => {
      const first = await register({ institution: 'heimdall_br_retail', username: 'mfa_numeric', password: 'numeric_code' })
      h.clock.advance(3600_000)
      const late = await call('PATCH', '/api/links/', { session: first.body[0].session, token: '111111', link: first.body[0].link })
      expect(late.status).toBe(400)
      expect(late.body[0]).toMatchObject({ code: 'session_expired' })
    })

    it('rejects a session used with another link, and unknown sessions', async () => {
      const first = await register({ institution: 'heimdall_mx_retail', username: 'mfa_default', password: 'pass_valid' })
      const other = await register({})
      const res = await call('PATCH', '/api/links/', { session: first.body[0].session, token: '111111', link: other.body.id })
      expect(res.body[0]).toMatchObject({ code: 'invalid', field: 'link' })
      expect((await call('PATCH', '/api/links/', { session: 'f'.repeat(32), token: '111111', link: other.body.id })).body[0].code).toBe('session_expired')
      expect((await call('PATCH', '/api/links/', { token: '111111', link: other.body.id })).body[0]).toMatchObject({ code: 'required', field: 'session' })
    })
  })

  it('lists with filters and pagination, details, patches and deletes', async () => {
    const a = (await register({ external_id: 'filter-me', institution: 'gringotts_co_retail' })).body
    const list = await call('GET', '/api/links/?external_id=filter-me')
    expect(list.body.count).toBe(1)
    expect(list.body.results[0].id).toBe(a.id)
    expect((await call('GET', `/api/links/?institution=gringotts_co_retail&status=valid`)).body.results.map((l: { id: string }) => l.id)).toContain(a.id)
    expect((await call('GET', '/api/links/?status=broken')).body[0]).toMatchObject({ code: 'invalid_choice', field: 'status' })
    expect((await call('GET', `/api/links/?id__in=${a.id}&access_mode=single`)).body.count).toBe(0)
    expect((await call('GET', `/api/links/${a.id}/`)).body).toMatchObject({ id: a.id })

    const patched = await call('PATCH', `/api/links/${a.id}/`, { access_mode: 'single', stale_in: '30d', fetch_resources: ['ACCOUNTS'] })
    expect(patched.body).toMatchObject({ access_mode: 'single', refresh_rate: null, stale_in: '30d', fetch_resources: ['ACCOUNTS'] })
    expect((await call('PATCH', `/api/links/${a.id}/`, { fetch_resources: ['INVOICES'] })).body[0]).toMatchObject({ code: 'invalid', field: 'resources' })
    // Named twice, kept once, as on creation.
    expect((await call('PATCH', `/api/links/${a.id}/`, { fetch_resources: ['ACCOUNTS', 'OWNERS', 'ACCOUNTS'] })).body.fetch_resources).toEqual([
      'ACCOUNTS',
      'OWNERS',
    ])

    expect((await call('DELETE', `/api/links/${a.id}/`)).status).toBe(204)
    expect((await call('GET', `/api/links/${a.id}/`)).status).toBe(404)
    expect((await call('DELETE', `/api/links/${a.id}/`)).status).toBe(404)
  })

  it('updates credentials with PUT and turns an invalid link valid again', async () => {
    const link = (await register({ username: 'user_valid', password: 'pass_valid' })).body
    await h.db.query("UPDATE links SET status = 'invalid' WHERE id = $1", [link.id])
    expect((await call('POST', '/api/accounts/', { link: link.id })).body[0]).toMatchObject({ code: 'invalid_link' })
    expect((await call('PUT', `/api/links/${link.id}/`, { password: 'wrong' })).body[0]).toMatchObject({ code: 'login_error' })
    const fixed = await call('PUT', `/api/links/${link.id}/`, { password: 'pass_valid' })
    expect(fixed.status).toBe(200)
    expect(fixed.body.status).toBe('valid')
  })

  it("hides other organizations' links behind 404", async () => {
    const mine = (await register({})).body
    for (const [method, url, payload] of [
      ['GET', `/api/links/${mine.id}/`],
      ['DELETE', `/api/links/${mine.id}/`],
      ['PUT', `/api/links/${mine.id}/`, { password: 'x' }],
      ['PATCH', `/api/links/${mine.id}/`, { stale_in: '10d' }],
    ] as const) {
      expect((await call(method, url, payload, { auth: h.otherAuth })).status).toBe(404)
    }
    expect((await call('GET', '/api/links/', undefined, { auth: h.otherAuth })).body.count).toBe(0)
    expect((await call('POST', '/api/accounts/', { link: mine.id }, { auth: h.otherAuth })).body[0]).toMatchObject({ code: 'does_not_exist', field: 'link' })
  })

  it.each(['0d', '000d', '366d', '999d'])('rejects credentials_storage %s, outside 1d-365d, with 400 invalid_credentials_storage', async (value) => {
    for (const access_mode of ['single', 'recurrent']) {
      const res = await register({ access_mode, credentials_storage: value })
      expect(res.status).toBe(400)
      expect(res.body).toEqual([
        expect.objectContaining({
          code: 'invalid_credentials_storage',
          field: 'credentials_storage',
          message: 'credentials_storage must be store, nostore or a number of days between 1d and 365d',
        }),
      ])
    }
    // A widget token carries it to the links its widget creates: checked when it is issued.
    expect((await call('POST', '/api/token/', { scopes: 'read_institutions,write_links', credentials_storage: value })).body[0]).toMatchObject({
      code: 'invalid_credentials_storage',
      field: 'credentials_storage',
    })
  })

  it('accepts credentials_storage 1d and 365d on single links', async () => {
    expect((await register({ access_mode: 'single', credentials_storage: '1d' })).body).toMatchObject({ credentials_storage: '1d' })
    expect((await register({ access_mode: 'single', credentials_storage: '365d' })).body).toMatchObject({ credentials_storage: '365d' })
  })

  it.each(['access_mode', 'credentials_storage', 'stale_in'])('answers 400 null for "%s": null, a field the spec does not make nullable', async (field) => {
    const before = (await call('GET', '/api/links/')).body.count
    const res = await register({ [field]: null })
    expect(res.status).toBe(400)
    expect(res.body).toEqual([expect.objectContaining({ code: 'null', field, message: 'This field may not be null.' })])
    expect((await call('GET', '/api/links/')).body.count).toBe(before)
    const link = (await register({})).body
    if (field !== 'credentials_storage') {
      expect((await call('PATCH', `/api/links/${link.id}/`, { [field]: null })).body[0]).toMatchObject({ code: 'null', field })
    }
  })

  it('requires a password on PUT and never logs in again with the stored one', async () => {
    const link = (await register({ username: 'user_valid', password: 'pass_valid' })).body
    await h.db.query("UPDATE links SET status = 'invalid' WHERE id = $1", [link.id])
    const empty = await call('PUT', `/api/links/${link.id}/`, {})
    expect(empty.status).toBe(400)
    expect(empty.body).toEqual([expect.objectContaining({ code: 'required', field: 'password', message: 'This field is required.' })])
    const nulled = await call('PUT', `/api/links/${link.id}/`, { password: null, token: '123456' })
    expect(nulled.status).toBe(400)
    expect(nulled.body).toEqual([expect.objectContaining({ code: 'null', field: 'password' })])
    expect((await call('GET', `/api/links/${link.id}/`)).body.status).toBe('invalid')
  })

  describe('a validation failure on PATCH leaves the MFA session usable', () => {
    let mfa: string
    let other: string
    beforeAll(async () => {
      mfa = (await register({ institution: 'heimdall_mx_retail', username: 'mfa_default', password: 'pass_valid', token: '111111' })).body.id
      other = (await register({})).body.id
    })
    const challenge = async () => {
      const res = await call('POST', '/api/accounts/', { link: mfa })
      expect(res.status).toBe(428)
      return res.body[0].session as string
    }

    it("a session sent with another link's id", async () => {
      const session = await challenge()
      expect((await call('PATCH', '/api/accounts/', { session, token: '111111', link: other })).body[0]).toMatchObject({ code: 'invalid', field: 'link' })
      const done = await call('PATCH', '/api/accounts/', { session, token: '111111', link: mfa })
      expect(done.status).toBe(201)
      expect(done.body.length).toBeGreaterThan(0)
    })

    it('a session sent to another endpoint', async () => {
      const session = await challenge()
      expect((await call('PATCH', '/api/links/', { session, token: '111111', link: mfa })).body[0]).toMatchObject({ code: 'session_expired' })
      expect((await call('PATCH', '/api/owners/', { session, token: '111111', link: mfa })).body[0]).toMatchObject({ code: 'session_expired' })
      expect((await call('PATCH', '/api/accounts/', { session, token: '111111', link: mfa })).status).toBe(201)
    })

    it('a session sent with an unknown link', async () => {
      const session = await challenge()
      expect((await call('PATCH', '/api/accounts/', { session, token: '111111', link: '00000000-0000-4000-8000-000000000000' })).body[0]).toMatchObject({
        code: 'does_not_exist',
        field: 'link',
      })
      expect((await call('PATCH', '/api/accounts/', { session, token: '111111', link: mfa })).status).toBe(201)
    })

    it('but an answer, right or wrong, uses it up', async () => {
      const session = await challenge()
      const wrong = await call('PATCH', '/api/accounts/', { session, token: '999999', link: mfa })
      expect(wrong.status).toBe(428)
      expect((await call('PATCH', '/api/accounts/', { session, token: '111111', link: mfa })).body[0]).toMatchObject({ code: 'session_expired' })
      expect((await call('PATCH', '/api/accounts/', { session: wrong.body[0].session, token: '111111', link: mfa })).status).toBe(201)
      expect((await call('PATCH', '/api/accounts/', { session: wrong.body[0].session, token: '111111', link: mfa })).body[0]).toMatchObject({
        code: 'session_expired',
      })
    })
  })

  it('limits link deletion to 5 per minute', async () => {
    const ids = []
    for (let i = 0; i < 6; i++) ids.push((await register({})).body.id)
    h.clock.advance(120_000)
    for (const id of ids.slice(0, 5)) expect((await call('DELETE', `/api/links/${id}/`)).status).toBe(204)
    const limited = await h.app.inject({ method: 'DELETE', url: `/api/links/${ids[5]}/`, headers: { authorization: h.auth } })
    expect(limited.statusCode).toBe(429)
    expect(limited.json()[0]).toMatchObject({ code: 'too_many_requests' })
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    h.clock.advance(61_000)
    expect((await call('DELETE', `/api/links/${ids[5]}/`)).status).toBe(204)
  })
})

describe('single links with credentials_storage nostore', () => {
  let h: Harness
  let receiver: Receiver
  beforeAll(async () => {
    h = await createHarness()
    receiver = await h.receiveWebhooks('Bearer nostore')
    await h.startWorker()
  })
  afterAll(async () => h.close())

  const call: Harness['call'] = (...args) => h.call(...args)
  const hooksOf = (linkId: string) => receiver.received.map((r) => r.body).filter((b) => b.link_id === linkId)
  const storedCredentials = async (linkId: string) =>
    (await h.db.query<{ credentials: string | null }>('SELECT credentials FROM links WHERE id = $1', [linkId]))[0].credentials
  async function credentialsForgotten(linkId: string) {
    const end = Date.now() + 20_000
    while ((await storedCredentials(linkId)) !== null) {
      if (Date.now() > end) throw new Error('the credentials of a nostore link were kept after its first fetch')
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  /** The link after its historical update: valid, its accounts stored, no LINK webhook, nothing kept to log in with. */
  async function expectFetchedOnce(linkId: string) {
    await receiver.waitFor(() => hooksOf(linkId).some((b) => b.webhook_type === 'ACCOUNTS'))
    await credentialsForgotten(linkId)
    const hook = hooksOf(linkId).find((b) => b.webhook_type === 'ACCOUNTS')!
    expect(hook).toMatchObject({ webhook_code: 'historical_update', process_type: 'historical_update' })
    expect(hook.data.total_accounts).toBeGreaterThan(0)
    expect((await call('GET', `/api/accounts/?link=${linkId}`)).body.count).toBe(hook.data.total_accounts)
    expect((await call('GET', `/api/links/${linkId}/`)).body).toMatchObject({ status: 'valid', credentials_storage: 'nostore' })
    expect(hooksOf(linkId).filter((b) => b.webhook_type === 'LINK')).toEqual([])
  }

  it('fetches fetch_resources once at creation, stays valid, then forgets the credentials', async () => {
    const created = await call('POST', '/api/links/', {
      institution: 'erebor_mx_retail',
      username: 'u1',
      password: 'p',
      access_mode: 'single',
      credentials_storage: 'nostore',
      fetch_resources: ['ACCOUNTS'],
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ status: 'valid', credentials_storage: 'nostore', fetch_resources: ['ACCOUNTS'] })
    // Until the fetch is done, the credentials wait sealed, never in clear.
    const sealed = await storedCredentials(created.body.id)
    if (sealed !== null) expect(sealed).not.toContain('"p"')
    await expectFetchedOnce(created.body.id)
  })

  it('does the same after an MFA registration completed with PATCH', async () => {
    const challenge = await call('POST', '/api/links/', {
      institution: 'heimdall_br_retail',
      username: 'mfa_qr',
      password: 'qr_code',
      access_mode: 'single',
      credentials_storage: 'nostore',
      fetch_resources: ['ACCOUNTS'],
    })
    expect(challenge.status).toBe(428)
    const { session, link } = challenge.body[0]
    const done = await call('PATCH', '/api/links/', { session, token: '111111', link })
    expect(done.status).toBe(200)
    expect(done.body).toMatchObject({ id: link, status: 'valid' })
    await expectFetchedOnce(link)
  })

  it('refuses, without invalidating the link, anything that needs to log in again', async () => {
    const link = (
      await call('POST', '/api/links/', {
        institution: 'erebor_mx_retail',
        username: 'bnk100',
        password: 'full',
        access_mode: 'single',
        credentials_storage: 'nostore',
        fetch_resources: ['ACCOUNTS'],
      })
    ).body
    await expectFetchedOnce(link.id)
    const missing = { code: 'login_error', message: 'Missing credentials to login to the institution' }
    expect((await call('POST', '/api/accounts/', { link: link.id })).body).toEqual([expect.objectContaining(missing)])
    expect((await call('POST', '/api/owners/', { link: link.id }, { headers: { 'x-belvo-request-mode': 'async' } })).body).toEqual([
      expect.objectContaining(missing),
    ])
    expect((await call('POST', `/api/links/${link.id}/refresh/`, {})).body).toEqual([expect.objectContaining(missing)])
    expect((await call('PUT', `/api/links/${link.id}/`, { password: 'full' })).body).toEqual([expect.objectContaining(missing)])
    expect((await call('PATCH', `/api/links/${link.id}/`, { access_mode: 'recurrent' })).body[0]).toMatchObject({
      code: 'invalid_access_mode_switch',
      field: 'access_mode',
    })
    // The data fetched at creation stays readable, and the link valid: nothing about it changed.
    expect((await call('GET', `/api/accounts/?link=${link.id}`)).body.count).toBeGreaterThan(0)
    expect((await call('GET', `/api/links/${link.id}/`)).body.status).toBe('valid')
    await new Promise((r) => setTimeout(r, 300))
    expect(hooksOf(link.id).filter((b) => b.webhook_type === 'LINK')).toEqual([])
  })

  it('keeps the credentials of a pending MFA registration at most 15 minutes', async () => {
    const challenge = await call('POST', '/api/links/', {
      institution: 'heimdall_mx_retail',
      username: 'mfa_default',
      password: 'pass_valid',
      access_mode: 'single',
      credentials_storage: 'nostore',
      fetch_resources: ['ACCOUNTS'],
    })
    expect(challenge.status).toBe(428)
    const { session, link } = challenge.body[0]
    expect(await storedCredentials(link)).toMatch(/^v1\./)
    h.clock.advance(9 * 60_000)
    const retry = await call('PATCH', '/api/links/', { session, token: '999999', link })
    expect(retry.status).toBe(428)
    h.clock.advance(7 * 60_000)
    // The new session is still open, but the credentials have expired with the 15 minutes.
    expect((await call('PATCH', '/api/links/', { session: retry.body[0].session, token: '111111', link })).body[0]).toMatchObject({
      code: 'login_error',
      message: 'Missing credentials to login to the institution',
    })
    await applyRetention(h.app.deps.domain, h.clock.now())
    expect(await storedCredentials(link)).toBeNull()
  })
})
