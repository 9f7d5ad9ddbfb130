/**
 * The sandbox: every channel's local simulator on 127.0.0.1, and a configuration pointing at them.
 * Used by `orderhub sandbox`, `npm start` (the demo), tests and the benchmark.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { ChannelRegistry } from '../core/registry.ts';
import type { BaseConnectionConfig } from '../core/config.ts';
import type { RunningSimulator } from '../core/connector.ts';
import type { StoreHandle } from '../core/store/db.ts';
import { addDays, localDate } from '../core/canonical/time.ts';

export interface SandboxOptions {
  host?: string;
  /** first port; channel i listens on basePort + i. 0 = any free port */
  basePort?: number;
  /** orders generated per channel */
  orders?: number;
  seed?: number;
  /** days of history generated */
  days?: number;
  database?: string;
  /** schedule written into each connection */
  schedule?: string;
  /** the end of the generated history (UTC ms; default now), see SimulatorOptions.historyEnd */
  historyEnd?: number;
}

export interface Sandbox {
  simulators: Array<{ kind: string; name: string; simulator: RunningSimulator }>;
  /** the configuration tree (what `--write-config` writes) */
  config: { database: string; connections: Array<Record<string, unknown>> };
  tick(): void;
  /**
   * Points the simulators of push channels (which call orderhub) at orderhub's server and lets them
   * seed the store; returns those simulators.
   */
  connectPush(target: { serverUrl: string; store: StoreHandle; connections: readonly BaseConnectionConfig[] }): Promise<Sandbox['simulators']>;
  close(): Promise<void>;
}

export async function startSandbox(registry: ChannelRegistry, options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const days = options.days ?? 60;
  const since = addDays(localDate(new Date(), 'UTC'), -days);
  const simulators: Sandbox['simulators'] = [];
  try {
    for (const [i, channel] of registry.all().entries()) {
      if (!channel.simulator) continue;
      const port = options.basePort ? options.basePort + i : 0;
      const simulator = await channel.simulator.start({
        host, port, orders: options.orders ?? 500, seed: (options.seed ?? 42) + i, since,
        ...(options.historyEnd !== undefined ? { historyEnd: options.historyEnd } : {}),
      });
      simulators.push({ kind: channel.kind, name: `${channel.kind}-sandbox`, simulator });
    }
  } catch (err) {
    await Promise.all(simulators.map((s) => s.simulator.close()));
    throw err;
  }
  const config = {
    database: options.database ?? './data/sandbox.db',
    connections: simulators.map((s) => ({
      name: s.name,
      ...s.simulator.connection,
      since,
      schedule: options.schedule ?? '1m',
    })),
  };
  return {
    simulators,
    config,
    tick: () => simulators.forEach((s) => s.simulator.tick?.()),
    async connectPush({ serverUrl, store, connections }) {
      const connected: Sandbox['simulators'] = [];
      for (const s of simulators) {
        const connection = connections.find((c) => c.name === s.name);
        if (!s.simulator.connectTo || !connection) continue;
        await s.simulator.connectTo({ serverUrl, store, connection });
        connected.push(s);
      }
      return connected;
    },
    close: async () => {
      await Promise.all(simulators.map((s) => s.simulator.close()));
    },
  };
}

export function writeSandboxConfig(file: string, config: Sandbox['config']): void {
  mkdirSync(dirname(file), { recursive: true });
  const header =
    '# Written by `orderhub sandbox`: connections pointing at the local channel simulators.\n' +
    '# The simulators run only while `orderhub sandbox` (or `npm start`) runs.\n';
  writeFileSync(file, header + toYaml(config));
}
