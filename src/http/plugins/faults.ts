import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { requestRuleFault, type FaultsContext } from '../../domain/sandbox-faults.ts'
import { isUuid } from '../../lib/ids.ts'
import { FAULT_HEADER, parseFaultHeader, statusFaultError, withRequestFault, type RequestFault } from '../../lib/faults.ts'

/** The link a request is about: `link` in its body or query, or the id of /api/links/{id}/. */
function linkOf(request: FastifyRequest, path: string): string | null {
  const fromBody = (request.body as { link?: unknown } | undefined)?.link
  const fromQuery = (request.query as { link?: unknown } | undefined)?.link
  const fromPath = path.startsWith('/api/links/') ? (request.params as { id?: unknown } | undefined)?.id : undefined
  const link = [fromBody, fromQuery, fromPath].find((value) => typeof value === 'string')
  // Only an id that can name a link: anything else matches rules without a link.
  return typeof link === 'string' && isUuid(link) ? link.toLowerCase() : null
}

/**
 * Sandbox faults (lib/faults.ts, domain/sandbox-faults.ts), as a preHandler of the secret-key API:
 * after authentication and validation, before the handler. The request's X-Ponte-Fault first, else
 * the organization's first matching rule. Latency first (a slow server), then a status (the handler
 * never runs, so nothing changes), then the handler runs with the header's institution fault in its
 * async context, where the login at a sandbox institution (loginAt) finds it.
 */
export function requestFaults(ctx: FaultsContext) {
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    resolve(ctx, request).then((fault) => {
      if (!fault) return done()
      const proceed = () => {
        if (fault.status) return done(statusFaultError(fault.status))
        if (fault.institution) return withRequestFault(fault, () => done())
        done()
      }
      if (fault.latencyMs) setTimeout(proceed, fault.latencyMs)
      else proceed()
    }, done)
  }
}

async function resolve(ctx: FaultsContext, request: FastifyRequest): Promise<RequestFault | undefined> {
  const header = request.headers[FAULT_HEADER]
  const fault = header === undefined ? undefined : parseFaultHeader(Array.isArray(header) ? header.join(',') : header)
  if (fault?.latencyMs !== undefined || fault?.status !== undefined) return fault
  const path = request.url.split('?')[0]
  // Rules never stop the requests that list and delete them.
  if (path.startsWith('/sandbox/')) return fault
  const ruled = await requestRuleFault(ctx, request.principal.organizationId, { method: request.method, path, linkId: linkOf(request, path) })
  return ruled || fault ? { ...ruled, ...fault } : undefined
}
