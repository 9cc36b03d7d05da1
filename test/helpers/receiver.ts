import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  headers: IncomingHttpHeaders
  body: Record<string, any>
  raw: string
}

/** A real HTTP webhook receiver on 127.0.0.1; `status` decides what it answers next. */
export async function startReceiver(status: (n: number) => number = () => 200) {
  const received: Received[] = []
  let count = 0
  const server: Server = createServer((request, response) => {
    let raw = ''
    request.on('data', (chunk) => { raw += chunk })
    request.on('end', () => {
      count++
      received.push({ headers: request.headers, body: raw ? JSON.parse(raw) : {}, raw })
      response.statusCode = status(count)
      response.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Waits until `predicate` holds for the received webhooks (real time, bounded). */
    async waitFor(predicate: (all: Received[]) => boolean, timeoutMs = 20_000): Promise<Received[]> {
      const end = Date.now() + timeoutMs
      while (!predicate(received)) {
        if (Date.now() > end) throw new Error(`timed out waiting for webhooks; got ${JSON.stringify(received.map((r) => [r.body.webhook_type, r.body.webhook_code]))}`)
        await new Promise((r) => setTimeout(r, 50))
      }
      return received
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
