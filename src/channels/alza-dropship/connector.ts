/**
 * The Connector of a push channel. Nothing is pulled: Alza pushes orders to our Supplier API
 * (routes.ts). The connector exists so that the stored dropship order records go into the store the
 * way pulled orders do (core ingestRecords: journal, payloads, content hash, change feed): its
 * externalIdOf/mapOrder read our own record.
 */
import type { Connector } from '../../core/connector.ts';
import { OrderhubError } from '../../core/errors.ts';
import { mapDropshipRecord } from './mapping.ts';

export class PushChannelError extends OrderhubError {
  constructor() {
    super('push_channel', 'alza-dropship is a push channel: Alza sends its orders to `orderhub serve` (Supplier API), there is nothing to pull');
  }
}

export function createDropshipConnector(): Connector {
  return {
    listing: 'full-scan',
    paging: 'index',
    pageSize: 1,
    async fetchPage() {
      throw new PushChannelError();
    },
    externalIdOf(record) {
      const n = (record as { orderNumber?: unknown } | null)?.orderNumber;
      return typeof n === 'string' && n !== '' ? n : null;
    },
    mapOrder: mapDropshipRecord,
  };
}
