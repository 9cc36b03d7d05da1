import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  COUNTRIES,
  DATA_DIR,
  fileName,
  generateSet,
  serializeSet,
  type Country,
  type LabelledPerson,
  type LabelledSet,
} from '../../eval/enrichment/generate.ts'
import { ACCOUNT_CATEGORIES, CATEGORIES, INCOME_FREQUENCIES, INCOME_TYPES, RECURRING_FREQUENCIES, isValidPair } from '../../eval/enrichment/taxonomy.ts'
import { schemaErrors, specsAvailable } from '../helpers/spec.ts'

/**
 * The enrichment evaluation set (eval/enrichment/) is well formed: what the committed files hold is
 * what the generator writes, every value is Belvo's, every label points at a transaction of its
 * person. Not a test of the methods' scores: `npm run eval:enrichment` prints those.
 */
const CURRENCY: Record<Country, string> = { MX: 'MXN', BR: 'BRL', CO: 'COP' }
const read = (path: string) => readFileSync(path, 'utf8')
const hardCases = JSON.parse(read(new URL('../../eval/enrichment/hard-cases.json', import.meta.url).pathname)) as { people: LabelledPerson[] }

/** Every problem of one person's transactions and labels, as readable lines. */
function problems(person: LabelledPerson): string[] {
  const out: string[] = []
  const ids = new Set(person.transactions.map((t) => t.transaction_id))
  if (ids.size !== person.transactions.length) out.push(`${person.id}: duplicate transaction ids`)
  const labelled = new Set(person.labels.map((l) => l.transaction_id))
  if (labelled.size !== person.labels.length) out.push(`${person.id}: a transaction labelled twice`)
  for (const id of ids) if (!labelled.has(id)) out.push(`${id}: no label`)
  const direction = new Map(person.transactions.map((t) => [t.transaction_id, t.type]))
  for (const t of person.transactions) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(t.value_date)) out.push(`${t.transaction_id}: value_date ${t.value_date}`)
    if (!(t.amount > 0) || Number(t.amount.toFixed(2)) !== t.amount) out.push(`${t.transaction_id}: amount ${t.amount}`)
    if (t.currency !== CURRENCY[person.country]) out.push(`${t.transaction_id}: currency ${t.currency}`)
    if (!ACCOUNT_CATEGORIES.includes(t.account_category)) out.push(`${t.transaction_id}: account_category ${t.account_category}`)
    if (t.account_category !== 'CREDIT_CARD' && t.mcc !== undefined) out.push(`${t.transaction_id}: an MCC outside a card`)
    if (t.value_date >= person.today) out.push(`${t.transaction_id}: dated on or after today`)
  }
  const sizes = new Map<string, { n: number; kind: string }>()
  for (const l of person.labels) {
    if (!ids.has(l.transaction_id)) out.push(`${l.transaction_id}: label of no transaction`)
    if (!CATEGORIES.includes(l.category)) out.push(`${l.transaction_id}: category ${l.category}`)
    if (!isValidPair(l.category, l.subcategory)) out.push(`${l.transaction_id}: subcategory ${l.subcategory} under ${l.category}`)
    if (l.income_stream) {
      if (!INCOME_TYPES.includes(l.income_type!)) out.push(`${l.transaction_id}: income_type ${l.income_type}`)
      if (!INCOME_FREQUENCIES.includes(l.income_frequency!)) out.push(`${l.transaction_id}: income_frequency ${l.income_frequency}`)
      if (direction.get(l.transaction_id) !== 'INFLOW') out.push(`${l.transaction_id}: an income that is not an inflow`)
      if (!l.income_stream.startsWith(`${person.id}-`)) out.push(`${l.transaction_id}: stream ${l.income_stream} of another person`)
      const s = sizes.get(l.income_stream) ?? { n: 0, kind: 'income' }
      sizes.set(l.income_stream, { ...s, n: s.n + 1 })
    } else if (l.income_type || l.income_frequency) out.push(`${l.transaction_id}: income type without a stream`)
    if (l.recurring_group) {
      if (!RECURRING_FREQUENCIES.includes(l.recurring_frequency!)) out.push(`${l.transaction_id}: recurring_frequency ${l.recurring_frequency}`)
      if (direction.get(l.transaction_id) !== 'OUTFLOW') out.push(`${l.transaction_id}: a recurring expense that is not an outflow`)
      if (!l.recurring_group.startsWith(`${person.id}-`)) out.push(`${l.transaction_id}: group ${l.recurring_group} of another person`)
      const s = sizes.get(l.recurring_group) ?? { n: 0, kind: 'recurring' }
      sizes.set(l.recurring_group, { ...s, n: s.n + 1 })
    } else if (l.recurring_frequency) out.push(`${l.transaction_id}: frequency without a group`)
  }
  // A stream or a group is a pattern: at least three occurrences (two for a yearly charge).
  for (const [id, { n }] of sizes) if (n < 2) out.push(`${id}: only ${n} transaction`)
  return out
}

