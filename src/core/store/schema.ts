/**
 * Table types of the store (Kysely). One schema for SQLite and PostgreSQL: timestamps are ISO UTC
 * strings (they sort as text), JSON is text, booleans are 0/1 integers, so every query is portable.
 */
import type { Generated, Insertable, Selectable } from 'kysely';

export interface ConnectionsTable {
  name: string;
  kind: string;
  /** 'ok' | 'needs_attention' */
  health: string;
  /** why the connection needs attention (e.g. credentials refused); null when healthy */
  attention: string | null;
  /** JSON checkpoint of the sync engine; null before the first committed window */
  checkpoint: string | null;
  lock_owner: string | null;
  lock_until: string | null;
  last_sync_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConnectionStateTable {
  connection: string;
  key: string;
  value: string;
  updated_at: string;
}

export interface OrdersTable {
  id: string;
  connection: string;
  channel: string;
  external_id: string;
  number: string | null;
  status: string;
  channel_status: string;
  /** 1 while the status is not terminal: the engine re-polls these */
  open: number;
  created_at: string;
  updated_at: string;
  /** hash of the canonical content (without hub-owned fields): unchanged orders write nothing */
  content_hash: string;
  /** hash of the last raw payload stored for the order */
  raw_hash: string;
  /** the canonical order as JSON */
  data: string;
}

export interface OrderPayloadsTable {
  id: Generated<number>;
  order_id: string;
  fetched_at: string;
  raw_hash: string;
  payload: string;
}

export interface OrderJournalTable {
  seq: Generated<number>;
  order_id: string;
  connection: string;
  at: string;
  /** 'created' | 'changed' | 'status_changed' */
  kind: string;
  from_status: string | null;
  to_status: string | null;
  /** JSON array of { path, from, to } */
  diff: string | null;
  run_id: number | null;
  /**
   * who made the change, as its writer names itself (`sync:<run id>`, `api:<key name>`, `cli`,
   * `alza-dropship:partner`); opaque to the core; null on rows from before the audit trail
   */
  actor: string | null;
}

export interface SyncRunsTable {
  id: Generated<number>;
  connection: string;
  /** 'incremental' | 'since' | 'full' */
  mode: string;
  /** 'running' | 'succeeded' | 'failed' */
  status: string;
  started_at: string;
  finished_at: string | null;
  fetched: Generated<number>;
  created: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  failed: Generated<number>;
  pages: Generated<number>;
  error: string | null;
  /** JSON array of warning lines */
  warnings: string | null;
}

export interface SyncFailuresTable {
  id: Generated<number>;
  run_id: number | null;
  connection: string;
  external_id: string | null;
  at: string;
  error: string;
  /** the raw record exactly as received (JSON) */
  payload: string;
}

/** The core's tables. Other modules declare theirs beside their code (see module.ts). */
export interface Database {
  connections: ConnectionsTable;
  connection_state: ConnectionStateTable;
  orders: OrdersTable;
  order_payloads: OrderPayloadsTable;
  order_journal: OrderJournalTable;
  sync_runs: SyncRunsTable;
  sync_failures: SyncFailuresTable;
}

export type OrderRow = Selectable<OrdersTable>;
export type NewOrderRow = Insertable<OrdersTable>;
export type SyncRunRow = Selectable<SyncRunsTable>;
export type JournalRow = Selectable<OrderJournalTable>;
export type ConnectionRow = Selectable<ConnectionsTable>;
