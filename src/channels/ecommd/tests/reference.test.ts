/** Reference data (stores, regions, localities, sectors, products, promo codes): data functions and CLI. */
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelCliContext } from '../../../core/connector.ts';
import { testConnectorContext } from '../../../../test/support/connector-context.ts';
import { fillReferencePath } from '../endpoints.ts';
import { registerEcommdCli } from '../cli.ts';
import { createEcommdClient } from '../connector.ts';
import { ECOMMD_DEFAULT_ZONE } from '../datetime.ts';
import { EcommdReference } from '../reference.ts';
import type { EcommdSimulator } from '../simulator/index.ts';
import { configFor, startSim } from './helpers.ts';

let sim: EcommdSimulator;
const contexts: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  sim = await startSim({ orders: 10 });
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  sim.reset();
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

function reference(extra: Record<string, unknown> = {}): EcommdReference {
  const config = configFor(sim, extra);
  const ctx = testConnectorContext({ timeZone: ECOMMD_DEFAULT_ZONE });
  contexts.push(ctx);
  return new EcommdReference(createEcommdClient(config, ctx), config);
}

describe('ecom.md reference data', () => {
  it('lists stores (the documented bare array)', async () => {
    const stores = await reference().stores();
    expect(stores).toHaveLength(4);
    expect(stores[0]).toEqual({
      id: '333', active: true, name: 'Magazin Centru', address: 'bd. Ștefan cel Mare și Sfânt 126', zipCode: 'MD-2012',
      phones: ['+373 60 11 11 14', '+373 22 21 21 21'], email: 'centru@magazin.md', lat: '47.02486128459364', lon: '28.83240211009979',
    });
  });

  it('lists regions in the connection language', async () => {
    const ro = await reference().regions();
    const ru = await reference({ language: 'ru' }).regions();
    expect(ro).toHaveLength(35);
    expect(ro.find((r) => r.id === '3')).toEqual({ id: '3', name: 'Chișinău', regionId: null, zipCode: null });
    expect(ru.find((r) => r.id === '3')!.name).toBe('Кишинёв');
    expect(ro.find((r) => r.id === '18')!.name).toBe('UTA Găgăuzia');
  });

  it('lists the localities of a region, following next links', async () => {
    sim.setFaults({ pageCap: 4 });
    const rows = await reference().localities('3');
    expect(rows.map((r) => r.name)).toEqual(['Chișinău', 'Durlești', 'Codru', 'Cricova', 'Vatra', 'Sîngera', 'Băcioi', 'Stăuceni', 'Bubuieci', 'Trușeni']);
    expect(rows.find((r) => r.id === '56')).toEqual({ id: '56', name: 'Băcioi', regionId: '3', zipCode: 'MD-2043' });
    expect(sim.requests.listQueries).toHaveLength(0); // not the order endpoint
    expect(sim.requests.byEndpoint['GET /external/locality/']).toBe(3);
    await expect(reference().localities('abc')).rejects.toThrow('a region id is a number, got "abc"');
  });

  it('lists the five Chișinău sectors', async () => {
    const sectors = await reference({ language: 'ru' }).sectors();
    expect(sectors.map((s) => s.name)).toEqual(['Ботаника', 'Буюканы', 'Центр', 'Чеканы', 'Рышкановка']);
    expect((await reference().sectors()).map((s) => s.name)).toEqual(['Botanica', 'Buiucani', 'Centru', 'Ciocana', 'Râșcani']);
  });

  it('searches products by id, code or name with MDL prices as exact decimals', async () => {
    expect(await reference().products('104392')).toEqual([
      { id: '104392', code: 'SAM-A556-256', name: 'Smartphone Samsung Galaxy A55 8/256GB Navy', price: '8999.00', loyaltyPrice: '8699.00', active: true },
    ]);
    expect((await reference().products('bor-05')).map((p) => p.id)).toEqual(['100611']);
    expect((await reference({ language: 'ru' }).products('вино')).map((p) => p.name)).toEqual([
      'Вино Purcari Рара Нягрэ 0,75 л', 'Вино Château Vartely Фетяска Нягрэ 0,75 л',
    ]);
    expect(await reference().products('samsung', 2)).toHaveLength(2);
    await expect(reference().products('  ')).rejects.toThrow(/needs some text/);
  });

  it('lists promo codes', async () => {
    const codes = await reference().promoCodes();
    expect(codes[0]).toEqual({ id: '1', code: 'PRIMAVARA10', discount: '10.00', discountType: 'percent', validFrom: '2024-03-01', validTo: '2030-05-31', active: true });
    expect(codes).toHaveLength(3);
  });

  it('uses configured paths and says which setting to change on a 404', async () => {
    await expect(reference({ referencePaths: { regions: '/external/regions-v2/' } }).regions()).rejects.toThrow(
      'ecom.md has no regions endpoint at /external/regions-v2/; set referencePaths.regions in the connection (HTTP 404)',
    );
    expect(fillReferencePath('/external/locality/?region={region}', 'region', '3')).toBe('/external/locality/?region=3');
    expect(fillReferencePath('/x/{region}/localities/', 'region', '3')).toBe('/x/3/localities/');
    expect(fillReferencePath('/external/product/', 'search', 'a b&c')).toBe('/external/product/?search=a%20b%26c');
  });
});

