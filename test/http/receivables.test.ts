import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { createLink, expectError, expectItems, QUARTER, historicalUpdate } from '../helpers/resources.ts'

/**
 * Brazilian card receivables (Belvo's legacy `/receivables/transactions/`): a merchant's card
 * sales, with the acquirer's fee and the net it receives, at the Brazilian business banks. Belvo's
 * period rules with its errors and nothing stored, deterministic sales, and the institutions that
 * do not offer them.
 */

type Json = Record<string, any>

const PATH = '/receivables/transactions/'
const MERCHANT_BANK = 'erebor_br_business'

/** The fields the server stamps on every access; the rest of an item is the institution's data. */
const withoutServerFields = (items: Json[]) => items.map(({ id: _id, collected_at: _c, created_at: _cr, ...rest }) => rest)
const cents = (value: number) => Math.round(value * 100)

describe('receivable transactions (Brazil, legacy)', () => {
  let h: Harness
  const START = '2026-03-10T15:00:00Z'
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())
  beforeEach(() => h.clock.set(START))

  const call: Harness['call'] = (...args) => h.call(...args)
  const countOf = async (link: string) => (await call('GET', `${PATH}?link=${link}&page_size=1`)).body.count

  it("stores a merchant's card sales of the period on its settlement account: gross, MDR fee and net agree", async () => {
    const link = await createLink(h, { institution: MERCHANT_BANK, persona: 'bnk100/full' })
    const res = await call('POST', PATH, { link: link.id, ...QUARTER })
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(201)
    const items = res.body as Json[]
    // Several sales a day over three months.
    expect(items.length).toBeGreaterThan(200)
    expectItems({ ofda: ['ReceivablesTransaction'] }, 'ofda', items)

    const accounts = (await call('GET', `/api/accounts/?link=${link.id}`)).body.results as Json[]
    const settlement = accounts.find((a) => a.id === items[0].account.id)
    expect(settlement).toMatchObject({ category: 'CHECKING_ACCOUNT', institution: { name: MERCHANT_BANK } })
    for (const item of items) {
      expect(item.account).toEqual({ id: settlement!.id, institution: settlement!.institution })
      expect(item.value_date >= QUARTER.date_from && item.value_date <= QUARTER.date_to).toBe(true)
      expect(item.value_hour).toMatch(/^(0[89]|1\d|2[01]):[0-5]\d$/)
      expect(item.institution_transaction_id).toMatch(/^\d{9}$/)
      expect(item.currency).toBe('BRL')
      expect(item.fees).toHaveLength(1)
      expect(item.fees[0].type).toBe('TRANSACTION_FEE')
      // Net is gross less the fee, in exact cents; the fee is the acquirer's rate, 1% to 6% of the sale.
      expect(cents(item.net_amount)).toBe(cents(item.gross_amount) - cents(item.fees[0].value))
      const rate = item.fees[0].value / item.gross_amount
      expect(rate).toBeGreaterThan(0.01)
      expect(rate).toBeLessThan(0.06)
      const { paid, total } = item.number_of_installments
      expect(paid).toBeLessThanOrEqual(total)
      if (item.type.endsWith('_DEBIT')) expect(total).toBe(1)
    }
    // An approved debit sale of two weeks ago is paid (D+1); a credit sale of the last days is not yet
    // (D+30); a voided or charged-back sale never is.
    const approved = items.filter((i) => i.status === 'APPROVED')
    expect(approved.filter((i) => i.value_date <= '2026-02-20' && i.type.endsWith('_DEBIT')).every((i) => i.number_of_installments.paid === 1)).toBe(true)
    expect(items.filter((i) => i.status !== 'APPROVED').every((i) => i.number_of_installments.paid === 0)).toBe(true)
    expect(items.filter((i) => i.value_date >= '2026-02-20' && i.type.endsWith('_CREDIT')).every((i) => i.number_of_installments.paid === 0)).toBe(true)
    expect(new Set(items.map((i) => i.type.split('_')[0]))).toEqual(new Set(['VISA', 'MASTERCARD', 'ELO']))
    expect(items.some((i) => i.number_of_installments.total > 1)).toBe(true)

    // Stored, listed, filtered by value_date and account, one by one.
    expect(await countOf(link.id)).toBe(items.length)
    const day = items[0].value_date
    const onDay = await call('GET', `${PATH}?link=${link.id}&value_date=${day}&page_size=1000`)
    expect(onDay.body.results.map((i: Json) => i.id).sort()).toEqual(
      items
        .filter((i) => i.value_date === day)
        .map((i) => i.id)
        .sort(),
    )
    expect((await call('GET', `${PATH}?account=${settlement!.id}&page_size=1`)).body.count).toBe(items.length)
    expect((await call('GET', `${PATH}${items[0].id}/`)).body).toEqual(items[0])

    // The same link and day give the same sales; a period that overlaps gives the same sales on the days both have.
    const again = await call('POST', PATH, { link: link.id, ...QUARTER, save_data: false })
    expect(again.status).toBe(200)
    expect(withoutServerFields(again.body)).toEqual(withoutServerFields(items))
    const january = await call('POST', PATH, { link: link.id, date_from: '2026-01-01', date_to: '2026-01-31', save_data: false })
    expect(withoutServerFields(january.body)).toEqual(withoutServerFields(items.filter((i) => i.value_date.startsWith('2026-01'))))

    // Deleted one by one.
    expect((await call('DELETE', `${PATH}${items[0].id}/`)).status).toBe(204)
    expectError(await call('GET', `${PATH}${items[0].id}/`), 404, 'not_found')
  })

  it('reports only the days posted by today: nothing of today, nothing in the future', async () => {
    const link = await createLink(h, { institution: MERCHANT_BANK, persona: 'bnk100/full' })
    const res = await call('POST', PATH, { link: link.id, date_from: '2026-03-01', date_to: '2026-03-10', save_data: false })
    expect(res.status).toBe(200)
    expect(res.body.length).toBeGreaterThan(0)
    expect(res.body.every((i: Json) => i.value_date < '2026-03-10')).toBe(true)
  })

  it.each([
    [{ date_to: '2026-02-28' }, 'required', 'date_from'],
    [{ date_from: '2026-02-01' }, 'required', 'date_to'],
    [{ date_from: '2026/02/01', date_to: '2026-02-28' }, 'invalid', 'date_from'],
    [{ date_from: '2026-02-01', date_to: '2026-02-30' }, 'invalid', 'date_to'],
    [{ date_from: '2026-02-01', date_to: '2026-03-11' }, 'invalid', 'date_to'],
    [{ date_from: '2026-02-28', date_to: '2026-02-01' }, 'invalid', 'date_from'],
  ])('refuses the period %j with %s on %s, and stores nothing', async (period, code, field) => {
    const link = await createLink(h, { institution: MERCHANT_BANK, persona: 'bnk100/full' })
    expectError(await call('POST', PATH, { link: link.id, ...period }), 400, code, field)
    expect(await countOf(link.id)).toBe(0)
  })

  it.each([
    ['erebor_br_retail', 'bnk100/full'],
    ['erebor_mx_retail', 'bnk100/full'],
    ['planet_br_employment', '52998224725/full'],
  ])('answers unsupported_operation at %s, which offers no receivables, and stores nothing', async (institution, persona) => {
    const link = await createLink(h, { institution, persona })
    expectError(await call('POST', PATH, { link: link.id, ...QUARTER }), 400, 'unsupported_operation')
    expect(await countOf(link.id)).toBe(0)
  })

  it('answers an empty list for a merchant without data, and refuses another organization', async () => {
    const empty = await createLink(h, { institution: MERCHANT_BANK, persona: 'bnk101/nodata' })
    const res = await call('POST', PATH, { link: empty.id, ...QUARTER })
    expect(res.status).toBe(201)
    expect(res.body).toEqual([])
    expectError(await call('POST', PATH, { link: empty.id, ...QUARTER }, { auth: h.otherAuth }), 400, 'does_not_exist', 'link')
  })
})

describe('receivables in historical updates and their webhooks', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set('2026-03-10T15:00:00Z')
    await h.receiveWebhooks('Bearer receivables-test')
    await h.startWorker()
  })
  afterAll(async () => h.close())

  it("fetches a year of a merchant's receivables when fetch_resources names RECEIVABLES, with its webhook", async () => {
    const { link, events } = await historicalUpdate(h, {
      institution: MERCHANT_BANK,
      username: 'bnk100',
      password: 'full',
      fetch_resources: ['ACCOUNTS', 'RECEIVABLES'],
    })
    const stored = await h.call('GET', `${PATH}?link=${link.id}&page_size=1`)
    expect(stored.body.count).toBeGreaterThan(1000)
    expect(events['RECEIVABLES historical_update']).toEqual({ total_receivables: stored.body.count })
    const oldest = await h.call('GET', `${PATH}?link=${link.id}&value_date__lt=2025-03-10&page_size=1`)
    expect(oldest.body.count).toBe(0)
  })
})
