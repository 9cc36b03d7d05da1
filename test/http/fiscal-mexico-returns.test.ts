import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parseDay } from '../../src/connectors/sandbox/calendar.ts'
import { institutionUserId } from '../../src/connectors/sandbox/documents.ts'
import { invoiceAmounts, isrByTable, mexicoTaxpayer, plansBetween, YEARLY_ISR } from '../../src/connectors/sandbox/fiscal/mexico-taxpayer.ts'
import { buildWorld } from '../../src/connectors/sandbox/world.ts'
import type { ConnectorContext } from '../../src/connectors/types.ts'
import { connectedClient, type BelvoClient } from '../helpers/belvo.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { parsePdf, pdfText, popplerAvailable, renderFirstPage } from '../helpers/pdf.ts'
import { createLink, expectError, retrieveItems, shared } from '../helpers/resources.ts'
import { expectSpec } from '../helpers/spec.ts'

/**
 * Mexico's SAT returns: the yearly and monthly tax returns of a person and of a company, the
 * legacy tax declarations and the financial statements. They must agree with the taxpayer's CFDIs
 * (the same plans the invoice list shows), with each other, and with their PDFs; Belvo's body
 * rules answer 400 with the field at fault and store nothing; the official SDK works against them.
 */

type Json = Record<string, any>

const SAT = 'tatooine_mx_fiscal'
const TODAY = '2026-03-10'
const PERSON = 'fiscal100'
/** A company's RFC as the login: 12 characters. */
const COMPANY = 'ABC100215KQA'

/** The sandbox's world of a SAT link, as the connector builds it, to recompute the invoices' totals independently of the returns. */
function worldOf(username: string, profile = 'full', today = TODAY) {
  const ctx: ConnectorContext = {
    institution: { id: 1013, name: SAT, country: 'MX', shape: 'multiregion' },
    credentials: { username, password: profile },
    linkSeed: institutionUserId(SAT, username),
    profile,
    today,
    accessedAt: `${today}T12:00:00.000Z`,
  }
  return buildWorld(ctx)
}

/** A year's invoices as the invoice list shows them: issued (OUTFLOW) subtotals less discounts, received ones, and the payroll. */
function invoiceTotals(username: string, year: number) {
  const world = worldOf(username)
  const plans = plansBetween(world, mexicoTaxpayer(world), parseDay(`${year}-01-01`), parseDay(`${year}-12-31`)).filter((p) => !p.cancelled)
  let sales = 0
  let purchases = 0
  let salary = 0
  let salaryIsr = 0
  for (const plan of plans) {
    const amounts = invoiceAmounts(plan)
    if (plan.payroll) {
      salary += plan.payroll.grossCents
      salaryIsr += plan.payroll.isrCents
    } else if (plan.direction === 'OUTFLOW') sales += amounts.subtotal - amounts.discount
    else purchases += amounts.subtotal - amounts.discount
  }
  return { sales, purchases, salary, salaryIsr }
}

const cents = (pesos: number) => Math.round(pesos * 100)

/** As the acknowledgement prints an amount. */
const money = (pesos: number) => {
  const c = cents(pesos)
  return `${c < 0 ? '-' : ''}$${Math.floor(Math.abs(c) / 100).toLocaleString('en-US')}.${String(Math.abs(c) % 100).padStart(2, '0')}`
}

