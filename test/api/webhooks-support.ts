/**
 * What the webhook tests share: event churn through the core upsert, the change feed as the
 * reference, per-order sequences, and a receiver that holds its answers (a slow receiver).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isOrderEvent, ORDER_EVENT_TYPES, readFeed, type OrderEvent } from '../../src/api/events.ts';
import { verifyWebhookSignature } from '../../src/webhooks/signature.ts';
import { mapped, putOrders, type TestApi } from './helpers.ts';

/** Creates `n` orders, then moves each through two more changes (status, then a note). */
export async function churn(api: TestApi, prefix: string, n: number): Promise<void> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
  await putOrders(api.t.store, 'shop', ids.map((id) => mapped(id)), new Date('2026-03-10T00:00:00.000Z'));
  await putOrders(api.t.store, 'shop', ids.map((id) => mapped(id, { status: 'processing', channelStatus: 'PROCESSING' })), new Date('2026-03-10T01:00:00.000Z'));
  await putOrders(api.t.store, 'shop', ids.map((id) => mapped(id, { status: 'processing', channelStatus: 'PROCESSING', note: 'packed' })), new Date('2026-03-10T02:00:00.000Z'));
}

/** The order events of the feed (what a subscription with the default event types receives). */
export async function feedEvents(api: TestApi): Promise<OrderEvent[]> {
  return (await readFeed(api.t.store.db, { after: 0, limit: 100_000, types: ORDER_EVENT_TYPES })).events.filter(isOrderEvent);
}

export function perOrderSeqs(events: Array<{ orderId: string; seq: number }>): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const e of events) m.set(e.orderId, [...(m.get(e.orderId) ?? []), e.seq]);
  return m;
}

export interface HoldingReceiver {
  url: string;
  /** requests held open, unanswered */
  held: ServerResponse[];
  /** events answered 200, in arrival order */
  got: Array<{ id: string; seq: number; orderId: string }>;
  /** from now on answer every request (held ones included) */
  release(): void;
  close(): Promise<void>;
}

/**
 * A slow receiver: holds every request open until released (or for `holdMs` at most, so that a
 * broken dispatcher makes a test fail on its assertions rather than hang), then answers 200 to
 * correctly signed ones.
 */
export async function startHoldingReceiver(secret: () => string, holdMs = 8_000): Promise<HoldingReceiver> {
  let answering = false;
  const waiting: Array<() => void> = [];
  const r: HoldingReceiver = {
    url: '', held: [], got: [],
    release() {
      answering = true;
      for (const answer of waiting.splice(0)) answer();
    },
    close: async () => undefined,
  };
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const answer = () => {
        if (res.destroyed) return;
        if (!verifyWebhookSignature(secret(), raw, req.headers['orderhub-signature'] as string | undefined)) return void res.writeHead(400).end();
        r.got.push(JSON.parse(raw) as { id: string; seq: number; orderId: string });
        res.writeHead(200).end();
      };
      if (answering) return answer();
      r.held.push(res);
      waiting.push(answer);
      setTimeout(answer, holdMs).unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`;
  r.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return r;
}
