/**
 * The operations console in a real browser (Debian's Chromium through playwright-core) against
 * `orderhub serve` on a store synced from the drinks2cash and ecom.md simulators: sign-in and scopes,
 * the orders list (filter, search, pages, live updates), the order page, write-backs delivered to the
 * channel (one and in bulk), "sync now", a quarantined record retried, sign-out; no console errors
 * on any page, and every action reachable by keyboard.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, signIn, startConsoleEnv, watchErrors, type ConsoleEnv } from './harness.ts';

interface ApiOrder { id: string; externalId: string; number: string | null; status: string; channelStatus: string }

const run = chromiumAvailable();

describe.skipIf(!run)('operations console (Chromium)', () => {
  let env: ConsoleEnv;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watcher: ReturnType<typeof watchErrors>;

  beforeAll(async () => {
    env = await startConsoleEnv({ orders: 120, malformedEvery: 40 });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await env?.close();
  }, 60_000);

  async function freshPage(): Promise<Page> {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Warsaw', acceptDownloads: true });
    page = await context.newPage();
    watcher = watchErrors(page);
    return page;
  }

  afterEach(async () => {
    const errors = watcher?.errors ?? [];
    await context?.close();
    expect(errors, `console errors on the page: ${JSON.stringify(errors)}`).toEqual([]);
  });

  const newDrinksOrders = async (n: number) =>
    (await env.api<{ data: ApiOrder[] }>('GET', `/v1/orders?connection=drinks&status=new&limit=${n}`)).data;

  it('refuses a wrong key, signs in with a right one into an HttpOnly SameSite=Strict cookie, and refuses cookie writes without the CSRF token', async () => {
    const p = await freshPage();
    watcher.allow(401); // the refused sign-in's request is a 401 the browser logs
    await p.goto(env.url + '/');
    await p.getByLabel('API key').fill('ohk_not-a-key-of-this-hub');
    await p.keyboard.press('Enter');
    await expect.poll(() => p.getByRole('alert').textContent()).toMatch(/unknown or revoked/);
    expect(await context.cookies()).toEqual([]);

    await p.getByLabel('API key').fill(env.writeKey);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('navigation', { name: 'Main' }).waitFor();
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'orderhub_session', httpOnly: true, sameSite: 'Strict', secure: false });
    expect(cookie!.expires * 1000).toBeGreaterThan(Date.now() + 11 * 3_600_000);

    // a write with the cookie but without the CSRF token (what a forged cross-site form would send) is refused
    const forged = await fetch(`${env.url}/v1/connections/drinks/sync`, { method: 'POST', headers: { cookie: `orderhub_session=${cookie!.value}` } });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toMatch(/CSRF/);
    // Bearer keys work as before
    expect((await fetch(`${env.url}/v1/orders?limit=1`, { headers: { authorization: `Bearer ${env.writeKey}` } })).status).toBe(200);
  });

  it('shows a read key no write actions, and the server refuses its writes anyway', async () => {
    const p = await freshPage();
    await signIn(p, env.url, env.readKey);
    watcher.allow(403); // the refused write below
    await expect.poll(() => p.locator('.who').textContent()).toMatch(/read only/);
    await p.goto(`${env.url}/#/orders`);
    await p.locator('table.orders tbody tr').first().waitFor();
    await p.locator('table.orders tbody tr input[type=checkbox]').first().check();
    await p.getByRole('button', { name: 'Export CSV' }).waitFor();
    expect(await p.getByRole('button', { name: 'Change status' }).count()).toBe(0);
    await p.locator('table.orders tbody tr a').first().click();
    await p.getByRole('heading', { name: 'Journal' }).waitFor();
    expect(await p.getByRole('heading', { name: 'Actions' }).count()).toBe(0);
    await p.goto(`${env.url}/#/connections`);
    await p.getByRole('heading', { name: 'drinks' }).waitFor();
    expect(await p.getByRole('button', { name: 'Sync now' }).count()).toBe(0);
    const status = await p.evaluate(async () => {
      const { session } = (await (await fetch('/v1/session')).json()) as { session: { csrfToken: string } };
      return (await fetch('/v1/connections/drinks/sync', { method: 'POST', headers: { 'x-orderhub-csrf': session.csrfToken } })).status;
    });
    expect(status).toBe(403);
  });

  it('lists orders with a filter, a search and a second page', { timeout: 60_000 }, async () => {
    const p = await freshPage();
    await signIn(p, env.url, env.writeKey);
    await p.getByRole('link', { name: 'Orders' }).click();
    const rows = p.locator('table.orders tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(50);

    await p.locator('select[name=status]').selectOption('processing');
    await p.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => p.evaluate('location.hash')).toContain('status=processing');
    await expect.poll(async () => new Set(await p.locator('table.orders tbody tr .badge').allTextContents())).toEqual(new Set(['processing']));

    const [target] = (await env.api<{ data: ApiOrder[] }>('GET', '/v1/orders?connection=md&limit=1&sort=createdAt')).data;
    await p.getByRole('button', { name: 'Clear' }).click();
    const label = target!.number ?? target!.externalId;
    await p.locator('input[name=q]').fill(label);
    await p.locator('input[name=q]').press('Enter');
    await expect.poll(() => p.locator('table.orders tbody tr a').allTextContents()).toEqual([label]);

    await p.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => rows.count()).toBe(50);
    const firstPage = await p.locator('table.orders tbody tr a').allTextContents();
    await p.getByRole('button', { name: /Next/ }).click();
    await p.getByText('page 2').waitFor();
    await expect.poll(async () => (await p.locator('table.orders tbody tr a').allTextContents())[0]).not.toBe(firstPage[0]);
    const secondPage = await p.locator('table.orders tbody tr a').allTextContents();
    expect(secondPage.filter((n) => firstPage.includes(n))).toEqual([]);
    await p.getByRole('button', { name: /Previous/ }).click();
    await expect.poll(() => p.locator('table.orders tbody tr a').allTextContents()).toEqual(firstPage);
  });

  it('shows a status change made at the channel in the order timeline, without a reload', async () => {
    const [order] = await newDrinksOrders(1);
    const p = await freshPage();
    await signIn(p, env.url, env.writeKey);
    await p.goto(`${env.url}/#/orders/${order!.id}`);
    await p.getByRole('heading', { name: 'Journal' }).waitFor();
    expect(await p.locator('ol.timeline li').count()).toBe(1);
    env.drinks.changeStatus(order!.externalId, 'IN_REALIZATION');
    await env.api('POST', '/v1/connections/drinks/sync?wait=true');
    const change = p.locator('ol.timeline li').first();
    await expect.poll(() => change.textContent(), { timeout: 15_000 }).toMatch(/Status changed/);
    expect(await change.textContent()).toMatch(/NEW.*IN_REALIZATION/);
    await expect.poll(() => p.locator('h1 .badge').textContent()).toBe('processing');
  });

  it('delivers a status change made in the console to the channel and shows it on the order', async () => {
    const [order] = await newDrinksOrders(1);
    const p = await freshPage();
    await signIn(p, env.url, env.writeKey);
    await p.goto(`${env.url}/#/orders/${order!.id}`);
    await p.getByLabel('New status').fill('processing');
    await p.getByLabel('New status').press('Enter');
    await p.getByText('Status change accepted').waitFor();
    await expect.poll(() => p.locator('table.write-backs .badge').first().textContent(), { timeout: 20_000 }).toBe('delivered');
    expect(env.drinks.statusOf(order!.externalId)).toBe('IN_REALIZATION');
    await expect.poll(() => p.locator('h1 .badge').textContent()).toBe('processing');
    expect(await p.locator('table.write-backs').textContent()).toContain('IN_REALIZATION');
  });

  it('changes the status of several selected orders at once', async () => {
    const p = await freshPage();
    await signIn(p, env.url, env.writeKey);
    await p.goto(`${env.url}/#/orders?connection=drinks&status=new`);
    const rows = p.locator('table.orders tbody tr');
    await rows.first().waitFor();
    const picked = await Promise.all([0, 1, 2].map(async (i) => (await rows.nth(i).getAttribute('data-order'))!));
    for (const i of [0, 1, 2]) await rows.nth(i).locator('input[type=checkbox]').check();
    await p.getByText('3 selected').waitFor();
    await p.locator('select[name=bulkStatus]').selectOption('processing');
    await p.getByRole('button', { name: 'Change status' }).click();
    await p.getByText('3 status change(s) accepted').waitFor();
    const orders = await Promise.all(picked.map((id) => env.api<{ order: ApiOrder }>('GET', `/v1/orders/${id}`)));
    await expect.poll(() => orders.map((o) => env.drinks.statusOf(o.order.externalId)), { timeout: 20_000 }).toEqual(['IN_REALIZATION', 'IN_REALIZATION', 'IN_REALIZATION']);
  });

  it('changes the status of every order matching the filters, after a preview', async () => {
    // the tests before queued write-backs of their own; on a loaded machine some may still be on their
    // way, and the preview would rightly skip those orders: start once none of the matching is waiting
    const dryRun = () => env.api<{ skipped: { pending: number } }>('POST', '/v1/orders/bulk/status', { filter: { connection: 'drinks', status: 'new' }, status: 'processing', dryRun: true });
    await expect.poll(async () => (await dryRun()).skipped.pending, { timeout: 60_000 }).toBe(0);
    const matching = (await env.api<{ data: ApiOrder[] }>('GET', '/v1/orders?connection=drinks&status=new&limit=500')).data;
    expect(matching.length).toBeGreaterThan(1);
    const p = await freshPage();
    await signIn(p, env.url, env.writeKey);
    await p.goto(`${env.url}/#/orders?connection=drinks&status=new`);
    const region = p.getByRole('region', { name: 'Every order matching the filters' });
    await region.locator('select[name=filterBulkStatus]').selectOption('processing');
    await region.getByRole('button', { name: 'Preview' }).click();
    await region.getByText(`${matching.length} match; ${matching.length} would change`).waitFor();
    expect(matching.every((o) => env.drinks.statusOf(o.externalId) === 'NEW')).toBe(true); // a preview changes nothing
    await region.getByRole('button', { name: `Change ${matching.length} orders` }).click();
    await region.getByText(`${matching.length} status change(s) queued.`).waitFor();
    // every write-back is delivered by the server's worker, each with its read-back: bounded, not timed
    await region.getByText(`Delivered ${matching.length}, waiting 0`).waitFor({ timeout: 100_000 });
    expect(matching.filter((o) => env.drinks.statusOf(o.externalId) !== 'IN_REALIZATION')).toEqual([]);
  }, 180_000);

  it('exports the selection as CSV and NDJSON', async () => {
    const p = await freshPage();
    await signIn(p, env.url, env.writeKey);
    await p.goto(`${env.url}/#/orders`);
    const rows = p.locator('table.orders tbody tr');
    await rows.first().waitFor();
    for (const i of [0, 1]) await rows.nth(i).locator('input[type=checkbox]').check();
    const ids = await Promise.all([0, 1].map(async (i) => (await rows.nth(i).getAttribute('data-order'))!));
    const [ndjson] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Export NDJSON' }).click()]);
    const lines = (await streamText(await ndjson.createReadStream())).trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((o) => o.id)).toEqual(ids);
    const [csv] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(csv.suggestedFilename()).toMatch(/^orders-.*\.csv$/);
    const text = await streamText(await csv.createReadStream());
    expect(text.split(/\r?\n/).filter(Boolean).length).toBe(3);
  });

  it('syncs a connection now from the connections page', async () => {
    const [inserted] = env.drinks.insertOrders(1);
    const p = await freshPage();
    await signIn(p, env.url, env.writeKey);
    await p.getByRole('link', { name: 'Connections' }).click();
    const card = p.locator('section.card', { has: p.getByRole('heading', { name: 'drinks', exact: true }) });
    await card.getByRole('button', { name: 'Sync now' }).click();
    await card.getByText(/Sync started/).waitFor();
    await expect.poll(async () => (await env.api<{ data: ApiOrder[] }>('GET', `/v1/orders?q=${inserted}`)).data.length, { timeout: 20_000 }).toBe(1);
    await card.getByText('Sync runs').click();
    await expect.poll(() => card.locator('table.runs tbody tr').count()).toBeGreaterThanOrEqual(2);
  });

  it('retries a quarantined record after the channel fixed it', async () => {
    const before = (await env.api<{ data: Array<{ id: number; externalId: string }> }>('GET', '/v1/failures?connection=md')).data;
    expect(before.length).toBeGreaterThan(0);
    const p = await freshPage();
    await signIn(p, env.url, env.writeKey);
    await p.getByRole('link', { name: 'Failures' }).click();
    const item = p.locator(`li[data-failure="${before[0]!.id}"]`);
    await item.getByText(/malformed ecom\.md order/).waitFor();
    await item.getByText('Raw payload').click();
    expect(await item.locator('pre').textContent()).toContain('not-a-date');
    await item.getByRole('button', { name: 'Retry' }).click();
    await p.getByText(/stored as an order/).waitFor();
    const after = (await env.api<{ data: Array<{ id: number }> }>('GET', '/v1/failures?connection=md')).data;
    expect(after.map((f) => f.id)).not.toContain(before[0]!.id);
    expect((await env.api<{ data: ApiOrder[] }>('GET', `/v1/orders?connection=md&q=${before[0]!.externalId}`)).data.map((o) => o.externalId)).toContain(before[0]!.externalId);
  });

  it('shows a new order on the orders page without a reload', async () => {
    const p = await freshPage();
    await signIn(p, env.url, env.writeKey);
    await p.goto(`${env.url}/#/orders`);
    await p.locator('table.orders tbody tr').first().waitFor();
    await p.evaluate('window.stillHere = true');
    const [id] = env.ecommd.insertOrders(1);
    await env.api('POST', '/v1/connections/md/sync?wait=true');
    const created = (await env.api<{ data: ApiOrder[] }>('GET', `/v1/orders?connection=md&q=${id}`)).data.find((o) => o.externalId === String(id))!;
    await p.locator(`tr[data-order="${created.id}"]`).waitFor({ timeout: 15_000 });
    expect(await p.evaluate('window.stillHere')).toBe(true);
  });

  it('signs out: the cookie is cleared and the session no longer works', async () => {
    const p = await freshPage();
    await signIn(p, env.url, env.writeKey);
    const [cookie] = await context.cookies();
    watcher.allow(401); // the API call made after signing out, below
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.getByLabel('API key').waitFor();
    expect(await context.cookies()).toEqual([]);
    const again = await fetch(`${env.url}/v1/orders?limit=1`, { headers: { cookie: `orderhub_session=${cookie!.value}` } });
    expect(again.status).toBe(401);
    expect(await p.evaluate(async () => (await fetch('/v1/orders?limit=1')).status)).toBe(401);
  });

  it('reaches every action on every page by keyboard', { timeout: 120_000 }, async () => {
    const p = await freshPage();
    // sign in by keyboard only
    await p.goto(env.url + '/');
    await p.locator('#apikey:focus').waitFor(); // the key field has focus on load
    await p.keyboard.type(env.writeKey);
    await p.keyboard.press('Enter');
    await p.getByRole('navigation', { name: 'Main' }).waitFor();
    const [order] = (await env.api<{ data: ApiOrder[] }>('GET', '/v1/orders?connection=drinks&limit=1')).data;
    for (const hash of ['#/', '#/orders', `#/orders/${order!.id}`, '#/connections', '#/failures', '#/webhooks', '#/dropship']) {
      await p.goto(`${env.url}/${hash}`);
      await p.locator('main h1').waitFor();
      await p.waitForLoadState('networkidle');
      if (hash === '#/orders') {
        // select an order with the keyboard: the bulk actions appear and must be reachable too
        await p.locator('table.orders tbody tr input[type=checkbox]').first().focus();
        await p.keyboard.press('Space');
        await p.getByText('1 selected').waitFor();
      }
      const unreached = await unreachableByTab(p);
      expect(unreached, `not reachable by Tab on ${hash}`).toEqual([]);
    }
  });
});

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

// (in-page code as strings: this file is type-checked with Node's types, not the DOM's)
const MARK_FOCUSABLE = `(() => {
  const all = [...document.querySelectorAll('a[href], button, input, select, textarea, summary')]
    .filter((el) => el.getClientRects().length > 0 && !el.disabled && !el.closest('[hidden]'));
  all.forEach((el, i) => (el.dataset.kbd = String(i)));
  window.reached = new Set();
  document.addEventListener('focusin', (e) => { const id = e.target.dataset && e.target.dataset.kbd; if (id !== undefined) window.reached.add(id); });
  if (all[0]) all[0].focus(); // Tab walks on from the first focusable element, in document order
  return all.length;
})()`;
const UNREACHED = `[...document.querySelectorAll('[data-kbd]')]
  .filter((el) => !window.reached.has(el.dataset.kbd))
  .map((el) => el.tagName.toLowerCase() + ' ' + ((el.textContent || '').trim().slice(0, 40) || el.getAttribute('aria-label') || ''))`;

/** The visible, enabled buttons, links, inputs, selects and summaries of the page that Tab never reaches. */
async function unreachableByTab(page: Page): Promise<string[]> {
  const total = (await page.evaluate(MARK_FOCUSABLE)) as number;
  let left = (await page.evaluate(UNREACHED)) as string[];
  for (let pressed = 0; left.length > 0 && pressed < total * 2 + 50; pressed += 25) {
    for (let i = 0; i < 25; i++) await page.keyboard.press('Tab');
    left = (await page.evaluate(UNREACHED)) as string[];
  }
  return left;
}
