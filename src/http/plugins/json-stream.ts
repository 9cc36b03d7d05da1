import { Readable } from 'node:stream'

/**
 * A JSON answer `{"<key>": [items...]}` written a slice of items at a time, for answers of many
 * megabytes (the categorization of 20,000 transactions is about 11 MB). The client starts reading
 * while the rest is still being written, and no single string of the whole answer is ever built:
 * V8 builds a large JSON.stringify result out of pieces that must then be copied flat before
 * they can be encoded, which alone costs tens of milliseconds at that size.
 *
 * The status is sent before the last item is written, so an item that throws cannot become a
 * 500: the stream fails, Fastify logs the error and cuts the connection before the chunked body's
 * end, and the client's read fails. A client never gets a shorter list that parses.
 */
export function jsonListStream<T>(
  key: string,
  items: readonly T[],
  itemsPerChunk = 64,
  toJson: (item: T, index: number) => unknown = (item) => item,
): Readable {
  const encoder = new TextEncoder()
  function* chunks(): Generator<Uint8Array> {
    yield encoder.encode(`{${JSON.stringify(key)}:[`)
    const slice: unknown[] = []
    for (let start = 0; start < items.length; start += itemsPerChunk) {
      // Each slice's objects are made when it is written (`toJson`), so they die young instead of
      // all of them living, and being copied by the garbage collector, until the last is sent.
      slice.length = 0
      for (let i = start; i < start + itemsPerChunk && i < items.length; i++) slice.push(toJson(items[i], i))
      const text = JSON.stringify(slice)
      // The slice's own brackets dropped; slices after the first joined by a comma.
      yield encoder.encode(`${start ? ',' : ''}${text.slice(1, -1)}`)
    }
    yield encoder.encode(']}')
  }
  return Readable.from(chunks(), { objectMode: false })
}
