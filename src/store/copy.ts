/**
 * PostgreSQL's COPY text format: one line per row, values separated by tabs, `\N` for NULL, and
 * backslash escapes for the four characters that would break the framing. JSON bodies rarely hold
 * any of them, so most values pass through untouched.
 */
const NEEDS_ESCAPE = /[\\\t\n\r]/
const ESCAPABLE = /[\\\t\n\r]/g
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }

export function copyValue(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N'
  const text = typeof value === 'string' ? value : String(value)
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPABLE, (c) => ESCAPES[c]) : text
}
