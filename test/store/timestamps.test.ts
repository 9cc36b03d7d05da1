import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/store/db.ts'
import { isoTimestamp, isoUtc } from '../../src/store/sql.ts'
import { backend, openTestDb } from '../helpers/db.ts'

/**
 * Lists format timestamps in Node (isoTimestamp) from the database's own text output; this checks
 * it against the database's formatting in SQL (isoUtc), whatever the session's time zone.
 */
describe(`timestamps read as text on ${backend}`, () => {
  let db: Db & { dropDatabase(): Promise<void> }
  beforeAll(async () => {
    db = await openTestDb({ migrated: false })
  })
  afterAll(async () => db.dropDatabase())

  const VALUES = ['2026-06-30T12:00:00.000Z', '2026-01-01T00:00:00.123Z', '1999-12-31T23:59:59.999Z', '2026-03-10T15:00:00.5Z', '2024-02-29T06:07:08.000456Z']

  for (const zone of ['UTC', 'America/Mexico_City', 'Asia/Kolkata', 'America/St_Johns']) {
    it(`matches to_char in SQL with TimeZone ${zone}`, async () => {
      await db.tx(async (tx) => {
        await tx.query(`SELECT set_config('TimeZone', $1, true)`, [zone])
        for (const value of VALUES) {
          const [row] = await tx.query<{ text: string; sql: string }>(`SELECT $1::timestamptz::text AS text, ${isoUtc('$1::timestamptz')} AS sql`, [value])
          expect(isoTimestamp(row.text)).toBe(row.sql)
        }
      })
    })
  }

  it('refuses text it cannot read rather than inventing a date', () => {
    expect(() => isoTimestamp('not a timestamp')).toThrow()
  })
})
