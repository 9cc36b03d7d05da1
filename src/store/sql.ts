/** A timestamptz column as Belvo writes timestamps: ISO-8601 UTC with milliseconds and Z. */
export function isoUtc(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
}
