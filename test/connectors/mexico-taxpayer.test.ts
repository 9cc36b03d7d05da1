import validateRfcImport from 'validate-rfc'
import { describe, expect, it } from 'vitest'
import type { ConnectorContext } from '../../src/connectors/types.ts'
import { parseDay } from '../../src/connectors/sandbox/calendar.ts'
import {
  invoiceAmounts,
  isrByTable,
  mexicoTaxpayer,
  MONTHLY_ISR,
  plansBetween,
  totalsBetween,
  YEARLY_ISR,
} from '../../src/connectors/sandbox/fiscal/mexico-taxpayer.ts'
import { buildWorld } from '../../src/connectors/sandbox/world.ts'

// validate-rfc is a UMD bundle: depending on the loader its function is the default export or its `default`.
type ValidateRfc = (rfc: string) => { isValid: boolean }
const validateRfc = ((validateRfcImport as unknown as { default?: ValidateRfc }).default ?? validateRfcImport) as unknown as ValidateRfc

const TATOOINE = { id: 1013, name: 'tatooine_mx_fiscal', country: 'MX', shape: 'multiregion' as const }
const TODAY = '2025-06-18'

function world(username: string, profile = 'full', linkSeed = 'link-1') {
  const ctx: ConnectorContext = {
    institution: TATOOINE,
    credentials: { username, password: profile },
    linkSeed,
    profile,
    today: TODAY,
    accessedAt: `${TODAY}T12:00:00.000Z`,
  }
  return buildWorld(ctx)
}

describe('the Mexican taxpayer of a SAT link', () => {
  it('is the link owner, a person with a valid RFC, a CURP of the same letters and birth date, and a salary', () => {
    const w = world('fiscal100')
    const taxpayer = mexicoTaxpayer(w)
    expect(taxpayer.kind).toBe('PERSONAL')
    expect(taxpayer.rfc).toBe(w.owner.document.number)
    expect(validateRfc(taxpayer.rfc).isValid).toBe(true)
    expect(taxpayer.curp?.slice(0, 10)).toBe(taxpayer.rfc.slice(0, 10))
    expect(taxpayer.regimes.map((r) => r.code)).toEqual(['605', '612'])
    expect(taxpayer.activities.reduce((sum, a) => sum + a.percentage, 0)).toBe(100)
    for (const party of [...taxpayer.customers, ...taxpayer.suppliers, taxpayer.employer!]) expect(validateRfc(party.rfc).isValid, party.rfc).toBe(true)
    expect(mexicoTaxpayer(world('fiscal100'))).toEqual(taxpayer)
  })

  it('is the company of a 12-character RFC login, and the person of a 13-character one', () => {
    const company = mexicoTaxpayer(world('ABC100215KQA'))
    expect(company).toMatchObject({ kind: 'BUSINESS', rfc: 'ABC100215KQA', curp: null, invoicingRegime: '601', employer: null })
    const person = mexicoTaxpayer(world('GOMA850101ABA'))
    expect(person).toMatchObject({ kind: 'PERSONAL', rfc: 'GOMA850101ABA' })
  })

  it('issues CFDIs whose totals reconcile: subtotal - discount + transferred - withheld = total', () => {
    for (const username of ['fiscal100', 'ABC100215KQA']) {
      const w = world(username)
      const plans = plansBetween(w, mexicoTaxpayer(w), parseDay('2024-06-18'), parseDay(TODAY))
      expect(plans.length).toBeGreaterThan(50)
      for (const plan of plans) {
        const a = invoiceAmounts(plan)
        expect(a.subtotal - a.discount + a.transferredVat - a.withheldIsr - a.withheldVat).toBe(a.total)
        expect(a.total).toBeGreaterThan(0)
        expect(plan.day).toBeLessThanOrEqual(parseDay(TODAY))
      }
      expect(new Set(plans.map((p) => p.uuid)).size).toBe(plans.length)
    }
  })

  it('adds up a year as its return reports it, without cancelled CFDIs', () => {
    const w = world('fiscal100')
    const taxpayer = mexicoTaxpayer(w)
    const [from, to] = [parseDay('2024-01-01'), parseDay('2024-12-31')]
    const totals = totalsBetween(w, taxpayer, from, to)
    const valid = plansBetween(w, taxpayer, from, to).filter((p) => !p.cancelled)
    const sales = valid.filter((p) => p.direction === 'OUTFLOW').reduce((sum, p) => sum + invoiceAmounts(p).subtotal - invoiceAmounts(p).discount, 0)
    expect(totals.salesCents).toBe(sales)
    expect(totals.salaryCents).toBe(12 * taxpayer.monthlySalaryCents)
  })

  it('has no business for the nodata persona, and less for the low one', () => {
    const [from, to] = [parseDay('2024-01-01'), parseDay('2024-12-31')]
    const none = world('fiscal101', 'nodata')
    expect(plansBetween(none, mexicoTaxpayer(none), from, to)).toEqual([])
    const low = world('fiscal102', 'low')
    const full = world('fiscal100')
    expect(totalsBetween(low, mexicoTaxpayer(low), from, to).salesCents).toBeLessThan(totalsBetween(full, mexicoTaxpayer(full), from, to).salesCents)
  })

  it('computes ISR by the SAT tables (a bracket fee plus its rate on the excess)', () => {
    // 20,000.00 a month: 1,640.18 + 21.36% of (20,000.00 - 15,487.72) = 2,604.00
    expect(isrByTable(2_000_000, MONTHLY_ISR)).toBe(260_400)
    expect(isrByTable(0, MONTHLY_ISR)).toBe(0)
    // 240,000.00 a year: 19,682.13 + 21.36% of (240,000.00 - 185,852.58) = 31,248.02
    expect(isrByTable(24_000_000, YEARLY_ISR)).toBe(3_124_802)
  })
})
