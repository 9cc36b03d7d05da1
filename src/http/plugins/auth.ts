import type { FastifyRequest } from 'fastify'
import type { Principal, SecretKeyVerifier } from '../../domain/keys.ts'
import { PonteError } from '../../lib/errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal
  }
}

/** Reads `Authorization: Basic base64(secretId:secretPassword)`; anything else is 401. */
export function basicCredentials(header: string | undefined): { id: string; password: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  // No key id or password holds U+0000, and PostgreSQL text could not take one.
  if (colon <= 0 || decoded.includes('\0')) return undefined
  return { id: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** An onRequest hook that authenticates every route of the scope it is added to. */
export function authenticate(verifier: SecretKeyVerifier) {
  return (request: FastifyRequest, _reply: unknown, done: (error?: Error) => void) => {
    const credentials = basicCredentials(request.headers.authorization)
    if (!credentials) return done(new PonteError('authentication_failed'))
    // A cached key answers synchronously: no promise on the common path.
    const cached = verifier.cached(credentials.id, credentials.password)
    if (cached !== undefined) return accept(request, cached, done)
    verifier.verify(credentials.id, credentials.password).then((principal) => accept(request, principal, done), done)
  }
}

function accept(request: FastifyRequest, principal: Principal | null, done: (error?: Error) => void): void {
  if (!principal) return done(new PonteError('authentication_failed'))
  request.principal = principal
  done()
}
