import type { InstitutionRecord, Period } from '../../types.ts'
import { formatDay, monthEnd, monthStart, parseDay, yearMonthOf, type Day } from '../calendar.ts'
import { clabeNumber } from '../documents.ts'
import { hashDigits, hashInt, hashUuid, seedKey } from '../random.ts'
import type { World } from '../world.ts'
import {
  cfdiDateTime,
  mexicoInstant,
  invoiceXml,
  paymentComplement,
  payrollComplement,
  RATE,
  SAT_PAC_RFC,
  stampFor,
  type CfdiConcept,
  type CfdiParty,
} from './cfdi.ts'
import {
  conceptBase,
  conceptTaxes,
  invoiceAmounts,
  ISR_WITHHOLDING_PERCENT,
  mexicoTaxpayer,
  plansBetween,
  VAT_PERCENT,
  type Counterparty,
  type InvoicePlan,
  type MexicoTaxpayer,
} from './mexico-taxpayer.ts'

/**
 * The SAT's CFDIs of the link's taxpayer as Belvo's `InvoiceWithIdSat`: every invoice the
 * taxpayer issued (OUTFLOW: their sales, and the payment CFDIs, type P, of the sales paid later)
 * or received (INFLOW: their purchases and, for a person, their employer's monthly payroll CFDI,
 * type N). The economics are mexico-taxpayer.ts's plans, written out as they are (the tax returns
 * add up the same plans); this module only formats them, adds the payment CFDIs that follow from
 * PPD plans (which carry no amounts of their own: a CFDI P totals 0) and, with `attach_xml`, the
 * stamped CFDI 4.0 (cfdi.ts) made of the same values as the JSON.
 *
 * Amounts are exact: integer centavos in the plans, divided by 100 only at the edge. In the JSON,
 * `tax_amount` is the transferred VAT and `tax_details.total_tax_retained` the withheld ISR and
 * VAT, so `total_amount = subtotal_amount - discount_amount + tax_amount - total_tax_retained`, as
 * the CFDI's Total. An item's `total_amount` is its amount less its discount plus its VAT (its
 * VAT base is after the discount, so the dictionary's `pre_tax_amount + tax_amount` would
 * overstate it).
 */

const mxn = (cents: number) => cents / 100

/** Belvo's status values (its dictionary: *Vigente* or *Cancelado*). */
export const INVOICE_STATUS = { valid: 'Vigente', cancelled: 'Cancelado' } as const

/** A payment CFDI's own identity, derived from the invoice it settles. */
const paymentUuid = (plan: InvoicePlan) => hashUuid(seedKey('cfdi-payment', plan.uuid)).toUpperCase()

/** Banks a payment moves through, with the RFC the SAT knows them by and their CLABE bank code. */
const BANKS = [
  { name: 'BBVA MEXICO', rfc: 'BBA830831LJ2', code: 12 },
  { name: 'BANAMEX', rfc: 'BNM840515VB1', code: 2 },
  { name: 'SANTANDER', rfc: 'BSM970519DU8', code: 14 },
  { name: 'BANORTE', rfc: 'BMN930209927', code: 72 },
] as const

function bankAccount(key: string) {
  const bank = BANKS[hashInt(seedKey(key, 'bank')) % BANKS.length]
  return { ...bank, account: clabeNumber(bank.code, 180, hashDigits(seedKey(key, 'account'), 11)) }
}

interface Parties {
  issuer: CfdiParty
  receiver: CfdiParty & { usage: string }
}

function partiesOf(taxpayer: MexicoTaxpayer, plan: InvoicePlan, usage: string): Parties {
  const own = { rfc: taxpayer.rfc, name: taxpayer.name, zipCode: taxpayer.address.zipCode }
  const other = (c: Counterparty): CfdiParty => ({ rfc: c.rfc, name: c.name, regime: c.regime, zipCode: c.zipCode })
  if (plan.direction === 'OUTFLOW') return { issuer: { ...own, regime: taxpayer.invoicingRegime }, receiver: { ...other(plan.counterparty), usage } }
  // A payroll's receiver is the employee under the salaries regime; a purchase's, the taxpayer's business regime.
  const regime = plan.voucherType === 'N' ? '605' : taxpayer.invoicingRegime
  return { issuer: other(plan.counterparty), receiver: { ...own, regime, usage } }
}

