import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runScheduler } from '../../src/domain/sync.ts'
import { ABOUT_TO_EXPIRE_DAYS } from '../../src/domain/consents.ts'
import { createHarness, type CallResult, type Harness } from '../helpers/harness.ts'
import { expectSpec } from '../helpers/spec.ts'
import { bankPage as page, hiddenFields } from '../helpers/bank-pages.ts'

/**
 * Open Finance Brasil consents (issue 15): the widget's consent calls, the sandbox mock bank's
 * authorization page (real HTML forms, posted as a browser would), the link an authorised consent
 * makes, GET /api/consents/, expiry with its webhook, and renewal through the widget's update mode.
 */

const CPF = '76109277673'
const OFDA_WIDGET = {
  openfinance_feature: 'consent_link_creation',
  callback_urls: { success: 'https://app.example.com/success', exit: 'https://app.example.com/exit', event: 'https://app.example.com/event' },
  branding: {
    company_icon: 'https://mysite.com/icon.svg',
    company_logo: 'https://mysite.com/logo.svg',
    company_name: 'ACME',
    company_terms_url: 'https://belvo.com/terms-service/',
  },
  consent: {
    purpose: 'Soluções financeiras personalizadas.',
    terms_and_conditions_url: 'https://www.your_terms_and_conditions.com',
    permissions: ['REGISTER', 'ACCOUNTS', 'CREDIT_CARDS', 'CREDIT_OPERATIONS'],
    identification_info: [{ type: 'CPF', number: CPF, name: 'Ralph Bragg' }],
    default_consent_duration_days: 92,
  },
}
const SCOPES = 'read_institutions,write_links,read_consents,write_consents,write_consent_callback,delete_consents'

/** A widget access token of `h`'s organization (OFDA settings unless `body` changes them). */
async function widgetToken(h: Harness, body: Record<string, unknown> = {}, auth?: string): Promise<string> {
  const res = await h.call(
    'POST',
    '/api/token/',
    { scopes: SCOPES, fetch_resources: ['ACCOUNTS', 'OWNERS'], stale_in: '300d', widget: OFDA_WIDGET, ...body },
    { auth },
  )
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body.access
}

const bearer = (token: string) => `Bearer ${token}`

function startConsent(h: Harness, token: string, body: Record<string, unknown> = {}) {
  return h.call('POST', '/widget/api/consents', { institution: 'ofmockbank_br_retail', ...body }, { auth: bearer(token) })
}

/** Through the bank: open the page, log in with `cpf`, then approve or reject. */
async function authorize(h: Harness, authorizationUrl: string, decision: 'approve' | 'reject', cpf = CPF) {
  const login = await page(h, authorizationUrl)
  expect(login.status, login.html).toBe(200)
  const review = await page(h, '/sandbox/openfinance/authorize/login', { ...hiddenFields(login.html), cpf })
  expect(review.status, review.html).toBe(200)
  const form = hiddenFields(review.html)
  const decided = await page(h, '/sandbox/openfinance/authorize/decision', { ...form, decision })
  return { login, review, form, decided }
}

function expectError(res: CallResult, status: number, code: string, field?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status)
  expect(res.body).toHaveLength(1)
  expect(res.body[0]).toMatchObject({ code, ...(field ? { field } : {}) })
  expect(res.body[0].request_id).toMatch(/^[a-f0-9]{32}$/)
}

