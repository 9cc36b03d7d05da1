import { createHash } from 'node:crypto'

const statementNames = new Map<string, string>()

/**
 * A stable name per SQL text, for the statements run `prepared` (seam.ts): each connection
 * prepares a named statement once (pg on PostgreSQL, store/pglite-rows.ts on PGlite) and then only
 * binds and executes it.
 */
export function statementName(text: string): string {
  let name = statementNames.get(text)
  if (!name) {
    name = `ponte_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`
    statementNames.set(text, name)
  }
  return name
}