/** When an invoice that its plan cancels was cancelled: within three days of its issue, and by the sandbox day. */
function cancellationDay(world: World, plan: InvoicePlan): Day {
  return Math.min(plan.day + (hashInt(seedKey('cfdi-cancel', plan.uuid)) % 3), world.today)
}

function concepts(plan: InvoicePlan): CfdiConcept[] {
  return plan.concepts.map((c) => {
    const taxes = conceptTaxes(plan, c)
    return {
      productCode: c.product.code,
      quantity: c.quantity,
      unitCode: c.product.unitCode,
      unit: c.product.unit,
      description: c.product.description,
      unitPriceCents: c.unitPriceCents,
      // A payroll's deductions are its concept's discount (CFDI 4.0 nómina).
      discountCents: plan.payroll ? invoiceAmounts(plan).discount : c.discountCents,
      taxObject: plan.voucherType === 'N' ? '01' : '02',
      vatCents: taxes.vat,
      withheldIsrCents: taxes.isr,
      withheldVatCents: taxes.withheldVat,
    }
  })
}

const WITHHELD_VAT_PERCENT = Number(RATE.withheldVat) * 100

/** Belvo's `invoice_details` of CFDI concepts. */
function details(items: CfdiConcept[]): Record<string, unknown>[] {
  return items.map((c) => {
    const amount = c.quantity * c.unitPriceCents
    const taxed = c.taxObject === '02'
    return {
      description: c.description,
      product_identification: c.productCode,
      quantity: c.quantity,
      unit_code: c.unitCode,
      unit_description: c.unit,
      unit_amount: mxn(c.unitPriceCents),
      discount: mxn(c.discountCents),
      tax_subject_code: c.taxObject,
      identifier_number: null,
      tax_type: taxed ? 'IVA' : null,
      pre_tax_amount: mxn(amount),
      tax_percentage: taxed ? VAT_PERCENT : 0,
      tax_amount: mxn(c.vatCents),
      total_amount: mxn(amount - c.discountCents + c.vatCents),
      retained_taxes: [
        ...(c.withheldIsrCents > 0
          ? [{ tax_type: 'Tasa', tax: 'ISR', tax_percentage: ISR_WITHHOLDING_PERCENT, retained_tax_amount: mxn(c.withheldIsrCents) }]
          : []),
        ...(c.withheldVatCents > 0
          ? [{ tax_type: 'Tasa', tax: 'IVA', tax_percentage: WITHHELD_VAT_PERCENT, retained_tax_amount: mxn(c.withheldVatCents) }]
          : []),
      ],
      transferred_taxes: taxed ? [{ tax_type: 'Tasa', tax: 'IVA', tax_percentage: VAT_PERCENT, transferred_tax_amount: mxn(c.vatCents) }] : [],
    }
  })
}

/** Belvo's `tax_details`: the CFDI's Impuestos node, by tax and rate. */
function taxDetails(items: CfdiConcept[]): Record<string, unknown> {
  const taxed = items.filter((c) => c.taxObject === '02')
  const base = taxed.reduce((sum, c) => sum + c.quantity * c.unitPriceCents - c.discountCents, 0)
  const sum = (key: 'vatCents' | 'withheldIsrCents' | 'withheldVatCents') => taxed.reduce((total, c) => total + c[key], 0)
  const [vat, isr, withheldVat] = [sum('vatCents'), sum('withheldIsrCents'), sum('withheldVatCents')]
  return {
    total_tax_retained: mxn(isr + withheldVat),
    total_tax_transferred: mxn(vat),
    retained_taxes: [
      ...(isr > 0 ? [{ tax_type: 'Tasa', tax: 'ISR', tax_percentage: ISR_WITHHOLDING_PERCENT, pre_tax_amount: mxn(base), tax_amount: mxn(isr) }] : []),
      ...(withheldVat > 0
        ? [{ tax_type: 'Tasa', tax: 'IVA', tax_percentage: WITHHELD_VAT_PERCENT, pre_tax_amount: mxn(base), tax_amount: mxn(withheldVat) }]
        : []),
    ],
    transferred_taxes: taxed.length > 0 ? [{ tax_type: 'Tasa', tax: 'IVA', tax_percentage: VAT_PERCENT, pre_tax_amount: mxn(base), tax_amount: mxn(vat) }] : [],
  }
}

