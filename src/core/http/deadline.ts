/**
 * The deadline of one logical request (every attempt and every wait between them), as an abort
 * signal that also follows the caller's own signal.
 */

/**
 * One listener and one timer per request (not AbortSignal.any, which leaks on long-lived parent
 * signals in Node 20). `expired` tells a deadline from the caller giving up.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly endsAt: number;
  private readonly parent: AbortSignal | undefined;
  private readonly onParentAbort: () => void;
  expired = false;

  constructor(ms: number, parent: AbortSignal | undefined) {
    this.endsAt = performance.now() + ms;
    this.parent = parent;
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error('deadline exceeded'));
    }, ms);
    this.onParentAbort = () => this.controller.abort(parent?.reason);
    if (parent?.aborted) this.onParentAbort();
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  remaining(): number {
    return this.endsAt - performance.now();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }
}

/** Waits for `p`, but rejects as soon as `signal` aborts (p-limit's queue cannot be left otherwise). */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
