import { Ajv, type ValidateFunction } from 'ajv'
import formatsPlugin from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { createSecretKey, revokeSecretKey } from '../../src/domain/keys.ts'
import { CLAIM_SECONDS } from '../../src/domain/widget-session.ts'
import { basic, createHarness, type CallResult, type Harness } from '../helpers/harness.ts'
import { captureLogs } from '../helpers/logs.ts'
import { toJsonSchema } from '../helpers/spec.ts'

// The connect widget's JSON API (/widget/api/*, issue 15), through app.inject: the widget access
// token of POST /api/token/ as a Bearer token, against the sandbox banks.

type Json = Record<string, any>

const MFA_TOKEN = '111111'
const MESSAGES = {
  missing: 'The widget access token is missing: send it as Authorization: Bearer <access token>',
  malformed: 'The widget access token is malformed',
  invalid: 'Invalid widget access token',
  expired: 'The widget access token has expired',
  used: 'The widget access token was already used to connect an account; request a new one',
  replaced: 'The widget access token was replaced by a refreshed one; use the newest access token',
  inProgress: 'Another connection with this widget access token is in progress; wait for it to finish',
  refreshInvalid: 'Invalid widget refresh token',
  refreshExpired: 'The widget refresh token has expired; request a new widget token',
  refreshUsed: 'The widget refresh token was already used; use the newest refresh token',
}

