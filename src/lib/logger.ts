import { createRequire } from 'node:module'
import { pino, type DestinationStream, type Logger } from 'pino'

export type { Logger }

/**
 * One logger for every process (`ponte serve`: Fastify and its worker; `ponte worker`; the
 * dispatcher and the job runner): pino's JSON lines, with its numeric level, time, pid and hostname.
 * Secrets never reach them: the Authorization header, cookies and every credential-like key are
 * redacted wherever they appear.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  '*.password',
  '*.password2',
  '*.token',
  '*.secret',
  '*.certificate',
  '*.private_key',
  '*.*.password',
  '*.*.password2',
  '*.*.token',
  '*.*.secret',
  'credentials',
  '*.credentials',
]

export interface LoggerOptions {
  /** Where lines go (tests); by default standard output, see below. */
  destination?: DestinationStream
  /** Human-readable lines instead of JSON; by default when standard output is a terminal. */
  pretty?: boolean
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const settings = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }
  if (options.destination) return pino(settings, options.destination)
  if (options.pretty ?? process.stdout.isTTY) return pino(settings, prettyStdout())
  return pino(settings, stdoutDestination())
}

let stdout: ReturnType<typeof pino.destination> | undefined

/**
 * Standard output, written asynchronously: a line is appended to a buffer and the buffer written
 * while the previous write is in flight, so a busy server pays one write per batch of lines
 * instead of a blocking write per line. Idle, a line still goes out at once (no minimum batch).
 * pino flushes it synchronously on process exit; shutdown paths also call flushLogs() first.
 * One per process, shared by every logger, so lines keep their order.
 */
function stdoutDestination() {
  stdout ??= pino.destination({ dest: 1, sync: false })
  return stdout
}

/**
 * Resolves once the buffered lines are written (or after `timeoutMs`, should standard output be
 * blocked): shutdown paths await it before the process exits. pino's own exit handler writes what
 * is still queued synchronously, but cannot wait for a write already handed to the OS thread pool.
 */
export function flushLogs(timeoutMs = 2000): Promise<void> {
  const destination = stdout
  // SonicBoom has no public "write in flight" flag; `_writing` is the one its own flush reads.
  if (!destination || !(destination as unknown as { _writing: boolean })._writing) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs)
    destination.once('drain', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/**
 * pino-pretty's formatter, loaded only when a terminal is attached. Its lines are written
 * synchronously (a terminal is written synchronously by Node on Linux and macOS anyway), so
 * nothing is left in a buffer when the process exits.
 */
function prettyStdout(): DestinationStream {
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty')
  const format = prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
  return {
    write: (line: string) => {
      process.stdout.write(format(line))
    },
  }
}
