import type { InstitutionRecord, Period } from '../../types.ts'
import { formatDay, parseDay, yearMonthOf } from '../calendar.ts'
import { buildPdf, type PdfBlock } from '../pdf.ts'
import type { World } from '../world.ts'
import { MEXICO_UTC_OFFSET, mexicoTaxpayer, REGIMES, type MexicoTaxpayer } from './mexico-taxpayer.ts'
import {
  filedMonths,
  filedYears,
  filingStamp,
  financialPosition,
  MONTH_NAMES,
  pesos,
  type Filing,
  type MonthFigures,
  type YearFigures,
} from './mexico-tax-figures.ts'

/**
 * The SAT's tax returns of the link's taxpayer (Belvo's `/api/tax-returns/`): the yearly returns
 * (declaración anual) of the years asked for, or the monthly provisional payments (ISR and VAT) of
 * the months asked for, each as it was filed. A person (the fiscal personas, a 13-character RFC)
 * files `TaxReturnPersonal` and `TaxReturnPersonalMonthly`; a company (a 12-character RFC)
 * `TaxReturnBusiness` and `TaxReturnBusinessMonthly`. Belvo's schemas leave the sections' contents
 * open (objects of the SAT's own Spanish names); the figures are those of mexico-tax-figures.ts.
 *
 * A return exists once it is filed: a year's by March 31 (companies) or April 30 (persons) of the
 * next year, a month's by the 17th of the next month. With `attach_pdf`, `pdf` carries the
 * return as the SAT prints it and `receipt_pdf` its acknowledgement of receipt (acuse de recibo:
 * who filed, when, the operation number and the amount to pay), both base64 and built from the
 * same figures; without it both are null, as Belvo's schemas allow.
 */

/** What a tax returns retrieve asks for (the body's type and its years or its period). */
export type TaxReturnRequest =
  { type: 'yearly'; yearFrom: number; yearTo: number; attachPdf: boolean } | { type: 'monthly'; period: Period; attachPdf: boolean }

/** Belvo's `pdf` and `receipt_pdf` are the documents' bytes in base64. */
async function base64Pdf(title: string, taxpayer: MexicoTaxpayer, filing: Filing, blocks: PdfBlock[], chain?: string): Promise<string> {
  const bytes = await buildPdf({
    title,
    issuer: ['SERVICIO DE ADMINISTRACIÓN TRIBUTARIA', 'Declaraciones y Pagos'],
    chain,
    subject: `${title} ${taxpayer.rfc}`,
    keywords: [taxpayer.rfc, filing.operationNumber],
    issuedAt: `${formatDay(filing.day)}T${filingStamp(filing).slice(11)}${MEXICO_UTC_OFFSET}`,
    folio: `Número de operación: ${filing.operationNumber}`,
    blocks,
  })
  return Buffer.from(bytes).toString('base64')
}

