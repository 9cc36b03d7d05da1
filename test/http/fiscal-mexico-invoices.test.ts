import { nodeFromXmlString } from '@nodecfdi/cfdi-core'
import type { XmlNodeInterface } from '@nodecfdi/cfdi-core/types'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { mexicoRetentionRecords } from '../../src/connectors/sandbox/fiscal/mexico-retentions.ts'
import { SANDBOX_MFA_TOKEN } from '../../src/connectors/sandbox/personas.ts'
import { buildWorld } from '../../src/connectors/sandbox/world.ts'
import type { Receiver } from '../helpers/receiver.ts'
import { connectedClient, type BelvoClient } from '../helpers/belvo.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { createLink, expectError, retrieveItems, shared, YEAR } from '../helpers/resources.ts'
import { expectSpec, missingFields, schemaOf } from '../helpers/spec.ts'

/**
 * Mexico's SAT invoices and tax retentions (INVENTORY 3.2): Belvo's shapes, the official SDK's
 * methods, the body rules, and the documents: each CFDI's XML says what its JSON says, totals
 * reconcile to the centavo, retention certificates add up the invoices' withheld taxes.
 */

type Json = Record<string, any>

const SAT = 'tatooine_mx_fiscal'
const START = '2026-03-10T15:00:00Z'

/** Centavos of a JSON amount (Belvo's floats carry at most two decimals). */
const cents = (amount: number) => Math.round(amount * 100)
/** Centavos of a CFDI amount attribute ('1234.50'); 0 when absent. */
const xmlCents = (node: XmlNodeInterface | undefined, attribute: string) =>
  node && node.hasAttribute(attribute) ? Math.round(Number(node.getAttribute(attribute)) * 100) : 0
const sum = <T>(items: readonly T[], of: (item: T) => number) => items.reduce((total, item) => total + of(item), 0)

/** The server's stamps on every access; the rest is the institution's data. */
const withoutStamps = (items: Json[]) => items.map(({ id: _id, collected_at: _collected, created_at: _created, ...rest }) => rest)

