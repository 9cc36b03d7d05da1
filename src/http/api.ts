import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify'
import type { DomainContext } from '../domain/context.ts'
import type { SecretKeyVerifier } from '../domain/keys.ts'
import type { Clock } from '../lib/clock.ts'

/** The settings routes read; config.ts's `Config` has them (http does not import the composition roots). */
export interface HttpSettings {
  PONTE_DEFAULT_PAGE_SIZE: number
  /** Base of absolute URLs (`next`/`previous`) behind a proxy. */
  PONTE_PUBLIC_URL?: string
}

/** What routes reach through `api.deps`: the domain, and nothing below it. */
export interface AppDeps {
  config: HttpSettings
  clock: Clock
  verifier: SecretKeyVerifier
  domain: DomainContext
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps
  }
}

/** The Fastify instance routes are written against: TypeBox schemas type params, query and body. */
export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>
