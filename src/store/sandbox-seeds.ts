import type { Queryable } from './db.ts'

/** Sandbox seeds (0023, domain/sandbox-seed.ts): an organization's seed and its counters. */

export interface SeedRow {
  seed: string
  updated_at: string
}

export async function findSandboxSeed(db: Queryable, organizationId: string): Promise<SeedRow | undefined> {
  const rows = await db.query<{ seed: string; updated_at: Date | string }>('SELECT seed, updated_at FROM sandbox_seeds WHERE organization_id = $1', [
    organizationId,
  ])
  return rows[0] ? { seed: rows[0].seed, updated_at: new Date(rows[0].updated_at).toISOString() } : undefined
}

export async function setSandboxSeed(db: Queryable, organizationId: string, seed: string, at: string): Promise<SeedRow> {
  await db.query(
    `INSERT INTO sandbox_seeds (organization_id, seed, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (organization_id) DO UPDATE SET seed = EXCLUDED.seed, updated_at = EXCLUDED.updated_at`,
    [organizationId, seed, at],
  )
  return { seed, updated_at: at }
}

export async function deleteSandboxSeed(db: Queryable, organizationId: string): Promise<boolean> {
  return (await db.query('DELETE FROM sandbox_seeds WHERE organization_id = $1 RETURNING 1', [organizationId])).length === 1
}

/**
 * The next unit of the organization's `stream`, with its seed, in one statement; nothing when the
 * organization has no seed (no counter is taken then).
 */
export async function nextSeedUnit(db: Queryable, organizationId: string, stream: string): Promise<{ seed: string; counter: string } | undefined> {
  const rows = await db.query<{ seed: string; counter: string | number }>(
    `INSERT INTO sandbox_seed_counters AS c (organization_id, stream, counter)
       SELECT organization_id, $2, 1 FROM sandbox_seeds WHERE organization_id = $1
     ON CONFLICT (organization_id, stream) DO UPDATE SET counter = c.counter + 1
     RETURNING c.counter::text AS counter, (SELECT seed FROM sandbox_seeds WHERE organization_id = $1) AS seed`,
    [organizationId, stream],
  )
  const row = rows[0]
  return row ? { seed: row.seed, counter: String(row.counter) } : undefined
}