describe('Mexico SAT tax returns, tax declarations and financial statements', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())
  beforeEach(() => h.clock.set(`${TODAY}T15:00:00Z`))

  const call: Harness['call'] = (...args) => h.call(...args)
  const count = async (path: string, link: string) => (await call('GET', `${path}?link=${link}`)).body.count as number

  const person = shared(async () => {
    const link = await createLink(h, { institution: SAT, persona: `${PERSON}/full` })
    const yearly = await retrieveItems(h, 'tax-returns', { link: link.id, type: 'yearly', year_from: '2021', year_to: '2025' })
    return { link, yearly }
  })
  const company = shared(async () => {
    const link = await createLink(h, { institution: SAT, persona: `${COMPANY}/any-password` })
    const yearly = await retrieveItems(h, 'tax-returns', { link: link.id, type: 'yearly', year_from: '2021', year_to: '2025' })
    return { link, yearly }
  })

  describe('yearly returns', () => {
    it("are a person's (TaxReturnPersonal) for a persona, each year filed by the end of April, the current year's not yet", async () => {
      const { yearly } = await person()
      const taxpayer = mexicoTaxpayer(worldOf(PERSON))
      // 2025's return is due by April 30, 2026: on March 10 it is not there yet.
      const years = yearly.map((r) => r.informacion_general.ejercicio)
      expect(years.length).toBeGreaterThan(0)
      expect(years).not.toContain(2025)
      expect(years[years.length - 1]).toBe(2024)
      for (const r of yearly) {
        expectSpec('multiregion', 'TaxReturnPersonal', r)
        expect(r.informacion_general).toMatchObject({ rfc: taxpayer.rfc, curp: taxpayer.curp, tipo_declaracion: 'Normal', periodo: 'Del Ejercicio' })
        expect(r.informacion_general.fecha_presentacion).toMatch(new RegExp(`^${r.informacion_general.ejercicio + 1}-04-`))
        expect(r.pdf).toBeNull()
        expect(r.receipt_pdf).toBeNull()
        expect(r).not.toHaveProperty('internal_identification')
      }
    })

    it("add up the year's invoices: income is the issued invoices' subtotals less discounts, deductions the received ones', salary the payroll's", async () => {
      const { yearly } = await person()
      for (const r of yearly) {
        const totals = invoiceTotals(PERSON, r.informacion_general.ejercicio)
        expect(totals.sales).toBeGreaterThan(0)
        expect(cents(r.servicios_profesionales.ingresos_del_ejercicio)).toBe(totals.sales)
        expect(cents(r.servicios_profesionales.deducciones_autorizadas)).toBe(totals.purchases)
        expect(cents(r.sueldos_salarios.ingresos_totales)).toBe(totals.salary)
        expect(cents(r.sueldos_salarios.impuesto_retenido)).toBe(totals.salaryIsr)
        const profit = Math.max(0, totals.sales - totals.purchases)
        const d = r.determinacion_impuesto
        expect(cents(d.base_gravable)).toBe(totals.salary + profit)
        expect(cents(d.isr_conforme_tarifa_anual)).toBe(isrByTable(totals.salary + profit, YEARLY_ISR))
        // The balance: ISR of the year less withholdings and provisional payments, due or in favor.
        const balance = cents(d.isr_conforme_tarifa_anual) - cents(d.isr_retenido) - cents(d.pagos_provisionales)
        expect(cents(d.isr_a_cargo) - cents(d.isr_a_favor)).toBe(balance)
        expect(Math.min(cents(d.isr_a_cargo), cents(d.isr_a_favor))).toBe(0)
      }
    })

    it("are a company's (TaxReturnBusiness) for a 12-character RFC, with the ISR at 30% of the fiscal result, filed in March", async () => {
      const { yearly } = await company()
      expect(yearly.length).toBeGreaterThan(0)
      for (const r of yearly) {
        expectSpec('multiregion', 'TaxReturnBusiness', r)
        expect(r.informacion_general.rfc).toBe(COMPANY)
        expect(r.informacion_general.fecha_presentacion).toMatch(new RegExp(`^${r.informacion_general.ejercicio + 1}-03-`))
        const totals = invoiceTotals(COMPANY, r.informacion_general.ejercicio)
        const d = r.determinacion_del_impuesto_sobre_la_renta
        expect(cents(d.ingresos_acumulables)).toBe(totals.sales)
        expect(cents(d.deducciones_autorizadas)).toBe(totals.purchases)
        expect(cents(d.resultado_fiscal)).toBe(Math.max(0, totals.sales - totals.purchases))
        expect(cents(d.isr_causado)).toBe(Math.round((cents(d.resultado_fiscal) * 30) / 100))
        expect(cents(d.isr_a_cargo) - cents(d.isr_a_favor)).toBe(cents(d.isr_causado) - cents(d.pagos_provisionales))
        // From 2022 on, Belvo gives the statements apart: these sections are null, `determinacion` takes their place.
        if (r.informacion_general.ejercicio >= 2022) {
          expect(r.estado_resultados).toBeNull()
          expect(r.estado_posicion_financiera_balance).toBeNull()
          expect(r.determinacion).toEqual(d)
        } else {
          expect(r.determinacion).toBeNull()
          expect(cents(r.estado_resultados.ventas_y_servicios_netos)).toBe(totals.sales)
          const balance = r.estado_posicion_financiera_balance
          expect(cents(balance.activo.total_activo)).toBe(cents(balance.pasivo.total_pasivo) + cents(balance.capital_contable.total_capital_contable))
        }
        const c = r.cifras_cierre_ejercicio
        expect(cents(c.total_activo)).toBe(cents(c.total_pasivo) + cents(c.capital_contable))
      }
    })

    it('appear once filed: the 2025 return of a person on May 1, 2026', async () => {
      const link = await createLink(h, { institution: SAT, persona: `${PERSON}/full` })
      h.clock.set('2026-05-01T15:00:00Z')
      const items = await retrieveItems(h, 'tax-returns', { link: link.id, year_from: 2025, year_to: 2025 })
      expect(items.map((r) => r.informacion_general.ejercicio)).toEqual([2025])
    })

    it('are the same on every retrieve, and filter by ejercicio and tipo_declaracion', async () => {
      const { link, yearly } = await person()
      const again = await call('POST', '/api/tax-returns/', { link: link.id, year_from: '2021', year_to: '2025', save_data: false })
      expect(again.status).toBe(200)
      const strip = (items: Json[]) => items.map(({ id: _i, collected_at: _c, created_at: _r, ...rest }) => rest)
      expect(strip(again.body)).toEqual(strip(yearly))
      const only2023 = await call('GET', `/api/tax-returns/?link=${link.id}&ejercicio=2023`)
      expect(only2023.body.results.map((r: Json) => r.informacion_general.ejercicio)).toEqual([2023])
      const since = await call('GET', `/api/tax-returns/?link=${link.id}&ejercicio__gte=2023`)
      expect(since.body.count).toBe(yearly.filter((r) => r.informacion_general.ejercicio >= 2023).length)
      expect((await call('GET', `/api/tax-returns/?link=${link.id}&tipo_declaracion=Normal`)).body.count).toBe(yearly.length)
      expect((await call('GET', `/api/tax-returns/?link=${link.id}&tipo_declaracion=Complementaria`)).body.count).toBe(0)
    })
  })

  describe('monthly returns (provisional payments)', () => {
    it("are a person's (TaxReturnPersonalMonthly), one per month filed by the 17th, whose ISR payments add up to the year's provisional payments", async () => {
      const { link, yearly } = await person()
      const items = await retrieveItems(h, 'tax-returns', { link: link.id, type: 'monthly', date_from: '2024-01-01', date_to: '2024-12-31' })
      expect(items.map((r) => r.informacion_general.periodo)).toEqual([
        'Enero',
        'Febrero',
        'Marzo',
        'Abril',
        'Mayo',
        'Junio',
        'Julio',
        'Agosto',
        'Septiembre',
        'Octubre',
        'Noviembre',
        'Diciembre',
      ])
      for (const r of items) {
        expectSpec('multiregion', 'TaxReturnPersonalMonthly', r)
        expect(r.type).toBe('monthly')
        expect(Number(r.informacion_general.fecha_presentacion.slice(8, 10))).toBeLessThanOrEqual(17)
      }
      const year = yearly.find((r) => r.informacion_general.ejercicio === 2024)!
      expect(items.reduce((sum, r) => sum + cents(r.isr.isr_a_cargo), 0)).toBe(cents(year.determinacion_impuesto.pagos_provisionales))
      expect(items.reduce((sum, r) => sum + cents(r.isr.ingresos_del_periodo), 0)).toBe(cents(year.servicios_profesionales.ingresos_del_ejercicio))
      expect(cents(items[11].isr.total_de_ingresos)).toBe(cents(year.servicios_profesionales.ingresos_del_ejercicio))
      // The VAT of a month: charged less withheld less paid is due, or in favor.
      for (const { iva } of items) {
        expect(cents(iva.impuesto_a_cargo) - cents(iva.saldo_a_favor)).toBe(cents(iva.iva_cobrado) - cents(iva.iva_retenido) - cents(iva.iva_acreditable))
      }
      // The month just ended (February 2026) is filed by March 17: on March 10 maybe, March 2026 not at all.
      const recent = await call('POST', '/api/tax-returns/', {
        link: link.id,
        type: 'monthly',
        date_from: '2026-01-01',
        date_to: '2026-03-10',
        save_data: false,
      })
      expect(recent.body.map((r: Json) => r.informacion_general.periodo)).not.toContain('Marzo')
      expect(recent.body.map((r: Json) => r.informacion_general.periodo)).toContain('Enero')
    })

    it("are a company's (TaxReturnBusinessMonthly): the estimated profit by last year's profit coefficient, at 30%", async () => {
      const { link, yearly } = await company()
      const items = await retrieveItems(h, 'tax-returns', { link: link.id, type: 'monthly', date_from: '2024-01-01', date_to: '2024-12-31' })
      expect(items).toHaveLength(12)
      const previous = yearly.find((r) => r.informacion_general.ejercicio === 2023)!
      for (const r of items) {
        expectSpec('multiregion', 'TaxReturnBusinessMonthly', r)
        const d = r.determinacion_isr
        expect(d.coeficiente_de_utilidad).toBe(previous.datos_adicionales.coeficiente_de_utilidad)
        expect(cents(d.utilidad_fiscal_estimada)).toBe(
          Math.floor((cents(d.ingresos_nominales_acumulados) * Math.round(d.coeficiente_de_utilidad * 10_000)) / 10_000),
        )
        expect(cents(d.isr_causado)).toBe(Math.round((cents(d.utilidad_fiscal_estimada) * 30) / 100))
      }
      const year = yearly.find((r) => r.informacion_general.ejercicio === 2024)!
      expect(items.reduce((sum, r) => sum + cents(r.detalle_pago_isr.cantidad_a_pagar), 0)).toBe(cents(year.determinacion.pagos_provisionales))
    })
  })

  describe('bad requests', () => {
    const cases: [string, Json, string, string][] = [
      ['year_from after year_to', { year_from: '2024', year_to: '2023' }, 'invalid', 'year_from'],
      ['a future year_to', { year_from: '2025', year_to: '2027' }, 'invalid', 'year_to'],
      ['more than five years', { year_from: '2019', year_to: '2024' }, 'invalid', 'year_from'],
      ['a year not in YYYY', { year_from: '24', year_to: '2024' }, 'invalid', 'year_from'],
      ['a yearly request without year_from', { year_to: '2024' }, 'required', 'year_from'],
      ['a yearly request without year_to', { type: 'yearly', year_from: '2024' }, 'required', 'year_to'],
      ['an unknown type', { type: 'weekly', year_from: '2024', year_to: '2024' }, 'invalid_choice', 'type'],
      ['a monthly request without date_from', { type: 'monthly', year_from: '2024', year_to: '2024' }, 'required', 'date_from'],
      ['a monthly date_to in the future', { type: 'monthly', date_from: '2026-01-01', date_to: '2026-04-01' }, 'invalid', 'date_to'],
      ['a monthly period of more than a year', { type: 'monthly', date_from: '2024-01-01', date_to: '2025-02-01' }, 'invalid', 'date_to'],
      ['a monthly period out of order', { type: 'monthly', date_from: '2025-02-01', date_to: '2025-01-01' }, 'invalid', 'date_from'],
    ]
    for (const [what, body, code, field] of cases) {
      it(`tax returns: ${what} is Belvo's 400 on ${field}, and nothing is stored`, async () => {
        const link = await createLink(h, { institution: SAT, persona: `${PERSON}/full` })
        expectError(await call('POST', '/api/tax-returns/', { link: link.id, ...body }), 400, code, field)
        expect(await count('/api/tax-returns/', link.id)).toBe(0)
      })
    }

    it('tax declarations: the same year rules, and nothing stored', async () => {
      const link = await createLink(h, { institution: SAT, persona: `${PERSON}/full` })
      expectError(await call('POST', '/api/tax-declarations/', { link: link.id, year_from: '2024', year_to: '2023' }), 400, 'invalid', 'year_from')
      expectError(await call('POST', '/api/tax-declarations/', { link: link.id, year_from: '2024', year_to: '2030' }), 400, 'invalid', 'year_to')
      expectError(await call('POST', '/api/tax-declarations/', { link: link.id, year_from: '2024' }), 400, 'required', 'year_to')
      expect(await count('/api/tax-declarations/', link.id)).toBe(0)
    })

    it('a bank link: unsupported_operation', async () => {
      const link = await createLink(h, { institution: 'erebor_mx_retail', persona: 'bnk100/full' })
      expectError(await call('POST', '/api/tax-returns/', { link: link.id, year_from: '2024', year_to: '2024' }), 400, 'unsupported_operation')
      expectError(await call('POST', '/api/financial-statements/', { link: link.id }), 400, 'unsupported_operation')
    })
  })

  describe('legacy tax declarations', () => {
    it("are the yearly returns' figures in the 1.35.0 shape, individual for a person and business for a company", async () => {
      for (const [persona, schema, shared_] of [
        [`${PERSON}/full`, 'TaxDeclarationIndividual', person],
        [`${COMPANY}/x`, 'TaxDeclarationBusiness', company],
      ] as const) {
        const { link, yearly } = await shared_()
        const items = await retrieveItems(h, 'tax-declarations', { link: link.id, year_from: '2021', year_to: '2025' })
        expect(persona).toBeTruthy()
        expect(items.map((d) => d.document_information.year)).toEqual(yearly.map((r) => r.informacion_general.ejercicio))
        for (const [i, d] of items.entries()) {
          expectSpec('multiregion', schema, d)
          const r = yearly[i]
          expect(d.document_information.form_number).toBe(r.informacion_general.numero_operacion)
          expect(d.date_issued).toBe(r.informacion_general.fecha_presentacion)
          if (schema === 'TaxDeclarationIndividual') {
            expect(d.annual_income_statement.gross_income.fee_based_income).toBe(r.servicios_profesionales.ingresos_del_ejercicio)
            expect(d.annual_income_statement.gross_income.earned_income).toBe(r.sueldos_salarios.ingresos_totales)
            expect(d.tax_assessment.total_tax_due).toBe(r.determinacion_impuesto.isr_conforme_tarifa_anual)
            expect(d.tax_assessment.balance_payable).toBe(r.determinacion_impuesto.isr_a_cargo)
          } else {
            expect(d.tax_payer_information.document_id).toEqual({ document_type: 'RFC', document_number: COMPANY })
            expect(d.annual_income_statement.total_net_income).toBe(r.determinacion_del_impuesto_sobre_la_renta.ingresos_acumulables)
            expect(d.tax_assessment.total_tax_due).toBe(r.determinacion_del_impuesto_sobre_la_renta.isr_causado)
          }
        }
        const filtered = await call('GET', `/api/tax-declarations/?link=${link.id}&year=2023`)
        expect(filtered.body.results.map((d: Json) => d.document_information.year)).toEqual([2023])
      }
    })
  })

  describe('financial statements', () => {
    it("are a company's balance sheet and income statement per filed year, agreeing with its returns", async () => {
      const { link, yearly } = await company()
      const items = await retrieveItems(h, 'financial-statements', { link: link.id })
      expect(items.map((s) => Number(s.year))).toEqual(yearly.map((r) => r.informacion_general.ejercicio))
      for (const [i, s] of items.entries()) {
        expectSpec('current', 'FinancialStatement', s)
        const d = yearly[i].determinacion_del_impuesto_sobre_la_renta
        const is = s.income_statement
        expect(is.net_revenue).toBe(d.ingresos_acumulables)
        expect(is.operating_expenses).toBe(d.deducciones_autorizadas)
        expect(is.income_taxes).toBe(d.isr_causado)
        const before = cents(is.income_before_taxes ?? 0) - cents(is.loss_before_taxes ?? 0)
        expect(before).toBe(cents(d.ingresos_acumulables) - cents(d.deducciones_autorizadas))
        expect(cents(is.net_income ?? 0) - cents(is.net_loss ?? 0)).toBe(before - cents(is.income_taxes))
        const b = s.balance_sheet
        const assets = cents(b.current_assets.total) + cents(b.non_current_assets.total)
        expect(assets).toBe(cents(b.current_liabilities.total) + cents(b.non_current_liabilities.total) + cents(b.equity.total))
        expect(b.current_liabilities.income_tax_payable).toBe(d.isr_a_cargo)
        expect(cents(b.equity.total)).toBe(cents(yearly[i].cifras_cierre_ejercicio.capital_contable))
      }
    })

    it("are a person's business statements for a persona (Belvo documents companies only), and none for a user without data", async () => {
      const { link, yearly } = await person()
      const items = await retrieveItems(h, 'financial-statements', { link: link.id })
      expect(items.map((s) => Number(s.year))).toEqual(yearly.map((r) => r.informacion_general.ejercicio))
      expect(items[0].income_statement.net_revenue).toBe(yearly[0].servicios_profesionales.ingresos_del_ejercicio)
      const empty = await createLink(h, { institution: SAT, persona: 'fiscal101/nodata' })
      expect(await retrieveItems(h, 'financial-statements', { link: empty.id })).toEqual([])
      expect(await retrieveItems(h, 'tax-returns', { link: empty.id, year_from: '2021', year_to: '2025' })).toEqual([])
    })
  })

  describe('attach_pdf', () => {
    const poppler = popplerAvailable()

    it("gives each return as a PDF (base64) that opens, shows the JSON's values and is the same bytes every time, and its receipt", async () => {
      const { link } = await person()
      const body = { link: link.id, year_from: '2024', year_to: '2024', attach_pdf: true, save_data: false }
      const [first] = (await call('POST', '/api/tax-returns/', body)).body
      const [second] = (await call('POST', '/api/tax-returns/', body)).body
      expect(typeof first.pdf).toBe('string')
      expect(second.pdf).toBe(first.pdf)
      expect(second.receipt_pdf).toBe(first.receipt_pdf)
      expect((await parsePdf(first.receipt_pdf)).pages).toBe(1)
      const { bytes, pages } = await parsePdf(first.pdf)
      expect(pages).toBeGreaterThan(0)
      if (!poppler) return
      const { width } = await renderFirstPage(bytes)
      expect(width).toBeGreaterThan(0)
      const text = await pdfText(bytes)
      const g = first.informacion_general
      const d = first.determinacion_impuesto
      for (const value of [
        g.rfc,
        `${g.nombre} ${g.apellido_paterno} ${g.apellido_materno}`,
        String(g.ejercicio),
        g.numero_operacion,
        g.fecha_y_hora_presentacion,
        money(first.servicios_profesionales.ingresos_del_ejercicio),
        money(first.servicios_profesionales.deducciones_autorizadas),
        money(d.base_gravable),
        money(d.isr_conforme_tarifa_anual),
        money(d.isr_a_cargo),
        money(d.isr_a_favor),
      ]) {
        expect(text, value).toContain(value)
      }
      // The receipt: the operation and what is to pay.
      const receipt = await pdfText((await parsePdf(first.receipt_pdf)).bytes)
      for (const value of ['Acuse de recibo', g.rfc, g.numero_operacion, g.fecha_y_hora_presentacion, `Total a pagar ${money(d.isr_a_cargo)}`]) {
        expect(receipt, value).toContain(value)
      }
    })

    it("prints a company's monthly payment and a legacy declaration's acknowledgement with their own figures", async () => {
      const { link } = await company()
      const [month] = (
        await call('POST', '/api/tax-returns/', { link: link.id, type: 'monthly', date_from: '2024-05-01', date_to: '2024-05-31', attach_pdf: true })
      ).body
      const [declaration] = (await call('POST', '/api/tax-declarations/', { link: link.id, year_from: '2024', year_to: '2024', attach_pdf: true })).body
      expect((await parsePdf(declaration.pdf)).pages).toBeGreaterThan(0)
      // The stored item keeps its PDF: the detail answers the same.
      expect((await call('GET', `/api/tax-returns/${month.id}/`)).body.pdf).toBe(month.pdf)
      if (!poppler) return
      const text = await pdfText((await parsePdf(month.pdf)).bytes)
      for (const value of [
        COMPANY,
        'Mayo',
        '2024',
        money(month.determinacion_isr.ingresos_nominales_acumulados),
        money(month.determinacion_isr.isr_causado),
        money(month.detalle_pago_iva.impuesto_a_cargo),
      ]) {
        expect(text, value).toContain(value)
      }
      expect(await pdfText((await parsePdf(declaration.pdf)).bytes)).toContain(money(declaration.tax_assessment.total_tax_due))
    })
  })

  it('are fetched by historical updates of the fetch_resources, one webhook each: the yearly returns of the years the window reaches', async () => {
    const receiver = await h.receiveWebhooks('Bearer sat')
    await h.startWorker()
    const link = (
      await call('POST', '/api/links/', {
        institution: SAT,
        username: PERSON,
        password: 'full',
        fetch_resources: ['TAX_RETURNS', 'TAX_DECLARATIONS', 'FINANCIAL_STATEMENTS'],
      })
    ).body
    const forLink = () => receiver.received.map((r) => r.body).filter((b) => b.link_id === link.id)
    await receiver.waitFor(() => forLink().length >= 3)
    const hooks = forLink()
    expect(hooks.map((b) => b.webhook_type).sort()).toEqual(['FINANCIAL_STATEMENTS', 'TAX_DECLARATIONS', 'TAX_RETURNS'])
    const returns = (await call('GET', `/api/tax-returns/?link=${link.id}`)).body
    expect(returns.results.map((r: Json) => r.informacion_general.ejercicio).sort()).toEqual([2022, 2023, 2024])
    expect(hooks.find((b) => b.webhook_type === 'TAX_RETURNS')!.data).toEqual({ total_tax_returns: returns.count })
    expect(hooks.find((b) => b.webhook_type === 'TAX_DECLARATIONS')!.data).toEqual({ total_tax_declarations: 3 })
    expect(await count('/api/financial-statements/', link.id)).toBeGreaterThan(0)
  })

  it('asks for a token at heimdall_mx_fiscal, and resumes with it', async () => {
    const link = await createLink(h, { institution: 'heimdall_mx_fiscal' })
    const asked = expectError(await call('POST', '/api/tax-returns/', { link: link.id, year_from: '2023', year_to: '2024' }), 428, 'token_required')
    const resumed = await call('PATCH', '/api/tax-returns/', { session: asked.session, token: '111111', link: link.id })
    expect(resumed.status).toBe(201)
    expect(resumed.body.map((r: Json) => r.informacion_general.ejercicio)).toEqual([2023, 2024])
    const withToken = await call('POST', '/api/tax-returns/', { link: link.id, year_from: '2023', year_to: '2024', token: '111111', save_data: false })
    expect(withToken.status).toBe(200)
  })
})

