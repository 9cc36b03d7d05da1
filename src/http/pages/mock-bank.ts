import type { AuthorizationView, BankPageProblem } from '../../domain/consents.ts'

/**
 * The sandbox mock bank's authorization pages (issue 15): plain server-rendered HTML, no script,
 * a little CSS. Accessible by construction: `lang`, a label on every control, landmarks, error
 * summaries announced with role="alert" and tied to the field by aria-describedby, visible focus,
 * native buttons and forms (keyboard use needs nothing more). Portuguese by default (it is a
 * Brazilian bank), English and Spanish with `locale`.
 */

export type PageLocale = 'pt' | 'en' | 'es'

export function pageLocale(value: unknown): PageLocale {
  const text = typeof value === 'string' ? value.toLowerCase() : ''
  if (text.startsWith('en')) return 'en'
  if (text.startsWith('es')) return 'es'
  return 'pt'
}

const LANG: Record<PageLocale, string> = { pt: 'pt-BR', en: 'en', es: 'es' }

const TEXT = {
  pt: {
    bank: 'Banco',
    loginTitle: 'Entre para autorizar o compartilhamento',
    loginIntro: '{org} pede acesso aos seus dados pelo Open Finance. Entre com o seu CPF para revisar o pedido.',
    cpf: 'CPF',
    cpfHint: 'Somente números ou no formato 000.000.000-00.',
    login: 'Entrar',
    reviewTitle: 'Revise o consentimento',
    reviewIntro: 'Olá, {name}. {org} pede acesso aos dados abaixo.',
    purpose: 'Finalidade',
    permissions: 'Dados compartilhados',
    expiry: 'Validade',
    indefinite: 'Indeterminada',
    until: 'Até {date} ({days} dias)',
    approve: 'Autorizar',
    reject: 'Recusar',
    decisionHint: 'Você pode revogar este consentimento a qualquer momento no seu banco.',
    errorTitle: 'Não foi possível continuar',
    sandbox: 'Ambiente de testes (sandbox) do Ponte',
    groups: {
      REGISTER: 'Dados cadastrais',
      ACCOUNTS: 'Contas',
      CREDIT_CARDS: 'Cartões de crédito',
      CREDIT_OPERATIONS: 'Operações de crédito',
      INVESTMENTS: 'Investimentos',
      RESOURCES: 'Recursos',
    } as Record<string, string>,
    problems: {
      not_found: 'Este pedido de consentimento não existe.',
      redirect: 'O endereço de retorno deste pedido não é permitido.',
      decided: 'Este pedido de consentimento já foi respondido ou expirou.',
      expired: 'Este pedido de consentimento expirou: não foi autorizado em até 60 minutos. Volte ao aplicativo e comece de novo.',
      form: 'O formulário expirou. Volte ao aplicativo e comece de novo.',
      cpf_invalid: 'Informe um CPF válido, com 11 dígitos.',
      cpf_unknown: 'Não encontramos um cliente com este CPF.',
      cpf_mismatch: 'Este CPF não é o do titular deste pedido de consentimento.',
    } as Record<BankPageProblem, string>,
  },
  en: {
    bank: 'Bank',
    loginTitle: 'Log in to authorise data sharing',
    loginIntro: '{org} asks for access to your data through Open Finance. Log in with your CPF to review the request.',
    cpf: 'CPF',
    cpfHint: 'Digits only, or formatted as 000.000.000-00.',
    login: 'Log in',
    reviewTitle: 'Review the consent',
    reviewIntro: 'Hello, {name}. {org} asks for access to the data below.',
    purpose: 'Purpose',
    permissions: 'Data shared',
    expiry: 'Valid',
    indefinite: 'Indefinitely',
    until: 'Until {date} ({days} days)',
    approve: 'Approve',
    reject: 'Reject',
    decisionHint: 'You can revoke this consent at your bank at any time.',
    errorTitle: 'We could not continue',
    sandbox: 'Ponte sandbox (test environment)',
    groups: {
      REGISTER: 'Registration data',
      ACCOUNTS: 'Accounts',
      CREDIT_CARDS: 'Credit cards',
      CREDIT_OPERATIONS: 'Credit operations',
      INVESTMENTS: 'Investments',
      RESOURCES: 'Resources',
    } as Record<string, string>,
    problems: {
      not_found: 'This consent request does not exist.',
      redirect: "This request's return address is not allowed.",
      decided: 'This consent request was already answered, or it expired.',
      expired: 'This consent request expired: it was not authorised within 60 minutes. Go back to the app and start again.',
      form: 'The form expired. Go back to the app and start again.',
      cpf_invalid: 'Enter a valid CPF, 11 digits.',
      cpf_unknown: 'We found no customer with this CPF.',
      cpf_mismatch: "This CPF is not the one of this consent request's holder.",
    } as Record<BankPageProblem, string>,
  },
  es: {
    bank: 'Banco',
    loginTitle: 'Inicia sesión para autorizar el intercambio de datos',
    loginIntro: '{org} pide acceso a tus datos por Open Finance. Inicia sesión con tu CPF para revisar la solicitud.',
    cpf: 'CPF',
    cpfHint: 'Solo números o con el formato 000.000.000-00.',
    login: 'Iniciar sesión',
    reviewTitle: 'Revisa el consentimiento',
    reviewIntro: 'Hola, {name}. {org} pide acceso a los datos de abajo.',
    purpose: 'Finalidad',
    permissions: 'Datos compartidos',
    expiry: 'Vigencia',
    indefinite: 'Indefinida',
    until: 'Hasta el {date} ({days} días)',
    approve: 'Autorizar',
    reject: 'Rechazar',
    decisionHint: 'Puedes revocar este consentimiento en tu banco en cualquier momento.',
    errorTitle: 'No pudimos continuar',
    sandbox: 'Entorno de pruebas (sandbox) de Ponte',
    groups: {
      REGISTER: 'Datos de registro',
      ACCOUNTS: 'Cuentas',
      CREDIT_CARDS: 'Tarjetas de crédito',
      CREDIT_OPERATIONS: 'Operaciones de crédito',
      INVESTMENTS: 'Inversiones',
      RESOURCES: 'Recursos',
    } as Record<string, string>,
    problems: {
      not_found: 'Esta solicitud de consentimiento no existe.',
      redirect: 'La dirección de retorno de esta solicitud no está permitida.',
      decided: 'Esta solicitud de consentimiento ya fue respondida o expiró.',
      expired: 'Esta solicitud de consentimiento expiró: no fue autorizada en 60 minutos. Vuelve a la aplicación y empieza de nuevo.',
      form: 'El formulario expiró. Vuelve a la aplicación y empieza de nuevo.',
      cpf_invalid: 'Ingresa un CPF válido, de 11 dígitos.',
      cpf_unknown: 'No encontramos un cliente con este CPF.',
      cpf_mismatch: 'Este CPF no es el del titular de esta solicitud de consentimiento.',
    } as Record<BankPageProblem, string>,
  },
}

