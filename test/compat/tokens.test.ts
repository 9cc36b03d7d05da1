import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyWidgetToken } from '../../src/domain/widget-tokens.ts'
import { Client, type BelvoClient } from '../helpers/belvo.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { expectSpec } from '../helpers/spec.ts'

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))

/** The official belvo@0.28.0 npm SDK's widget token methods, over real HTTP. */
describe('official belvo SDK: widget access tokens', () => {
  let h: Harness
  let client: BelvoClient
  let url: string
  let linkId: string
  beforeAll(async () => {
    h = await createHarness()
    url = await h.listen()
    client = new Client(h.key.id, h.key.password, url)
    await client.connect()
    linkId = (await client.links.register('erebor_mx_retail', 'bnk100', 'full')).id
  })
  afterAll(async () => h.close())

  it("widgetToken.create() with no options: the SDK's default scopes, id and password in the body", async () => {
    const token = await client.widgetToken.create()
    expectSpec('current', 'WidgetToken', token)
    expect(claims(token.access)).toMatchObject({ token_type: 'access', scopes: ['read_institutions', 'write_links'], organization_id: h.key.organizationId })
    expect(claims(token.access)).not.toHaveProperty('link')
    expect(claims(token.refresh)).toMatchObject({ token_type: 'refresh' })
    // The server can read back what it issued.
    const session = await verifyWidgetToken(h.app.deps.domain, token.access, { type: 'access' })
    expect(session).toMatchObject({ secret_key_id: h.key.id, widget: null, link_id: null })
  })

  it('widgetToken.create() with a link, scopes and a widget configuration', async () => {
    const widget = {
      callback_urls: { success: 'app://success', exit: 'app://exit', event: 'app://error' },
      branding: {
        company_icon: 'https://mysite.com/icon.svg',
        company_logo: 'https://mysite.com/logo.svg',
        company_name: 'ACME',
        company_terms_url: 'https://belvo.com/terms-service/',
      },
    }
    const token = await client.widgetToken.create({ link: linkId, scopes: 'read_institutions,write_links,read_links', widget })
    expectSpec('current', 'WidgetToken', token)
    expect(claims(token.access)).toMatchObject({
      link: { id: linkId, status: 'valid', institution: 'erebor_mx_retail' },
      scopes: ['read_institutions', 'write_links', 'read_links'],
    })
    const session = await verifyWidgetToken(h.app.deps.domain, token.refresh, { type: 'refresh' })
    expect(session).toMatchObject({ link_id: linkId, widget })
  })

  it('links.token(id, scopes): Basic auth only, {link_id, scopes}', async () => {
    const token = await client.links.token(linkId, 'read_institutions,write_links,read_links,delete_links')
    expectSpec('current', 'WidgetToken', token)
    expect(claims(token.access)).toMatchObject({ link: { id: linkId }, scopes: ['read_institutions', 'write_links', 'read_links', 'delete_links'] })
  })

  it('links.token(id) without scopes uses the default scopes', async () => {
    expect(claims((await client.links.token(linkId)).access).scopes).toEqual(['read_institutions', 'write_links'])
  })

  it("surfaces Belvo's 400 errors as RequestError", async () => {
    const unknown = await client.links.token('0190f5b2-7c1e-7000-8000-000000000000', 'read_links').catch((e: unknown) => e)
    expect(unknown).toMatchObject({ statusCode: 400, detail: [{ code: 'does_not_exist', field: 'link_id' }] })
    const scopes = await client.widgetToken.create({ scopes: 'read_everything' }).catch((e: unknown) => e)
    expect(scopes).toMatchObject({
      statusCode: 400,
      detail: [{ code: 'invalid_choice', field: 'scopes', message: '"read_everything" is not a valid choice.' }],
    })
  })

  it('answers 401 when the key in the body is not the one that authenticated', async () => {
    const other = new Client(h.otherKey.id, h.otherKey.password, url)
    await other.connect()
    // The SDK puts its own key in the body; make the session send Basic auth of another key.
    ;(other as unknown as { session: { session: { defaults: { auth: unknown } } } }).session.session.defaults.auth = {
      username: h.key.id,
      password: h.key.password,
    }
    const error = await other.widgetToken.create().catch((e: unknown) => e)
    expect(error).toMatchObject({ statusCode: 401, detail: [{ code: 'authentication_failed', message: 'Invalid Secret Keys' }] })
  })
})
