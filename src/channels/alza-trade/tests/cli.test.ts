/** `orderhub alza-trade unshipped` against the simulator, through the channel CLI hook. */
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testConnectorContext } from '../../../../test/support/connector-context.ts';
import { alzaTradeConfigSchema } from '../config.ts';
import { alzaTradeChannel } from '../index.ts';
import { startAlzaTradeSimulator, type AlzaTradeSimulator } from '../simulator/index.ts';

let sim: AlzaTradeSimulator;
beforeAll(async () => {
  sim = await startAlzaTradeSimulator({ host: '127.0.0.1', port: 0, orders: 300, seed: 8 });
});
afterAll(async () => {
  await sim.close();
});

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  const command = program.command('alza-trade');
  alzaTradeChannel.cli!.register(command, {
    async openConnection() {
      const context = testConnectorContext({ timeZone: 'Europe/Prague' });
      const config = alzaTradeConfigSchema.parse({ name: 'alza', ...sim.connection });
      return { config, context, close: () => context.close() };
    },
  });
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'orderhub', 'alza-trade', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('orderhub alza-trade unshipped', () => {
  it('prints the unshipped orders with their departure and carrier', async () => {
    const expected = sim.allOrderIds().filter((id) => sim.stateOf(id) === 'AwaitingLabelCreation');
    expect(expected.length).toBeGreaterThan(0);
    const out = await run(['unshipped']);
    expect(out).toContain(`${expected.length} unshipped order(s)`);
    for (const id of expected) expect(out).toContain(id);
    expect(out).toMatch(/T16:00:00/);
  });

  it('filters by departure day and prints raw JSON lines with --json', async () => {
    const first = sim.allOrderIds().find((id) => sim.stateOf(id) === 'AwaitingLabelCreation')!;
    const day = (sim.getOrder(first)!.shipmentDepartureTime as string).slice(0, 10);
    const lines = (await run(['unshipped', '--from', day, '--to', day, '--json'])).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((o) => o.orderNumber)).toContain(first);
    for (const o of lines) expect((o.shipmentDepartureTime as string).slice(0, 10)).toBe(day);
  });
});
