/**
 * Issue 17, items 6 and 7, through the `orderhub` command (a child process) against the drinks2cash
 * and ecom.md simulators, with the REST API on the same store:
 * - set-status, attach-document and add-tracking are write-backs in the outbox as the CLI's (`cli`):
 *   `orders show` and GET /v1/orders/{id} list them alike, and the read-back is journalled as `cli`;
 * - `set-status --where <filters> STATUS`: a dry run per connection (the same numbers as the API's),
 *   then one write-back per order delivered from the process, the channel's refusals reported and the
 *   exit code saying so, a channel that cannot take the status named; re-running with --no-wait
 *   queues nothing twice.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalOrder } from '../../src/core/canonical/order.ts';
import { startTwoChannels, type TwoChannels } from './two-channels.ts';

const ORDERS = 60;

describe('audit trail and bulk status changes in the CLI', { timeout: 400_000 }, () => {
  let env: TwoChannels;
  /** the oldest new drinks2cash order: changed one by one first, then part of the bulk change */
  let a: CanonicalOrder;
  const cli = (...args: string[]) => env.cli(...args);
  const show = async (id: string) => {
    const r = await cli('orders', 'show', id);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as any;
  };
  const call = (method: 'GET' | 'POST', path: string, body?: unknown) => (method === 'GET' ? env.get(path) : env.post(path, body));

  beforeAll(async () => {
    // no workers: what the CLI queues stays queued unless the CLI delivers it
    env = await startTwoChannels({ prefix: 'orderhub-audit-bulk-', orders: ORDERS, keyName: 'ops', server: { workers: false } });
    a = (await call('GET', '/v1/orders?connection=drinks-pl&status=new&sort=createdAt&limit=1')).body.data[0];
  });
  afterAll(async () => {
    await env?.close();
  });

  it('set-status and attach-document are write-backs of the CLI (actor cli) listed on the order like the API\'s; the read-back is journalled as cli', async () => {
    expect((await show(a.id)).journal).toEqual([expect.objectContaining({ type: 'order.created', actor: expect.stringMatching(/^sync:\d+$/) })]);

    const set = await cli('orders', 'set-status', a.id, 'processing');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe(`drinks-pl:${a.externalId} is now IN_REALIZATION (processing)\n`);
    const pdf = Buffer.from('%PDF-1.4 invoice of the audit test\n');
    writeFileSync(join(env.dir.path, 'invoice.pdf'), pdf);
    const attached = await cli('orders', 'attach-document', a.id, join(env.dir.path, 'invoice.pdf'), '-t', 'INVOICE');
    expect(attached.code, attached.stderr).toBe(0);
    expect(env.drinks.documents.map((d) => [String(d.orderNumber), d.documentType, d.fileName, d.data.equals(pdf)])).toEqual([[a.externalId, 'INVOICE', 'invoice.pdf', true]]);
    // refused before anything is recorded, as the API's 422
    const tracking = await cli('orders', 'add-tracking', a.id, 'PL123');
    expect(tracking.code).toBe(2);
    expect(tracking.stderr).toBe('error: drinks2cash (PL) does not accept tracking numbers through its API\n');

    const shown = await show(a.id);
    expect(shown.writeBacks).toEqual([
      expect.objectContaining({ kind: 'status', state: 'delivered', actor: 'cli', bulkId: null, request: { status: 'processing' }, result: expect.objectContaining({ channelStatus: 'IN_REALIZATION' }) }),
      expect.objectContaining({
        kind: 'document', state: 'delivered', actor: 'cli',
        request: { fileName: 'invoice.pdf', contentType: 'application/pdf', type: 'INVOICE', informClient: false, bytes: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex') },
      }),
    ]);
    expect(shown.journal.map((e: { type: string; actor: string }) => [e.type, e.actor]).slice(1)).toEqual([['order.status_changed', 'cli']]);
    const detail = (await call('GET', `/v1/orders/${a.id}`)).body;
    expect(detail.writeBacks).toEqual(shown.writeBacks);
    expect(detail.journal).toEqual(shown.journal);
  });

  it('set-status --where: a dry run per connection (the API\'s numbers), then one write-back per order delivered, refusals reported and a channel that cannot take the status named', async () => {
    env.drinks.setFaults({ requireInvoiceForRealized: true });
    const createdTo = new Date(Date.parse(a.createdAt) + 1).toISOString();
    const where = ['orders', 'set-status', '--where', '-c', 'drinks-pl,shop-md', '--created-to', createdTo, 'shipped'];

    const table = await cli(...where, '--dry-run');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^connection\s+channel\s+matched\s+sets\s+would queue\s+already\s+pending\s+unsupported\s+problem\n/);
    expect(table.stdout).toMatch(/\ndrinks-pl\s+drinks2cash\s+\d+\s+REALIZED\s+\d+/);
    expect(table.stdout).toMatch(/"shipped" is ambiguous at ecom\.md/);
    const dry = JSON.parse((await cli(...where, '--dry-run', '--json')).stdout);
    expect((await call('POST', '/v1/orders/bulk/status', { filter: { connection: 'drinks-pl,shop-md', createdTo }, status: 'shipped', dryRun: true })).body).toEqual(dry);
    const [d, m] = dry.byConnection;
    expect(d).toMatchObject({ connection: 'drinks-pl', channel: 'drinks2cash', channelStatus: 'REALIZED', problem: null });
    expect(m).toMatchObject({ connection: 'shop-md', channel: 'ecommd', channelStatus: null, queued: 0 });
    expect(m.problem).toMatch(/^"shipped" is ambiguous at ecom\.md.*: atcouriersortcenter, ondelivery, deliverydatemoved all mean it/);
    expect(m.skipped.unsupported + m.skipped.alreadyInStatus).toBe(m.matched);
    expect(d.queued).toBeGreaterThanOrEqual(1);
    expect(table.stdout).toContain(`dry run: ${dry.matched} orders match; ${dry.queued} would get a write-back to shipped`);
    expect((await show(a.id)).writeBacks).toHaveLength(2);

    // queued and delivered from the process: only the order with an invoice may be REALIZED
    const run = await cli(...where);
    const refused = dry.queued - 1;
    expect(run.code, run.stderr).toBe(refused > 0 ? 1 : 0);
    const bulkId = /queued \d+ write-backs to shipped \((bulk_[0-9a-f]+)\)/.exec(run.stdout)?.[1];
    expect(bulkId, run.stdout).toBeDefined();
    expect(run.stdout).toContain(`delivered 1, refused ${refused}, failed 0 (write-backs of ${bulkId}`);
    expect(env.drinks.statusOf(a.externalId)).toBe('REALIZED');
    const fared = (await call('GET', `/v1/orders/bulk/${bulkId}`)).body;
    expect(fared.states).toEqual({ accepted: 0, delivered: 1, refused, failed: 0 });
    for (const p of fared.problems) expect(p).toMatchObject({ actor: 'cli', bulkId, state: 'refused', error: { code: 'channel_refused' } });
    const after = await show(a.id);
    expect(after.order).toMatchObject({ status: 'shipped', channelStatus: 'REALIZED' });
    expect(after.writeBacks.at(-1)).toMatchObject({ kind: 'status', state: 'delivered', actor: 'cli', bulkId, request: { status: 'shipped' } });
    expect(after.journal.at(-1)).toMatchObject({ type: 'order.status_changed', actor: 'cli', toStatus: 'shipped' });
  });

  it('set-status --where --no-wait queues the write-backs for the workers; running it again queues nothing twice', async () => {
    const where = ['orders', 'set-status', '--where', '-c', 'shop-md', '-s', 'new', '--no-wait', '--json', 'confirmed'];
    const first = await cli(...where);
    expect(first.code, first.stderr).toBe(0);
    const queued = JSON.parse(first.stdout);
    expect(queued).toMatchObject({ dryRun: false, status: 'confirmed', skipped: { alreadyInStatus: 0, pending: 0, unsupported: 0 } });
    expect(queued.queued).toBe(queued.matched);
    expect(queued.queued).toBeGreaterThan(0);
    const again = JSON.parse((await cli(...where)).stdout);
    expect(again).toMatchObject({ matched: queued.matched, queued: 0, skipped: { pending: queued.matched } });
    const [one] = (await call('GET', '/v1/orders?connection=shop-md&status=new&limit=1')).body.data as CanonicalOrder[];
    expect((await show(one!.id)).writeBacks).toEqual([expect.objectContaining({ state: 'accepted', actor: 'cli', bulkId: queued.bulkId, request: { status: 'confirmed' } })]);
    expect((await call('GET', `/v1/orders/bulk/${queued.bulkId}`)).body.states.accepted).toBe(queued.queued);
    // the table says why nothing was queued
    const table = await cli('orders', 'set-status', '--where', '-c', 'shop-md', '-s', 'new', '--no-wait', 'confirmed');
    expect(table.stdout).toContain(`${queued.matched} orders match; queued 0 write-backs to confirmed; ${queued.matched} skipped: ${queued.matched} have a write-back to it waiting.`);
    // the one-order form and --where do not mix
    const mixed = await cli('orders', 'set-status', one!.id, 'confirmed', '-c', 'shop-md');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/^error: the filters, --dry-run, --max, --no-wait and --json go with --where/);
    const bare = await cli('orders', 'set-status', '--where', 'confirmed');
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--where needs at least one filter/);
  });
});
