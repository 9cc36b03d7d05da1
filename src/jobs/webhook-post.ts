import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction, type Socket } from 'node:net'
import { refusedAddressReason, refusedHostReason } from '../lib/destinations.ts'

/**
 * One webhook POST over node:http/https. Not fetch: undici adds a browser's headers
 * (sec-fetch-mode, accept-language: *...) that a server-to-server call has no business sending
 * (issue 11, item 13), and node:http lets the address check below see the address connected to.
 */

/** The resolver used for webhook hosts: dns.lookup's callback form (injected by tests). */
export type Resolver = (hostname: string, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void

/**
 * dns.lookup runs getaddrinfo on libuv's small thread pool (4 threads by default), shared with
 * crypto (scrypt key checks) and the file system. A name whose DNS server never answers holds a
 * thread for tens of seconds, past the attempt's timeout: without a cap, one organization's
 * endpoints could take the whole pool and stall the API and everyone else's webhooks.
 */
const MAX_CONCURRENT_LOOKUPS = 2
let lookupsRunning = 0
const lookupsWaiting: (() => void)[] = []

export const systemResolver: Resolver = (hostname, callback) => {
  const run = () => {
    lookupsRunning++
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      lookupsRunning--
      lookupsWaiting.shift()?.()
      callback(error, addresses)
    })
  }
  if (lookupsRunning < MAX_CONCURRENT_LOOKUPS) run()
  else lookupsWaiting.push(run)
}

/**
 * A refused destination: the attempt fails with this text, and no connection was opened. The text
 * is shown to the organization (the attempt log), so it never names the address a hostname
 * resolved to: that would map the network Ponte runs in for anyone who can save an endpoint.
 */
export class RefusedDestination extends Error {
  constructor(host: string, reason: string) {
    super(`refused: ${host} ${reason}; this server sends webhooks to public addresses only (PONTE_WEBHOOK_ALLOW_PRIVATE)`)
    this.name = 'RefusedDestination'
  }
}

export class AttemptTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`)
    this.name = 'AttemptTimeout'
  }
}

export interface PostOptions {
  headers: Record<string, string>
  body: Buffer
  /** Covers the whole attempt: connecting, sending, the response head and the snippet read. */
  timeoutMs: number
  /** Characters of the response body to keep; reading stops there. */
  snippetChars: number
  /** False: every address is refused unless public (refusedAddressReason). */
  allowPrivate: boolean
  resolver: Resolver
  agents: { http: HttpAgent; https: HttpsAgent }
}

export interface PostResult {
  statusCode: number
  snippet: string
}

/** Keep-alive agents: a receiver that gets many events is not dialled again for each. */
export function webhookAgents() {
  // Idle sockets close after 4 s, before a receiver's own keep-alive timeout (commonly 5 s) would
  // close them under a new request; the total is capped so many endpoints cannot exhaust handles.
  const options = { keepAlive: true, timeout: 4_000, maxTotalSockets: 256 }
  return { http: new HttpAgent(options), https: new HttpsAgent(options) }
}

/**
 * A `lookup` for net.connect that answers only with addresses the policy accepts: the check sits
 * where the socket gets the address it connects to, so a name that resolved to a public address
 * when the endpoint was saved and to 10.0.0.5 now (DNS rebinding) is refused.
 */
function checkedLookup(resolver: Resolver, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname, (error, resolved) => {
      if (error) return callback(error, '', 0)
      const wanted = options.family === 4 || options.family === 6 ? resolved.filter((a) => a.family === options.family) : resolved
      if (wanted.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0)
      if (!allowPrivate) {
        // One refused address refuses the name: connecting to "the others" would let a
        // round-robin record reach the private one on a retry.
        for (const a of wanted) {
          const reason = refusedAddressReason(a.address)
          if (reason) return callback(new RefusedDestination(hostname, `resolving to ${reason}`), '', 0)
        }
      }
      if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, wanted)
      return callback(null, wanted[0].address, wanted[0].family)
    })
  }
}

/**
 * POSTs `body` to `url`. Resolves with the status code and the first `snippetChars` characters of
 * the answer; rejects (RefusedDestination, AttemptTimeout, or the socket's error) when no answer
 * came. Redirects are answers, not followed: following one would send the Authorization header
 * and the payload to a URL nobody configured.
 */
export function postWebhook(url: URL, options: PostOptions): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
    if (!options.allowPrivate) {
      // An IP literal never goes through lookup: check it here.
      const reason = refusedHostReason(url.hostname)
      if (reason) return reject(new RefusedDestination(host, `is ${reason}`))
    }
    const https = url.protocol === 'https:'
    let settled = false
    let response: IncomingMessage | undefined
    let snippet = ''
    // Settles once. `error` with no response yet rejects; otherwise what arrived is the answer.
    // The socket goes back to the agent only after a body read to its end: a cut-short read
    // (snippet full, timeout, error) destroys it.
    const finish = (error: Error | null, complete = false) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (!complete) req.destroy()
      if (response) resolve({ statusCode: response.statusCode ?? 0, snippet: snippet.slice(0, options.snippetChars) })
      else reject(error)
    }
    const req = (https ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: options.headers,
      agent: https ? options.agents.https : options.agents.http,
      lookup: isIP(host) ? undefined : checkedLookup(options.resolver, options.allowPrivate),
    })
    // A hung receiver costs this attempt its timeout, and nothing else.
    const timer = setTimeout(() => finish(new AttemptTimeout(options.timeoutMs)), options.timeoutMs)
    req.on('socket', (socket: Socket) => {
      if (options.allowPrivate) return
      // Belt and braces: the address actually connected to, however it was reached. The checks
      // above already refuse before connecting; this one catches any path that bypassed them.
      const verify = () => {
        const reason = socket.remoteAddress ? refusedAddressReason(socket.remoteAddress) : null
        if (reason) finish(new RefusedDestination(host, `connected to ${reason}`))
      }
      if (socket.connecting) socket.once('connect', verify)
      else verify()
    })
    req.on('error', (error) => finish(error))
    req.on('response', (res) => {
      response = res
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        snippet += chunk
        // A receiver may answer with megabytes: stop reading once the snippet is full.
        if (snippet.length >= options.snippetChars) finish(null)
      })
      res.on('end', () => finish(null, true))
      // Cut short: the status code already decided the outcome, keep what arrived.
      res.on('error', () => finish(null))
      res.on('close', () => finish(null))
    })
    req.end(options.body)
  })
}
