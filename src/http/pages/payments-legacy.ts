import type { PaymentLinkView } from '../../domain/payments/legacy/links.ts'
import type { BankPageView } from '../../domain/payments/legacy/pse.ts'
import { CSS, esc } from './mock-bank.ts'

/**
 * The payer's pages of the earlier payments API (issue 17): the sandbox PSE bank (Spanish), where
 * the payer completes or abandons a confirmed PSE payment, and a payment link's page (Spanish for
 * PSE, Portuguese for OFPI), where the payer chooses their bank. Server-rendered HTML without
 * script, accessible as the mock bank's pages (http/pages/mock-bank.ts, whose style they share).
 */

export type PayLocale = 'es' | 'pt'

const TEXT = {
  es: {
    lang: 'es-CO',
    sandbox: 'Ambiente de pruebas (sandbox) de Ponte',
    bankTitle: 'Confirma tu pago PSE',
    bankIntro: 'Estás pagando a {beneficiary} desde {bank}.',
    amount: 'Monto',
    description: 'Descripción',
    reference: 'Código único de seguimiento (CUS)',
    complete: 'Pagar',
    abandon: 'Abandonar el pago',
    bankHint: 'Pagar sigue las reglas de monto del sandbox (README de Ponte); abandonar deja el pago fallido.',
    linkTitle: 'Paga con PSE',
    linkIntro: 'Elige tu banco para pagar {amount} a {beneficiary}.',
    bank: 'Tu banco',
    pay: 'Continuar al banco',
    cancel: 'Volver al comercio',
    status: {
      PROCESSING: 'Tu pago se está procesando.',
      SUCCEEDED: 'Tu pago fue aprobado.',
      FAILED: 'Tu pago no se realizó: {reason}',
      REQUIRES_ACTION: 'Tu pago espera la confirmación en el banco.',
      REQUIRES_PAYMENT_METHOD: 'Tu pago espera que elijas tu banco.',
    } as Record<string, string>,
    resultTitle: 'Estado del pago',
    back: 'Volver al comercio',
    unavailable: 'Este enlace de pago ya no está disponible (vencido o usado).',
    notFound: 'Este pago no existe.',
    chooseBank: 'Elige un banco de la lista.',
  },
  pt: {
    lang: 'pt-BR',
    sandbox: 'Ambiente de testes (sandbox) do Ponte',
    bankTitle: '',
    bankIntro: '',
    amount: 'Valor',
    description: 'Descrição',
    reference: '',
    complete: '',
    abandon: '',
    bankHint: '',
    linkTitle: 'Pague pelo Open Finance',
    linkIntro: 'Escolha o seu banco para pagar {amount} a {beneficiary}.',
    bank: 'Seu banco',
    pay: 'Pagar',
    cancel: 'Voltar para a loja',
    status: {
      PROCESSING: 'Seu pagamento está em processamento.',
      SUCCEEDED: 'Seu pagamento foi aprovado.',
      FAILED: 'Seu pagamento não foi realizado: {reason}',
      REQUIRES_ACTION: 'Seu pagamento aguarda a autorização no banco.',
      REQUIRES_PAYMENT_METHOD: 'Seu pagamento aguarda a escolha do banco.',
    } as Record<string, string>,
    resultTitle: 'Situação do pagamento',
    back: 'Voltar para a loja',
    unavailable: 'Este link de pagamento não está mais disponível (expirado ou usado).',
    notFound: 'Este pagamento não existe.',
    chooseBank: 'Escolha um banco da lista.',
  },
}

/** Digits grouped by thousands with `.` (both locales), without floats. */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.')
}

/** "$ 150.000 COP" or "R$ 1.234,56", from the stored numeric text. */
export function displayAmount(amount: string, currency: string): string {
  const [whole, cents = '00'] = amount.split('.')
  return currency === 'COP' ? `$ ${groupThousands(whole)} COP` : `R$ ${groupThousands(whole)},${cents.padEnd(2, '0').slice(0, 2)}`
}

function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => esc(params[key] ?? ''))
}

function layout(locale: PayLocale, title: string, heading: string, body: string): string {
  const t = TEXT[locale]
  return `<!doctype html>
<html lang="${t.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header role="banner"><p>${esc(heading)}</p></header>
<main id="main">
${body}
</main>
<footer role="contentinfo">${esc(t.sandbox)}</footer>
</body>
</html>`
}

