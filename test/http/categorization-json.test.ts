import { describe, expect, it } from 'vitest'
import type { EyodTransaction } from '../../src/domain/enrichment/adapters.ts'
import { categorizationItem } from '../../src/domain/enrichment/categorization.ts'
import type { Categorized } from '../../src/domain/enrichment/categorize.ts'
import { categorizationJson } from '../../src/http/plugins/categorization-json.ts'

/** The categorization answer is written as bytes piece by piece: it must be the bytes JSON.stringify gives. */
async function bytes(stream: AsyncIterable<Uint8Array>): Promise<{ text: string; chunks: number }> {
  const parts: Buffer[] = []
  for await (const chunk of stream) parts.push(Buffer.from(chunk))
  return { text: Buffer.concat(parts).toString('utf8'), chunks: parts.length }
}

const descriptions = ['PAGO ÑANDÚ', 'PIX RECEBIDO – JOÃO 😀', 'SAY "HI" \\ TAB\there', 'OXXO 1234', 'x'.repeat(70_000)]

function item(i: number): EyodTransaction {
  return {
    transaction_id: i % 7 ? `t${i}` : `tü${i}"`,
    account_holder_type: 'INDIVIDUAL',
    account_holder_id: `holder-${i % 3}`,
    account_id: `acc-${i % 5}`,
    account_category: i % 4 ? 'CHECKING_ACCOUNT' : 'CREDIT_CARD',
    value_date: `2025-0${1 + (i % 9)}-1${i % 10}`,
    description: descriptions[i % (i < 600 ? 4 : 5)],
    type: i % 2 ? 'INFLOW' : 'OUTFLOW',
    amount: i % 3 ? i + 0.25 : 1e21 + i,
    currency: 'MXN',
    institution: 'Banco Ñ',
    ...(i % 4 ? {} : { mcc: i % 8 ? 5411 : null }),
    extra: 'not echoed',
  }
}

function result(i: number): Categorized {
  return {
    category: 'Food & Groceries',
    subcategory: i % 2 ? null : 'Groceries',
    merchant: i % 3 ? null : { name: i % 6 ? 'Café' : 'Oxxo', logo: i % 9 ? 'https://www.oxxo.com/favicon.ico' : null, website: 'https://www.oxxo.com' },
    confidence: i % 5 ? 0.95 : 0.1,
    rule: i % 2 ? 'merchant:oxxo' : 'keyword:ñ',
  }
}

describe('categorizationJson', () => {
  it.each([0, 1, 3, 700])('writes %i items as JSON.stringify of their answers does', async (count) => {
    const items = Array.from({ length: count }, (_, i) => item(i))
    const results = items.map((_, i) => result(i))
    const { text, chunks } = await bytes(categorizationJson(items, results))
    expect(text).toBe(JSON.stringify({ transactions: items.map((it, i) => categorizationItem(it, results[i])) }))
    // Large answers leave in several chunks (a description longer than a chunk included).
    if (count === 700) expect(chunks).toBeGreaterThan(3)
  })

  it('writes an item the schema would not let through as JSON.stringify does', async () => {
    const odd = [{ ...item(1), amount: '12.50' as unknown as number }, { ...item(2), account_category: undefined }, item(3)]
    const results = odd.map((_, i) => result(i))
    const { text } = await bytes(categorizationJson(odd, results))
    expect(text).toBe(JSON.stringify({ transactions: odd.map((it, i) => categorizationItem(it, results[i])) }))
  })
})
