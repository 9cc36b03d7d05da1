import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { createLink, retrieveItems, shared } from '../helpers/resources.ts'
import { expectSpec } from '../helpers/spec.ts'
import { TRANSACTIONS } from '../../src/domain/banking.ts'
import { newChanges, retrieve } from '../../src/domain/resources.ts'

type Json = Record<string, any>

describe('banking resources', () => {
  let h: Harness
  let mx: Json
  let br: Json
  const START = '2026-03-10T15:00:00Z'
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set(START)
    mx = await createLink(h, { institution: 'erebor_mx_retail' })
    br = await createLink(h, { institution: 'erebor_br_retail' })
  })
  afterAll(async () => h.close())
  // Every test starts at the same instant, whatever the one before it did with the clock.
  beforeEach(() => h.clock.set(START))

  const call: Harness['call'] = (...args) => h.call(...args)

  const PERIOD = { date_from: '2025-03-01', date_to: '2026-02-28' }

  /** A Mexican link with its accounts and a year of transactions stored, for the tests that only read them. */
  const mxWithData = shared(async () => {
    const link = await createLink(h, { institution: 'erebor_mx_retail' })
    await retrieveItems(h, 'accounts', { link: link.id })
    await retrieveItems(h, 'transactions', { link: link.id, ...PERIOD })
    return link
  })

  describe('Mexico (multi-region shapes)', () => {
    it('retrieves accounts, then lists and details them; every item validates', async () => {
      const res = await call('POST', '/api/accounts/', { link: mx.id })
      expect(res.status).toBe(201)
      for (const account of res.body) expectSpec('multiregion', 'Account', account)
      expect(res.body[0]).toMatchObject({ link: mx.id, currency: 'MXN', institution: { name: 'erebor_mx_retail', type: 'bank' } })
      // The full persona has one account of each kind, and the card and the loan carry their own data.
      expect(res.body.map((a: Json) => a.category).sort()).toEqual(['CHECKING_ACCOUNT', 'CREDIT_CARD', 'LOAN_ACCOUNT', 'SAVINGS_ACCOUNT'])
      expect(res.body.find((a: Json) => a.category === 'CREDIT_CARD').credit_data).toMatchObject({ credit_limit: expect.any(Number) })
      expect(res.body.find((a: Json) => a.category === 'LOAN_ACCOUNT').loan_data).toMatchObject({ principal: expect.any(Number) })
      expect(res.body.find((a: Json) => a.category === 'CHECKING_ACCOUNT')).toMatchObject({ credit_data: null, loan_data: null })
      const list = await call('GET', `/api/accounts/?link=${mx.id}`)
      expect(list.body.count).toBe(res.body.length)
      for (const account of list.body.results) expectSpec('multiregion', 'Account', account)
      const one = await call('GET', `/api/accounts/${res.body[0].id}/`)
      expect(one.body).toEqual(list.body.results.find((a: Json) => a.id === res.body[0].id))
    })

    it('retrieves 12 months of transactions without duplicating on a second retrieve', async () => {
      const first = await call('POST', '/api/transactions/', { link: mx.id, ...PERIOD })
      expect(first.status).toBe(201)
      expect(first.body.length).toBeGreaterThan(200)
      for (const t of first.body.slice(0, 50)) expectSpec('multiregion', 'Transaction', t)
      expect(first.body.every((t: Json) => t.value_date >= PERIOD.date_from && t.value_date <= PERIOD.date_to)).toBe(true)
      const second = await call('POST', '/api/transactions/', { link: mx.id, ...PERIOD })
      expect(second.body.map((t: Json) => t.id).sort()).toEqual(first.body.map((t: Json) => t.id).sort())
      const list = await call('GET', `/api/transactions/?link=${mx.id}&page_size=1000`)
      expect(list.body.count).toBe(first.body.length)
      for (const t of list.body.results.slice(0, 20)) expectSpec('multiregion', 'Transaction', t)
      // Newest first.
      const dates = list.body.results.map((t: Json) => t.value_date)
      expect(dates).toEqual([...dates].sort().reverse())
      // The list writes stored pieces and account bytes straight out (lib/json-text): item for item,
      // what the retrieve answered, what the detail answers, and what a filtered list answers.
      const retrieved = new Map(second.body.map((t: Json) => [t.id, t]))
      for (const t of list.body.results) expect(t).toEqual(retrieved.get(t.id))
      expect(JSON.stringify(list.body.results)).toMatch(/[^\x00-\x7f]/)
      expect((await call('GET', `/api/transactions/${list.body.results[0].id}/`)).body).toEqual(list.body.results[0])
      const filtered = await call('GET', `/api/transactions/?link=${mx.id}&value_date__lte=${PERIOD.date_to}&page_size=1000`)
      expect(filtered.body.results).toEqual(list.body.results)
    })

    it('filters transactions', async () => {
      const link = await mxWithData()
      const all = (await call('GET', `/api/transactions/?link=${link.id}&page_size=1000`)).body.results as Json[]
      const account = all[0].account.id
      const check = async (query: string, predicate: (t: Json) => boolean) => {
        const res = await call('GET', `/api/transactions/?link=${link.id}&page_size=1000&${query}`)
        expect(res.status).toBe(200)
        expect(res.body.count).toBe(all.filter(predicate).length)
        expect(res.body.count).toBeGreaterThan(0)
      }
      await check('type=INFLOW', (t) => t.type === 'INFLOW')
      await check('amount__gte=1000', (t) => t.amount >= 1000)
      await check('amount__range=100,500', (t) => t.amount >= 100 && t.amount <= 500)
      await check('value_date__gte=2026-01-01', (t) => t.value_date >= '2026-01-01')
      await check('value_date__range=2025-06-01,2025-06-30', (t) => t.value_date >= '2025-06-01' && t.value_date <= '2025-06-30')
      await check(`account=${account}`, (t) => t.account.id === account)
      await check(`account__in[]=${account}`, (t) => t.account.id === account)
      await check('type__in=INFLOW,OUTFLOW&status=PROCESSED', (t) => t.status === 'PROCESSED')
      expect((await call('GET', `/api/transactions/?link=${link.id}&value_date__gte=2026-13-01`)).body[0]).toMatchObject({
        code: 'invalid',
        field: 'value_date__gte',
      })
      expect((await call('GET', `/api/transactions/?link=${link.id}&amount__gt=lots`)).body[0]).toMatchObject({ code: 'invalid', field: 'amount__gt' })
      expect((await call('GET', '/api/transactions/')).body[0]).toMatchObject({ code: 'required', field: 'link' })
    })

    it.each([
      [{ date_from: '2026-02-01', date_to: '2026-01-01' }, 'invalid', 'date_from'],
      [{ date_from: '2026-01-01', date_to: '2027-01-01' }, 'invalid', 'date_to'],
      [{ date_from: '01/01/2026', date_to: '2026-02-01' }, 'invalid', 'date_from'],
      [{ date_to: '2026-02-01' }, 'required', 'date_from'],
    ])('validates the transactions period %j', async (period, code, field) => {
      const res = await call('POST', '/api/transactions/', { link: mx.id, ...period })
      expect(res.status).toBe(400)
      expect(res.body[0]).toMatchObject({ code, field })
    })

    it('validates a date_to given without date_from before counting a default period back from it', async () => {
      for (const date_to of ['x', '2026-13-01']) {
        // Optional date_from (Brazil exchanges), and the async path's checks before its 202.
        const exchanges = await call('POST', '/api/br/exchanges/', { link: br.id, date_to })
        expect(exchanges.status, date_to).toBe(400)
        expect(exchanges.body[0]).toMatchObject({ code: 'invalid', field: 'date_to' })
        const queued = await call('POST', '/api/transactions/', { link: mx.id, date_to }, { headers: { 'x-belvo-request-mode': 'async' } })
        expect(queued.status, date_to).toBe(400)
        expect(queued.body[0]).toMatchObject({ field: expect.stringMatching(/^date_(from|to)$/) })
      }
    })

    it('returns without storing when save_data is false', async () => {
      const link = await createLink(h, { institution: 'gringotts_mx_retail', persona: 'bnk102/low' })
      const res = await call('POST', '/api/accounts/', { link: link.id, save_data: false })
      expect(res.status).toBe(200)
      expect(res.body.length).toBeGreaterThan(0)
      expect((await call('GET', `/api/accounts/?link=${link.id}`)).body.count).toBe(0)
    })

    it('serves daily balances, owners, statements and portfolios on the legacy paths', async () => {
      const balances = await call('POST', '/api/balances/', { link: mx.id, date_from: '2026-02-01', date_to: '2026-02-28' })
      expect(balances.status).toBe(201)
      expect(balances.body.length).toBeGreaterThan(0)
      for (const b of balances.body) expectSpec('multiregion', 'Balance', b)
      const owners = await call('POST', '/api/owners/', { link: mx.id })
      expect(owners.status).toBe(201)
      for (const o of owners.body) expectSpec('multiregion', 'Owner', o)
      await retrieveItems(h, 'accounts', { link: mx.id })
      const account = (await call('GET', `/api/accounts/?link=${mx.id}&category=CHECKING_ACCOUNT`)).body.results[0]
      const statements = await call('POST', '/api/statements/', { link: mx.id, account: account.id, year: 2026, month: 1 })
      expect(statements.status).toBe(201)
      expect(statements.body.length).toBeGreaterThan(0)
      // Each statement's transactions are multi-region transactions of its account, collected now.
      const listed = statements.body[0].transactions as Json[]
      expect(listed.length).toBeGreaterThan(0)
      for (const t of listed) {
        expectSpec('multiregion', 'Transaction', t)
        expect(t).toMatchObject({ account: { id: account.id }, collected_at: statements.body[0].collected_at })
        for (const field of TRANSACTIONS.linkingFields) expect(t).not.toHaveProperty(field)
      }
      const portfolio = await call('POST', '/investments/portfolios/', { link: mx.id })
      expect(portfolio.status).toBe(201)
      expectSpec('multiregion', 'InvestmentsPortfolio', portfolio.body)
      expect((await call('GET', `/investments/portfolios/?link=${mx.id}`)).body.count).toBeGreaterThan(0)
    })

    it('refuses Brazil-only resources for a Mexican link', async () => {
      for (const path of ['br/balances', 'bills', 'br/investments', 'br/exchanges']) {
        expect((await call('POST', `/api/${path}/`, { link: mx.id })).body[0]).toMatchObject({ code: 'unsupported_operation' })
      }
    })
  })

  describe('Brazil (Open Finance shapes)', () => {
    it('retrieves every resource, each item valid against Belvo 1.223.0', async () => {
      const cases: [string, Json, string | string[]][] = [
        ['accounts', {}, 'AccountOpenFinanceBrazil'],
        ['transactions', PERIOD, 'TransactionOpenFinanceBrazil'],
        ['br/balances', {}, 'BalanceOFDA'],
        ['owners', {}, ['OwnerIndividualOpenFinanceBrazil', 'OwnerBusinessOpenFinanceBrazil']],
        ['bills', {}, 'Bill'],
        ['br/investments', {}, 'InvestmentBrazil'],
        ['br/investment-transactions', PERIOD, 'InvestmentTransactionBrazil'],
        ['br/exchanges', PERIOD, 'Exchange'],
      ]
      for (const [path, body, schema] of cases) {
        const res = await call('POST', `/api/${path}/`, { link: br.id, ...body })
        expect(res.status, `${path}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(201)
        expect(res.body.length, path).toBeGreaterThan(0)
        const list = await call('GET', `/api/${path}/?link=${br.id}&page_size=50`)
        expect(list.body.count, path).toBe(res.body.length)
        for (const item of [...res.body.slice(0, 30), ...list.body.results]) {
          if (Array.isArray(schema)) expectSpec('current', item.document_id?.document_type === 'CNPJ' ? schema[1] : schema[0], item)
          else expectSpec('current', schema, item)
        }
        const detail = await call('GET', `/api/${path}/${list.body.results[0].id}/`)
        expect(detail.body).toEqual(list.body.results[0])
      }
      expect((await call('POST', '/api/balances/', { link: br.id, ...PERIOD })).body[0]).toMatchObject({ code: 'unsupported_operation' })
    })

    it('gives embedded bills and investments the ids they are stored under, whichever was retrieved first', async () => {
      // Transactions before bills: the embedded bill names the id the bill gets later. Bills
      // first: it names the stored bill.
      for (const order of [
        ['transactions', 'bills'],
        ['bills', 'transactions'],
      ]) {
        const link = await createLink(h, { institution: 'erebor_br_retail' })
        for (const path of order) await retrieveItems(h, path, { link: link.id, ...(path === 'transactions' ? PERIOD : {}) })
        const bills = (await call('GET', `/api/bills/?link=${link.id}&page_size=1000`)).body.results as Json[]
        const billIds = new Map(bills.map((bill) => [bill.internal_identification, bill.id]))
        const transactions = (await call('GET', `/api/transactions/?link=${link.id}&page_size=1000`)).body.results as Json[]
        const onBills = transactions.filter((t) => t.credit_card_data?.credit_card_bill)
        expect(onBills.length, order.join(' then ')).toBeGreaterThan(0)
        for (const t of onBills) {
          const bill = t.credit_card_data.credit_card_bill
          expect(bill.id, order.join(' then ')).toBe(billIds.get(bill.internal_identification))
        }
      }

      // Investments first: the embedded investment names the stored id, even one that was not
      // derived (data stored by an earlier version).
      const link = await createLink(h, { institution: 'erebor_br_retail' })
      await retrieveItems(h, 'br/investments', { link: link.id })
      const investments = (await call('GET', `/api/br/investments/?link=${link.id}`)).body.results as Json[]
      const moved = '00000000-0000-4000-8000-00000000abcd'
      await h.db.query("UPDATE records SET id = $1 WHERE id = $2 AND resource = 'INVESTMENTS'", [moved, investments[0].id])
      const retrieved = await retrieveItems(h, 'br/investment-transactions', { link: link.id, ...PERIOD })
      const ids = new Set([moved, ...investments.slice(1).map((i) => i.id)])
      for (const t of retrieved) expect(ids.has(t.investment.id), t.investment.id).toBe(true)
      expect(retrieved.some((t) => t.investment.id === moved)).toBe(true)
      expect((await call('GET', `/api/br/investments/${moved}/`)).body.id).toBe(moved)
    })
  })

  describe('Brazil exchange history (/api/br/exchanges/{id}/history/)', () => {
    const ALL = { date_from: '2024-01-01', date_to: '2026-03-10' }
    let link: Json
    let exchanges: Json[]
    const history = async (id: string, query = 'page_size=1000', auth?: string) => call('GET', `/api/br/exchanges/${id}/history/?${query}`, undefined, { auth })
    const storedHistory = async (linkId: string) =>
      (await h.db.query<{ n: number }>("SELECT count(*)::int AS n FROM records WHERE link_id = $1 AND resource = 'EXCHANGE_HISTORY'", [linkId]))[0].n

    beforeAll(async () => {
      h.clock.set(START)
      link = await createLink(h, { institution: 'erebor_br_retail', persona: 'fx_history/full' })
      exchanges = (await call('POST', '/api/br/exchanges/', { link: link.id, ...ALL })).body
    })

    it("stores each exchange's history with it; every entry is valid against Belvo 1.223.0 ExchangeHistory", async () => {
      expect(exchanges).toHaveLength(6)
      let total = 0
      let empty = 0
      for (const exchange of exchanges) {
        const res = await history(exchange.id)
        expect(res.status).toBe(200)
        expect(res.body).toMatchObject({ count: res.body.results.length, next: null, previous: null })
        if (res.body.count === 0) empty++
        total += res.body.count
        let previous = exchange.operation_requested_at
        for (const entry of res.body.results) {
          expectSpec('current', 'ExchangeHistory', entry)
          expect(entry).toMatchObject({ link: link.id, exchange_id: exchange.id, operation_identifier: exchange.operation_identifier })
          // Oldest first, all after the operation was requested.
          expect(entry.event_created_at > previous).toBe(true)
          previous = entry.event_created_at
        }
      }
      expect(total).toBeGreaterThan(0)
      expect(empty).toBeGreaterThan(0)
      expect(await storedHistory(link.id)).toBe(total)

      // Retrieving again updates the same rows: same ids, no duplicates.
      const before = await Promise.all(exchanges.map(async (e) => (await history(e.id)).body.results.map((r: Json) => r.id)))
      const again = (await call('POST', '/api/br/exchanges/', { link: link.id, ...ALL })).body as Json[]
      expect(again.map((e) => e.id)).toEqual(exchanges.map((e) => e.id))
      expect(await storedHistory(link.id)).toBe(total)
      const after = await Promise.all(exchanges.map(async (e) => (await history(e.id)).body.results.map((r: Json) => r.id)))
      expect(after).toEqual(before)
    })

    it('paginates, projects with fields and omit, and 404s past the last page', async () => {
      const counts = await Promise.all(exchanges.map(async (e) => (await history(e.id)).body.count as number))
      const exchange = exchanges[counts.findIndex((n) => n >= 2)]
      expect(exchange, 'an exchange with two events or more').toBeDefined()
      const all = (await history(exchange.id)).body.results as Json[]
      const first = await history(exchange.id, 'page_size=1')
      expect(first.body.count).toBe(all.length)
      expect(first.body.results).toEqual([all[0]])
      expect(first.body.next).toMatch(new RegExp(`/api/br/exchanges/${exchange.id}/history/\\?page_size=1&page=2$`))
      const second = await call('GET', first.body.next.replace(/^https?:\/\/[^/]+/, ''))
      expect(second.body.results).toEqual([all[1]])
      expect(second.body.previous).toMatch(/\?page_size=1$/)
      expect((await history(exchange.id, `page_size=1&page=${all.length + 1}`)).status).toBe(404)
      expect((await history(exchange.id, 'page=0')).status).toBe(404)
      const fields = await history(exchange.id, 'fields=event_type,event_sequence_number')
      expect(fields.body.results.every((r: Json) => Object.keys(r).sort().join() === 'event_sequence_number,event_type')).toBe(true)
      const omitted = await history(exchange.id, 'omit=foreign_partie_name,link')
      expect(omitted.body.results[0]).not.toHaveProperty('link')
      expect(omitted.body.results[0]).toHaveProperty('exchange_id', exchange.id)
    })

    it("answers 404 for an unknown exchange, another resource's id and another organization's exchange", async () => {
      const res = await history('7d1f1b8c-6a0a-4a55-9a63-2f1d6b1e0c11')
      expect(res.status).toBe(404)
      expect(res.body[0]).toMatchObject({ code: 'not_found' })
      expect((await history('not-a-uuid')).status).toBe(404)
      const account = (await call('POST', '/api/accounts/', { link: link.id })).body[0]
      expect((await history(account.id)).status).toBe(404)
      const other = await history(exchanges[0].id, 'page_size=1000', h.otherAuth)
      expect(other.status).toBe(404)
      expect(other.body[0]).toMatchObject({ code: 'not_found' })
    })

    it('stores the history of the retrieved exchanges only, and none with save_data false', async () => {
      const narrow = await createLink(h, { institution: 'erebor_br_retail', persona: 'fx_history/full' })
      const unsaved = await call('POST', '/api/br/exchanges/', { link: narrow.id, ...ALL, save_data: false })
      expect(unsaved.status).toBe(200)
      expect(await storedHistory(narrow.id)).toBe(0)
      const recent = (await call('POST', '/api/br/exchanges/', { link: narrow.id, date_from: '2025-09-10', date_to: '2026-03-10' })).body as Json[]
      expect(recent.length).toBeGreaterThan(0)
      expect(recent.length).toBeLessThan(6)
      let expected = 0
      for (const e of recent) {
        const wide = exchanges.find((x) => x.operation_identifier === e.operation_identifier)!
        const own = (await history(e.id)).body.results as Json[]
        const full = (await history(wide.id)).body.results as Json[]
        // The same events as on the link that retrieved every operation, under this link's exchange.
        expect(own.map((r) => r.event_sequence_number)).toEqual(full.map((r) => r.event_sequence_number))
        expected += own.length
      }
      expect(await storedHistory(narrow.id)).toBe(expected)
    })

    it('deletes the history with its exchange, and with the link', async () => {
      const target = await createLink(h, { institution: 'erebor_br_retail', persona: 'fx_history/full' })
      const stored = (await call('POST', '/api/br/exchanges/', { link: target.id, ...ALL })).body as Json[]
      const counts = await Promise.all(stored.map(async (e) => (await history(e.id)).body.count as number))
      const i = counts.findIndex((n) => n > 0)
      const total = counts.reduce((a, b) => a + b, 0)
      expect(await storedHistory(target.id)).toBe(total)
      expect((await call('DELETE', `/api/br/exchanges/${stored[i].id}/`, undefined, { auth: h.otherAuth })).status).toBe(404)
      expect((await call('DELETE', `/api/br/exchanges/${stored[i].id}/`)).status).toBe(204)
      expect((await history(stored[i].id)).status).toBe(404)
      expect(await storedHistory(target.id)).toBe(total - counts[i])
      expect(await h.db.query('SELECT 1 FROM records WHERE parent_id = $1', [stored[i].id])).toEqual([])
      expect((await call('DELETE', `/api/links/${target.id}/`)).status).toBe(204)
      expect(await storedHistory(target.id)).toBe(0)
    })
  })

  it('gives an empty data set to bnk101/nodata', async () => {
    const link = await createLink(h, { institution: 'erebor_mx_retail', persona: 'bnk101/nodata' })
    expect((await call('POST', '/api/accounts/', { link: link.id })).body).toEqual([])
    expect((await call('POST', '/api/transactions/', { link: link.id, ...PERIOD })).body).toEqual([])
  })

  it('asks for a token on every retrieve of an MFA link, and resumes with PATCH', async () => {
    const link = (await createLink(h, { institution: 'heimdall_mx_retail' })).id
    const challenge = await call('POST', '/api/transactions/', { link, ...PERIOD })
    expect(challenge.status).toBe(428)
    expect(challenge.body[0]).toMatchObject({ code: 'token_required', link })
    const again = await call('PATCH', '/api/transactions/', { session: challenge.body[0].session, token: '999999', link })
    expect(again.status).toBe(428)
    const done = await call('PATCH', '/api/transactions/', { session: again.body[0].session, token: '111111', link })
    expect(done.status).toBe(201)
    expect(done.body.length).toBeGreaterThan(0)
    expect(done.body.every((t: Json) => t.value_date <= PERIOD.date_to)).toBe(true)
    // A session belongs to the resource that asked for it.
    const other = await call('POST', '/api/owners/', { link })
    expect((await call('PATCH', '/api/accounts/', { session: other.body[0].session, token: '111111', link })).body[0].code).toBe('session_expired')
  })

  it('isolates organizations on every route', async () => {
    const mx = await mxWithData()
    const account = (await call('GET', `/api/accounts/?link=${mx.id}`)).body.results[0]
    const transaction = (await call('GET', `/api/transactions/?link=${mx.id}&page_size=1`)).body.results[0]
    const other = h.otherAuth
    expect((await call('GET', `/api/accounts/${account.id}/`, undefined, { auth: other })).status).toBe(404)
    expect((await call('DELETE', `/api/accounts/${account.id}/`, undefined, { auth: other })).status).toBe(404)
    expect((await call('GET', `/api/transactions/${transaction.id}/`, undefined, { auth: other })).status).toBe(404)
    expect((await call('DELETE', `/api/transactions/${transaction.id}/`, undefined, { auth: other })).status).toBe(404)
    expect((await call('GET', `/api/accounts/`, undefined, { auth: other })).body.count).toBe(0)
    expect((await call('GET', `/api/transactions/?link=${mx.id}`, undefined, { auth: other })).body.count).toBe(0)
    expect((await call('GET', `/api/owners/`, undefined, { auth: other })).body.count).toBe(0)
    expect((await call('POST', '/api/transactions/', { link: mx.id, ...PERIOD }, { auth: other })).body[0]).toMatchObject({
      code: 'does_not_exist',
      field: 'link',
    })
  })

  it('deletes transactions and accounts (5 per minute), and a link with all its data', async () => {
    const link = await createLink(h, { institution: 'gringotts_mx_retail' })
    await call('POST', '/api/transactions/', { link: link.id, date_from: '2026-01-01', date_to: '2026-02-28' })
    await call('POST', '/api/owners/', { link: link.id })
    const transactions = (await call('GET', `/api/transactions/?link=${link.id}&page_size=10`)).body.results
    h.clock.advance(60_000)
    for (const t of transactions.slice(0, 5)) expect((await call('DELETE', `/api/transactions/${t.id}/`)).status).toBe(204)
    expect((await call('DELETE', `/api/transactions/${transactions[5].id}/`)).status).toBe(429)
    expect((await call('GET', `/api/transactions/${transactions[0].id}/`)).status).toBe(404)
    h.clock.advance(61_000)
    expect((await call('DELETE', `/api/links/${link.id}/`)).status).toBe(204)
    for (const table of ['accounts', 'transactions', 'records']) {
      const rows = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE link_id = $1`, [link.id])
      expect(rows[0].n, table).toBe(0)
    }
  })

  it('pages the same way near the start (one statement) and deep (ids first), and 404s past the end', async () => {
    const link = await createLink(h, { institution: 'erebor_mx_retail', persona: 'scale_1y_3a/full' })
    await call('POST', '/api/transactions/', { link: link.id, date_from: '2025-03-10', date_to: '2026-03-10', save_data: true })
    const first = (await call('GET', `/api/transactions/?link=${link.id}&page_size=1000`)).body
    const second = (await call('GET', `/api/transactions/?link=${link.id}&page_size=1000&page=2`)).body
    expect(first.count).toBeGreaterThan(2000)
    const ids = [...first.results, ...second.results].map((t: Json) => t.id)
    expect(new Set(ids).size).toBe(2000)
    const page10 = (await call('GET', `/api/transactions/?link=${link.id}&page_size=100&page=10`)).body
    const page11 = (await call('GET', `/api/transactions/?link=${link.id}&page_size=100&page=11`)).body
    expect(page10.results.map((t: Json) => t.id)).toEqual(ids.slice(900, 1000))
    expect(page11.results.map((t: Json) => t.id)).toEqual(ids.slice(1000, 1100))
    expect(page11.results[0]).toEqual(second.results[0])
    expect(page11.count).toBe(first.count)
    const last = Math.ceil(first.count / 100)
    expect((await call('GET', `/api/transactions/?link=${link.id}&page_size=100&page=${last}`)).body.next).toBeNull()
    expect((await call('GET', `/api/transactions/?link=${link.id}&page_size=100&page=${last + 1}`)).status).toBe(404)
    expect((await call('GET', `/api/transactions/?link=${link.id}&page_size=100&page=3`)).status).toBe(200)
  })

  it('applies fields and omit to stored lists and details', async () => {
    const mx = await mxWithData()
    const res = await call('GET', `/api/transactions/?link=${mx.id}&page_size=2&fields=id,amount`)
    expect(res.body.results.every((t: Json) => Object.keys(t).sort().join() === 'amount,id')).toBe(true)
    const omitted = await call('GET', `/api/accounts/?link=${mx.id}&omit=credit_data,loan_data`)
    expect(omitted.body.results[0]).not.toHaveProperty('credit_data')
    expect(omitted.body.results[0]).toHaveProperty('balance')
    // Given twice, the last one counts (as Django REST framework reads a query parameter).
    const twice = await call('GET', `/api/transactions/?link=${mx.id}&page_size=5&page_size=2&fields=id,amount&fields=id&page=2&page=1`)
    expect(twice.status).toBe(200)
    expect(twice.body.results.map((t: Json) => Object.keys(t))).toEqual([['id'], ['id']])
    expect(twice.body.results.map((t: Json) => t.id)).toEqual(res.body.results.map((t: Json) => t.id))
  })

  describe('access times: last_accessed_at and collected_at', () => {
    const STAMPS = new Set(['last_accessed_at', 'collected_at'])

    /** Every last_accessed_at and collected_at in `value`, at any depth, with its path. */
    function stamps(value: unknown, path = ''): [string, unknown][] {
      if (value === null || typeof value !== 'object') return []
      return Object.entries(value).flatMap(([key, item]) => {
        const p = `${path}.${key}`
        return STAMPS.has(key) ? [[p, item] as [string, unknown]] : stamps(item, Array.isArray(value) ? path : p)
      })
    }
    /** `value` without its access times and server ids (what the institution reported). */
    function data(value: unknown): unknown {
      if (value === null || typeof value !== 'object') return value
      if (Array.isArray(value)) return value.map(data)
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !STAMPS.has(k) && !['id', 'link', 'created_at', 'account'].includes(k))
          .map(([k, v]) => [k, data(v)]),
      )
    }
    const byInternalId = (items: Json[]) => [...items].sort((a, b) => a.internal_identification.localeCompare(b.internal_identification))

    it('stamps the time of the access on the link and on everything it collects; the data depends on the day only', async () => {
      const at = '2026-03-10T23:22:41.250Z'
      for (const institution of ['erebor_mx_retail', 'erebor_br_retail']) {
        h.clock.set(START)
        const earlier = await createLink(h, { institution })
        await retrieveItems(h, 'accounts', { link: earlier.id })
        h.clock.set(at)
        const link = await createLink(h, { institution })
        const accounts = (await call('POST', '/api/accounts/', { link: link.id })).body as Json[]
        const transactions = (await call('POST', '/api/transactions/', { link: link.id, ...PERIOD })).body as Json[]
        expect((await call('GET', `/api/links/${link.id}/`)).body.last_accessed_at).toBe(at)
        const listed = [
          ...(await call('GET', `/api/accounts/?link=${link.id}`)).body.results,
          ...(await call('GET', `/api/transactions/?link=${link.id}&page_size=1000`)).body.results,
        ]
        const all = stamps([...accounts, ...transactions, ...listed])
        for (const path of [
          '.last_accessed_at',
          '.credit_data.collected_at',
          '.loan_data.collected_at',
          '.credit_card_data.collected_at',
          '.account.last_accessed_at',
        ]) {
          expect(
            all.some(([p]) => p === path),
            `${institution} ${path}`,
          ).toBe(true)
        }
        expect(
          all.filter(([, value]) => value !== at),
          institution,
        ).toEqual([])
        // The same user earlier the same day: the same data, other times.
        const before = (await call('GET', `/api/accounts/?link=${earlier.id}`)).body.results as Json[]
        expect(data(byInternalId(accounts))).toEqual(data(byInternalId(before)))
        expect(before.every((a) => a.last_accessed_at === '2026-03-10T15:00:00.000Z')).toBe(true)
      }
    })

    it('reports as updated only the transactions whose data changed, not every one collected again', async () => {
      const link = await createLink(h, { institution: 'erebor_br_retail' })
      // Ends before the days the next sandbox date posts (a day's movements post overnight).
      const period = { date_from: '2026-01-15', date_to: '2026-03-08' }
      const first = (await call('POST', '/api/transactions/', { link: link.id, ...period })).body as Json[]
      h.clock.set('2026-03-11T09:30:00Z')
      const changes = newChanges()
      const again = await retrieve(h.app.deps.domain, { organizationId: h.key.organizationId }, TRANSACTIONS, { link: link.id, ...period }, { changes })
      const before = new Map(first.map((t) => [t.internal_identification, JSON.stringify(data(t))]))
      const changed = again.items.filter((t) => before.get(t.internal_identification as string) !== JSON.stringify(data(t))).map((t) => t.id)
      const cards = again.items.filter((t) => t.credit_card_data)
      expect(cards.every((t) => (t.credit_card_data as Json).collected_at === '2026-03-11T09:30:00.000Z')).toBe(true)
      expect(changes.inserted).toEqual([])
      expect(changes.updated.sort()).toEqual(changed.sort())
      expect(changed.length).toBeLessThan(cards.length)
    })
  })
})
