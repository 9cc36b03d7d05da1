import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { applyRetention } from '../../src/domain/sync.ts'
import { verifyWidgetToken } from '../../src/domain/widget-tokens.ts'
import { Cipher } from '../../src/lib/crypto.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { PonteError } from '../../src/lib/errors.ts'
import { basic, createHarness, type Harness } from '../helpers/harness.ts'
import { processTestTimeout } from '../helpers/processes.ts'
import { expectSpec } from '../helpers/spec.ts'

/** A JWT's header and payload, decoded by hand (no JWT library): what any client can read. */
function decode(token: string): { header: Record<string, unknown>; payload: Record<string, any> } {
  const [header, payload, signature] = token.split('.')
  expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/)
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  return { header: json(header), payload: json(payload) }
}

/** Re-encodes a token's payload, keeping the original signature (a forgery). */
function withPayload(token: string, change: (payload: Record<string, any>) => void): string {
  const [header, payload, signature] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  change(claims)
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.')
}

// Belvo's own examples (multi-region hosted widget; Brazil OFDA widget), from its docs and spec.
const MULTIREGION_WIDGET = {
  callback_urls: { success: 'your-deeplink-here://success', exit: 'your-deeplink-here://exit', event: 'your-deeplink-here://error' },
  branding: {
    company_icon: 'https://mysite.com/icon.svg',
    company_logo: 'https://mysite.com/logo.svg',
    company_name: 'ACME',
    company_terms_url: 'https://belvo.com/terms-service/',
  },
  theme: [{ css_key: '--color-primary-base', value: '#907AD6' }],
}
const OFDA_WIDGET = {
  openfinance_feature: 'consent_link_creation',
  callback_urls: { success: 'app://success', exit: 'app://exit', event: 'app://error' },
  branding: { ...MULTIREGION_WIDGET.branding, social_proof: true, show_belvo_middle_logo: false },
  consent: {
    purpose: 'Soluções financeiras personalizadas.',
    terms_and_conditions_url: 'https://www.your_terms_and_conditions.com',
    permissions: ['REGISTER', 'ACCOUNTS', 'CREDIT_CARDS', 'CREDIT_OPERATIONS'],
    identification_info: [{ type: 'CPF', number: '76109277673', name: 'Ralph Bragg' }],
    default_consent_duration_days: 183,
  },
}

