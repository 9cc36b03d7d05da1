import { PonteError } from '../lib/errors.ts'
import { seededIdSource, withIdSource, type IdSource } from '../lib/ids.ts'
import * as store from '../store/sandbox-seeds.ts'
import type { DomainContext } from './context.ts'

/**
 * Sandbox seeds (issue 18, /sandbox/seed/, `npx ponte sandbox seed`, docs/determinism.md).
 *
 * An organization with a seed draws every id from it instead of randomness: link, account,
 * transaction and other resource ids, request ids, MFA sessions, webhook ids. Each unit of work
 * (a secret-key or widget API request, a job run) takes the next number of its stream from the
 * database (store/sandbox-seeds.ts nextSeedUnit) and runs under lib/ids.ts withIdSource; ids are
 * then HMAC-SHA256(seed, organization id, stream, number, draw). With the sandbox clock pinned too,
 * the same requests in the same order give the same responses, byte for byte, on any fresh
 * database where the organization has the same id (links carry it in `created_by` anyway).
 * - Streams: `request` for the APIs' requests (in the order they arrive), `read` for their GETs,
 *   `job/<queue>/<request id>/...`
 *   for jobs (named by the request that caused them, so jobs running in any order draw the same).
 * - Two organizations with the same seed draw apart (the organization id is in every draw), and
 *   counters never go back (a seed cleared and set again goes on where it stopped).
 * - Secrets stay random (lib/crypto.ts randomSecret, lib/ids.ts secretHex32): secret key
 *   passwords, webhook signing secrets, widget and payment-link tokens, authorization codes.
 * - "No seed" is cached for a second per process (invalidated at once in the process that sets it).
 */

export interface SeedView {
  seed: string | null
  updated_at: string | null
}

export const MAX_SEED_LENGTH = 200

/** Organizations known, for a second, to have no seed: most requests then cost no query. */
const knownUnseeded = new Map<string, number>()
const UNSEEDED_CACHE_MS = 1000

/** true while the organization is known (for a second) to have no seed: no query, no await. */
export function knownRandom(organizationId: string): boolean {
  return (knownUnseeded.get(organizationId) ?? 0) > Date.now()
}

/**
 * The id source of the next unit of work of the organization's `stream`, or undefined when it has
 * no seed. Its uuidv7 time is `ctx.clock`'s when drawn (the organization's sandbox clock, if pinned).
 */
export async function nextIdSource(ctx: Pick<DomainContext, 'db' | 'clock'>, organizationId: string, stream: string): Promise<IdSource | undefined> {
  if (knownRandom(organizationId)) return undefined
  const unit = await store.nextSeedUnit(ctx.db, organizationId, stream)
  if (!unit) {
    knownUnseeded.set(organizationId, Date.now() + UNSEEDED_CACHE_MS)
    return undefined
  }
  knownUnseeded.delete(organizationId)
  return seededIdSource({ ...unit, organizationId, stream, now: () => ctx.clock.now().getTime() })
}

/** Runs `fn` drawing ids from the organization's seed (the next unit of `stream`), if it has one. */
export async function underOrganizationIds<T>(
  ctx: Pick<DomainContext, 'db' | 'clock'>,
  organizationId: string,
  stream: string,
  fn: () => Promise<T>,
): Promise<T> {
  const source = await nextIdSource(ctx, organizationId, stream)
  return source ? withIdSource(source, fn) : fn()
}

/** A job's stream: named by what caused it, so that jobs of one request draw the same in any order. */
export function jobStream(queue: string, job: { requestId?: string; linkId?: string; kind?: string; resource?: string; processType?: string }): string {
  return ['job', queue, job.requestId ?? '', job.linkId ?? '', job.processType ?? job.kind ?? '', job.resource ?? ''].join('/')
}

export async function getSeed(ctx: Pick<DomainContext, 'db'>, organizationId: string): Promise<SeedView> {
  const row = await store.findSandboxSeed(ctx.db, organizationId)
  return row ?? { seed: null, updated_at: null }
}

export async function setSeed(ctx: Pick<DomainContext, 'db' | 'clock'>, organizationId: string, seed: unknown): Promise<SeedView> {
  if (typeof seed !== 'string' || seed.length === 0 || seed.length > MAX_SEED_LENGTH || seed.includes('\0')) {
    throw new PonteError('invalid', { field: 'seed', params: { detail: `a string of 1 to ${MAX_SEED_LENGTH} characters.` } })
  }
  const row = await ctx.db.tx((tx) => store.setSandboxSeed(tx, organizationId, seed, ctx.clock.now().toISOString()))
  knownUnseeded.delete(organizationId)
  return row
}

export async function resetSeed(ctx: Pick<DomainContext, 'db'>, organizationId: string): Promise<SeedView> {
  await store.deleteSandboxSeed(ctx.db, organizationId)
  knownUnseeded.set(organizationId, Date.now() + UNSEEDED_CACHE_MS)
  return { seed: null, updated_at: null }
}
