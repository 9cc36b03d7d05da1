import type { Queryable } from './db.ts'

/** Sandbox seeds (0023, domain/sandbox-seed.ts): an organization's seed, its slot, its counters. */

export interface SeedRow {
  seed: string
  slot: number
  updated_at: string
}

export async function findSandboxSeed(db: Queryable, organizationId: string): Promise<SeedRow | undefined> {
  const rows = await db.query<{ seed: string; slot: number; updated_at: Date | string }>(
    'SELECT seed, slot, updated_at FROM sandbox_seeds WHERE organization_id = $1',
    [organizationId],
  )
  return rows[0] ? { seed: rows[0].seed, slot: Number(rows[0].slot), updated_at: new Date(rows[0].updated_at).toISOString() } : undefined
}

/**
 * The organization's slot for `seed`: the one it claimed before, else the next free one (1 for the
 * first organization to choose this seed). Two processes claiming at once: one insert finds its
 * slot taken (DO NOTHING) and tries the next.
 */
async function claimSlot(db: Queryable, organizationId: string, seed: string): Promise<number> {
  for (;;) {
    const claimed = await db.query<{ slot: number }>('SELECT slot FROM sandbox_seed_slots WHERE seed = $1 AND organization_id = $2', [seed, organizationId])
    if (claimed[0]) return Number(claimed[0].slot)
    const inserted = await db.query<{ slot: number }>(
      `INSERT INTO sandbox_seed_slots (seed, slot, organization_id)
       SELECT $1, coalesce(max(slot), 0) + 1, $2 FROM sandbox_seed_slots WHERE seed = $1
       ON CONFLICT DO NOTHING RETURNING slot`,
      [seed, organizationId],
    )
    if (inserted[0]) return Number(inserted[0].slot)
  }
}

export async function setSandboxSeed(db: Queryable, organizationId: string, seed: string, at: string): Promise<SeedRow> {
  const slot = await claimSlot(db, organizationId, seed)
  await db.query(
    `INSERT INTO sandbox_seeds (organization_id, seed, slot, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (organization_id) DO UPDATE SET seed = EXCLUDED.seed, slot = EXCLUDED.slot, updated_at = EXCLUDED.updated_at`,
    [organizationId, seed, slot, at],
  )
  return { seed, slot, updated_at: at }
}

export async function deleteSandboxSeed(db: Queryable, organizationId: string): Promise<boolean> {
  return (await db.query('DELETE FROM sandbox_seeds WHERE organization_id = $1 RETURNING 1', [organizationId])).length === 1
}

/**
 * The next unit of the organization's `stream`, with its seed, in one statement; nothing when the
 * organization has no seed (no counter is taken then).
 */
export async function nextSeedUnit(db: Queryable, organizationId: string, stream: string): Promise<{ seed: string; slot: number; counter: string } | undefined> {
  const rows = await db.query<{ seed: string; slot: number; counter: string | number }>(
    `INSERT INTO sandbox_seed_counters AS c (organization_id, stream, counter)
       SELECT organization_id, $2, 1 FROM sandbox_seeds WHERE organization_id = $1
     ON CONFLICT (organization_id, stream) DO UPDATE SET counter = c.counter + 1
     RETURNING c.counter::text AS counter,
       (SELECT seed FROM sandbox_seeds WHERE organization_id = $1) AS seed,
       (SELECT slot FROM sandbox_seeds WHERE organization_id = $1) AS slot`,
    [organizationId, stream],
  )
  const row = rows[0]
  return row ? { seed: row.seed, slot: Number(row.slot), counter: String(row.counter) } : undefined
}
