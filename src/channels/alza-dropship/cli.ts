/**
 * `orderhub alza-dropship …`: stock (import, list), the dropship orders, Availability, and the
 * Buyer API messages a supplier sends as the goods move (ship, depart, track, delivered, rejected,
 * cancel), plus the outbox they go through. Every message command queues, tries to deliver at once
 * and says what happened; a message that must wait (resend intervals, Alza down) is sent by the
 * server's background worker or the next `outbox --deliver`.
 */
import type { Command } from 'commander';
import type { ChannelCliContext } from '../../core/connector.ts';
import { wallTimeToUtc } from '../../core/canonical/time.ts';
import type { StoreHandle } from '../../core/store/db.ts';
import { formatTable } from '../../cli/format.ts';
import { BuyerApiClient } from './buyer/client.ts';
import {
  queueAvailability, queueCreateShipment, queueDeleteShipment, queueDeliveryResult, queueDeparture, queueTrackAndTrace,
  type DeparturePackage,
} from './buyer/messages.ts';
import { deliverAndLoad, deliverOutbox, listOutbox, retryMessage } from './buyer/outbox.ts';
import type { AlzaDropshipConfig } from './config.ts';
import { DROPSHIP_ZONE, formatTimestamp } from './protocol.ts';
import { DropshipProjections } from './projection.ts';
import type { DropshipOrderRecord } from './record.ts';
import { importStockFile, listStock } from './stock.ts';
import { listDropshipOrders } from './store.ts';
import { releaseExpiredReservations } from './expiry.ts';

export interface OpenedDropship {
  store: StoreHandle;
  /** the store's projections for this command (projection.ts) */
  projections: DropshipProjections;
  config: AlzaDropshipConfig;
  client: BuyerApiClient;
  close(): Promise<void>;
}

/** What the commands need; built from the core's ChannelCliContext, or directly by tests. */
export interface DropshipCliEnv {
  open(connection: string | undefined): Promise<OpenedDropship>;
  out(text: string): void;
  now?(): Date;
}

function isEnv(ctx: ChannelCliContext | DropshipCliEnv): ctx is DropshipCliEnv {
  return typeof (ctx as DropshipCliEnv).open === 'function';
}

/** The env over the core's CLI context: it opens the connection, its HTTP clients and the store. */
export function envFromContext(ctx: ChannelCliContext): DropshipCliEnv {
  return {
    out: (text) => process.stdout.write(text),
    async open(name) {
      const opened = await ctx.openConnection(name);
      const store = opened.store;
      if (!store) {
        await opened.close();
        throw new Error('alza-dropship commands need the store; the CLI context gave none');
      }
      const config = opened.config as AlzaDropshipConfig;
      const http = opened.context.http({ baseUrl: config.buyerApiUrl, maxAttempts: 1 });
      return {
        store,
        projections: new DropshipProjections(store),
        config,
        client: new BuyerApiClient(config, http),
        close: () => opened.close(),
      };
    },
  };
}

async function withConnection<T>(env: DropshipCliEnv, name: string | undefined, fn: (o: OpenedDropship) => Promise<T>): Promise<T> {
  const opened = await env.open(name);
  try {
    return await fn(opened);
  } finally {
    await opened.close();
  }
}