/** Asserts that a CFDI's XML says what its JSON says: parties, totals, concepts, taxes, the stamp and its complements. */
function expectXmlOfInvoice(invoice: Json): void {
  const root = nodeFromXmlString(invoice.xml)
  const id = invoice.invoice_identification
  expect(root.name(), id).toBe('cfdi:Comprobante')
  expect(root.getAttribute('Version')).toBe('4.0')
  expect(root.getAttribute('TipoDeComprobante')).toBe({ Ingreso: 'I', Nómina: 'N', Pago: 'P' }[invoice.invoice_type as string])
  expect(root.getAttribute('Fecha').slice(0, 10)).toBe(invoice.invoice_date)
  expect(root.getAttribute('Serie') + root.getAttribute('Folio')).toBe(invoice.series + invoice.folio)
  expect(root.getAttribute('Moneda')).toBe(invoice.currency)
  expect(root.getAttribute('LugarExpedicion')).toBe(invoice.place_of_issue)
  expect(xmlCents(root, 'SubTotal')).toBe(cents(invoice.subtotal_amount))
  expect(xmlCents(root, 'Descuento')).toBe(cents(invoice.discount_amount))
  expect(xmlCents(root, 'Total')).toBe(cents(invoice.total_amount))
  expect(root.getAttribute('MetodoPago') || null).toBe(invoice.payment_method)
  expect(root.getAttribute('FormaPago') || null).toBe(invoice.payment_type)
  const issuer = root.searchNode('cfdi:Emisor')!
  const receiver = root.searchNode('cfdi:Receptor')!
  expect([issuer.getAttribute('Rfc'), issuer.getAttribute('Nombre'), issuer.getAttribute('RegimenFiscal')]).toEqual([
    invoice.sender_id,
    invoice.sender_name,
    invoice.sender_fiscal_regime,
  ])
  expect([
    receiver.getAttribute('Rfc'),
    receiver.getAttribute('Nombre'),
    receiver.getAttribute('RegimenFiscalReceptor'),
    receiver.getAttribute('DomicilioFiscalReceptor'),
    receiver.getAttribute('UsoCFDI'),
  ]).toEqual([invoice.receiver_id, invoice.receiver_name, invoice.receiver_fiscal_regime, invoice.receiver_postal_code, invoice.usage])
  const concepts = root.searchNodes('cfdi:Conceptos', 'cfdi:Concepto')
  expect(concepts.length).toBe(invoice.invoice_details.length)
  concepts.forEach((concept, i) => {
    const detail = invoice.invoice_details[i]
    expect(concept.getAttribute('ClaveProdServ')).toBe(detail.product_identification)
    expect(concept.getAttribute('ClaveUnidad')).toBe(detail.unit_code)
    expect(concept.getAttribute('ObjetoImp')).toBe(detail.tax_subject_code)
    expect(Number(concept.getAttribute('Cantidad'))).toBe(detail.quantity)
    expect(xmlCents(concept, 'Importe')).toBe(cents(detail.pre_tax_amount))
    expect(sum(concept.searchNodes('cfdi:Impuestos', 'cfdi:Traslados', 'cfdi:Traslado'), (t) => xmlCents(t, 'Importe'))).toBe(cents(detail.tax_amount))
    const retained = concept.searchNodes('cfdi:Impuestos', 'cfdi:Retenciones', 'cfdi:Retencion')
    expect(sum(retained, (t) => xmlCents(t, 'Importe'))).toBe(sum(detail.retained_taxes, (t: Json) => cents(t.retained_tax_amount)))
  })
  const taxes = root.searchNode('cfdi:Impuestos')
  expect(xmlCents(taxes, 'TotalImpuestosTrasladados')).toBe(cents(invoice.tax_amount))
  expect(xmlCents(taxes, 'TotalImpuestosRetenidos')).toBe(cents(invoice.tax_details.total_tax_retained))
  // The totals the CFDI's Total is made of, from the XML alone.
  expect(
    xmlCents(root, 'SubTotal') - xmlCents(root, 'Descuento') + xmlCents(taxes, 'TotalImpuestosTrasladados') - xmlCents(taxes, 'TotalImpuestosRetenidos'),
  ).toBe(xmlCents(root, 'Total'))
  const stamp = root.searchNode('cfdi:Complemento', 'tfd:TimbreFiscalDigital')!
  expect(stamp.getAttribute('UUID')).toBe(id)
  expect(stamp.getAttribute('SelloCFD')).toBe(root.getAttribute('Sello'))
  expect(stamp.getAttribute('RfcProvCertif')).toBe(invoice.certification_authority)
  expect(stamp.getAttribute('FechaTimbrado') > root.getAttribute('Fecha')).toBe(true)
  expect(stamp.getAttribute('FechaTimbrado').slice(0, 10)).toBe(invoice.certification_date)
  if (invoice.payroll) {
    const nomina = root.searchNode('cfdi:Complemento', 'nomina12:Nomina')!
    expect(nomina.getAttribute('FechaPago')).toBe(invoice.payroll.payment_date)
    expect([nomina.getAttribute('FechaInicialPago'), nomina.getAttribute('FechaFinalPago')]).toEqual([invoice.payroll.date_from, invoice.payroll.date_to])
    expect(xmlCents(nomina, 'TotalPercepciones')).toBe(cents(invoice.subtotal_amount))
    expect(xmlCents(nomina, 'TotalDeducciones')).toBe(cents(invoice.discount_amount))
    expect(sum(invoice.payroll.tax_deductions, (d: Json) => cents(d.amount))).toBe(cents(invoice.discount_amount))
    expect(nomina.searchAttribute('nomina12:Receptor', 'Curp').slice(0, 10)).toBe(invoice.receiver_id.slice(0, 10))
  }
  if (invoice.invoice_type === 'Pago') {
    const pago = root.searchNode('cfdi:Complemento', 'pago20:Pagos', 'pago20:Pago')!
    const [paid] = invoice.payments
    expect(xmlCents(pago, 'Monto')).toBe(cents(paid.amount))
    expect(pago.getAttribute('NumOperacion')).toBe(paid.operation_number)
    expect(pago.searchAttribute('pago20:DoctoRelacionado', 'IdDocumento')).toBe(paid.related_documents[0].invoice_identification)
  }
}

