import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'

/**
 * PGlite is a database for one process: a second process that opens the same directory works on
 * its own copy and loses or overwrites the other's writes (`ponte keys create` next to a running
 * `ponte serve` printed a key the server never saw, gone after a restart). So whoever opens an
 * embedded data directory holds `<dir>.lock`, which names its pid. A lock whose process no longer
 * runs was left by a crash (or SIGKILL) and is taken over. PostgreSQL needs no lock.
 */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`The data directory ${dataDir} is in use by Ponte process ${pid}; stop it first, or point DATABASE_URL at PostgreSQL to run several processes.`)
    this.name = 'DataDirInUseError'
  }
}

/** Lock files held by this process. */
const held = new Set<string>()

/** Takes the lock of `dataDir` (an absolute path) or throws DataDirInUseError; returns its release. */
export function lockDataDir(dataDir: string): () => void {
  const file = `${dataDir}.lock`
  const mine = `${process.pid}\n`
  // The content is written first and then linked into place: link() fails if the lock exists, and
  // nobody ever sees a lock file without its pid.
  const draft = `${file}.${process.pid}.new`
  writeFileSync(draft, mine)
  try {
    for (;;) {
      try {
        linkSync(draft, file)
        break
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error
      }
      const owner = readLock(file)
      if (owner === undefined) continue
      const pid = Number.parseInt(owner, 10)
      if (isRunning(pid, file)) throw new DataDirInUseError(dataDir, pid)
      takeOver(file, owner)
    }
  } finally {
    unlinkSync(draft)
  }
  held.add(file)
  if (held.size === 1) watchExit(true)
  return () => {
    if (!held.delete(file)) return
    removeIfMine(file)
    if (held.size === 0) watchExit(false)
  }
}

/**
 * The pid of the live process that holds the lock of `dataDir` (an absolute path), or undefined
 * when nobody does (or only a crashed process did). Takes nothing: the CLI asks this first, before
 * loading the database engine, to know whether to ask a running server instead (src/control.ts).
 */
export function dataDirHolder(dataDir: string): number | undefined {
  const file = `${dataDir}.lock`
  const owner = readLock(file)
  if (owner === undefined) return undefined
  const pid = Number.parseInt(owner, 10)
  return pid !== process.pid && isRunning(pid, file) ? pid : undefined
}

function isRunning(pid: number, file: string): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  // Our own pid in a lock we do not hold: a previous process had it (a container restarted
  // with the same volume starts Ponte under the same pid every time).
  if (pid === process.pid) return held.has(file)
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errorCode(error) === 'EPERM'
  }
}

/**
 * Removes a stale lock whose content is `stale`. Two processes may find the same stale lock: the
 * lock is first renamed aside (only one rename gets it), then deleted if it is still the stale one;
 * if another process had meanwhile replaced it with its own live lock, that lock is put back.
 */
function takeOver(file: string, stale: string): void {
  const aside = `${file}.${process.pid}.stale`
  try {
    renameSync(file, aside)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return
    throw error
  }
  try {
    if (readLock(aside) !== stale) linkSync(aside, file)
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error
  } finally {
    unlinkSync(aside)
  }
}

function readLock(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined
    throw error
  }
}

function removeIfMine(file: string): void {
  try {
    if (readLock(file) === `${process.pid}\n`) unlinkSync(file)
  } catch {
    // Already gone, or the directory is: nothing left to release.
  }
}

function releaseAll(): void {
  for (const file of held) removeIfMine(file)
  held.clear()
}

/**
 * A process that ends without closing its database (process.exit, an uncaught error, Ctrl-C in a
 * CLI command) still releases its locks. A signal handled by someone else (close-with-grace in
 * `ponte serve`) is left to them: they close the database, which releases the lock. Otherwise the
 * signal is raised again once the locks are gone, so the process ends as it would have.
 */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return
  releaseAll()
  watchExit(false)
  process.kill(process.pid, signal)
}

function watchExit(on: boolean): void {
  if (on) {
    process.on('exit', releaseAll)
    for (const signal of SIGNALS) process.on(signal, onSignal)
  } else {
    process.off('exit', releaseAll)
    for (const signal of SIGNALS) process.off(signal, onSignal)
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}
