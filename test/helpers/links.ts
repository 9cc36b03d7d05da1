import type { Harness } from './harness.ts'

// Tests read whatever the API answers.
type Json = Record<string, any>

/**
 * Setup steps for tests that need a link with data: each test makes what it reads instead of
 * relying on what an earlier test happened to leave behind (the suite may run in any order).
 * They throw with the API's answer when a step fails, so a broken setup reads as one.
 */

/** A new sandbox link of the harness's first organization (`POST /api/links/`). */
export async function createLink(h: Harness, body: Json): Promise<Json> {
  const res = await h.call('POST', '/api/links/', body)
  if (res.status !== 201) throw new Error(`link not created (${res.status}): ${JSON.stringify(res.body)}`)
  return res.body
}

/** The items of a stored retrieve, `POST /api/<path>/` with `body` (its `link` included). */
export async function retrieveItems(h: Harness, path: string, body: Json): Promise<Json[]> {
  const res = await h.call('POST', `/api/${path}/`, body)
  if (res.status !== 201) throw new Error(`${path} not retrieved (${res.status}): ${JSON.stringify(res.body).slice(0, 500)}`)
  return res.body
}

/**
 * A fixture made by the first test that asks for it and shared by the others, whichever runs
 * first. Only for data the tests read and leave as they found it.
 */
export function shared<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined
  return () => (made ??= make())
}
