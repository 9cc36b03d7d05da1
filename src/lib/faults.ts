import { AsyncLocalStorage } from 'node:async_hooks'
import { PonteError, type ErrorCode } from './errors.ts'

/**
 * Faults a client under test asks for on one request (issue 18): `X-Ponte-Fault`, a comma-separated
 * list of
 * - `latency=<ms>`: the answer comes that much later (at most 10 s), otherwise unchanged;
 * - `status=<408|429|500|503>`: the request does nothing and answers that status with Belvo's
 *   error (`request_timeout`, `too_many_requests` with `Retry-After`, `unexpected_error`,
 *   `service_unavailable`);
 * - an institution error (`institution_down`, `institution_unavailable`, `institution_inactive`,
 *   `too_many_sessions`, `login_error`, `request_timeout`) or `token_required`: the institution
 *   answers the request's login with it, as a real one would, but only an institution served by
 *   the sandbox connector (connectors/registry.ts): a real integration never sees a fault.
 * The fault holds for the request that carries it, never for the background work it starts.
 */
export const FAULT_HEADER = 'x-ponte-fault'

export const FAULT_STATUSES = {
  408: 'request_timeout',
  429: 'too_many_requests',
  500: 'unexpected_error',
  503: 'service_unavailable',
} as const satisfies Record<number, ErrorCode>

export const INSTITUTION_FAULTS = [
  'institution_down',
  'institution_unavailable',
  'institution_inactive',
  'too_many_sessions',
  'login_error',
  'request_timeout',
  'token_required',
] as const

export type InstitutionFault = (typeof INSTITUTION_FAULTS)[number]

export const MAX_FAULT_LATENCY_MS = 10_000

export interface RequestFault {
  latencyMs?: number
  status?: keyof typeof FAULT_STATUSES
  institution?: InstitutionFault
}

function invalid(detail: string): PonteError {
  return new PonteError('invalid', { field: 'X-Ponte-Fault', params: { detail } })
}

/** The header's faults, or Belvo's 400 on `X-Ponte-Fault` naming what is wrong. */
export function parseFaultHeader(value: string): RequestFault {
  const fault: RequestFault = {}
  for (const part of value.split(',').map((p) => p.trim().toLowerCase())) {
    if (!part) continue
    const [name, argument] = part.split('=', 2).map((p) => p.trim())
    if (name === 'latency') {
      const ms = Number(argument)
      if (!/^\d+$/.test(argument ?? '') || ms > MAX_FAULT_LATENCY_MS) throw invalid(`latency must be whole milliseconds from 0 to ${MAX_FAULT_LATENCY_MS}.`)
      fault.latencyMs = ms
    } else if (name === 'status') {
      if (!(argument! in FAULT_STATUSES)) throw invalid(`status must be one of ${Object.keys(FAULT_STATUSES).join(', ')}.`)
      fault.status = Number(argument) as RequestFault['status']
    } else if ((INSTITUTION_FAULTS as readonly string[]).includes(name!) && argument === undefined) {
      fault.institution = name as InstitutionFault
    } else {
      throw invalid(`unknown fault "${part}": use latency=<ms>, status=<${Object.keys(FAULT_STATUSES).join('|')}> or one of ${INSTITUTION_FAULTS.join(', ')}.`)
    }
  }
  return fault
}

/** The error a `status=` fault answers with. */
export function statusFaultError(status: keyof typeof FAULT_STATUSES): PonteError {
  return new PonteError(FAULT_STATUSES[status], status === 429 ? { headers: { 'Retry-After': '1' } } : {})
}

const current = new AsyncLocalStorage<RequestFault>()

/** Runs `fn` (the rest of a request) with `fault` as the request's fault. */
export function withRequestFault<T>(fault: RequestFault, fn: () => T): T {
  return current.run(fault, fn)
}

/** The institution fault of the request being served, if it asked for one. */
export function requestInstitutionFault(): InstitutionFault | undefined {
  return current.getStore()?.institution
}