describe('the enrichment evaluation set', () => {
  const sets = new Map<Country, LabelledSet>(COUNTRIES.map((c) => [c, JSON.parse(read(`${DATA_DIR}${fileName(c)}`)) as LabelledSet]))

  it.each(COUNTRIES)('%s: the committed file is what the generator writes, byte for byte', (country) => {
    expect(serializeSet(generateSet(country)) === read(`${DATA_DIR}${fileName(country)}`)).toBe(true)
  })

  it.each(COUNTRIES)('%s: transactions and labels are well formed, in Belvo taxonomy, every label on a transaction', (country) => {
    const set = sets.get(country)!
    expect(set.people.length).toBeGreaterThanOrEqual(20)
    expect(set.people.flatMap(problems)).toEqual([])
    expect(set.people.every((p) => p.country === country)).toBe(true)
  })

  it('ids are unique across the whole set, and the hard cases use none of them', () => {
    const all = [...sets.values(), hardCases].flatMap((s) => s.people.flatMap((p) => p.transactions.map((t) => t.transaction_id)))
    expect(new Set(all).size).toBe(all.length)
  })

  it('holds the hard cases it is meant to hold', () => {
    const labels = [...sets.values()].flatMap((s) => s.people.flatMap((p) => p.labels))
    const types = new Set(labels.map((l) => l.income_type).filter(Boolean))
    for (const type of ['SALARY', 'FREELANCE', 'RETIREMENT', 'GOVERNMENT', 'RENT', 'INTEREST']) expect(types).toContain(type)
    const frequencies = new Set(labels.map((l) => l.recurring_frequency).filter(Boolean))
    for (const f of RECURRING_FREQUENCIES) expect(frequencies).toContain(f)
    const incomeFrequencies = new Set(labels.map((l) => l.income_frequency).filter(Boolean))
    for (const f of ['MONTHLY', 'FORTNIGHTLY', 'WEEKLY', 'IRREGULAR']) expect(incomeFrequencies).toContain(f)
    const notes = labels.map((l) => l.note ?? '')
    for (const trap of ['own accounts', 'refund', 'card bill', 'one-off bonus', 'duplicate charge', 'loan disbursement'])
      expect(notes.some((n) => n.includes(trap))).toBe(true)
  })

  it('the hand-written hard cases are well formed too (at least 40 transactions)', () => {
    expect(hardCases.people.reduce((n, p) => n + p.transactions.length, 0)).toBeGreaterThanOrEqual(40)
    expect(hardCases.people.flatMap(problems)).toEqual([])
  })

  it.skipIf(!specsAvailable())("every transaction is a valid body item of Belvo's categorization request (1.35.0)", () => {
    const people = [...[...sets.values()].flatMap((s) => s.people), ...hardCases.people]
    const bad = people.flatMap((p) =>
      p.transactions.flatMap((t) => schemaErrors('legacy', 'CategorizationBodyRequest', t).map((e) => `${t.transaction_id}: ${e}`)),
    )
    expect(bad.slice(0, 5)).toEqual([])
  })

  it('is written apart from the sandbox generator', () => {
    for (const file of ['generate.ts', 'taxonomy.ts', 'evaluate.ts']) {
      expect(read(new URL(`../../eval/enrichment/${file}`, import.meta.url).pathname)).not.toMatch(/from '[^']*connectors\/sandbox/)
    }
  })
})
