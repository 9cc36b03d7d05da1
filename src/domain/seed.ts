import { SCALE_LIMITS } from '../connectors/sandbox/personas.ts'
import { TRANSACTIONS } from './banking.ts'
import type { Actor, DomainContext } from './context.ts'
import { registerLink } from './links.ts'
import { retrieve } from './resources.ts'
import { underOrganizationTime } from './sandbox-clock.ts'

/**
 * `ponte seed`: a large synthetic tenant, built by the path the benchmarks measure (bench/
 * transactions.ts ingest): links of the sandbox's scale persona (`scale_<years>y_<accounts>a`),
 * each retrieving its whole history of transactions through the connector into the store, in the
 * connector's batches, by the same bulk write (COPY for a link's first transactions) as any
 * historical update. Links alternate between sandbox institutions.
 */

export const SEED_INSTITUTIONS = ['erebor_mx_retail', 'gringotts_mx_retail']
export const SEED_LIMITS = { links: 10_000, years: SCALE_LIMITS.years, accounts: SCALE_LIMITS.accounts }

export interface SeedOptions {
  links: number
  years: number
  accounts: number
}

export interface SeedProgress {
  linksDone: number
  links: number
  rows: number
  /** Rows of a whole link, once one link is done (all links have the same profile). */
  rowsPerLink?: number
}

export interface SeedResult {
  links: string[]
  rows: number
}

export async function seedTenant(ctx: DomainContext, actor: Actor, options: SeedOptions, progress: (p: SeedProgress) => void = () => {}): Promise<SeedResult> {
  return underOrganizationTime(ctx, actor.organizationId, async () => {
    const today = ctx.clock.now()
    const to = today.toISOString().slice(0, 10)
    const from = new Date(today.getTime() - options.years * 365 * 86_400_000).toISOString().slice(0, 10)
    const state: SeedProgress = { linksDone: 0, links: options.links, rows: 0 }
    const links: string[] = []
    progress({ ...state })
    for (let i = 0; i < options.links; i++) {
      // Single access, nothing fetched in the background: the transactions below are the link's data.
      const link = await registerLink(ctx, actor, {
        institution: SEED_INSTITUTIONS[i % SEED_INSTITUTIONS.length],
        username: `scale_${options.years}y_${options.accounts}a`,
        password: 'full',
        access_mode: 'single',
        fetch_resources: [],
      })
      links.push(link.id)
      const before = state.rows
      await retrieve(
        ctx,
        actor,
        TRANSACTIONS,
        { link: link.id, date_from: from, date_to: to },
        {
          collect: false,
          onBatch: (rows) => {
            state.rows += rows
            progress({ ...state })
          },
        },
      )
      state.linksDone++
      state.rowsPerLink ??= state.rows - before
      progress({ ...state })
    }
    return { links, rows: state.rows }
  })
}