describe('Mexico SAT invoices and tax retentions', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())
  beforeEach(() => h.clock.set(START))

  const call: Harness['call'] = (...args) => h.call(...args)

  /** A person's year of invoices both ways, with XML, and the retentions certified in it. */
  const full = shared(async () => {
    const link = await createLink(h, { institution: SAT, persona: 'fiscal100/full' })
    const inflow = await retrieveItems(h, 'invoices', { link: link.id, ...YEAR, type: 'INFLOW', attach_xml: true })
    const outflow = await retrieveItems(h, 'invoices', { link: link.id, ...YEAR, type: 'OUTFLOW', attach_xml: true })
    // Certificates of the months from April 2025 (issued in May) to January 2026 (issued in February): all within YEAR's invoices.
    const retentions = await retrieveItems(h, 'tax-retentions', {
      link: link.id,
      date_from: '2025-05-01',
      date_to: '2026-02-28',
      type: 'INFLOW',
      attach_xml: true,
    })
    return { link, inflow, outflow, invoices: [...inflow, ...outflow], retentions }
  })

  describe("Belvo's shapes", () => {
    it('validates every invoice and retention against InvoiceWithIdSat and TaxRetentions, current and multi-region, with every field', async () => {
      const { invoices, retentions } = await full()
      const invoiceSchema = schemaOf('current', 'InvoiceWithIdSat')
      // Nested collected_at stamps: the server stamps only the item's own.
      const nested = new Set([
        'invoice_details.collected_at',
        'invoice_details.retained_taxes.collected_at',
        'invoice_details.transferred_taxes.collected_at',
        'payroll.collected_at',
      ])
      for (const invoice of invoices) {
        expectSpec('current', 'InvoiceWithIdSat', invoice)
        expectSpec('multiregion', 'InvoiceWithIdSat', invoice)
        expect(missingFields(invoiceSchema, invoice, nested)).toEqual([])
      }
      const retentionSchema = schemaOf('current', 'TaxRetentions')
      for (const retention of retentions) {
        expectSpec('current', 'TaxRetentions', retention)
        expectSpec('multiregion', 'TaxRetentions', retention)
        expect(missingFields(retentionSchema, retention, new Set())).toEqual([])
      }
    })

    it('has the kinds of CFDI a person has: sales and their payments (OUTFLOW), purchases and the monthly payroll (INFLOW)', async () => {
      const { inflow, outflow } = await full()
      const kinds = (items: Json[]) => [...new Set(items.map((i) => i.invoice_type))].sort()
      expect(kinds(outflow)).toEqual(['Ingreso', 'Pago'])
      expect(kinds(inflow)).toEqual(['Ingreso', 'Nómina'])
      expect(inflow.every((i) => i.type === 'INFLOW') && outflow.every((i) => i.type === 'OUTFLOW')).toBe(true)
      // One payroll a month, paid on the month's last business day.
      const payrolls = inflow.filter((i) => i.invoice_type === 'Nómina')
      expect(payrolls).toHaveLength(12)
      for (const p of payrolls) expect(p.payroll).toMatchObject({ version: '1.2', type: 'O', periodicity: 'MONTHLY', payment_date: p.invoice_date })
      expect(new Set([...inflow, ...outflow].map((i) => i.status))).toEqual(new Set(['Vigente', 'Cancelado']))
      const dates = [...inflow, ...outflow].map((i) => i.invoice_date)
      expect(dates.every((d) => d >= YEAR.date_from && d <= YEAR.date_to)).toBe(true)
    })
  })

  describe('coherence', () => {
    it('adds up every invoice to the centavo: subtotal - discount + transferred - withheld = total, the items and the tax details agree', async () => {
      const { invoices } = await full()
      for (const invoice of invoices) {
        const retained = cents(invoice.tax_details.total_tax_retained)
        const total = cents(invoice.subtotal_amount) - cents(invoice.discount_amount) + cents(invoice.tax_amount) - retained
        expect(total, invoice.invoice_identification).toBe(cents(invoice.total_amount))
        const details = invoice.invoice_details as Json[]
        expect(sum(details, (d) => cents(d.pre_tax_amount))).toBe(cents(invoice.subtotal_amount))
        expect(sum(details, (d) => cents(d.discount))).toBe(cents(invoice.discount_amount))
        expect(sum(details, (d) => cents(d.tax_amount))).toBe(cents(invoice.tax_amount))
        expect(cents(invoice.tax_details.total_tax_transferred)).toBe(cents(invoice.tax_amount))
        expect(sum(details, (d) => sum(d.retained_taxes, (t: Json) => cents(t.retained_tax_amount)))).toBe(retained)
        for (const d of details) {
          expect(d.quantity * cents(d.unit_amount)).toBe(cents(d.pre_tax_amount))
          expect(cents(d.total_amount)).toBe(cents(d.pre_tax_amount) - cents(d.discount) + cents(d.tax_amount))
        }
        if (invoice.invoice_type === 'Ingreso') {
          for (const d of details) expect(cents(d.tax_amount)).toBe(Math.floor(((cents(d.pre_tax_amount) - cents(d.discount)) * 16 + 50) / 100))
        }
      }
    })

    it("withholds 10% ISR and two thirds of the VAT on a person's fees, and nothing on their purchases", async () => {
      const { inflow, outflow } = await full()
      for (const sale of outflow.filter((i) => i.invoice_type === 'Ingreso')) {
        const taxes = Object.fromEntries(sale.tax_details.retained_taxes.map((t: Json) => [t.tax, t]))
        expect(taxes.ISR.tax_percentage).toBe(10)
        expect(taxes.IVA.tax_percentage).toBe(10.6667)
        expect(sale.receiver_fiscal_regime).toBe('601')
        expect(sale.sender_fiscal_regime).toBe('612')
      }
      for (const purchase of inflow.filter((i) => i.invoice_type === 'Ingreso')) expect(purchase.tax_details.retained_taxes).toEqual([])
    })

    it('ties each payment CFDI to the PPD invoice it settles, in full, after its issue', async () => {
      const { outflow } = await full()
      const byUuid = new Map(outflow.map((i) => [i.invoice_identification, i]))
      const payments = outflow.filter((i) => i.invoice_type === 'Pago')
      expect(payments.length).toBeGreaterThan(0)
      let matched = 0
      for (const payment of payments) {
        expect(cents(payment.total_amount)).toBe(0)
        const [paid] = payment.payments as Json[]
        const [related] = paid.related_documents as Json[]
        expect(cents(related.outstanding_balance)).toBe(0)
        expect(cents(related.amount_paid)).toBe(cents(paid.amount))
        const invoice = byUuid.get(related.invoice_identification)
        if (!invoice) continue // Issued before the window.
        matched++
        expect(invoice).toMatchObject({ payment_method: 'PPD', payment_type: '99', status: 'Vigente', receiver_id: payment.receiver_id })
        expect(cents(related.previous_balance)).toBe(cents(invoice.total_amount))
        expect(payment.invoice_date > invoice.invoice_date).toBe(true)
      }
      expect(matched).toBeGreaterThan(0)
    })

    it("writes each CFDI's XML from the same values as its JSON: parties, totals, concepts, taxes and the stamp's UUID", async () => {
      const { invoices } = await full()
      for (const invoice of invoices) expectXmlOfInvoice(invoice)
    })

    it('certifies each month what each customer withheld: the sums of their valid invoices’ withheld taxes', async () => {
      const { outflow, retentions } = await full()
      expect(retentions.length).toBeGreaterThan(5)
      const sales = outflow.filter((i) => i.invoice_type === 'Ingreso' && i.status === 'Vigente')
      const certified = new Set<string>()
      for (const retention of retentions) {
        const root = nodeFromXmlString(retention.xml)
        expect(root.name()).toBe('retenciones:Retenciones')
        expect(root.getAttribute('xmlns:retenciones')).toBe('http://www.sat.gob.mx/esquemas/retencionpago/2')
        expect(root.getAttribute('Version')).toBe('2.0')
        expect(root.searchAttribute('retenciones:Emisor', 'RfcE')).toBe(retention.sender_id)
        expect(root.searchAttribute('retenciones:Receptor', 'retenciones:Nacional', 'RfcR')).toBe(retention.receiver_id)
        expect(root.searchAttribute('retenciones:Complemento', 'tfd:TimbreFiscalDigital', 'UUID')).toBe(retention.invoice_identification)
        expect(Number(root.getAttribute('CveRetenc'))).toBe(retention.code)
        const month = `${root.searchAttribute('retenciones:Periodo', 'Ejercicio')}-${root.searchAttribute('retenciones:Periodo', 'MesIni')}`
        const key = `${retention.sender_id}/${month}`
        expect(certified.has(key), key).toBe(false)
        certified.add(key)
        const theirs = sales.filter((i) => i.receiver_id === retention.sender_id && i.invoice_date.startsWith(month))
        expect(theirs.length, key).toBeGreaterThan(0)
        const withheld = (tax: string) =>
          sum(theirs, (i) =>
            sum(
              i.tax_details.retained_taxes.filter((t: Json) => t.tax === tax),
              (t: Json) => cents(t.tax_amount),
            ),
          )
        const breakdown = Object.fromEntries(retention.retention_breakdown.map((b: Json) => [b.tax_type, b]))
        expect(cents(breakdown['001'].retained_amount)).toBe(withheld('ISR'))
        expect(cents(breakdown['002'].retained_amount)).toBe(withheld('IVA'))
        expect(breakdown['001'].payment_status).toBe('PROVISIONED')
        expect(breakdown['002'].payment_status).toBe('PAID')
        const base = sum(theirs, (i) => cents(i.subtotal_amount) - cents(i.discount_amount))
        expect(cents(retention.total_invoice_amount)).toBe(base)
        expect(cents(retention.total_taxable_amount) + cents(retention.total_exempt_amount)).toBe(base)
        expect(cents(retention.total_retained_amount)).toBe(withheld('ISR') + withheld('IVA'))
        expect(xmlCents(root.searchNode('retenciones:Totales'), 'MontoTotRet')).toBe(cents(retention.total_retained_amount))
        // Issued after the month it certifies.
        expect(retention.issued_at.slice(0, 7) > month).toBe(true)
      }
      // And every customer who withheld in those months has its certificate.
      for (const sale of sales.filter((i) => i.invoice_date >= '2025-04-01' && i.invoice_date < '2026-02-01')) {
        expect(certified.has(`${sale.receiver_id}/${sale.invoice_date.slice(0, 7)}`), sale.invoice_identification).toBe(true)
      }
    })

    it('answers the same documents, byte for byte, for the same link and day; no XML without attach_xml', async () => {
      const { link } = await full()
      const body = { link: link.id, date_from: '2025-12-01', date_to: '2026-02-28', type: 'OUTFLOW', attach_xml: true, save_data: false }
      const first = await call('POST', '/api/invoices/', body)
      const second = await call('POST', '/api/invoices/', body)
      expect(first.status).toBe(200)
      expect(first.body.length).toBeGreaterThan(0)
      expect(second.body.map((i: Json) => i.xml)).toEqual(first.body.map((i: Json) => i.xml))
      expect(withoutStamps(second.body)).toEqual(withoutStamps(first.body))
      const retentionBody = { ...body, type: 'INFLOW' }
      const r1 = await call('POST', '/api/tax-retentions/', retentionBody)
      const r2 = await call('POST', '/api/tax-retentions/', retentionBody)
      expect(r1.body.length).toBeGreaterThan(0)
      expect(withoutStamps(r2.body)).toEqual(withoutStamps(r1.body))
      const plain = await call('POST', '/api/invoices/', { ...body, attach_xml: false })
      expect(plain.body.every((i: Json) => i.xml === null)).toBe(true)
      expect(withoutStamps(plain.body).map(({ xml: _xml, ...rest }) => rest)).toEqual(withoutStamps(first.body).map(({ xml: _xml, ...rest }) => rest))
      expect((await call('POST', '/api/tax-retentions/', { ...retentionBody, attach_xml: undefined })).body.every((r: Json) => r.xml === null)).toBe(true)
    })

    it('shows only what was issued by the sandbox day, the same documents as later', async () => {
      const { link } = await full()
      const body = { link: link.id, date_from: '2026-01-01', date_to: '2026-01-31', type: 'INFLOW', attach_xml: true, save_data: false }
      const later = (await call('POST', '/api/invoices/', body)).body as Json[]
      h.clock.set('2026-01-20T18:00:00Z')
      const earlier = (await call('POST', '/api/invoices/', { ...body, date_to: '2026-01-20' })).body as Json[]
      expect(earlier.length).toBeGreaterThan(0)
      expect(earlier.length).toBeLessThan(later.length)
      expect(earlier.every((i) => i.invoice_date <= '2026-01-20')).toBe(true)
      expect(withoutStamps(earlier)).toEqual(withoutStamps(later.filter((i) => i.invoice_date <= '2026-01-20')))
    })
  })

  describe('taxpayers and data sets', () => {
    it('has nothing for the no-data persona, less for the low one', async () => {
      const count = async (persona: string) => {
        const link = await createLink(h, { institution: SAT, persona })
        const res = await call('POST', '/api/invoices/', { link: link.id, ...YEAR, type: 'OUTFLOW', save_data: false })
        expect(res.status).toBe(200)
        return res.body.length as number
      }
      expect(await count('fiscal101/nodata')).toBe(0)
      const low = await count('fiscal102/low')
      expect(low).toBeGreaterThan(0)
      expect(low).toBeLessThan((await full()).outflow.length)
    })

    it('is the company the login names when it is an RFC: its own invoices, and no retentions (companies are not withheld from)', async () => {
      const link = await createLink(h, { institution: SAT, persona: 'SAT970701NN3/secret' })
      const sales = (await call('POST', '/api/invoices/', { link: link.id, ...YEAR, type: 'OUTFLOW', attach_xml: true, save_data: false })).body as Json[]
      expect(sales.length).toBeGreaterThan(0)
      // Companies sell goods too, several to an invoice.
      expect(sales.some((i) => i.invoice_details.length > 1)).toBe(true)
      for (const sale of sales) expectXmlOfInvoice(sale)
      expect(sales.every((i) => i.sender_id === 'SAT970701NN3' && i.sender_fiscal_regime === '601')).toBe(true)
      expect(sales.every((i) => i.tax_details.retained_taxes.length === 0)).toBe(true)
      const purchases = (await call('POST', '/api/invoices/', { link: link.id, ...YEAR, type: 'INFLOW', save_data: false })).body as Json[]
      expect(purchases.some((i) => i.invoice_type === 'Nómina')).toBe(false)
      expect((await call('POST', '/api/tax-retentions/', { link: link.id, ...YEAR, type: 'INFLOW', save_data: false })).body).toEqual([])
    })

    it('issues no retention certificates of its own (OUTFLOW), and caps a period at 500, the oldest first', async () => {
      const { link } = await full()
      expect((await call('POST', '/api/tax-retentions/', { link: link.id, ...YEAR, type: 'OUTFLOW', save_data: false })).body).toEqual([])
      const long = (
        await call('POST', '/api/tax-retentions/', { link: link.id, date_from: '2010-01-01', date_to: '2026-02-28', type: 'INFLOW', save_data: false })
      ).body as Json[]
      expect(long.length).toBeGreaterThan(0)
      expect(long.length).toBeLessThanOrEqual(500)
      const issued = long.map((r) => r.issued_at)
      expect(issued).toEqual([...issued].sort())
      const lastYear = (await call('POST', '/api/tax-retentions/', { link: link.id, ...YEAR, type: 'INFLOW', save_data: false })).body as Json[]
      if (long.length < 500) expect(withoutStamps(long.filter((r) => r.issued_at.slice(0, 10) >= YEAR.date_from))).toEqual(withoutStamps(lastYear))
    })
  })

  describe('the list', () => {
    it('filters by type, status, date, identification and total amount', async () => {
      const { link, invoices } = await full()
      const list = async (query: string) => {
        const res = await call('GET', `/api/invoices/?link=${link.id}&page_size=1000&${query}`)
        expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200)
        return res.body.results as Json[]
      }
      const count = (of: (i: Json) => boolean) => invoices.filter(of).length
      expect(await list('type=INFLOW')).toHaveLength(count((i) => i.type === 'INFLOW'))
      expect(await list('status=Cancelado')).toHaveLength(count((i) => i.status === 'Cancelado'))
      expect(await list('invoice_date__range=2025-06-01,2025-06-30')).toHaveLength(
        count((i) => i.invoice_date >= '2025-06-01' && i.invoice_date <= '2025-06-30'),
      )
      expect(await list('total_amount__gte=10000')).toHaveLength(count((i) => i.total_amount >= 10000))
      const [one] = await list(`invoice_identification=${invoices[3].invoice_identification}`)
      expect(one.invoice_identification).toBe(invoices[3].invoice_identification)
      expectError(await call('GET', `/api/invoices/?type=SIDEWAYS`), 400, 'invalid_choice', 'type')
    })
  })

  describe('bad input', () => {
    it('refuses what Belvo refuses, with the field at fault, and stores nothing', async () => {
      const link = await createLink(h, { institution: SAT, persona: 'fiscal100/full' })
      const post = (path: string, body: Json) => call('POST', path, { link: link.id, date_from: '2025-01-01', date_to: '2025-12-31', type: 'INFLOW', ...body })
      for (const path of ['/api/invoices/', '/api/tax-retentions/']) {
        expectError(await post(path, { type: undefined }), 400, 'required', 'type')
        expectError(await post(path, { type: null }), 400, 'null', 'type')
        expectError(await post(path, { type: 'SIDEWAYS' }), 400, 'invalid_choice', 'type')
        expectError(await post(path, { date_from: undefined }), 400, 'required', 'date_from')
        expectError(await post(path, { date_to: undefined }), 400, 'required', 'date_to')
        expectError(await post(path, { date_from: '2025-13-01' }), 400, 'invalid', 'date_from')
        expectError(await post(path, { date_from: '2026-01-01', date_to: '2025-12-01' }), 400, 'invalid', 'date_from')
        expectError(await post(path, { date_to: '2026-03-11' }), 400, 'invalid', 'date_to')
        expectError(await post(path, { attach_xml: 'yes' }), 400, undefined, 'attach_xml')
        expectError(
          await call('POST', path, { link: link.id, date_from: '2025-01-01', date_to: '2025-12-31', type: 'INFLOW' }, { auth: h.otherAuth }),
          400,
          'does_not_exist',
          'link',
        )
      }
      // Invoices: a year at most (365 days); retentions: any period (Belvo caps their number instead).
      expectError(await post('/api/invoices/', { date_from: '2025-01-01', date_to: '2026-01-02' }), 400, 'invalid', 'date_to')
      expect((await post('/api/invoices/', { date_from: '2025-01-01', date_to: '2026-01-01', save_data: false })).status).toBe(200)
      expect((await post('/api/tax-retentions/', { date_from: '2020-01-01', date_to: '2026-01-01', save_data: false })).status).toBe(200)
      for (const path of ['invoices', 'tax-retentions']) expect((await call('GET', `/api/${path}/?link=${link.id}`)).body.count).toBe(0)
    })

    it('is unsupported where the institution does not offer it: a bank, Chile’s SII', async () => {
      for (const institution of ['erebor_mx_retail', 'tatooine_cl_fiscal']) {
        const link = await createLink(h, { institution, persona: 'user_valid/pass_valid' })
        for (const path of ['/api/invoices/', '/api/tax-retentions/']) {
          expectError(await call('POST', path, { link: link.id, ...YEAR, type: 'INFLOW' }), 400, 'unsupported_operation')
          expect((await call('GET', `${path}?link=${link.id}`)).body.count).toBe(0)
        }
      }
    })
  })

  it('keeps the oldest certificates of a period when there are more than the cap', () => {
    const world = buildWorld({
      institution: { id: 1013, name: SAT, country: 'MX', shape: 'multiregion' },
      credentials: { username: 'fiscal100', password: 'full' },
      linkSeed: 'retention-cap',
      profile: 'full',
      today: '2026-03-10',
      accessedAt: START,
    })
    const period = { dateFrom: '2015-01-01', dateTo: '2026-03-10' }
    const all = mexicoRetentionRecords(world, period, 'INFLOW', false)
    expect(all.length).toBeGreaterThan(20)
    expect(all.length).toBeLessThan(500)
    expect(mexicoRetentionRecords(world, period, 'INFLOW', false, 20)).toEqual(all.slice(0, 20))
  })

  describe('in the background', () => {
    let receiver: Receiver
    beforeAll(async () => {
      receiver = await h.receiveWebhooks('Bearer sat')
      await h.startWorker()
    })

    it('fetches a year of invoices both ways and of retentions in the historical update of its fetch_resources', async () => {
      const link = (
        await call('POST', '/api/links/', { institution: SAT, username: 'fiscal100', password: 'full', fetch_resources: ['INVOICES', 'TAX_RETENTIONS'] })
      ).body
      const forLink = () => receiver.received.map((r) => r.body).filter((b) => b.link_id === link.id)
      await receiver.waitFor(() => forLink().length >= 2)
      const hooks = forLink()
      expect(hooks.map((b) => b.webhook_type).sort()).toEqual(['INVOICES', 'TAX_RETENTIONS'])
      const list = async (path: string) => (await call('GET', `/api/${path}/?link=${link.id}&page_size=1000`)).body
      const invoices = await list('invoices')
      expect(hooks.find((b) => b.webhook_type === 'INVOICES')!.data).toEqual({ total_invoices: invoices.count })
      expect(new Set(invoices.results.map((i: Json) => i.type))).toEqual(new Set(['INFLOW', 'OUTFLOW']))
      const retentions = await list('tax-retentions')
      expect(retentions.count).toBeGreaterThan(0)
      expect(hooks.find((b) => b.webhook_type === 'TAX_RETENTIONS')!.data).toEqual({ total_tax_retentions: retentions.count })
    })
  })

  it('asks for a token at the MFA SAT (428) and resumes with it', async () => {
    const link = await createLink(h, { institution: 'heimdall_mx_fiscal' })
    for (const [path, type] of [
      ['/api/invoices/', 'OUTFLOW'],
      ['/api/tax-retentions/', 'INFLOW'],
    ]) {
      const asked = expectError(await call('POST', path, { link: link.id, ...YEAR, type }), 428, 'token_required')
      expect((await call('GET', `${path}?link=${link.id}`)).body.count).toBe(0)
      const resumed = await call('PATCH', path, { session: asked.session, token: SANDBOX_MFA_TOKEN, link: link.id })
      expect(resumed.status, JSON.stringify(resumed.body).slice(0, 300)).toBe(201)
      expect(resumed.body.length).toBeGreaterThan(0)
      expect((await call('GET', `${path}?link=${link.id}`)).body.count).toBe(resumed.body.length)
    }
  })
})

