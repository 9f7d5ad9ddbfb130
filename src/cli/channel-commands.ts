/** Mounts each channel's own commands as `orderhub <kind> …`. */
import type { Command } from 'commander';
import { channels } from '../channels/registry.ts';
import { createConnectorRuntime } from '../core/sync/runtime.ts';
import { openContext, UsageError, type GlobalOptions } from './context.ts';

export function registerChannelCommands(program: Command): void {
  for (const channel of channels.all()) {
    if (!channel.cli) continue;
    const command = program.command(channel.kind).description(channel.cli.description);
    channel.cli.register(command, {
      async openConnection(name) {
        const ctx = await openContext(program.opts<GlobalOptions>());
        const candidates = ctx.config.connections.filter((c) => c.kind === channel.kind && (name === undefined || c.name === name));
        if (candidates.length !== 1) {
          await ctx.close();
          throw new UsageError(
            candidates.length === 0
              ? `no ${channel.kind} connection${name ? ` named "${name}"` : ''} in ${ctx.config.source}`
              : `several ${channel.kind} connections are configured; choose one with --connection (${candidates.map((c) => c.name).join(', ')})`,
          );
        }
        const config = candidates[0]!;
        const runtime = createConnectorRuntime(ctx.store, channel, config, ctx.logger);
        return {
          config,
          context: runtime.context,
          close: async () => {
            await runtime.close();
            await ctx.close();
          },
        };
      },
    });
  }
}