/** "2025-06-01 14:30" (Prague time) or an ISO date-time with zone. */
function parseWhen(text: string | undefined, zone: string): Date | undefined {
  if (text === undefined) return undefined;
  if (/[zZ]|[+-]\d{2}:?\d{2}$/.test(text.trim())) {
    const d = new Date(text);
    if (Number.isNaN(d.getTime())) throw new Error(`"${text}" is not a date-time`);
    return d;
  }
  return new Date(wallTimeToUtc(text, zone));
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

async function deliverAndReport(env: DropshipCliEnv, o: OpenedDropship, ids: number[]): Promise<void> {
  const rows = await deliverAndLoad({ store: o.store, projections: o.projections, config: o.config, client: o.client, now: env.now ?? (() => new Date()) }, ids);
  for (const r of rows) {
    const what = `message ${r.id} (${r.kind} ${r.path})`;
    if (r.state === 'delivered') env.out(`${what}: accepted by Alza\n`);
    else if (r.state === 'failed') env.out(`${what}: FAILED: ${r.last_error}\n`);
    else env.out(`${what}: queued, next attempt at ${r.next_attempt_at}${r.last_error ? ` (last: ${r.last_error})` : ''}\n`);
  }
}

function connectionOption(cmd: Command): Command {
  return cmd.option('-c, --connection <name>', 'the alza-dropship connection (when several are configured)');
}

/** `stock import|list`: also mounted as the top-level `orderhub stock …`. */
export function registerStockCommands(command: Command, ctx: ChannelCliContext | DropshipCliEnv): void {
  const env = isEnv(ctx) ? ctx : envFromContext(ctx);
  connectionOption(command.command('import'))
    .description('set on-hand quantities (and EAN, name, price) from a CSV (code,ean,name,quantity,price) or JSON file')
    .argument('<file>', 'the stock file')
    .option('--replace', 'products missing from the file get on hand 0')
    .option('--yes', 'with --replace and a file that lists no product: set every product to 0 (refused otherwise)')
    .action(async (file: string, opts: { connection?: string; replace?: boolean; yes?: boolean }) => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(file, 'utf8');
      await withConnection(env, opts.connection, async (o) => {
        const r = await importStockFile(o.store, o.config, text, {
          replace: opts.replace, now: env.now?.(), emptyReplace: { confirmed: opts.yes === true, howToConfirm: 'add --yes' },
        });
        env.out(`${r.rows} product(s) read: ${r.created} new, ${r.updated} updated${opts.replace ? `, ${r.zeroed} set to 0` : ''} (branch ${o.config.supplierBranchId})\n`);
      });
    });
  connectionOption(command.command('list'))
    .description('products with on hand, reserved, available and the orders holding them')
    .option('--code <code>', 'one product')
    .option('--json', 'JSON lines')
    .action(async (opts: { connection?: string; code?: string; json?: boolean }) => {
      await withConnection(env, opts.connection, async (o) => {
        const rows = await listStock(o.store, o.config, { code: opts.code });
        if (opts.json) {
          for (const r of rows) env.out(`${JSON.stringify(r)}\n`);
          return;
        }
        env.out(formatTable(
          ['code', 'ean', 'on hand', 'reserved', 'available', 'price', 'reservations', 'name'],
          rows.map((r) => [
            r.code, r.ean ?? '', String(r.onHand), String(r.reserved), String(r.available), r.price ?? '',
            r.reservations.map((x) => `${x.orderNumber}×${x.quantity}`).join(' '), r.name ?? '',
          ]),
        ));
        env.out(`${rows.length} product(s)\n`);
      });
    });
}

