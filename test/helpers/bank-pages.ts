import type { Harness } from './harness.ts'

/** What a browser gets from the sandbox bank's HTML pages. */
export interface BankPage {
  status: number
  html: string
  location?: string
}

/** A browser's request to the sandbox bank's pages: GET a URL (absolute or a path), or POST a form urlencoded. */
export async function bankPage(h: Harness, url: string, form?: Record<string, string>): Promise<BankPage> {
  const target = new URL(url, 'http://localhost')
  const res = await h.app.inject({
    method: form ? 'POST' : 'GET',
    url: target.pathname + target.search,
    headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    payload: form ? new URLSearchParams(form).toString() : undefined,
  })
  return { status: res.statusCode, html: res.body, location: res.headers.location as string | undefined }
}

/** The hidden fields of the page's form (what the browser would post back). */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[match[1]] = match[2].replace(/&amp;/g, '&')
  return fields
}

/** Where the page's form posts (its action). */
export function formAction(html: string): string {
  const match = /<form method="post" action="([^"]+)"/.exec(html)
  if (!match) throw new Error(`no form on the page:\n${html}`)
  return match[1]
}
