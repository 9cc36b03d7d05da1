import { randomBytes } from 'node:crypto'
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import type { Api } from './http/api.ts'
import { parseCommand, runCommand, UsageError, type CommandContext } from './commands.ts'
import { CONTROL_PATH, controlRoutes, type ControlResult } from './http/routes/control.ts'

/**
 * The control channel between the CLI and a running embedded server. An embedded data directory
 * belongs to one process (store/data-dir-lock.ts), so while `ponte serve` holds it, the CLI's
 * database commands are run by that server: at start it writes `control.json` into
 * PONTE_DATA_DIR (owner-only) with its pid, a loopback URL and a random token, serves
 * http/routes/control.ts with that token, and removes the file when it stops. The token is in
 * that file only: never logged, never in a response.
 */
export interface ControlFile {
  pid: number
  url: string
  token: string
}

function controlPath(dataDir: string): string {
  return resolve(dataDir, 'control.json')
}

/** Serves the control route on `app` (before it listens); `publish` writes the file once it does. */
export function serveControl(app: Api, dataDir: string, ctx: CommandContext): { publish(): void } {
  const token = randomBytes(32).toString('base64url')
  controlRoutes(app, { token, run: (args) => runCaptured(ctx, args) })
  const file = controlPath(dataDir)
  // Gone as soon as the server starts stopping: a CLI command then waits for the data directory.
  app.addHook('preClose', async () => {
    try {
      if (readControl(dataDir)?.token === token) unlinkSync(file)
    } catch {
      // Never written (or already removed): nothing to do.
    }
  })
  return {
    publish() {
      const url = loopbackUrl(app.server.address() as AddressInfo)
      // Bound to one address that is not loopback: the CLI could not reach the route.
      if (!url) return
      const draft = `${file}.${process.pid}.new`
      writeFileSync(draft, `${JSON.stringify({ pid: process.pid, url, token } satisfies ControlFile)}\n`, { mode: 0o600 })
      renameSync(draft, file)
    },
  }
}

function loopbackUrl(address: AddressInfo): string | undefined {
  const host =
    address.address === '0.0.0.0'
      ? '127.0.0.1'
      : address.address === '::'
        ? '[::1]'
        : address.address === '::1'
          ? '[::1]'
          : address.address.startsWith('127.')
            ? address.address
            : undefined
  return host && `http://${host}:${address.port}`
}

async function runCaptured(ctx: CommandContext, args: string[]): Promise<ControlResult> {
  const stdout: string[] = []
  const stderr: string[] = []
  const output = { out: (text: string) => stdout.push(`${text}\n`), err: (text: string) => stderr.push(`${text}\n`) }
  let exitCode: number
  try {
    exitCode = await runCommand(ctx, parseCommand(args), output)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    output.err(error.message)
    exitCode = 2
  }
  return { exit_code: exitCode, stdout: stdout.join(''), stderr: stderr.join('') }
}

/** The control file of `dataDir`, if a server wrote one. */
export function readControl(dataDir: string): ControlFile | undefined {
  let text: string
  try {
    text = readFileSync(controlPath(dataDir), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  const value = JSON.parse(text) as Partial<ControlFile>
  return typeof value.pid === 'number' && typeof value.url === 'string' && typeof value.token === 'string'
    ? { pid: value.pid, url: value.url, token: value.token }
    : undefined
}

/** Has the server of `control` run `args`; its output and exit code are the command's. */
export async function askServer(control: ControlFile, args: string[]): Promise<ControlResult> {
  const response = await fetch(`${control.url}${CONTROL_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${control.token}` },
    body: JSON.stringify({ args }),
  })
  const body = (await response.json()) as ControlResult | Array<{ message?: string }>
  if (!response.ok || Array.isArray(body)) {
    const message = Array.isArray(body) ? body.map((item) => item.message).join('; ') : `HTTP ${response.status}`
    throw new Error(message)
  }
  return body
}