describe('the official SDK against Ponte: taxReturns and taxDeclarations', () => {
  let h: Harness
  let client: BelvoClient
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set(`${TODAY}T15:00:00Z`)
    client = await connectedClient(h)
  })
  afterAll(async () => h.close())

  it('retrieves yearly returns (without a type, as the SDK sends them), monthly ones, and declarations; lists, details and deletes them', async () => {
    const link = await createLink(h, { institution: SAT, persona: `${PERSON}/full` })
    const returns = client.taxReturns as BelvoClient['accounts']
    const yearly = await returns.retrieve(link.id, '2023', '2024')
    expect(yearly.map((r: Json) => r.informacion_general.ejercicio)).toEqual([2023, 2024])
    const monthly = await returns.retrieve(link.id, '2024-01-01', '2024-03-31', { type: 'monthly', attachPDF: true })
    expect(monthly.map((r: Json) => r.informacion_general.periodo)).toEqual(['Enero', 'Febrero', 'Marzo'])
    expect(typeof monthly[0].pdf).toBe('string')
    const listed = await returns.list({ filters: { link: link.id } })
    expect(listed).toHaveLength(5)
    expect(await returns.detail(yearly[0].id)).toEqual(yearly[0])
    await returns.delete(yearly[0].id)
    expect(await returns.list({ filters: { link: link.id } })).toHaveLength(4)

    const declarations = client.taxDeclarations as BelvoClient['accounts']
    const items = await declarations.retrieve(link.id, '2023', '2024', { saveData: false })
    expect(items.map((d: Json) => d.document_information.year)).toEqual([2023, 2024])
    expect(items[1].tax_assessment.total_tax_due).toBe(yearly[1].determinacion_impuesto.isr_conforme_tarifa_anual)
  })
})
