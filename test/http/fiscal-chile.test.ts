import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { isValidRut, rut, rutCheckDigit } from '../../src/connectors/sandbox/fiscal/chile-taxpayer.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import type { Receiver } from '../helpers/receiver.ts'
import { createLink, expectError, retrieveItems, shared, YEAR } from '../helpers/resources.ts'
import { expectSpec } from '../helpers/spec.ts'

type Json = Record<string, any>

const CHILE = 'tatooine_cl_fiscal'

/** The fields the server stamps on every access; the rest of an item is the institution's data. */
const withoutStamps = (items: Json[]) => items.map(({ collected_at: _collected, created_at: _created, ...rest }) => rest)

describe('Chile fiscal data: invoices, tax status and debt reports (SII, CMF)', () => {
  let h: Harness
  const START = '2026-03-10T15:00:00Z'
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())
  // Every test starts at the same instant, whatever the one before it did with the clock.
  beforeEach(() => h.clock.set(START))

  const call: Harness['call'] = (...args) => h.call(...args)

  /** A full taxpayer's three resources, stored once for the tests that only read them. */
  const full = shared(async () => {
    const link = await createLink(h, { institution: CHILE, persona: 'fiscal100/full' })
    const [taxStatus] = await retrieveItems(h, 'cl/tax-status', { link: link.id })
    const [debtReport] = await retrieveItems(h, 'cl/debt-reports', { link: link.id })
    const invoices = await retrieveItems(h, 'cl/invoices', { link: link.id, ...YEAR })
    return { link, taxStatus, debtReport, invoices }
  })

  describe('RUTs', () => {
    it('computes the modulo-11 check digit, K and 0 included', () => {
      expect(rutCheckDigit(12345678)).toBe('5')
      expect(rutCheckDigit(11111111)).toBe('1')
      expect(rutCheckDigit(6)).toBe('K')
      // 7 * 2 + 1 * 3 = 17, 11 - 17 % 11 = 5; 2 * 2 + 3 * 3 + 7 * 4 = 41, 11 - 41 % 11 = 3; 1 * 2 + 3 * 3 = 11, written 0.
      expect(rut(17)).toBe('17-5')
      expect(rut(732)).toBe('732-3')
      expect(rutCheckDigit(31)).toBe('0')
      expect(isValidRut('12345678-5')).toBe(true)
      expect(isValidRut('12345678-6')).toBe(false)
      expect(isValidRut('12.345.678-5')).toBe(false)
    })
  })

  describe('one coherent taxpayer per link', () => {
    it('validates every item against Belvo’s schemas', async () => {
      const { taxStatus, debtReport, invoices } = await full()
      expectSpec('current', 'tax_status_sii', taxStatus)
      expectSpec('current', 'debt_chile', debtReport)
      for (const invoice of invoices) expectSpec('current', 'invoice_chile', invoice)
    })

    it('has one RUT with a valid check digit and one name across the tax status, the debt report and the invoices', async () => {
      const { taxStatus, debtReport, invoices } = await full()
      const taxpayer = taxStatus.entity_details
      expect(taxpayer.document_id_type).toBe('RUT')
      expect(isValidRut(taxpayer.document_id_number)).toBe(true)
      expect(debtReport.personal_data).toMatchObject({ document_id_type: 'RUT', document_id_number: taxpayer.document_id_number })
      // The SII writes names without accents, in capitals; the CMF keeps them.
      const plain = (name: string) =>
        name
          .normalize('NFD')
          .replace(/[\u0300-\u036f]/g, '')
          .toUpperCase()
      expect(plain(debtReport.personal_data.full_name)).toBe(taxpayer.name)
      expect(invoices.length).toBeGreaterThan(20)
      for (const invoice of invoices) {
        const [own, other] = invoice.type === 'OUTFLOW' ? ['sender', 'receiver'] : ['receiver', 'sender']
        expect(invoice[`${own}_id`]).toBe(taxpayer.document_id_number)
        expect(invoice[`${own}_name`]).toBe(taxpayer.name)
        expect(isValidRut(invoice[`${other}_id`]), invoice[`${other}_id`]).toBe(true)
        expect(invoice[`${other}_id`]).not.toBe(taxpayer.document_id_number)
      }
      // Invoices start after the taxpayer started activities.
      expect(invoices.every((i: Json) => i.issue_date >= taxpayer.start_date)).toBe(true)
      expect(taxStatus.economic_activities.length).toBeGreaterThan(0)
      expect(taxStatus.economic_activities.every((a: Json) => a.vat_affected)).toBe(true)
    })

    it('adds up every invoice: total = net + 19% VAT in whole pesos, the VAT credited on purchases and charged on sales', async () => {
      const { invoices } = await full()
      for (const invoice of invoices) {
        expect(Number.isInteger(invoice.net_amount) && Number.isInteger(invoice.vat_amount)).toBe(true)
        expect(invoice.total_amount).toBe(invoice.net_amount + invoice.vat_amount)
        expect(invoice.vat_amount).toBe(Math.floor((invoice.net_amount * 19 + 50) / 100))
        expect(invoice).toMatchObject({ currency: 'CLP', document_code: 33 })
        if (invoice.type === 'INFLOW') {
          expect(invoice.sales_invoice_details).toBeNull()
          expect(invoice.purchase_invoice_details.vat_refundable_amount).toBe(invoice.vat_amount)
        } else {
          expect(invoice.purchase_invoice_details).toBeNull()
          expect(invoice.sales_invoice_details.vat_sales).toBe(invoice.vat_amount)
        }
      }
      // The taxpayer numbers their own invoices: no folio twice.
      const issued = invoices.filter((i: Json) => i.type === 'OUTFLOW').map((i: Json) => i.folio)
      expect(new Set(issued).size).toBe(issued.length)
      expect(invoices.map((i: Json) => i.issue_date)).toEqual(invoices.map((i: Json) => i.issue_date).sort())
    })

    it('adds up the debt report: each debt is its current and past-due parts, the totals are those of the direct debts', async () => {
      const { debtReport } = await full()
      const parts = (d: Json) => (d.current ?? 0) + (d.delinquent ?? 0) + (d.severely_delinquent ?? 0) + (d.defaulted ?? 0)
      for (const debt of [...debtReport.direct_debts, ...debtReport.indirect_debts]) expect(debt.amount).toBe(parts(debt))
      const sum = (key: string) => debtReport.direct_debts.reduce((total: number, d: Json) => total + (d[key] ?? 0), 0)
      expect(debtReport.total).toBe(sum('amount'))
      expect(debtReport.current).toBe(sum('current'))
      expect(debtReport.total).toBe(parts(debtReport))
      // As of the CMF's last monthly publication before the sandbox day.
      expect(debtReport).toMatchObject({ currency: 'CLP', debt_data_last_update: '2026-02-01' })
    })

    it('is the same taxpayer for the same credentials, the RUT logged in with, another for another user', async () => {
      const { taxStatus } = await full()
      const rutOf = async (persona: string) => {
        const link = await createLink(h, { institution: CHILE, persona })
        const res = await call('POST', '/api/cl/tax-status/', { link: link.id, save_data: false })
        return res.body[0].entity_details.document_id_number as string
      }
      expect(await rutOf('fiscal100/full')).toBe(taxStatus.entity_details.document_id_number)
      // At the SII a user logs in with their own RUT: the taxpayer is that RUT.
      expect(await rutOf('12345678-5/secret')).toBe('12345678-5')
      const another = await rutOf('another_user/secret')
      expect(isValidRut(another)).toBe(true)
      expect(another).not.toBe(taxStatus.entity_details.document_id_number)
    })
  })

  it('answers the same data for the same link on the same day, and a new debt report once a month has passed', async () => {
    const { link } = await full()
    for (const [path, body] of [
      ['/api/cl/invoices/', { link: link.id, ...YEAR, save_data: false }],
      ['/api/cl/tax-status/', { link: link.id, save_data: false }],
      ['/api/cl/debt-reports/', { link: link.id, save_data: false }],
    ] as const) {
      const first = await call('POST', path, body)
      const second = await call('POST', path, body)
      expect(first.status).toBe(200)
      expect(withoutStamps(second.body)).toEqual(withoutStamps(first.body))
    }
    const march = (await call('POST', '/api/cl/debt-reports/', { link: link.id, save_data: false })).body[0]
    h.clock.set('2026-04-10T15:00:00Z')
    const april = (await call('POST', '/api/cl/debt-reports/', { link: link.id, save_data: false })).body[0]
    expect(april.debt_data_last_update).toBe('2026-03-01')
    expect(april.personal_data).toEqual(march.personal_data)
  })

  describe('retrieving invoices', () => {
    it('keeps to the period and to the type asked for', async () => {
      const { link } = await full()
      const period = { date_from: '2025-11-01', date_to: '2025-11-30' }
      const both = (await call('POST', '/api/cl/invoices/', { link: link.id, ...period, save_data: false })).body
      const inflow = (await call('POST', '/api/cl/invoices/', { link: link.id, ...period, type: 'INFLOW', save_data: false })).body
      const outflow = (await call('POST', '/api/cl/invoices/', { link: link.id, ...period, type: 'OUTFLOW', save_data: false })).body
      expect(both.every((i: Json) => i.issue_date >= period.date_from && i.issue_date <= period.date_to)).toBe(true)
      expect(inflow.length).toBeGreaterThan(0)
      expect(outflow.length).toBeGreaterThan(0)
      expect(inflow.every((i: Json) => i.type === 'INFLOW')).toBe(true)
      expect(outflow.every((i: Json) => i.type === 'OUTFLOW')).toBe(true)
      expect(inflow.length + outflow.length).toBe(both.length)
      // A null type is both, as Belvo's enum allows it.
      expect((await call('POST', '/api/cl/invoices/', { link: link.id, ...period, type: null, save_data: false })).body).toHaveLength(both.length)
    })

    it('stores a retrieved invoice once: retrieving the period again updates it', async () => {
      const link = await createLink(h, { institution: CHILE, persona: 'fiscal100/full' })
      const body = { link: link.id, date_from: '2025-10-01', date_to: '2025-12-31' }
      const first = await retrieveItems(h, 'cl/invoices', body)
      const again = await retrieveItems(h, 'cl/invoices', body)
      expect(again.map((i) => i.id).sort()).toEqual(first.map((i) => i.id).sort())
      expect((await call('GET', `/api/cl/invoices/?link=${link.id}`)).body.count).toBe(first.length)
    })

    it('refuses the bad bodies Belvo refuses, with the field at fault, and stores nothing', async () => {
      const link = await createLink(h, { institution: CHILE, persona: 'fiscal100/full' })
      const post = (body: Json) => call('POST', '/api/cl/invoices/', { link: link.id, ...body })
      expectError(await post({ date_to: '2026-02-28' }), 400, 'required', 'date_from')
      expectError(await post({ date_from: '2026-01-01' }), 400, 'required', 'date_to')
      expectError(await post({ date_from: '2026-01-01', date_to: '2026-02-28', type: 'SIDEWAYS' }), 400, 'invalid_choice', 'type')
      expectError(await post({ date_from: '2026-01-01', date_to: '2026-04-01' }), 400, 'invalid', 'date_to')
      expectError(await post({ date_from: '2026-02-01', date_to: '2026-01-01' }), 400, 'invalid', 'date_from')
      expectError(await post({ date_from: '01/01/2026', date_to: '2026-02-28' }), 400, 'invalid', 'date_from')
      expectError(await call('POST', '/api/cl/tax-status/', { link: link.id, attach_pdf: 'yes' }), 400, undefined, 'attach_pdf')
      expectError(await call('POST', '/api/cl/debt-reports/', { link: link.id, save_data: null }), 400, 'null', 'save_data')
      for (const path of ['invoices', 'tax-status', 'debt-reports']) expect((await call('GET', `/api/cl/${path}/?link=${link.id}`)).body.count).toBe(0)
    })

    it('is unsupported where the institution does not offer it: a bank, Mexico’s SAT', async () => {
      for (const institution of ['erebor_mx_retail', 'tatooine_mx_fiscal']) {
        const link = await createLink(h, { institution, persona: 'user_valid/pass_valid' })
        expectError(await call('POST', '/api/cl/invoices/', { link: link.id, ...YEAR }), 400, 'unsupported_operation')
        expectError(await call('POST', '/api/cl/debt-reports/', { link: link.id }), 400, 'unsupported_operation')
        expect((await call('GET', `/api/cl/invoices/?link=${link.id}`)).body.count).toBe(0)
      }
    })
  })

  describe('lists', () => {
    it('filter by link, id and created_at, as Belvo documents', async () => {
      const { link, invoices } = await full()
      const list = (query: string) => call('GET', `/api/cl/invoices/?${query}`)
      expect((await list(`link=${link.id}&page_size=1000`)).body.count).toBe(invoices.length)
      expect((await list(`link__in=${link.id}&page_size=1000`)).body.count).toBe(invoices.length)
      expect((await list(`id=${invoices[0].id}`)).body.results.map((i: Json) => i.id)).toEqual([invoices[0].id])
      expect((await list(`id__in=${invoices[0].id},${invoices[1].id}`)).body.count).toBe(2)
      expect((await list(`link=${link.id}&created_at__gt=2030-01-01T00:00:00Z`)).body.count).toBe(0)
      expect((await list(`link=${link.id}&created_at__lte=2030-01-01T00:00:00Z&page_size=1000`)).body.count).toBe(invoices.length)
      expectError(await list('created_at__gte=yesterday'), 400, undefined, 'created_at__gte')
      expectError(await list('link=not-a-uuid'), 400, undefined, 'link')
    })
  })

  describe('personas', () => {
    it('has nothing for fiscal101/nodata', async () => {
      const link = await createLink(h, { institution: CHILE, persona: 'fiscal101/nodata' })
      expect(await retrieveItems(h, 'cl/invoices', { link: link.id, ...YEAR })).toEqual([])
      expect(await retrieveItems(h, 'cl/tax-status', { link: link.id })).toEqual([])
      expect(await retrieveItems(h, 'cl/debt-reports', { link: link.id })).toEqual([])
    })

    it('has a smaller business and a debt past due for fiscal102/low', async () => {
      const { invoices } = await full()
      const link = await createLink(h, { institution: CHILE, persona: 'fiscal102/low' })
      const few = await retrieveItems(h, 'cl/invoices', { link: link.id, ...YEAR })
      expect(few.length).toBeGreaterThan(0)
      expect(few.length).toBeLessThan(invoices.length / 2)
      const [report] = await retrieveItems(h, 'cl/debt-reports', { link: link.id })
      expect(report.delinquent).toBeGreaterThan(0)
      expect(report.total).toBe(report.direct_debts.reduce((t: number, d: Json) => t + d.amount, 0))
    })

    it('logs in with a RUT, refuses a malformed username, and has the error personas banks have', async () => {
      expect((await call('POST', '/api/links/', { institution: CHILE, username: '12345678-5', password: 'secret' })).status).toBe(201)
      expectError(await call('POST', '/api/links/', { institution: CHILE, username: '12.345.678-5', password: 'secret' }), 400, 'invalid', 'username')
      expectError(await call('POST', '/api/links/', { institution: CHILE, username: 'err_down', password: 'pass_valid' }), 400, 'institution_down')
      expectError(await call('POST', '/api/links/', { institution: CHILE, username: 'user_invalid', password: 'pass_invalid' }), 400, 'login_error')
    })

    it('asks the MFA personas for a token at heimdall_cl_fiscal, and resumes with it', async () => {
      const link = await createLink(h, { institution: 'heimdall_cl_fiscal' })
      const challenge = expectError(await call('POST', '/api/cl/debt-reports/', { link: link.id }), 428, 'token_required')
      const resumed = await call('PATCH', '/api/cl/debt-reports/', { session: challenge.session, token: '111111', link: link.id })
      expect(resumed.status).toBe(201)
      expect(resumed.body[0].personal_data.document_id_type).toBe('RUT')
    })
  })

  describe('in the background', () => {
    let receiver: Receiver
    beforeAll(async () => {
      receiver = await h.receiveWebhooks('Bearer chile')
      await h.startWorker()
    })

    it('fetches the three in historical updates of the fetch_resources, one webhook each', async () => {
      const link = (
        await call('POST', '/api/links/', {
          institution: CHILE,
          username: 'fiscal100',
          password: 'full',
          fetch_resources: ['INVOICES', 'TAX_STATUS', 'DEBT_REPORTS'],
        })
      ).body
      const forLink = () => receiver.received.map((r) => r.body).filter((b) => b.link_id === link.id)
      await receiver.waitFor(() => forLink().length >= 3)
      const hooks = forLink()
      expect(hooks.map((b) => b.webhook_type).sort()).toEqual(['DEBT_REPORTS', 'INVOICES', 'TAX_STATUS'])
      for (const hook of hooks) expect(hook).toMatchObject({ webhook_code: 'historical_update', process_type: 'historical_update' })
      const count = async (path: string) => (await call('GET', `/api/cl/${path}/?link=${link.id}`)).body.count
      expect(hooks.find((b) => b.webhook_type === 'INVOICES')!.data).toEqual({ total_invoices: await count('invoices') })
      expect(await count('invoices')).toBeGreaterThan(20)
      expect(hooks.find((b) => b.webhook_type === 'TAX_STATUS')!.data).toEqual({ total_tax_status: 1 })
      expect(hooks.find((b) => b.webhook_type === 'DEBT_REPORTS')!.data).toEqual({ total_debt_reports: 1 })
    })

    it('answers an async invoices request at once and reports it by webhook', async () => {
      const link = await createLink(h, { institution: CHILE, persona: 'fiscal100/full' })
      const accepted = await call('POST', '/api/cl/invoices/', { link: link.id, ...YEAR }, { headers: { 'X-Belvo-Request-Mode': 'async' } })
      expect(accepted.status).toBe(202)
      const hooks = await receiver.waitFor((all) => all.some((r) => r.body.request_id === accepted.body.request_id))
      const hook = hooks.find((r) => r.body.request_id === accepted.body.request_id)!.body
      expect(hook).toMatchObject({ webhook_type: 'INVOICES', webhook_code: 'historical_update', link_id: link.id })
      expect(hook.data.total_invoices).toBe((await call('GET', `/api/cl/invoices/?link=${link.id}`)).body.count)
    })
  })
})
