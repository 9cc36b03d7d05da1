import { protocol, type PGlite } from '@electric-sql/pglite'
import { statementName } from './statement-names.ts'

/**
 * A faster path for PGlite's hottest statements (list pages, a payment intent's create), used
 * where every value is wanted as text. PGlite's `query` makes six calls into the engine per
 * statement, parses and plans it every time, and copies each field into its own ArrayBuffer
 * before decoding it; on a 1000-row page that was most of the time, and in a short transaction
 * each statement cost about a commit. Here the statement is prepared by name once, the whole
 * extended-protocol exchange goes in one call and the rows are read straight out of the raw
 * reply. Outside a transaction it takes the same two locks `query` takes, so it never runs inside
 * another caller's transaction; inside one (`queryTextRowsInTransaction`), the query lock only, as
 * PGlite's own transaction queries do.
 */

const { serialize } = protocol

/** A parameter in text format: scalars as strings, arrays as PostgreSQL array literals. */
function textParam(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (Array.isArray(value)) return `{${value.map((v) => (v === null ? 'NULL' : `"${String(v).replace(/["\\]/g, '\\$&')}"`)).join(',')}}`
  return String(value)
}

/**
 * A Bind message of a named statement with every parameter and result column in text format,
 * written into one buffer sized up front. PGlite's own serializer grows a buffer value by value
 * and encodes each separately: about 55 µs for the 35 values of a payment intent's insert, against
 * 4 here, on a path where the whole statement costs a few hundred.
 */
function bindText(statement: string, params: readonly unknown[]): Buffer {
  const values = params.map(textParam)
  const lengths = values.map((value) => (value === null ? -1 : Buffer.byteLength(value)))
  // Type, length, portal "" (1), statement and its NUL, 0 format codes (all text), the values, 0 result formats.
  let size = 4 + 1 + Buffer.byteLength(statement) + 1 + 2 + 2 + 2
  for (const length of lengths) size += 4 + Math.max(length, 0)
  const message = Buffer.allocUnsafe(1 + size)
  message[0] = 0x42 // B
  message.writeInt32BE(size, 1)
  let at = 5
  message[at++] = 0
  at += message.write(statement, at)
  message[at++] = 0
  at = message.writeInt16BE(0, at)
  at = message.writeInt16BE(values.length, at)
  for (let i = 0; i < values.length; i++) {
    at = message.writeInt32BE(lengths[i], at)
    if (lengths[i] > 0) at += message.write(values[i]!, at)
  }
  message.writeInt16BE(0, at)
  return message
}

/** What follows every Bind: describe the portal, execute it, sync. The same bytes every time. */
const EXECUTE_AND_SYNC = Buffer.concat([serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()])

export class PgliteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message)
  }
}

/**
 * Sends protocol messages to the engine in one call, under the same two locks PGlite's `query`
 * takes (so never inside another caller's transaction), and reads the reply: rows, or the
 * ErrorResponse thrown. `onRawData` hands over the engine's output as it is produced, keeping
 * PGlite's own parser (which copies every field) out of the way; the chunks are views of engine
 * memory, so they are copied.
 */
async function exchange(pg: PGlite, request: EngineRequest): Promise<Record<string, string | null>[]> {
  await pg.waitReady
  return pg._runExclusiveTransaction(() => exchangeInTransaction(pg, request))
}

/**
 * What goes to the engine: the messages, and what to do once it has parsed them. A function is
 * called under the query lock, so what it reads of the engine's state (which statements it has
 * prepared) cannot change before the messages arrive.
 */
type EngineRequest = Buffer | (() => { request: Buffer; onParsed?: () => void })

/**
 * Messages to send ahead of a statement in the same call (store/pglite-tx.ts: the transaction's
 * BEGIN), asked for once the statement's own messages are built, right before sending.
 */
export type BeforeStatement = () => Buffer | undefined

/**
 * The exchange alone, under the query lock only: for a statement of the transaction that already
 * holds the transaction lock (store/pglite-tx.ts). An error leaves the
 * transaction aborted, as PGlite's own `query` does; the transaction then rolls back.
 */
export function exchangeInTransaction(pg: PGlite, request: EngineRequest, before?: BeforeStatement): Promise<Record<string, string | null>[]> {
  return pg.runExclusive(async () => {
    const { request: statement, onParsed } = typeof request === 'function' ? request() : { request, onParsed: undefined }
    const ahead = before?.()
    const messages = ahead ? Buffer.concat([ahead, statement]) : statement
    const chunks: Buffer[] = []
    await pg.execProtocolRawStream(messages, {
      syncToFs: false,
      onRawData: (chunk) => {
        chunks.push(Buffer.from(chunk))
      },
    })
    return readRows(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), onParsed)
  })
}

/** The names of the statements each engine has prepared (PGlite is one connection: prepared once). */
const preparedIn = new WeakMap<PGlite, Set<string>>()

/**
 * A named statement, parsed and planned by the engine the first time only (as pg does on
 * PostgreSQL), then bound and executed. A name counts as prepared once the engine said so
 * (ParseComplete), even if the execution after it failed: prepared statements outlive transactions.
 */
