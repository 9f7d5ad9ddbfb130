/**
 * The channel's own tables (migrations `0003_alza_dropship`, `0011_alza_dropship_tokens`): the stock
 * of each supplier branch, the dropship orders Alza pushed to us with their reservations, the outbox
 * of Buyer API messages, and the Supplier API tokens seen.
 * Same conventions as the core: ISO UTC text timestamps, JSON as text, 0/1 integers, the serial key
 * type chosen per dialect. The tables come with the channel's definition (`store`), and every store
 * opened with the product's modules has them (src/store-modules.ts).
 */
import { sql, type Generated, type Kysely } from 'kysely';
import type { StoreHandle } from '../../core/store/db.ts';
import { defineStoreModule, type Dialect } from '../../core/store/module.ts';
import { leasedRowColumns } from '../../core/store/leased-rows.ts';
import type { Database } from '../../core/store/schema.ts';

export interface DropshipProductsTable {
  supplier_id: string;
  branch_id: string;
  /** the code as matched: trimmed, NFC, lower case (codes are case-insensitive) */
  code_key: string;
  /** the code as imported */
  code: string;
  ean: string | null;
  name: string | null;
  on_hand: number;
  reserved: number;
  /** purchase price without VAT and fees, exact decimal text */
  price: string | null;
  /** fingerprint of what the last queued Availability said about the product; null = never sent */
  reported: string | null;
  updated_at: string;
}

export interface DropshipOrdersTable {
  connection: string;
  order_number: string;
  supplier_order: string;
  supplier_id: string;
  branch_id: string;
  /** DropshipState */
  state: string;
  /** hash of the Insert content without its timestamp: the same order resent is recognised by it */
  insert_hash: string;
  confirm_hash: string | null;
  /** hash and answer of the last Extend, so that its resends get the same answer */
  extend_hash: string | null;
  /** UTC ISO; null once the goods are no longer just reserved */
  valid_until: string | null;
  /** the DropshipOrderRecord (JSON): what the connector maps to the canonical order */
  record: string;
  /** bumped by every change of the record */
  version: number;
  /** the version last stored as a canonical order (a projection that failed is redone by the sweeper) */
  projected_version: number;
  created_at: string;
  updated_at: string;
}

export interface DropshipReservationsTable {
  connection: string;
  order_number: string;
  supplier_id: string;
  branch_id: string;
  code_key: string;
  quantity: number;
}

