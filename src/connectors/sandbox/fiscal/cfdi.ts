import { nodeToXmlString, XmlNode } from '@nodecfdi/cfdi-core'
import type { XmlNodeInterface } from '@nodecfdi/cfdi-core/types'
import { Comprobante } from '@nodecfdi/cfdi-elements/cfdi40'
import { Pagos } from '@nodecfdi/cfdi-elements/pago20'
import { TimbreFiscalDigital } from '@nodecfdi/cfdi-elements/tfd11'
import { formatDay, formatTime, type Day } from '../calendar.ts'
import { hashDigits, sha256Bytes } from '../random.ts'
import { MEXICO_UTC_OFFSET } from './mexico-taxpayer.ts'

/**
 * The SAT's XML documents of the sandbox: CFDI 4.0 invoices (with their nómina 1.2 or pagos 2.0
 * complement) and CFDI de retenciones 2.0, each stamped with a TimbreFiscalDigital 1.1. Built as
 * element trees with @nodecfdi's CFDI elements (cfdi-elements for CFDI 4.0, pagos and the stamp;
 * cfdi-core's generic XmlNode for nómina and retenciones, which cfdi-elements does not model)
 * and serialized by cfdi-core, never by string templates, so escaping and the children's order
 * are the library's.
 *
 * Callers pass the document's values (the same values their JSON shows); this module only adds
 * what a stamped CFDI carries besides: the issuer's seal and certificate and the PAC's stamp.
 * Those are deterministic placeholders derived by hashing the document's key: they are NOT real
 * signatures and no SAT validator accepts them. The same key gives byte-identical XML.
 */

