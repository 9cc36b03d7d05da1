/**
 * The storage seam. Everything above `store/` talks to this interface only, so the same SQL runs
 * on embedded PGlite and on PostgreSQL.
 */
export interface QueryOptions {
  /**
   * Hot statements (list pages, a payment intent's create). Both engines keep them prepared by
   * name (PostgreSQL per connection, PGlite once), skipping parse and plan on every call: only
   * for SQL whose text comes from a bounded set of shapes. PGlite runs them through its raw
   * protocol in one engine call, inside a transaction too (store/pglite-rows.ts), and every value
   * comes back as text: only for queries that want text (ids, bodies, timestamps, counts read
   * with Number, booleans cast to text). Parameters go as text: cast them where the engine
   * cannot infer their type (a SELECT list).
   */
  prepared?: boolean
}

export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: unknown[], options?: QueryOptions): Promise<T[]>
  /**
   * `COPY <target> FROM STDIN` with `data` in COPY's text format (store/copy.ts): the fastest
   * way into a table on both engines (PERF.md C6/C7), used for bulk ingest.
   */
  copyIn(target: string, data: string): Promise<void>
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres'
  /** Runs parameterless, possibly multi-statement SQL (migrations). */
  exec(sql: string): Promise<void>
  /**
   * SQL from another library (pg-boss): with values, one parameterised statement; without,
   * possibly several statements. Returns the rows of the last one.
   */
  raw(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>
  /** Runs `fn` in one transaction; commits if it resolves, rolls back if it throws. */
  tx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  /**
   * Runs `fn` holding the cluster-wide lock `key`, so that one process at a time does it (the
   * start-up sequence). `onWait` is called when another process holds the lock and this one waits.
   * PostgreSQL: a session-level advisory lock on a connection of its own, outside the pool (`fn`
   * may use the whole pool), released when `fn` settles, or by the server if the process dies.
   * PGlite: the data directory already belongs to this process alone, so `fn` simply runs.
   */
  exclusively<T>(key: number, fn: () => Promise<T>, onWait?: () => void): Promise<T>
  close(): Promise<void>
}
