import type { AuthorizationPageProblem, AuthorizationPageView } from '../../domain/payments/authorization-bank.ts'
import { formatAmount } from '../../domain/payments/money.ts'
import { cpfLogin, esc, fill, hidden, layout, type PageLocale } from './mock-bank.ts'

/**
 * The sandbox bank's payment authorization page (issue 16): the payer logs in with their CPF, then
 * approves or rejects a Pix Automático authorization. Same look, language choice and
 * accessibility as the consent pages (mock-bank.ts): server-rendered HTML, no script, labels and
 * landmarks, native buttons, role="alert" problems.
 */

const TEXT = {
  pt: {
    loginTitle: 'Entre para autorizar o Pix Automático',
    loginIntro: '{org} pede a sua autorização para um pagamento Pix. Entre com o seu CPF para revisar o pedido.',
    loginBusiness: 'Pagamento de uma empresa: entre com o CPF do representante.',
    cpf: 'CPF',
    cpfHint: 'Somente números ou no formato 000.000.000-00.',
    login: 'Entrar',
    reviewTitle: 'Revise a autorização de pagamento',
    reviewIntro: '{org} pede a sua autorização para o pagamento Pix abaixo.',
    payer: 'Pagador',
    beneficiary: 'Recebedor',
    amount: 'Valor',
    when: 'Quando',
    immediate: 'Agora, ao autorizar',
    scheduled: 'Em {date}',
    description: 'Descrição',
    statement: 'No seu extrato',
    approval: 'Esta é a aprovação {n} de 2 (empresa).',
    approve: 'Autorizar pagamento',
    reject: 'Recusar',
    decisionHint: 'O pedido expira 60 minutos depois de criado. Você pode revogar a autorização no seu banco enquanto não for paga.',
    errorTitle: 'Não foi possível continuar',
    problems: {
      not_found: 'Esta autorização de pagamento não existe.',
      decided: 'Esta autorização de pagamento já foi respondida.',
      expired: 'Esta autorização de pagamento expirou: não foi autorizada em até 60 minutos. Volte ao aplicativo e comece de novo.',
      cpf_invalid: 'Informe um CPF válido, com 11 dígitos.',
      cpf_mismatch: 'Este CPF não é o do pagador desta autorização.',
      form: 'O formulário expirou. Volte ao aplicativo e comece de novo.',
    },
  },
  en: {
    loginTitle: 'Log in to authorize Pix Automático',
    loginIntro: '{org} asks for your authorization of a Pix payment. Log in with your CPF to review the request.',
    loginBusiness: "A company's payment: log in with the representative's CPF.",
    cpf: 'CPF',
    cpfHint: 'Digits only, or formatted as 000.000.000-00.',
    login: 'Log in',
    reviewTitle: 'Review the payment authorization',
    reviewIntro: '{org} asks for your authorization of the Pix payment below.',
    payer: 'Payer',
    beneficiary: 'Beneficiary',
    amount: 'Amount',
    when: 'When',
    immediate: 'Now, on authorization',
    scheduled: 'On {date}',
    description: 'Description',
    statement: 'On your statement',
    approval: 'This is approval {n} of 2 (company).',
    approve: 'Authorize payment',
    reject: 'Reject',
    decisionHint: 'The request expires 60 minutes after it was made. You can revoke the authorization at your bank until it is paid.',
    errorTitle: 'We could not continue',
    problems: {
      not_found: 'This payment authorization does not exist.',
      decided: 'This payment authorization was already answered.',
      expired: 'This payment authorization expired: it was not authorized within 60 minutes. Go back to the app and start again.',
      cpf_invalid: 'Enter a valid CPF, 11 digits.',
      cpf_mismatch: "This CPF is not the payer's of this authorization.",
      form: 'The form expired. Go back to the app and start again.',
    },
  },
  es: {
    loginTitle: 'Inicia sesión para autorizar Pix Automático',
    loginIntro: '{org} pide tu autorización para un pago Pix. Inicia sesión con tu CPF para revisar la solicitud.',
    loginBusiness: 'Pago de una empresa: inicia sesión con el CPF del representante.',
    cpf: 'CPF',
    cpfHint: 'Solo números o con el formato 000.000.000-00.',
    login: 'Iniciar sesión',
    reviewTitle: 'Revisa la autorización de pago',
    reviewIntro: '{org} pide tu autorización para el pago Pix de abajo.',
    payer: 'Pagador',
    beneficiary: 'Beneficiario',
    amount: 'Monto',
    when: 'Cuándo',
    immediate: 'Ahora, al autorizar',
    scheduled: 'El {date}',
    description: 'Descripción',
    statement: 'En tu extracto',
    approval: 'Esta es la aprobación {n} de 2 (empresa).',
    approve: 'Autorizar pago',
    reject: 'Rechazar',
    decisionHint: 'La solicitud expira 60 minutos después de creada. Puedes revocar la autorización en tu banco mientras no se pague.',
    errorTitle: 'No pudimos continuar',
    problems: {
      not_found: 'Esta autorización de pago no existe.',
      decided: 'Esta autorización de pago ya fue respondida.',
      expired: 'Esta autorización de pago expiró: no fue autorizada en 60 minutos. Vuelve a la aplicación y empieza de nuevo.',
      cpf_invalid: 'Ingresa un CPF válido, de 11 dígitos.',
      cpf_mismatch: 'Este CPF no es el del pagador de esta autorización.',
      form: 'El formulario expiró. Vuelve a la aplicación y empieza de nuevo.',
    },
  },
}

