import { once } from 'node:events'
import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { createInterface } from 'node:readline'
import { createGunzip, createGzip } from 'node:zlib'
import { copyValue } from './copy.ts'
import type { Db, Queryable } from './db.ts'

/**
 * The whole state of one organization as a file (`ponte snapshot save|load`, docs/snapshots.md):
 * gzip JSON lines, a header, then every row of every table that holds the organization's data,
 * then a trailer with the row counts (a truncated file is refused).
 *
 * Which tables those are comes from the database's own catalog, not from a list: `organizations`
 * (the organization's row), every table with an `organization_id` column, and every table that a
 * foreign key ties to one of those (a webhook delivery's attempts, a link's sync tombstones). A new
 * resource table is in the snapshot the day its migration adds it.
 */

export const SNAPSHOT_FORMAT = 'ponte-snapshot'
export const SNAPSHOT_VERSION = 1

export interface SnapshotTable {
  name: string
  /** Stored columns, in the catalog's order (generated columns are computed again on load). */
  columns: string[]
  /** Which rows are the organization's: a condition on the table aliased `t`, with the organization as $1. */
  where: string
  /** A foreign key to itself (records' parents): its rows load in one statement, which checks them at its end. */
  selfReferencing: boolean
}

export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT
  version: number
  /** The database's migration level: a snapshot loads only into a database at the same one. */
  migration: number
  organization_id: string
  saved_at: string
  /** A fingerprint of the encryption key that sealed its credentials (never the key). */
  key_check: string
  /** The last value of every sequence that numbers its rows, so later writes do not reuse them. */
  sequences: Record<string, string>
  tables: { name: string; columns: string[] }[]
}

interface Trailer {
  end: true
  rows: Record<string, number>
}

const damaged = 'The snapshot file is damaged or incomplete (it ends before its last row): save it again.'

/** A snapshot that cannot be loaded here, said in one sentence the operator can act on. */
export class SnapshotRefusal extends Error {
  override name = 'SnapshotRefusal'
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`

/** The organization's tables, parents before children. */
export async function snapshotTables(db: Queryable): Promise<SnapshotTable[]> {
  const columns = await db.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER'
     ORDER BY c.table_name, c.ordinal_position`,
  )
  const keys = await db.query<{ child: string; parent: string; child_columns: string[]; parent_columns: string[] }>(
    `SELECT ch.relname::text AS child, pa.relname::text AS parent,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS child_columns,
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS parent_columns
     FROM pg_constraint c JOIN pg_class ch ON ch.oid = c.conrelid JOIN pg_class pa ON pa.oid = c.confrelid
     JOIN pg_namespace n ON n.oid = ch.relnamespace
     WHERE c.contype = 'f' AND n.nspname = current_schema()
     ORDER BY ch.relname, c.conname`,
  )
  const byTable = new Map<string, string[]>()
  for (const { table_name, column_name } of columns) {
    if (table_name.startsWith('_')) continue
    byTable.set(table_name, [...(byTable.get(table_name) ?? []), column_name])
  }
  const where = new Map<string, string>()
  if (byTable.has('organizations')) where.set('organizations', 't.id = $1')
  for (const [table, cols] of byTable) if (cols.includes('organization_id') && table !== 'organizations') where.set(table, 't.organization_id = $1')
  // Tables without the column, reached by a foreign key from one that is in (to a fixed point).
  for (let added = true; added;) {
    added = false
    for (const key of keys) {
      if (where.has(key.child) || !where.has(key.parent) || key.child === key.parent) continue
      const parentWhere = where.get(key.parent)!
      where.set(
        key.child,
        `(${key.child_columns.map((c) => `t.${ident(c)}`).join(', ')}) IN (SELECT ${key.parent_columns.map((c) => `t.${ident(c)}`).join(', ')} FROM ${ident(key.parent)} t WHERE ${parentWhere})`,
      )
      added = true
    }
  }
  // Parents first, so that every foreign key holds once a table's rows are in.
  const ordered: string[] = []
  const visiting = new Set<string>()
  const visit = (table: string) => {
    if (ordered.includes(table)) return
    if (visiting.has(table)) throw new Error(`snapshot: the foreign keys of ${table} form a circle`)
    visiting.add(table)
    for (const key of keys) if (key.child === table && key.parent !== table && where.has(key.parent)) visit(key.parent)
    visiting.delete(table)
    ordered.push(table)
  }
  for (const table of [...where.keys()].sort()) visit(table)
  return ordered.map((name) => ({
    name,
    columns: byTable.get(name)!,
    where: where.get(name)!,
    selfReferencing: keys.some((k) => k.child === name && k.parent === name),
  }))
}

/** The highest migration applied to the database. */
export async function migrationLevel(db: Queryable): Promise<number> {
  const rows = await db.query<{ level: number | null }>('SELECT max(id) AS level FROM _migrations')
  return Number(rows[0]?.level ?? 0)
}

