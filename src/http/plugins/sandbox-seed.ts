import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { DomainContext } from '../../domain/context.ts'
import { knownRandom, nextIdSource } from '../../domain/sandbox-seed.ts'
import { hex32, withIdSource, type IdSource } from '../../lib/ids.ts'

type Hook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void

/**
 * Ids from the organization's sandbox seed (domain/sandbox-seed.ts), for the secret-key and widget
 * APIs. onRequest, after authentication: the request takes the next unit of the organization's
 * `request` stream (`read` for GET and HEAD) and its request id is the unit's first draw (so validation errors carry it
 * too); preHandler: the handler runs under the unit (lib/ids.ts withIdSource). An organization
 * without a seed costs a map lookup.
 */
export function organizationIds(ctx: Pick<DomainContext, 'db' | 'clock'>): { onRequest: Hook; preHandler: Hook } {
  const units = new WeakMap<FastifyRequest, IdSource>()
  return {
    onRequest: (request, reply, done) => {
      const organizationId = request.principal?.organizationId
      if (!organizationId || knownRandom(organizationId)) return done()
      // Reads have a stream of their own: a client polling (a link's background work) takes as many
      // numbers as it needs without moving the ids of the writes that follow.
      const stream = request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'request'
      nextIdSource(ctx, organizationId, stream).then((source) => {
        if (source) {
          units.set(request, source)
          request.id = withIdSource(source, hex32)
          reply.header('X-Request-Id', request.id)
        }
        done()
      }, done)
    },
    preHandler: (request, _reply, done) => {
      const source = units.get(request)
      if (!source) return done()
      withIdSource(source, () => done())
    },
  }
}