describe('orderhub ecommd …', () => {
  function cli(): { program: Command; output: () => string; opened: Array<string | undefined> } {
    let text = '';
    const opened: Array<string | undefined> = [];
    const ctx: ChannelCliContext = {
      async openConnection(name) {
        opened.push(name);
        const context = testConnectorContext({ timeZone: ECOMMD_DEFAULT_ZONE, connection: name ?? 'md' });
        return { config: configFor(sim), context, close: () => context.close() };
      },
    };
    const program = new Command('orderhub').exitOverride();
    registerEcommdCli(program.command('ecommd'), ctx, { out: (t) => void (text += t) });
    return { program, output: () => text, opened };
  }

  it('prints tables', async () => {
    const c = cli();
    await c.program.parseAsync(['node', 'orderhub', 'ecommd', 'sectors']);
    expect(c.output()).toBe(
      'ID  NAME\n--  --------\n11  Botanica\n12  Buiucani\n13  Centru\n14  Ciocana\n15  Râșcani\n',
    );
    const p = cli();
    await p.program.parseAsync(['node', 'orderhub', 'ecommd', 'products', '--search', 'lavazza']);
    expect(p.output().split('\n')[2]).toBe('100318  LAV-ORO-1KG  Cafea boabe Lavazza Qualità Oro 1 kg  459.90  439.90   yes');
  });

  it('prints JSON and passes --connection through', async () => {
    const c = cli();
    await c.program.parseAsync(['node', 'orderhub', 'ecommd', 'localities', '--region', '4', '--json', '--connection', 'shop-md']);
    expect(JSON.parse(c.output())).toEqual([
      { id: '70', name: 'Bălți', regionId: '4', zipCode: 'MD-3100' },
      { id: '71', name: 'Elizaveta', regionId: '4', zipCode: 'MD-3119' },
      { id: '72', name: 'Sadovoe', regionId: '4', zipCode: 'MD-3118' },
    ]);
    expect(c.opened).toEqual(['shop-md']);
    for (const cmd of ['stores', 'regions', 'promocodes']) {
      const x = cli();
      await x.program.parseAsync(['node', 'orderhub', 'ecommd', cmd, '--json']);
      expect(Array.isArray(JSON.parse(x.output()))).toBe(true);
      expect(JSON.parse(x.output()).length).toBeGreaterThan(0);
    }
  });

  it('requires --region and --search', async () => {
    const c = cli();
    c.program.commands[0]!.commands.forEach((sub) => sub.exitOverride().configureOutput({ writeErr: () => {} }));
    await expect(c.program.parseAsync(['node', 'orderhub', 'ecommd', 'localities'])).rejects.toThrow(/required option '--region <id>'/);
    await expect(c.program.parseAsync(['node', 'orderhub', 'ecommd', 'products'])).rejects.toThrow(/required option '--search <text>'/);
  });
});
