import type { EnrollmentPageProblem, EnrollmentPageView } from '../../domain/payments/biometric.ts'
import { esc, fill, hidden, layout, type PageLocale } from './mock-bank.ts'

/**
 * The sandbox institution's biometric Pix enrollment page (issue 16): the person approves or
 * refuses registering their device for payments without redirection. Same look, language choice
 * and accessibility as the consent pages (mock-bank.ts): server-rendered HTML, no script, labels
 * and landmarks, native buttons, role="alert" problems.
 */

const TEXT = {
  pt: {
    title: 'Cadastrar dispositivo para Pix por biometria',
    intro: 'Olá, {name}. {org} pede para cadastrar este dispositivo para pagamentos Pix confirmados por biometria, sem sair do aplicativo.',
    customer: 'Titular',
    device: 'Dispositivo',
    expires: 'Válido até',
    approve: 'Autorizar cadastro',
    refuse: 'Recusar',
    hint: 'Cada pagamento ainda pedirá a sua confirmação por biometria. Você pode remover o dispositivo a qualquer momento no seu banco.',
    errorTitle: 'Não foi possível continuar',
    problems: {
      not_found: 'Este pedido de cadastro não existe.',
      decided: 'Este pedido de cadastro já foi respondido.',
      expired: 'Este pedido de cadastro expirou: não foi respondido em até 15 minutos. Volte ao aplicativo e comece de novo.',
      redirect: 'Este pedido de cadastro não tem endereço de retorno (callback_url).',
      form: 'O formulário expirou. Volte ao aplicativo e comece de novo.',
    },
  },
  en: {
    title: 'Register a device for biometric Pix',
    intro: 'Hello, {name}. {org} asks to register this device for Pix payments confirmed with biometrics, without leaving the app.',
    customer: 'Account holder',
    device: 'Device',
    expires: 'Valid until',
    approve: 'Approve registration',
    refuse: 'Refuse',
    hint: 'Each payment will still ask for your biometric confirmation. You can remove the device at your bank at any time.',
    errorTitle: 'We could not continue',
    problems: {
      not_found: 'This registration request does not exist.',
      decided: 'This registration request was already answered.',
      expired: 'This registration request expired: it was not answered within 15 minutes. Go back to the app and start again.',
      redirect: 'This registration request has no return address (callback_url).',
      form: 'The form expired. Go back to the app and start again.',
    },
  },
  es: {
    title: 'Registrar un dispositivo para Pix biométrico',
    intro: 'Hola, {name}. {org} pide registrar este dispositivo para pagos Pix confirmados con biometría, sin salir de la aplicación.',
    customer: 'Titular',
    device: 'Dispositivo',
    expires: 'Válido hasta',
    approve: 'Autorizar registro',
    refuse: 'Rechazar',
    hint: 'Cada pago seguirá pidiendo tu confirmación biométrica. Puedes quitar el dispositivo en tu banco en cualquier momento.',
    errorTitle: 'No pudimos continuar',
    problems: {
      not_found: 'Esta solicitud de registro no existe.',
      decided: 'Esta solicitud de registro ya fue respondida.',
      expired: 'Esta solicitud de registro expiró: no fue respondida en 15 minutos. Vuelve a la aplicación y empieza de nuevo.',
      redirect: 'Esta solicitud de registro no tiene dirección de retorno (callback_url).',
      form: 'El formulario expiró. Vuelve a la aplicación y empieza de nuevo.',
    },
  },
}

const LANG: Record<PageLocale, string> = { pt: 'pt-BR', en: 'en', es: 'es' }
const PLATFORM: Record<string, string> = { ANDROID: 'Android', IOS: 'iOS', BROWSER: 'Browser', CROSS_PLATFORM: 'Cross-platform' }

/** The request: who asks, for which holder and device, until when; then Approve or Refuse. */
export function enrollmentPage(view: EnrollmentPageView, locale: PageLocale): string {
  const t = TEXT[locale]
  const e = view.enrollment
  const device = [PLATFORM[e.platform] ?? e.platform, e.name].filter(Boolean).join(' · ')
  const expires = new Date(e.expires_at).toLocaleString(LANG[locale], { timeZone: 'UTC', dateStyle: 'short', timeStyle: 'short' })
  const body = `<h1>${esc(t.title)}</h1>
<p>${fill(t.intro, { name: view.customerName || view.customerDocument, org: view.requesterName })}</p>
<dl>
<dt>${esc(t.customer)}</dt><dd>${esc(view.customerName)} (${esc(view.customerDocument)})</dd>
<dt>${esc(t.device)}</dt><dd>${esc(device)}</dd>
<dt>${esc(t.expires)}</dt><dd>${esc(expires)} UTC</dd>
</dl>
<form method="post" action="/sandbox/openfinance/enrollments/decision">
${hidden({ state: e.state, locale })}
<p class="hint" id="decision-hint">${esc(t.hint)}</p>
<button type="submit" name="decision" value="approve" class="primary" aria-describedby="decision-hint">${esc(t.approve)}</button>
<button type="submit" name="decision" value="refuse" class="secondary">${esc(t.refuse)}</button>
</form>`
  return layout(locale, t.title, view.institutionName, body)
}

export function enrollmentProblemPage(locale: PageLocale, problem: EnrollmentPageProblem | 'form'): string {
  const t = TEXT[locale]
  const body = `<h1>${esc(t.errorTitle)}</h1>
<div class="error" role="alert">${esc(t.problems[problem])}</div>`
  return layout(locale, t.errorTitle, '', body)
}
