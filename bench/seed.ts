import { loadConfig, webhookSettings } from '../src/config.ts'
import { ConnectorRegistry } from '../src/connectors/registry.ts'
import { createSecretKey } from '../src/domain/keys.ts'
import { seedTenant } from '../src/domain/seed.ts'
import { contextualClock, systemClock } from '../src/lib/clock.ts'
import { startUp } from '../src/main.ts'
import { unnestCeiling } from './ceilings.ts'
import { fmt, forEachBackend, report } from './lib.ts'

/**
 * `ponte seed` (issue 18) in rows per second, on PGlite (on disk) and on PostgreSQL when
 * BENCH_DATABASE_URL answers: BENCH_SEED_LINKS links (default 10) of BENCH_SEED_YEARS years
 * (default 4) on BENCH_SEED_ACCOUNTS accounts (default 10), by domain/seed.ts as the command runs
 * it, against the unnest ingest ceiling (C6/C7) measured in the same run on the same database.
 * Target: the ingest's own, >= 0.5 (bench/transactions.ts).
 */
const LINKS = Number(process.env.BENCH_SEED_LINKS ?? 10)
const YEARS = Number(process.env.BENCH_SEED_YEARS ?? 4)
const ACCOUNTS = Number(process.env.BENCH_SEED_ACCOUNTS ?? 10)

async function runBackend(name: string, env: Record<string, string>): Promise<void> {
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' })
  const { db, cipher, jobs } = await startUp(config, { cipher: true, queue: true })
  try {
    const ctx = { db, clock: contextualClock(systemClock), cipher, jobs, connectors: new ConnectorRegistry(), webhooks: webhookSettings(config) }
    const unnestRate = await unnestCeiling(db)
    const key = await createSecretKey(db, { newOrganization: 'bench-seed' })
    const started = performance.now()
    const result = await seedTenant(ctx, { organizationId: key.organizationId }, { links: LINKS, years: YEARS, accounts: ACCOUNTS })
    const seconds = (performance.now() - started) / 1000
    const rate = result.rows / seconds
    report(`seed on ${name}`, [
      {
        figure: `seed --links ${LINKS} --years ${YEARS} --accounts ${ACCOUNTS} (${fmt(result.rows)} rows)`,
        value: `${fmt(rate)} rows/s (${fmt(seconds, 1)} s)`,
        ceiling: `${fmt(unnestRate)} rows/s (unnest)`,
        ratio: fmt(rate / unnestRate, 2),
        target: '>= 0.5',
      },
    ])
  } finally {
    await jobs.stop()
    await db.close()
  }
}

await forEachBackend('ponte_bench_seed', runBackend)