function namedQuery(
  pg: PGlite,
  text: string,
  params: unknown[],
  run: (request: EngineRequest) => Promise<Record<string, string | null>[]>,
): Promise<Record<string, string | null>[]> {
  let prepared = preparedIn.get(pg)
  if (!prepared) preparedIn.set(pg, (prepared = new Set()))
  const names = prepared
  const name = statementName(text)
  // Whether to Parse is decided under the query lock: two requests running the same statement
  // for the first time at once would otherwise both send it, and the second fail (42P05). The
  // values are encoded there too, so a value that cannot be is a rejection like any other.
  return run(() => {
    const execution = [bindText(name, params), EXECUTE_AND_SYNC]
    return names.has(name)
      ? { request: Buffer.concat(execution) }
      : { request: Buffer.concat([serialize.parse({ name, text }), ...execution]), onParsed: () => names.add(name) }
  })
}

export function queryTextRows(pg: PGlite, text: string, params: unknown[] = []): Promise<Record<string, string | null>[]> {
  return namedQuery(pg, text, params, (request) => exchange(pg, request))
}

/**
 * `queryTextRows` for a statement inside an open PGlite transaction (one engine call instead of
 * six), `before` sent ahead of it in the same call.
 */
export function queryTextRowsInTransaction(
  pg: PGlite,
  text: string,
  params: unknown[] = [],
  before?: BeforeStatement,
): Promise<Record<string, string | null>[]> {
  return namedQuery(pg, text, params, (request) => exchangeInTransaction(pg, request, before))
}

/**
 * `COPY <target> FROM STDIN` in one call into the engine: the data goes in as a CopyData message
 * (encoded once), where a `/dev/blob` COPY would encode it, write it to the virtual file system
 * and read it back.
 */
export async function copyInRaw(pg: PGlite, target: string, data: string): Promise<void> {
  await exchange(pg, copyInMessages(target, data))
  // Written data reaches the data directory as PGlite's own writes do.
  await pg.syncToFs()
}

/** The messages of `COPY <target> FROM STDIN` with `data`, for one call into the engine. */
export function copyInMessages(target: string, data: string): Buffer {
  const payload = Buffer.from(data)
  const header = Buffer.alloc(5)
  header[0] = 0x64 // CopyData
  header.writeInt32BE(payload.length + 4, 1)
  return Buffer.concat([serialize.query(`COPY ${target} FROM STDIN`), header, payload, serialize.copyDone()])
}

/** RowDescription names the fields, DataRows carry them; an ErrorResponse is thrown. */
function readRows(reply: Buffer, onParsed?: () => void): Record<string, string | null>[] {
  const rows: Record<string, string | null>[] = []
  let names: string[] = []
  let error: PgliteError | undefined
  for (let at = 0; at < reply.length;) {
    const type = reply[at]
    const length = reply.readInt32BE(at + 1)
    const body = at + 5
    const end = at + 1 + length
    if (type === 0x44 /* D */) {
      const row: Record<string, string | null> = {}
      let field = body + 2
      for (let i = 0; i < names.length; i++) {
        const size = reply.readInt32BE(field)
        field += 4
        if (size < 0) row[names[i]] = null
        else {
          row[names[i]] = reply.toString('utf8', field, field + size)
          field += size
        }
      }
      rows.push(row)
    } else if (type === 0x31 /* 1: ParseComplete */) {
      onParsed?.()
    } else if (type === 0x54 /* T */) {
      names = []
      const count = reply.readInt16BE(body)
      let field = body + 2
      for (let i = 0; i < count; i++) {
        const nameEnd = reply.indexOf(0, field)
        names.push(reply.toString('utf8', field, nameEnd))
        field = nameEnd + 1 + 18
      }
    } else if (type === 0x45 /* E */) {
      error = errorOf(reply, body)
    }
    at = end
  }
  if (error) throw error
  return rows
}

/** An ErrorResponse's message and SQLSTATE code, from its fields (a type byte, then text). */
function errorOf(reply: Buffer, body: number): PgliteError {
  const fields: Record<string, string> = {}
  for (let field = body; reply[field] !== 0;) {
    const valueEnd = reply.indexOf(0, field + 1)
    fields[String.fromCharCode(reply[field])] = reply.toString('utf8', field + 1, valueEnd)
    field = valueEnd + 1
  }
  return new PgliteError(fields.M ?? 'PGlite query failed', fields.C)
}

/**
 * A command without rows (COMMIT, ROLLBACK) sent as its ready-made bytes, under the query lock:
 * answers its CommandComplete tag (a COMMIT of an aborted transaction answers ROLLBACK), and
 * throws its ErrorResponse. PGlite's `execProtocol` would serialize the text anew and parse every
 * message of the reply with its own parser, on every transaction.
 */
export function commandInTransaction(pg: PGlite, message: Buffer): Promise<string | undefined> {
  return pg.runExclusive(async () => {
    const chunks: Buffer[] = []
    await pg.execProtocolRawStream(message, {
      syncToFs: false,
      onRawData: (chunk) => {
        chunks.push(Buffer.from(chunk))
      },
    })
    const reply = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
    let tag: string | undefined
    for (let at = 0; at < reply.length;) {
      const type = reply[at]
      const end = at + 1 + reply.readInt32BE(at + 1)
      if (type === 0x45 /* E */) throw errorOf(reply, at + 5)
      if (type === 0x43 /* C: CommandComplete */) tag = reply.toString('utf8', at + 5, end - 1)
      at = end
    }
    return tag
  })
}
