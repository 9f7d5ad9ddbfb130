/** `orderhub serve`: the REST API with the webhook dispatcher and the write-back worker, until SIGINT/SIGTERM. */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { channels } from '../../channels/registry.ts';
import { startApiServer } from '../../api/app.ts';
import { parseProcesses, runServeCluster, serveWorkerIndex, workerLink } from '../../api/cluster.ts';
import { sweepArrayBuffersOnMainThread } from '../../api/reader.ts';
import { listApiKeys } from '../../api/store/api-keys.ts';
import { AlertWorker } from '../../alerts/worker.ts';
import { logFileLine, openContext, UsageError, type GlobalOptions } from '../context.ts';

interface ServeOptions {
  host?: string;
  port?: string;
  workers: boolean;
  processes: string;
}

function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the REST API (orders, change feed, webhooks, write-back) with its webhook and write-back workers')
    .option('--host <host>', 'address to listen on (default: server.host in the config, 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default: server.port in the config, 8080)')
    .option('--no-workers', 'do not deliver webhooks, write-backs and alerts from this process')
    .option(
      '--processes <n>',
      'serve from N processes sharing the port, one per core with "auto" (webhooks and write-backs are delivered by the first)',
      '1',
    )
    .action(async (opts: ServeOptions, cmd: Command) => {
      // this process (or each of its --processes workers, which run this action too) serves the API
      sweepArrayBuffersOnMainThread();
      let port: number | undefined;
      if (opts.port !== undefined) {
        port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a port number (0-65535)');
      }
      let processes: number;
      try {
        processes = parseProcesses(opts.processes, availableParallelism());
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const worker = serveWorkerIndex();
      if (worker !== null) return serveAsWorker(worker, globals, opts, port);
      if (processes > 1 && port === 0) throw new UsageError('--processes needs a fixed --port (the processes share it)');

      const ctx = await openContext(globals);
      const keys = (await listApiKeys(ctx.store.db)).filter((k) => k.revokedAt === null);
      if (processes > 1) {
        // The configuration is checked and the store migrated here, once, before any worker opens it.
        await ctx.close();
        const stop = stopSignal();
        void stop.then(() => process.stderr.write('stopping: every process finishes its requests and deliveries in flight…\n'));
        process.exitCode = await runServeCluster({
          processes,
          stop,
          log: (line) => process.stderr.write(`${line}\n`),
          onReady: (url) => process.stderr.write(banner(url, keys.length, processes)),
        });
        return;
      }
      try {
        const server = await startApiServer({
          store: ctx.store, config: ctx.config, registry: channels, logger: ctx.logger, host: opts.host, port, workers: opts.workers,
        });
        const alerts = startAlerts(ctx, opts.workers);
        process.stderr.write(banner(server.url, keys.length, 1));
        await stopSignal();
        process.stderr.write('stopping: finishing requests and deliveries in flight…\n');
        await server.close();
        await alerts?.stop();
      } finally {
        await ctx.close();
      }
    });
}

/** The alerts' worker (system events to e-mail and Slack, silences) where the other workers run. */
function startAlerts(ctx: Awaited<ReturnType<typeof openContext>>, workers: boolean): AlertWorker | null {
  if (!workers) return null;
  const alerts = new AlertWorker({ store: ctx.store, logger: ctx.logger, config: ctx.config.alerts, connections: ctx.config.connections });
  alerts.start();
  return alerts;
}

function banner(url: string, keys: number, processes: number): string {
  return (
    `orderhub API on ${url}${processes > 1 ? ` (${processes} processes)` : ''} (docs ${url}/docs, OpenAPI ${url}/openapi.json)\n` +
    (keys === 0 ? 'no API key exists yet: create one with `orderhub apikey create --scope read|write`\n' : '') +
    (logFileLine() ? `${logFileLine()}\n` : '') +
    'Ctrl-C to stop\n'
  );
}

/** One worker of `serve --processes`: serves until the primary (or a signal) says stop. */
async function serveAsWorker(index: number, globals: GlobalOptions, opts: ServeOptions, port: number | undefined): Promise<void> {
  // handled from the start: a stop asked for while this worker is still starting is not lost
  const stop = stopSignal();
  let ctx;
  let server;
  try {
    ctx = await openContext(globals);
    server = await startApiServer({
      store: ctx.store, config: ctx.config, registry: channels, logger: ctx.logger, host: opts.host, port,
      workers: opts.workers && index === 0,
      metricsSource: workerLink.shareMetrics,
    });
  } catch (err) {
    await workerLink.failed((err as Error).message);
    await ctx?.close();
    // (a half-started server may hold handles; this worker has nothing left to do)
    process.exit(1);
  }
  const alerts = startAlerts(ctx, opts.workers && index === 0);
  await workerLink.ready(server.url);
  await stop;
  await server.close();
  await alerts?.stop();
  await ctx.close();
  // drained and closed: exit rather than wait for idle keep-alive sockets of channel clients to time out
  process.exit(0);
}
