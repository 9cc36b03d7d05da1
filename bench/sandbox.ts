import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CATALOG, wireShape } from '../src/connectors/catalog.ts'
import { createSandboxConnector } from '../src/connectors/sandbox/connector.ts'
import type { ConnectorContext, InstitutionRecord, Period } from '../src/connectors/types.ts'
import { openDb } from '../src/store/db.ts'
import { unnestCeiling } from './ceilings.ts'
import { fmt, report } from './lib.ts'

/**
 * How fast the sandbox invents data, in this process, without a database:
 *   dense history (scale_2y_20a, 20 accounts x 2 years x 5 a day) cold and warm, transactions/s,
 *     against the unnest ingest ceiling (PERF.md C7) on PGlite on disk, measured in the same run:
 *     at a ratio >= 1 the generator never bounds an ingest, the database does;
 *   a year of the rich persona (bnk100/full) for a fresh link, ms.
 * These were asserted by the functional tests once (> 100,000 transactions/s, < 500 ms), which a
 * loaded machine failed; here they are reported, never failed on.
 */
const TODAY = '2025-06-18'
const YEAR: Period = { dateFrom: '2024-06-18', dateTo: TODAY }

function institution(name: string) {
  const found = CATALOG.find((i) => i.name === name)
  if (!found) throw new Error(`no institution ${name} in the catalog`)
  return { id: found.id, name: found.name, country: found.country, shape: wireShape(found) }
}

function context(inst: ReturnType<typeof institution>, username: string, password: string, linkSeed: string): ConnectorContext {
  return { institution: inst, credentials: { username, password }, linkSeed, profile: password, today: TODAY, accessedAt: `${TODAY}T12:00:00.000Z` }
}

/** Transactions per second of one whole retrieval, and how many there were. */
async function generate(ctx: ConnectorContext, period: Period): Promise<{ count: number; ms: number }> {
  const started = performance.now()
  let count = 0
  const batches = createSandboxConnector(ctx.institution).fetch('TRANSACTIONS', ctx, { period }) as AsyncIterable<InstitutionRecord[]>
  for await (const batch of batches) count += batch.length
  return { count, ms: performance.now() - started }
}

const br = institution('erebor_br_retail')
const mx = institution('erebor_mx_retail')
const all: Period = { dateFrom: '2000-01-01', dateTo: TODAY }
const cold = await generate(context(br, 'scale_2y_20a', 'scale_2y_20a', 'scale-cold'), all)
const warm = await generate(context(br, 'scale_2y_20a', 'scale_2y_20a', 'scale-warm'), all)
const year = await generate(context(mx, 'bnk100', 'full', 'fresh-seed'), YEAR)

const dataDir = mkdtempSync(join(tmpdir(), 'ponte-bench-sandbox-'))
let ceiling: number
try {
  const db = await openDb({ dataDir })
  try {
    ceiling = await unnestCeiling(db)
  } finally {
    await db.close()
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}

const rate = (r: { count: number; ms: number }) => r.count / (r.ms / 1000)
report('sandbox generation (one process, no database)', [
  {
    figure: 'dense history, cold',
    value: `${fmt(rate(cold))} tx/s (${fmt(cold.count)} in ${fmt(cold.ms)} ms)`,
    ceiling: `${fmt(ceiling)} rows/s (C7 unnest, PGlite on disk)`,
    ratio: fmt(rate(cold) / ceiling, 2),
    target: '>= 1',
  },
  {
    figure: 'dense history, warm',
    value: `${fmt(rate(warm))} tx/s (${fmt(warm.count)} in ${fmt(warm.ms)} ms)`,
    ceiling: `${fmt(ceiling)} rows/s (C7 unnest, PGlite on disk)`,
    ratio: fmt(rate(warm) / ceiling, 2),
    target: '>= 1',
  },
  {
    figure: '12 months of bnk100/full, fresh link',
    value: `${fmt(year.ms)} ms for ${fmt(year.count)} transactions`,
    ceiling: '-',
    ratio: '-',
    target: 'reported',
  },
])