export function registerDropshipCommands(command: Command, ctx: ChannelCliContext | DropshipCliEnv): void {
  const env = isEnv(ctx) ? ctx : envFromContext(ctx);
  const now = () => env.now?.() ?? new Date();
  registerStockCommands(command.command('stock').description('stock and catalog of the supplier branch'), env);

  connectionOption(command.command('orders'))
    .description('dropship orders Alza sent us, with their state')
    .option('--state <state>', 'only this state (reserved, confirmed, departed, …)')
    .option('--json', 'the stored records as JSON lines')
    .action(async (opts: { connection?: string; state?: string; json?: boolean }) => {
      await withConnection(env, opts.connection, async (o) => {
        const rows = await listDropshipOrders(o.store, o.config.name, { state: opts.state, limit: 500 });
        if (opts.json) {
          for (const r of rows) env.out(`${r.record}\n`);
          return;
        }
        const zone = o.config.timeZone ?? DROPSHIP_ZONE;
        env.out(formatTable(['order', 'supplier order', 'state', 'valid until (Prague)', 'departure (Prague)', 'items'], rows.map((r) => {
          const rec = JSON.parse(r.record) as DropshipOrderRecord;
          return [
            r.order_number, r.supplier_order, r.state, r.valid_until ? formatTimestamp(new Date(r.valid_until), zone) : '',
            rec.confirm?.shipmentDepartureTime ?? '', rec.insert.orderItems.map((i) => `${i.code}×${i.quantity}`).join(' '),
          ];
        })));
        env.out(`${rows.length} order(s)\n`);
      });
    });

  connectionOption(command.command('expire'))
    .description('release reservations whose validUntil has passed (the server does this by itself)')
    .action(async (opts: { connection?: string }) => {
      await withConnection(env, opts.connection, async (o) => {
        const n = await releaseExpiredReservations(o.store, now(), { projections: o.projections, connection: o.config.name });
        env.out(`${n} expired reservation(s) released\n`);
      });
    });

  connectionOption(command.command('availability'))
    .description('send Availability: changed products (Update), or every product in stock (--partial-full, the nightly message)')
    .option('--partial-full', 'PartialFull instead of Update')
    .option('--no-send', 'only queue the messages')
    .action(async (opts: { connection?: string; partialFull?: boolean; send: boolean }) => {
      await withConnection(env, opts.connection, async (o) => {
        const r = await queueAvailability(o.store, o.config, { importType: opts.partialFull ? 'PartialFull' : 'Update', now: now() });
        env.out(`${r.products} product(s) in ${r.messageIds.length} message(s)${r.withoutEan.length ? `; left out without EAN: ${r.withoutEan.slice(0, 10).join(', ')}${r.withoutEan.length > 10 ? '…' : ''}` : ''}\n`);
        if (opts.send) await deliverAndReport(env, o, r.messageIds);
      });
    });

  connectionOption(command.command('ship'))
    .description('Create shipment (Buyer shipping mode): Alza answers shipment and package numbers and labels')
    .argument('<orders...>', 'order numbers (several only for Branch delivery)')
    .requiredOption('--weight <kg>', 'weight of a package in kg (repeat per package)', collect)
    .action(async (orders: string[], opts: { connection?: string; weight: string[] }) => {
      await withConnection(env, opts.connection, async (o) => {
        const r = await queueCreateShipment(o.store, o.config, { orders, packageWeights: opts.weight, now: now() });
        await deliverAndReport(env, o, [r.messageId]);
      });
    });

  connectionOption(command.command('unship'))
    .description('Delete shipment: undo `ship` before departure')
    .argument('<shipment>', 'the shipment number Alza gave')
    .action(async (shipment: string, opts: { connection?: string }) => {
      await withConnection(env, opts.connection, async (o) => {
        const r = await queueDeleteShipment(o.store, o.config, { shipment, now: now() });
        await deliverAndReport(env, o, [r.messageId]);
      });
    });

  connectionOption(command.command('depart'))
    .description('Shipment departure: the goods left (the order becomes shipped)')
    .argument('<orders...>', 'order numbers')
    .option('--shipment <number>', 'our shipment number (Supplier shipping mode)')
    .option('--package <number:kg[:fullNumber]>', 'a package (Supplier shipping mode; repeat)', collect)
    .option('--tt-url <url>', 'tracking URL of the (first) package')
    .option('--expected-delivery <date>', 'YYYY-MM-DD')
    .option('--serial <orderItemId=sn[,sn]>', 'serial numbers of an item (repeat)', collect)
    .action(async (orders: string[], opts: { connection?: string; shipment?: string; package?: string[]; ttUrl?: string; expectedDelivery?: string; serial?: string[] }) => {
      const packages: DeparturePackage[] | undefined = opts.package?.map((p, i) => {
        const [number, weight, fullNumber] = p.split(':');
        if (!number || !weight) throw new Error(`--package "${p}": write NUMBER:KG[:FULLNUMBER]`);
        return { number, weight, fullNumber: fullNumber ?? null, ttUrl: i === 0 ? (opts.ttUrl ?? null) : null };
      });
      const serials: Record<string, string[]> = {};
      for (const s of opts.serial ?? []) {
        const [id, list] = s.split('=');
        if (!id || !list) throw new Error(`--serial "${s}": write ORDERITEMID=SN[,SN]`);
        serials[id] = list.split(',').map((x) => x.trim()).filter(Boolean);
      }
      await withConnection(env, opts.connection, async (o) => {
        const r = await queueDeparture(o.store, o.config, {
          orders, shipment: opts.shipment, packages, expectedDeliveryDate: opts.expectedDelivery, serials, now: now(),
        });
        await deliverAndReport(env, o, [r.messageId]);
      });
    });

  connectionOption(command.command('track'))
    .description('Track and Trace: Depot, Delivery, Stored, Delivered or Rejected')
    .argument('<order>')
    .requiredOption('--status <status>', 'Depot | Delivery | Stored | Delivered | Rejected')
    .option('--at <when>', 'when (Prague time "YYYY-MM-DD HH:MM" or ISO with zone); default now')
    .action(async (order: string, opts: { connection?: string; status: string; at?: string }) => {
      await withConnection(env, opts.connection, async (o) => {
        const r = await queueTrackAndTrace(o.store, o.config, { order, status: opts.status, statusTime: parseWhen(opts.at, o.config.timeZone ?? DROPSHIP_ZONE), now: now() });
        await deliverAndReport(env, o, [r.messageId]);
      });
    });

  const result = (name: string, status: 'Delivered' | 'Rejected' | 'Canceled', description: string, reasonRequired: boolean) => {
    const cmd = connectionOption(command.command(name))
      .description(description)
      .argument('<order>')
      .option('--at <when>', 'when (Prague time "YYYY-MM-DD HH:MM" or ISO with zone); default now');
    (reasonRequired ? cmd.requiredOption('--reason <text>', 'why') : cmd.option('--reason <text>', 'why'))
      .action(async (order: string, opts: { connection?: string; at?: string; reason?: string }) => {
        await withConnection(env, opts.connection, async (o) => {
          const r = await queueDeliveryResult(o.store, o.config, {
            order, status, errorReason: opts.reason, statusTime: parseWhen(opts.at, o.config.timeZone ?? DROPSHIP_ZONE), now: now(),
          });
          await deliverAndReport(env, o, [r.messageId]);
        });
      });
  };
  result('delivered', 'Delivered', 'Delivery result Delivered (the order becomes delivered)', false);
  result('rejected', 'Rejected', 'Delivery result Rejected: returned to us (the order becomes returned)', false);
  result('cancel', 'Canceled', 'Delivery result Canceled: we cannot deliver a confirmed order (goods released)', true);

  connectionOption(command.command('outbox'))
    .description('Buyer API messages: pending, delivered and failed')
    .option('--state <state>', 'pending | delivered | failed')
    .option('--deliver', 'attempt the due messages now')
    .option('--retry <id>', 'queue a failed message again')
    .option('--json', 'the messages as JSON lines')
    .action(async (opts: { connection?: string; state?: string; deliver?: boolean; retry?: string; json?: boolean }) => {
      await withConnection(env, opts.connection, async (o) => {
        if (opts.retry !== undefined) {
          const ok = await retryMessage(o.store, o.config.name, Number(opts.retry), now());
          env.out(ok ? `message ${opts.retry} queued again\n` : `message ${opts.retry} is not a failed message of ${o.config.name}\n`);
        }
        if (opts.deliver) {
          const r = await deliverOutbox({ store: o.store, projections: o.projections, config: o.config, client: o.client, now });
          env.out(`accepted ${r.accepted}, to resend ${r.retrying}, failed ${r.failed}, waiting ${r.waiting}\n`);
        }
        const rows = await listOutbox(o.store, o.config.name, { state: opts.state });
        if (opts.json) {
          for (const r of rows) {
            env.out(`${JSON.stringify({ id: r.id, kind: r.kind, path: r.path, state: r.state, attempts: r.attempts, nextAttemptAt: r.state === 'pending' ? r.next_attempt_at : null, lastError: r.last_error })}\n`);
          }
          return;
        }
        env.out(formatTable(['id', 'kind', 'path', 'state', 'attempts', 'next attempt', 'last error'], rows.map((r) => [
          String(r.id), r.kind, r.path, r.state, String(r.attempts), r.state === 'pending' ? r.next_attempt_at : '', r.last_error ?? '',
        ]), { wrap: [6] }));
      });
    });
}
