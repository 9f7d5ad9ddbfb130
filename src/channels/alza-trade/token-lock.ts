/**
 * Cross-process single flight for token requests, on top of the store-backed token cache.
 *
 * bearerAuth fetches at most one token at a time per instance, but the CLI, the scheduler and workers
 * are separate processes with separate instances: two of them finding the shared cache empty at the
 * same moment would both ask Alza (which blacklists clients that ask too often). The lock is taken with
 * the store's atomic compare-and-set on per-connection state: from the value we read (absent, or a dead
 * holder's expired lock) to our own name; of several processes racing, exactly one wins. Whoever waits
 * re-reads the token cache and takes the holder's token as soon as it is stored.
 */
import type { ConnectionState } from '../../core/connector.ts';
import type { CachedToken, TokenCache } from '../../core/http/auth.ts';
import { AuthError } from '../../core/http/errors.ts';
import { sleep } from '../../core/sleep.ts';

export const LOCK_KEY = 'alza.tokenLock';
export const FAILURE_KEY = 'alza.tokenFailure';

interface LockValue {
  owner: string;
  /** ISO time after which a dead holder's lock is ignored */
  until: string;
}

interface FailureValue {
  owner: string;
  at: string;
  message: string;
}

export interface SharedFetchOptions {
  cache: TokenCache;
  state: ConnectionState;
  /** this process/instance, unique */
  owner: string;
  /** the real token request */
  fetch(signal?: AbortSignal): Promise<CachedToken>;
  /** whether a cached token may be used instead of fetching */
  usable(token: CachedToken): boolean;
  pollMs?: number;
  lockTtlMs?: number;
  /** give up waiting for another holder after this long and take the lock anyway */
  maxWaitMs?: number;
}

export function sharedTokenFetch(opts: SharedFetchOptions): (signal?: AbortSignal) => Promise<CachedToken> {
  const pollMs = opts.pollMs ?? 50;
  const lockTtlMs = opts.lockTtlMs ?? 30_000;
  const maxWaitMs = opts.maxWaitMs ?? 60_000;
  const { cache, state, owner } = opts;

  async function cachedUsable(): Promise<CachedToken | null> {
    const t = await cache.get();
    return t !== null && opts.usable(t) ? t : null;
  }

  async function release(): Promise<void> {
    const cur = await state.get<LockValue>(LOCK_KEY);
    if (cur?.owner === owner) await state.compareAndSet(LOCK_KEY, cur, null);
  }

  return async function fetchShared(signal?: AbortSignal): Promise<CachedToken> {
    const started = Date.now();
    const startedIso = new Date(started).toISOString();
    for (;;) {
      signal?.throwIfAborted();
      // Another process may have stored a fresh token since bearerAuth looked.
      const ready = await cachedUsable();
      if (ready) return ready;
      // A holder we waited for was refused: its answer is ours too (asking again would only count
      // one more bad-credential attempt against the blacklist).
      const failure = await state.get<FailureValue>(FAILURE_KEY);
      if (failure && failure.owner !== owner && failure.at >= startedIso) {
        throw new AuthError(failure.message);
      }
      const lock = await state.get<LockValue>(LOCK_KEY);
      const busy = lock !== null && lock.owner !== owner && Date.parse(lock.until) > Date.now();
      if (busy && Date.now() - started < maxWaitMs) {
        await sleep(pollMs, signal);
        continue;
      }
      const mine: LockValue = { owner, until: new Date(Date.now() + lockTtlMs).toISOString() };
      // After maxWaitMs a holder that never released is overridden from whatever it wrote.
      if (!(await state.compareAndSet(LOCK_KEY, lock, mine))) continue; // someone else won the race
      try {
        // the previous holder may have stored its token while we took the lock
        const again = await cachedUsable();
        if (again) return again;
        let token: CachedToken;
        try {
          token = await opts.fetch(signal);
        } catch (err) {
          if (err instanceof AuthError) {
            await state.set(FAILURE_KEY, { owner, at: new Date().toISOString(), message: err.message } satisfies FailureValue);
          }
          throw err;
        }
        // stored before the lock is released, so a waiter finds it (bearerAuth stores it again)
        await cache.set(token);
        return token;
      } finally {
        await release().catch(() => undefined);
      }
    }
  };
}