describe('the official SDK against Ponte: invoices and taxRetentions', () => {
  let h: Harness
  let client: BelvoClient
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set(START)
    client = await connectedClient(h)
  })
  afterAll(async () => h.close())

  it('retrieves, lists, details and deletes invoices', async () => {
    const link = await createLink(h, { institution: SAT, persona: 'fiscal100/full' })
    const invoices = client.invoices as BelvoClient['accounts']
    const unsaved = await invoices.retrieve(link.id, '2025-12-01', '2026-02-28', 'INFLOW', { saveData: false, attachXML: true })
    expect(unsaved.length).toBeGreaterThan(0)
    expect(unsaved.every((i: Json) => i.type === 'INFLOW' && i.xml.startsWith('<?xml'))).toBe(true)
    const stored = await invoices.retrieve(link.id, '2025-12-01', '2026-02-28', 'OUTFLOW')
    expect(stored.every((i: Json) => i.xml === null)).toBe(true)
    const listed = await invoices.list({ filters: { link: link.id } })
    expect(listed.map((i: Json) => i.id).sort()).toEqual(stored.map((i: Json) => i.id).sort())
    expect(await invoices.detail(stored[0].id)).toEqual(stored[0])
    await invoices.delete(stored[0].id)
    expect(await invoices.list({ filters: { link: link.id } })).toHaveLength(stored.length - 1)
    await expect(invoices.retrieve(link.id, '2025-01-01', '2026-02-28', 'INFLOW')).rejects.toMatchObject({ statusCode: 400 })
  })

  it('retrieves, lists, details and deletes tax retentions', async () => {
    const link = await createLink(h, { institution: SAT, persona: 'fiscal100/full' })
    const retentions = client.taxRetentions as BelvoClient['accounts']
    const unsaved = await retentions.retrieve(link.id, '2025-12-01', '2026-02-28', 'INFLOW', { saveData: false, attachXML: true })
    expect(unsaved.length).toBeGreaterThan(0)
    expect(unsaved.every((r: Json) => r.xml.includes('retencionpago/2'))).toBe(true)
    const stored = await retentions.retrieve(link.id, '2025-12-01', '2026-02-28', 'INFLOW')
    const listed = await retentions.list({ filters: { link: link.id } })
    expect(listed.map((r: Json) => r.id).sort()).toEqual(stored.map((r: Json) => r.id).sort())
    expect(await retentions.detail(stored[0].id)).toEqual(stored[0])
    await retentions.delete(stored[0].id)
    expect(await retentions.list({ filters: { link: link.id } })).toHaveLength(stored.length - 1)
  })
})
