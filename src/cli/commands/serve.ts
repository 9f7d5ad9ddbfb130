/** `orderhub serve`: the REST API with the webhook dispatcher and the write-back worker, until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import { channels } from '../../channels/registry.ts';
import { startApiServer } from '../../api/app.ts';
import { listApiKeys } from '../../api/store/api-keys.ts';
import { openContext, UsageError, type GlobalOptions } from '../context.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the REST API (orders, change feed, webhooks, write-back) with its webhook and write-back workers')
    .option('--host <host>', 'address to listen on (default: server.host in the config, 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default: server.port in the config, 8080)')
    .option('--no-workers', 'do not deliver webhooks and write-backs from this process')
    .action(async (opts: { host?: string; port?: string; workers: boolean }, cmd: Command) => {
      let port: number | undefined;
      if (opts.port !== undefined) {
        port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a port number (0-65535)');
      }
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const server = await startApiServer({
          store: ctx.store, config: ctx.config, registry: channels, logger: ctx.logger, host: opts.host, port, workers: opts.workers,
        });
        const keys = (await listApiKeys(ctx.store.db)).filter((k) => k.revokedAt === null);
        process.stderr.write(
          `orderhub API on ${server.url} (docs ${server.url}/docs, OpenAPI ${server.url}/openapi.json)\n` +
            (keys.length === 0 ? 'no API key exists yet: create one with `orderhub apikey create --scope read|write`\n' : '') +
            'Ctrl-C to stop\n',
        );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        process.stderr.write('stopping: finishing requests and deliveries in flight…\n');
        await server.close();
      } finally {
        await ctx.close();
      }
    });
}