/** Amounts in centavos as a CFDI writes them: two decimals, computed from integers (no float rounding). */
export function decimal(cents: number): string {
  const sign = cents < 0 ? '-' : ''
  const abs = Math.abs(cents)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** A CFDI date-time: Mexico City local time without a zone, as Fecha and FechaTimbrado are written. */
export function cfdiDateTime(day: Day, second: number): string {
  return `${formatDay(day + Math.floor(second / 86_400))}T${formatTime(second % 86_400)}`
}

/** An instant of Mexico City's local time (UTC-6 all year since 2022) as an ISO-8601 UTC timestamp, as Belvo writes them. */
export function mexicoInstant(day: Day, second: number): string {
  const offsetSeconds = -Number(MEXICO_UTC_OFFSET.slice(0, 3)) * 3600
  return `${cfdiDateTime(day, second + offsetSeconds)}.000Z`
}

/** The SAT, as the PAC of its own free stamping service ("servicio gratuito de generación de facturas"). */
export const SAT_PAC_RFC = 'SAT970701NN3'

/** SAT catalog rates as TasaOCuota writes them (six decimals). */
export const RATE = { vat: '0.160000', isr: '0.100000', withheldVat: '0.106667' } as const

/** Bytes derived from a key, as many as asked for (chained SHA-256 blocks). */
function hashBytes(key: string, length: number): Buffer {
  const blocks: Buffer[] = []
  for (let i = 0; blocks.length * 32 < length; i++) blocks.push(sha256Bytes(`${key}#${i}`))
  return Buffer.concat(blocks).subarray(0, length)
}

/** A stamp's and a seal's values: placeholders derived from `key` (see the module comment). */
export interface Stamp {
  uuid: string
  /** Seconds after the document's own time when the PAC stamped it. */
  delaySeconds: number
  /** The issuer's seal (Sello) and certificate number and certificate (base64 placeholders). */
  seal: string
  certificateNumber: string
  certificate: string
  satSeal: string
  satCertificateNumber: string
}

export function stampFor(key: string, uuid: string): Stamp {
  return {
    uuid,
    delaySeconds: 20 + (sha256Bytes(`${key}|delay`).readUInt16LE(0) % 600),
    // An RSA-2048 seal is 256 bytes; a CSD certificate about 1.2 KB (shorter here: a placeholder).
    seal: hashBytes(`${key}|seal`, 256).toString('base64'),
    certificateNumber: `3000100000050${hashDigits(`${key}|cert`, 7)}`,
    certificate: hashBytes(`${key}|certificate`, 192).toString('base64'),
    satSeal: hashBytes(`${key}|sat-seal`, 256).toString('base64'),
    satCertificateNumber: `00001000000${hashDigits(`${key}|sat-cert`, 9)}`,
  }
}

function timbre(stamp: Stamp, day: Day, second: number): TimbreFiscalDigital {
  return new TimbreFiscalDigital({
    UUID: stamp.uuid,
    FechaTimbrado: cfdiDateTime(day, second + stamp.delaySeconds),
    RfcProvCertif: SAT_PAC_RFC,
    SelloCFD: stamp.seal,
    NoCertificadoSAT: stamp.satCertificateNumber,
    SelloSAT: stamp.satSeal,
  })
}

export interface CfdiParty {
  rfc: string
  name: string
  regime: string
  zipCode: string
}

export interface CfdiConcept {
  productCode: string
  quantity: number
  unitCode: string
  unit: string
  description: string
  unitPriceCents: number
  discountCents: number
  /** c_ObjetoImp: 01 not subject to taxes (payroll, payments), 02 subject. */
  taxObject: '01' | '02'
  /** Per concept taxes, over the concept's amount less its discount; absent for taxObject 01. */
  vatCents: number
  withheldIsrCents: number
  withheldVatCents: number
}

export interface CfdiInvoice {
  /** What the placeholders derive from (see the module comment). */
  key: string
  uuid: string
  series: string
  folio: string
  day: Day
  second: number
  voucherType: 'I' | 'N' | 'P'
  /** c_FormaPago and c_MetodoPago; null where CFDI 4.0 forbids them (nómina's FormaPago, payments). */
  paymentForm: string | null
  paymentMethod: 'PUE' | 'PPD' | null
  currency: 'MXN' | 'XXX'
  issuer: CfdiParty
  receiver: CfdiParty & { usage: string }
  subtotalCents: number
  discountCents: number
  totalCents: number
  concepts: CfdiConcept[]
  /** Complements before the stamp (nómina, pagos), and the schema locations they add to the root. */
  complements: { node: XmlNodeInterface; schemaLocation?: string }[]
}

const CFDI_SCHEMA = 'http://www.sat.gob.mx/cfd/4 http://www.sat.gob.mx/sitio_internet/cfd/4/cfdv40.xsd'

/** A stamped CFDI 4.0 as XML (UTF-8, with its declaration). */
export function invoiceXml(doc: CfdiInvoice): string {
  const stamp = stampFor(doc.key, doc.uuid)
  const taxed = doc.concepts.filter((c) => c.taxObject === '02')
  const vat = taxed.reduce((sum, c) => sum + c.vatCents, 0)
  const isr = taxed.reduce((sum, c) => sum + c.withheldIsrCents, 0)
  const withheldVat = taxed.reduce((sum, c) => sum + c.withheldVatCents, 0)
  const comprobante = new Comprobante()
  // Attributes in the order SAT's own documents list them (cfdv40.xsd).
  comprobante.addAttributes({
    Serie: doc.series,
    Folio: doc.folio,
    Fecha: cfdiDateTime(doc.day, doc.second),
    Sello: stamp.seal,
    FormaPago: doc.paymentForm ?? undefined,
    NoCertificado: stamp.certificateNumber,
    Certificado: stamp.certificate,
    SubTotal: doc.voucherType === 'P' ? '0' : decimal(doc.subtotalCents),
    Descuento: doc.discountCents > 0 ? decimal(doc.discountCents) : undefined,
    Moneda: doc.currency,
    Total: doc.voucherType === 'P' ? '0' : decimal(doc.totalCents),
    TipoDeComprobante: doc.voucherType,
    Exportacion: '01',
    MetodoPago: doc.paymentMethod ?? undefined,
    LugarExpedicion: doc.issuer.zipCode,
  })
  const locations = [CFDI_SCHEMA, ...doc.complements.flatMap((c) => (c.schemaLocation ? [c.schemaLocation] : []))]
  comprobante.setAttribute('xsi:schemaLocation', locations.join(' '))
  comprobante.addEmisor({ Rfc: doc.issuer.rfc, Nombre: doc.issuer.name, RegimenFiscal: doc.issuer.regime })
  comprobante.addReceptor({
    Rfc: doc.receiver.rfc,
    Nombre: doc.receiver.name,
    DomicilioFiscalReceptor: doc.receiver.zipCode,
    RegimenFiscalReceptor: doc.receiver.regime,
    UsoCFDI: doc.receiver.usage,
  })
  for (const c of doc.concepts) {
    const amount = c.quantity * c.unitPriceCents
    const concept = comprobante.addConcepto({
      ClaveProdServ: c.productCode,
      Cantidad: String(c.quantity),
      ClaveUnidad: c.unitCode,
      Unidad: c.unit,
      Descripcion: c.description,
      ValorUnitario: doc.voucherType === 'P' ? '0' : decimal(c.unitPriceCents),
      Importe: doc.voucherType === 'P' ? '0' : decimal(amount),
      Descuento: c.discountCents > 0 ? decimal(c.discountCents) : undefined,
      ObjetoImp: c.taxObject,
    })
    if (c.taxObject !== '02') continue
    const base = decimal(amount - c.discountCents)
    concept.addTraslado({ Base: base, Impuesto: '002', TipoFactor: 'Tasa', TasaOCuota: RATE.vat, Importe: decimal(c.vatCents) })
    if (c.withheldIsrCents > 0)
      concept.addRetencion({ Base: base, Impuesto: '001', TipoFactor: 'Tasa', TasaOCuota: RATE.isr, Importe: decimal(c.withheldIsrCents) })
    if (c.withheldVatCents > 0)
      concept.addRetencion({ Base: base, Impuesto: '002', TipoFactor: 'Tasa', TasaOCuota: RATE.withheldVat, Importe: decimal(c.withheldVatCents) })
  }
  if (taxed.length > 0) {
    const base = taxed.reduce((sum, c) => sum + c.quantity * c.unitPriceCents - c.discountCents, 0)
    comprobante.addImpuestos({
      TotalImpuestosRetenidos: isr + withheldVat > 0 ? decimal(isr + withheldVat) : undefined,
      TotalImpuestosTrasladados: decimal(vat),
    })
    if (isr > 0) comprobante.addRetencion({ Impuesto: '001', Importe: decimal(isr) })
    if (withheldVat > 0) comprobante.addRetencion({ Impuesto: '002', Importe: decimal(withheldVat) })
    comprobante.addTraslado({ Base: decimal(base), Impuesto: '002', TipoFactor: 'Tasa', TasaOCuota: RATE.vat, Importe: decimal(vat) })
  }
  for (const complement of doc.complements) comprobante.addComplemento(complement.node)
  // The stamp is the last complement: the PAC adds it after the issuer sealed the rest.
  comprobante.addComplemento(timbre(stamp, doc.day, doc.second))
  return nodeToXmlString(comprobante, true)
}

const NOMINA_NS = 'http://www.sat.gob.mx/nomina12'

export interface PayrollComplement {
  paymentDay: Day
  periodStart: Day
  periodEnd: Day
  paidDays: number
  grossCents: number
  isrCents: number
  socialSecurityCents: number
  employerRegistration: string
  employee: { curp: string; nss: string; number: string; startDay: Day; dailySalaryCents: number; stateCode: string }
}

/** The nómina 1.2 complement of a monthly ordinary payroll: the salary and its two deductions (IMSS quotas, ISR). */
export function payrollComplement(p: PayrollComplement): { node: XmlNodeInterface; schemaLocation: string } {
  const weeks = Math.floor((p.periodEnd - p.employee.startDay + 1) / 7)
  const nomina = new XmlNode('nomina12:Nomina', {
    'xmlns:nomina12': NOMINA_NS,
    Version: '1.2',
    TipoNomina: 'O',
    FechaPago: formatDay(p.paymentDay),
    FechaInicialPago: formatDay(p.periodStart),
    FechaFinalPago: formatDay(p.periodEnd),
    NumDiasPagados: `${p.paidDays}.000`,
    TotalPercepciones: decimal(p.grossCents),
    TotalDeducciones: decimal(p.isrCents + p.socialSecurityCents),
  })
  nomina.addChild(new XmlNode('nomina12:Emisor', { RegistroPatronal: p.employerRegistration }))
  nomina.addChild(
    new XmlNode('nomina12:Receptor', {
      Curp: p.employee.curp,
      NumSeguridadSocial: p.employee.nss,
      FechaInicioRelLaboral: formatDay(p.employee.startDay),
      Antigüedad: `P${weeks}W`,
      TipoContrato: '01',
      TipoJornada: '01',
      TipoRegimen: '02',
      NumEmpleado: p.employee.number,
      // c_PeriodicidadPago 05: monthly.
      PeriodicidadPago: '05',
      SalarioDiarioIntegrado: decimal(p.employee.dailySalaryCents),
      ClaveEntFed: p.employee.stateCode,
    }),
  )
  const perceptions = new XmlNode('nomina12:Percepciones', {
    TotalSueldos: decimal(p.grossCents),
    TotalGravado: decimal(p.grossCents),
    TotalExento: '0.00',
  })
  perceptions.addChild(
    new XmlNode('nomina12:Percepcion', {
      TipoPercepcion: '001',
      Clave: '001',
      Concepto: 'Sueldos, Salarios Rayas y Jornales',
      ImporteGravado: decimal(p.grossCents),
      ImporteExento: '0.00',
    }),
  )
  nomina.addChild(perceptions)
  const deductions = new XmlNode('nomina12:Deducciones', {
    TotalOtrasDeducciones: decimal(p.socialSecurityCents),
    TotalImpuestosRetenidos: decimal(p.isrCents),
  })
  deductions.addChild(
    new XmlNode('nomina12:Deduccion', { TipoDeduccion: '001', Clave: '001', Concepto: 'Seguridad social', Importe: decimal(p.socialSecurityCents) }),
  )
  deductions.addChild(new XmlNode('nomina12:Deduccion', { TipoDeduccion: '002', Clave: '002', Concepto: 'ISR', Importe: decimal(p.isrCents) }))
  nomina.addChild(deductions)
  return { node: nomina, schemaLocation: `${NOMINA_NS} http://www.sat.gob.mx/sitio_internet/cfd/nomina/nomina12.xsd` }
}

export interface PaymentComplement {
  paidDay: Day
  /** Seconds of the payment's day (FechaPago). */
  paidSecond: number
  paymentForm: string
  amountCents: number
  operationNumber: string
  payer: { bankRfc: string; bankName: string; account: string }
  beneficiary: { bankRfc: string; account: string }
  /** The invoice paid, in full, in one installment. */
  invoice: {
    uuid: string
    series: string
    folio: string
    totalCents: number
    baseCents: number
    vatCents: number
    withheldIsrCents: number
    withheldVatCents: number
  }
}

/** The pagos 2.0 complement of one payment that settles one PPD invoice, with its taxes in proportion (all of them). */
export function paymentComplement(p: PaymentComplement): { node: XmlNodeInterface } {
  const { invoice } = p
  const pagos = new Pagos()
  pagos.addTotales({
    TotalRetencionesIVA: invoice.withheldVatCents > 0 ? decimal(invoice.withheldVatCents) : undefined,
    TotalRetencionesISR: invoice.withheldIsrCents > 0 ? decimal(invoice.withheldIsrCents) : undefined,
    TotalTrasladosBaseIVA16: decimal(invoice.baseCents),
    TotalTrasladosImpuestoIVA16: decimal(invoice.vatCents),
    MontoTotalPagos: decimal(p.amountCents),
  })
  const pago = pagos.addPago({
    FechaPago: cfdiDateTime(p.paidDay, p.paidSecond),
    FormaDePagoP: p.paymentForm,
    MonedaP: 'MXN',
    TipoCambioP: '1',
    Monto: decimal(p.amountCents),
    NumOperacion: p.operationNumber,
    RfcEmisorCtaOrd: p.payer.bankRfc,
    NomBancoOrdExt: p.payer.bankName,
    CtaOrdenante: p.payer.account,
    RfcEmisorCtaBen: p.beneficiary.bankRfc,
    CtaBeneficiario: p.beneficiary.account,
  })
  const base = decimal(invoice.baseCents)
  const related = pago.addDoctoRelacionado({
    IdDocumento: invoice.uuid,
    Serie: invoice.series,
    Folio: invoice.folio,
    MonedaDR: 'MXN',
    EquivalenciaDR: '1',
    NumParcialidad: '1',
    ImpSaldoAnt: decimal(invoice.totalCents),
    ImpPagado: decimal(p.amountCents),
    ImpSaldoInsoluto: decimal(invoice.totalCents - p.amountCents),
    ObjetoImpDR: '02',
  })
  const taxesDr = related.addImpuestosDR()
  const taxesP = pago.addImpuestosP()
  if (invoice.withheldIsrCents > 0 || invoice.withheldVatCents > 0) {
    const retainedDr = taxesDr.addRetencionesDR()
    const retainedP = taxesP.addRetencionesP()
    for (const [tax, rate, cents] of [
      ['001', RATE.isr, invoice.withheldIsrCents],
      ['002', RATE.withheldVat, invoice.withheldVatCents],
    ] as const) {
      if (cents === 0) continue
      retainedDr.addRetencionDR({ BaseDR: base, ImpuestoDR: tax, TipoFactorDR: 'Tasa', TasaOCuotaDR: rate, ImporteDR: decimal(cents) })
      retainedP.addRetencionP({ ImpuestoP: tax, ImporteP: decimal(cents) })
    }
  }
  taxesDr
    .addTrasladosDR()
    .addTrasladoDR({ BaseDR: base, ImpuestoDR: '002', TipoFactorDR: 'Tasa', TasaOCuotaDR: RATE.vat, ImporteDR: decimal(invoice.vatCents) })
  taxesP.addTrasladosP().addTrasladoP({ BaseP: base, ImpuestoP: '002', TipoFactorP: 'Tasa', TasaOCuotaP: RATE.vat, ImporteP: decimal(invoice.vatCents) })
  return { node: pagos }
}

const RETENTIONS_NS = 'http://www.sat.gob.mx/esquemas/retencionpago/2'

export interface CfdiRetention {
  key: string
  uuid: string
  folio: string
  day: Day
  second: number
  /** c_CveRetenc: 01 professional services. */
  code: string
  issuer: CfdiParty
  receiver: CfdiParty & { curp: string | null }
  /** The month the retentions were made in. */
  period: { year: number; month: number }
  operationCents: number
  taxableCents: number
  exemptCents: number
  withheld: { tax: '001' | '002'; baseCents: number; amountCents: number; paymentType: string }[]
}

/** A stamped CFDI de retenciones e información de pagos 2.0 as XML. */
export function retentionXml(doc: CfdiRetention): string {
  const stamp = stampFor(doc.key, doc.uuid)
  const month = String(doc.period.month).padStart(2, '0')
  const root = new XmlNode('retenciones:Retenciones', {
    'xmlns:retenciones': RETENTIONS_NS,
    'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
    'xsi:schemaLocation': `${RETENTIONS_NS} http://www.sat.gob.mx/esquemas/retencionpago/2/retencionpagov2.xsd`,
    Version: '2.0',
    FolioInt: doc.folio,
    Sello: stamp.seal,
    NoCertificado: stamp.certificateNumber,
    Certificado: stamp.certificate,
    FechaExp: cfdiDateTime(doc.day, doc.second),
    LugarExpRetenc: doc.issuer.zipCode,
    CveRetenc: doc.code,
  })
  root.addChild(new XmlNode('retenciones:Emisor', { RfcE: doc.issuer.rfc, NomDenRazSocE: doc.issuer.name, RegimenFiscalE: doc.issuer.regime }))
  const receiver = new XmlNode('retenciones:Receptor', { NacionalidadR: 'Nacional' })
  receiver.addChild(
    new XmlNode('retenciones:Nacional', {
      RfcR: doc.receiver.rfc,
      NomDenRazSocR: doc.receiver.name,
      CurpR: doc.receiver.curp ?? undefined,
      DomicilioFiscalR: doc.receiver.zipCode,
    }),
  )
  root.addChild(receiver)
  root.addChild(new XmlNode('retenciones:Periodo', { MesIni: month, MesFin: month, Ejercicio: String(doc.period.year) }))
  const totals = new XmlNode('retenciones:Totales', {
    MontoTotOperacion: decimal(doc.operationCents),
    MontoTotGrav: decimal(doc.taxableCents),
    MontoTotExent: decimal(doc.exemptCents),
    MontoTotRet: decimal(doc.withheld.reduce((sum, w) => sum + w.amountCents, 0)),
  })
  for (const w of doc.withheld) {
    totals.addChild(
      new XmlNode('retenciones:ImpRetenidos', {
        BaseRet: decimal(w.baseCents),
        ImpuestoRet: w.tax,
        MontoRet: decimal(w.amountCents),
        TipoPagoRet: w.paymentType,
      }),
    )
  }
  root.addChild(totals)
  const complement = new XmlNode('retenciones:Complemento')
  complement.addChild(timbre(stamp, doc.day, doc.second))
  root.addChild(complement)
  return nodeToXmlString(root, true)
}
