import { randomUUID } from 'node:crypto'
import type { Db } from '../src/store/db.ts'

/**
 * PERF.md's database ceilings, re-measured by its own method (its `dbbench.js` and `unnest.js`)
 * on the database under test, so each figure is compared with a ceiling of the same sitting.
 *
 * The table is PERF.md's 19-column `transactions`, primary key plus (link_id, value_date DESC, id),
 * under another name so it sits beside Ponte's own tables. The 1M-row set is 100 links x 10k rows
 * over 730 days with a link's rows interleaved with the other 99 links', as they are in a store
 * that many links fill over time.
 */
export const CEILING_TABLE = 'perf_transactions'
export const CEILING_LINKS = Array.from({ length: 100 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)
/** About three quarters of each link's rows fall after this date. */
export const CEILING_SINCE = '2023-07-01'
export const CEILING_FIRST_PAGE = `SELECT * FROM ${CEILING_TABLE} WHERE link_id = $1 AND value_date >= $2 ORDER BY value_date DESC, id LIMIT 100`
const OFFSET_PAGE = `${CEILING_FIRST_PAGE} OFFSET $3`

const COLUMNS = [
  'id',
  'link_id',
  'account_id',
  'value_date',
  'accounting_date',
  'amount',
  'balance',
  'currency',
  'description',
  'observations',
  'category',
  'subcategory',
  'merchant',
  'reference',
  'type',
  'status',
  'internal_identification',
  'collected_at',
  'created_at',
]
const TYPES = [
  'uuid',
  'uuid',
  'uuid',
  'date',
  'timestamptz',
  'numeric',
  'numeric',
  'text',
  'text',
  'text',
  'text',
  'text',
  'jsonb',
  'text',
  'text',
  'text',
  'text',
  'timestamptz',
  'timestamptz',
]
const CATEGORIES = ['Food & Groceries', 'Transport & Travel', 'Bills & Utilities', 'Shopping', 'Income & Payments', 'Transfers']
const MERCHANTS = ['Starbucks', 'Uber', 'Netflix', 'Walmart', 'OXXO', 'Mercado Libre']
const ACCOUNTS = CEILING_LINKS.map((_, i) => `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`)
const BASE = Date.UTC(2023, 0, 1)

async function createTable(db: Db): Promise<void> {
  await db.exec(`DROP TABLE IF EXISTS ${CEILING_TABLE};
    CREATE TABLE ${CEILING_TABLE} (
      id uuid PRIMARY KEY, link_id uuid NOT NULL, account_id uuid NOT NULL, value_date date NOT NULL,
      accounting_date timestamptz, amount numeric(18,2) NOT NULL, balance numeric(18,2), currency char(3) NOT NULL,
      description text, observations text, category text, subcategory text, merchant jsonb, reference text,
      type text NOT NULL, status text NOT NULL, internal_identification text,
      collected_at timestamptz NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    CREATE INDEX ${CEILING_TABLE}_link_date_idx ON ${CEILING_TABLE} (link_id, value_date DESC, id)`)
}

const randomDay = () => new Date(BASE + Math.floor(Math.random() * 730) * 86_400_000).toISOString()

/** Row `i` of the 1M-row query set (dbbench.js): link i % 100. */
function queryRow(i: number): (string | null)[] {
  const link = i % CEILING_LINKS.length
  const day = randomDay()
  const merchant = MERCHANTS[i % MERCHANTS.length]
  return [
    randomUUID(),
    CEILING_LINKS[link],
    ACCOUNTS[link],
    day.slice(0, 10),
    day,
    (Math.random() * 5000).toFixed(2),
    (Math.random() * 100000).toFixed(2),
    'MXN',
    `COMPRA POS ${merchant.toUpperCase()} ${i}`,
    i % 4 === 0 ? `REF ${i}` : null,
    CATEGORIES[i % CATEGORIES.length],
    null,
    JSON.stringify({ merchant_name: merchant, logo: `https://cdn.example.com/m/${i % 6}.png`, website: 'https://example.com' }),
    String(100000 + i),
    i % 3 === 0 ? 'INFLOW' : 'OUTFLOW',
    'PROCESSED',
    String(i),
    '2024-05-02T10:11:12.123Z',
    '2024-05-02T10:11:13.001Z',
  ]
}

/** Row `i` of the unnest ingest set (unnest.js): one link. */
function ingestRow(i: number): (string | null)[] {
  const day = randomDay()
  return [
    randomUUID(),
    CEILING_LINKS[1],
    ACCOUNTS[1],
    day.slice(0, 10),
    day,
    (Math.random() * 5000).toFixed(2),
    '100.00',
    'MXN',
    `COMPRA POS ${i}`,
    null,
    'Shopping',
    null,
    '{"merchant_name":"OXXO"}',
    String(i),
    'OUTFLOW',
    'PROCESSED',
    String(i),
    '2024-05-02T10:11:12.123Z',
    '2024-05-02T10:11:13.001Z',
  ]
}

/**
 * C6/C7 unnest: 100,000 generated rows (generation not timed) inserted 5,000 per
 * `INSERT ... SELECT FROM unnest($1::uuid[], ...)` statement into the empty table. Rows/s.
 */
export async function unnestCeiling(db: Db): Promise<number> {
  await createTable(db)
  const rows = Array.from({ length: 100_000 }, (_, i) => ingestRow(i))
  const sql = `INSERT INTO ${CEILING_TABLE} (${COLUMNS.join(',')}) SELECT * FROM unnest(${TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(',')})`
  const started = performance.now()
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000)
    await db.query(
      sql,
      COLUMNS.map((_, c) => chunk.map((row) => row[c])),
    )
  }
  const rate = rows.length / ((performance.now() - started) / 1000)
  await db.exec(`DROP TABLE ${CEILING_TABLE}`)
  return rate
}

