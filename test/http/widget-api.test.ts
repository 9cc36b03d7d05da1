import { Ajv, type ValidateFunction } from 'ajv'
import formatsPlugin from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { createSecretKey, revokeSecretKey } from '../../src/domain/keys.ts'
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
