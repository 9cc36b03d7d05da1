import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from '../helpers/harness.ts'

type Json = Record<string, any>

/** Values that pass a naive format check but that the database would refuse: each must be a 400 naming its field. */
describe('values the database cannot take are refused up front', () => {
  let h: Harness
  let mx: Json
  let account: Json
  let all: Json[]
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
    mx = (await call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full' })).body
    await call('POST', '/api/accounts/', { link: mx.id })
    all = (await call('POST', '/api/transactions/', { link: mx.id, date_from: '2026-01-01', date_to: '2026-03-09' })).body
    account = (await call('GET', `/api/accounts/?link=${mx.id}&category=CHECKING_ACCOUNT`)).body.results[0]
  })
  afterAll(async () => h.close())

  const call: Harness['call'] = (...args) => h.call(...args)
  const count = async (url: string) => {
    const res = await call('GET', url)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    return res.body.count as number
  }

  it.each([
    ['value_date', '2025-02-30'],
    ['value_date__gte', '2025-04-31'],
    ['value_date', '0000-01-01'],
    ['value_date__range', '2025-02-01,2025-02-30'],
    ['accounting_date', '2025-02-29'],
    ['created_at', '2025-02-30T10:00:00Z'],
    ['created_at__gte', '2025-01-01T24:00:00Z'],
    ['collected_at__lt', '2025-01-01T10:61'],
  ])('refuses the impossible date %s=%s in a list filter', async (param, value) => {
    const res = await call('GET', `/api/transactions/?link=${mx.id}&${param}=${value}`)
    expect(res.status).toBe(400)
    expect(res.body).toEqual([expect.objectContaining({ code: 'invalid', field: param })])
  })

  it('refuses impossible dates in retrieve bodies, in both request modes', async () => {
    for (const [path, body] of [
      ['/api/transactions/', { date_from: '2026-02-30', date_to: '2026-03-01' }],
      ['/api/transactions/', { date_from: '2026-02-01', date_to: '2026-02-29' }],
      ['/api/balances/', { date_from: '2026-02-30', date_to: '2026-03-01' }],
    ] as const) {
      const res = await call('POST', path, { link: mx.id, ...body })
      expect(res.status).toBe(400)
      expect(res.body[0]).toMatchObject({ code: 'invalid', field: body.date_from === '2026-02-01' ? 'date_to' : 'date_from' })
    }
    const queued = await h.app.inject({
      method: 'POST',
      url: '/api/transactions/',
      headers: { authorization: h.auth, 'content-type': 'application/json', 'x-belvo-request-mode': 'async' },
      payload: JSON.stringify({ link: mx.id, date_from: '2026-02-30', date_to: '2026-03-01' }),
    })
    expect(queued.statusCode).toBe(400)
  })

  it('takes a plain date on a timestamp filter as that whole day (UTC) for every lookup', async () => {
    const base = `/api/transactions/?link=${mx.id}`
    const n = all.length
    expect(n).toBeGreaterThan(0)
    // Every transaction was stored at 2026-03-10T15:00:00Z.
    expect(await count(`${base}&created_at=2026-03-10`)).toBe(n)
    expect(await count(`${base}&created_at__lte=2026-03-10`)).toBe(n)
    expect(await count(`${base}&created_at__gte=2026-03-10`)).toBe(n)
    expect(await count(`${base}&created_at__range=2026-03-10,2026-03-10`)).toBe(n)
    expect(await count(`${base}&created_at__lt=2026-03-10`)).toBe(0)
    expect(await count(`${base}&created_at__gt=2026-03-10`)).toBe(0)
    expect(await count(`${base}&created_at__gt=2026-03-09`)).toBe(n)
    // A time without an offset is UTC; with one, it is converted.
    expect(await count(`${base}&created_at__lte=2026-03-10T14:59:59`)).toBe(0)
    expect(await count(`${base}&created_at__lte=2026-03-10T15:00:00`)).toBe(n)
    expect(await count(`${base}&created_at__gte=${encodeURIComponent('2026-03-10T17:00:00+02:00')}`)).toBe(n)
    // accounting_date: the inclusive bounds of a day agree with `=` on that day.
    const day = String(all[0].accounting_date).slice(0, 10)
    const onDay = all.filter((t) => String(t.accounting_date).startsWith(day)).length
    expect(await count(`${base}&accounting_date=${day}`)).toBe(onDay)
    expect(await count(`${base}&accounting_date__range=${day},${day}`)).toBe(onDay)
    expect((await count(`${base}&accounting_date__lte=${day}`)) - (await count(`${base}&accounting_date__lt=${day}`))).toBe(onDay)
  })

  it.each([
    ['/api/accounts/?currency=ZZZZ', 'currency'],
    ['/api/accounts/?currency__in=MXN,usd', 'currency__in'],
    ['/api/accounts/?institution=Erebor-MX', 'institution'],
    ['/api/accounts/?name__icontains=ta', 'name__icontains'],
    ['/api/owners/?display_name__icontains=ab', 'display_name__icontains'],
    ['/api/owners/?email=notanemail', 'email'],
    ['/api/links/?institution=ERE', 'institution'],
  ])('refuses %s, which breaks the format the spec gives the parameter', async (url, field) => {
    const res = await call('GET', url)
    expect(res.status).toBe(400)
    expect(res.body).toEqual([expect.objectContaining({ code: 'invalid', field })])
  })

  it('filters legacy daily balances by balance, currency, institution and account type', async () => {
    const saved = (await call('POST', '/api/balances/', { link: mx.id, date_from: '2026-02-01', date_to: '2026-02-28' })).body as Json[]
    const base = `/api/balances/?link=${mx.id}&page_size=1000`
    expect(await count(base)).toBe(saved.length)
    const median = [...saved].map((b) => b.balance).sort((a, b) => a - b)[Math.floor(saved.length / 2)]
    expect(await count(`${base}&balance__gt=${median}`)).toBe(saved.filter((b) => b.balance > median).length)
    expect(await count(`${base}&balance__range=${median},${median}`)).toBe(saved.filter((b) => b.balance === median).length)
    expect(await count(`${base}&currency=MXN`)).toBe(saved.length)
    expect(await count(`${base}&currency=COP`)).toBe(0)
    expect(await count(`${base}&institution=erebor_mx_retail`)).toBe(saved.length)
    expect(await count(`${base}&institution__in=erebor_co_retail`)).toBe(0)
    const type = saved[0].account.type as string
    expect(await count(`${base}&account__type=${encodeURIComponent(type)}`)).toBe(saved.filter((b) => b.account.type === type).length)
    expect(await count(`${base}&account__type__in=nothing`)).toBe(0)
    expect((await call('GET', `${base}&balance=abc`)).body[0]).toMatchObject({ code: 'invalid', field: 'balance' })
  })

  it.each([
    [13, 'month'],
    [0, 'month'],
    [-1, 'month'],
    ['13', 'month'],
    [99999, 'year'],
    [1899, 'year'],
    ['20266', 'year'],
  ])('refuses a statement for %j as %s', async (value, field) => {
    const res = await call('POST', '/api/statements/', { link: mx.id, account: account.id, year: 2026, month: 1, [field]: value })
    expect(res.status).toBe(400)
    expect(res.body).toEqual([expect.objectContaining({ field })])
  })

  it('answers 404 to an id of the right length that is no UUID, on details, deletes and children', async () => {
    const notUuid = '-'.repeat(36)
    for (const [method, url] of [
      ['GET', `/api/links/${notUuid}/`],
      ['GET', `/api/accounts/${notUuid}/`],
      ['DELETE', `/api/transactions/${notUuid}/`],
      ['GET', `/api/br/exchanges/${notUuid}/history/`],
    ] as const) {
      const res = await call(method, url)
      expect(res.status, url).toBe(404)
      expect(res.body[0]).toMatchObject({ code: 'not_found' })
    }
  })

  it('refuses save_data: null, as Belvo does', async () => {
    const res = await call('POST', '/api/accounts/', { link: mx.id, save_data: null })
    expect(res.status).toBe(400)
    expect(res.body).toEqual([expect.objectContaining({ code: 'null', field: 'save_data' })])
  })

  it('refuses null characters in the query, the path and the body with a 400 naming the field', async () => {
    for (const [url, field] of [
      [`/api/links/?external_id=%00abc`, 'external_id'],
      [`/api/links/?institution__in=a%00`, 'institution__in'],
      [`/api/accounts/?link=${mx.id}&name=%00`, 'name'],
      ['/api/links/%00/', undefined],
    ] as const) {
      const res = await call('GET', url)
      expect(res.status, url).toBe(400)
      expect(res.body).toEqual([
        { request_id: expect.any(String), code: 'invalid', message: 'Invalid value: Null characters are not allowed.', ...(field ? { field } : {}) },
      ])
    }
    const body = await call('POST', '/api/links/', undefined, {
      raw: '{"institution":"erebor_mx_retail","username":"user_valid","password":"pass_valid","external_id":"ab\\u0000c"}',
    })
    expect(body.status).toBe(400)
    expect(body.body[0]).toMatchObject({ code: 'invalid', field: 'external_id' })
    const nested = await call('PATCH', '/api/accounts/', { session: 'ab\u0000c', link: mx.id, token: '1' })
    expect(nested.body[0]).toMatchObject({ code: 'invalid', field: 'session' })
    // Half a surrogate pair cannot be stored as UTF-8; a whole pair (an emoji) can.
    const half = await call('POST', '/api/links/', undefined, {
      raw: '{"institution":"erebor_mx_retail","username":"user_valid","password":"pass_valid","external_id":"ab\\ud800"}',
    })
    expect(half.body).toEqual([
      expect.objectContaining({ code: 'invalid', field: 'external_id', message: 'Invalid value: Unpaired surrogate characters are not allowed.' }),
    ])
    const emoji = await call('POST', '/api/links/', undefined, {
      raw: '{"institution":"erebor_mx_retail","username":"user_valid","password":"pass_valid","external_id":"ok \\ud83d\\ude00"}',
    })
    expect(emoji.status).toBe(201)
    expect(emoji.body.external_id).toBe('ok \u{1F600}')
    // An escaped backslash followed by "u0000" is ordinary text.
    const text = await call('POST', '/api/links/', undefined, {
      raw: '{"institution":"erebor_mx_retail","username":"user_valid","password":"pass_valid","external_id":"ab\\\\u0000c"}',
    })
    expect(text.status).toBe(201)
    expect(text.body.external_id).toBe('ab\\u0000c')
  })
})
