/** Mounts each channel's own commands as `orderhub <kind> …` (and its top-level ones, e.g. `orderhub stock`). */
import type { Command } from 'commander';
import type { ChannelCliContext, ChannelDefinition } from '../core/connector.ts';
import { channels } from '../channels/registry.ts';
import { didYouMean } from '../core/suggest.ts';
import { createConnectorRuntime } from '../core/sync/runtime.ts';
import { openContext, UsageError, type GlobalOptions } from './context.ts';

export function registerChannelCommands(program: Command): void {
  const taken = new Set(program.commands.map((c) => c.name()));
  for (const channel of channels.all()) {
    if (!channel.cli) continue;
    const context = cliContext(program, channel);
    channel.cli.register(program.command(channel.kind).description(channel.cli.description), context);
    for (const top of channel.cli.topLevel ?? []) {
      if (taken.has(top.name)) throw new Error(`channel ${channel.kind}: top-level command "${top.name}" is already taken`);
      taken.add(top.name);
      top.register(program.command(top.name).description(top.description), context);
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function cliContext(program: Command, channel: ChannelDefinition<any>): ChannelCliContext {
  return {
    async openConnection(name) {
      const ctx = await openContext(program.opts<GlobalOptions>());
      const ofKind = ctx.config.connections.filter((c) => c.kind === channel.kind).map((c) => c.name);
      const candidates = ctx.config.connections.filter((c) => c.kind === channel.kind && (name === undefined || c.name === name));
      if (candidates.length !== 1) {
        await ctx.close();
        throw new UsageError(
          candidates.length === 0
            ? `no ${channel.kind} connection${name ? ` named "${name}"${didYouMean(name, ofKind)}` : ''} in ${ctx.config.source}; configured: ${ofKind.join(', ') || '(none)'}`
            : `several ${channel.kind} connections are configured; choose one with --connection (${candidates.map((c) => c.name).join(', ')})`,
        );
      }
      const config = candidates[0]!;
      const runtime = createConnectorRuntime(ctx.store, channel, config, ctx.logger);
      return {
        config,
        context: runtime.context,
        store: ctx.store,
        close: async () => {
          await runtime.close();
          await ctx.close();
        },
      };
    },
  };
}