export interface DropshipOutboxTable {
  id: Generated<number>;
  connection: string;
  /** OutboxKind */
  kind: string;
  /** resend-interval class (protocol.ts RESEND_INTERVALS) */
  pace: string;
  /** what the interval is counted per: branch, order or shipment */
  subject: string;
  /** messages with the same chain are delivered in order (e.g. departure before delivery result) */
  chain: string;
  method: string;
  /** path under buyerApiUrl, e.g. /shipment/123/departure */
  path: string;
  /** exact JSON text with "timestamp":"__TIMESTAMP__", filled in at each attempt */
  body: string;
  /** JSON: what the message does to our orders once Alza accepted it */
  effect: string | null;
  /** 'pending' | 'delivered' | 'failed' */
  state: string;
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_status: number | null;
  last_error: string | null;
  /** Alza's accepted answer (JSON) */
  response: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

/** Supplier API tokens seen, with the body each came with (replay.ts), kept while the token is valid. */
export interface DropshipTokensTable {
  connection: string;
  /** sha256 of the token */
  token_hash: string;
  /** sha1 of the body it came with */
  body_hash: string;
  /** UTC ISO: when the token's timestamp is no longer accepted */
  expires_at: string;
}

export interface DropshipSendLogTable {
  connection: string;
  pace: string;
  subject: string;
  sent_at: string;
}

// a type alias, not an interface: Kysely's withTables wants a type with an implicit index signature
export type DropshipTables = {
  dropship_products: DropshipProductsTable;
  dropship_orders: DropshipOrdersTable;
  dropship_reservations: DropshipReservationsTable;
  dropship_outbox: DropshipOutboxTable;
  dropship_send_log: DropshipSendLogTable;
  dropship_tokens: DropshipTokensTable;
};

export type DropshipDb = Kysely<Database & DropshipTables>;

/** The store's Kysely instance, typed with this channel's tables as well. */
export function dropshipDb(store: StoreHandle): DropshipDb {
  return store.db.withTables<DropshipTables>();
}

export const dropshipMigration = async (db: Kysely<unknown>, dialect: Dialect): Promise<void> => {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';

  await db.schema
    .createTable('dropship_products')
    .ifNotExists()
    .addColumn('supplier_id', 'text', (c) => c.notNull())
    .addColumn('branch_id', 'text', (c) => c.notNull())
    .addColumn('code_key', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('ean', 'text')
    .addColumn('name', 'text')
    .addColumn('on_hand', 'integer', (c) => c.notNull())
    .addColumn('reserved', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('price', 'text')
    .addColumn('reported', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dropship_products_pk', ['supplier_id', 'branch_id', 'code_key'])
    // the reservation UPDATE relies on this never going negative; a bug would fail loudly here
    .addCheckConstraint('dropship_products_reserved_ck', sql`reserved >= 0`)
    .execute();

  await db.schema
    .createTable('dropship_orders')
    .ifNotExists()
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('order_number', 'text', (c) => c.notNull())
    // not a unique index: it would cost a page write per Insert; 40 random bits per day make a clash
    // practically impossible (see util.ts newSupplierOrder)
    .addColumn('supplier_order', 'text', (c) => c.notNull())
    .addColumn('supplier_id', 'text', (c) => c.notNull())
    .addColumn('branch_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('insert_hash', 'text', (c) => c.notNull())
    .addColumn('confirm_hash', 'text')
    .addColumn('extend_hash', 'text')
    .addColumn('valid_until', 'text')
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('projected_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dropship_orders_pk', ['connection', 'order_number'])
    .execute();
  await db.schema.createIndex('dropship_orders_expiry_idx').ifNotExists().on('dropship_orders').columns(['state', 'valid_until']).execute();
  // the orders whose canonical copy is behind (few): found without scanning the table
  await db.schema
    .createIndex('dropship_orders_unprojected_idx')
    .ifNotExists()
    .on('dropship_orders')
    .column('connection')
    .where(sql.ref('projected_version'), '<', sql.ref('version'))
    .execute();

  // One B-tree per reservation on SQLite (WITHOUT ROWID): fewer pages written per Insert. Lookups are
  // by order (release) or by branch (stock list), both served by the primary key's prefix or a scan.
  let reservations = db.schema
    .createTable('dropship_reservations')
    .ifNotExists()
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('order_number', 'text', (c) => c.notNull())
    .addColumn('supplier_id', 'text', (c) => c.notNull())
    .addColumn('branch_id', 'text', (c) => c.notNull())
    .addColumn('code_key', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('dropship_reservations_pk', ['connection', 'order_number', 'code_key']);
  if (dialect === 'sqlite') reservations = reservations.modifyEnd(sql`without rowid`);
  await reservations.execute();

  await db.schema
    .createTable('dropship_outbox')
    .ifNotExists()
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('pace', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('chain', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('effect', 'text')
    .$call(leasedRowColumns)
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('response', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema.createIndex('dropship_outbox_due_idx').ifNotExists().on('dropship_outbox').columns(['connection', 'state', 'next_attempt_at']).execute();
  await db.schema.createIndex('dropship_outbox_chain_idx').ifNotExists().on('dropship_outbox').columns(['connection', 'chain', 'state', 'id']).execute();

  await db.schema
    .createTable('dropship_send_log')
    .ifNotExists()
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('pace', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('dropship_send_log_idx')
    .ifNotExists()
    .on('dropship_send_log')
    .columns(['connection', 'pace', 'subject', 'sent_at'])
    .execute();
};

/** Migration 0011: the tokens seen (issue 19: a token must not be replayed with another body). */
export const dropshipTokensMigration = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('dropship_tokens')
    .ifNotExists()
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('body_hash', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dropship_tokens_pk', ['connection', 'token_hash'])
    .execute();
  await db.schema.createIndex('dropship_tokens_expiry_idx').ifNotExists().on('dropship_tokens').column('expires_at').execute();
};

export const dropshipStoreModule = defineStoreModule({
  name: 'alza-dropship',
  migrations: [{ name: '0003_alza_dropship', up: dropshipMigration }, { name: '0011_alza_dropship_tokens', up: dropshipTokensMigration }],
});

/** A connection's dropship orders, newest first (CLI `orders`, REST `GET …/orders`). */
export function listDropshipOrders(store: StoreHandle, connection: string, options: { state?: string | undefined; limit: number }) {
  let q = dropshipDb(store)
    .selectFrom('dropship_orders')
    .select(['order_number', 'supplier_order', 'state', 'valid_until', 'record', 'created_at', 'updated_at'])
    .where('connection', '=', connection);
  if (options.state) q = q.where('state', '=', options.state);
  return q.orderBy('created_at', 'desc').limit(options.limit).execute();
}