describe('the connect widget API', () => {
  let h: Harness
  /** Response validators from /openapi.json, by "METHOD path status". */
  let published: (method: string, path: string, status: string) => ValidateFunction
  beforeAll(async () => {
    h = await createHarness()
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const ajv = new Ajv({ strict: false, allErrors: true })
    ;(formatsPlugin as unknown as (a: Ajv) => void)(ajv)
    published = (method, path, status) => ajv.compile(toJsonSchema(doc, doc.paths[path][method].responses[status].content['application/json'].schema) as Json)
  })
  afterAll(async () => h.close())

  /** A widget access token of `key`'s organization (or another's, with `auth`). */
  const issue = async (body: Json = {}, auth?: string): Promise<string> => {
    const res = await h.call('POST', '/api/token/', body, { auth })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    return res.body.access
  }
  const widget = (access: string | null, method: string, url: string, payload?: unknown, headers?: Record<string, string>): Promise<CallResult> =>
    h.call(method, url, payload, { auth: access === null ? null : `Bearer ${access}`, headers })
  const apiLink = (id: string, auth?: string) => h.call('GET', `/api/links/${id}/`, undefined, { auth })
  const expectError = (res: CallResult, status: number, item: Json) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status)
    expect(res.body).toHaveLength(1)
    expect(res.body[0]).toMatchObject({ request_id: expect.stringMatching(/^[a-f0-9]{32}$/), ...item })
  }
  const expectPublished = (res: CallResult, method: string, path: string) => {
    const validate = published(method, path, String(res.status))
    expect(validate(res.body) ? [] : validate.errors, `${method} ${path} ${res.status}`).toEqual([])
  }
  const BANK = 'erebor_mx_retail'
  const MFA_BANK = 'gotham_mx_retail'

  describe('authentication', () => {
    it('answers 401 with a message of its own for a missing, malformed, foreign, expired or spent token', async () => {
      expectError(await widget(null, 'GET', '/widget/api/session'), 401, { code: 'authentication_failed', message: MESSAGES.missing })
      // A secret key is no widget token.
      expectError(await h.call('GET', '/widget/api/session', undefined, { auth: h.auth }), 401, { message: MESSAGES.missing })
      expectError(await widget('not-a-token', 'GET', '/widget/api/session'), 401, { message: MESSAGES.malformed })
      const access = await issue()
      const [header, payload] = access.split('.')
      // Well formed, not signed by this server.
      expectError(await widget(`${header}.${payload}.${'A'.repeat(43)}`, 'GET', '/widget/api/session'), 401, { message: MESSAGES.invalid })
      // The refresh token does not open the API.
      const { refresh } = (await h.call('POST', '/api/token/', {})).body
      expectError(await widget(refresh, 'GET', '/widget/api/session'), 401, { message: MESSAGES.invalid })

      const start = h.clock.now()
      try {
        h.clock.advance(600_000)
        const res = await widget(access, 'GET', '/widget/api/session')
        expectError(res, 401, { code: 'authentication_failed', message: MESSAGES.expired })
        // A Bearer challenge: a Basic one would make browsers open their login dialog over the widget.
        expect(res.headers['www-authenticate']).toBe('Bearer realm="widget"')
      } finally {
        h.clock.set(start)
      }
    })

    it('speaks the caller language', async () => {
      const res = await widget('x', 'GET', '/widget/api/session', undefined, { 'accept-language': 'es' })
      expectError(res, 401, { message: 'El token de acceso del widget está mal formado' })
    })

    it('refuses the tokens of a secret key revoked since', async () => {
      const key = await createSecretKey(h.db, { organizationId: h.key.organizationId, name: 'revoked later' })
      const access = await issue({}, basic(key))
      expect((await widget(access, 'GET', '/widget/api/session')).status).toBe(200)
      await revokeSecretKey(h.db, key.id)
      expectError(await widget(access, 'GET', '/widget/api/session'), 401, { message: MESSAGES.invalid })
    })

    it('leaves the Basic-auth API as it was: a widget token opens none of it', async () => {
      const access = await issue()
      expectError(await widget(access, 'GET', '/api/links/'), 401, { code: 'authentication_failed', message: 'Invalid Secret Keys' })
      expect((await h.call('GET', '/api/links/')).status).toBe(200)
    })
  })

  describe('GET /widget/api/session', () => {
    it("gives the token's configuration in create mode", async () => {
      const branding = {
        company_name: 'ACME',
        company_icon: 'https://acme.test/i.svg',
        company_logo: 'https://acme.test/l.svg',
        company_terms_url: 'https://acme.test/t',
      }
      const access = await issue({
        scopes: 'read_institutions,write_links',
        fetch_resources: ['ACCOUNTS', 'OWNERS'],
        stale_in: '30d',
        credentials_storage: '30d',
        widget: {
          branding,
          callback_urls: { success: 'app://ok', exit: 'app://exit', event: 'app://event' },
          theme: [{ css_key: '--color-primary-base', value: '#907AD6' }],
          external_id: 'customer-42',
        },
      })
      const res = await widget(access, 'GET', '/widget/api/session')
      expect(res.status).toBe(200)
      expectPublished(res, 'get', '/widget/api/session')
      expect(res.body).toEqual({
        mode: 'create',
        scopes: ['read_institutions', 'write_links'],
        expires_at: new Date(h.clock.now().getTime() + 600_000).toISOString(),
        organization_name: 'default',
        link: null,
        fetch_resources: ['ACCOUNTS', 'OWNERS'],
        stale_in: '30d',
        credentials_storage: '30d',
        access_mode: null,
        external_id: 'customer-42',
        widget: {
          callback_urls: { success: 'app://ok', exit: 'app://exit', event: 'app://event' },
          branding,
          theme: [{ css_key: '--color-primary-base', value: '#907AD6' }],
          purpose: null,
          consent: null,
          openfinance_feature: null,
        },
      })
    })

    it('names the link in update mode, and needs no scope', async () => {
      const link = (await h.call('POST', '/api/links/', { institution: BANK, username: 'bnk100', password: 'full', access_mode: 'single' })).body
      const access = await issue({ link_id: link.id, scopes: 'read_links' })
      const res = await widget(access, 'GET', '/widget/api/session')
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({
        mode: 'update',
        scopes: ['read_links'],
        link: { id: link.id, institution: BANK, status: 'valid', access_mode: 'single' },
      })
    })
  })

  describe('GET /widget/api/institutions', () => {
    const names = (res: CallResult) => res.body.results.map((i: Json) => i.name)

    it("lists institutions in Belvo's shape, filtered by the widget's parameters", async () => {
      const access = await issue()
      const all = await widget(access, 'GET', '/widget/api/institutions')
      expect(all.status).toBe(200)
      expectPublished(all, 'get', '/widget/api/institutions')
      expect(names(all)).toEqual(expect.arrayContaining([BANK, MFA_BANK, 'ofmockbank_br_retail', 'tatooine_mx_fiscal']))
      // Open Finance institutions are there, marked for the consent flow.
      expect(all.body.results.find((i: Json) => i.name === 'ofmockbank_br_retail')).toMatchObject({ integration_type: 'openfinance', country_code: 'BR' })
      expect(all.body.results.find((i: Json) => i.name === BANK)).toMatchObject({
        integration_type: 'credentials',
        display_name: 'Erebor Bank',
        form_fields: expect.any(Array),
      })

      const mexicanBanks = await widget(access, 'GET', '/widget/api/institutions?country_codes=mx&institution_types=bank')
      expect(mexicanBanks.body.results.length).toBeGreaterThan(3)
      expect(mexicanBanks.body.results.every((i: Json) => i.country_code === 'MX' && i.type === 'bank')).toBe(true)
      expect(names(await widget(access, 'GET', '/widget/api/institutions?search=EREBOR&country_codes=MX,CO'))).toEqual(['erebor_mx_retail', 'erebor_co_retail'])
      expect(names(await widget(access, 'GET', `/widget/api/institutions?institutions=${BANK},${MFA_BANK}`))).toEqual([BANK, MFA_BANK].sort(byCatalog(all)))
      expect(names(await widget(access, 'GET', '/widget/api/institutions?integration_type=openfinance'))).toEqual(['ofmockbank_br_retail'])
      expect(names(await widget(access, 'GET', '/widget/api/institutions?search=no-such-bank'))).toEqual([])
    })

    it('refuses an unknown institution type or a malformed country code with the field', async () => {
      const access = await issue()
      expectError(await widget(access, 'GET', '/widget/api/institutions?institution_types=bank,shop'), 400, {
        code: 'invalid_choice',
        field: 'institution_types',
        message: '"shop" is not a valid choice.',
      })
      expectError(await widget(access, 'GET', '/widget/api/institutions?country_codes=MEX'), 400, { code: 'invalid_choice', field: 'country_codes' })
    })

    it("keeps to what the token allows: its link's institution, or those offering its fetch_resources", async () => {
      const link = (await h.call('POST', '/api/links/', { institution: BANK, username: 'bnk100', password: 'full' })).body
      const update = await issue({ link_id: link.id })
      expect(names(await widget(update, 'GET', '/widget/api/institutions'))).toEqual([BANK])
      expect(names(await widget(update, 'GET', '/widget/api/institutions?country_codes=CO'))).toEqual([])

      const receivables = await issue({ fetch_resources: ['RECEIVABLES'] })
      const res = await widget(receivables, 'GET', '/widget/api/institutions')
      expect(res.body.results.length).toBeGreaterThan(0)
      expect(res.body.results.every((i: Json) => i.resources.includes('RECEIVABLES'))).toBe(true)
    })

    it("needs the read_institutions scope (Belvo's 403)", async () => {
      const access = await issue({ scopes: 'write_links' })
      expectError(await widget(access, 'GET', '/widget/api/institutions'), 403, {
        code: 'access_to_resource_denied',
        message: "You don't have access to this resource. The widget access token lacks the read_institutions scope.",
      })
    })
  })

  describe('POST /widget/api/links', () => {
    it("connects bnk100/full: the link carries the token's settings, its historical update starts, the token is spent", async () => {
      const access = await issue({
        fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'],
        stale_in: '42d',
        credentials_storage: '30d',
        widget: { access_mode: 'single', external_id: 'from-the-token' },
      })
      // The widget URL's values lose to the token's.
      const res = await widget(access, 'POST', '/widget/api/links', {
        institution: BANK,
        username: 'bnk100',
        password: 'full',
        access_mode: 'recurrent',
        external_id: 'from-the-url',
      })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      expectPublished(res, 'post', '/widget/api/links')
      expect(res.body.institution).toBe(BANK)
      const link = await apiLink(res.body.link.id)
      expect(link.status).toBe(200)
      expect(link.body).toMatchObject({
        id: res.body.link.id,
        institution: BANK,
        status: 'valid',
        access_mode: 'single',
        external_id: 'from-the-token',
        fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'],
        stale_in: '42d',
        credentials_storage: '30d',
        refresh_rate: null,
        // The historical update is queued, as for POST /api/links/ (no worker runs here).
        background_work: { state: 'queued', pending_jobs: 1 },
      })

      expectError(await widget(access, 'GET', '/widget/api/session'), 401, { code: 'authentication_failed', message: MESSAGES.used })
      expectError(await widget(access, 'POST', '/widget/api/links', { institution: BANK, username: 'bnk100', password: 'full' }), 401, {
        message: MESSAGES.used,
      })
    })

    it("takes the widget URL's access_mode and external_id when the token has none", async () => {
      const access = await issue()
      const res = await widget(access, 'POST', '/widget/api/links', {
        institution: BANK,
        username: 'bnk100',
        password: 'full',
        access_mode: 'single',
        external_id: 'url-id',
      })
      expect(res.status).toBe(201)
      expect((await apiLink(res.body.link.id)).body).toMatchObject({
        access_mode: 'single',
        external_id: 'url-id',
        credentials_storage: '365d',
        stale_in: '365d',
      })
      // With neither, a token that does not store credentials makes a single link (a recurrent one must store them).
      const nostore = await issue({ credentials_storage: 'nostore', fetch_resources: ['ACCOUNTS'] })
      const single = await widget(nostore, 'POST', '/widget/api/links', { institution: BANK, username: 'bnk100', password: 'full' })
      expect(single.status, JSON.stringify(single.body)).toBe(201)
      expect((await apiLink(single.body.link.id)).body).toMatchObject({ access_mode: 'single', credentials_storage: 'nostore', external_id: null })
      // By default, a recurrent link as POST /api/links/ makes.
      const plain = await widget(await issue(), 'POST', '/widget/api/links', { institution: BANK, username: 'bnk100', password: 'full' })
      expect((await apiLink(plain.body.link.id)).body).toMatchObject({ access_mode: 'recurrent', credentials_storage: 'store', refresh_rate: '7d' })
    })

    it('answers wrong credentials with login_error and leaves the token usable for the right ones', async () => {
      const access = await issue()
      expectError(await widget(access, 'POST', '/widget/api/links', { institution: BANK, username: 'bnk100', password: 'wrong' }), 400, {
        code: 'login_error',
        message: 'Invalid credentials provided to login to the institution',
      })
      expect((await widget(access, 'GET', '/widget/api/session')).status).toBe(200)
      const res = await widget(access, 'POST', '/widget/api/links', { institution: BANK, username: 'bnk100', password: 'full' })
      expect(res.status).toBe(201)
      expect(res.body.link.status).toBe('valid')
    })

    for (const [kind, username, password, type] of [
      ['device', 'mfa_default', 'pass_valid', 'numeric'],
      ['QR', 'mfa_qr', 'qr_code', 'qr'],
      ['numeric challenge', 'mfa_numeric', 'numeric_code', 'numeric'],
    ] as const) {
      it(`completes the ${kind} MFA: 428, a wrong token asks again, the right one connects`, async () => {
        const access = await issue({ fetch_resources: ['ACCOUNTS'] })
        const asked = await widget(access, 'POST', '/widget/api/links', { institution: MFA_BANK, username, password })
        expectError(asked, 428, {
          code: 'token_required',
          message: 'A MFA token is required by the institution to login',
          session: expect.stringMatching(/^[a-f0-9]{32}$/),
          expiry: 600,
          link: expect.any(String),
          token_generation_data: { type, expects_user_input: true, instructions: expect.any(String) },
        })
        expectPublished(asked, 'post', '/widget/api/links')
        const first = asked.body[0]
        if (type === 'qr') {
          expect(first.qr_image).toMatch(/^data:image\/svg\+xml;base64,/)
          expect(Buffer.from(first.qr_image.split(',')[1], 'base64').toString('utf8')).toContain('<svg')
        } else {
          expect(first.qr_image).toBeUndefined()
        }
        expect((await apiLink(first.link)).body.status).toBe('unconfirmed')

        const again = await widget(access, 'POST', '/widget/api/links/resume', { session: first.session, link: first.link, token: '000000' })
        expectError(again, 428, { code: 'token_required', link: first.link })
        expect(again.body[0].session).not.toBe(first.session)
        if (type === 'qr') expect(again.body[0].qr_image).toMatch(/^data:image\/svg\+xml;base64,/)

        const done = await widget(access, 'POST', '/widget/api/links/resume', { session: again.body[0].session, link: first.link, token: MFA_TOKEN })
        expect(done.status, JSON.stringify(done.body)).toBe(200)
        expectPublished(done, 'post', '/widget/api/links/resume')
        expect(done.body).toMatchObject({ institution: MFA_BANK, link: { id: first.link, status: 'valid', fetch_resources: ['ACCOUNTS'] } })
        expect((await apiLink(first.link)).body).toMatchObject({ status: 'valid', background_work: { state: 'queued' } })
        expectError(await widget(access, 'GET', '/widget/api/session'), 401, { message: MESSAGES.used })
      })
    }

    it('refuses a resume of a used session, or of a link the token did not create', async () => {
      const access = await issue()
      const asked = (await widget(access, 'POST', '/widget/api/links', { institution: MFA_BANK, username: 'mfa_default', password: 'pass_valid' })).body[0]
      expectError(await widget(access, 'POST', '/widget/api/links/resume', { session: 'f'.repeat(32), link: asked.link, token: MFA_TOKEN }), 400, {
        code: 'session_expired',
      })
      // An older link of the organization is not this token's.
      const older = (await h.call('POST', '/api/links/', { institution: BANK, username: 'bnk100', password: 'full' })).body
      h.clock.advance(1000)
      try {
        const later = await issue()
        expectError(await widget(later, 'POST', '/widget/api/links/resume', { session: asked.session, link: older.id, token: MFA_TOKEN }), 400, {
          code: 'does_not_exist',
          field: 'link',
        })
      } finally {
        h.clock.advance(-1000)
      }
      // Another organization's link does not exist here.
      const theirs = (await h.call('POST', '/api/links/', { institution: BANK, username: 'bnk100', password: 'full' }, { auth: h.otherAuth })).body
      expectError(await widget(access, 'POST', '/widget/api/links/resume', { session: asked.session, link: theirs.id, token: MFA_TOKEN }), 400, {
        code: 'does_not_exist',
        field: 'link',
      })
      // Those refusals left the session usable.
      expect((await widget(access, 'POST', '/widget/api/links/resume', { session: asked.session, link: asked.link, token: MFA_TOKEN })).status).toBe(200)
    })

    it('answers bad bodies with Belvo 400s naming the field', async () => {
      const access = await issue()
      const empty = await widget(access, 'POST', '/widget/api/links', {})
      expect(empty.status).toBe(400)
      expect(empty.body.map((e: Json) => [e.code, e.field]).sort()).toEqual([
        ['required', 'institution'],
        ['required', 'username'],
      ])
      expectError(await widget(access, 'POST', '/widget/api/links', { institution: 'nowhere_mx_retail', username: 'bnk100', password: 'full' }), 400, {
        code: 'does_not_exist',
        field: 'institution',
      })
      expectError(await widget(access, 'POST', '/widget/api/links', { institution: BANK, username: 'bnk100', password: 'full', access_mode: 'forever' }), 400, {
        code: 'invalid_choice',
        field: 'access_mode',
      })
      expectError(await widget(access, 'POST', '/widget/api/links', { institution: BANK, username: 'bnk 100!', password: 'full' }), 400, {
        code: 'invalid',
        field: 'username',
      })
      expectError(await widget(access, 'POST', '/widget/api/links', { institution: 'ofmockbank_br_retail', username: '76109277673', password: 'x' }), 400, {
        code: 'invalid',
        field: 'institution',
        message: 'This institution connects through an Open Finance consent, not with credentials.',
      })
      expectError(await widget(access, 'POST', '/widget/api/links/resume', { link: 'x' }), 400, { code: 'required', field: 'session' })
      expectError(await widget(access, 'POST', '/widget/api/links', undefined, { 'content-type': 'text/plain' }), 415, { code: 'unsupported_media_type' })
      // Nothing was connected.
      expect((await widget(access, 'GET', '/widget/api/session')).status).toBe(200)
    })

    it('needs the write_links scope, checked before the body', async () => {
      const access = await issue({ scopes: 'read_institutions' })
      const denied = {
        code: 'access_to_resource_denied',
        message: "You don't have access to this resource. The widget access token lacks the write_links scope.",
      }
      expectError(await widget(access, 'POST', '/widget/api/links', { institution: BANK, username: 'bnk100', password: 'full' }), 403, denied)
      expectError(await widget(access, 'POST', '/widget/api/links', {}), 403, denied)
      expectError(await widget(access, 'POST', '/widget/api/links/resume', { session: 'a'.repeat(32), link: 'x' }), 403, denied)
    })
  })

  describe('update mode', () => {
    it("renews the token's link with its password and spends the token", async () => {
      const link = (await h.call('POST', '/api/links/', { institution: BANK, username: 'bnk100', password: 'full' })).body
      const access = await issue({ link_id: link.id })
      expectError(await widget(access, 'PUT', `/widget/api/links/${link.id}`, { password: 'wrong' }), 400, { code: 'login_error' })
      const res = await widget(access, 'PUT', `/widget/api/links/${link.id}`, { password: 'full' })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      expectPublished(res, 'put', '/widget/api/links/{id}')
      expect(res.body).toMatchObject({ institution: BANK, link: { id: link.id, status: 'valid' } })
      expectError(await widget(access, 'GET', '/widget/api/session'), 401, { message: MESSAGES.used })
    })

    it('resolves token_required on the link (QR drawn), through the same resume', async () => {
      const link = (await h.call('POST', '/api/links/', { institution: MFA_BANK, username: 'mfa_qr', password: 'qr_code', token: MFA_TOKEN })).body
      expect(link.status).toBe('valid')
      const access = await issue({ link_id: link.id })
      const asked = await widget(access, 'PUT', `/widget/api/links/${link.id}`, { password: 'qr_code' })
      expectError(asked, 428, {
        code: 'token_required',
        link: link.id,
        token_generation_data: { type: 'qr' },
        qr_image: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
      })
      expectPublished(asked, 'put', '/widget/api/links/{id}')
      const done = await widget(access, 'POST', '/widget/api/links/resume', { session: asked.body[0].session, link: link.id, token: MFA_TOKEN })
      expect(done.status, JSON.stringify(done.body)).toBe(200)
      expect(done.body.link).toMatchObject({ id: link.id, status: 'valid' })
      expectError(await widget(access, 'GET', '/widget/api/session'), 401, { message: MESSAGES.used })
    })

    it("touches the token's link only: any other, this organization's or another's, is a 404; no new link either", async () => {
      const link = (await h.call('POST', '/api/links/', { institution: BANK, username: 'bnk100', password: 'full' })).body
      const sibling = (await h.call('POST', '/api/links/', { institution: BANK, username: 'bnk100', password: 'full' })).body
      const theirs = (await h.call('POST', '/api/links/', { institution: BANK, username: 'bnk100', password: 'full' }, { auth: h.otherAuth })).body
      const access = await issue({ link_id: link.id })
      for (const id of [sibling.id, theirs.id, 'not-a-uuid']) {
        expectError(await widget(access, 'PUT', `/widget/api/links/${id}`, { password: 'full' }), 404, { code: 'not_found' })
      }
      expectError(await widget(access, 'POST', '/widget/api/links', { institution: BANK, username: 'bnk100', password: 'full' }), 403, {
        code: 'access_to_resource_denied',
      })
      // A create-mode token updates nothing.
      expectError(await widget(await issue(), 'PUT', `/widget/api/links/${link.id}`, { password: 'full' }), 404, { code: 'not_found' })
      // Another organization's token does not reach this link.
      const foreign = await issue({}, h.otherAuth)
      expectError(await widget(foreign, 'PUT', `/widget/api/links/${link.id}`, { password: 'full' }), 404, { code: 'not_found' })
      expectError(await widget(access, 'PUT', `/widget/api/links/${link.id}`, {}), 400, { code: 'required', field: 'password' })
      // None of it spent the token.
      expect((await widget(access, 'PUT', `/widget/api/links/${link.id}`, { password: 'full' })).status).toBe(200)
    })

    it('needs the write_links scope', async () => {
      const link = (await h.call('POST', '/api/links/', { institution: BANK, username: 'bnk100', password: 'full' })).body
      const access = await issue({ link_id: link.id, scopes: 'read_institutions' })
      expectError(await widget(access, 'PUT', `/widget/api/links/${link.id}`, { password: 'full' }), 403, { code: 'access_to_resource_denied' })
    })
  })

  describe('one connection per token', () => {
    /** The row id (`sid` claim) of a widget token, as another API process would claim it. */
    const sidOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).sid
    const linksWith = async (externalId: string): Promise<number> =>
      Number((await h.db.query<{ n: string }>('SELECT count(*) AS n FROM links WHERE external_id = $1', [externalId]))[0].n)
    /** A request racing a winner: either still in progress or already spent, never a second link. */
    const expectLoser = (res: CallResult) => {
      const expected =
        res.status === 401 ? { code: 'authentication_failed', message: MESSAGES.used } : { code: 'too_many_sessions', message: MESSAGES.inProgress }
      expectError(res, res.status === 401 ? 401 : 400, expected)
    }

    it('connects once when the same token posts the credentials several times at once', async () => {
      const externalId = `race-${Date.now()}-${Math.random()}`
      const access = await issue({ widget: { external_id: externalId } })
      const results = await Promise.all(
        [1, 2, 3].map(() => widget(access, 'POST', '/widget/api/links', { institution: BANK, username: 'bnk100', password: 'full' })),
      )
      const won = results.filter((r) => r.status === 201)
      expect(won).toHaveLength(1)
      for (const lost of results.filter((r) => r.status !== 201)) expectLoser(lost)
      expect(await linksWith(externalId)).toBe(1)
      expectError(await widget(access, 'POST', '/widget/api/links', { institution: BANK, username: 'bnk100', password: 'full' }), 401, {
        message: MESSAGES.used,
      })
    })

    it('resumes once when the same token answers the MFA request several times at once', async () => {
      const externalId = `race-mfa-${Date.now()}-${Math.random()}`
      const access = await issue({ widget: { external_id: externalId } })
      const asked = (await widget(access, 'POST', '/widget/api/links', { institution: MFA_BANK, username: 'mfa_default', password: 'pass_valid' })).body[0]
      expect(asked.code).toBe('token_required')
      const results = await Promise.all(
        [1, 2].map(() => widget(access, 'POST', '/widget/api/links/resume', { session: asked.session, link: asked.link, token: MFA_TOKEN })),
      )
      expect(results.filter((r) => r.status === 200)).toHaveLength(1)
      for (const lost of results.filter((r) => r.status !== 200)) expectLoser(lost)
      expect(await linksWith(externalId)).toBe(1)
    })

    it("refuses an attempt while another process's claim holds the token, and takes over a claim left by a crashed one", async () => {
      const externalId = `claimed-${Date.now()}-${Math.random()}`
      const access = await issue({ widget: { external_id: externalId } })
      const now = h.clock.now()
      // What another API process does first when it starts connecting with this token.
      const claimed = await h.db.query('UPDATE widget_tokens SET claim = $2, claimed_at = $3 WHERE jti = $1 AND claim IS NULL RETURNING 1', [
        sidOf(access),
        'other-process',
        now.toISOString(),
      ])
      expect(claimed).toHaveLength(1)
      const body = { institution: BANK, username: 'bnk100', password: 'full' }
      expectError(await widget(access, 'POST', '/widget/api/links', body), 400, { code: 'too_many_sessions', message: MESSAGES.inProgress })
      expect(await linksWith(externalId)).toBe(0)
      // That process never finished: once its claim is older than any request can last, the user may retry.
      h.clock.advance((CLAIM_SECONDS - 1) * 1000)
      try {
        expectError(await widget(access, 'POST', '/widget/api/links', body), 400, { code: 'too_many_sessions' })
        h.clock.advance(2000)
        expect((await widget(access, 'POST', '/widget/api/links', body)).status).toBe(201)
      } finally {
        h.clock.advance(-(CLAIM_SECONDS + 1) * 1000)
      }
      expect(await linksWith(externalId)).toBe(1)
    })

    it('releases the token when the institution refuses the credentials or asks for a token', async () => {
      const access = await issue()
      const wrong = { institution: BANK, username: 'bnk100', password: 'wrong' }
      for (const res of await Promise.all([1, 2].map(() => widget(access, 'POST', '/widget/api/links', wrong)))) {
        // Each either reached the institution (login_error) or met the other's claim: neither spent it.
        expect(['login_error', 'too_many_sessions']).toContain(res.body[0].code)
      }
      const asked = await widget(access, 'POST', '/widget/api/links', { institution: MFA_BANK, username: 'mfa_qr', password: 'qr_code' })
      expect(asked.status).toBe(428)
      const res = await widget(access, 'POST', '/widget/api/links/resume', { session: asked.body[0].session, link: asked.body[0].link, token: MFA_TOKEN })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
    })

    it("resumes only the link this token's own registration created, not another token's of the organization", async () => {
      const first = await issue()
      const asked = (await widget(first, 'POST', '/widget/api/links', { institution: MFA_BANK, username: 'mfa_default', password: 'pass_valid' })).body[0]
      expect(asked.code).toBe('token_required')
      // Issued later, same organization: under the old rule (any link created since the token was
      // issued) it could not reach `asked.link`; a token issued earlier must not either.
      const second = await issue()
      const earlier = await issue()
      const stolen = { session: asked.session, link: asked.link, token: MFA_TOKEN }
      expectError(await widget(second, 'POST', '/widget/api/links/resume', stolen), 400, { code: 'does_not_exist', field: 'link' })
      expectError(await widget(earlier, 'POST', '/widget/api/links/resume', stolen), 400, { code: 'does_not_exist', field: 'link' })
      // A link the organization's server created (POST /api/links/) after the token was issued is not the token's.
      const apiAsked = (await h.call('POST', '/api/links/', { institution: MFA_BANK, username: 'mfa_default', password: 'pass_valid' })).body[0]
      expect(apiAsked.code).toBe('token_required')
      expectError(await widget(first, 'POST', '/widget/api/links/resume', { session: apiAsked.session, link: apiAsked.link, token: MFA_TOKEN }), 400, {
        code: 'does_not_exist',
        field: 'link',
      })
      // The refusals touched neither token: the first resumes its own link, the second still connects.
      const mine = await widget(first, 'POST', '/widget/api/links/resume', stolen)
      expect(mine.status, JSON.stringify(mine.body)).toBe(200)
      expect(mine.body.link.id).toBe(asked.link)
      expect((await widget(second, 'GET', '/widget/api/session')).status).toBe(200)
    })
  })

  describe('POST /widget/api/session/refresh', () => {
    const refresh = (token: unknown) => h.call('POST', '/widget/api/session/refresh', { refresh: token }, { auth: null })

    it('gives a new pair for the same configuration; the old access and refresh tokens stop working', async () => {
      const tokens = (await h.call('POST', '/api/token/', { fetch_resources: ['ACCOUNTS'], widget: { purpose: 'Slow MFA' } })).body
      h.clock.advance(540_000)
      try {
        const res = await refresh(tokens.refresh)
        expect(res.status, JSON.stringify(res.body)).toBe(200)
        expectPublished(res, 'post', '/widget/api/session/refresh')
        expect(res.body.access).not.toBe(tokens.access)
        expect(res.body.refresh).not.toBe(tokens.refresh)
        expectError(await widget(tokens.access, 'GET', '/widget/api/session'), 401, { code: 'authentication_failed', message: MESSAGES.replaced })
        expectError(await refresh(tokens.refresh), 401, { code: 'authentication_failed', message: MESSAGES.refreshUsed })
        const session = await widget(res.body.access, 'GET', '/widget/api/session')
        expect(session.status).toBe(200)
        expect(session.body).toMatchObject({ fetch_resources: ['ACCOUNTS'], widget: { purpose: 'Slow MFA' } })
        expect(session.body.expires_at).toBe(new Date(h.clock.now().getTime() + 600_000).toISOString().replace(/\.\d{3}Z$/, '.000Z'))
        // The new refresh token works once too.
        const again = await refresh(res.body.refresh)
        expect(again.status).toBe(200)
        expectError(await refresh(res.body.refresh), 401, { message: MESSAGES.refreshUsed })
        expectError(await widget(res.body.access, 'GET', '/widget/api/session'), 401, { message: MESSAGES.replaced })
        expect((await widget(again.body.access, 'GET', '/widget/api/session')).status).toBe(200)
      } finally {
        h.clock.advance(-540_000)
      }
    })

    it('lets a slow MFA flow finish past the first access token’s 10 minutes', async () => {
      const tokens = (await h.call('POST', '/api/token/', {})).body
      const start = h.clock.now().getTime()
      // The user reached the credentials form after 5 minutes, then took 6 with the QR code (the
      // institution's MFA session lasts 10 minutes; the access token ended at 10 after issuance).
      h.clock.advance(300_000)
      try {
        const asked = (await widget(tokens.access, 'POST', '/widget/api/links', { institution: MFA_BANK, username: 'mfa_qr', password: 'qr_code' })).body[0]
        expect(asked.code).toBe('token_required')
        h.clock.advance(360_000)
        expectError(await widget(tokens.access, 'POST', '/widget/api/links/resume', {}), 401, { message: MESSAGES.expired })
        const renewed = await refresh(tokens.refresh)
        expect(renewed.status).toBe(200)
        const res = await widget(renewed.body.access, 'POST', '/widget/api/links/resume', { session: asked.session, link: asked.link, token: MFA_TOKEN })
        expect(res.status, JSON.stringify(res.body)).toBe(200)
        // Connected: the token is spent, and its refresh renews nothing.
        expectError(await widget(renewed.body.access, 'GET', '/widget/api/session'), 401, { message: MESSAGES.used })
        expectError(await refresh(renewed.body.refresh), 401, { message: MESSAGES.used })
      } finally {
        h.clock.advance(start - h.clock.now().getTime())
      }
    })

    it('refreshes once when the same refresh token is sent several times at once', async () => {
      const tokens = (await h.call('POST', '/api/token/', {})).body
      const results = await Promise.all([1, 2, 3].map(() => refresh(tokens.refresh)))
      const won = results.filter((r) => r.status === 200)
      expect(won).toHaveLength(1)
      for (const lost of results.filter((r) => r.status !== 200)) expectError(lost, 401, { message: MESSAGES.refreshUsed })
      expect((await widget(won[0].body.access, 'GET', '/widget/api/session')).status).toBe(200)
    })

    it('never outlives the first refresh token: expired, it is refused; close to it, the access token ends with it', async () => {
      const tokens = (await h.call('POST', '/api/token/', {})).body
      const issuedAt = h.clock.now().getTime()
      h.clock.advance(3_300_000)
      try {
        const late = await refresh(tokens.refresh)
        expect(late.status).toBe(200)
        // 55 minutes in: the new access token ends with the issuance, at 60, not at 65.
        const session = await widget(late.body.access, 'GET', '/widget/api/session')
        expect(Date.parse(session.body.expires_at)).toBe(Math.floor(issuedAt / 1000) * 1000 + 3_600_000)
        h.clock.advance(300_000)
        expectError(await refresh(late.body.refresh), 401, { code: 'authentication_failed', message: MESSAGES.refreshExpired })
        expectError(await widget(late.body.access, 'GET', '/widget/api/session'), 401, { message: MESSAGES.expired })
      } finally {
        h.clock.advance(-3_600_000)
      }
    })

    it('refuses anything but a refresh token of this server, and bad bodies', async () => {
      const tokens = (await h.call('POST', '/api/token/', {})).body
      expectError(await refresh(tokens.access), 401, { code: 'authentication_failed', message: MESSAGES.refreshInvalid })
      expectError(await refresh('not-a-token'), 401, { message: MESSAGES.refreshInvalid })
      const [header, payload] = tokens.refresh.split('.')
      expectError(await refresh(`${header}.${payload}.${'A'.repeat(43)}`), 401, { message: MESSAGES.refreshInvalid })
      expectError(await h.call('POST', '/widget/api/session/refresh', {}, { auth: null }), 400, { code: 'required', field: 'refresh' })
      // A revoked key's refresh token renews nothing.
      const key = await createSecretKey(h.db, { organizationId: h.key.organizationId, name: 'revoked before the refresh' })
      const own = (await h.call('POST', '/api/token/', {}, { auth: basic(key) })).body
      await revokeSecretKey(h.db, key.id)
      expectError(await refresh(own.refresh), 401, { message: MESSAGES.refreshInvalid })
      // None of it touched the good pair.
      expect((await refresh(tokens.refresh)).status).toBe(200)
    })
  })
})