/** What every CFDI of the list shares, whatever its type. */
function common(world: World, uuid: string, day: Day, second: number, direction: 'INFLOW' | 'OUTFLOW', parties: Parties, cancelledOn: Day | null) {
  const stamp = stampFor(seedKey(world.key, 'cfdi', uuid), uuid)
  return {
    internal_identification: uuid,
    invoice_identification: uuid,
    invoice_date: formatDay(day),
    status: cancelledOn === null ? INVOICE_STATUS.valid : INVOICE_STATUS.cancelled,
    type: direction,
    sender_id: parties.issuer.rfc,
    sender_fiscal_regime: parties.issuer.regime,
    sender_name: parties.issuer.name,
    sender_tax_fraud_status: 'NO_TAX_FRAUD_STATUS',
    receiver_id: parties.receiver.rfc,
    receiver_postal_code: parties.receiver.zipCode,
    receiver_fiscal_regime: parties.receiver.regime,
    receiver_name: parties.receiver.name,
    receiver_tax_fraud_status: 'NO_TAX_FRAUD_STATUS',
    // CFDI 4.0 lets the issuer cancel without the receiver's acceptance within the day after issue, as here.
    cancelation_status: cancelledOn === null ? null : 'Cancelado sin aceptación',
    cancelation_update_date: cancelledOn === null ? null : formatDay(cancelledOn),
    certification_date: cfdiDateTime(day, second + stamp.delaySeconds).slice(0, 10),
    certification_authority: SAT_PAC_RFC,
    usage: parties.receiver.usage,
    version: '4.0',
    place_of_issue: parties.issuer.zipCode,
    export_type: '01',
    related_invoices: [],
    payment_type_description: null,
    payment_method_description: null,
    warnings: null,
    sender_blacklist_status: null,
    receiver_blacklist_status: null,
  }
}

/** A NSS (IMSS social security number) with its Luhn check digit, from a key. */
function nss(key: string): string {
  const digits = hashDigits(key, 10)
  const sum = [...digits].reduce((acc, char, i) => {
    const doubled = i % 2 === 1 ? Number(char) * 2 : Number(char)
    return acc + (doubled > 9 ? doubled - 9 : doubled)
  }, 0)
  return `${digits}${(10 - (sum % 10)) % 10}`
}

