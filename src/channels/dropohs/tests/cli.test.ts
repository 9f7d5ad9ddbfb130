/** `orderhub dropohs shops|catalog` against the simulator (with a test ChannelCliContext). */
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelCliContext } from '../../../core/connector.ts';
import { testConnectorContext } from '../../../../test/support/connector-context.ts';
import { registerDropohsCli } from '../cli.ts';
import type { DropohsSimulator } from '../simulator/index.ts';
import { configFor, startSim } from './helpers.ts';

let sim: DropohsSimulator;
afterEach(async () => sim?.close());

async function run(args: string[], extra: Record<string, unknown> = {}): Promise<{ lines: string[]; closed: number }> {
  const lines: string[] = [];
  let closed = 0;
  const ctx: ChannelCliContext = {
    async openConnection() {
      const context = testConnectorContext({ timeZone: 'Europe/Prague' });
      return { config: configFor(sim, extra), context, close: async () => { closed++; await context.close(); } };
    },
  };
  const program = new Command('dropohs').exitOverride();
  registerDropohsCli(program, ctx, { write: (l) => lines.push(l) });
  await program.parseAsync(args, { from: 'user' });
  return { lines, closed };
}

describe('dropohs cli', () => {
  it('shops: lists the token\'s e-shops and which are synced', async () => {
    sim = await startSim({ orders: 5, shops: 3 });
    const { lines, closed } = await run(['shops'], { shopIds: [sim.shopIds[1]] });
    expect(lines).toEqual([
      '123456\tMódní ráj\tmodniraj.cz\tnot synced',
      '123457\tDům a zahrada Plus\tdumazahradaplus.cz\tsynced',
      '223001\tŠportový svet\tsportovysvet.sk\tnot synced',
    ]);
    expect(closed).toBe(1);
  });

  it('catalog: variants as items get them', async () => {
    sim = await startSim({ orders: 5, shops: 1 });
    const { lines } = await run(['catalog', '--shop', String(sim.shopIds[0])]);
    expect(lines.length).toBeGreaterThan(20);
    const [id, sku, vat, name] = lines[0]!.split('\t');
    const v = sim.variantInfo(Number(id))!;
    expect([sku, vat]).toEqual([v.code, String(v.vat)]);
    expect(name).toContain(v.productName);
  });
});
