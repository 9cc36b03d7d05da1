import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Hit {
  path: string
  headers: IncomingHttpHeaders
  /** The body as sent (signatures are over these bytes). */
  raw: string
  /** The body parsed as JSON ({} when empty or not JSON). */
  body: Record<string, any>
  eventId: string
}

/**
 * A real HTTP webhook receiver on 127.0.0.1. `answer` writes the response to the n-th request
 * (200 "ok" by default); it may also never answer, to test timeouts.
 */
export async function startReceiver(answer: (hit: Hit, n: number, res: ServerResponse) => void = (_hit, _n, res) => res.end('ok')) {
  const hits: Hit[] = []
  const server = createServer((req, res) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => {
      raw += chunk
    })
    req.on('end', () => {
      let body: Record<string, any> = {}
      try {
        body = raw ? JSON.parse(raw) : {}
      } catch {
        /* not JSON: the raw text is still kept */
      }
      const hit: Hit = { path: req.url ?? '', headers: req.headers, raw, body, eventId: String(req.headers['x-ponte-event-id']) }
      hits.push(hit)
      answer(hit, hits.length, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    /** Same list as `hits`, named for readability in webhook tests. */
    received: hits,
    /** Waits until `predicate` holds for the received requests (real time, bounded). */
    async waitFor(predicate: (all: Hit[]) => boolean, timeoutMs = 20_000): Promise<Hit[]> {
      const end = Date.now() + timeoutMs
      while (!predicate(hits)) {
        if (Date.now() > end)
          throw new Error(`timed out waiting for webhooks; got ${JSON.stringify(hits.map((r) => [r.body.webhook_type, r.body.webhook_code]))}`)
        await new Promise((r) => setTimeout(r, 50))
      }
      return hits
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>
