import { createLogger, type Logger } from '../../src/lib/logger.ts'

/** A log line as pino writes it: numeric level, time, pid, hostname, msg and the line's fields. */
export type LogLine = { level: number; time: number; pid: number; hostname: string; msg: string } & Record<string, any>

/** A real logger of lib/logger.ts whose JSON lines are kept, parsed, in `lines`. */
export function captureLogs(level = 'trace'): { log: Logger; lines: LogLine[]; text: () => string } {
  const raw: string[] = []
  const lines: LogLine[] = []
  const log = createLogger(level, {
    destination: {
      write: (line: string) => {
        raw.push(line)
        lines.push(JSON.parse(line))
      },
    },
  })
  return { log, lines, text: () => raw.join('') }
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const