function statusText(locale: PayLocale, status: string, reason: string | null): string {
  return fill(TEXT[locale].status[status] ?? status, { reason: reason ?? '' })
}

/** The sandbox PSE bank's page of a confirmed intent: complete or abandon. */
export function pseBankPage(view: BankPageView, token: string): string {
  const t = TEXT.es
  const bank = view.payer?.display_name ?? 'PSE'
  const { intent } = view
  return layout(
    'es',
    `${t.bankTitle} · ${bank}`,
    bank,
    `<h1>${esc(t.bankTitle)}</h1>
<p>${fill(t.bankIntro, { beneficiary: view.beneficiaryName, bank })}</p>
<dl>
<dt>${esc(t.amount)}</dt><dd data-testid="amount">${esc(displayAmount(intent.amount, 'COP'))}</dd>
<dt>${esc(t.description)}</dt><dd>${esc(intent.description)}</dd>
<dt>${esc(t.reference)}</dt><dd><code>${esc(((intent.details as Record<string, unknown>).information as { bank_payment_id?: string } | undefined)?.bank_payment_id ?? '')}</code></dd>
</dl>
<form method="post" action="/payments/sandbox/pse/${esc(token)}/">
<p class="hint" id="bank-hint">${esc(t.bankHint)}</p>
<button class="primary" type="submit" name="decision" value="complete" aria-describedby="bank-hint">${esc(t.complete)}</button>
<button class="secondary" type="submit" name="decision" value="abandon">${esc(t.abandon)}</button>
</form>`,
  )
}

/** Where a payment stands, with the way back to the merchant when there is one. */
export function paymentStatusPage(locale: PayLocale, heading: string, status: string, reason: string | null, backUrl: string | null): string {
  const t = TEXT[locale]
  return layout(
    locale,
    t.resultTitle,
    heading,
    `<h1>${esc(t.resultTitle)}</h1>
<p role="status" data-status="${esc(status)}">${esc(statusText(locale, status, reason))}</p>
${backUrl ? `<p><a href="${esc(backUrl)}">${esc(t.back)}</a></p>` : ''}`,
  )
}

export function paymentProblemPage(locale: PayLocale, problem: 'notFound' | 'unavailable'): string {
  const t = TEXT[locale]
  return layout(locale, t.resultTitle, t.resultTitle, `<h1>${esc(t.resultTitle)}</h1>\n<p role="alert">${esc(t[problem])}</p>`)
}

export function linkLocale(view: PaymentLinkView): PayLocale {
  return view.link.payment_method_type === 'pse' ? 'es' : 'pt'
}

/** A payment link's page: the amount, the beneficiary, and the banks to choose from. */
export function paymentLinkPage(view: PaymentLinkView, institutions: { id: string; display_name: string }[], beneficiary: string, problem = false): string {
  const locale = linkLocale(view)
  const t = TEXT[locale]
  const intent = view.intent.view.intent
  const amount = displayAmount(intent.amount, locale === 'es' ? 'COP' : 'BRL')
  const options = institutions
    .map(
      (institution, i) =>
        `<label><input type="radio" name="institution" value="${esc(institution.id)}"${i === 0 ? ' required' : ''}${problem ? ' aria-invalid="true" aria-describedby="bank-error"' : ''}> ${esc(institution.display_name)}</label>`,
    )
    .join('\n')
  const cancel = (view.link.callback_urls as { cancel?: string }).cancel
  return layout(
    locale,
    t.linkTitle,
    beneficiary || t.linkTitle,
    `<h1>${esc(t.linkTitle)}</h1>
<p>${fill(t.linkIntro, { amount, beneficiary })}</p>
<dl><dt>${esc(t.description)}</dt><dd>${esc(intent.description)}</dd></dl>
${problem ? `<p class="error" role="alert" id="bank-error">${esc(t.chooseBank)}</p>` : ''}
<form method="post" action="/payments/pay/${esc(view.link.access_token)}/">
<fieldset><legend>${esc(t.bank)}</legend>
${options}
</fieldset>
<button class="primary" type="submit">${esc(t.pay)}</button>
</form>
${cancel ? `<p><a href="${esc(cancel)}">${esc(t.cancel)}</a></p>` : ''}`,
  )
}
