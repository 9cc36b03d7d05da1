/**
 * The payments flow of the widget (issue 16, biometric Pix), opened with a payments token (POST
 * /payments/br/token/). Loaded on demand by main.tsx, so the connect flow's first screen does not
 * carry it. The token's use cases run in order:
 *
 * ENROLLMENT:      institutions (top tier first) → enroll (to the institution's page) → (back) → enrolled
 * PAYMENT_INTENT:  confirm (amount, beneficiary; "Confirm with biometrics") → paid | payment-failed
 *
 * The institution's page sends the browser back to this same URL with `state` and `code` (or
 * `error`); the widget completes the enrollment with them. Done, the browser goes to the token's
 * callback_urls: success, exit, or error (exit when the token has no error URL).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ApiError, callWidgetApi, type ErrorItem } from './api.ts'
import { pickLocale, translator, type Locale } from './i18n.ts'
import { PENDING_PAYMENTS_TOKEN, withQuery, type StartParams } from './host.ts'
import { Loading, Message } from './steps.tsx'
import { Badge, BrandMark, Frame, Icon, InstitutionLogo, Spinner, Step } from './ui.tsx'

interface Enrollment {
  id: string
  status: string
  institution: string
  status_reason_code: string | null
  status_reason_message: string | null
  redirect_url: string | null
}

interface Intent {
  id: string
  status: string
  amount: string
  failure_code: string | null
  failure_message: string | null
  end_to_end_id: string | null
}

interface PaymentsSession {
  use_cases: string[]
  branding: { company_name: string; color_scheme: string }
  theme: { css_key: string; value: string }[]
  callback_urls: { success?: string; exit?: string; error?: string }
  enrollment_institution: string | null
  enrollment: Enrollment | null
  payment: null | {
    amount: string
    currency: string
    description: string
    statement_description: string | null
    beneficiary: null | { name: string; document: string; institution: string | null; agency: string; number: string }
  }
  payment_intent: Intent | null
}

interface PaymentInstitution {
  id: string
  name: string
  display_name: string
  primary_color: string
  top_tier: boolean
}

type Step =
  | { name: 'loading' }
  | { name: 'token-error'; message: string }
  | { name: 'institutions' }
  | { name: 'enroll'; enrollment: Enrollment }
  | { name: 'enrolled' }
  | { name: 'confirm'; intent: Intent | null; verifying: boolean }
  | { name: 'paid'; intent: Intent }
  | { name: 'payment-failed'; intent: Intent }
  | { name: 'error'; error: ErrorItem; retry: (() => void) | null }
  | { name: 'exited' }

const TEXT = {
  en: {
    institutionsTitle: 'Choose your bank',
    institutionsIntro: '{company} will ask your bank to register this device for Pix payments you confirm with biometrics.',
    suggested: 'Suggested banks',
    others: 'Other banks',
    enrollTitle: 'Approve this device at {institution}',
    enrollText: 'You will go to {institution} to approve registering this device. Then you come back here.',
    enrollGo: 'Continue to {institution}',
    enrolledTitle: 'Device registered',
    enrolledText: 'Your device is registered at {institution}: you can now pay {company} with biometrics.',
    confirmTitle: 'Confirm your payment',
    amount: 'Amount',
    to: 'To',
    description: 'Description',
    payWith: 'Paid from',
    confirmButton: 'Confirm with biometrics',
    verifying: 'Verifying your biometrics…',
    biometricHint: 'Sandbox: this button stands for your fingerprint or face recognition.',
    paidTitle: 'Payment sent',
    paidText: 'You paid {amount} to {beneficiary}.',
    receipt: 'Pix receipt: {id}',
    failedTitle: 'The payment was not made',
    enrollFailedTitle: 'The device was not registered',
    enrollFailedText: 'Your bank did not register this device ({reason}). You can try again.',
    done: 'Done',
    tryAgain: 'Try again',
    closeAndReturn: 'Close and go back',
    errorTitle: 'Something went wrong',
    errorCode: 'Error code: {code}',
    exitedTitle: 'You left',
    exitedText: 'Nothing was paid. You can close this window.',
    tokenTitle: 'This payment link cannot be used',
    account: 'Agency {agency} · Account {number}',
  },
  es: {
    institutionsTitle: 'Elige tu banco',
    institutionsIntro: '{company} pedirá a tu banco registrar este dispositivo para pagos Pix que confirmas con biometría.',
    suggested: 'Bancos sugeridos',
    others: 'Otros bancos',
    enrollTitle: 'Aprueba este dispositivo en {institution}',
    enrollText: 'Irás a {institution} para aprobar el registro de este dispositivo. Luego vuelves aquí.',
    enrollGo: 'Continuar a {institution}',
    enrolledTitle: 'Dispositivo registrado',
    enrolledText: 'Tu dispositivo está registrado en {institution}: ya puedes pagar a {company} con biometría.',
    confirmTitle: 'Confirma tu pago',
    amount: 'Monto',
    to: 'Para',
    description: 'Descripción',
    payWith: 'Pagado desde',
    confirmButton: 'Confirmar con biometría',
    verifying: 'Verificando tu biometría…',
    biometricHint: 'Sandbox: este botón representa tu huella o reconocimiento facial.',
    paidTitle: 'Pago enviado',
    paidText: 'Pagaste {amount} a {beneficiary}.',
    receipt: 'Comprobante Pix: {id}',
    failedTitle: 'El pago no se realizó',
    enrollFailedTitle: 'El dispositivo no se registró',
    enrollFailedText: 'Tu banco no registró este dispositivo ({reason}). Puedes intentarlo de nuevo.',
    done: 'Listo',
    tryAgain: 'Intentar de nuevo',
    closeAndReturn: 'Cerrar y volver',
    errorTitle: 'Algo salió mal',
    errorCode: 'Código de error: {code}',
    exitedTitle: 'Saliste',
    exitedText: 'No se pagó nada. Puedes cerrar esta ventana.',
    tokenTitle: 'Este enlace de pago no se puede usar',
    account: 'Agencia {agency} · Cuenta {number}',
  },
  pt: {
    institutionsTitle: 'Escolha o seu banco',
    institutionsIntro: '{company} pedirá ao seu banco para cadastrar este dispositivo para pagamentos Pix confirmados por biometria.',
    suggested: 'Bancos sugeridos',
    others: 'Outros bancos',
    enrollTitle: 'Autorize este dispositivo no {institution}',
    enrollText: 'Você irá ao {institution} para autorizar o cadastro deste dispositivo. Depois, volta para cá.',
    enrollGo: 'Continuar para o {institution}',
    enrolledTitle: 'Dispositivo cadastrado',
    enrolledText: 'Seu dispositivo está cadastrado no {institution}: agora você pode pagar {company} com biometria.',
    confirmTitle: 'Confirme o seu pagamento',
    amount: 'Valor',
    to: 'Para',
    description: 'Descrição',
    payWith: 'Pago com',
    confirmButton: 'Confirmar com biometria',
    verifying: 'Verificando a sua biometria…',
    biometricHint: 'Sandbox: este botão representa a sua digital ou reconhecimento facial.',
    paidTitle: 'Pagamento enviado',
    paidText: 'Você pagou {amount} para {beneficiary}.',
    receipt: 'Comprovante Pix: {id}',
    failedTitle: 'O pagamento não foi feito',
    enrollFailedTitle: 'O dispositivo não foi cadastrado',
    enrollFailedText: 'O seu banco não cadastrou este dispositivo ({reason}). Você pode tentar de novo.',
    done: 'Concluir',
    tryAgain: 'Tentar de novo',
    closeAndReturn: 'Fechar e voltar',
    errorTitle: 'Algo deu errado',
    errorCode: 'Código do erro: {code}',
    exitedTitle: 'Você saiu',
    exitedText: 'Nada foi pago. Você pode fechar esta janela.',
    tokenTitle: 'Este link de pagamento não pode ser usado',
    account: 'Agência {agency} · Conta {number}',
  },
} satisfies Record<Locale, Record<string, string>>

type Key = keyof (typeof TEXT)['en']

/** The answer of the institution's page, in this page's URL once. */
const RETURN_PARAMS = ['state', 'code', 'id_token', 'error', 'error_description']

