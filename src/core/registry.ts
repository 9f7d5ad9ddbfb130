/**
 * The set of channel kinds this build knows. The core only sees ChannelDefinitions; which channels
 * exist is decided in src/channels/registry.ts (one line per channel).
 */
import type { z } from 'zod';
import type { BaseConnectionConfig, ChannelConfigSource } from './config.ts';
import type { ChannelDefinition } from './connector.ts';
import type { StoreModule } from './store/module.ts';

export class ChannelRegistry implements ChannelConfigSource {
  private readonly byKind = new Map<string, ChannelDefinition>();

  constructor(channels: readonly ChannelDefinition[]) {
    for (const c of channels) {
      if (this.byKind.has(c.kind)) throw new Error(`channel kind ${c.kind} registered twice`);
      this.byKind.set(c.kind, c);
    }
  }

  all(): ChannelDefinition[] {
    return [...this.byKind.values()];
  }

  kinds(): string[] {
    return [...this.byKind.keys()];
  }

  get(kind: string): ChannelDefinition {
    const c = this.byKind.get(kind);
    if (!c) throw new Error(`unknown channel kind "${kind}"; supported: ${this.kinds().join(', ')}`);
    return c;
  }

  /** Connections the sync engine pulls: enabled, of a channel that can be pulled from. Push-only
   * channels (orders arrive through `orderhub serve`) have nothing to sync. */
  pulled<T extends { kind: string; enabled: boolean }>(connections: readonly T[]): T[] {
    return connections.filter((c) => c.enabled && this.byKind.get(c.kind)?.capabilities.pull === true);
  }

  /** The store modules of the channels that have tables of their own. */
  storeModules(): StoreModule[] {
    return this.all().flatMap((c) => (c.store ? [c.store] : []));
  }

  schemaFor(kind: string): z.ZodType<BaseConnectionConfig> | undefined {
    return this.byKind.get(kind)?.configSchema;
  }
}
