import { parse, protocol, type PGlite } from '@electric-sql/pglite'
import type { Queryable, QueryOptions } from './seam.ts'
import { commandInTransaction, copyInMessages, exchangeInTransaction, queryTextRowsInTransaction, type BeforeStatement } from './pglite-rows.ts'

const { serialize } = protocol

/** The transaction's commands, serialized once rather than by PGlite's serializer on every transaction. */
const BEGIN = Buffer.from(serialize.query('BEGIN'))
const COMMIT = Buffer.from(serialize.query('COMMIT'))
const ROLLBACK = Buffer.from(serialize.query('ROLLBACK'))

/** Raised when COMMIT finds the transaction aborted (a statement failed and `fn` went on). */
export class TransactionAbortedError extends Error {
  constructor() {
    super('The transaction was aborted by an earlier error and has been rolled back')
    this.name = 'TransactionAbortedError'
  }
}

/**
 * A transaction on PGlite with fewer calls into the engine than PGlite's own `transaction`: BEGIN
 * goes in the same call as the transaction's first statement, COMMIT and ROLLBACK are one call
 * each, and a statement that is not `prepared` takes two calls (parse and describe, then bind and
 * execute) where PGlite's `query` takes six. On PGlite every call is work on this process's only
 * thread (a payment intent's create was seven calls, now four: bench/payments.ts).
 *
 * The same guarantees as PGlite's `transaction`: it holds PGlite's transaction lock throughout
 * (every `query` of another caller waits for it), each statement holds the query lock, values
 * are serialized and rows parsed by PGlite's own serializers and parsers, and the transaction
 * commits if `fn` resolves and rolls back if it throws. A transaction whose `fn` runs no statement
 * sends nothing.
 */
export function pgliteTransaction<T>(pg: PGlite, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return pg._runExclusiveTransaction(async () => {
    let begun = false
    /**
     * BEGIN, ahead of the first statement only. Taken when that statement's messages are built
     * and about to be sent, not before: a statement that fails while being built (a value that
     * cannot be serialized) sends nothing, and the next one must still carry BEGIN.
     */
    const begin: BeforeStatement = () => {
      if (begun) return undefined
      begun = true
      return BEGIN
    }
    const tx: Queryable = {
      query: <R>(text: string, params: unknown[] = [], options?: QueryOptions): Promise<R[]> =>
        options?.prepared ? (queryTextRowsInTransaction(pg, text, params, begin) as Promise<R[]>) : typedQuery<R>(pg, text, params, begin),
      copyIn: async (target: string, data: string): Promise<void> => {
        await exchangeInTransaction(pg, copyInMessages(target, data), begin)
      },
    }
    let result: T
    try {
      result = await fn(tx)
    } catch (error) {
      // The caller is owed fn's error; a ROLLBACK that fails too is an engine gone wrong, which
      // the next statement reports.
      if (begun) await commandInTransaction(pg, ROLLBACK).catch(() => undefined)
      throw error
    }
    if (begun && (await commandInTransaction(pg, COMMIT)) === 'ROLLBACK') throw new TransactionAbortedError()
    return result
  })
}

/** A statement with typed values, as PGlite's `query` runs it, in two calls instead of six. */
function typedQuery<R>(pg: PGlite, text: string, params: unknown[], before: BeforeStatement): Promise<R[]> {
  return pg.runExclusive(async () => {
    const statement = [serialize.parse({ text }), serialize.describe({ type: 'S' }), serialize.sync()]
    const described = await pg.execProtocol(concat(before(), ...statement), { syncToFs: false })
    const types = parse.parseDescribeStatementResults(described.messages)
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null
      const serializer = pg.serializers[types[i]]
      return serializer ? serializer(value) : String(value)
    })
    const executed = await pg.execProtocol(
      concat(undefined, serialize.bind({ values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()),
      { syncToFs: false },
    )
    return (parse.parseResults(executed.messages, pg.parsers)[0]?.rows ?? []) as R[]
  })
}

function concat(before: Buffer | undefined, ...messages: Uint8Array[]): Uint8Array {
  return Buffer.concat(before ? [before, ...messages] : messages)
}
