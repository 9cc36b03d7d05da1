import type { InstitutionRecord, Period } from '../../types.ts'
import { monthOf, monthTag, nthBusinessDay, parseDay, yearMonthOf, yearOf, type Day, type YearMonth } from '../calendar.ts'
import { hashInt, hashUuid, seedKey } from '../random.ts'
import type { World } from '../world.ts'
import { mexicoInstant, retentionXml, stampFor } from './cfdi.ts'
import { conceptBase, conceptTaxes, mexicoTaxpayer, monthPlans, type Counterparty, type MexicoTaxpayer } from './mexico-taxpayer.ts'

/**
 * The SAT's retention certificates (CFDI de retenciones e información de pagos 2.0) of the link's
 * taxpayer, as Belvo's `TaxRetentions`.
 *
 * INFLOW, the certificates the taxpayer received: a company that pays a person's professional
 * fees withholds 10% ISR and two thirds of the VAT (the invoice plans with `withholds`) and, after
 * each month, certifies what it withheld. One certificate per customer and month, issued on the
 * third business day of the next month, whose amounts are the sums of the per-concept taxes of
 * that customer's valid (not cancelled) invoices of the month: the same amounts as the invoices'
 * Retencion nodes and the tax returns' withheld taxes. A company taxpayer is withheld nothing (its
 * customers are companies), so it has none.
 *
 * OUTFLOW, the certificates the taxpayer issued: none. A person withholds nothing from anyone, and
 * a company taxpayer here buys only from companies (no withholding between companies); an empty
 * list is the SAT's answer for them.
 *
 * A period selects certificates by their issue day (FechaExp), as the SAT's search does, cut at
 * the sandbox day; Belvo returns at most 500 of a period (RetrieveTaxRetentions), the oldest
 * first here.
 */

/** Belvo's cap on the certificates of one period (RetrieveTaxRetentions). */
export const MAX_RETENTIONS_PER_PERIOD = 500

/** c_CveRetenc 01: professional services. */
const PROFESSIONAL_SERVICES = '01'

/**
 * c_TipoPagoRet of each withheld tax: the withheld VAT is the person's definitive VAT payment
 * (01), the withheld ISR a provisional payment against their yearly return (04).
 */
const PAYMENT_TYPE = { '001': { code: '04', status: 'PROVISIONED' }, '002': { code: '01', status: 'PAID' } } as const

const mxn = (cents: number) => cents / 100

interface Withheld {
  customer: Counterparty
  baseCents: number
  isrCents: number
  vatCents: number
}

/** What each customer withheld from the taxpayer in month `ym`, customers in the order of their first invoice. */
function withheldIn(world: World, taxpayer: MexicoTaxpayer, ym: YearMonth): Withheld[] {
  const byCustomer = new Map<string, Withheld>()
  for (const plan of monthPlans(world, taxpayer, ym)) {
    if (!plan.withholds || plan.cancelled || plan.direction !== 'OUTFLOW') continue
    let entry = byCustomer.get(plan.counterparty.rfc)
    if (!entry) byCustomer.set(plan.counterparty.rfc, (entry = { customer: plan.counterparty, baseCents: 0, isrCents: 0, vatCents: 0 }))
    for (const concept of plan.concepts) {
      const taxes = conceptTaxes(plan, concept)
      entry.baseCents += conceptBase(concept)
      entry.isrCents += taxes.isr
      entry.vatCents += taxes.withheldVat
    }
  }
  return [...byCustomer.values()]
}

/** The day the customers certify month `ym`'s retentions. */
export const retentionIssueDay = (ym: YearMonth): Day => nthBusinessDay('MX', ym + 1, 3)

/** A certificate's folio fiscal and when its issuer made it (FechaExp, during office hours). */
function identity(world: World, taxpayer: MexicoTaxpayer, ym: YearMonth, customer: Counterparty) {
  const uuid = hashUuid(seedKey(world.key, 'sat-retention', taxpayer.rfc, customer.rfc, ym)).toUpperCase()
  const key = seedKey(world.key, 'cfdi', uuid)
  return { uuid, key, day: retentionIssueDay(ym), second: 9 * 3600 + (hashInt(seedKey(key, 'issued')) % (8 * 3600)) }
}

