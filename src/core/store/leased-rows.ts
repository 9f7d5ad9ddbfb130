/**
 * The columns every leased work queue's rows have (webhook deliveries, write-backs, the Buyer API
 * outbox): the row's state, how often it was tried, when it is next due, and which process holds it
 * until when. One definition, so the queues' claim, retry and dead-letter code reads the same columns.
 */
import type { CreateTableBuilder } from 'kysely';

export function leasedRowColumns<TB extends string, C extends string>(table: CreateTableBuilder<TB, C>) {
  return table
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text');
}
