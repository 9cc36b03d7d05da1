import { render } from 'preact'
import { App } from './app.tsx'
import { PENDING_PAYMENTS_TOKEN, readParams } from './host.ts'
import './styles.css'

/** A payments token (POST /payments/br/token/) carries the payments scopes: the scopes are read, not checked (the server checks). */
function isPaymentsToken(token: string | null): boolean {
  try {
    const payload = JSON.parse(atob((token ?? '').split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { scopes?: unknown }
    return Array.isArray(payload.scopes) && payload.scopes.includes('read_payment_institutions')
  } catch {
    return false
  }
}

const root = document.getElementById('app')
if (root) {
  const url = new URL(window.location.href)
  const params = readParams(url)
  // Back from the institution's enrollment page: the payments token waited in this tab (payments.tsx).
  if (!params.token && url.searchParams.has('state')) params.token = sessionStorage.getItem(PENDING_PAYMENTS_TOKEN)
  const show = (node: preact.ComponentChild) => {
    root.className = ''
    root.textContent = ''
    render(node, root)
  }
  // The payments flow is a chunk of its own: the connect flow's first screen does not load it.
  if (isPaymentsToken(params.token)) void import('./payments.tsx').then(({ PaymentsApp }) => show(<PaymentsApp params={params} />))
  else show(<App params={params} />)
}