function retentionRecord(world: World, taxpayer: MexicoTaxpayer, ym: YearMonth, withheld: Withheld, attachXml: boolean): InstitutionRecord {
  const { customer } = withheld
  const { uuid, key, day, second } = identity(world, taxpayer, ym, customer)
  const stamp = stampFor(key, uuid)
  const breakdown = [
    { tax: '001' as const, amountCents: withheld.isrCents },
    { tax: '002' as const, amountCents: withheld.vatCents },
  ].filter((w) => w.amountCents > 0)
  const retained = withheld.isrCents + withheld.vatCents
  const xml = attachXml
    ? retentionXml({
        key,
        uuid,
        folio: `R${monthTag(ym)}${customer.rfc.slice(0, 3)}`,
        day,
        second,
        code: PROFESSIONAL_SERVICES,
        issuer: { rfc: customer.rfc, name: customer.name, regime: customer.regime, zipCode: customer.zipCode },
        receiver: { rfc: taxpayer.rfc, name: taxpayer.name, regime: taxpayer.invoicingRegime, zipCode: taxpayer.address.zipCode, curp: taxpayer.curp },
        period: { year: yearOf(ym), month: monthOf(ym) },
        operationCents: withheld.baseCents,
        taxableCents: withheld.baseCents,
        exemptCents: 0,
        withheld: breakdown.map((w) => ({ tax: w.tax, baseCents: withheld.baseCents, amountCents: w.amountCents, paymentType: PAYMENT_TYPE[w.tax].code })),
      })
    : null
  return {
    internal_identification: uuid,
    // The certificate's own folio fiscal: it covers a month of invoices, not one.
    invoice_identification: uuid,
    version: '2.0',
    code: Number(PROFESSIONAL_SERVICES),
    issued_at: mexicoInstant(day, second),
    certified_at: mexicoInstant(day, second + stamp.delaySeconds),
    cancelled_at: null,
    sender_id: customer.rfc,
    sender_name: customer.name,
    receiver_nationality: 'NATIONAL',
    receiver_id: taxpayer.rfc,
    receiver_name: taxpayer.name,
    total_invoice_amount: mxn(withheld.baseCents),
    total_exempt_amount: 0,
    total_retained_amount: mxn(retained),
    total_taxable_amount: mxn(withheld.baseCents),
    retention_breakdown: breakdown.map((w) => ({
      base_amount: mxn(withheld.baseCents),
      tax_type: w.tax,
      retained_amount: mxn(w.amountCents),
      payment_status: PAYMENT_TYPE[w.tax].status,
    })),
    xml,
  }
}

/**
 * The taxpayer's retention certificates of one direction issued in `period` (see the module
 * comment), the oldest `limit` of them (Belvo's 500; the sandbox's taxpayers certify fewer than
 * that even over their whole history, so a test lowers it to see the cap at work).
 */
export function mexicoRetentionRecords(
  world: World,
  period: Period,
  direction: 'INFLOW' | 'OUTFLOW' | undefined,
  attachXml: boolean,
  limit = MAX_RETENTIONS_PER_PERIOD,
): InstitutionRecord[] {
  if (direction === 'OUTFLOW') return []
  const taxpayer = mexicoTaxpayer(world)
  const from = parseDay(period.dateFrom)
  const to = Math.min(parseDay(period.dateTo), world.today)
  const found: { second: number; uuid: string; make: () => InstitutionRecord }[] = []
  // A month's certificates come in the next month: start with the month before the period's first.
  for (let ym = yearMonthOf(from) - 1; from <= to && ym <= yearMonthOf(to); ym++) {
    const day = retentionIssueDay(ym)
    if (day < from || day > to) continue
    for (const withheld of withheldIn(world, taxpayer, ym)) {
      const { uuid, second } = identity(world, taxpayer, ym, withheld.customer)
      found.push({ second: day * 86_400 + second, uuid, make: () => retentionRecord(world, taxpayer, ym, withheld, attachXml) })
    }
  }
  // The oldest first, and only those within the cap are written out (with their XML).
  return found
    .sort((a, b) => a.second - b.second || a.uuid.localeCompare(b.uuid))
    .slice(0, limit)
    .map((entry) => entry.make())
}
