import type { Clock } from '../../lib/clock.ts'
import { hex32 } from '../../lib/ids.ts'
import type { Db, Queryable } from '../../store/db.ts'
import type { PaymentsCaller } from './audit.ts'

/** Most due charges one scheduler pass settles (of each kind); the next pass takes the rest. */
export const SETTLEMENTS_PER_PASS = 200

/**
 * The scheduler's settlement of due charges (intents' and payment authorizations'): `settleOne`
 * runs for each, in a transaction of its own, as the scheduler (its own request id in the
 * ledger). It takes the parent's row lock and re-reads the charge, answering false when another
 * worker already moved it, so that concurrent workers settle each charge once. Returns how many
 * it moved.
 */
export async function settleEachDue<T extends { organization_id: string }>(
  ctx: { db: Db; clock: Clock },
  due: readonly T[],
  settleOne: (tx: Queryable, caller: PaymentsCaller, item: T) => Promise<boolean>,
): Promise<number> {
  let moved = 0
  for (const item of due) {
    const caller: PaymentsCaller = { organizationId: item.organization_id, keyId: 'scheduler', requestId: hex32() }
    if (await ctx.db.tx((tx) => settleOne(tx, caller, item))) moved++
  }
  return moved
}
