/**
 * A small cache of GET /v1/orders answers, keyed by the normalised query and valid for one version
 * of the order data: the journal head (max seq). Every change of an order's canonical data writes a
 * journal row in the same transaction (core upsertOrders: insert → created, content change →
 * changed/status_changed; a raw-only update leaves `data` alone), and journal writers are serialised,
 * so a cached page can only be served while no order has changed since it was read. Entries also
 * expire after maxAgeMs, as a bound should an order ever be written without a journal row.
 */
export class ResponseCache {
  private readonly entries = new Map<string, { version: number; at: number; body: Buffer }>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly maxAgeMs = 30_000,
  ) {}

  get(key: string, version: number): Buffer | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.version !== version || Date.now() - e.at > this.maxAgeMs) {
      this.delete(key);
      return null;
    }
    // LRU: move to the end
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.body;
  }

  set(key: string, version: number, body: Buffer): void {
    if (body.length > this.maxBytes / 16) return;
    this.delete(key);
    this.entries.set(key, { version, at: Date.now(), body });
    this.bytes += body.length;
    for (const [k] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(k);
    }
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.bytes -= e.body.length;
    this.entries.delete(key);
  }
}