describe('consents', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())

  describe('widget consent and the mock bank', () => {
    it('creates a consent from the token settings, awaiting authorisation, with the bank page to open', async () => {
      const token = await widgetToken(h)
      const res = await startConsent(h, token)
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      const { consent, authorization_url } = res.body
      expectSpec('current', 'Consents', consent)
      expect(consent).toMatchObject({
        status: 'AWAITING_AUTHORISATION',
        document_number: CPF,
        user_name: 'Ralph Bragg',
        belvo_institution_name: 'ofmockbank_br_retail',
        institution_display_name: 'OF Mock Bank by Raidiam',
        consent_duration: 92,
        undefined_consent_expiration: false,
        link_id: null,
      })
      expect(consent.permissions.ACCOUNTS).toContain('ACCOUNTS_READ')
      expect(consent.permissions.RESOURCES).toEqual(['RESOURCES_READ'])
      expect(consent.permissions.INVESTMENTS).toEqual([])
      const url = new URL(authorization_url)
      expect(url.pathname).toBe('/sandbox/openfinance/authorize')
      expect(url.searchParams.get('consent_id')).toBe(consent.id)
      expect(new URL(url.searchParams.get('redirect_uri')!).pathname).toBe('/widget/')
      const status = await h.call('GET', `/widget/api/consents/${consent.id}`, undefined, { auth: bearer(token) })
      expect(status.status).toBe(200)
      expect(status.body.status).toBe('AWAITING_AUTHORISATION')
    })

    it('takes the duration and identification from the request; indefinite consents have no expiry', async () => {
      const res = await startConsent(h, await widgetToken(h), { duration_days: null, identification: { type: 'CPF', number: '761.092.776-73' } })
      expect(res.status).toBe(201)
      expectSpec('current', 'Consents', res.body.consent)
      expect(res.body.consent).toMatchObject({ consent_duration: null, undefined_consent_expiration: true, expired_at: null, document_number: CPF })
    })

    it("refuses what Belvo's widget would: no scope, no token, a credentials institution, an unknown duration or permission", async () => {
      const narrow = await widgetToken(h, { scopes: 'read_institutions,write_links' })
      expectError(await startConsent(h, narrow), 403, 'access_to_resource_denied')
      expectError(await h.call('POST', '/widget/api/consents', { institution: 'ofmockbank_br_retail' }, { auth: null }), 401, 'authentication_failed')
      expectError(await h.call('POST', '/widget/api/consents', { institution: 'ofmockbank_br_retail' }), 401, 'authentication_failed')
      const token = await widgetToken(h)
      expectError(await startConsent(h, token, { institution: 'erebor_br_retail' }), 400, 'invalid', 'institution')
      expectError(await startConsent(h, token, { institution: 'narnia' }), 400, 'does_not_exist', 'institution')
      expectError(await startConsent(h, token, { duration_days: 30 }), 400, 'invalid_choice', 'duration_days')
      expectError(await startConsent(h, token, { permissions: ['PAYMENTS'] }), 400, 'invalid_choice', 'permissions')
      const anonymous = await widgetToken(h, { widget: { callback_urls: OFDA_WIDGET.callback_urls } })
      expectError(await startConsent(h, anonymous), 400, 'required', 'identification')
    })

    it('serves an accessible page in Portuguese by default, English and Spanish on request', async () => {
      const { authorization_url } = (await startConsent(h, await widgetToken(h))).body
      const pt = await page(h, authorization_url)
      expect(pt.status).toBe(200)
      expect(pt.html).toContain('<html lang="pt-BR">')
      expect(pt.html).toMatch(/<label for="cpf">CPF<\/label>/)
      expect(pt.html).toContain('id="cpf" name="cpf"')
      expect(pt.html).toContain(':focus-visible')
      expect(pt.html).toContain('role="banner"')
      expect(pt.html).toContain('Entrar')
      expect(pt.html).toContain('pede acesso aos seus dados')
      const en = await page(h, `${authorization_url}&locale=en`)
      expect(en.html).toContain('<html lang="en">')
      expect(en.html).toContain('Log in')
      const es = await page(h, `${authorization_url}&locale=es`)
      expect(es.html).toContain('<html lang="es">')
      expect(es.html).toContain('Iniciar sesión')
    })

    it('shows a wrong or unknown CPF on the page itself, and lets the person try again', async () => {
      const { authorization_url, consent } = (await startConsent(h, await widgetToken(h))).body
      const login = await page(h, `${authorization_url}&locale=en`)
      const fields = hiddenFields(login.html)
      const unknown = await page(h, '/sandbox/openfinance/authorize/login', { ...fields, cpf: '12345678909' })
      expect(unknown.status).toBe(400)
      expect(unknown.html).toContain('role="alert"')
      expect(unknown.html).toContain('We found no customer with this CPF.')
      expect(unknown.html).toContain('aria-invalid="true"')
      const malformed = await page(h, '/sandbox/openfinance/authorize/login', { ...fields, cpf: 'abc' })
      expect(malformed.html).toContain('Enter a valid CPF')
      const right = await page(h, '/sandbox/openfinance/authorize/login', { ...fields, cpf: '761.092.776-73' })
      expect(right.status).toBe(200)
      expect(right.html).toContain('Review the consent')
      expect(right.html).toContain('Ralph Bragg')
      expect(right.html).toContain('Soluções financeiras personalizadas.')
      expect(right.html).toContain('ACCOUNTS_READ')
      expect(right.html).toContain('(92 days)')
      expect((await h.call('GET', `/api/consents/${consent.id}/`)).body.status).toBe('AWAITING_AUTHORISATION')
    })

    it("refuses a CPF the bank knows that is not the consent's holder", async () => {
      const token = await widgetToken(h, {
        widget: { ...OFDA_WIDGET, consent: { ...OFDA_WIDGET.consent, identification_info: [{ type: 'CPF', number: '12345678909', name: 'Other' }] } },
      })
      const { authorization_url } = (await startConsent(h, token)).body
      const login = await page(h, authorization_url)
      const res = await page(h, '/sandbox/openfinance/authorize/login', { ...hiddenFields(login.html), cpf: CPF })
      expect(res.status).toBe(400)
      expect(res.html).toContain('Este CPF não é o do titular deste pedido de consentimento.')
    })

    it('approves: AUTHORISED, expiry from now, back to the redirect_uri with consent_id and result', async () => {
      const token = await widgetToken(h)
      const { consent, authorization_url } = (await startConsent(h, token)).body
      const { decided, form } = await authorize(h, authorization_url, 'approve')
      expect(decided.status).toBe(303)
      const back = new URL(decided.location!)
      expect(back.pathname).toBe('/widget/')
      expect(back.searchParams.get('consent_id')).toBe(consent.id)
      expect(back.searchParams.get('result')).toBe('approved')
      const after = (await h.call('GET', `/widget/api/consents/${consent.id}`, undefined, { auth: bearer(token) })).body
      expectSpec('current', 'Consents', after)
      expect(after).toMatchObject({ status: 'AUTHORISED', display_name: 'Ralph Bragg' })
      expect(Date.parse(after.expired_at)).toBe(h.clock.now().getTime() + 92 * 86_400_000)

      // A replayed form (the same nonce) changes nothing: the consent is decided.
      const replay = await page(h, '/sandbox/openfinance/authorize/decision', { ...form, decision: 'reject' })
      expect(replay.status).toBe(409)
      expect(replay.html).toContain('já foi respondido')
      expect((await h.call('GET', `/api/consents/${consent.id}/`)).body.status).toBe('AUTHORISED')
      // And the page itself no longer offers it.
      expect((await page(h, authorization_url)).status).toBe(409)
    })

    it("rejects: REJECTED, result=rejected, and the link is refused with Belvo's login error", async () => {
      const token = await widgetToken(h)
      const { consent, authorization_url } = (await startConsent(h, token)).body
      const { decided } = await authorize(h, authorization_url, 'reject')
      expect(decided.status).toBe(303)
      expect(new URL(decided.location!).searchParams.get('result')).toBe('rejected')
      expect((await h.call('GET', `/api/consents/${consent.id}/`)).body.status).toBe('REJECTED')
      const link = await h.call('POST', `/widget/api/consents/${consent.id}/link`, {}, { auth: bearer(token) })
      expectError(link, 400, 'login_error')
      expect(link.body[0].message).toBe('The user account access was forbidden by the institution')
    })

    it("makes a single link when the token keeps the credentials for days only, with the token's external_id", async () => {
      const token = await widgetToken(h, { credentials_storage: '30d', widget: { ...OFDA_WIDGET, external_id: 'from-token' } })
      const { consent, authorization_url } = (await startConsent(h, token)).body
      await authorize(h, authorization_url, 'approve')
      const res = await h.call('POST', `/widget/api/consents/${consent.id}/link`, { external_id: 'from-url' }, { auth: bearer(token) })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      expect(res.body.link).toMatchObject({
        access_mode: 'single',
        credentials_storage: '30d',
        external_id: 'from-token',
        fetch_resources: ['ACCOUNTS', 'OWNERS'],
      })
      // One consent, one link: the same consent cannot make a second one (the token is spent too).
      const token2 = await widgetToken(h)
      expectError(await h.call('POST', `/widget/api/consents/${consent.id}/link`, {}, { auth: bearer(token2) }), 404, 'not_found')
    })

    it('refuses a form without the consent nonce, and a link before the authorisation', async () => {
      const token = await widgetToken(h)
      const { consent, authorization_url } = (await startConsent(h, token)).body
      const login = await page(h, authorization_url)
      const forged = await page(h, '/sandbox/openfinance/authorize/decision', {
        ...hiddenFields(login.html),
        nonce: 'f'.repeat(32),
        cpf: CPF,
        decision: 'approve',
      })
      expect(forged.status).toBe(400)
      expect((await h.call('GET', `/api/consents/${consent.id}/`)).body.status).toBe('AWAITING_AUTHORISATION')
      expectError(await h.call('POST', `/widget/api/consents/${consent.id}/link`, {}, { auth: bearer(token) }), 400, 'unconfirmed_link')
      expect((await page(h, '/sandbox/openfinance/authorize?consent_id=00000000-0000-4000-8000-000000000000&redirect_uri=/widget/')).status).toBe(404)
    })

    it("refuses open redirects: only this server's /widget/ pages and the token's callback hosts", async () => {
      const token = await widgetToken(h)
      expectError(await startConsent(h, token, { redirect_uri: 'https://evil.example/widget/' }), 400, 'invalid', 'redirect_uri')
      expectError(await startConsent(h, token, { redirect_uri: 'javascript:alert(1)' }), 400, 'invalid', 'redirect_uri')
      const { consent } = (await startConsent(h, token)).body
      for (const bad of ['https://evil.example/', '//evil.example/widget/', '/api/links/', 'javascript:alert(1)', '/\\evil.example/']) {
        const res = await page(h, `/sandbox/openfinance/authorize?consent_id=${consent.id}&redirect_uri=${encodeURIComponent(bad)}`)
        expect(res.status, bad).toBe(400)
        expect(res.html).toContain('não é permitido')
      }
      // A page of the customer's app (a callback host) is fine, and so is the decision's redirect there.
      const app = 'https://app.example.com/open-finance/return?state=abc'
      const created = (await startConsent(h, token, { redirect_uri: app })).body
      const { decided } = await authorize(h, created.authorization_url, 'approve')
      const back = new URL(decided.location!)
      expect(back.origin + back.pathname).toBe('https://app.example.com/open-finance/return')
      expect(back.searchParams.get('state')).toBe('abc')
      expect(back.searchParams.get('result')).toBe('approved')
      // A decision posted with another redirect_uri than an allowed one is refused too.
      const other = (await startConsent(h, token)).body
      const login = await page(h, other.authorization_url)
      const res = await page(h, '/sandbox/openfinance/authorize/decision', {
        ...hiddenFields(login.html),
        redirect_uri: 'https://evil.example/',
        cpf: CPF,
        decision: 'approve',
      })
      expect(res.status).toBe(400)
      expect((await h.call('GET', `/api/consents/${other.consent.id}/`)).body.status).toBe('AWAITING_AUTHORISATION')
    })
  })

  describe('GET /api/consents/', () => {
    it("requires user_document (Belvo's 400) and checks it is a CPF or CNPJ", async () => {
      expectError(await h.call('GET', '/api/consents/'), 400, 'required', 'user_document')
      expectError(await h.call('GET', '/api/consents/?user_document=123'), 400, 'invalid', 'user_document')
    })

    it("lists one user's consents in Belvo's page envelope, filtered and paginated", async () => {
      const token = await widgetToken(h)
      const first = (await startConsent(h, token)).body
      await authorize(h, first.authorization_url, 'approve')
      await startConsent(h, token)
      const all = await h.call('GET', `/api/consents/?user_document=${CPF}`)
      expect(all.status).toBe(200)
      expect(all.body.count).toBeGreaterThanOrEqual(2)
      expect(all.body).toHaveProperty('next')
      expect(all.body).toHaveProperty('previous')
      for (const consent of all.body.results) expectSpec('current', 'Consents', consent)
      const formatted = await h.call('GET', '/api/consents/?user_document=761.092.776-73')
      expect(formatted.body.count).toBe(all.body.count)
      const authorised = await h.call('GET', `/api/consents/?user_document=${CPF}&status=AUTHORISED`)
      expect(authorised.body.results.every((c: any) => c.status === 'AUTHORISED')).toBe(true)
      expect(authorised.body.results.map((c: any) => c.id)).toContain(first.consent.id)
      const paged = await h.call('GET', `/api/consents/?user_document=${CPF}&page_size=1`)
      expect(paged.body.results).toHaveLength(1)
      expect(paged.body.next).toContain('page=2')
      expect(paged.body.next).toContain(`user_document=${CPF}`)
      expect((await h.call('GET', '/api/consents/?user_document=98765432100')).body).toMatchObject({ count: 0, results: [] })
      expectError(await h.call('GET', `/api/consents/?user_document=${CPF}&status=DONE`), 400, 'invalid_choice')
      // Another organization sees none of them.
      expect((await h.call('GET', `/api/consents/?user_document=${CPF}`, undefined, { auth: h.otherAuth })).body.count).toBe(0)
    })

    it("details a consent; another organization's, or an unknown id, is a 404", async () => {
      const { consent } = (await startConsent(h, await widgetToken(h))).body
      const res = await h.call('GET', `/api/consents/${consent.id}/`)
      expect(res.status).toBe(200)
      expectSpec('current', 'Consents', res.body)
      expect(res.body).toEqual(consent)
      expectError(await h.call('GET', `/api/consents/${consent.id}/`, undefined, { auth: h.otherAuth }), 404, 'not_found')
      expectError(await h.call('GET', '/api/consents/not-a-uuid/'), 404, 'not_found')
      expectError(await h.call('GET', `/api/consents/${consent.id}/`, undefined, { auth: null }), 401, 'authentication_failed')
      // Nor does another organization's widget token reach it.
      const foreign = await widgetToken(h, {}, h.otherAuth)
      expectError(await h.call('GET', `/widget/api/consents/${consent.id}`, undefined, { auth: bearer(foreign) }), 404, 'not_found')
    })
  })

  it('POST /api/links/ refuses open-finance institutions: their links come from a consent', async () => {
    const res = await h.call('POST', '/api/links/', { institution: 'ofmockbank_br_retail', username: CPF, password: 'x' })
    expectError(res, 400, 'unsupported_operation', 'institution')
    expect(res.body[0].message).toMatch(/widget/)
  })
})

