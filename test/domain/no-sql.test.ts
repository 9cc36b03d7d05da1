import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const DOMAIN = fileURLToPath(new URL('../../src/domain/', import.meta.url))

/**
 * SQL belongs to src/store/ (DESIGN.md): the domain states rules and declarations only, so a
 * table or column can change in one layer. Filter declarations name columns symbolically
 * (`source: { column: 'record_date' }`), which the store turns into SQL.
 */
const SQL = [
  /\bSELECT\b[\s\S]{0,200}?\bFROM\b/,
  /\bINSERT\s+INTO\b/,
  /\bUPDATE\s+\w+\s+SET\b/,
  /\bDELETE\s+FROM\b/,
  /\b(?:BEGIN|COMMIT|ROLLBACK|VACUUM|ANALYZE)\b\s*['"`;]/,
  /::(?:json|jsonb|text|int|numeric|uuid|timestamptz|date)\b/,
  /\.(?:query|exec)\s*(?:<[^>]*>)?\s*\(\s*['"`]/,
]

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
}

describe('the domain layer', () => {
  it('holds no SQL text', () => {
    const files = sources(DOMAIN)
    expect(files.length).toBeGreaterThan(10)
    const found = files.flatMap((file) =>
      SQL.filter((pattern) => pattern.test(readFileSync(file, 'utf8'))).map((pattern) => `${file.slice(DOMAIN.length)}: ${pattern}`),
    )
    expect(found).toEqual([])
  })

  it('would notice SQL if some came back', () => {
    const samples = [
      "await tx.query('SELECT id FROM links WHERE id = $1', [id])",
      "`UPDATE links SET status = 'valid'`",
      '{ column: "(r.body::json->>\'balance\')::numeric" }',
      'await ctx.db.query(`DELETE FROM records WHERE link_id = $1`)',
    ]
    for (const sample of samples)
      expect(
        SQL.some((pattern) => pattern.test(sample)),
        sample,
      ).toBe(true)
  })
})