function returnedFromBank(url: URL): Record<string, string> | null {
  const state = url.searchParams.get('state')
  if (!state) return null
  const answer: Record<string, string> = {}
  for (const name of RETURN_PARAMS) {
    const value = url.searchParams.get(name)
    if (value !== null) answer[name] = value
  }
  return answer
}

/** This page's URL without the institution's answer; with `token`, the access token put back. */
function selfUrl(url: URL, token?: string): string {
  const back = new URL(url.href)
  for (const name of RETURN_PARAMS) back.searchParams.delete(name)
  if (token) back.searchParams.set('access_token', token)
  back.hash = ''
  return back.href
}

/**
 * Where the institution sends the person back: this page without the access token, which must not
 * travel to the bank nor be stored with the enrollment (the server refuses a callback_url carrying
 * one). The token waits in this tab's sessionStorage (main.tsx reads it back).
 */
function bankCallbackUrl(token: string): string {
  sessionStorage.setItem(PENDING_PAYMENTS_TOKEN, token)
  const back = new URL(selfUrl(new URL(location.href)))
  back.searchParams.delete('access_token')
  return back.href
}

class PaymentsApi {
  constructor(
    private readonly token: string,
    private readonly locale: string,
  ) {}

  session = () => this.call<PaymentsSession>('GET', '/session')
  institutions = () => this.call<{ results: PaymentInstitution[] }>('GET', '/institutions')
  enroll = (body: { institution?: string; callback_url: string }) => this.call<Enrollment>('POST', '/enrollments', body)
  complete = (body: Record<string, string>) => this.call<Enrollment>('POST', '/enrollments/complete', body)
  createIntent = () => this.call<Intent>('POST', '/intents')
  authorize = () => this.call<Intent>('POST', '/intents/authorize')

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return callWidgetApi<T>(`${import.meta.env.BASE_URL}api/payments`, this.token, this.locale, method, path, body)
  }
}