/** Orders names as the catalog (the full list) does. */
function byCatalog(all: CallResult) {
  const order: string[] = all.body.results.map((i: Json) => i.name)
  return (a: string, b: string) => order.indexOf(a) - order.indexOf(b)
}

describe('the widget API and the logs', () => {
  it('logs neither the Bearer token nor an access_token in a URL', async () => {
    const h = await createHarness()
    const logs = captureLogs('trace')
    const app = await buildApp({
      db: h.db,
      config: loadConfig({ LOG_LEVEL: 'trace' }),
      clock: h.clock,
      cipher: h.app.deps.domain.cipher,
      jobs: h.app.deps.domain.jobs,
      logger: logs.log,
    })
    try {
      const access = (await h.call('POST', '/api/token/', {})).body.access as string
      const session = await app.inject({ method: 'GET', url: '/widget/api/session', headers: { authorization: `Bearer ${access}` } })
      expect(session.statusCode).toBe(200)
      // The hosted widget's page is opened with the token in its URL, as Belvo's is.
      await app.inject({ method: 'GET', url: `/widget/?access_token=${access}&locale=es` })
      const text = logs.text()
      expect(text).toContain('/widget/api/session')
      expect(text).toContain('/widget/?access_token=[redacted]&locale=es')
      expect(text).not.toContain(access.split('.')[2])
    } finally {
      await app.close()
      await h.close()
    }
  })
})