/**
 * C6/C7 single-row commits: 5,000 generated rows inserted one `INSERT` (one implicit transaction)
 * at a time into the empty table, on one connection, as PERF.md's dbbench.js did. Rows/s.
 */
export async function singleRowCommitCeiling(db: Db, rows = 5000): Promise<number> {
  await createTable(db)
  const generated = Array.from({ length: rows }, (_, i) => ingestRow(i))
  const sql = `INSERT INTO ${CEILING_TABLE} (${COLUMNS.join(',')}) VALUES (${TYPES.map((type, i) => `$${i + 1}::${type}`).join(',')})`
  const started = performance.now()
  for (const row of generated) await db.query(sql, row)
  const rate = rows / ((performance.now() - started) / 1000)
  await db.exec(`DROP TABLE ${CEILING_TABLE}`)
  return rate
}

const copyLine = (row: (string | null)[]) => `${row.map((v) => (v === null ? '\\N' : v)).join('\t')}\n`

/** Loads the 1M-row query set by COPY in 100k-row chunks, then ANALYZE, as dbbench.js does. */
export async function loadQuerySet(db: Db): Promise<void> {
  await createTable(db)
  for (let chunk = 0; chunk < 10; chunk++) {
    let text = ''
    for (let i = 0; i < 100_000; i++) text += copyLine(queryRow(chunk * 100_000 + i))
    await db.copyIn(`${CEILING_TABLE} (${COLUMNS.join(',')})`, text)
  }
  await db.exec(`ANALYZE ${CEILING_TABLE}`)
}

export async function dropQuerySet(db: Db): Promise<void> {
  await db.exec(`DROP TABLE IF EXISTS ${CEILING_TABLE}`)
}

/**
 * C10: `OFFSET skip` pages over the query set in a closed loop on one connection, the links taken
 * in turn, 200 warm-up queries then 5 seconds. Queries/s.
 */
export async function offsetCeiling(db: Db, skip: number, seconds = 5): Promise<number> {
  const page = (k: number) => db.query(OFFSET_PAGE, [CEILING_LINKS[k % CEILING_LINKS.length], CEILING_SINCE, skip])
  for (let k = 0; k < 200; k++) await page(k)
  let k = 0
  const started = performance.now()
  while (performance.now() - started < seconds * 1000) await page(k++)
  return k / ((performance.now() - started) / 1000)
}
