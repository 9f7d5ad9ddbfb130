/** `orderhub alza-dropship …` and the `stock` commands, run through commander against the simulator. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConnectorContext } from '../../../../test/support/connector-context.ts';
import { tempDir } from '../../../../test/support/pg.ts';
import { registerDropshipCommands, registerStockCommands, type DropshipCliEnv } from '../cli.ts';
import { alzaDropshipChannel } from '../index.ts';
import { canonical, startHarness, type Harness } from './helpers.ts';

let h: Harness;
const dir = tempDir('alza-dropship-cli-');
beforeAll(async () => {
  h = await startHarness({ stock: false });
});
afterAll(async () => {
  await h.close();
  dir.cleanup();
});

async function run(args: string[]): Promise<string> {
  let out = '';
  const env: DropshipCliEnv = {
    out: (t) => {
      out += t;
    },
    open: async () => ({ store: h.store, projections: h.projections, config: h.config, client: h.client, close: async () => undefined }),
  };
  const program = new Command().exitOverride();
  registerDropshipCommands(program.command('alza-dropship'), env);
  await program.parseAsync(['node', 'orderhub', 'alza-dropship', ...args]);
  return out;
}

describe('orderhub alza-dropship', () => {
  it('imports and lists stock, with reservations', async () => {
    const file = join(dir.path, 'stock.csv');
    writeFileSync(file, h.sim.stockCsv());
    const imported = await run(['stock', 'import', file]);
    expect(imported).toBe(`${h.sim.products().length} product(s) read: ${h.sim.products().length} new, 0 updated (branch 1)\n`);
    const placed = await h.sim.driver.placeOrder();
    const code = h.sim.driver.orders.get(placed.orderNumber)!.order.items[0]!.code;
    const listed = await run(['stock', 'list', '--code', code]);
    expect(listed).toMatch(new RegExp(`^code\\s+ean\\s+on hand\\s+reserved\\s+available`));
    expect(listed).toContain(`${placed.orderNumber}×`);
    const json = (await run(['stock', 'list', '--json'])).trim().split('\n').map((l) => JSON.parse(l) as { code: string; reserved: number });
    expect(json).toHaveLength(h.sim.products().length);
    expect(json.find((p) => p.code === code)!.reserved).toBeGreaterThan(0);
    const orders = await run(['orders', '--state', 'reserved']);
    expect(orders).toContain(placed.orderNumber);
    expect(orders).toContain('1 order(s)');
  });

  it('sends availability and reports what Alza said', async () => {
    const out = await run(['availability']);
    expect(out).toMatch(/^\d+ product\(s\) in 1 message\(s\)\n/);
    expect(out).toMatch(/message \d+ \(availability \/availability\): accepted by Alza/);
    expect(h.sim.messagesOf('availability')).toHaveLength(1);
  });

  it('departs, tracks and delivers an order (Supplier shipping mode)', async () => {
    const placed = await h.sim.driver.placeOrder();
    await h.sim.driver.confirm(placed.orderNumber, { shipmentShippingMode: 'Supplier', shipmentDeliveryType: 'B2C', shippingCarrier: { shippingCarrierCode: 'GLS', shippingCarrierDeliveryType: 'GLS' } });
    const dep = await run(['depart', placed.orderNumber, '--shipment', 'S-100', '--package', 'GLS123:1.5:CZGLS123', '--tt-url', 'https://gls.example/GLS123']);
    expect(dep).toMatch(/departure \/shipment\/S-100\/departure\): accepted by Alza/);
    expect(h.sim.messagesOf('departure').at(-1)!.body.packages).toEqual([{ number: 'GLS123', fullNumber: 'CZGLS123', ttUrl: 'https://gls.example/GLS123', weight: 1.5 }]);
    expect((await canonical(h, placed.orderNumber))!.status).toBe('shipped');
    // Track and Trace is its own message kind: it need not wait for the departure's interval
    const track = await run(['track', placed.orderNumber, '--status', 'Delivery', '--at', '2025-06-02 09:15']);
    expect(track).toMatch(/track \/track\): accepted by Alza/);
    expect(h.sim.messagesOf('track').at(-1)!.body.statusTimestamp).toBe('2025-06-02T09:15:00.000');
    const delivered = await run(['delivered', placed.orderNumber]);
    expect(delivered).toMatch(/accepted by Alza/);
    expect((await canonical(h, placed.orderNumber))!.status).toBe('delivered');
    const outbox = await run(['outbox', '--state', 'delivered']);
    expect(outbox).toContain('/shipment/S-100/departure');
    expect(outbox).toContain(`/order/${placed.orderNumber}/delivery`);
  });

  it('refuses what the rules forbid with the reason', async () => {
    const placed = await h.sim.driver.placeOrder();
    await expect(run(['delivered', placed.orderNumber])).rejects.toThrow(/is reserved; Delivered is reported for a departed order/);
    await expect(run(['cancel', placed.orderNumber, '--reason', 'x'])).rejects.toThrow(/we can cancel only a confirmed order/);
  });

  it('the stock commands also work from the core\'s CLI context (the top-level `orderhub stock` alias)', async () => {
    const program = new Command().exitOverride();
    const context = testConnectorContext({ timeZone: 'Europe/Prague' });
    let printed = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      printed += chunk;
      return true;
    }) as typeof process.stdout.write;
    try {
      registerStockCommands(program.command('stock'), {
        async openConnection() {
          const opened = { config: h.config, context, store: h.store, close: () => context.close() };
          return opened;
        },
      });
      const file = join(dir.path, 'more.json');
      writeFileSync(file, JSON.stringify([{ code: 'EXTRA-1', ean: '8590000000999', name: 'Extra', quantity: 4, price: '9.90' }]));
      await program.parseAsync(['node', 'orderhub', 'stock', 'import', '--connection', 'alza-drop', file]);
      await program.parseAsync(['node', 'orderhub', 'stock', 'list', '--code', 'extra-1']);
    } finally {
      process.stdout.write = write;
    }
    expect(printed).toContain('1 product(s) read: 1 new, 0 updated (branch 1)');
    expect(printed).toMatch(/EXTRA-1\s+8590000000999\s+4\s+0\s+4\s+9\.9/);
    expect(alzaDropshipChannel.cli!.description).toMatch(/Alza Dropshipment/);
  });
});
