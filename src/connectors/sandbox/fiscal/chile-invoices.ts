import type { FetchParams, InstitutionRecord, Period } from '../../types.ts'
import { daysInMonth, dayInMonth, formatDay, formatTime, monthTag, parseDay, yearMonthOf, type Day, type YearMonth } from '../calendar.ts'
import { Rng, seedKey } from '../random.ts'
import type { World } from '../world.ts'
import { chileTaxpayer, type ChileCompany, type ChileTaxpayer } from './chile-taxpayer.ts'

/**
 * The SII's electronic invoices of the link's taxpayer (Belvo's `invoice_chile`): the facturas
 * electrónicas (document code 33) they issue to their customers (OUTFLOW) and receive from their
 * suppliers (INFLOW). Each month's invoices are a pure function of the link and the month, so a
 * period only selects among them and the sandbox day only hides those not issued yet.
 *
 * Amounts are whole pesos (CLP has no cents): VAT is 19% of the net amount rounded to the peso,
 * as the SII computes it, and the total is exactly net plus VAT.
 */

/** Chile's VAT (IVA) rate, in percent. */
export const CHILE_VAT_PERCENT = 19

/** The VAT of a net amount in whole pesos, rounded half up as on the SII's documents. */
export function chileVat(net: number): number {
  return Math.floor((net * CHILE_VAT_PERCENT + 50) / 100)
}

/** How many invoices a month holds for each data set, and how large their net amounts are. */
const VOLUME = {
  full: { sales: 6, purchases: 4, netRange: [180_000, 4_800_000] },
  low: { sales: 2, purchases: 1, netRange: [40_000, 600_000] },
} as const

function volumeOf(world: World) {
  const kind = world.profile.kind
  if (kind === 'nodata') return null
  return kind === 'low' || kind === 'negative' ? VOLUME.low : VOLUME.full
}

/** A local timestamp in Chile's mainland time (UTC-3 in its summer, October to March; UTC-4 otherwise). */
function chileTimestamp(day: Day, second: number): string {
  const month = Number(formatDay(day).slice(5, 7))
  const offset = month >= 4 && month <= 9 ? '-04:00' : '-03:00'
  return `${formatDay(day)}T${formatTime(second)}${offset}`
}

function invoice(
  world: World,
  taxpayer: ChileTaxpayer,
  direction: 'INFLOW' | 'OUTFLOW',
  counterparty: ChileCompany,
  folio: number,
  day: Day,
  net: number,
  rng: Rng,
): InstitutionRecord {
  const vat = chileVat(net)
  const sale = direction === 'OUTFLOW'
  const sender = sale ? { rut: taxpayer.rut, name: taxpayer.siiName } : counterparty
  const receiver = sale ? counterparty : { rut: taxpayer.rut, name: taxpayer.siiName }
  const receivedSecond = rng.int(8 * 3600, 18 * 3600)
  // The receiver acknowledges within the day; a week-old invoice nobody claimed is registered.
  const acknowledgedSecond = receivedSecond + rng.int(600, 5 * 3600)
  const pending = world.today - day < 8
  return {
    internal_identification: `${sender.rut}/33/${folio}`,
    total_amount: net + vat,
    net_amount: net,
    vat_amount: vat,
    currency: 'CLP',
    issue_date: formatDay(day),
    received_at: chileTimestamp(day, receivedSecond),
    acknowledged_at: chileTimestamp(day, acknowledgedSecond),
    claim_date: null,
    status: pending ? 'PENDING' : 'REGISTERED',
    document_code: 33,
    category: 'Del Giro',
    folio: String(folio),
    sender_id: sender.rut,
    sender_name: sender.name,
    receiver_id: receiver.rut,
    receiver_name: receiver.name,
    type: direction,
    purchase_invoice_details: sale
      ? null
      : {
          // Bought for the business: all of its VAT is a tax credit.
          vat_refundable_amount: vat,
          vat_non_refundable_amount: null,
          vat_non_refundable_code: null,
          net_amount_fixed_assets: null,
          vat_fixed_assets: null,
          vat_common_use: null,
          tax_non_credit_amount: null,
          vat_non_withheld: null,
          tax_exempt_amount: null,
          credit_or_debit_note_on_purchase: false,
          tax_cigarettes_amount: null,
          tax_cigar_amount: null,
          tax_processed_tobacco_amount: null,
          additional_tax_amount: null,
          additional_tax_rate: null,
          additional_tax_code: null,
        },
    sales_invoice_details: sale
      ? {
          construction_sector_tax_credit: null,
          tax_free_trade_zone_amount: null,
          container_deposit_guarantee: null,
          is_free_of_charge: false,
          periodic_billing_type: false,
          non_billable_amount: null,
          total_amount_for_period: null,
          domestic_transportation_amount: null,
          international_transportation_amount: null,
          branch_code: null,
          tax_exempt_amount: null,
          credit_or_debit_note_on_purchase: false,
          additional_tax_code: null,
          additional_tax_rate: null,
          additional_tax_amount: null,
          vat_total_withheld: null,
          vat_partially_withheld: null,
          vat_non_withheld: null,
          vat_sales: vat,
          vat_third_party: null,
          vat_past_due: null,
          invoice_settlement_sender_id: null,
          invoice_settlement_net_commission: null,
          invoice_settlement_exempt_commission: null,
          invoice_settlement_vat_commission: null,
          reference_document_type: null,
          reference_document_folio: null,
          foreign_recipient_id: null,
          foreign_recipient_nationality: null,
        }
      : null,
  }
}