export function problemMessage(locale: PageLocale, problem: BankPageProblem): string {
  return TEXT[locale].problems[problem]
}

/** Escapes text for HTML content and double-quoted attributes. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

export function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => esc(params[key] ?? ''))
}

// Contrast: text #1b1f24 on #fff (16:1), primary #0b5394 on #fff (7.6:1); focus ring 3px, offset.
export const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#eef1f5}
header{background:#0b5394;color:#fff;padding:12px 16px}
header p{margin:0;font-weight:600}
main{max-width:480px;margin:24px auto;padding:24px;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.35rem;margin:0 0 12px}
label{display:block;font-weight:600;margin:16px 0 4px}
input{width:100%;font:inherit;padding:10px 12px;border:1px solid #5b6570;border-radius:6px}
input[aria-invalid=true]{border-color:#a4161a}
.hint{color:#4a525b;font-size:.9rem;margin:4px 0 0}
.error{color:#a4161a;background:#fdecec;border:1px solid #a4161a;border-radius:6px;padding:8px 12px;margin:12px 0}
button{font:inherit;font-weight:600;padding:10px 20px;border-radius:6px;border:2px solid #0b5394;cursor:pointer;margin:16px 8px 0 0}
.primary{background:#0b5394;color:#fff}
.secondary{background:#fff;color:#0b5394}
:focus-visible{outline:3px solid #f1a208;outline-offset:2px}
dl{margin:12px 0}dt{font-weight:600;margin-top:12px}dd{margin:4px 0 0}
ul{margin:4px 0;padding-left:20px}
code{font-size:.8rem;color:#4a525b;overflow-wrap:anywhere}
footer{text-align:center;color:#4a525b;font-size:.85rem;margin:16px}
`

export function layout(locale: PageLocale, title: string, bankName: string, body: string): string {
  const t = TEXT[locale]
  return `<!doctype html>
<html lang="${LANG[locale]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ${esc(bankName)}</title>
<style>${CSS}</style>
</head>
<body>
<header role="banner"><p>${esc(bankName || t.bank)}</p></header>
<main id="main">
${body}
</main>
<footer role="contentinfo">${esc(t.sandbox)}</footer>
</body>
</html>`
}

/** The hidden fields every step posts back: which consent, where to return, the form nonce, the language. */
export function hidden(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`)
    .join('\n')
}

export interface FormState {
  consentId: string
  redirectUri: string
  nonce: string
  locale: PageLocale
  /** The server's clock: the expiry shown counts from the approval, now. */
  now: Date
}

/** The CPF login's parts, shared by the bank's login pages: a failed attempt's alert (before the form) and the form's fields. */
export function cpfLogin(
  t: { errorTitle: string; cpf: string; cpfHint: string; login: string },
  cpf: string,
  problemText?: string,
): { error: string; fields: string } {
  const error = problemText ? `<div class="error" role="alert" id="cpf-error"><strong>${esc(t.errorTitle)}:</strong> ${esc(problemText)}</div>` : ''
  const fields = `<label for="cpf">${esc(t.cpf)}</label>
<input id="cpf" name="cpf" type="text" inputmode="numeric" autocomplete="username" required value="${esc(cpf)}"
 aria-describedby="cpf-hint${problemText ? ' cpf-error' : ''}"${problemText ? ' aria-invalid="true" autofocus' : ' autofocus'}>
<p class="hint" id="cpf-hint">${esc(t.cpfHint)}</p>
<button type="submit" class="primary">${esc(t.login)}</button>`
  return { error, fields }
}

/** Step 1: log in with the CPF (with the problem of a failed attempt shown on the page). */
export function loginPage(view: AuthorizationView, state: FormState, problem?: BankPageProblem, cpf = ''): string {
  const t = TEXT[state.locale]
  const { error, fields } = cpfLogin(t, cpf, problem ? t.problems[problem] : undefined)
  const body = `<h1>${esc(t.loginTitle)}</h1>
<p>${fill(t.loginIntro, { org: view.requesterName })}</p>
${error}
<form method="post" action="/sandbox/openfinance/authorize/login" novalidate>
${hidden({ consent_id: state.consentId, redirect_uri: state.redirectUri, nonce: state.nonce, locale: state.locale })}
${fields}
</form>`
  return layout(state.locale, t.loginTitle, view.institutionName, body)
}

/** Step 2: the consent's permissions, purpose and expiry, then Approve or Reject. */
export function reviewPage(view: AuthorizationView, state: FormState): string {
  const t = TEXT[state.locale]
  const consent = view.consent
  // In the groups' own order (the database's jsonb keeps its keys in an order of its own).
  const order = Object.keys(t.groups)
  const groups = Object.entries(consent.permissions)
    .filter(([, codes]) => codes.length > 0)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([group, codes]) => `<li>${esc(t.groups[group] ?? group)}<br><code>${codes.map(esc).join(', ')}</code></li>`)
    .join('\n')
  const expiry =
    consent.consent_duration === null
      ? t.indefinite
      : fill(t.until, {
          date: new Date(state.now.getTime() + consent.consent_duration * 86_400_000).toLocaleDateString(LANG[state.locale], { timeZone: 'UTC' }),
          days: consent.consent_duration,
        })
  const body = `<h1>${esc(t.reviewTitle)}</h1>
<p>${fill(t.reviewIntro, { name: view.customer?.name ?? '', org: view.requesterName })}</p>
<dl>
${consent.purpose ? `<dt>${esc(t.purpose)}</dt><dd>${esc(consent.purpose)}</dd>` : ''}
<dt>${esc(t.permissions)}</dt><dd><ul>${groups}</ul></dd>
<dt>${esc(t.expiry)}</dt><dd>${expiry}</dd>
</dl>
<form method="post" action="/sandbox/openfinance/authorize/decision">
${hidden({ consent_id: state.consentId, redirect_uri: state.redirectUri, nonce: state.nonce, locale: state.locale, cpf: view.customer?.cpf ?? '' })}
<p class="hint" id="decision-hint">${esc(t.decisionHint)}</p>
<button type="submit" name="decision" value="approve" class="primary" aria-describedby="decision-hint">${esc(t.approve)}</button>
<button type="submit" name="decision" value="reject" class="secondary">${esc(t.reject)}</button>
</form>`
  return layout(state.locale, t.reviewTitle, view.institutionName, body)
}

/** A problem that ends the flow on the bank's side (unknown consent, refused redirect, already decided, expired). */
export function problemPage(locale: PageLocale, problem: BankPageProblem): string {
  const t = TEXT[locale]
  const body = `<h1>${esc(t.errorTitle)}</h1>
<div class="error" role="alert">${esc(t.problems[problem])}</div>`
  return layout(locale, t.errorTitle, t.bank, body)
}
