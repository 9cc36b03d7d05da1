/** A timestamptz column as Belvo writes timestamps: ISO-8601 UTC with milliseconds and Z. */
export function isoUtc(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
}

// PostgreSQL's text output of a timestamptz under DateStyle ISO: `2026-06-30 12:00:00.123+00`.
const PG_TIMESTAMPTZ = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d+))?([+-]\d{2}(?::?\d{2}){0,2})$/
let lastText = ''
let lastIso = ''

/**
 * A timestamptz read as text (store adapters keep them so) written as Belvo writes timestamps, in
 * Node rather than with to_char in SQL. The rows of a page mostly share one timestamp: the last
 * conversion is remembered.
 */
export function isoTimestamp(text: string): string {
  if (text === lastText) return lastIso
  const match = PG_TIMESTAMPTZ.exec(text)
  let iso: string
  if (match && match[4] === '+00') iso = `${match[1]}T${match[2]}.${((match[3] ?? '') + '000').slice(0, 3)}Z`
  else {
    const date = new Date(match ? `${match[1]}T${match[2]}.${((match[3] ?? '') + '000').slice(0, 3)}${offset(match[4])}` : text)
    if (Number.isNaN(date.getTime())) throw new Error(`Unreadable timestamp from the database: ${text}`)
    iso = date.toISOString()
  }
  lastText = text
  lastIso = iso
  return iso
}

/** `+05`, `-0330`, `+05:30:15` (seconds dropped: no zone in use has them) as `+05:00`. */
function offset(raw: string): string {
  const digits = raw.slice(1).replace(/:/g, '')
  return `${raw[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`
}