describe('links from consents, expiry and renewal', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())

  it('makes the link of an authorised consent with the token settings, fetches it, expires it, and renews it', async () => {
    const receiver = await h.receiveWebhooks('Bearer consent-secret')
    await h.startWorker()
    const token = await widgetToken(h)
    const { consent, authorization_url } = (await startConsent(h, token)).body
    await authorize(h, authorization_url, 'approve')

    const created = await h.call('POST', `/widget/api/consents/${consent.id}/link`, { external_id: 'customer-7' }, { auth: bearer(token) })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body.institution).toBe('ofmockbank_br_retail')
    const linkId = created.body.link.id
    const link = (await h.call('GET', `/api/links/${linkId}/`)).body
    expect(link).toMatchObject({
      institution: 'ofmockbank_br_retail',
      status: 'valid',
      access_mode: 'recurrent',
      fetch_resources: ['ACCOUNTS', 'OWNERS'],
      stale_in: '300d',
      external_id: 'customer-7',
    })
    expect((await h.call('GET', `/api/consents/${consent.id}/`)).body.link_id).toBe(linkId)
    // The historical update runs as for any new link.
    await receiver.waitFor((hits) => hits.some((hit) => hit.body.webhook_type === 'ACCOUNTS' && hit.body.link_id === linkId))
    expect((await h.call('GET', `/api/accounts/?link=${linkId}`)).body.count).toBeGreaterThan(0)
    // The token is spent by the connection.
    expectError(await h.call('GET', `/widget/api/consents/${consent.id}`, undefined, { auth: bearer(token) }), 401, 'authentication_failed')

    // A week before the expiry: the CONSENT webhook, once.
    h.clock.advance((92 - ABOUT_TO_EXPIRE_DAYS) * 86_400_000 + 60_000)
    expect((await runScheduler(h.app.deps.domain)).consents.announced).toBe(1)
    expect((await runScheduler(h.app.deps.domain)).consents.announced).toBe(0)
    const [notice] = await receiver
      .waitFor((hits) => hits.some((hit) => hit.body.webhook_code === 'openfinance_consent_about_to_expire'))
      .then((hits) => hits.filter((hit) => hit.body.webhook_code === 'openfinance_consent_about_to_expire'))
    expect(notice.headers.authorization).toBe('Bearer consent-secret')
    expect(notice.body).toMatchObject({
      webhook_type: 'CONSENT',
      link_id: linkId,
      external_id: 'customer-7',
      data: { consent_id: consent.id, consent_due_date: (await h.call('GET', `/api/consents/${consent.id}/`)).body.expired_at },
    })

    // Past the expiry: EXPIRED, and the link's updates fail with consent_expired.
    h.clock.advance(ABOUT_TO_EXPIRE_DAYS * 86_400_000)
    const pass = await runScheduler(h.app.deps.domain)
    expect(pass.consents.expired).toBe(1)
    // The link's scheduled refresh came due too: it stops quietly (no retries, no LINK webhook).
    expect(pass.refreshes).toBe(1)
    await vi.waitFor(async () => expect((await h.call('GET', `/api/links/${linkId}/`)).body.background_work).toBeNull(), { timeout: 20_000, interval: 100 })
    expect((await h.call('GET', `/api/links/${linkId}/`)).body.status).toBe('valid')
    expect(receiver.hits.some((hit) => hit.body.webhook_type === 'LINK')).toBe(false)
    const expired = (await h.call('GET', `/api/consents/${consent.id}/`)).body
    expectSpec('current', 'Consents', expired)
    expect(expired.status).toBe('EXPIRED')
    expectError(await h.call('POST', `/api/links/${linkId}/refresh/`, {}), 401, 'consent_expired')
    expectError(await h.call('POST', '/api/accounts/', { link: linkId }), 401, 'consent_expired')
    // One event (deliveries are at least once: a redelivery carries the same event id).
    const notices = receiver.hits.filter((hit) => hit.body.webhook_code === 'openfinance_consent_about_to_expire')
    expect(new Set(notices.map((hit) => hit.eventId)).size).toBe(1)

    // Renewal: the widget's update mode (a token with the link's id) makes a new consent for the link.
    const renewal = await widgetToken(h, { link_id: linkId })
    expectError(await startConsent(h, renewal, { institution: 'gringotts_br_retail' }), 400, 'invalid', 'institution')
    const renewed = (await startConsent(h, renewal)).body
    expect(renewed.consent).toMatchObject({ status: 'AWAITING_AUTHORISATION', link_id: linkId })
    await authorize(h, renewed.authorization_url, 'approve')
    const again = await h.call('POST', `/widget/api/consents/${renewed.consent.id}/link`, {}, { auth: bearer(renewal) })
    expect(again.status, JSON.stringify(again.body)).toBe(201)
    expect(again.body.link.id).toBe(linkId)
    expect((await h.call('POST', '/api/accounts/', { link: linkId })).status).toBe(201)
    const refreshed = await h.call('POST', `/api/links/${linkId}/refresh/`, {})
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(202)
    const listed = await h.call('GET', `/api/consents/?user_document=${CPF}&link_id=${linkId}`)
    expect(listed.body.results.map((c: any) => c.status).sort()).toEqual(['AUTHORISED', 'EXPIRED'])
  })
})

