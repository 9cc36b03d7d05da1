import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { FAULT_HEADER, parseFaultHeader, statusFaultError, withRequestFault, type RequestFault } from '../../lib/faults.ts'

/**
 * `X-Ponte-Fault` (lib/faults.ts), as a preHandler of the secret-key API: after authentication and
 * validation, before the handler. Latency first (a slow server), then a status (the handler never
 * runs, so nothing changes), then the handler runs with the institution fault in its async context,
 * where the sandbox connector's login finds it.
 */
export function requestFaults(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const header = request.headers[FAULT_HEADER]
  if (header === undefined) return done()
  let fault: RequestFault
  try {
    fault = parseFaultHeader(Array.isArray(header) ? header.join(',') : header)
  } catch (error) {
    return done(error as Error)
  }
  const proceed = () => {
    if (fault.status) return done(statusFaultError(fault.status))
    if (fault.institution) return withRequestFault(fault, () => done())
    done()
  }
  if (fault.latencyMs) setTimeout(proceed, fault.latencyMs)
  else proceed()
}
