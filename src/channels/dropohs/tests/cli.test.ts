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
    // a table with headers (issue 17: no more tab-separated lines without them)
    expect(lines).toEqual([
      'id      name                url                 synced',
      '------  ------------------  ------------------  ----------',
      '123456  Módní ráj           modniraj.cz         not synced',
      '123457  Dům a zahrada Plus  dumazahradaplus.cz  synced',
      '223001  Športový svet       sportovysvet.sk     not synced',
    ]);
    expect(closed).toBe(1);
    const json = await run(['shops', '--json'], { shopIds: [sim.shopIds[1]] });
    expect(JSON.parse(json.lines.join('\n'))).toEqual([
      { id: 123456, name: 'Módní ráj', url: 'modniraj.cz', synced: 'not synced' },
      { id: 123457, name: 'Dům a zahrada Plus', url: 'dumazahradaplus.cz', synced: 'synced' },
      { id: 223001, name: 'Športový svet', url: 'sportovysvet.sk', synced: 'not synced' },
    ]);
  });

  it('catalog: variants as items get them', async () => {
    sim = await startSim({ orders: 5, shops: 1 });
    const { lines } = await run(['catalog', '--shop', String(sim.shopIds[0])]);
    expect(lines.length).toBeGreaterThan(20);
    expect(lines[0]).toMatch(/^variant\s+sku\s+vat %\s+name$/);
    const [id, sku, vat, ...name] = lines[2]!.split(/\s{2,}/);
    const v = sim.variantInfo(Number(id))!;
    expect([sku, vat]).toEqual([v.code, String(v.vat)]);
    expect(name.join('  ')).toContain(v.productName);
    const json = JSON.parse((await run(['catalog', '--shop', String(sim.shopIds[0]), '--json'])).lines.join('\n')) as Array<Record<string, unknown>>;
    expect(json[0]).toEqual({ variantId: id, sku: v.code, vatRate: String(v.vat), name: expect.stringContaining(v.productName) });
  });
});
