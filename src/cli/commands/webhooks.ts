/** `orderhub webhooks add|list|remove|deliveries|redeliver`: webhook subscriptions from the command line. */
import { Option, type Command } from 'commander';
import { EVENT_TYPES, isSystemEventType, ORDER_EVENT_TYPES, type EventType } from '../../api/events.ts';
import {
  createSubscription, deleteSubscription, getSubscription, listDeliveries, listSubscriptions, redeliver, subscriptionProblems,
} from '../../webhooks/store.ts';
import { SIGNING_SCHEMES, type SigningScheme } from '../../webhooks/signature.ts';
import { TargetPolicy } from '../../webhooks/targets.ts';
import { openContext, UsageError, type GlobalOptions } from '../context.ts';
import { formatTable, truncate } from '../format.ts';
import { wholeNumber } from '../options.ts';
import { webhookTables } from '../../webhooks/tables.ts';

export function registerWebhooks(program: Command): void {
  const webhooks = program.command('webhooks').description('signed webhooks of order events (delivered by `orderhub serve`)');

  webhooks
    .command('add <url>')
    .description('subscribe a URL; prints the subscription and its signing secret (shown once)')
    .option('--events <types>', `comma-separated: ${EVENT_TYPES.join(', ')} (default: all the order.* ones)`)
    .option('--secret <secret>', 'HMAC signing secret (at least 16 characters; for --signing standard whsec_ + base64 of 24 to 64 bytes; default: generated). Prefer $ORDERHUB_WEBHOOK_SECRET: arguments show in process lists')
    .option('--description <text>', 'what this subscription is for')
    .option('--include-order', 'add the current order to every event')
    .option('--from-start', 'also deliver every event already stored')
    .addOption(new Option('--signing <scheme>', 'orderhub: Orderhub-Signature header; standard: Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature), for receivers that verify with a standardwebhooks library').choices(SIGNING_SCHEMES).default('orderhub'))
    .action(async (url: string, opts: { events?: string; secret?: string; description?: string; includeOrder?: boolean; fromStart?: boolean; signing: SigningScheme }, cmd: Command) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new UsageError(`"${url}" is not a URL`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError('the URL must be http or https');
      const events = opts.events?.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = events?.filter((e) => !(EVENT_TYPES as readonly string[]).includes(e)) ?? [];
      if (unknown.length > 0) throw new UsageError(`unknown event type ${unknown.join(', ')}; known: ${EVENT_TYPES.join(', ')}`);
      const secret = opts.secret ?? process.env.ORDERHUB_WEBHOOK_SECRET;
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const input = { url, events: events as EventType[] | undefined, secret, description: opts.description, includeOrder: opts.includeOrder, fromStart: opts.fromStart, signing: opts.signing };
        const problems = subscriptionProblems(input, new TargetPolicy(ctx.config.webhooks.allowPrivateTargets));
        if (problems.length > 0) throw new UsageError(problems.map((p) => p.message).join('; '));
        const { subscription, secret: s } = await createSubscription(ctx.store.db, input);
        process.stdout.write(`${JSON.stringify({ ...subscription, secret: s }, null, 2)}\n`);
      } finally {
        await ctx.close();
      }
    });

  webhooks
    .command('list')
    .description('subscriptions with their pending and dead-lettered deliveries')
    .option('--json', 'print the subscriptions as JSON: what GET /v1/webhooks answers (its `data`)')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const subs = await listSubscriptions(ctx.store.db);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(subs, null, 2)}\n`);
          return;
        }
        const counts = await webhookTables(ctx.store.db)
          .selectFrom('webhook_deliveries')
          .select(['subscription_id', 'state', (eb) => eb.fn.countAll<number>().as('n')])
          .where('state', 'in', ['pending', 'dead'])
          .groupBy(['subscription_id', 'state'])
          .execute();
        const count = (id: string, state: string) => String(Number(counts.find((c) => c.subscription_id === id && c.state === state)?.n ?? 0));
        process.stdout.write(
          formatTable(
            ['id', 'url', 'events', 'signing', 'pending', 'dead', 'created'],
            subs.map((s) => [s.id, truncate(s.url, 50), eventsLabel(s.events), s.signing, count(s.id, 'pending'), count(s.id, 'dead'), s.createdAt]),
          ),
        );
      } finally {
        await ctx.close();
      }
    });

  webhooks
    .command('remove <id>')
    .description('remove a subscription and its queued deliveries')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        if (!(await deleteSubscription(ctx.store.db, id))) throw new UsageError(`no webhook ${id} (see orderhub webhooks list)`);
        process.stdout.write(`removed ${id}\n`);
      } finally {
        await ctx.close();
      }
    });

  webhooks
    .command('deliveries <id>')
    .description('recent deliveries of a subscription, newest first')
    .option('--state <state>', 'pending | delivered | dead')
    .option('-n, --limit <n>', 'how many (at most 1000)', wholeNumber(1, 1000), 50)
    .option('--json', 'print the deliveries as JSON: what GET /v1/webhooks/{id}/deliveries answers (its `data`)')
    .action(async (id: string, opts: { state?: string; limit: number; json?: boolean }, cmd: Command) => {
      if (opts.state !== undefined && !['pending', 'delivered', 'dead'].includes(opts.state)) throw new UsageError('--state must be pending, delivered or dead');
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        if (!(await getSubscription(ctx.store.db, id))) throw new UsageError(`no webhook ${id}`);
        const rows = await listDeliveries(ctx.store.db, { subscriptionId: id, state: opts.state, limit: opts.limit });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          formatTable(
            ['delivery', 'event', 'type', 'order', 'state', 'attempts', 'last status', 'next attempt', 'last error'],
            rows.map((d) => [String(d.id), d.eventId, d.eventType, d.orderId ?? '-', d.state, String(d.attempts), d.lastStatus === null ? '-' : String(d.lastStatus), d.nextAttemptAt ?? '-', truncate(d.lastError, 40)]),
          ),
        );
      } finally {
        await ctx.close();
      }
    });

  webhooks
    .command('redeliver <id>')
    .description('queue every dead-lettered delivery of a subscription again (or one, with --delivery)')
    .option('--delivery <deliveryId>', 'only this delivery (any state)', wholeNumber(1))
    .action(async (id: string, opts: { delivery?: number }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        if (!(await getSubscription(ctx.store.db, id))) throw new UsageError(`no webhook ${id}`);
        let n: number;
        if (opts.delivery !== undefined) {
          const deliveryId = opts.delivery;
          const row = await webhookTables(ctx.store.db).selectFrom('webhook_deliveries').select('id').where('id', '=', deliveryId).where('subscription_id', '=', id).executeTakeFirst();
          if (!row) throw new UsageError(`no delivery ${opts.delivery} for webhook ${id}`);
          n = await redeliver(ctx.store.db, { id: deliveryId });
        } else {
          n = await redeliver(ctx.store.db, { subscriptionId: id, state: 'dead' });
        }
        process.stdout.write(`queued ${n} deliver${n === 1 ? 'y' : 'ies'} again; a running \`orderhub serve\` sends them\n`);
      } finally {
        await ctx.close();
      }
    });
}

/** "all" stands for every order event type; system event types are named after it. */
function eventsLabel(events: readonly EventType[]): string {
  const all = ORDER_EVENT_TYPES.every((t) => events.includes(t));
  return [...(all ? ['all'] : events.filter((t) => !isSystemEventType(t))), ...events.filter(isSystemEventType)].join(',');
}