describe('the bank page names the requester; consents not authorised within the hour are rejected', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())

  const MINUTE = 60_000

  it("names the token's branding company as the requester, else the organization", async () => {
    const branded = await widgetToken(h, { widget: { ...OFDA_WIDGET, branding: { ...OFDA_WIDGET.branding, company_name: 'Acme Lending' } } })
    const { authorization_url } = (await startConsent(h, branded)).body
    const { login, review } = await authorize(h, `${authorization_url}&locale=en`, 'approve')
    expect(login.html).toContain('Acme Lending asks for access to your data through Open Finance.')
    expect(review.html).toContain('Hello, Ralph Bragg. Acme Lending asks for access to the data below.')

    const { branding: _, ...unbranded } = OFDA_WIDGET
    const plain = (await startConsent(h, await widgetToken(h, { widget: unbranded }))).body
    const organization = plain.consent.belvo_organization_name
    expect(organization).not.toBe('')
    const page2 = await page(h, `${plain.authorization_url}&locale=en`)
    expect(page2.html).toContain(`${organization} asks for access to your data through Open Finance.`)
    expect(page2.html).not.toContain('Acme Lending')
  })

  it('rejects at the hour: the bank page says the request expired, without the scheduler', async () => {
    const token = await widgetToken(h)
    const { consent, authorization_url } = (await startConsent(h, token)).body
    const login = await page(h, `${authorization_url}&locale=en`)
    expect(login.status).toBe(200)
    const review = await page(h, '/sandbox/openfinance/authorize/login', { ...hiddenFields(login.html), cpf: CPF })
    expect(review.status).toBe(200)
    h.clock.advance(59 * MINUTE)
    expect((await page(h, authorization_url)).status).toBe(200)

    // The person comes back to decide at the hour: too late.
    h.clock.advance(MINUTE)
    const decided = await page(h, '/sandbox/openfinance/authorize/decision', { ...hiddenFields(review.html), decision: 'approve' })
    expect(decided.status).toBe(410)
    expect(decided.html).toContain('role="alert"')
    expect(decided.html).toContain('This consent request expired: it was not authorised within 60 minutes.')
    const again = await page(h, authorization_url)
    expect(again.status).toBe(410)
    expect(again.html).toContain('Este pedido de consentimento expirou')
    const rejected = (await h.call('GET', `/api/consents/${consent.id}/`)).body
    expectSpec('current', 'Consents', rejected)
    expect(rejected).toMatchObject({ status: 'REJECTED', display_name: null })

    // A consent the person rejected at the bank is an answered one, not an expired one.
    const other = (await startConsent(h, await widgetToken(h))).body
    await authorize(h, other.authorization_url, 'reject')
    h.clock.advance(2 * 60 * MINUTE)
    const answered = await page(h, other.authorization_url)
    expect(answered.status).toBe(409)
    expect(answered.html).toContain('já foi respondido')
  })

  it('the widget sees the rejection: its status, and the link refused with the rejected error', async () => {
    const token = await widgetToken(h)
    const { consent } = (await startConsent(h, token)).body
    // The widget's token ends within the hour of POST /api/token/ (REFRESH_TOKEN_SECONDS), so the
    // consent is aged in the database instead of on the clock: the token stays valid.
    await h.db.query(`UPDATE consents SET created_at = created_at - interval '61 minutes' WHERE id = $1`, [consent.id])
    const status = await h.call('GET', `/widget/api/consents/${consent.id}`, undefined, { auth: bearer(token) })
    expect(status.status).toBe(200)
    expect(status.body.status).toBe('REJECTED')
    const link = await h.call('POST', `/widget/api/consents/${consent.id}/link`, {}, { auth: bearer(token) })
    expectError(link, 400, 'login_error')
    expect(link.body[0].message).toBe('The user account access was forbidden by the institution')

    // Listings show the status of now too.
    const late = (await startConsent(h, token)).body.consent
    await h.db.query(`UPDATE consents SET created_at = created_at - interval '61 minutes' WHERE id = $1`, [late.id])
    const awaiting = await h.call('GET', `/api/consents/?user_document=${CPF}&status=AWAITING_AUTHORISATION`)
    expect(awaiting.body.results.map((c: any) => c.id)).not.toContain(late.id)
    const listed = await h.call('GET', `/api/consents/?user_document=${CPF}&id=${late.id}`)
    expect(listed.body.results[0].status).toBe('REJECTED')
  })

  it('the scheduler rejects consents still awaiting authorisation after the hour, once', async () => {
    const fresh = (await startConsent(h, await widgetToken(h))).body.consent
    const stale = (await startConsent(h, await widgetToken(h))).body.consent
    await h.db.query(`UPDATE consents SET created_at = created_at - interval '60 minutes' WHERE id = $1`, [stale.id])
    const statusOf = async (id: string) => (await h.db.query<{ status: string }>('SELECT status FROM consents WHERE id = $1', [id]))[0].status
    const pass = await runScheduler(h.app.deps.domain)
    expect(pass.consents.rejected).toBeGreaterThanOrEqual(1)
    expect(await statusOf(stale.id)).toBe('REJECTED')
    expect(await statusOf(fresh.id)).toBe('AWAITING_AUTHORISATION')
    expect((await runScheduler(h.app.deps.domain)).consents.rejected).toBe(0)
  })
})