/**
 * The sequences that number the tables' rows, each with the columns holding its values: those
 * whose default takes from it (serial, identity, `nextval('change_seq')`), and the columns of the
 * same name and an integer type in the other tables (a sync tombstone's `change_seq`, which its
 * trigger numbers).
 */
async function sequenceColumns(db: Queryable, tables: SnapshotTable[]): Promise<Map<string, { table: string; column: string }[]>> {
  const rows = await db.query<{ table_name: string; column_name: string; sequence: string | null; column_default: string | null; integer: boolean }>(
    `SELECT table_name::text, column_name::text, column_default::text, data_type IN ('bigint', 'integer', 'smallint') AS integer,
       pg_get_serial_sequence(quote_ident(table_name::text), column_name::text) AS sequence
     FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`,
    [tables.map((t) => t.name)],
  )
  const sequences = new Map<string, { table: string; column: string }[]>()
  const named = new Map<string, string>()
  for (const row of rows) {
    const sequence = row.sequence ?? /nextval\('([^']+)'::regclass\)/.exec(row.column_default ?? '')?.[1]
    if (!sequence) continue
    sequences.set(sequence, [...(sequences.get(sequence) ?? []), { table: row.table_name, column: row.column_name }])
    named.set(row.column_name, sequence)
  }
  for (const row of rows) {
    const sequence = row.integer ? named.get(row.column_name) : undefined
    const using = sequence && sequences.get(sequence)
    if (using && !using.some((u) => u.table === row.table_name && u.column === row.column_name)) using.push({ table: row.table_name, column: row.column_name })
  }
  return sequences
}

