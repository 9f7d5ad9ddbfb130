/**
 * The console with a million orders (issue 14): the orders page's first meaningful paint (navigation
 * start to the first order row on screen) and a filtered page turn ("Next" clicked to the next page's
 * rows on screen), measured in headless Debian Chromium (playwright-core) against `orderhub serve` on a
 * SQLite store seeded as the API section seeds it, with the response cache off (every page from the
 * database). Targets: first paint ≤ 1 s, page turn ≤ 200 ms.
 *
 *   BENCH_CONSOLE_ORDERS  orders in the store (default 1 000 000)
 *   BENCH_CONSOLE_DB      keep the seeded store in this file and reuse it on the next run (seeding a million takes minutes)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createApiKey } from '../src/api/store/api-keys.ts';
import { openHubStore } from '../src/store-modules.ts';
import { seedOrders, startServeCommand } from './api.ts';

const CHROMIUM = process.env.ORDERHUB_CHROMIUM ?? '/usr/bin/chromium';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const max = (xs: number[]) => Math.max(...xs);
const round = (x: number) => Math.round(x);

export async function benchConsole(opts: { orders: number; log: (line: string) => void }): Promise<Record<string, number>> {
  const { log } = opts;
  if (!existsSync(CHROMIUM)) {
    log(`console: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
    return {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'orderhub-bench-console-'));
  const kept = process.env.BENCH_CONSOLE_DB;
  const database = kept ?? join(dir, 'bench.db');
  const results: Record<string, number> = {};
  let stopServe: (() => Promise<void>) | undefined;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    if (kept && existsSync(kept)) {
      log(`console: reusing the store in ${kept}`);
    } else {
      await (await openHubStore(database)).close();
      log(`console: seeding ${opts.orders.toLocaleString('en')} orders into SQLite…`);
      const seeded = seedOrders(database, opts.orders);
      log(`console: seeded in ${(seeded.ms / 1000).toFixed(1)} s`);
    }
    const handle = await openHubStore(database);
    const { key } = await createApiKey(handle.db, { name: 'bench-console', scope: 'read' });
    await handle.close();

    const serve = await startServeCommand(dir, database, 1);
    stopServe = serve.stop;
    const url = serve.url;

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const signIn = await context.request.post(`${url}/v1/session`, { data: { apiKey: key } });
    if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()}`);

    // first meaningful paint: a new page each time (the first one with a cold HTTP cache)
    const paints: number[] = [];
    for (let i = 0; i < 6; i++) {
      const page = await context.newPage();
      await page.goto(`${url}/#/orders`, { waitUntil: 'commit' });
      // (a function, not a string: the console's CSP forbids eval, which a string predicate needs)
      await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } })
        .document.querySelectorAll('table.orders tbody tr').length >= 50, undefined, { polling: 'raf' });
      paints.push((await page.evaluate('performance.now()')) as number);
      await page.close();
    }
    results.first_paint_cold_ms = round(paints[0]!);
    results.first_paint_ms = round(median(paints.slice(1)));
    log(`console: orders page, first meaningful paint (navigation to 50 rows on screen): cold ${results.first_paint_cold_ms} ms, warm median ${results.first_paint_ms} ms (target ≤ 1000 ms)`);

    // filtered page turns: status=processing, Next 10 times
    for (const [label, hash] of [['filtered', '#/orders?status=processing'], ['filtered+connection', '#/orders?status=shipped&connection=shop-3']] as const) {
      const page = await context.newPage();
      await page.goto(`${url}/${hash}`);
      await page.waitForSelector('table.orders tbody tr');
      const turns: number[] = [];
      for (let i = 0; i < 10; i++) {
        const first = await page.locator('table.orders tbody tr').first().getAttribute('data-order');
        const ms = (await page.evaluate(`new Promise((resolve) => {
          const before = ${JSON.stringify(first)};
          const t0 = performance.now();
          [...document.querySelectorAll('.pager button')].find((b) => b.textContent.includes('Next')).click();
          const check = () => {
            const row = document.querySelector('table.orders tbody tr');
            if (row && row.dataset.order !== before) resolve(performance.now() - t0); else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        })`)) as number;
        turns.push(ms);
      }
      const key = label === 'filtered' ? 'page_turn' : 'page_turn_two_filters';
      results[`${key}_median_ms`] = round(median(turns));
      results[`${key}_max_ms`] = round(max(turns));
      log(`console: ${label} page turn (${hash.slice(2)}), Next to the next 50 rows on screen: median ${results[`${key}_median_ms`]} ms, max ${results[`${key}_max_ms`]} ms (target ≤ 200 ms)`);
      await page.close();
    }
    await context.close();
  } finally {
    await browser.close();
    await stopServe?.();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
