import { createHash, timingSafeEqual } from 'node:crypto'
import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { PonteError } from '../../lib/errors.ts'

export const CONTROL_PATH = '/_ponte/cli'

export interface ControlResult {
  exit_code: number
  stdout: string
  stderr: string
}

export interface ControlOptions {
  /** The random token of this server's control file (src/control.ts). */
  token: string
  /** Runs one CLI command line on this server's database. */
  run(args: string[]): Promise<ControlResult>
}

/**
 * The CLI's way into a running embedded server: the embedded database belongs to that process,
 * so `ponte keys create` (and the other database commands) ask it to run the command. Not part of
 * the Belvo API: outside /api, hidden from the OpenAPI document, answered to loopback clients only,
 * and only with the token the server wrote, readable by its owner only, into its data directory.
 */
export function controlRoutes(app: Api, options: ControlOptions): void {
  const expected = digest(options.token)
  app.post(
    CONTROL_PATH,
    {
      schema: {
        hide: true,
        body: Type.Object({ args: Type.Array(Type.String({ maxLength: 10_000 }), { maxItems: 100 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      // Another host gets what any unknown path gets.
      if (!isLoopback(request.socket.remoteAddress)) throw new PonteError('not_found')
      const header = request.headers.authorization ?? ''
      const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : ''
      // Digests have one length, so the comparison takes the same time whatever was sent.
      if (!timingSafeEqual(digest(given), expected)) throw new PonteError('authentication_failed')
      return options.run(request.body.args)
    },
  )
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest()
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')
}
