import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSecretKey, revokeSecretKey } from '../../src/domain/keys.ts'
import { basic, createHarness, type Harness } from '../helpers/harness.ts'

describe('secret key authentication', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness({ env: { PONTE_KEY_CACHE_TTL_SECONDS: '0' } })
  })
  afterAll(async () => h.close())

  const get = (authorization?: string, url = '/api/') => h.app.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} })

  it('accepts a valid key on the root probe', async () => {
    const res = await get(h.auth)
    expect(res.statusCode).toBe(200)
    expect(res.json().institutions).toMatch(/\/api\/institutions\/$/)
  })

  it.each([
    ['no key', undefined],
    ['a wrong password', 'WRONG'],
    ['an unknown key id', 'UNKNOWN'],
    ['a bearer token', 'Bearer abc'],
    ['garbage basic credentials', 'Basic !!!notbase64'],
    ['basic credentials without a colon', `Basic ${Buffer.from('justanid').toString('base64')}`],
  ])('rejects %s with 401 authentication_failed', async (_, variant) => {
    const header =
      variant === 'WRONG'
        ? basic({ id: h.key.id, password: 'nope' })
        : variant === 'UNKNOWN'
          ? basic({ id: 'f0000000-0000-4000-8000-000000000000', password: h.key.password })
          : variant
    for (const url of ['/api/', '/api/institutions/', '/api/institutions/1004/']) {
      const res = await get(header, url)
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual([{ request_id: expect.stringMatching(/^[a-f0-9]{32}$/), code: 'authentication_failed', message: 'Invalid Secret Keys' }])
      expect(res.headers['www-authenticate']).toBe('Basic realm="api"')
    }
  })

  it('rejects a key once it is revoked', async () => {
    const key = await createSecretKey(h.db, { name: 'to revoke' })
    expect((await get(basic(key))).statusCode).toBe(200)
    expect(await revokeSecretKey(h.db, key.id)).toBe(true)
    expect((await get(basic(key))).statusCode).toBe(401)
    expect(await revokeSecretKey(h.db, key.id)).toBe(false)
  })

  it('leaves operational endpoints open', async () => {
    expect((await get(undefined, '/health')).json()).toMatchObject({ status: 'ok' })
    expect((await get(undefined, '/metrics')).body).toContain('ponte_http_requests_total')
  })
})

describe('verified keys are cached', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness({ env: { PONTE_KEY_CACHE_TTL_SECONDS: '60' } })
  })
  afterAll(async () => h.close())

  it('serves repeat requests without looking the key up again', async () => {
    const original = h.db.query.bind(h.db)
    let lookups = 0
    h.db.query = (async (text: string, params?: unknown[]) => {
      if (text.includes('FROM secret_keys')) lookups++
      return original(text, params)
    }) as typeof h.db.query
    try {
      for (let i = 0; i < 20; i++) {
        expect((await h.app.inject({ method: 'GET', url: '/api/', headers: { authorization: h.auth } })).statusCode).toBe(200)
      }
      expect(lookups).toBe(1)
      // A wrong password is remembered too, so retries cannot make every request pay for scrypt.
      for (let i = 0; i < 5; i++) {
        expect((await h.app.inject({ method: 'GET', url: '/api/', headers: { authorization: basic({ id: h.key.id, password: 'bad' }) } })).statusCode).toBe(401)
      }
      expect(lookups).toBe(2)
    } finally {
      h.db.query = original
    }
  })

  it('forgets a key revoked in this process immediately', async () => {
    const key = await createSecretKey(h.db)
    expect((await h.app.inject({ method: 'GET', url: '/api/', headers: { authorization: basic(key) } })).statusCode).toBe(200)
    await revokeSecretKey(h.db, key.id)
    h.app.deps.verifier.forget(key.id)
    expect((await h.app.inject({ method: 'GET', url: '/api/', headers: { authorization: basic(key) } })).statusCode).toBe(401)
  })
})