export function PaymentsApp(props: { params: StartParams }) {
  const { params } = props
  const locale = useMemo(() => pickLocale(params.locale, navigator.languages?.length ? navigator.languages : [navigator.language]), [params.locale])
  const shared = useMemo(() => translator(locale), [locale])
  const t = (key: Key, values: Record<string, string> = {}) => TEXT[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole)
  const api = useMemo(() => new PaymentsApi(params.token ?? '', locale), [params.token, locale])
  const [session, setSession] = useState<PaymentsSession | null>(null)
  const [institutions, setInstitutions] = useState<PaymentInstitution[]>([])
  const [step, setStep] = useState<Step>({ name: 'loading' })
  const [busy, setBusy] = useState(false)
  const lastError = useRef<ErrorItem | null>(null)
  const company = session?.branding.company_name ?? ''
  const money = (amount: string) => new Intl.NumberFormat(locale === 'pt' ? 'pt-BR' : locale, { style: 'currency', currency: 'BRL' }).format(Number(amount))
  const institutionName = (id: string | undefined) => institutions.find((i) => i.id === id)?.display_name ?? ''

  const fail = (error: unknown, retry: (() => void) | null) => {
    const item = error instanceof ApiError ? error.item : { code: 'unexpected_error', message: String(error) }
    lastError.current = item
    if (error instanceof ApiError && error.status === 401) return setStep({ name: 'token-error', message: item.message })
    setStep({ name: 'error', error: item, retry })
  }

  /** The next use case after the enrollment: the payment, or the end. */
  const afterEnrollment = (current: PaymentsSession) => {
    if (current.use_cases.includes('PAYMENT_INTENT')) void toPayment(current)
    else setStep({ name: 'enrolled' })
  }

  const toPayment = async (current: PaymentsSession) => {
    if (current.payment_intent && current.payment_intent.status !== 'REQUIRES_ACTION') return showOutcome(current.payment_intent)
    setStep({ name: 'confirm', intent: current.payment_intent, verifying: false })
    try {
      const intent = await api.createIntent()
      setStep({ name: 'confirm', intent, verifying: false })
    } catch (error) {
      fail(error, () => void toPayment(current))
    }
  }

  const showOutcome = (intent: Intent) => {
    if (intent.status === 'SUCCEEDED') return setStep({ name: 'paid', intent })
    if (intent.status === 'FAILED') {
      lastError.current = { code: intent.failure_code ?? 'payment_failed', message: intent.failure_message ?? '' }
      return setStep({ name: 'payment-failed', intent })
    }
    setStep({ name: 'confirm', intent, verifying: false })
  }

  const start = async (current: PaymentsSession) => {
    const enrolling = current.use_cases.includes('ENROLLMENT')
    if (!enrolling || current.enrollment?.status === 'SUCCEEDED') return afterEnrollment(current)
    if (current.enrollment?.status === 'PENDING') return setStep({ name: 'enroll', enrollment: current.enrollment })
    if (current.enrollment_institution) return enroll(current.enrollment_institution)
    setStep({ name: 'institutions' })
  }

  useEffect(() => {
    void (async () => {
      try {
        const current = await api.session()
        setSession(current)
        const root = document.documentElement.style
        for (const entry of current.theme) if (/^--[\w-]+$/.test(entry.css_key)) root.setProperty(entry.css_key, entry.value)
        if (current.use_cases.includes('ENROLLMENT')) setInstitutions((await api.institutions()).results)
        const answer = returnedFromBank(new URL(location.href))
        if (!answer) return void start(current)
        // The answer is in the URL once: a reload must not send it again.
        history.replaceState(null, '', selfUrl(new URL(location.href), params.token ?? undefined))
        sessionStorage.removeItem(PENDING_PAYMENTS_TOKEN)
        const done = await api.complete(answer)
        if (done.status === 'SUCCEEDED') return afterEnrollment({ ...current, enrollment: done })
        lastError.current = { code: done.status_reason_code ?? 'enrollment_failed', message: done.status_reason_message ?? '' }
        setStep({
          name: 'error',
          error: {
            code: done.status_reason_code ?? 'enrollment_failed',
            message: t('enrollFailedText', { reason: done.status_reason_message ?? done.status }),
          },
          retry: () => setStep({ name: 'institutions' }),
        })
      } catch (error) {
        fail(error, () => location.reload())
      }
    })()
  }, [])

  useEffect(() => {
    document.documentElement.lang = locale === 'pt' ? 'pt-BR' : locale
    document.title = step.name === 'institutions' || step.name === 'enroll' ? t('institutionsTitle') : t('confirmTitle')
  }, [locale, step.name])

  async function enroll(institution: string) {
    setBusy(true)
    try {
      const enrollment = await api.enroll({ institution, callback_url: bankCallbackUrl(params.token ?? '') })
      setStep({ name: 'enroll', enrollment })
    } catch (error) {
      fail(error, () => setStep({ name: 'institutions' }))
    } finally {
      setBusy(false)
    }
  }

  const confirm = async () => {
    if (step.name !== 'confirm' || !step.intent) return
    setStep({ ...step, verifying: true })
    try {
      showOutcome(await api.authorize())
    } catch (error) {
      fail(error, null)
    }
  }

  const go = (url: string | undefined, values: Record<string, string>) => {
    if (url) location.assign(withQuery(url, values))
    else setStep({ name: 'exited' })
  }
  const exit = () =>
    go(session?.callback_urls.exit, {
      last_encountered_error: lastError.current ? JSON.stringify({ code: lastError.current.code, message: lastError.current.message }) : '',
    })
  const finishFailed = (error: ErrorItem, intent?: Intent) =>
    go(session?.callback_urls.error ?? session?.callback_urls.exit, {
      error_code: error.code,
      error_message: error.message,
      ...(intent ? { payment_intent: intent.id } : {}),
    })
  const payment = session?.payment

  const screen = (() => {
    switch (step.name) {
      case 'loading':
        return <Loading t={shared} />
      case 'token-error':
        return <Message step="token-error" tone="danger" title={t('tokenTitle')} text={step.message} />
      case 'institutions': {
        const top = institutions.filter((i) => i.top_tier)
        const rest = institutions.filter((i) => !i.top_tier)
        const list = (items: PaymentInstitution[], label: string, id: string) =>
          items.length === 0 ? null : (
            <>
              <h2 class="small muted" id={id}>
                {label}
              </h2>
              <ul class="institutions" aria-labelledby={id}>
                {items.map((i) => (
                  <li key={i.id}>
                    <button type="button" class="institution" data-institution={i.name} disabled={busy} onClick={() => void enroll(i.id)}>
                      <InstitutionLogo name={i.display_name} logo={null} color={i.primary_color} />
                      <span class="institution-text">
                        <span class="institution-name">{i.display_name}</span>
                      </span>
                      <span class="chevron" aria-hidden="true">
                        ›
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )
        return (
          <Step name="institutions" title={t('institutionsTitle')} busy={busy}>
            <p class="lead">{t('institutionsIntro', { company })}</p>
            {list(top, t('suggested'), 'top-tier')}
            {list(rest, top.length ? t('others') : t('institutionsTitle'), 'other-institutions')}
          </Step>
        )
      }
      case 'enroll': {
        const name = institutionName(step.enrollment.institution)
        return (
          <Step name="enroll" title={t('enrollTitle', { institution: name })} icon={<Badge name="shield" tone="brand" />}>
            <p class="lead">{t('enrollText', { institution: name })}</p>
            <div class="actions">
              <a class="button primary" href={step.enrollment.redirect_url ? withQuery(step.enrollment.redirect_url, { locale }) : '#'}>
                {t('enrollGo', { institution: name })}
              </a>
            </div>
          </Step>
        )
      }
      case 'enrolled':
        return (
          <Step name="enrolled" title={t('enrolledTitle')} icon={<Badge name="check" tone="success" />}>
            <p class="lead">{t('enrolledText', { institution: institutionName(session?.enrollment?.institution), company })}</p>
            <div class="actions">
              <button type="button" class="primary" onClick={() => go(session?.callback_urls.success, { enrollment: session?.enrollment?.id ?? '' })}>
                {t('done')}
              </button>
            </div>
          </Step>
        )
      case 'confirm':
        return (
          <Step name="confirm" title={t('confirmTitle')} busy={!step.intent || step.verifying} icon={<Badge name="lock" tone="brand" />}>
            {payment ? (
              <dl class="identification payment-summary">
                <div>
                  <dt>{t('amount')}</dt>
                  <dd data-amount={payment.amount}>{money(payment.amount)}</dd>
                </div>
                <div>
                  <dt>{t('to')}</dt>
                  <dd>
                    {payment.beneficiary?.name} ({payment.beneficiary?.document})
                    <br />
                    <span class="muted small">
                      {payment.beneficiary?.institution} ·{' '}
                      {t('account', { agency: payment.beneficiary?.agency ?? '', number: payment.beneficiary?.number ?? '' })}
                    </span>
                  </dd>
                </div>
                <div>
                  <dt>{t('description')}</dt>
                  <dd>{payment.description}</dd>
                </div>
              </dl>
            ) : null}
            <p class="muted small" id="biometric-hint">
              {t('biometricHint')}
            </p>
            {step.verifying ? (
              <p class="center" role="status">
                <Spinner /> {t('verifying')}
              </p>
            ) : (
              <div class="actions">
                <button type="button" class="primary" disabled={!step.intent} aria-describedby="biometric-hint" onClick={() => void confirm()}>
                  <Icon name="eye" /> {t('confirmButton')}
                </button>
              </div>
            )}
          </Step>
        )
      case 'paid':
        return (
          <Step name="paid" title={t('paidTitle')} icon={<Badge name="check" tone="success" />}>
            <p class="lead">{t('paidText', { amount: money(step.intent.amount), beneficiary: payment?.beneficiary?.name ?? '' })}</p>
            {step.intent.end_to_end_id ? <p class="muted small">{t('receipt', { id: step.intent.end_to_end_id })}</p> : null}
            <div class="actions">
              <button
                type="button"
                class="primary"
                onClick={() => go(session?.callback_urls.success, { payment_intent: step.intent.id, status: step.intent.status })}
              >
                {t('done')}
              </button>
            </div>
          </Step>
        )
      case 'payment-failed':
        return (
          <Message
            step="payment-failed"
            tone="danger"
            title={t('failedTitle')}
            text={step.intent.failure_message ?? ''}
            detail={t('errorCode', { code: step.intent.failure_code ?? '' })}
          >
            <div class="actions">
              <button
                type="button"
                class="primary"
                onClick={() => finishFailed({ code: step.intent.failure_code ?? 'payment_failed', message: step.intent.failure_message ?? '' }, step.intent)}
              >
                {t('closeAndReturn')}
              </button>
            </div>
          </Message>
        )
      case 'error':
        return (
          <Message step="error" tone="danger" title={t('errorTitle')} text={step.error.message} detail={t('errorCode', { code: step.error.code })}>
            <div class="actions">
              {step.retry ? (
                <button type="button" class="primary" onClick={step.retry}>
                  {t('tryAgain')}
                </button>
              ) : (
                <button type="button" class="primary" onClick={() => finishFailed(step.error)}>
                  {t('closeAndReturn')}
                </button>
              )}
            </div>
          </Message>
        )
      case 'exited':
        return <Message step="exited" tone="neutral" title={t('exitedTitle')} text={t('exitedText')} />
    }
  })()

  return (
    <Frame brand={<BrandMark name={company || undefined} />} close={{ label: shared('close'), onClick: exit }} footer={shared('poweredBy')}>
      {screen}
    </Frame>
  )
}
