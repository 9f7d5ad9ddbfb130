/**
 * What the demo prints about the simulated Alza: dropship orders by state and the branch's stock
 * (on hand, reserved, available), with the change since the previous look. Read from orderhub's
 * store, so it shows what orderhub did with the orders, not what the driver meant to do.
 */
import { sql } from 'kysely';
import type { StoreHandle } from '../../../core/store/db.ts';
import type { AlzaDropshipConfig } from '../config.ts';
import { dropshipDb } from '../store.ts';

interface Snapshot {
  states: Record<string, number>;
  onHand: number;
  reserved: number;
}

export class ActivityReporter {
  private last: Snapshot | null = null;

  constructor(
    private readonly store: StoreHandle,
    private readonly config: AlzaDropshipConfig,
  ) {}

  async describe(): Promise<string | null> {
    const now = await this.snapshot();
    const before = this.last;
    this.last = now;
    const total = Object.values(now.states).reduce((a, b) => a + b, 0);
    const delta = (n: number, was: number | undefined) => (before && n !== (was ?? 0) ? ` (${n - (was ?? 0) > 0 ? '+' : ''}${n - (was ?? 0)})` : '');
    if (before && JSON.stringify(before) === JSON.stringify(now)) return null;
    const states = Object.entries(now.states)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([state, n]) => `${n} ${state}${delta(n, before?.states[state])}`)
      .join(', ');
    return `${this.config.name}: ${total} dropship order(s)${states ? `: ${states}` : ''}; stock ${now.onHand} on hand${delta(now.onHand, before?.onHand)}, `
      + `${now.reserved} reserved${delta(now.reserved, before?.reserved)}, ${now.onHand - now.reserved} available`;
  }

  private async snapshot(): Promise<Snapshot> {
    const db = dropshipDb(this.store);
    const rows = await db
      .selectFrom('dropship_orders')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('connection', '=', this.config.name)
      .groupBy('state')
      .execute();
    const stock = await db
      .selectFrom('dropship_products')
      .select([sql<number>`coalesce(sum(on_hand), 0)`.as('on_hand'), sql<number>`coalesce(sum(reserved), 0)`.as('reserved')])
      .where('supplier_id', '=', String(this.config.supplierId))
      .where('branch_id', '=', String(this.config.supplierBranchId))
      .executeTakeFirstOrThrow();
    return {
      states: Object.fromEntries(rows.map((r) => [r.state, Number(r.n)])),
      onHand: Number(stock.on_hand),
      reserved: Number(stock.reserved),
    };
  }
}
