import { Client } from '../helpers/belvo.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CATALOG } from '../../src/connectors/catalog.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'

/** The official belvo@0.28.0 npm SDK, pointed at a real Ponte over HTTP. */
describe('official belvo SDK: connect and institutions', () => {
  let h: Harness
  let url: string
  beforeAll(async () => {
    h = await createHarness()
    url = await h.listen()
  })
  afterAll(async () => h.close())

  it('connects, lists every institution following next, and details one', async () => {
    const client = new Client(h.key.id, h.key.password, url)
    await client.connect()
    const all = await client.institutions.list({ limit: 1000, filters: { page_size: 3 } })
    expect(all.map((i: { id: number }) => i.id).sort()).toEqual(CATALOG.map((i) => i.id).sort())
    const mx = await client.institutions.list({ filters: { country_code__in: ['MX'] } })
    expect(mx.every((i: { country_codes: string[] }) => i.country_codes.includes('MX'))).toBe(true)
    const detail = await client.institutions.detail(1004)
    expect(detail).toMatchObject({ id: 1004, name: 'erebor_mx_retail' })
  })

  it('stops at the limit it is given', async () => {
    const client = new Client(h.key.id, h.key.password, url)
    await client.connect()
    expect(await client.institutions.list({ limit: 2 })).toHaveLength(2)
  })

  it('fails to connect with a wrong secret', async () => {
    const client = new Client(h.key.id, 'wrong-password', url)
    await expect(client.connect()).rejects.toThrow('Login failed.')
  })

  it("surfaces a 401 as RequestError with Belvo's body when the key is bad after connect", async () => {
    const client = new Client(h.key.id, h.key.password, url)
    await client.connect()
    // Same session, wrong credentials from here on (as when a key is revoked mid-session).
    ;(client as unknown as { session: { session: { defaults: { auth: unknown } } } }).session.session.defaults.auth = {
      username: h.key.id,
      password: 'revoked',
    }
    const error = await client.institutions.detail(1004).catch((e: unknown) => e)
    expect(error).toMatchObject({
      statusCode: 401,
      detail: [{ code: 'authentication_failed', message: 'Invalid Secret Keys', request_id: expect.stringMatching(/^[a-f0-9]{32}$/) }],
    })
  })

  it('surfaces a 404 detail as RequestError', async () => {
    const client = new Client(h.key.id, h.key.password, url)
    await client.connect()
    const error = await client.institutions.detail(999999).catch((e: unknown) => e)
    expect(error).toMatchObject({ statusCode: 404, detail: [{ code: 'not_found' }] })
  })
})