describe('widget access tokens', () => {
  let h: Harness
  let linkId: string
  let otherLinkId: string
  beforeAll(async () => {
    h = await createHarness()
    linkId = (await call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full' })).body.id
    otherLinkId = (await call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full' }, { auth: h.otherAuth })).body.id
  })
  afterAll(async () => h.close())

  const call: Harness['call'] = (...args) => h.call(...args)
  const token = (body: Record<string, unknown>, auth?: string) => call('POST', '/api/token/', body, { auth })
  const withKey = (body: Record<string, unknown>) => ({ id: h.key.id, password: h.key.password, ...body })
  const sessions = async () => (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM widget_tokens'))[0].n
  const session = async (jti: string) =>
    (
      await h.db.query<Record<string, any>>(
        `SELECT *, to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS expires,
       to_char(refresh_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS refresh_expires
     FROM widget_tokens WHERE jti = $1`,
        [jti],
      )
    )[0]

  it("answers Belvo's WidgetToken: two HS256 JWTs with the claims of Belvo's tokens", async () => {
    const { status, body } = await token(
      withKey({
        scopes: 'read_institutions,write_links',
        fetch_resources: ['ACCOUNTS', 'TRANSACTIONS', 'OWNERS'],
        credentials_storage: 'store',
        stale_in: '300d',
        widget: MULTIREGION_WIDGET,
      }),
    )
    expect(status).toBe(200)
    expectSpec('current', 'WidgetToken', body)
    expect(Object.keys(body).sort()).toEqual(['access', 'refresh'])

    const now = Math.floor(h.clock.now().getTime() / 1000)
    const access = decode(body.access)
    expect(access.header).toEqual({ alg: 'HS256', typ: 'JWT' })
    expect(access.payload).toEqual({
      token_type: 'access',
      exp: now + 600,
      iat: now,
      jti: expect.stringMatching(/^[a-f0-9]{32}$/),
      user_id: h.key.organizationId,
      organization_id: h.key.organizationId,
      organization_name: 'default',
      scopes: ['read_institutions', 'write_links'],
      environment: 'sandbox',
      credentials_storage: 'store',
      stale_in: '300d',
      fetch_resources: ['ACCOUNTS', 'TRANSACTIONS', 'OWNERS'],
      iss: 'ponte',
      // Ponte's: the row of the widget_tokens table, constant across refreshes (0012).
      sid: access.payload.jti,
    })
    const refresh = decode(body.refresh)
    expect(refresh.payload).toMatchObject({ token_type: 'refresh', iat: now, exp: now + 3600, scopes: ['read_institutions', 'write_links'] })
    expect(refresh.payload.jti).not.toBe(access.payload.jti)
    // The widget configuration is not in the token: the hosted widget loads it by jti.
    expect(JSON.stringify(access.payload)).not.toContain('ACME')
    expect(JSON.stringify(access.payload)).not.toContain(h.key.password)
  })

  it("stores the widget configuration under the access token's jti", async () => {
    const { body } = await token(
      withKey({
        scopes: 'read_institutions,write_links,read_consents,write_consents,write_consent_callback,delete_consents',
        fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'],
        stale_in: '42d',
        widget: OFDA_WIDGET,
      }),
    )
    const { jti } = decode(body.access).payload
    const row = await session(jti)
    expect(row).toMatchObject({
      jti,
      refresh_jti: decode(body.refresh).payload.jti,
      organization_id: h.key.organizationId,
      secret_key_id: h.key.id,
      link_id: null,
      scopes: ['read_institutions', 'write_links', 'read_consents', 'write_consents', 'write_consent_callback', 'delete_consents'],
      fetch_resources: ['ACCOUNTS', 'TRANSACTIONS'],
      stale_in: '42d',
      credentials_storage: null,
      widget: OFDA_WIDGET,
      expires: new Date(h.clock.now().getTime() + 600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      refresh_expires: new Date(h.clock.now().getTime() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    })
    // Neither the secret key nor the tokens are kept.
    const stored = JSON.stringify(row)
    expect(stored).not.toContain(h.key.password)
    expect(stored).not.toContain(body.access.split('.')[2])
  })

  it("accepts Basic auth alone, as the SDK's links.token() sends it, and adds the link claim", async () => {
    const { status, body } = await token({ link_id: linkId, scopes: 'read_institutions,write_links,read_links' })
    expect(status).toBe(200)
    expectSpec('current', 'WidgetToken', body)
    const { payload } = decode(body.access)
    expect(payload.link).toEqual({ id: linkId, status: 'valid', institution: 'erebor_mx_retail' })
    expect(payload.scopes).toEqual(['read_institutions', 'write_links', 'read_links'])
    expect(decode(body.refresh).payload.link).toEqual(payload.link)
    expect((await session(payload.jti)).link_id).toBe(linkId)
  })

  it("defaults scopes to the SDK's read_institutions,write_links and drops repeats", async () => {
    expect(decode((await token({})).body.access).payload.scopes).toEqual(['read_institutions', 'write_links'])
    expect(decode((await token({ scopes: 'read_links, read_links,delete_links' })).body.access).payload.scopes).toEqual(['read_links', 'delete_links'])
  })

  it(
    'names the public host as issuer when PONTE_PUBLIC_URL is set',
    async () => {
      const other = await createHarness({ env: { PONTE_PUBLIC_URL: 'https://ponte.example.com/base' } })
      try {
        const res = await other.app.inject({
          method: 'POST',
          url: '/api/token/',
          headers: { authorization: other.auth, 'content-type': 'application/json' },
          payload: '{}',
        })
        expect(decode(res.json().access).payload.iss).toBe('ponte.example.com')
      } finally {
        await other.close()
      }
    },
    processTestTimeout(1),
  )

  it.each([
    [{ scopes: 'read_institutions,fly' }, 'invalid_choice', 'scopes', '"fly" is not a valid choice.'],
    [{ scopes: 'read_institutions,,write_links' }, 'invalid_choice', 'scopes', '"" is not a valid choice.'],
    [{ scopes: '' }, 'blank', 'scopes', undefined],
    [{ scopes: ['read_links'] }, 'invalid', 'scopes', undefined],
    [
      { link_id: '0190f5b2-7c1e-7000-8000-000000000000' },
      'does_not_exist',
      'link_id',
      'Invalid pk "0190f5b2-7c1e-7000-8000-000000000000" - object does not exist.',
    ],
    [{ link_id: 'not-a-link' }, 'does_not_exist', 'link_id', undefined],
    [{ stale_in: '10 days' }, 'invalid', 'stale_in', undefined],
    [{ credentials_storage: 'forever' }, 'invalid', 'credentials_storage', undefined],
    [{ fetch_resources: ['ACCOUNTS', 'TELEPATHY'] }, 'invalid_choice', 'fetch_resources', '"TELEPATHY" is not a valid choice.'],
    [{ fetch_resources: 'ACCOUNTS' }, 'invalid', 'fetch_resources', undefined],
    [{ widget: 'yes' }, 'invalid', 'widget', undefined],
    [{ widget: { callback_urls: { success: 'a://s', event: 'a://e' } } }, 'required', 'widget.callback_urls.exit', undefined],
    [{ widget: { branding: { ...MULTIREGION_WIDGET.branding, company_logo: 'not a url' } } }, 'invalid', 'widget.branding.company_logo', undefined],
    [{ widget: { branding: { company_name: 'ACME' } } }, 'required', 'widget.branding.company_icon', undefined],
    [{ widget: { theme: [{ css_key: '--color-primary-base' }] } }, 'required', 'widget.theme.0.value', undefined],
    [{ widget: { openfinance_feature: 'payments' } }, 'invalid_choice', 'widget.openfinance_feature', undefined],
    [{ widget: { ...OFDA_WIDGET, consent: { ...OFDA_WIDGET.consent, permissions: ['REGISTER'] } } }, 'invalid', 'widget.consent.permissions', undefined],
    [{ widget: { ...OFDA_WIDGET, consent: { ...OFDA_WIDGET.consent, purpose: 'x'.repeat(141) } } }, 'max_length', 'widget.consent.purpose', undefined],
  ])('rejects %j with 400 %s on %s', async (body, code, field, message) => {
    const before = await sessions()
    const res = await token(withKey(body))
    expect(res.status).toBe(400)
    expect(res.body).toEqual(expect.arrayContaining([expect.objectContaining({ code, field, request_id: expect.stringMatching(/^[a-f0-9]{32}$/) })]))
    if (message) expect(res.body[0].message).toBe(message)
    expect(await sessions()).toBe(before)
  })

  it("answers another organization's link_id as one that does not exist", async () => {
    const res = await token({ link_id: otherLinkId })
    expect(res.status).toBe(400)
    expect(res.body).toEqual([expect.objectContaining({ code: 'does_not_exist', field: 'link_id' })])
  })

  it("checks fetch_resources against the link's institution, like POST /api/links/", async () => {
    const res = await token({ link_id: linkId, fetch_resources: ['ACCOUNTS', 'INVOICES'] })
    expect(res.status).toBe(400)
    expect(res.body[0]).toMatchObject({ code: 'invalid', field: 'resources' })
    expect(res.body[0].message).toContain('ACCOUNTS')
  })

  it("answers in the caller's language", async () => {
    const res = await call('POST', '/api/token/', { scopes: 'fly' }, { headers: { 'accept-language': 'es' } })
    expect(res.body[0]).toMatchObject({ code: 'invalid_choice', field: 'scopes', message: '"fly" no es una opción válida.' })
  })

  it.each([
    ["another organization's key", () => ({ id: h.otherKey.id, password: h.otherKey.password })],
    ['a wrong password', () => ({ id: h.key.id, password: 'wrong' })],
    ['an id without its password', () => ({ id: h.key.id })],
    ['a password without its id', () => ({ password: h.key.password })],
  ])('is 401 when the body carries %s', async (_name, credentials) => {
    const before = await sessions()
    const res = await token(credentials())
    expect(res.status).toBe(401)
    expect(res.body).toEqual([{ request_id: expect.stringMatching(/^[a-f0-9]{32}$/), code: 'authentication_failed', message: 'Invalid Secret Keys' }])
    expect(await sessions()).toBe(before)
  })

  it('is 401 without Basic auth, even with the key in the body', async () => {
    for (const auth of [null, 'Bearer something']) {
      const res = await call('POST', '/api/token/', withKey({}), { auth })
      expect(res.status).toBe(401)
      expect(res.body).toEqual([expect.objectContaining({ code: 'authentication_failed' })])
    }
  })

  it('accepts the body key of the same key that authenticated, from either organization', async () => {
    const res = await token({ id: h.otherKey.id, password: h.otherKey.password }, h.otherAuth)
    expect(res.status).toBe(200)
    expect(decode(res.body.access).payload.organization_id).toBe(h.otherKey.organizationId)
    expect(decode(res.body.access).payload.organization_name).toBe('other')
  })

  describe('deprecated POST /api/links/{id}/token/', () => {
    it('answers a token for the link', async () => {
      const { status, body } = await call('POST', `/api/links/${linkId}/token/`, { scopes: 'read_links,write_links' })
      expect(status).toBe(200)
      expectSpec('current', 'WidgetToken', body)
      const { payload } = decode(body.access)
      expect(payload).toMatchObject({
        token_type: 'access',
        link: { id: linkId, status: 'valid', institution: 'erebor_mx_retail' },
        scopes: ['read_links', 'write_links'],
      })
      expect((await session(payload.jti)).link_id).toBe(linkId)
    })

    it('works without a body, with the default scopes', async () => {
      const res = await h.app.inject({ method: 'POST', url: `/api/links/${linkId}/token/`, headers: { authorization: h.auth } })
      expect(res.statusCode).toBe(200)
      expect(decode(res.json().access).payload.scopes).toEqual(['read_institutions', 'write_links'])
    })

    it.each([
      ['an unknown link', () => '0190f5b2-7c1e-7000-8000-000000000000'],
      ['a malformed id', () => 'nope'],
      ["another organization's link", () => otherLinkId],
    ])('is 404 for %s', async (_name, id) => {
      const res = await call('POST', `/api/links/${id()}/token/`, {})
      expect(res.status).toBe(404)
      expect(res.body).toEqual([expect.objectContaining({ code: 'not_found' })])
    })

    it('validates scopes', async () => {
      const res = await call('POST', `/api/links/${linkId}/token/`, { scopes: 'everything' })
      expect(res.status).toBe(400)
      expect(res.body[0]).toMatchObject({ code: 'invalid_choice', field: 'scopes' })
    })
  })

  it('never logs the secret key or the tokens', async () => {
    const lines: string[] = []
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const app = await buildApp({
      db: h.db,
      config: loadConfig({ LOG_LEVEL: 'trace' }),
      clock: h.clock,
      cipher: new Cipher(randomBytes(32)),
      jobs: h.app.deps.domain.jobs,
      logger: createLogger('trace', { destination: stream }),
    })
    try {
      const send = (payload: unknown, auth = h.auth) =>
        app.inject({
          method: 'POST',
          url: '/api/token/',
          headers: { authorization: auth, 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        })
      const ok = await send(withKey({ widget: MULTIREGION_WIDGET }))
      expect(ok.statusCode).toBe(200)
      expect((await send({ id: h.key.id, password: 'wrong-secret-xyz' })).statusCode).toBe(401)
      expect((await send(withKey({ scopes: 'fly' }))).statusCode).toBe(400)
      const { access, refresh } = ok.json()
      const logs = lines.join('')
      expect(logs).toContain('/api/token/')
      for (const secret of [h.key.password, 'wrong-secret-xyz', basic(h.key).slice(6), access.split('.')[2], refresh.split('.')[2]]) {
        expect(logs).not.toContain(secret)
      }
    } finally {
      await app.close()
    }
  })
})

describe('verifyWidgetToken', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())

  const issue = async (body: Record<string, unknown> = {}) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/token/',
      headers: { authorization: h.auth, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    })
    expect(res.statusCode).toBe(200)
    return res.json() as { access: string; refresh: string }
  }
  const rejection = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('the token was accepted')
      },
      (error: unknown) => {
        expect(error).toBeInstanceOf(PonteError)
        const { code, variant } = error as PonteError
        return { code, variant }
      },
    )
  const ctx = () => h.app.deps.domain

  it('returns the stored session for a valid access or refresh token', async () => {
    const tokens = await issue({ scopes: 'read_institutions,write_links,read_links', stale_in: '30d', widget: MULTIREGION_WIDGET })
    const access = await verifyWidgetToken(ctx(), tokens.access, { type: 'access' })
    expect(access).toMatchObject({
      jti: decode(tokens.access).payload.jti,
      organization_id: h.key.organizationId,
      link_id: null,
      scopes: ['read_institutions', 'write_links', 'read_links'],
      stale_in: '30d',
      widget: MULTIREGION_WIDGET,
      created_at: h.clock.now().toISOString(),
    })
    expect(await verifyWidgetToken(ctx(), tokens.refresh, { type: 'refresh' })).toEqual(access)
  })

  it('rejects an access token used as a refresh token, and the other way round', async () => {
    const tokens = await issue()
    expect(await rejection(verifyWidgetToken(ctx(), tokens.access, { type: 'refresh' }))).toEqual({ code: 'authentication_failed', variant: 'widget_refresh' })
    expect(await rejection(verifyWidgetToken(ctx(), tokens.refresh, { type: 'access' }))).toEqual({ code: 'authentication_failed', variant: 'widget_token' })
  })

  it('expires access tokens after 10 minutes and refresh tokens after an hour, on the injected clock', async () => {
    const tokens = await issue()
    const start = h.clock.now()
    try {
      h.clock.advance(599_000)
      await verifyWidgetToken(ctx(), tokens.access, { type: 'access' })
      h.clock.advance(1_000)
      expect(await rejection(verifyWidgetToken(ctx(), tokens.access, { type: 'access' }))).toEqual({
        code: 'authentication_failed',
        variant: 'widget_token_expired',
      })
      await verifyWidgetToken(ctx(), tokens.refresh, { type: 'refresh' })
      h.clock.set(new Date(start.getTime() + 3_600_000))
      expect(await rejection(verifyWidgetToken(ctx(), tokens.refresh, { type: 'refresh' }))).toEqual({
        code: 'authentication_failed',
        variant: 'widget_refresh_expired',
      })
    } finally {
      h.clock.set(start)
    }
  })

  it('retention deletes an issuance once its refresh token has expired, not before', async () => {
    const tokens = await issue()
    const start = h.clock.now()
    const stored = () => h.db.query('SELECT 1 FROM widget_tokens WHERE jti = $1', [decode(tokens.access).payload.jti])
    try {
      h.clock.advance(3_599_000)
      await applyRetention(ctx(), h.clock.now())
      expect(await stored()).toHaveLength(1)
      h.clock.advance(1_000)
      expect((await applyRetention(ctx(), h.clock.now())).expiredWidgetTokens).toBeGreaterThanOrEqual(1)
      expect(await stored()).toHaveLength(0)
    } finally {
      h.clock.set(start)
    }
  })

  it('rejects tampered tokens', async () => {
    const { access } = await issue()
    const forged = [
      withPayload(access, (p) => {
        p.scopes = [...p.scopes, 'delete_links']
      }),
      withPayload(access, (p) => {
        p.exp += 3600
      }),
      withPayload(access, (p) => {
        p.token_type = 'refresh'
      }),
      access.slice(0, -2) + (access.endsWith('AA') ? 'BB' : 'AA'),
      // alg "none", unsigned
      [Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'), access.split('.')[1], ''].join('.'),
      'not a token',
    ]
    for (const token of forged) {
      expect(await rejection(verifyWidgetToken(ctx(), token, { type: 'access' }))).toEqual({ code: 'authentication_failed', variant: 'widget_token' })
    }
  })

  it("rejects tokens signed with another server's key", async () => {
    const { access } = await issue()
    const otherServer = { ...ctx(), cipher: new Cipher(randomBytes(32)) }
    expect(await rejection(verifyWidgetToken(otherServer, access, { type: 'access' }))).toEqual({ code: 'authentication_failed', variant: 'widget_token' })
  })

  it('rejects the tokens of a link that was deleted since', async () => {
    const link = await h.app.inject({
      method: 'POST',
      url: '/api/links/',
      headers: { authorization: h.auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ institution: 'erebor_mx_retail', username: 'bnk100', password: 'full' }),
    })
    const { access } = await issue({ link_id: link.json().id })
    await verifyWidgetToken(ctx(), access, { type: 'access' })
    const deleted = await h.app.inject({ method: 'DELETE', url: `/api/links/${link.json().id}/`, headers: { authorization: h.auth } })
    expect(deleted.statusCode).toBe(204)
    expect(await rejection(verifyWidgetToken(ctx(), access, { type: 'access' }))).toEqual({ code: 'authentication_failed', variant: 'widget_token' })
  })
})