async function lastValue(db: Queryable, sequence: string): Promise<bigint> {
  // Before its first nextval a sequence's last_value is the value it will hand out next.
  const [row] = await db.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${sequence}`)
  return BigInt(row.last_value) - (row.is_called ? 0n : 1n)
}

const FETCH_ROWS = 5000
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Writes the organization's snapshot to `file` (replaced only once it is whole), read in one
 * repeatable-read transaction: a consistent state even while the server writes. Answers the row
 * count of each table.
 */
export async function saveSnapshot(db: Db, file: string, organizationId: string, keyCheck: string): Promise<Record<string, number>> {
  if (!UUID.test(organizationId)) throw new SnapshotRefusal(`Not an organization id: ${organizationId}`)
  const partial = `${file}.partial`
  const gzip = createGzip()
  const written = pipeline(gzip, createWriteStream(partial))
  written.catch(() => {})
  const write = async (value: unknown) => {
    if (!gzip.write(`${JSON.stringify(value)}\n`)) await Promise.race([once(gzip, 'drain'), written])
  }
  const counts: Record<string, number> = {}
  try {
    await db.tx(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ')
      const tables = await snapshotTables(tx)
      const sequences: Record<string, string> = {}
      for (const sequence of (await sequenceColumns(tx, tables)).keys()) sequences[sequence] = String(await lastValue(tx, sequence))
      const header: SnapshotHeader = {
        format: SNAPSHOT_FORMAT,
        version: SNAPSHOT_VERSION,
        migration: await migrationLevel(tx),
        organization_id: organizationId,
        saved_at: new Date().toISOString(),
        key_check: keyCheck,
        sequences,
        tables: tables.map((t) => ({ name: t.name, columns: t.columns })),
      }
      await write(header)
      for (const table of tables) {
        counts[table.name] = 0
        // Values as their text form: every type comes back exactly as COPY reads it again.
        const select = table.columns.map((c) => `t.${ident(c)}::text`).join(', ')
        await tx.query(
          `DECLARE snapshot_rows NO SCROLL CURSOR FOR SELECT ${select} FROM ${ident(table.name)} t WHERE ${table.where.replace(/\$1/g, `'${organizationId}'::uuid`)}`,
        )
        for (;;) {
          const rows = await tx.query<Record<string, string | null>>(`FETCH ${FETCH_ROWS} FROM snapshot_rows`)
          for (const row of rows) await write({ t: table.name, v: Object.values(row) })
          counts[table.name] += rows.length
          if (rows.length < FETCH_ROWS) break
        }
        await tx.query('CLOSE snapshot_rows')
      }
      await write({ end: true, rows: counts } satisfies Trailer)
    })
    gzip.end()
    await written
    renameSync(partial, file)
  } catch (error) {
    gzip.destroy()
    await written.catch(() => {})
    rmSync(partial, { force: true })
    throw error
  }
  return counts
}

/** A snapshot file's lines, header first; the caller reads the header before anything is written. */
export async function openSnapshot(file: string): Promise<{ header: SnapshotHeader; rest: AsyncIterator<string>; close(): void }> {
  statSync(file) // a missing file is ENOENT here, not a stream's error later
  const input = createGunzip()
  const raw = createReadStream(file)
  raw.on('error', (error) => input.destroy(error))
  raw.pipe(input)
  const lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]()
  const close = () => {
    raw.destroy()
    input.destroy()
  }
  let header: SnapshotHeader | undefined
  try {
    const first = await lines.next()
    header = first.done ? undefined : (JSON.parse(first.value) as SnapshotHeader)
  } catch {
    header = undefined
  }
  if (header?.format !== SNAPSHOT_FORMAT) {
    close()
    throw new SnapshotRefusal(`${file} is not a Ponte snapshot (ponte snapshot save writes one).`)
  }
  if (header.version !== SNAPSHOT_VERSION) {
    close()
    throw new SnapshotRefusal(`${file} is a snapshot of format version ${header.version}; this Ponte reads version ${SNAPSHOT_VERSION}.`)
  }
  return { header, rest: lines, close }
}

/**
 * Loads a snapshot in ONE transaction: all of it or nothing. Refuses a database at another
 * migration level, tables whose columns differ, and an organization that already has rows here
 * (unless `replace`, which deletes them first). Moves every sequence past the loaded rows.
 */
export async function loadSnapshot(db: Db, snapshot: Awaited<ReturnType<typeof openSnapshot>>, options: { replace: boolean }): Promise<Record<string, number>> {
  const { header, rest } = snapshot
  const organizationId = header.organization_id
  const level = await migrationLevel(db)
  if (header.migration !== level) {
    throw new SnapshotRefusal(
      `The snapshot was saved at migration ${header.migration} and this database is at ${level}: load it into a database of the same Ponte version.`,
    )
  }
  const tables = await snapshotTables(db)
  const here = new Map(tables.map((t) => [t.name, t]))
  for (const table of header.tables) {
    const mine = here.get(table.name)
    if (!mine || mine.columns.join(',') !== table.columns.join(',')) {
      throw new SnapshotRefusal(`The snapshot's table ${table.name} does not match this database's: load it into a database of the same Ponte version.`)
    }
  }
  const counts: Record<string, number> = {}
  await db.tx(async (tx) => {
    const existing: string[] = []
    for (const table of tables) {
      if ((await tx.query(`SELECT 1 FROM ${ident(table.name)} t WHERE ${table.where} LIMIT 1`, [organizationId])).length > 0) existing.push(table.name)
    }
    if (existing.length > 0 && !options.replace) {
      throw new SnapshotRefusal(
        `Organization ${organizationId} already has data in this database (${existing.join(', ')}): load with --replace to delete it first.`,
      )
    }
    // The rows are the saved state as it is, counters and versions included: the tables' own
    // triggers (a link's transaction count, a deletion's sync tombstone, the ledger's append-only
    // guard) stay off until the load's end, in this transaction only.
    for (const table of tables) await tx.query(`ALTER TABLE ${ident(table.name)} DISABLE TRIGGER USER`)
    // Children first.
    for (const table of [...tables].reverse()) await tx.query(`DELETE FROM ${ident(table.name)} t WHERE ${table.where}`, [organizationId])

    let current: { name: string; columns: string[]; selfReferencing: boolean } | undefined
    let data: string[] = []
    const flush = async () => {
      if (current && data.length > 0) await tx.copyIn(`${ident(current.name)} (${current.columns.map(ident).join(', ')})`, data.join(''))
      data = []
    }
    let trailer: Trailer | undefined
    const next = () =>
      rest.next().catch((error: { code?: string }) => {
        throw error.code?.startsWith('Z_') ? new SnapshotRefusal(damaged) : error
      })
    for (let line = await next(); !line.done; line = await next()) {
      if (line.value === '') continue
      const row = JSON.parse(line.value) as { t: string; v: (string | null)[] } | Trailer
      if ('end' in row) {
        trailer = row
        break
      }
      if (row.t !== current?.name) {
        await flush()
        const table = header.tables.find((t) => t.name === row.t)
        if (!table) throw new SnapshotRefusal(`The snapshot has rows of ${row.t}, a table its header does not list.`)
        current = { ...table, selfReferencing: here.get(row.t)!.selfReferencing }
      }
      data.push(`${row.v.map(copyValue).join('\t')}\n`)
      counts[row.t] = (counts[row.t] ?? 0) + 1
      if (!current.selfReferencing && data.length >= FETCH_ROWS) await flush()
    }
    await flush()
    const expected = Object.entries(trailer?.rows ?? {}).filter(([, n]) => n > 0)
    if (!trailer || expected.some(([table, n]) => counts[table] !== n)) throw new SnapshotRefusal(damaged)

    for (const table of tables) await tx.query(`ALTER TABLE ${ident(table.name)} ENABLE TRIGGER USER`)

    // Sequences: past the loaded rows, and at least where they stood when the snapshot was saved.
    for (const [sequence, using] of await sequenceColumns(tx, tables)) {
      let target = BigInt(header.sequences[sequence] ?? '0')
      for (const { table, column } of using) {
        const [row] = await tx.query<{ max: string | null }>(`SELECT max(${ident(column)})::text AS max FROM ${ident(table)}`)
        if (row.max !== null && BigInt(row.max) > target) target = BigInt(row.max)
      }
      if (target > (await lastValue(tx, sequence))) await tx.query('SELECT setval($1::regclass, $2::bigint, true)', [sequence, String(target)])
    }
  })
  return counts
}
