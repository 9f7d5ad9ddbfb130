/**
 * Screenshots of the console's main pages into docs/console/*.png (shown in README.md and
 * docs/console.md): simulators, a synced store and `orderhub serve` as the browser tests start them,
 * driven by headless Debian Chromium. Run: npx tsx scripts/console-screenshots.ts
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, signIn, startConsoleEnv } from '../test/console/harness.ts';

const OUT = join(import.meta.dirname, '..', 'docs', 'console');
mkdirSync(OUT, { recursive: true });
const env = await startConsoleEnv({ orders: 900, malformedEvery: 150, days: 30 });
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Prague' });
  await page.goto(env.url + '/');
  await page.waitForSelector('#apikey');
  await page.screenshot({ path: join(OUT, 'sign-in.png') });
  await signIn(page, env.url, env.writeKey);
  // a few write-backs and a status change so the order page has a story to show
  const { data } = await env.api<{ data: Array<{ id: string; externalId: string; status: string }> }>('GET', '/v1/orders?connection=drinks&status=new&limit=3');
  const order = data[0]!;
  env.drinks.changeStatus(order.externalId, 'IN_REALIZATION');
  await env.api('POST', '/v1/connections/drinks/sync?wait=true');
  await env.api('POST', `/v1/orders/${order.id}/tracking`, { trackingNumber: 'PL0048120345', carrier: 'InPost' }).catch(() => undefined);
  await env.api('POST', `/v1/orders/${order.id}/status`, { status: 'shipped' }).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 2500));

  const shots: Array<[string, string, string]> = [
    ['overview', '#/', 'svg rect'],
    ['orders', '#/orders', 'table.orders tbody tr'],
    ['order', `#/orders/${order.id}`, 'ol.timeline li'],
    ['connections', '#/connections', '.cards .card'],
    ['failures', '#/failures', 'ul.failures li'],
  ];
  for (const [name, hash, ready] of shots) {
    await page.goto(`${env.url}/${hash}`);
    await page.waitForSelector(ready);
    if (name === 'connections') await page.getByText('Sync runs').first().click(); // the runs, with their counts
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: name === 'order' });
  }
  await page.goto(`${env.url}/#/orders?status=processing`);
  await page.getByLabel('Language').selectOption('cs');
  await page.waitForSelector('table.orders tbody tr');
  await page.screenshot({ path: join(OUT, 'orders-cs.png') });
  await page.getByLabel('Jazyk').selectOption('en');
  console.log(`screenshots in ${OUT}`);
} finally {
  await browser.close();
  await env.close();
}
