/**
 * The connect flow: which screen shows, what each action calls, and what is reported to the page
 * or app that opened the widget. Screens are in steps.tsx; the server's API in api.ts.
 *
 * create mode:  intro → institutions → credentials → (mfa) → success
 *                                    ↘ openfinance-consent → institution's page → (back) → success
 * update mode:  credentials of the token's link → (mfa) → success
 * Any failure shows `error` (with "Try again" when trying again can help); a token that cannot be
 * used shows `token-error`. The close button asks before leaving.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ApiError, type Connected, type ErrorItem, type Institution, type Session, type TokenChallenge, WidgetApi } from './api.ts'
import { hasErrorMessage, pickLocale, translator, type MessageKey } from './i18n.ts'
import { Host, pickError, returnUrl, type StartParams } from './host.ts'
import { Credentials, Dialog, Institutions, Intro, Loading, Message, Mfa, OpenFinanceConsent, Success, type ConsentRequest } from './steps.tsx'
import { BrandMark, Frame, readableOn } from './ui.tsx'

type Step =
  | { name: 'loading' }
  | { name: 'token-error'; kind: 'missing' | 'invalid' | 'expired' | 'spent'; detail?: string }
  | { name: 'intro' }
  | { name: 'institutions' }
  | { name: 'credentials'; institution: Institution }
  | { name: 'mfa'; institution: Institution; challenge: TokenChallenge; rejected: boolean }
  | { name: 'openfinance-consent'; institution: Institution }
  | { name: 'openfinance-waiting'; institution: Institution; url: string }
  | { name: 'openfinance-return'; institution: string }
  | { name: 'success'; link: string; institution: string; display: string }
  | { name: 'error'; error: ErrorItem; retry: (() => void) | null }
  | { name: 'exited' }

/** Remembered across the trip to the institution's authorization page (same tab, same widget URL). */
const PENDING_CONSENT = 'ponte-widget-consent-institution'
/** The name of the window the embedded widget opens the institution's page in. */
const CONSENT_WINDOW = 'ponte-openfinance'

/** The access token's expiry, read without checking it (the server checks): only to tell "expired" from "invalid". */
function tokenExpired(token: string): boolean {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number }
    return typeof payload.exp === 'number' && payload.exp * 1000 < Date.now()
  } catch {
    return false
  }
}

/** Applies the token's branding: theme variables, the overlay colour, and readable text on the primary colour. */
function applyTheme(session: Session): void {
  const root = document.documentElement.style
  for (const entry of session.widget?.theme ?? []) {
    // Only custom properties: a theme entry cannot restyle anything the widget did not expose.
    if (/^--[\w-]+$/.test(entry.css_key) && typeof entry.value === 'string') root.setProperty(entry.css_key, entry.value)
  }
  const overlay = session.widget?.branding?.overlay_background_color
  if (overlay) root.setProperty('--overlay', overlay)
  const primary = getComputedStyle(document.documentElement).getPropertyValue('--color-primary-base').trim()
  if (primary) root.setProperty('--color-on-primary', readableOn(primary))
}

