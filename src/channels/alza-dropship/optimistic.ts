/**
 * Optimistic concurrency for the Supplier API. A command reads an order, decides, and writes only if
 * the order is still at the version it read (order-rows.ts `changeOrder`); when another request got
 * there first, the whole decision is made again from a fresh read, a few times, before Alza is asked
 * to resend. Transactions end early by throwing `Rollback` with the reason.
 */
import { ERROR_CODES } from './protocol.ts';
import type { DropshipDb } from './store.ts';
import { answer, type SupplierAnswer } from './supplier-answers.ts';

/** 'conflict': another request changed the order first; 'short': a product is not available. */
export type RollbackReason = 'conflict' | 'short';

/** Thrown inside a transaction to roll it back with a reason. */
export class Rollback extends Error {
  constructor(readonly reason: RollbackReason) {
    super(reason);
  }
}

/** Runs `work` in one transaction: 'ok' when it committed, the reason when it threw Rollback. */
export async function commitUnlessRolledBack(db: DropshipDb, work: (trx: DropshipDb) => Promise<void>): Promise<'ok' | RollbackReason> {
  try {
    await db.transaction().execute(work);
    return 'ok';
  } catch (err) {
    if (err instanceof Rollback) return err.reason;
    throw err;
  }
}

/** What an attempt returns when it lost a race: read the order again and decide again. */
export const LOST_RACE: unique symbol = Symbol('lost race');

const ATTEMPTS = 5;

/**
 * Runs `attempt` until it answers, at most five times; an order that keeps changing under the
 * command is answered 500 + GenericError, which tells Alza to resend.
 */
export async function retryLostRaces(orderNumber: string, attempt: () => Promise<SupplierAnswer | typeof LOST_RACE>): Promise<SupplierAnswer> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const outcome = await attempt();
    if (outcome !== LOST_RACE) return outcome;
  }
  return answer(500, ERROR_CODES.GenericError, `Order ${orderNumber} is being changed by concurrent requests; please resend`);
}