/** An amount as the SAT's acknowledgement prints it: `$1,234,567.89`, a negative with a leading minus. */
export function money(cents: number): string {
  const sign = cents < 0 ? '-' : ''
  const abs = Math.abs(cents)
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}$${whole}.${String(abs % 100).padStart(2, '0')}`
}

function identification(taxpayer: MexicoTaxpayer) {
  return taxpayer.kind === 'PERSONAL'
    ? {
        rfc: taxpayer.rfc,
        curp: taxpayer.curp,
        nombre: taxpayer.firstName,
        apellido_paterno: taxpayer.lastName,
        apellido_materno: taxpayer.secondLastName,
      }
    : { rfc: taxpayer.rfc, razon_social: taxpayer.legalForm ? `${taxpayer.name} ${taxpayer.legalForm}` : taxpayer.name }
}

function displayName(taxpayer: MexicoTaxpayer): string {
  return taxpayer.kind === 'BUSINESS' && taxpayer.legalForm ? `${taxpayer.name} ${taxpayer.legalForm}` : taxpayer.name
}

function filingFields(filing: Filing) {
  return {
    tipo_declaracion: 'Normal',
    numero_operacion: filing.operationNumber,
    fecha_presentacion: formatDay(filing.day),
    fecha_y_hora_presentacion: filingStamp(filing),
    medio_presentacion: 'Internet',
  }
}

/** What a receipt says about the return it acknowledges. */
interface Receipt {
  taxpayer: MexicoTaxpayer
  filing: Filing
  year: number
  period: string
  /** The amounts to pay, by concept (none when nothing is due). */
  payments: [concept: string, cents: number][]
}

/**
 * The acknowledgement of receipt (acuse de recibo): the return's identification, the amount to
 * pay by concept and in total, and the seal's original chain over the same data.
 */
function receiptPdf({ taxpayer, filing, year, period, payments }: Receipt): Promise<string> {
  const total = payments.reduce((sum, [, cents]) => sum + cents, 0)
  return base64Pdf(
    'Acuse de recibo',
    taxpayer,
    filing,
    [
      { kind: 'heading', text: 'Datos de la declaración' },
      {
        kind: 'fields',
        rows: [
          ['RFC', taxpayer.rfc],
          [taxpayer.kind === 'BUSINESS' ? 'Denominación o razón social' : 'Nombre', displayName(taxpayer)],
          ['Ejercicio', String(year)],
          ['Periodo', period],
          ['Tipo de declaración', 'Normal'],
          ['Fecha y hora de presentación', filingStamp(filing)],
          ['Número de operación', filing.operationNumber],
        ],
      },
      { kind: 'heading', text: 'Importe a pagar' },
      {
        kind: 'table',
        columns: [
          { header: 'Concepto', width: 3 },
          { header: 'Importe', width: 1, align: 'right' },
        ],
        rows: [...payments.map(([concept, cents]) => [concept, money(cents)]), ['Total a pagar', money(total)]],
      },
    ],
    `||${filing.operationNumber}|${taxpayer.rfc}|${year}|${period}|${filingStamp(filing)}|${(total / 100).toFixed(2)}||`,
  )
}

// Yearly returns.

/** A person's yearly return (TaxReturnPersonal): salary, professional activity, deductions and the year's ISR. */
function personalYearly(taxpayer: MexicoTaxpayer, f: YearFigures) {
  const employer = taxpayer.employer
  return {
    informacion_general: {
      ejercicio: f.year,
      periodo: 'Del Ejercicio',
      ...filingFields(f.filing),
      ...identification(taxpayer),
      regimenes: taxpayer.regimes.map((r) => `${r.code} ${r.description}`),
    },
    sueldos_salarios:
      f.salary > 0 && employer
        ? {
            rfc_patron: employer.rfc,
            nombre_patron: employer.name,
            ingresos_totales: pesos(f.salary),
            ingresos_exentos: 0,
            ingresos_gravados: pesos(f.salary),
            impuesto_retenido: pesos(f.salaryIsr),
            subsidio_para_el_empleo: 0,
          }
        : null,
    servicios_profesionales:
      f.income > 0 || f.deductions > 0
        ? {
            regimen: `612 ${REGIMES['612']}`,
            ingresos_del_ejercicio: pesos(f.income),
            ingresos_exentos: 0,
            deducciones_autorizadas: pesos(f.deductions),
            utilidad_fiscal: pesos(f.profit),
            perdida_fiscal: pesos(f.loss),
            isr_retenido: pesos(f.totals.withheldIsrCents),
            pagos_provisionales: pesos(f.provisionalPayments),
          }
        : null,
    deducciones_personales: {
      honorarios_medicos_dentales_hospitalarios: 0,
      gastos_funerales: 0,
      donativos: 0,
      intereses_reales_creditos_hipotecarios: 0,
      aportaciones_complementarias_retiro: 0,
      primas_seguros_gastos_medicos: 0,
      transportacion_escolar: 0,
      colegiaturas: 0,
      total: 0,
    },
    determinacion_impuesto: {
      total_ingresos_acumulables: pesos(f.salary + f.profit),
      deducciones_personales: 0,
      base_gravable: pesos(f.taxableBase),
      isr_conforme_tarifa_anual: pesos(f.isrCaused),
      isr_retenido: pesos(f.withheldIsr),
      pagos_provisionales: pesos(f.provisionalPayments),
      isr_a_cargo: pesos(f.isrDue),
      isr_a_favor: pesos(f.isrInFavor),
    },
    retenciones: {
      isr_retenido_sueldos_salarios: pesos(f.salaryIsr),
      isr_retenido_servicios_profesionales: pesos(f.totals.withheldIsrCents),
      iva_retenido: pesos(f.totals.withheldVatCents),
      total_isr_retenido: pesos(f.withheldIsr),
    },
    // No dividends: the taxpayer holds no shares.
    dividendos: null,
    datos_informativos: null,
  }
}

/** A company's yearly return (TaxReturnBusiness): its result, its deductions, and the ISR at 30%. */
function businessYearly(world: World, taxpayer: MexicoTaxpayer, f: YearFigures) {
  const position = financialPosition(world, taxpayer, f.year)
  const profitBeforeTaxes = f.income - f.deductions
  const ownResult =
    profitBeforeTaxes >= 0
      ? { utilidad_neta: pesos(profitBeforeTaxes - f.isrCaused), perdida_neta: 0 }
      : { utilidad_neta: 0, perdida_neta: pesos(-profitBeforeTaxes) }
  // From the 2022 return on, the SAT takes the financial statements apart (Belvo: these three are null, `ingressos` and `determinacion` come instead).
  const since2022 = f.year >= 2022
  const determination = {
    ingresos_acumulables: pesos(f.income),
    deducciones_autorizadas: pesos(f.deductions),
    utilidad_fiscal: pesos(f.profit),
    perdida_fiscal: pesos(f.loss),
    ptu_pagada: 0,
    perdidas_fiscales_ejercicios_anteriores: 0,
    resultado_fiscal: pesos(f.taxableBase),
    tasa: 30,
    isr_causado: pesos(f.isrCaused),
    pagos_provisionales: pesos(f.provisionalPayments),
    isr_a_cargo: pesos(f.isrDue),
    isr_a_favor: pesos(f.isrInFavor),
  }
  return {
    informacion_general: {
      ejercicio: f.year,
      periodo: 'Del Ejercicio',
      ...filingFields(f.filing),
      ...identification(taxpayer),
      regimen: `601 ${REGIMES['601']}`,
    },
    datos_adicionales: {
      coeficiente_de_utilidad: f.nextCoefficient / 10_000,
      actividad_preponderante: taxpayer.activities[0]?.description ?? null,
      sin_operaciones: f.income === 0 && f.deductions === 0,
    },
    estado_resultados: since2022
      ? null
      : {
          ventas_y_servicios_netos: pesos(f.income),
          costo_de_ventas: 0,
          utilidad_bruta: pesos(f.income),
          gastos_de_operacion: pesos(f.deductions),
          utilidad_de_operacion: pesos(profitBeforeTaxes),
          resultado_integral_de_financiamiento: 0,
          utilidad_antes_de_impuestos: pesos(profitBeforeTaxes),
          isr: pesos(f.isrCaused),
          ...ownResult,
        },
    estado_posicion_financiera_balance: since2022
      ? null
      : {
          activo: {
            efectivo_y_equivalentes: pesos(position.cash),
            cuentas_por_cobrar: pesos(position.receivables),
            impuestos_a_favor: pesos(position.taxRecoverable),
            terrenos: pesos(position.land),
            total_activo: pesos(position.assets),
          },
          pasivo: {
            prestamos_bancarios: pesos(position.bankLoans),
            impuestos_por_pagar: pesos(position.incomeTaxPayable + position.taxesPayable),
            total_pasivo: pesos(position.liabilities),
          },
          capital_contable: {
            capital_social: pesos(position.capital),
            resultados_acumulados: pesos(position.retainedEarnings),
            total_capital_contable: pesos(position.equity),
          },
        },
    conciliacion_entre_resultado_contable_fiscal: since2022
      ? null
      : {
          utilidad_o_perdida_contable: pesos(profitBeforeTaxes - f.isrCaused),
          isr_no_deducible: pesos(f.isrCaused),
          ingresos_fiscales_no_contables: 0,
          deducciones_contables_no_fiscales: 0,
          deducciones_fiscales_no_contables: 0,
          ingresos_contables_no_fiscales: 0,
          utilidad_o_perdida_fiscal: pesos(profitBeforeTaxes),
        },
    deducciones_autorizadas: {
      compras_y_gastos: pesos(f.deductions),
      costo_de_lo_vendido: 0,
      deduccion_de_inversiones: 0,
      total: pesos(f.deductions),
    },
    cifras_cierre_ejercicio: {
      total_activo: pesos(position.assets),
      total_pasivo: pesos(position.liabilities),
      capital_contable: pesos(position.equity),
      capital_social: pesos(position.capital),
      utilidad_o_perdida_neta: pesos(position.netIncome),
    },
    determinacion_del_impuesto_sobre_la_renta: determination,
    // The company distributed no dividends.
    dividendos_o_utilidades_distribuidos: null,
    detalle_pago_r1_isr_personas_morales: {
      impuesto_a_cargo: pesos(f.isrDue),
      parte_actualizada: 0,
      recargos: 0,
      total_de_contribuciones: pesos(f.isrDue),
      cantidad_a_pagar: pesos(f.isrDue),
      saldo_a_favor: pesos(f.isrInFavor),
    },
    ingressos: since2022 ? { ingresos_nominales: pesos(f.income), ingresos_facturados: pesos(f.income), otros_ingresos: 0, total: pesos(f.income) } : null,
    determinacion: since2022 ? determination : null,
  }
}

/** The acknowledgement of a yearly return: who filed, when, and the figures of its determination. */
function yearlyPdf(taxpayer: MexicoTaxpayer, f: YearFigures): Promise<string> {
  const business = taxpayer.kind === 'BUSINESS'
  const rows: [string, string][] = business
    ? [
        ['Ingresos acumulables', money(f.income)],
        ['Deducciones autorizadas', money(f.deductions)],
        ['Utilidad fiscal', money(f.profit)],
        ['Pérdida fiscal', money(f.loss)],
        ['Resultado fiscal (base gravable)', money(f.taxableBase)],
        ['ISR causado', money(f.isrCaused)],
        ['Pagos provisionales', money(f.provisionalPayments)],
        ['ISR a cargo', money(f.isrDue)],
        ['ISR a favor', money(f.isrInFavor)],
      ]
    : [
        ['Ingresos por sueldos y salarios', money(f.salary)],
        ['Ingresos por actividad profesional', money(f.income)],
        ['Deducciones autorizadas', money(f.deductions)],
        ['Utilidad fiscal', money(f.profit)],
        ['Base gravable', money(f.taxableBase)],
        ['ISR conforme a la tarifa anual', money(f.isrCaused)],
        ['ISR retenido', money(f.withheldIsr)],
        ['Pagos provisionales', money(f.provisionalPayments)],
        ['ISR a cargo', money(f.isrDue)],
        ['ISR a favor', money(f.isrInFavor)],
      ]
  return base64Pdf(business ? 'Declaración anual personas morales' : 'Declaración anual personas físicas', taxpayer, f.filing, [
    { kind: 'heading', text: 'Datos del contribuyente' },
    {
      kind: 'fields',
      rows: [
        ['RFC', taxpayer.rfc],
        [business ? 'Denominación o razón social' : 'Nombre', displayName(taxpayer)],
        ['Ejercicio', String(f.year)],
        ['Periodo', 'Del Ejercicio'],
        ['Tipo de declaración', 'Normal'],
        ['Fecha y hora de presentación', filingStamp(f.filing)],
        ['Número de operación', f.filing.operationNumber],
      ],
    },
    { kind: 'heading', text: 'Determinación del impuesto sobre la renta' },
    { kind: 'fields', rows },
  ])
}

// Monthly returns (provisional payments).

function monthlyHeader(taxpayer: MexicoTaxpayer, m: MonthFigures) {
  return {
    ejercicio: m.year,
    periodo: MONTH_NAMES[m.month - 1],
    periodicidad: 'Mensual',
    ...filingFields(m.filing),
    ...identification(taxpayer),
  }
}

function vatSection(m: MonthFigures) {
  return {
    actividades_gravadas_tasa_16: pesos(m.totals.salesCents),
    actividades_gravadas_tasa_0: 0,
    actividades_exentas: 0,
    iva_cobrado: pesos(m.vatCharged),
    iva_acreditable: pesos(m.vatPaid),
    iva_retenido: pesos(m.vatWithheld),
    impuesto_a_cargo: pesos(m.vatDue),
    saldo_a_favor: pesos(m.vatInFavor),
  }
}

/** A person's provisional payment (TaxReturnPersonalMonthly): business activity, LISR art. 106. */
function personalMonthly(taxpayer: MexicoTaxpayer, m: MonthFigures) {
  return {
    type: 'monthly',
    informacion_general: { ...monthlyHeader(taxpayer, m), regimen: `612 ${REGIMES['612']}` },
    isr: {
      ingresos_del_periodo: pesos(m.totals.salesCents),
      ingresos_de_periodos_anteriores: pesos(m.cumulativeIncome - m.totals.salesCents),
      total_de_ingresos: pesos(m.cumulativeIncome),
      deducciones_del_periodo: pesos(m.totals.purchasesCents),
      deducciones_de_periodos_anteriores: pesos(m.cumulativeDeductions - m.totals.purchasesCents),
      total_de_deducciones: pesos(m.cumulativeDeductions),
      base_gravable: pesos(m.taxableBase),
      isr_causado: pesos(m.isrCaused),
      pagos_provisionales_anteriores: pesos(m.previousPayments),
      isr_retenido: pesos(m.cumulativeWithheldIsr),
      isr_a_cargo: pesos(m.isrDue),
    },
    iva: vatSection(m),
  }
}

/** A company's provisional payment (TaxReturnBusinessMonthly): the estimated profit by last year's coefficient, LISR art. 14. */
function businessMonthly(taxpayer: MexicoTaxpayer, m: MonthFigures) {
  return {
    type: 'monthly',
    informacion_general: { ...monthlyHeader(taxpayer, m), regimen: `601 ${REGIMES['601']}` },
    determinacion_isr: {
      ingresos_nominales_del_periodo: pesos(m.totals.salesCents),
      ingresos_nominales_acumulados: pesos(m.cumulativeIncome),
      coeficiente_de_utilidad: m.coefficient / 10_000,
      utilidad_fiscal_estimada: pesos(m.taxableBase),
      base_gravable: pesos(m.taxableBase),
      tasa: 30,
      isr_causado: pesos(m.isrCaused),
      pagos_provisionales_anteriores: pesos(m.previousPayments),
      isr_a_cargo: pesos(m.isrDue),
    },
    detalle_pago_isr: {
      impuesto_a_cargo: pesos(m.isrDue),
      parte_actualizada: 0,
      recargos: 0,
      total_de_contribuciones: pesos(m.isrDue),
      cantidad_a_pagar: pesos(m.isrDue),
    },
    determinacion_iva: vatSection(m),
    detalle_pago_iva: {
      impuesto_a_cargo: pesos(m.vatDue),
      saldo_a_favor: pesos(m.vatInFavor),
      parte_actualizada: 0,
      recargos: 0,
      cantidad_a_pagar: pesos(m.vatDue),
    },
  }
}

function monthlyPdf(taxpayer: MexicoTaxpayer, m: MonthFigures): Promise<string> {
  const business = taxpayer.kind === 'BUSINESS'
  return base64Pdf('Pago provisional mensual', taxpayer, m.filing, [
    { kind: 'heading', text: 'Datos del contribuyente' },
    {
      kind: 'fields',
      rows: [
        ['RFC', taxpayer.rfc],
        [business ? 'Denominación o razón social' : 'Nombre', displayName(taxpayer)],
        ['Ejercicio', String(m.year)],
        ['Periodo', MONTH_NAMES[m.month - 1]],
        ['Tipo de declaración', 'Normal'],
        ['Fecha y hora de presentación', filingStamp(m.filing)],
        ['Número de operación', m.filing.operationNumber],
      ],
    },
    { kind: 'heading', text: 'Impuesto sobre la renta' },
    {
      kind: 'fields',
      rows: [
        ['Ingresos del periodo', money(m.totals.salesCents)],
        ['Total de ingresos acumulados', money(m.cumulativeIncome)],
        ...(business ? [] : ([['Total de deducciones acumuladas', money(m.cumulativeDeductions)]] as [string, string][])),
        ['Base gravable', money(m.taxableBase)],
        ['ISR causado', money(m.isrCaused)],
        ['Pagos provisionales anteriores', money(m.previousPayments)],
        ...(business ? [] : ([['ISR retenido', money(m.cumulativeWithheldIsr)]] as [string, string][])),
        ['ISR a cargo', money(m.isrDue)],
      ],
    },
    { kind: 'heading', text: 'Impuesto al valor agregado' },
    {
      kind: 'fields',
      rows: [
        ['IVA cobrado', money(m.vatCharged)],
        ['IVA acreditable', money(m.vatPaid)],
        ['IVA retenido', money(m.vatWithheld)],
        ['IVA a cargo', money(m.vatDue)],
        ['Saldo a favor', money(m.vatInFavor)],
      ],
    },
  ])
}

/** The link's tax returns the request asks for, oldest first. */
export function taxReturnRecords(world: World, request: TaxReturnRequest): InstitutionRecord[] | AsyncIterable<InstitutionRecord[]> {
  const taxpayer = mexicoTaxpayer(world)
  const business = taxpayer.kind === 'BUSINESS'
  const entries: { record: InstitutionRecord; pdf: () => Promise<string>; receipt: () => Promise<string> }[] = []
  if (request.type === 'yearly') {
    for (const f of filedYears(world, taxpayer, request.yearFrom, request.yearTo)) {
      const body = business ? businessYearly(world, taxpayer, f) : personalYearly(taxpayer, f)
      entries.push({
        record: { internal_identification: `declaracion-anual/${taxpayer.rfc}/${f.year}`, ...body, pdf: null, receipt_pdf: null },
        pdf: () => yearlyPdf(taxpayer, f),
        receipt: () => receiptPdf({ taxpayer, filing: f.filing, year: f.year, period: 'Del Ejercicio', payments: [['ISR', f.isrDue]] }),
      })
    }
  } else {
    const from = yearMonthOf(parseDay(request.period.dateFrom))
    const to = yearMonthOf(parseDay(request.period.dateTo))
    for (const m of filedMonths(world, taxpayer, from, to)) {
      const body = business ? businessMonthly(taxpayer, m) : personalMonthly(taxpayer, m)
      entries.push({
        record: {
          internal_identification: `pago-provisional/${taxpayer.rfc}/${m.year}-${String(m.month).padStart(2, '0')}`,
          ...body,
          pdf: null,
          receipt_pdf: null,
        },
        pdf: () => monthlyPdf(taxpayer, m),
        receipt: () =>
          receiptPdf({
            taxpayer,
            filing: m.filing,
            year: m.year,
            period: MONTH_NAMES[m.month - 1],
            payments: [
              [business ? 'ISR personas morales' : 'ISR por actividades empresariales y profesionales', m.isrDue],
              ['IVA', m.vatDue],
            ],
          }),
      })
    }
  }
  if (!request.attachPdf || entries.length === 0) return entries.map((e) => e.record)
  return (async function* () {
    const records: InstitutionRecord[] = []
    for (const entry of entries) records.push({ ...entry.record, pdf: await entry.pdf(), receipt_pdf: await entry.receipt() })
    yield records
  })()
}
