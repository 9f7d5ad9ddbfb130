/** `orderhub sandbox`: the channel simulators on 127.0.0.1, until stopped. */
import { resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { channels } from '../../channels/registry.ts';
import { parseConfig } from '../../core/config.ts';
import type { StoreHandle } from '../../core/store/db.ts';
import { openHubStore } from '../../store-modules.ts';
import { startSandbox, writeSandboxConfig } from '../../sandbox/sandbox.ts';
import { UsageError } from '../context.ts';

export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('start every channel simulator on 127.0.0.1 and (optionally) write a config pointing at them; runs until stopped')
    .option('-p, --port <n>', 'first port (channel i listens on port+i); default: any free ports')
    .option('-w, --write-config <file>', 'write a ready orderhub config for the simulators to this file')
    .option('--orders <n>', 'orders generated per channel', '500')
    .option('--days <n>', 'days of order history generated', '60')
    .option('--seed <n>', 'seed of the deterministic generators', '42')
    .option('--database <path>', 'database written into the config', './data/sandbox.db')
    .option('--live <seconds>', 'every N seconds add new orders and status changes (0 = off)', '0')
    .option('--serve-url <url>', 'where `orderhub serve` listens: push simulators (Alza dropship) send their orders there, with their catalog imported as stock into --database')
    .action(async (opts: { port?: string; writeConfig?: string; orders: string; days: string; seed: string; database: string; live: string; serveUrl?: string }) => {
      const num = (v: string, name: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number ≥ 0`);
        return n;
      };
      const sandbox = await startSandbox(channels, {
        basePort: opts.port === undefined ? 0 : num(opts.port, 'port'),
        orders: num(opts.orders, 'orders'),
        days: num(opts.days, 'days'),
        seed: num(opts.seed, 'seed'),
        // absolute: a relative path in a config file is read from the file's folder, and --database is
        // relative to where this command runs
        database: resolvePath(opts.database),
      });
      for (const s of sandbox.simulators) process.stdout.write(`${s.kind.padEnd(14)} ${s.simulator.baseUrl}\n`);
      if (opts.writeConfig) {
        writeSandboxConfig(opts.writeConfig, sandbox.config);
        process.stdout.write(`config written to ${opts.writeConfig} — try: npx orderhub --config ${opts.writeConfig} sync\n`);
      }
      let store: StoreHandle | null = null;
      if (opts.serveUrl) {
        const config = parseConfig(sandbox.config, channels, 'sandbox');
        store = await openHubStore(config.database);
        for (const s of await sandbox.connectPush({ serverUrl: opts.serveUrl, store, connections: config.connections })) {
          process.stdout.write(`${s.kind} sends its orders to ${opts.serveUrl} (stock in ${config.database})\n`);
        }
      }
      const live = num(opts.live, 'live');
      const timer = live > 0 ? setInterval(() => sandbox.tick(), live * 1000) : undefined;
      process.stdout.write('sandbox running; Ctrl-C to stop\n');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      clearInterval(timer);
      await sandbox.close();
      await store?.close();
    });
}
