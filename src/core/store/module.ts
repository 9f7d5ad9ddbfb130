/**
 * A store module: a part of orderhub that owns tables (the core, the API, the outbox, webhooks, a
 * channel) declares them here, and the store runs every module's migrations when it opens. The core
 * knows this contract, not the modules: whoever opens a store (the CLI, the server, a test) passes
 * the modules it needs (see src/store-modules.ts for the product's list).
 *
 * Migration names are global across modules: `NNNN_<module>_<what>`, with NNNN the next free number
 * in the whole store (they share one history table, `kysely_migration`). Each module's migrations
 * may only depend on the core's tables and on its own earlier migrations.
 */
import type { Kysely } from 'kysely';
import type { RunCounts } from './runs.ts';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

/** The dialect is passed because the auto-increment key type differs; everything else is portable DDL. */
export type DialectMigration = (db: Kysely<unknown>, dialect: Dialect) => Promise<void>;

export interface StoreMigration {
  name: string;
  up: DialectMigration;
  /**
   * The migration that did this work before it was split into modules: a store that has `splitFrom`
   * recorded has these tables already, so this migration is recorded as done instead of run.
   */
  splitFrom?: string;
}

/** A finished sync run, as a module's onSyncOutcome sees it. */
export interface SyncOutcome {
  connection: string;
  runId: number;
  /** ISO UTC: when the run finished (the engine's clock) */
  at: string;
  ok: boolean;
  error: string | null;
  /** why the connection now needs attention (refused credentials, a full disk), else null */
  needsAttention: string | null;
  counts: RunCounts;
  /** the connection's row before this outcome was recorded */
  before: { health: string; attention: string | null; lastError: string | null; lastSuccessAt: string | null };
}

export interface StoreModule {
  /** who owns the tables, for messages ('core', 'api', 'alza-dropship', …) */
  name: string;
  migrations: readonly StoreMigration[];
  /**
   * Called inside the transaction that records a sync run's outcome (the journal lock taken, the
   * connection's row not yet changed), so what a module writes because of it (the alerts' system
   * events) commits with the outcome or not at all. The core calls it without knowing the module.
   */
  onSyncOutcome?: (trx: Kysely<Database>, outcome: SyncOutcome) => Promise<void>;
}

export function defineStoreModule(module: StoreModule): StoreModule {
  return module;
}