/** Every invoice of one month, issued or not by the sandbox day (the caller clips). */
function monthInvoices(world: World, taxpayer: ChileTaxpayer, ym: YearMonth): InstitutionRecord[] {
  const volume = volumeOf(world)
  if (!volume) return []
  const rng = new Rng(seedKey(world.key, 'cl-invoices', monthTag(ym)))
  const [low, high] = volume.netRange
  const days = daysInMonth(ym)
  // The taxpayer numbers their own invoices in sequence: a month's folios follow the last month's.
  const monthsActive = ym - yearMonthOf(taxpayer.startDay)
  const out: InstitutionRecord[] = []
  for (let i = 0; i < volume.sales; i++) {
    const day = dayInMonth(ym, Math.round(((i + 0.5) * days) / volume.sales))
    const net = Math.round(rng.int(low, high) / 100) * 100
    out.push(invoice(world, taxpayer, 'OUTFLOW', rng.pick(taxpayer.customers), 1000 + monthsActive * volume.sales + i + 1, day, net, rng))
  }
  for (let i = 0; i < volume.purchases; i++) {
    const day = dayInMonth(ym, rng.int(1, days))
    const net = Math.round(rng.int(low, Math.floor(high / 3)) / 100) * 100
    out.push(invoice(world, taxpayer, 'INFLOW', rng.pick(taxpayer.suppliers), rng.int(10_000, 9_999_999), day, net, rng))
  }
  return out
}

/** The taxpayer's invoices issued in `period` (and by the sandbox day), of one direction or both, by issue date. */
export function chileInvoiceRecords(world: World, login: string, period: Period, invoiceType: FetchParams['invoiceType']): InstitutionRecord[] {
  const taxpayer = chileTaxpayer(world, login)
  const from = Math.max(parseDay(period.dateFrom), taxpayer.startDay)
  const to = Math.min(parseDay(period.dateTo), world.today)
  const out: InstitutionRecord[] = []
  for (let ym = yearMonthOf(from); from <= to && ym <= yearMonthOf(to); ym++) {
    for (const record of monthInvoices(world, taxpayer, ym)) {
      const day = parseDay(record.issue_date as string)
      if (day < from || day > to || (invoiceType && record.type !== invoiceType)) continue
      out.push(record)
    }
  }
  return out.sort((a, b) => String(a.issue_date).localeCompare(String(b.issue_date)) || a.internal_identification.localeCompare(b.internal_identification))
}
