import type { inboxMessageWire } from '../../domain/inbox.ts'
import { esc } from './mock-bank.ts'

type InboxMessage = ReturnType<typeof inboxMessageWire>

/**
 * The webhook inbox's page (issue 18): plain server-rendered HTML, no script (the page's CSP
 * allows none). Each message is a native <details> (keyboard and screen readers need nothing
 * more); the signature check is said in words, not only in colour.
 */
const SIGNATURE_TEXT: Record<InboxMessage['signature'], string> = {
  valid: 'Signature valid',
  invalid: 'Signature INVALID',
  missing: 'No signature',
}

// Contrast: text #1b1f24 on #fff (16:1); valid #1e6b34 (6.5:1), invalid #a4161a (7.3:1).
const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#eef1f5}
header{background:#0b5394;color:#fff;padding:12px 16px}
header p{margin:0;font-weight:600}
main{max-width:960px;margin:24px auto;padding:24px;background:#fff;border-radius:8px}
h1{font-size:1.35rem;margin:0 0 12px}
code,pre{font-size:.85rem;overflow-wrap:anywhere;white-space:pre-wrap}
details{border-top:1px solid #c9ced4;padding:8px 0}
summary{cursor:pointer}
.valid{color:#1e6b34;font-weight:600}.invalid{color:#a4161a;font-weight:600}.missing{color:#4a525b}
:focus-visible{outline:3px solid #f1a208;outline-offset:2px}
a{color:#0b5394}
`

function json(value: unknown): string {
  return esc(typeof value === 'string' ? value : JSON.stringify(value, null, 2))
}

function message(m: InboxMessage): string {
  const what = m.webhook_type ? `${m.webhook_type} ${m.webhook_code ?? ''}` : 'Not a Belvo webhook'
  return `<details>
<summary><time datetime="${esc(m.received_at)}">${esc(m.received_at)}</time> · <strong>${esc(what)}</strong> · <span class="${m.signature}">${SIGNATURE_TEXT[m.signature]}</span></summary>
<h2>Headers</h2>
<pre>${json(m.headers)}</pre>
<h2>Body</h2>
<pre>${json(m.body)}</pre>
</details>`
}

export function inboxPage(url: string, messages: InboxMessage[]): string {
  const list = messages.length
    ? messages.map(message).join('\n')
    : '<p>Nothing received yet. Register the URL above with <code>POST /api/webhooks/</code>, then make something happen (create a link, for example).</p>'
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Webhook inbox · Ponte sandbox</title>
<style>${CSS}</style>
</head>
<body>
<header role="banner"><p>Ponte sandbox</p></header>
<main id="main">
<h1>Webhook inbox</h1>
<p>Receiver URL: <code>${esc(url)}</code></p>
<p>The newest ${messages.length} message${messages.length === 1 ? '' : 's'}, newest first. <a href="">Refresh</a></p>
${list}
</main>
</body>
</html>`
}