export function App(props: { params: StartParams }) {
  const { params } = props
  const locale = useMemo(() => pickLocale(params.locale, navigator.languages?.length ? navigator.languages : [navigator.language]), [params.locale])
  const t = useMemo(() => translator(locale), [locale])
  const preferredCountries = useMemo(() => {
    // Regions of the browser's languages (es-CO → CO), then the usual country of the page's language.
    const regions = (navigator.languages ?? []).map((tag) => tag.split(/[-_]/)[1]?.toUpperCase()).filter(Boolean) as string[]
    return [...params.countryCodes, ...regions, ...({ en: ['MX'], es: ['MX', 'CO'], pt: ['BR'] } as const)[locale], 'MX', 'CO', 'BR', 'CL']
  }, [locale, params.countryCodes])
  const api = useMemo(() => (params.token ? new WidgetApi(params.token, locale) : null), [params.token, locale])
  const [session, setSession] = useState<Session | null>(null)
  const sessionRef = useRef<Session | null>(null)
  sessionRef.current = session
  const host = useMemo(() => new Host(params, () => sessionRef.current?.widget ?? null), [params])
  const [step, setStep] = useState<Step>(params.token ? { name: 'loading' } : { name: 'token-error', kind: 'missing' })
  const [institutions, setInstitutions] = useState<Institution[] | null>(null)
  const [institutionsError, setInstitutionsError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({})
  const [typed, setTyped] = useState<Record<string, string>>({})
  const [confirmExit, setConfirmExit] = useState(false)
  const [closed, setClosed] = useState(false)
  const lastError = useRef<ErrorItem | null>(null)
  const previousStep = useRef<string | null>(null)
  const closeButton = useRef<HTMLButtonElement>(null)

  const branding = session?.widget?.branding ?? null
  const company = branding?.company_name ?? undefined
  const institutionName = 'institution' in step ? (typeof step.institution === 'object' ? step.institution.name : step.institution || undefined) : undefined
  const metaData = useCallback(
    () => ({ institution_name: institutionName ?? null, step: step.name, timestamp: new Date().toISOString() }),
    [institutionName, step.name],
  )

  useEffect(() => {
    document.documentElement.lang = locale === 'pt' ? 'pt-BR' : locale
    document.title = company ? t('intro.titleCompany', { company }) : t('intro.title')
  }, [locale, company, t])

  // Every screen shown is an event for the embedding page (Belvo's PAGE_LOAD), and every error too.
  useEffect(() => {
    host.event({
      eventName: 'PAGE_LOAD',
      meta_data: { page: step.name, from: previousStep.current, institution_name: institutionName ?? null, timestamp: new Date().toISOString() },
    })
    previousStep.current = step.name
    if (step.name === 'error' || step.name === 'token-error') {
      const error = step.name === 'error' ? step.error : { code: 'authentication_failed', message: step.detail ?? step.kind }
      host.event({
        eventName: 'ERROR',
        request_id: error.request_id,
        meta_data: { error_code: error.code, error_message: error.message, institution_name: institutionName ?? null, timestamp: new Date().toISOString() },
      })
    }
  }, [step])

  /** A 401 mid-flow: the token expired, was spent by a connection, or is not ours. */
  const tokenError = useCallback(
    (error: ApiError) => {
      const message = error.item.message
      // The code is authentication_failed in every case: the server's message (in the page's
      // language) tells the cases apart; the token's own expiry only when the message does not.
      const kind = /expir/i.test(message)
        ? 'expired'
        : /(used|usad|usó|utiliz)/i.test(message)
          ? 'spent'
          : params.token && tokenExpired(params.token)
            ? 'expired'
            : 'invalid'
      setStep({ name: 'token-error', kind, detail: message })
    },
    [params.token],
  )

  /** Shows an error screen; `retry` is what "Try again" does (none for errors that trying again cannot fix). */
  const fail = useCallback(
    (error: unknown, retry: (() => void) | null) => {
      const item: ErrorItem =
        error instanceof ApiError ? error.item : { code: 'unexpected_error', message: error instanceof Error ? error.message : String(error) }
      if (error instanceof ApiError && error.status === 401) return tokenError(error)
      lastError.current = item
      const fatal = error instanceof ApiError && error.status === 403
      setStep({ name: 'error', error: item, retry: fatal ? null : retry })
    },
    [tokenError],
  )

  const loadInstitutions = useCallback(
    async (current: Session): Promise<Institution[] | null> => {
      if (!api) return null
      setInstitutionsError(null)
      try {
        // Update mode: the link's institution, whatever the URL's filters say.
        const update = current.mode === 'update' && current.link
        const { results } = await api.institutions(
          update
            ? { institutions: current.link!.institution }
            : {
                country_codes: params.countryCodes.join(',') || undefined,
                institution_types: params.institutionTypes.join(',') || undefined,
                institutions: params.institutions.join(',') || undefined,
              },
        )
        setInstitutions(results)
        return results
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) tokenError(error)
        // A token without read_institutions: nothing to try again.
        else if (error instanceof ApiError && error.status === 403) fail(error, null)
        else setInstitutionsError(error instanceof ApiError && error.code === 'network' ? t('error.network') : t('institutions.loadFailed'))
        setInstitutions([])
        return null
      }
    },
    [api, params, t, tokenError, fail],
  )

  const succeed = useCallback(
    (connected: Connected, display: string) => {
      setBusy(false)
      const link = connected.link.id
      const institution = connected.institution ?? connected.link.institution
      host.success(link, institution)
      setStep({ name: 'success', link, institution, display })
    },
    [host],
  )

  /** Back from the institution's Open Finance page: create the link, or show why not. */
  const finishConsent = useCallback(
    async (current: Session, back: { consentId: string; result: string }, remembered: string | null) => {
      if (!api) return
      const retry = () => {
        setStep({ name: 'loading' })
        void start(current, remembered)
      }
      if (back.result !== 'approved') {
        lastError.current = { code: 'consent_rejected', message: 'The consent was rejected at the institution' }
        setStep({ name: 'error', error: lastError.current, retry })
        return
      }
      setStep({ name: 'openfinance-return', institution: remembered ?? '' })
      try {
        const connected = await api.consentLink(back.consentId, {
          ...(params.accessMode ? { access_mode: params.accessMode } : {}),
          ...(params.externalId ? { external_id: params.externalId } : {}),
        })
        succeed(connected, remembered ?? connected.institution)
      } catch (error) {
        // Here Belvo's login_error is the consent's own refusal (rejected, or not authorised within
        // the hour): no credentials were typed, so "the credentials are not correct" would mislead.
        if (error instanceof ApiError && error.code === 'login_error') fail(new ApiError(error.status, { ...error.item, code: 'consent_rejected' }), retry)
        else fail(error, retry)
      }
    },
    [api, params, succeed, fail],
  )

  /** The first screen for this session (or, after a failed Open Finance trip, the consent screen again). */
  const start = async (current: Session, openfinanceInstitution?: string | null) => {
    if (current.mode === 'update' && current.link) {
      const found = await loadInstitutions(current)
      const institution = found?.find((i) => i.name === current.link?.institution) ?? found?.[0]
      // An Open Finance link is renewed with a new consent, a credentials link with new credentials.
      if (institution)
        setStep(institution.integration_type === 'openfinance' ? { name: 'openfinance-consent', institution } : { name: 'credentials', institution })
      else if (found) fail(new ApiError(404, { code: 'institution_unavailable', message: `${current.link.institution} is not available` }), null)
      return
    }
    if (openfinanceInstitution) {
      const found = await loadInstitutions(current)
      const institution = found?.find((i) => i.name === openfinanceInstitution)
      setStep(institution ? { name: 'openfinance-consent', institution } : { name: 'institutions' })
      return
    }
    setStep({ name: 'intro' })
    void loadInstitutions(current)
  }

  // Embedded, the institution's page opens in a window of its own (banks refuse to be framed); back
  // from it, that window hands the answer to the widget that opened it and closes.
  const consentWindow = useRef<{ window: Window | null; institution: Institution } | null>(null)
  const isConsentWindow = !!params.consentReturn && window.name === CONSENT_WINDOW && !!window.opener
  useEffect(() => {
    if (!isConsentWindow || !params.consentReturn) return
    try {
      ;(window.opener as Window).postMessage({ source: 'ponte-widget-consent', ...params.consentReturn }, location.origin)
    } catch {
      // The widget that opened this window is gone: nothing to hand the answer to.
    }
    window.close()
  }, [])
  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      const pending = consentWindow.current
      if (!pending || event.origin !== location.origin || event.source !== pending.window) return
      const data = event.data as { source?: string; consentId?: string; result?: string }
      if (data?.source !== 'ponte-widget-consent' || !data.consentId || !sessionRef.current) return
      consentWindow.current = null
      void finishConsent(sessionRef.current, { consentId: data.consentId, result: data.result ?? '' }, pending.institution.name)
    }
    window.addEventListener('message', onMessage)
    return () => window.removeEventListener('message', onMessage)
  }, [finishConsent])

  useEffect(() => {
    if (!api || !params.token || isConsentWindow) return
    api.session().then(
      (current) => {
        setSession(current)
        applyTheme(current)
        if (params.consentReturn) {
          // The answer is in the URL once: a reload must not try it again.
          history.replaceState(null, '', returnUrl(new URL(location.href)))
          const remembered = sessionStorage.getItem(PENDING_CONSENT)
          sessionStorage.removeItem(PENDING_CONSENT)
          void finishConsent(current, params.consentReturn, remembered)
        } else void start(current)
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401) return tokenError(error)
        fail(error, () => location.reload())
      },
    )
  }, [])

  // Escape asks to leave, from any screen (the dialog handles its own Escape).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !confirmExit && !event.defaultPrevented) requestClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  })

  const leave = () => {
    setConfirmExit(false)
    if (step.name === 'success') return done()
    const sent = host.exit({ last_encountered_error: lastError.current ? pickError(lastError.current) : null, meta_data: metaData() })
    if (!sent || host.embedded) setStep({ name: 'exited' })
  }

  const requestClose = () => {
    if (step.name === 'success') return done()
    if (step.name === 'exited') {
      if (!host.exit({ last_encountered_error: null, meta_data: metaData() })) setClosed(true)
      return
    }
    if (step.name === 'token-error' || !params.closeDialog) return leave()
    setConfirmExit(true)
  }

  const done = () => {
    if (step.name !== 'success') return
    if (!host.finish(step.link, step.institution)) setClosed(true)
  }

  const connect = async (institution: Institution, values: Record<string, string>) => {
    if (!api || !session) return
    setBusy(true)
    setServerErrors({})
    const body: Record<string, unknown> = {}
    for (const field of institution.form_fields) {
      if (field.type === 'hidden' && field.value !== undefined) body[field.name] = field.value
    }
    for (const [name, value] of Object.entries(values)) if (value !== '') body[name] = value
    // Remembered for "Try again": the person retypes the password only.
    setTyped(Object.fromEntries(Object.entries(values).filter(([name]) => !/^password/.test(name))))
    try {
      let connected: Connected
      if (session.mode === 'update' && session.link) {
        connected = await api.updateLink(session.link.id, body)
      } else {
        body.institution = institution.name
        if (params.accessMode) body.access_mode = params.accessMode
        if (params.externalId) body.external_id = params.externalId
        connected = await api.createLink(body)
      }
      succeed(connected, institution.display_name)
    } catch (error) {
      setBusy(false)
      if (error instanceof ApiError && error.status === 428) {
        setStep({ name: 'mfa', institution, challenge: error.item as unknown as TokenChallenge, rejected: false })
        return
      }
      const field = error instanceof ApiError && error.status === 400 ? error.item.field : null
      if (field && institution.form_fields.some((f) => f.name === field)) {
        // A field the person typed was refused: say so beside it.
        setServerErrors({ [field]: error instanceof ApiError ? error.item.message : '' })
        return
      }
      fail(error, () => setStep({ name: 'credentials', institution }))
    }
  }

  const resume = async (institution: Institution, challenge: TokenChallenge, token: string) => {
    if (!api) return
    setBusy(true)
    try {
      const connected = await api.resume({ session: challenge.session, link: challenge.link, token })
      succeed(connected, institution.display_name)
    } catch (error) {
      setBusy(false)
      if (error instanceof ApiError && error.status === 428) {
        lastError.current = error.item
        setStep({ name: 'mfa', institution, challenge: error.item as unknown as TokenChallenge, rejected: true })
        return
      }
      fail(error, () => setStep({ name: 'credentials', institution }))
    }
  }

  const requestConsent = async (institution: Institution, request: ConsentRequest) => {
    if (!api) return
    setBusy(true)
    // Opened now, while the click still allows a new window; pointed at the bank once the consent exists.
    const popup = host.embedded ? window.open('about:blank', CONSENT_WINDOW, 'popup,width=520,height=760') : null
    const redirect = returnUrl(new URL(location.href))
    try {
      const answer = await api.createConsent({ institution: institution.name, redirect_uri: redirect, ...request })
      const target = new URL(answer.authorization_url, location.href)
      if (!target.searchParams.has('redirect_uri')) target.searchParams.set('redirect_uri', redirect)
      if (!target.searchParams.has('locale')) target.searchParams.set('locale', locale)
      if (host.embedded) {
        setBusy(false)
        if (popup) popup.location.href = target.href
        consentWindow.current = { window: popup, institution }
        setStep({ name: 'openfinance-waiting', institution, url: target.href })
        return
      }
      sessionStorage.setItem(PENDING_CONSENT, institution.name)
      location.assign(target.href)
    } catch (error) {
      popup?.close()
      setBusy(false)
      fail(error, () => setStep({ name: 'openfinance-consent', institution }))
    }
  }

  const pick = (institution: Institution) => {
    setServerErrors({})
    setTyped({})
    setStep(institution.integration_type === 'openfinance' ? { name: 'openfinance-consent', institution } : { name: 'credentials', institution })
  }

  const back = (() => {
    if (busy || confirmExit) return null
    if (step.name === 'institutions') return () => setStep({ name: 'intro' })
    if ((step.name === 'credentials' || step.name === 'openfinance-consent') && session?.mode !== 'update') return () => setStep({ name: 'institutions' })
    if (step.name === 'mfa') return () => setStep({ name: 'credentials', institution: step.institution })
    return null
  })()

  const screen = (() => {
    if (isConsentWindow) return <Message step="openfinance-window" tone="neutral" title={t('openfinance.returningTitle')} text={t('closeWindow')} />
    switch (step.name) {
      case 'loading':
        return <Loading t={t} />
      case 'token-error': {
        const key = { missing: 'token.missing', invalid: 'token.invalid', expired: 'token.expired', spent: 'token.spent' }[step.kind]
        return <Message step="token-error" tone="danger" title={t(`${key}Title` as MessageKey)} text={t(`${key}Text` as MessageKey)} detail={step.detail} />
      }
      case 'intro':
        return <Intro t={t} branding={branding} onContinue={() => setStep({ name: 'institutions' })} />
      case 'institutions':
        return (
          <Institutions
            t={t}
            institutions={institutions}
            preferredCountries={preferredCountries}
            loadError={institutionsError}
            onPick={pick}
            onRetry={() => session && void loadInstitutions(session)}
          />
        )
      case 'credentials':
        return (
          <Credentials
            key={step.institution.name}
            t={t}
            institution={step.institution}
            update={session?.mode === 'update'}
            busy={busy}
            serverErrors={serverErrors}
            initial={typed}
            onSubmit={(values) => void connect(step.institution, values)}
          />
        )
      case 'mfa':
        return (
          <Mfa
            key={step.challenge.session}
            t={t}
            institution={step.institution}
            challenge={step.challenge}
            rejected={step.rejected}
            busy={busy}
            onSubmit={(token) => void resume(step.institution, step.challenge, token)}
          />
        )
      case 'openfinance-consent':
        return (
          <OpenFinanceConsent
            t={t}
            institution={step.institution}
            branding={branding}
            consent={session?.widget?.consent ?? null}
            purpose={session?.widget?.purpose ?? null}
            busy={busy}
            onSubmit={(request) => void requestConsent(step.institution, request)}
          />
        )
      case 'openfinance-waiting':
        return (
          <Message
            step="openfinance-waiting"
            tone="neutral"
            title={t('openfinance.waitingTitle', { institution: step.institution.display_name })}
            text={t('openfinance.waitingText')}
          >
            <div class="actions">
              <a
                class="secondary"
                href={step.url}
                target={CONSENT_WINDOW}
                rel="opener"
                onClick={(event) => {
                  event.preventDefault()
                  const opened = window.open(step.url, CONSENT_WINDOW, 'popup,width=520,height=760')
                  consentWindow.current = { window: opened, institution: step.institution }
                }}
              >
                {t('openfinance.reopen', { institution: step.institution.display_name })}
              </a>
            </div>
          </Message>
        )
      case 'openfinance-return':
        return (
          <Message
            step="openfinance-return"
            tone="neutral"
            title={t('openfinance.returningTitle')}
            text={t('openfinance.returningText', { institution: institutions?.find((i) => i.name === step.institution)?.display_name ?? step.institution })}
          />
        )
      case 'success':
        return <Success t={t} institution={step.display} company={company} closed={closed} onDone={done} />
      case 'error': {
        const { error } = step
        const known = hasErrorMessage(error.code)
        const text = known ? t(`error.${error.code}` as MessageKey) : error.field ? t('error.validation', { message: error.message }) : error.message
        return (
          <Message step="error" tone="danger" title={t('error.title')} text={text} detail={t('error.code', { code: error.code })}>
            <div class="actions">
              {step.retry ? (
                <button type="button" class="primary" onClick={step.retry}>
                  {t('error.retry')}
                </button>
              ) : (
                <button type="button" class="primary" onClick={() => host.fatal(error, metaData()) || setStep({ name: 'exited' })}>
                  {t('error.closeAndReturn')}
                </button>
              )}
            </div>
          </Message>
        )
      }
      case 'exited':
        return <Message step="exited" tone="neutral" title={t('exited.title')} text={closed ? t('closeWindow') : t('exited.text')} />
    }
  })()

  return (
    <Frame
      embedded={host.embedded}
      inert={confirmExit}
      brand={<BrandMark logo={branding?.company_logo} icon={branding?.company_icon} name={company} />}
      back={back ? { label: t('back'), onClick: back } : undefined}
      close={{ label: t('close'), onClick: requestClose, ref: closeButton }}
      footer={t('poweredBy')}
      overlay={
        confirmExit ? (
          <Dialog
            t={t}
            onStay={() => {
              setConfirmExit(false)
              requestAnimationFrame(() => closeButton.current?.focus())
            }}
            onLeave={leave}
          />
        ) : null
      }
    >
      {screen}
    </Frame>
  )
}