/** Where each form posts: the page's own path (its token), then its step. */
const action = (token: string, step: 'login' | 'decision') => `/sandbox/openfinance/payment-authorizations/${token}/${step}`

/** Step 1: log in with the CPF (with the problem of a failed attempt shown on the page). */
export function authorizationLoginPage(view: AuthorizationPageView, locale: PageLocale, problem?: AuthorizationPageProblem, cpf = ''): string {
  const t = TEXT[locale]
  const { error, fields } = cpfLogin(t, cpf, problem ? t.problems[problem] : undefined)
  const body = `<h1>${esc(t.loginTitle)}</h1>
<p>${fill(t.loginIntro, { org: view.requesterName })}</p>
${view.business ? `<p>${esc(t.loginBusiness)}</p>` : ''}
${error}
<form method="post" action="${action(view.authorization.bank_token, 'login')}" novalidate>
${hidden({ locale })}
${fields}
</form>`
  return layout(locale, t.loginTitle, view.institutionName, body)
}

const LANG: Record<PageLocale, string> = { pt: 'pt-BR', en: 'en', es: 'es' }

/** Step 2: what the payer authorizes (who, to whom, how much, when), then Approve or Reject. */
export function authorizationReviewPage(view: AuthorizationPageView, locale: PageLocale, cpf: string): string {
  const t = TEXT[locale]
  const a = view.authorization
  const amount = Number(formatAmount(a.amount)).toLocaleString(LANG[locale], { style: 'currency', currency: 'BRL' })
  const when = a.payment_method === 'PIX_OF_SCHEDULED' ? fill(t.scheduled, { date: a.dates[0] }) : esc(t.immediate)
  const body = `<h1>${esc(t.reviewTitle)}</h1>
<p>${fill(t.reviewIntro, { org: view.requesterName })}</p>
<dl>
<dt>${esc(t.payer)}</dt><dd>${esc(view.payerName)} (${esc(view.payerDocument)})</dd>
<dt>${esc(t.beneficiary)}</dt><dd>${esc(view.beneficiaryName)}</dd>
<dt>${esc(t.amount)}</dt><dd id="amount">${esc(amount)}</dd>
<dt>${esc(t.when)}</dt><dd>${when}</dd>
<dt>${esc(t.description)}</dt><dd>${esc(a.description)}</dd>
<dt>${esc(t.statement)}</dt><dd>${esc(a.statement_description)}</dd>
</dl>
${view.business ? `<p>${fill(t.approval, { n: view.approval })}</p>` : ''}
<form method="post" action="${action(a.bank_token, 'decision')}">
${hidden({ locale, cpf })}
<p class="hint" id="decision-hint">${esc(t.decisionHint)}</p>
<button type="submit" name="decision" value="approve" class="primary" aria-describedby="decision-hint">${esc(t.approve)}</button>
<button type="submit" name="decision" value="reject" class="secondary">${esc(t.reject)}</button>
</form>`
  return layout(locale, t.reviewTitle, view.institutionName, body)
}

/** A problem that ends the flow on the bank's side (unknown token, already answered, expired, a broken form). */
export function authorizationProblemPage(locale: PageLocale, problem: AuthorizationPageProblem | 'form'): string {
  const t = TEXT[locale]
  const body = `<h1>${esc(t.errorTitle)}</h1>
<div class="error" role="alert">${esc(t.problems[problem])}</div>`
  return layout(locale, t.errorTitle, '', body)
}
