import { PonteError } from '../../lib/errors.ts'

/**
 * PostgreSQL text cannot hold U+0000, so a string carrying one would fail deep in a query.
 * Django REST framework refuses such values up front ("Null characters are not allowed."), and
 * so does Ponte: in the URL (path or query, where it arrives as `%00`) and in JSON bodies (as
 * `\u0000`). A JSON string may also carry half of a surrogate pair (`\ud800`), which no UTF-8
 * text can hold: stored, it would silently become U+FFFD, so it is refused too. The checks look
 * at the raw text first, so ordinary requests pay one `includes` or one regular expression.
 */
const detail = 'Null characters are not allowed.'
const surrogateDetail = 'Unpaired surrogate characters are not allowed.'
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** The error for a URL carrying `%00`, naming the query parameter that holds it. */
export function unstorableTextInUrl(url: string): PonteError | undefined {
  if (!url.includes('%00')) return undefined
  const query = url.indexOf('?')
  const field = query < 0 ? undefined : [...new URLSearchParams(url.slice(query + 1))].find(([key, value]) => key.includes('\0') || value.includes('\0'))?.[0]
  return new PonteError('invalid', { field: field?.replaceAll('\0', ''), params: { detail } })
}

/**
 * The error for a parsed JSON body holding U+0000 or an unpaired surrogate in a key or string,
 * naming the top-level field.
 */
export function unstorableTextInBody(raw: string, parsed: unknown): PonteError | undefined {
  // Both escapes start with `\u` (JSON has no other spelling of them, and no raw NUL or lone
  // surrogate survives JSON.parse of UTF-8 text): a body without one (most, and every large EYOD
  // body) costs one fast search instead of two regular expressions over megabytes.
  if (!raw.includes('\\u')) return undefined
  if (/\\u0000/i.test(raw)) {
    const error = refuse(parsed, (text) => text.includes('\0'), detail)
    if (error) return error
  }
  if (/\\ud[89a-f]/i.test(raw)) return refuse(parsed, (text) => LONE_SURROGATE.test(text), surrogateDetail)
  return undefined
}

function refuse(parsed: unknown, bad: (text: string) => boolean, why: string): PonteError | undefined {
  const holds = (value: unknown): boolean => {
    if (typeof value === 'string') return bad(value)
    if (Array.isArray(value)) return value.some(holds)
    if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, item]) => bad(key) || holds(item))
    return false
  }
  if (!holds(parsed)) return undefined
  const field =
    parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? Object.entries(parsed).find(([key, value]) => bad(key) || holds(value))?.[0]
      : undefined
  return new PonteError('invalid', { field: field && !bad(field) ? field : undefined, params: { detail: why } })
}
