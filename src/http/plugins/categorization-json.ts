import { Readable } from 'node:stream'
import type { EyodTransaction } from '../../domain/enrichment/adapters.ts'
import { categorizationItem } from '../../domain/enrichment/categorization.ts'
import type { Categorized, CategorizedMerchant } from '../../domain/enrichment/categorize.ts'

/**
 * The JSON answer of `POST /api/categorization/` (`{"transactions": [...]}`, up to 20,000 items,
 * about 11 MB), written straight into bytes: the same bytes as `JSON.stringify` of
 * `categorizationItem` for each item, encoded as UTF-8 (test/http/categorization-json.test.ts), at
 * about half of its cost. Most of an answer repeats: the holder's and account's ids, the day, the
 * description (8,733 distinct among the benchmark's 20,000), the category, the merchant and the
 * rule. Each distinct string is turned into JSON bytes once per answer and copied where it
 * appears; only the transaction's own id and the numbers are written for every item, and no
 * object or string of the answer is built (string concatenation measured slower than
 * JSON.stringify itself). The bytes leave in chunks of about 64 KiB as they are written, so the
 * client reads while the rest is being written.
 */

const CHUNK_BYTES = 64 * 1024

/** Bytes written into chunks; a full chunk is handed to `emit`. */
class ByteWriter {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES)
  private pos = 0
  constructor(private readonly emit: (chunk: Buffer) => void) {}

  /** Room for `n` more bytes in the current chunk. */
  private room(n: number): void {
    if (this.pos + n <= this.chunk.length) return
    this.flush()
    if (n > this.chunk.length) this.chunk = Buffer.allocUnsafe(n)
  }

  flush(): void {
    if (this.pos === 0) return
    this.emit(this.chunk.subarray(0, this.pos))
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES)
    this.pos = 0
  }

  bytes(bytes: Uint8Array): void {
    this.room(bytes.length)
    this.chunk.set(bytes, this.pos)
    this.pos += bytes.length
  }

  /** Text that is ASCII when its length says so cheaply (a number's digits); any text otherwise. */
  text(text: string): void {
    const n = text.length
    this.room(n)
    const chunk = this.chunk
    const start = this.pos
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i)
      if (c >= 0x80) {
        // Not ASCII after all: UTF-8 takes up to 3 bytes per UTF-16 unit.
        this.room(n * 3)
        this.pos += this.chunk.write(text, this.pos, 'utf8')
        return
      }
      chunk[start + i] = c
    }
    this.pos = start + n
  }
}

export function categorizationJson(items: readonly EyodTransaction[], results: readonly Categorized[]): Readable {
  /** `,"<field>":<value as JSON>` as UTF-8 bytes, made once per distinct value of each field. */
  const field = (name: string) => {
    const cache = new Map<string, Buffer>()
    const prefix = `,${JSON.stringify(name)}:`
    return (value: string): Buffer => {
      let bytes = cache.get(value)
      if (bytes === undefined) cache.set(value, (bytes = Buffer.from(prefix + JSON.stringify(value), 'utf8')))
      return bytes
    }
  }
  const F = {
    holderType: field('account_holder_type'),
    holder: field('account_holder_id'),
    account: field('account_id'),
    accountCategory: field('account_category'),
    valueDate: field('value_date'),
    description: field('description'),
    type: field('type'),
    currency: field('currency'),
    institution: field('institution'),
    category: field('category'),
    subcategory: field('subcategory'),
    rule: field('rule'),
  }
  // A merchant is written the same way each time it is named (keyed by name, checked whole).
  const merchants = new Map<string, { merchant: CategorizedMerchant; bytes: Buffer }>()
  const merchantBytes = (merchant: CategorizedMerchant): Buffer => {
    const known = merchants.get(merchant.name)
    if (known && known.merchant.logo === merchant.logo && known.merchant.website === merchant.website) return known.bytes
    const json = JSON.stringify({ logo: merchant.logo, website: merchant.website, merchant_name: merchant.name })
    const bytes = Buffer.from(`,"merchant":${json}`, 'utf8')
    merchants.set(merchant.name, { merchant, bytes })
    return bytes
  }
  const key = (text: string) => Buffer.from(text, 'utf8')
  const K = {
    first: key('{"transaction_id":'),
    next: key(',{"transaction_id":'),
    amount: key(',"amount":'),
    mcc: key(',"mcc":'),
    mccNull: key(',"mcc":null'),
    subcategoryNull: key(',"subcategory":null'),
    merchantNull: key(',"merchant":null'),
    confidence: key(',"confidence":'),
    end: key('}'),
    comma: key(','),
  }

  const write = (out: ByteWriter, i: number): void => {
    const item = items[i]
    const result = results[i]
    const { transaction_id: id, account_holder_type: holderType, account_holder_id: holder, account_category: accountCategory, institution } = item
    const mcc = item.mcc ?? null
    const { category, subcategory, merchant, confidence, rule } = result
    // The route's schema makes every field of the item what is written below; anything else
    // (never from a validated body) is written by JSON.stringify itself.
    if (
      typeof id !== 'string' ||
      typeof holderType !== 'string' ||
      typeof holder !== 'string' ||
      typeof item.account_id !== 'string' ||
      typeof accountCategory !== 'string' ||
      typeof item.value_date !== 'string' ||
      typeof item.description !== 'string' ||
      typeof item.type !== 'string' ||
      typeof item.amount !== 'number' ||
      !Number.isFinite(item.amount) ||
      typeof item.currency !== 'string' ||
      typeof institution !== 'string' ||
      (mcc !== null && (typeof mcc !== 'number' || !Number.isFinite(mcc)))
    ) {
      if (i > 0) out.bytes(K.comma)
      out.text(JSON.stringify(categorizationItem(item, result)))
      return
    }
    out.bytes(i > 0 ? K.next : K.first)
    out.text(JSON.stringify(id))
    out.bytes(F.holderType(holderType))
    out.bytes(F.holder(holder))
    out.bytes(F.account(item.account_id))
    out.bytes(F.accountCategory(accountCategory))
    out.bytes(F.valueDate(item.value_date))
    out.bytes(F.description(item.description))
    out.bytes(F.type(item.type))
    out.bytes(K.amount)
    out.text(String(item.amount))
    out.bytes(F.currency(item.currency))
    out.bytes(F.institution(institution))
    if (mcc === null) out.bytes(K.mccNull)
    else {
      out.bytes(K.mcc)
      out.text(String(mcc))
    }
    out.bytes(F.category(category))
    out.bytes(subcategory === null ? K.subcategoryNull : F.subcategory(subcategory))
    out.bytes(merchant ? merchantBytes(merchant) : K.merchantNull)
    out.bytes(K.confidence)
    out.text(String(confidence))
    out.bytes(F.rule(rule))
    out.bytes(K.end)
  }

  function* chunks(): Generator<Buffer> {
    const ready: Buffer[] = []
    const out = new ByteWriter((chunk) => ready.push(chunk))
    out.text('{"transactions":[')
    for (let i = 0; i < items.length; i++) {
      write(out, i)
      if (ready.length > 0) {
        yield* ready
        ready.length = 0
      }
    }
    out.text(']}')
    out.flush()
    yield* ready
  }
  return Readable.from(chunks(), { objectMode: false })
}