/** An income (I) or payroll (N) CFDI of a plan. */
function invoiceRecord(world: World, taxpayer: MexicoTaxpayer, plan: InvoicePlan, attachXml: boolean): InstitutionRecord {
  const amounts = invoiceAmounts(plan)
  const parties = partiesOf(taxpayer, plan, plan.usage)
  const items = concepts(plan)
  const payroll = plan.payroll
  const ym = yearMonthOf(plan.day)
  const salaryRegime = taxpayer.regimes.find((r) => r.code === '605')
  const complement = payroll
    ? payrollComplement({
        paymentDay: plan.day,
        periodStart: monthStart(ym),
        periodEnd: monthEnd(ym),
        paidDays: payroll.paidDays,
        grossCents: payroll.grossCents,
        isrCents: payroll.isrCents,
        socialSecurityCents: payroll.socialSecurityCents,
        employerRegistration: `Y${hashDigits(seedKey(plan.counterparty.rfc, 'registro-patronal'), 10)}`,
        employee: {
          curp: taxpayer.curp ?? '',
          nss: nss(seedKey(world.key, 'nss', taxpayer.rfc)),
          number: hashDigits(seedKey(world.key, 'employee-number', taxpayer.rfc), 6),
          startDay: salaryRegime?.start ?? taxpayer.startDay,
          // The integrated daily salary: a thirtieth of the month with the legal minimum benefits (factor 1.0452).
          dailySalaryCents: Math.round((payroll.grossCents * 10_452) / 300_000),
          stateCode: 'CMX',
        },
      })
    : null
  const paymentForm = plan.voucherType === 'N' ? null : plan.paymentForm
  const xml = attachXml
    ? invoiceXml({
        key: seedKey(world.key, 'cfdi', plan.uuid),
        uuid: plan.uuid,
        series: plan.series,
        folio: plan.folio,
        day: plan.day,
        second: plan.second,
        voucherType: plan.voucherType,
        paymentForm,
        paymentMethod: plan.paymentMethod,
        currency: 'MXN',
        ...parties,
        subtotalCents: amounts.subtotal,
        discountCents: amounts.discount,
        totalCents: amounts.total,
        concepts: items,
        complements: complement ? [complement] : [],
      })
    : null
  return {
    ...common(world, plan.uuid, plan.day, plan.second, plan.direction, parties, plan.cancelled ? cancellationDay(world, plan) : null),
    invoice_type: plan.voucherType === 'N' ? 'Nómina' : 'Ingreso',
    tax_details: taxDetails(items),
    payment_type: paymentForm,
    payment_method: plan.paymentMethod,
    invoice_details: details(items),
    currency: 'MXN',
    subtotal_amount: mxn(amounts.subtotal),
    exchange_rate: 1,
    tax_amount: mxn(amounts.transferredVat),
    discount_amount: mxn(amounts.discount),
    total_amount: mxn(amounts.total),
    payments: [],
    payroll: payroll
      ? {
          version: '1.2',
          type: 'O',
          payment_date: formatDay(plan.day),
          date_from: formatDay(monthStart(ym)),
          date_to: formatDay(monthEnd(ym)),
          days: payroll.paidDays,
          // What the employee is paid: the salary less its deductions (the CFDI's Total).
          amount: mxn(amounts.total),
          periodicity: 'MONTHLY',
          earnings_breakdown: [{ type: 'SALARY', taxable_amount: mxn(payroll.grossCents), vat_free_amount: 0 }],
          tax_deductions: [
            { type: 'SOCIAL_SECURITY', amount: mxn(payroll.socialSecurityCents) },
            { type: 'ISR', amount: mxn(payroll.isrCents) },
          ],
          other_payments: [],
        }
      : null,
    folio: plan.folio,
    series: plan.series,
    xml,
  }
}

/** The customer pays during banking hours; the taxpayer issues the payment CFDI a few hours later, the same day. */
function paymentTimes(plan: InvoicePlan): { paidSecond: number; second: number } {
  const uuid = paymentUuid(plan)
  const paidSecond = 9 * 3600 + (hashInt(seedKey(uuid, 'paid')) % (6 * 3600))
  return { paidSecond, second: paidSecond + 3600 + (hashInt(seedKey(uuid, 'issued')) % (3 * 3600)) }
}

