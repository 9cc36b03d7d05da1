import { describe, expect, it } from 'vitest'
import { parseDay } from '../../src/connectors/sandbox/calendar.ts'
import { complianceOutcome, mexicoComplianceRecords, pendingObligations } from '../../src/connectors/sandbox/fiscal/mexico-compliance.ts'
import { mexicoTaxStatusRecords, satUpper, slashDate, spanishDate } from '../../src/connectors/sandbox/fiscal/mexico-tax-status.ts'
import { mexicoTaxpayer } from '../../src/connectors/sandbox/fiscal/mexico-taxpayer.ts'
import { buildWorld } from '../../src/connectors/sandbox/world.ts'
import type { ConnectorContext, InstitutionRecord } from '../../src/connectors/types.ts'

const TATOOINE = { id: 1013, name: 'tatooine_mx_fiscal', country: 'MX', shape: 'multiregion' as const }

function world(username: string, profile: string, today = '2026-03-10') {
  const ctx: ConnectorContext = {
    institution: TATOOINE,
    credentials: { username, password: profile },
    linkSeed: `seed-${username}`,
    profile,
    today,
    accessedAt: `${today}T12:00:00.000Z`,
  }
  return buildWorld(ctx)
}

async function first(batches: AsyncIterable<InstitutionRecord[]>): Promise<InstitutionRecord> {
  for await (const batch of batches) return batch[0]
  throw new Error('no record')
}

describe("the SAT's certificates in the sandbox", () => {
  it('write names and dates as the SAT does', () => {
    expect(satUpper('Peña Nieto, Querétaro')).toBe('PEÑA NIETO, QUERETARO')
    expect(spanishDate(parseDay('2026-03-10'))).toBe('10 de marzo de 2026')
    expect(slashDate(parseDay('2026-03-10'))).toBe('10/03/2026')
  })

  it("are the link's taxpayer: the RFC, regimes and activities of mexico-taxpayer.ts", async () => {
    const w = world('fiscal100', 'full')
    const taxpayer = mexicoTaxpayer(w)
    const status = await first(mexicoTaxStatusRecords(w, false))
    expect(status).toMatchObject({ tax_payer_information: { rfc: taxpayer.rfc, curp: taxpayer.curp }, official_name: taxpayer.name, pdf: null })
    expect((status.economic_activity as { economic_activity: string; percentage: string }[]).map((a) => [a.economic_activity, Number(a.percentage)])).toEqual(
      taxpayer.activities.map((a) => [a.description, a.percentage]),
    )
    expect((status.regimes as unknown[]).length).toBe(taxpayer.regimes.length)
    expect(status.address).toMatchObject({ postal_code: taxpayer.address.zipCode, exterior_number: taxpayer.address.exteriorNumber })
    expect(await first(mexicoComplianceRecords(w, false))).toMatchObject({ rfc: taxpayer.rfc, outcome: 'POSITIVE', pdf: null })
  })

  it('are the same bytes for the same day, and new documents on another day', async () => {
    const pdfOf = async (today: string) => (await first(mexicoTaxStatusRecords(world('fiscal100', 'full', today), true))).pdf
    const opinionOf = async (today: string) => first(mexicoComplianceRecords(world('fiscal100', 'full', today), true))
    expect(await pdfOf('2026-03-10')).toBe(await pdfOf('2026-03-10'))
    expect(await pdfOf('2026-03-11')).not.toBe(await pdfOf('2026-03-10'))
    const [today, tomorrow] = [await opinionOf('2026-03-10'), await opinionOf('2026-03-11')]
    expect(today).toEqual(await opinionOf('2026-03-10'))
    expect(tomorrow.internal_identification).not.toBe(today.internal_identification)
  })

  it("find the negative persona's last overdue monthly payments: the 17th of the month after is the deadline", () => {
    expect(complianceOutcome(world('bnk103', 'negative'))).toBe('NEGATIVE')
    const on17 = pendingObligations(world('bnk103', 'negative', '2026-03-17'))
    expect(on17.map((p) => [p.month, p.year])).toEqual([
      [1, 2026],
      [1, 2026],
    ])
    const on18 = pendingObligations(world('bnk103', 'negative', '2026-03-18'))
    expect(on18.every((p) => p.month === 2 && p.year === 2026)).toBe(true)
    expect(on18.map((p) => p.obligation)).toContain('Pago definitivo mensual de IVA.')
    // In January, December's payments of the year before.
    expect(pendingObligations(world('bnk103', 'negative', '2026-01-20')).every((p) => p.month === 12 && p.year === 2025)).toBe(true)
    expect(pendingObligations(world('fiscal100', 'full'))).toEqual([])
  })
})
