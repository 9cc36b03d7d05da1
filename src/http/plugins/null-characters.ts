import { PonteError } from '../../lib/errors.ts'

/**
 * PostgreSQL text cannot hold U+0000, so a string carrying one would fail deep in a query.
 * Django REST framework refuses such values up front ("Null characters are not allowed."), and
 * so does Ponte: in the URL (path or query, where it arrives as `%00`) and in JSON bodies (as
 * `\u0000`). Both checks look at the raw text first, so ordinary requests pay one `includes`.
 */
const detail = 'Null characters are not allowed.'

/** The error for a URL carrying `%00`, naming the query parameter that holds it. */
export function nullCharacterInUrl(url: string): PonteError | undefined {
  if (!url.includes('%00')) return undefined
  const query = url.indexOf('?')
  const field = query < 0 ? undefined : [...new URLSearchParams(url.slice(query + 1))].find(([key, value]) => key.includes('\0') || value.includes('\0'))?.[0]
  return new PonteError('invalid', { field: field?.replaceAll('\0', ''), params: { detail } })
}

/** The error for a parsed JSON body holding U+0000 in a key or string, naming the top-level field. */
export function nullCharacterInBody(raw: string, parsed: unknown): PonteError | undefined {
  if (!/\\u0000/i.test(raw) || !hasNull(parsed)) return undefined
  const field = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? Object.entries(parsed).find(([key, value]) => key.includes('\0') || hasNull(value))?.[0]
    : undefined
  return new PonteError('invalid', { field: field?.replaceAll('\0', ''), params: { detail } })
}

function hasNull(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0')
  if (Array.isArray(value)) return value.some(hasNull)
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, item]) => key.includes('\0') || hasNull(item))
  return false
}