/** The payment CFDI (type P) the taxpayer issues when a customer pays a PPD invoice, on `paidOn`. */
function paymentRecord(world: World, taxpayer: MexicoTaxpayer, plan: InvoicePlan, attachXml: boolean): InstitutionRecord {
  const paidOn = plan.paidOn!
  const uuid = paymentUuid(plan)
  const amounts = invoiceAmounts(plan)
  const parties = partiesOf(taxpayer, plan, 'CP01')
  const { paidSecond, second } = paymentTimes(plan)
  const payer = bankAccount(seedKey(plan.counterparty.rfc, 'payer'))
  const beneficiary = bankAccount(seedKey(world.key, 'beneficiary', taxpayer.rfc))
  const operationNumber = hashDigits(seedKey(uuid, 'operation'), 7)
  const base = plan.concepts.reduce((sum, c) => sum + conceptBase(c), 0)
  const concept: CfdiConcept = {
    productCode: '84111506',
    quantity: 1,
    unitCode: 'ACT',
    unit: 'Actividad',
    description: 'Pago',
    unitPriceCents: 0,
    discountCents: 0,
    taxObject: '01',
    vatCents: 0,
    withheldIsrCents: 0,
    withheldVatCents: 0,
  }
  const xml = attachXml
    ? invoiceXml({
        key: seedKey(world.key, 'cfdi', uuid),
        uuid,
        series: 'P',
        folio: plan.folio,
        day: paidOn,
        second,
        voucherType: 'P',
        paymentForm: null,
        paymentMethod: null,
        currency: 'XXX',
        ...parties,
        subtotalCents: 0,
        discountCents: 0,
        totalCents: 0,
        concepts: [concept],
        complements: [
          paymentComplement({
            paidDay: paidOn,
            paidSecond,
            paymentForm: '03',
            amountCents: amounts.total,
            operationNumber,
            payer: { bankRfc: payer.rfc, bankName: payer.name, account: payer.account },
            beneficiary: { bankRfc: beneficiary.rfc, account: beneficiary.account },
            invoice: {
              uuid: plan.uuid,
              series: plan.series,
              folio: plan.folio,
              totalCents: amounts.total,
              baseCents: base,
              vatCents: amounts.transferredVat,
              withheldIsrCents: amounts.withheldIsr,
              withheldVatCents: amounts.withheldVat,
            },
          }),
        ],
      })
    : null
  return {
    ...common(world, uuid, paidOn, second, 'OUTFLOW', parties, null),
    invoice_type: 'Pago',
    tax_details: taxDetails([concept]),
    payment_type: null,
    payment_method: null,
    invoice_details: details([concept]),
    currency: 'XXX',
    subtotal_amount: 0,
    exchange_rate: null,
    tax_amount: 0,
    discount_amount: 0,
    total_amount: 0,
    payments: [
      {
        date: mexicoInstant(paidOn, paidSecond),
        payment_type: '03',
        currency: 'MXN',
        exchange_rate: '1',
        amount: mxn(amounts.total),
        operation_number: operationNumber,
        beneficiary_rfc: beneficiary.rfc,
        beneficiary_account_number: beneficiary.account,
        payer_rfc: payer.rfc,
        payer_account_number: payer.account,
        payer_bank_name: payer.name,
        related_documents: [
          {
            invoice_identification: plan.uuid,
            currency: 'MXN',
            payment_method: 'PPD',
            partiality_number: 1,
            previous_balance: mxn(amounts.total),
            amount_paid: mxn(amounts.total),
            outstanding_balance: 0,
          },
        ],
      },
    ],
    payroll: null,
    folio: plan.folio,
    series: 'P',
    xml,
  }
}

/** A PPD invoice is paid at most this many days after its issue (mexico-taxpayer.ts plans 15 to 45). */
const LONGEST_CREDIT_DAYS = 45

/**
 * The taxpayer's CFDIs of one direction issued in `period` (and by the sandbox day), oldest first:
 * the plans' invoices and the payment CFDIs of PPD invoices paid in the period (an invoice
 * cancelled before it was paid is never paid). `attachXml` adds each one's stamped XML.
 */
export function mexicoInvoiceRecords(world: World, period: Period, direction: 'INFLOW' | 'OUTFLOW' | undefined, attachXml: boolean): InstitutionRecord[] {
  const taxpayer = mexicoTaxpayer(world)
  const from = parseDay(period.dateFrom)
  const to = Math.min(parseDay(period.dateTo), world.today)
  if (from > to) return []
  const out: { day: Day; second: number; record: InstitutionRecord }[] = []
  for (const plan of plansBetween(world, taxpayer, from - LONGEST_CREDIT_DAYS, to)) {
    if (direction && plan.direction !== direction) continue
    if (plan.day >= from) out.push({ day: plan.day, second: plan.second, record: invoiceRecord(world, taxpayer, plan, attachXml) })
    if (plan.paymentMethod === 'PPD' && plan.paidOn !== null && !plan.cancelled && plan.paidOn >= from && plan.paidOn <= to) {
      out.push({ day: plan.paidOn, second: paymentTimes(plan).second, record: paymentRecord(world, taxpayer, plan, attachXml) })
    }
  }
  return out
    .sort((a, b) => a.day - b.day || a.second - b.second || a.record.internal_identification.localeCompare(b.record.internal_identification))
    .map((entry) => entry.record)
}
