/**
 * A steady request rate (bucket of one token): request n+1 starts at least 1/rps after request n.
 *
 * Own code rather than p-throttle because a waiter must be able to leave the queue on its own abort
 * signal (user cancel, or the deadline of its logical request) without cancelling everybody else and
 * without spending a slot; p-throttle only aborts all pending calls at once.
 */
interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class RateLimiter {
  private readonly intervalMs: number;
  /** earliest time (performance.now()) the next request may start */
  private next = 0;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(requestsPerSecond: number) {
    this.intervalMs = Number.isFinite(requestsPerSecond) && requestsPerSecond > 0 ? 1000 / requestsPerSecond : 0;
  }

  /** Resolves when the caller may send; rejects with signal.reason if aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.intervalMs === 0) return Promise.resolve();
    const now = performance.now();
    if (this.queue.length === 0 && this.next <= now) {
      this.next = now + this.intervalMs;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queue.length === 0) return;
    this.timer = setTimeout(() => this.pump(), Math.max(0, this.next - performance.now()));
  }

  private pump(): void {
    this.timer = undefined;
    const now = performance.now();
    // `next` advances by one interval from the planned slot, so a timer firing a little late does not
    // slow the average rate down; a timer late by more than a whole interval releases at most one
    // extra waiter (the slot it missed), never a burst.
    while (this.queue.length > 0 && this.next <= now) {
      const w = this.queue.shift()!;
      this.next = Math.max(this.next, now - this.intervalMs) + this.intervalMs;
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      w.resolve();
    }
    this.schedule();
  }

  /** Rejects everybody still waiting (client closed). */
  close(reason: Error): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.queue.splice(0)) {
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      w.reject(reason);
    }
  }
}
